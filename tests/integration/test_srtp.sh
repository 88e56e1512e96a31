#!/bin/bash
# SRTP (SDES, RFC 4568) against baresip 1.0's mediaenc=srtp, no NAT:
# kamailio on 44.0.0.1, ataua (1001) on 44.0.0.10, baresip (1002,
# ";mediaenc=srtp": RTP/AVP + a=crypto, best effort) on 44.0.0.20, sipp
# on 44.0.0.30. tcpdump keeps the SIP seen by ataua's namespace.
#   - srtp: optional. ataua calls baresip: the INVITE and the 200 carry
#     a=crypto, RTP flows both ways, baresip's decrypted recording holds
#     our 1004 Hz tone (so baresip decrypts what we encrypt)
#   - baresip calls ataua: answered with a=crypto, RTP from baresip
#   - a broken a=crypto line (no key, short key, unknown suite) -> 488,
#     the daemon still answers PING
#   - srtp: mandatory. a plain offer -> 488; baresip's call still works
#   - no key from any SDP on the wire appears in the debug-level log
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/sipp.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio baresip sipp python3 tcpdump
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init srtp

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host bs 44.0.0.20/24
lab_host sipp 44.0.0.30/24
kam_start kam 44.0.0.1 44.0.0.30 || lab_die "kamailio did not start"
bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 ";mediaenc=srtp" ||
	lab_die "baresip did not start"
bs_wait_reg bs 20 || lab_die "baresip did not register"
lab_udp_counter ata 20000-20100

PCAP=$LAB_DIR/sip.pcap
lab_bg ata tcpdump.log tcpdump -i eth0 -s 0 -U -w "$PCAP" \
	udp port 5060 >/dev/null
sleep 1

# sip_text FILTER: the SIP payloads seen so far, as text
sip_text() {
	tcpdump -r "$PCAP" -A -n "$@" 2>/dev/null | tr -d '\r'
}

# start_ata POLICY: (re)start ataua with lines[0].account.srtp=POLICY,
# on the virtual SLIC: the line's media thread sends and receives the
# SRTP itself (core/call/call_rx.c, call_tx.c); test_srtp_lines.sh
# keeps the main loop's path (no device)
start_ata() {
	local conf=$LAB_DIR/ataua-$1.yaml
	[ -n "${ATA_PID:-}" ] && lab_stop "$ATA_PID" 5
	ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
	ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 ATA_LOG_LEVEL=debug \
	ATA_MODULES="  - name: stun
    required: false
  - name: audio-alsa
    required: true" \
		ata_conf "$conf" "$LAB_DIR/ataua.sock"
	sed -i 's/^    device: default$/    device: vslic/' "$conf"
	sed -i "s/^      expiry: 60s\$/&\n      srtp: $1/" "$conf"
	grep -q "srtp: $1" "$conf" || lab_die "cannot set srtp: $1"
	ata_start ata "$conf" ataua.log || lab_die "ataua did not start"
	lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 20 ||
		lab_die "ataua did not register" "$(ata_ctl reg)"
}

# sipp_refused NAME PROTO ATTR: sipp offers PROTO with ATTR through the
# proxy to 1001; succeeds when ataua answers 488
sipp_refused() {
	local base=$LAB_DIR/sipp-$1
	(cd "$LAB_DIR" && exec timeout 60 ip netns exec "$(lab_ns sipp)" \
		sipp 44.0.0.1:5060 -sf "$ATA_ROOT/tests/integration/conf/sipp-srtp-offer.xml" \
		-i 44.0.0.30 -p 5060 -s 1001 -m 1 -nostdin -timeout 20s \
		-mp 20000 -key proto "$2" -key attr "$3" \
		-trace_err -error_file "$base-err.log" \
		-trace_msg -message_file "$base-msgs.log") \
		</dev/null >"$base.log" 2>&1
}

KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd

ata_vslic
start_ata optional

# ---- ataua calls baresip
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
if ata_wait_line 1 connected 20; then
	t_ok "ataua -> baresip (mediaenc=srtp): connected"
else
	t_fail "ataua -> baresip: connected" "$(ata_ctl line 1)" \
		"$(tail -n 20 "$LAB_DIR/ataua.log")"
fi
bs_wait_call_established bs 10 && t_ok "baresip sees the call established" ||
	t_fail "baresip sees the call established"
