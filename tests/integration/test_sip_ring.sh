#!/bin/bash
# Incoming calls that must not ring, or not for ever (issue #11), with
# raw SIP over UDP (sipsend.py) against a running ataua:
#  (a) an INVITE of another SIP version (SIP/2.999...9) gets 505 and
#      never rings; "sip/2.0" in lower case is SIP/2.0 and does ring;
#  (b) a malformed INVITE (no Contact: libre cannot accept it) gets 400,
#      and after it and its CANCEL no call is left and the line is idle;
#      the same for the other-version INVITE and its CANCEL;
#  (c) an INVITE with Expires: 3 rings, then gets 487 and the line goes
#      idle (RFC 3261 13.3.1);
#  (d) with lines[].ring_timeout: 2s a call rings, then gets 480 and the
#      line goes idle.
# Like test_torture.sh it re-runs itself in a private network namespace
# (the replies go to the Via's port), else skips.
set -u

if [ -z "${ATA_RING_NS:-}" ]; then
	export ATA_RING_NS=private
	if [ "$(id -u)" = 0 ]; then
		ns_args=(-n)
	else
		ns_args=(-r -n)
	fi
	if unshare "${ns_args[@]}" ip link set lo up 2>/dev/null; then
		exec unshare "${ns_args[@]}" bash -c \
			'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
	fi
	echo "1..0 # SKIP no private network namespace"
	exit 0
fi

. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

SIPSEND=$LAB_LIB_DIR/sipsend.py
[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
lab_require_cmd python3
ata_host_init sip_ring

# start_daemon NAME [RING_TIMEOUT]: a fresh ataua; SIP_PORT
start_daemon() {
	local conf=$LAB_DIR/$1.yaml addr
	ATA_ACCEPT=any ATA_LISTEN=127.0.0.1:0 ata_conf "$conf" \
		"$LAB_DIR/$1.sock"
	[ -z "${2:-}" ] || printf '    ring_timeout: %s\n' "$2" >>"$conf"
	ata_start - "$conf" "$LAB_DIR/$1.log" || exit 1
	addr=$(ata_get sip_UDP status)
	SIP_PORT=${addr##*:}
	[ -n "$SIP_PORT" ] || lab_die "no SIP UDP port in status"
	# the version check starts with the NAT policy, on our own probe
	lab_wait_for "grep -q 'other SIP versions get 505' '$LAB_DIR/$1.log'" 5 ||
		t_fail "the version check is up"
}

# msg METHOD VERSION ID [HEADER...]: a request to line 1's user 1001
# from 127.0.0.1:5062, Call-ID and branch from ID; an INVITE has SDP
msg() {
	local method=$1 ver=$2 id=$3 sdp="" h
	shift 3
	if [ "$method" = INVITE ]; then
		sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
			"c=IN IP4 127.0.0.1" "t=0 0" \
			"m=audio 40000 RTP/AVP 0" "a=rtpmap:0 PCMU/8000"
			echo x)
		sdp=${sdp%x}
	fi
	printf '%s sip:1001@127.0.0.1:%s %s\r\n' "$method" "$SIP_PORT" "$ver"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-ring-%s\r\n' \
		"$id"
	printf 'Max-Forwards: 70\r\nFrom: <sip:2000@127.0.0.1>;tag=r%s\r\n' \
		"$id"
	printf 'To: <sip:1001@127.0.0.1>\r\nCall-ID: ring-%s\r\n' "$id"
	printf 'CSeq: 1 %s\r\n' "$method"
	for h in "$@"; do
		printf '%s\r\n' "$h"
	done
	[ -z "$sdp" ] || printf 'Content-Type: application/sdp\r\n'
	printf 'Content-Length: %d\r\n\r\n%s' "${#sdp}" "$sdp"
}

CONTACT="Contact: <sip:2000@127.0.0.1:5062>"

# send FILE [WAIT]: the status lines that came back, joined by " | "
send() {
	python3 "$SIPSEND" -b via -w "${2:-3}" 127.0.0.1 "$SIP_PORT" "$1" |
		paste -sd '|' | sed 's/|/ | /g'
}

# idle_no_call: line 1 idle, not ringing, no call left
idle_no_call() {
	[ "$(ata_get state line 1)" = idle ] &&
		[ "$(ata_get ring line 1)" = no ] &&
		[ "$(ata_get count calls)" = 0 ]
}

# ring_then FILE WANT: send an INVITE that must ring first and end with
# final response WANT by itself; print what came back
ring_then() {
	local out=$LAB_DIR/ring.out pid seen
	python3 "$SIPSEND" -b via -w 20 127.0.0.1 "$SIP_PORT" "$1" \
		>"$out" 2>&1 &
	pid=$!
	echo "$pid" >>"$LAB_DIR/pids"
	# a busy machine may poll past a short ring: the 180 sent when the
	# line starts ringing is the proof then
	ata_wait_line 1 ringing 10 && seen=polled || seen=""
	wait "$pid"
	RING_REPLIES=$(paste -sd '|' "$out" | sed 's/|/ | /g')
	[ -n "$seen" ] || ! grep -q '^SIP/2.0 180 ' "$out" || seen="180"
	if [ -n "$seen" ]; then
		t_ok "$3: line 1 rings (seen: $seen)"
	else
		t_fail "$3: line 1 rings" "$(ata_ctl line 1)" \
			"replies: $RING_REPLIES"
	fi
	if grep -q "^SIP/2.0 $2 " "$out"; then
		t_ok "$3: the caller gets $2 ($RING_REPLIES)"
	else
		t_fail "$3: the caller gets $2" "replies: $RING_REPLIES"
	fi
	if lab_wait_for idle_no_call 10; then
		t_ok "$3: line 1 idle, no call left"
	else
		t_fail "$3: line 1 idle, no call left" "$(ata_ctl line 1)" \
			"$(ata_ctl calls)"
	fi
}

# ------------------------------------------------- (a), (b) ---
start_daemon main
BADVER="SIP/2.$(printf '9%.0s' $(seq 1 60))"

msg INVITE "$BADVER" a1 "$CONTACT" >"$LAB_DIR/a1"
r=$(send "$LAB_DIR/a1")
case $r in
"SIP/2.0 505 "*) t_ok "(a) INVITE $BADVER: 505 ($r)" ;;
*) t_fail "(a) INVITE of another SIP version: 505" "replies: $r" ;;
esac
sleep 0.3
t_check "(a) line 1 never rang, no call" idle_no_call

