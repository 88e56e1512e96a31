#!/bin/bash
# Incoming calls take the called line's SRTP policy, not line 1's: line 1
# (1001, srtp: off) and line 2 (1002, srtp: mandatory) on one daemon,
# INVITEs over loopback (accept_from: any, Via rport so the replies come
# back to the sender). A plain offer rings 1001 and gets 488 at 1002,
# logged as an SRTP refusal (not "no common codec"); an RTP/SAVP offer
# with a key rings 1002 and gets 488 at 1001. No root needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
lab_require_cmd python3
ata_host_init srtplines

conf=$LAB_DIR/ataua.yaml
log=$LAB_DIR/ataua.log
ATA_ACCEPT=any ATA_AOR=sip:1001@example.net ata_conf "$conf" \
	"$LAB_DIR/ataua.sock"
sed -i 's/^      expiry: 60s$/&\n      srtp: off/' "$conf"
cat >>"$conf" <<'YAML'
  - id: 2
    device: default
    dialplan:
      patterns: ["xxxx"]
    account:
      aor: sip:1002@example.net
      registrar: ""
      password: ""
      expiry: 60s
      srtp: mandatory
YAML
ata_start - "$conf" "$log" || exit 1
port=$(ata_get sip_UDP status)
port=${port##*:}
[ -n "$port" ] || lab_die "no SIP UDP port in status"

KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd

# msg METHOD USER ID PROTO: an INVITE (offer PROTO, with a key when
# RTP/SAVP) or a CANCEL of invite ID
msg() {
	local sdp="" ctype=""
	if [ "$1" = INVITE ]; then
		sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
			"c=IN IP4 127.0.0.1" "t=0 0" \
			"m=audio 40000 $4 0" "a=rtpmap:0 PCMU/8000"
			[ "$4" = RTP/SAVP ] && printf '%s\r\n' \
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KEY"
			echo x)
		sdp=${sdp%x}
		ctype=$'Content-Type: application/sdp\r\n'
	fi
	printf '%s sip:%s@127.0.0.1:%s SIP/2.0\r\n' "$1" "$2" "$port"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-sl%s\r\n' \
		"$3"
	printf 'Max-Forwards: 70\r\nFrom: <sip:2000@127.0.0.1>;tag=sl\r\n'
	printf 'To: <sip:%s@127.0.0.1>\r\nCall-ID: sl-%s\r\n' "$2" "$3"
	printf 'CSeq: 1 %s\r\nContact: <sip:2000@127.0.0.1:9>\r\n' "$1"
	printf '%sContent-Length: %d\r\n\r\n%s' "$ctype" "${#sdp}" "$sdp"
}

# send FILE: the status lines that came back, on one line
send() {
	python3 "$LAB_LIB_DIR/sipsend.py" -w 3 127.0.0.1 "$port" "$1" 2>&1 |
		tr '\n' ' '
}

# offer LINE USER ID PROTO WANT: WANT is "488" or "ring"
offer() {
	local ln=$1 user=$2 id=$3 proto=$4 want=$5 r desc
	desc="$proto offer to $user (line $ln): $want"
	msg INVITE "$user" "$id" "$proto" >"$LAB_DIR/inv.$id"
	r=$(send "$LAB_DIR/inv.$id")
	if [ "$want" = 488 ]; then
		case $r in *" 488 "*) t_ok "$desc ($r)" ;;
		*) t_fail "$desc" "replies: $r" "$(tail -n 5 "$log")" ;;
		esac
		[ "$(ata_get ring line "$ln")" = no ] ||
			t_fail "$desc: line $ln must not ring"
		return
	fi
	if [ "$(ata_get ring line "$ln")" = yes ] ||
		ata_wait_line "$ln" ringing 5; then
		t_ok "$desc ($r)"
	else
		t_fail "$desc" "replies: $r" "$(ata_ctl line "$ln")"
	fi
	msg CANCEL "$user" "$id" >"$LAB_DIR/can.$id"
	r=$(send "$LAB_DIR/can.$id")
	ata_wait_line "$ln" idle 5 ||
		t_fail "CANCEL ends the ringing of line $ln" "$r"
}

offer 1 1001 1 RTP/AVP ring
offer 2 1002 2 RTP/AVP 488
t_check "the 488 is logged as an SRTP refusal of line 2's policy" \
	grep -q "for '1002': refused by the SRTP policy (srtp: mandatory)" \
	"$log"
t_check "and not as a codec mismatch" \
	lab_not grep -q "no common codec" "$log"
offer 2 1002 3 RTP/SAVP ring
offer 1 1001 4 RTP/SAVP 488
t_check "the RTP/SAVP 488 of line 1 names its policy (off)" \
	grep -q "for '1001': refused by the SRTP policy (srtp: off)" "$log"
t_check "the daemon answers PING" [ "$(ata_ctl PING)" = PONG ]