# the capture file is still being written: read it until it shows up
offer_has_crypto() {
	sip_text 'src host 44.0.0.10' | grep -A30 'INVITE sip:1002@' |
		grep -q '^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:'
}
answer_has_crypto() {
	sip_text 'src host 44.0.0.1' |
		grep -q '^a=crypto:[12] AES_CM_128_HMAC_SHA1_[38][02] inline:'
}
lab_wait_for offer_has_crypto 5 &&
	t_ok "our INVITE offers a=crypto (RTP/AVP, best effort)" ||
	t_fail "our INVITE offers a=crypto" "$(sip_text 'src host 44.0.0.10' | grep -A30 'INVITE sip' | head -40)"
lab_wait_for answer_has_crypto 5 &&
	t_ok "baresip's answer carries a=crypto" ||
	t_fail "baresip's answer carries a=crypto" "$(sip_text 'src host 44.0.0.1' | grep 'a=' | head)"
grep -q 'srtp.*SRTP is Enabled\|srtp:.*Enabled\|SRTP' "$LAB_DIR/baresip-bs.log" &&
	t_ok "baresip says SRTP is on" ||
	t_diag "baresip log does not mention SRTP"
sleep 3
calls=$(ata_ctl calls)
rx=$(printf '%s\n' "$calls" | sed -n 's/^rx_packets=//p' | head -n 1)
tx=$(printf '%s\n' "$calls" | sed -n 's/^tx_packets=//p' | head -n 1)
[ "${rx:-0}" -gt 50 ] && [ "${tx:-0}" -gt 50 ] &&
	t_ok "ataua counts RTP both ways (rx=$rx tx=$tx)" ||
	t_fail "ataua counts RTP both ways" "$calls"
printf '%s\n' "$calls" | grep -qx 'srtp=yes' &&
	printf '%s\n' "$calls" | grep -qx 'srtp_failed=0' &&
	t_ok "ataua: srtp=yes, every SRTP packet from baresip authenticates" ||
	t_fail "ataua: srtp=yes, srtp_failed=0" "$calls"
printf '%s\n' "$calls" | grep -qx 'rx_thread=media' &&
	t_ok "the line's media thread sends and receives the SRTP" ||
	t_fail "the line's media thread sends and receives the SRTP" "$calls"
# RTCP (SRTCP here) from baresip: reports counted, libre's figures shown
rtcp_seen() {
	ata_ctl stats 1 | grep -Eq '^rtcp_(sr|rr)_rx=[1-9]'
}
if lab_wait_for rtcp_seen 15; then
	st=$(ata_ctl stats 1)
	printf '%s\n' "$st" | grep -q '^rtcp_rtt_us=' &&
		t_ok "RTCP from baresip decrypted and counted ($(printf '%s\n' "$st" | grep -E '^rtcp_(sr|rr)_rx=' | tr '\n' ' '))" ||
		t_fail "RTCP figures in stats" "$st"
else
	t_fail "RTCP from baresip decrypted and counted" "$(ata_ctl stats 1)"
fi
read -r bin bout < <(bs_rtp_count bs)
[ "${bin:-0}" -gt 50 ] && [ "${bout:-0}" -gt 50 ] &&
	t_ok "baresip's RTP ports see packets both ways (in=$bin out=$bout)" ||
	t_fail "baresip's RTP ports see packets both ways" "in=$bin out=$bout"
ata_ctl line 1 onhook >/dev/null
bs_wait_call_state bs none 10 || t_fail "on-hook ends the call at baresip"
# (one clear RTCP BYE at hang-up is the media side's; RTP must all pass)
grep -q 'srtp: failed to decrypt RTP' "$LAB_DIR/baresip-bs.log" &&
	t_fail "baresip decrypts our RTP" "$(grep -m3 'decrypt' "$LAB_DIR/baresip-bs.log")" ||
	t_ok "baresip reports no RTP decrypt failure"
dec=$(find "$(bs__dir bs)" -name '*dec*.wav' 2>/dev/null | sort | tail -n 1)
if [ -n "$dec" ] && out=$(python3 "$ATA_ROOT/tests/integration/lib/wavtone.py" "$dec" 1004 0.5); then
	t_ok "baresip's decrypted recording holds our 1004 Hz tone ($out)"