msg CANCEL "$BADVER" a1 >"$LAB_DIR/a1c"
r=$(send "$LAB_DIR/a1c")
case $r in
"SIP/2.0 505 "*) t_ok "(b) its CANCEL: 505 too ($r)" ;;
*) t_fail "(b) CANCEL of another SIP version: 505" "replies: $r" ;;
esac
t_check "(b) after the other-version INVITE and its CANCEL: idle, no call" \
	idle_no_call

msg INVITE SIP/2.0 b1 >"$LAB_DIR/b1"
r=$(send "$LAB_DIR/b1")
case $r in
*"SIP/2.0 400 "*) t_ok "(b) INVITE without Contact: 400 ($r)" ;;
*) t_fail "(b) INVITE without Contact: 400" "replies: $r" ;;
esac
msg CANCEL SIP/2.0 b1 >"$LAB_DIR/b1c"
r=$(send "$LAB_DIR/b1c")
t_diag "CANCEL of the refused INVITE: $r"
sleep 0.3
t_check "(b) after the malformed INVITE and its CANCEL: idle, no call" \
	idle_no_call

# lower case is SIP/2.0 (RFC 3261 7.1): it rings, and its CANCEL stops it
msg INVITE sip/2.0 a2 "$CONTACT" >"$LAB_DIR/a2"
r=$(send "$LAB_DIR/a2")
if ata_wait_line 1 ringing 10; then
	t_ok "(a) INVITE ... sip/2.0 (lower case) rings line 1 ($r)"
else
	t_fail "(a) INVITE ... sip/2.0 rings line 1" "replies: $r" \
		"$(ata_ctl line 1)"
fi
msg CANCEL SIP/2.0 a2 >"$LAB_DIR/a2c"
r=$(send "$LAB_DIR/a2c")
if lab_wait_for idle_no_call 10; then
	t_ok "(a) its CANCEL stops the ringing ($r)"
else
	t_fail "(a) its CANCEL stops the ringing" "replies: $r" \
		"$(ata_ctl line 1)"
fi

# ------------------------------------------------------ (c) ---
msg INVITE SIP/2.0 c1 "$CONTACT" "Expires: 3" >"$LAB_DIR/c1"
ring_then "$LAB_DIR/c1" 487 "(c) Expires: 3"
t_check "(c) the log says why" grep -q \
	'call: [0-9]* unanswered after 3000 ms: 487' "$LAB_DIR/main.log"
lab_stop "$ATA_PID"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|abort|assert|sanitizer' \
	"$LAB_DIR/main.log"

# ------------------------------------------------------ (d) ---
start_daemon short 2s
msg INVITE SIP/2.0 d1 "$CONTACT" "Expires: 1200" >"$LAB_DIR/d1"
ring_then "$LAB_DIR/d1" 480 "(d) ring_timeout: 2s, Expires: 1200"
t_check "(d) the log says why" grep -q \
	'call: [0-9]* unanswered after 2000 ms: 480' "$LAB_DIR/short.log"
lab_stop "$ATA_PID"