else
	t_fail "baresip's decrypted recording holds our 1004 Hz tone" "file=$dec ${out:-}"
fi

# ---- baresip calls ataua
bs_dial bs 1001
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 ||
	t_fail "baresip -> ataua: the line rings" "$(ata_ctl line 1)"
ata_ctl line 1 offhook >/dev/null
bs_wait_call_established bs 10 && ata_wait_line 1 connected 5 &&
	t_ok "baresip -> ataua (srtp): answered" ||
	t_fail "baresip -> ataua (srtp): answered" "$(ata_ctl line 1)"
sleep 2
# a 200 OK of ours (to an INVITE) whose body has a=crypto
sip_text 'src host 44.0.0.10' | awk '
	/SIP\/2\.0 200 OK/ { m = 1 }
	/^CSeq:/ && $3 != "INVITE" { m = 0 }
	/(REGISTER|INVITE|ACK|BYE) sip:/ { m = 0 }
	m && /^a=crypto:[0-9]+ AES_CM_128_HMAC_SHA1_[38][02] inline:/ { f = 1 }
	END { exit !f }' &&
	t_ok "our 200 answers with a=crypto" ||
	t_fail "our 200 answers with a=crypto" "$(sip_text 'src host 44.0.0.10' | grep -A25 'SIP/2.0 200' | tail -30)"
calls=$(ata_ctl calls)
rx=$(printf '%s\n' "$calls" | sed -n 's/^rx_packets=//p' | head -n 1)
[ "${rx:-0}" -gt 30 ] && t_ok "SRTP from baresip arrives ($rx)" ||
	t_fail "SRTP from baresip arrives" "$calls"
bs_hangup bs
ata_wait_line 1 busy 10
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5

# ---- broken crypto lines: 488, and the daemon lives on
n=0
for attr in "a=crypto:1 AES_CM_128_HMAC_SHA1_80" \
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgc" \
	"a=crypto:1 AES_CM_999_HMAC_SHA1_80 inline:$KEY"; do
	n=$((n + 1))
	if sipp_refused "bad$n" RTP/SAVP "$attr"; then
		t_ok "offer with '$attr' gets 488"
	else
		t_fail "offer with '$attr' gets 488" "$(tail -n 15 "$LAB_DIR/sipp-bad$n.log" "$LAB_DIR/sipp-bad$n-msgs.log" 2>/dev/null)"
	fi
done
[ "$(ata_ctl PING 2>&1)" = PONG ] && t_ok "the daemon still answers PING" ||
	t_fail "the daemon still answers PING" "$(ata_ctl PING 2>&1)"
[ "$(ata_get ring line 1)" = no ] && t_ok "refused offers never ring" ||
	t_fail "refused offers never ring"

# ---- mandatory: plain offers are refused, baresip's call works
start_ata mandatory
if sipp_refused plain RTP/AVP "a=x-plain:1"; then
	t_ok "srtp: mandatory refuses a plain offer with 488"
else
	t_fail "srtp: mandatory refuses a plain offer with 488" "$(tail -n 15 "$LAB_DIR/sipp-plain.log")"
fi
bs_dial bs 1001
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
	t_ok "srtp: mandatory accepts baresip's RTP/AVP + a=crypto offer" ||
	t_fail "srtp: mandatory accepts baresip's offer" "$(ata_ctl line 1)"
bs_hangup bs 2>/dev/null
ata_wait_line 1 idle 10
ata_ctl PING >/dev/null && t_ok "the mandatory daemon answers PING" ||
	t_fail "the mandatory daemon answers PING"

# ---- no key material in the log (level debug)
keys=$(sip_text | grep -o 'inline:[A-Za-z0-9+/]\{40\}' | cut -c8- | sort -u)
nk=$(printf '%s\n' "$keys" | grep -c .)
leaked=""
for k in $keys; do
	grep -qF "$k" "$LAB_DIR"/ataua.log && leaked="$leaked $k"
done
grep -q 'level: debug' "$LAB_DIR/ataua-optional.yaml" &&
	[ "$nk" -ge 4 ] && [ -z "$leaked" ] &&
	t_ok "none of the $nk keys on the wire is in the debug log" ||
	t_fail "no key in the debug log" "keys=$nk leaked:$leaked"
