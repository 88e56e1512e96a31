#!/bin/bash
# ataua under valgrind memcheck: driven through atactl (status, module
# list, nat, line 1 offhook/digits/onhook, reload good and bad, log
# level, a monitor), SIP requests on its UDP port (OPTIONS, an INVITE to
# nobody, a call answered and hung up whose BYE is never answered, an
# SRTP call with hostile packets on its RTP port, still up at the end),
# control-socket abuse (many clients, a long line, garbage, a monitor
# that never reads, half-open and idle clients), then SIGTERM. Zero
# memcheck errors, no definite or possible leaks, no fds or timers left
# registered; suppressed is only what lies outside our code
# (tests/integration/valgrind.supp, each entry with its reason). No root
# needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
lab_require_cmd valgrind python3
ata_host_init valgrind

SUPP=$LAB_LIB_DIR/../valgrind.supp
VG_LOG=$LAB_DIR/valgrind.log
conf=$LAB_DIR/ataua.yaml
good=$LAB_DIR/good.yaml
sock=$LAB_DIR/ataua.sock
log=$LAB_DIR/ataua.log
# a startup under valgrind is slow; a safety net, not a speed assertion
START_S=${ATA_VG_START_S:-90}

# line 1 answers SRTP offers (srtp: optional)
srtp_conf() {
	sed -i 's/^      expiry: 60s$/&\n      srtp: optional/' "$1"
	grep -q 'srtp: optional' "$1" || lab_die "cannot set srtp in $1"
}
ATA_ACCEPT=any ata_conf "$conf" "$sock"
srtp_conf "$conf"
cp "$conf" "$good"

valgrind --leak-check=full --error-exitcode=99 \
	--errors-for-leak-kinds=definite,possible \
	--show-leak-kinds="${ATA_VG_SHOW:-definite,possible}" \
	--num-callers=30 --suppressions="$SUPP" --log-file="$VG_LOG" \
	"$ATA_BIN" -c "$conf" </dev/null >>"$log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
ATA_PID=$!
ATA_SOCK=$sock
echo "$ATA_PID" >>"$LAB_DIR/pids"
lab_wait_for "'$ATA_CTL' -s '$sock' PING" "$START_S" ||
	lab_die "ataua did not start under valgrind: $(tail -n 20 "$log")"
t_ok "ataua runs under valgrind"

# ctl DESC REGEX ARGS...: the reply to ARGS matches REGEX (grep -E)
ctl() {
	local desc=$1 re=$2 out
	shift 2
	out=$(ata_ctl "$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq "$re"; then
		t_ok "$desc"
	else
		t_fail "$desc" "atactl $*" "$out"
	fi
}

"$ATA_CTL" -s "$sock" monitor >"$LAB_DIR/events" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo "$!" >>"$LAB_DIR/pids"

ctl "status" '^state=running' status
ctl "module list" 'name=stun' module list
ctl "nat" '^verdict=' nat
ctl "help" 'module list' help
ctl "line 1 offhook" 'state=dialtone' line 1 offhook
ctl "line 1 digits 12" 'digits=12' line 1 digits 12
ctl "line 1 onhook" 'state=idle' line 1 onhook
ctl "calls" '' calls
ctl "log level 6" '^log_level=6' log level 6
ctl "log level 7" '^log_level=7' log level 7
ATA_MODULES="  - name: stun
    required: false
  - name: upnp
    required: false" ATA_ACCEPT=any ata_conf "$conf" "$sock"
t_check "reload of a good file" ata_ctl reload
ctl "the new module is loaded" 'name=upnp' module list
printf 'lines: [\n' >>"$conf"
ctl "reload of a bad file fails" '^error=' reload
ctl "the old config stays" 'name=upnp' module list
cp "$good" "$conf"
t_check "reload back to the first file" ata_ctl reload
ata_ctl frobnicate >/dev/null 2>&1
ctl "unknown verb then PING" '^PONG$' PING

# SIP: OPTIONS, an INVITE to nobody, and a call to our line cancelled
port=$(ata_get sip_UDP status)
port=${port##*:}
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
# sip METHOD USER ID [PROTO]: PROTO RTP/SAVP offers a key
sip() {
	local proto=${4:-RTP/AVP}
	printf '%s sip:%s@127.0.0.1:%s SIP/2.0\r\n' "$1" "$2" "$port"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-v%s\r\n' \
		"$3"
	printf 'Max-Forwards: 70\r\nFrom: <sip:2000@127.0.0.1>;tag=vg\r\n'
	printf 'To: <sip:%s@127.0.0.1>\r\nCall-ID: vg-%s\r\n' "$2" "$3"
	printf 'CSeq: 1 %s\r\nContact: <sip:2000@127.0.0.1:9>\r\n' "$1"
	if [ "$1" = INVITE ]; then
		local sdp
		sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
			"c=IN IP4 127.0.0.1" "t=0 0" "m=audio 40000 $proto 0" \
			"a=rtpmap:0 PCMU/8000"
			[ "$proto" = RTP/SAVP ] && printf '%s\r\n' \
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$KEY"
			echo x)
		sdp=${sdp%x}
		printf 'Content-Type: application/sdp\r\n'
		printf 'Content-Length: %d\r\n\r\n%s' "${#sdp}" "$sdp"
	else
		printf 'Content-Length: 0\r\n\r\n'
	fi
}
# rport: the replies come back to the sender's own socket
sipx() {
	sip "$@" >"$LAB_DIR/sip.$3"
	python3 "$LAB_LIB_DIR/sipsend.py" -w 5 127.0.0.1 "$port" \
		"$LAB_DIR/sip.$3" 2>&1 | tr '\n' ' '
}
r=$(sipx OPTIONS probe 1)
case $r in *"200 OK"*) t_ok "SIP OPTIONS: $r" ;;
*) t_fail "SIP OPTIONS answered 200" "$r" ;; esac
r=$(sipx INVITE nobody 2)
case $r in *" 404 "*) t_ok "SIP INVITE to nobody: $r" ;;
*) t_fail "SIP INVITE to nobody answered 404" "$r" ;; esac
sip INVITE 1001 3 >"$LAB_DIR/sip.3"
python3 "$LAB_LIB_DIR/sipsend.py" -w 5 127.0.0.1 "$port" \
	"$LAB_DIR/sip.3" >/dev/null 2>&1
if ata_wait_line 1 ringing 20; then
	t_ok "SIP INVITE to 1001 rings the line"
else
	t_fail "SIP INVITE to 1001 rings the line" "$(ata_ctl line 1)"
fi
ctl "line 1 offhook answers" 'state=connected' \
	line 1 offhook
ctl "line 1 onhook hangs up" 'state=idle' line 1 onhook

# control-socket abuse: under valgrind only survival and memcheck count
# (test_ctrl_abuse.sh checks the exact outcomes at full speed; its
# monitor mode toggles line 1, so this runs before the SRTP call)
abuse() {
	local r
	r=$(timeout -k 5 120 python3 "$LAB_LIB_DIR/ctrlabuse.py" "$1" \
		"$sock" "${@:2}" 2>&1 | tail -n 2 | tr '\n' ' ')
	t_diag "abuse $*: ${r:-done}"
	ctl "PING after abuse $1" '^PONG$' PING
}
# (our monitor holds one of the 16 slots)
abuse many 40 15
abuse long 1
abuse garbage 16 4475
abuse monitor 500
abuse halfopen
abuse idle 15
# an SRTP call, answered; hostile packets on its RTP port; it stays up
# (a UAC in python: INVITE, wait for the 200, ACK it with its To tag)
sip INVITE 1001 4 RTP/SAVP >"$LAB_DIR/sip.4"
python3 - "$port" "$LAB_DIR/sip.4" >"$LAB_DIR/uac.log" 2>&1 <<'PY' &
import re, socket, sys, time
port, invite = int(sys.argv[1]), open(sys.argv[2], "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
end = time.monotonic() + 120
s.sendto(invite, ("127.0.0.1", port))
while time.monotonic() < end:
    try:
        m = s.recv(65536)
    except socket.timeout:
        continue
    print(m.split(b"\r\n", 1)[0].decode(), flush=True)
    if m.startswith(b"SIP/2.0 200"):
        to = re.search(rb"\r\nTo: *([^\r\n]*)", m).group(1)
        s.sendto(b"ACK sip:1001@127.0.0.1:%d SIP/2.0\r\n"
                 b"Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-a4\r\n"
                 b"Max-Forwards: 70\r\n"
                 b"From: <sip:2000@127.0.0.1>;tag=vg\r\n"
                 b"To: %s\r\nCall-ID: vg-4\r\nCSeq: 1 ACK\r\n"
                 b"Content-Length: 0\r\n\r\n" % (port, to),
                 ("127.0.0.1", port))
        print("ACK sent", flush=True)
        break
PY
uac=$!
echo "$uac" >>"$LAB_DIR/pids"
if ata_wait_line 1 ringing 20; then
	t_ok "SRTP INVITE to 1001 rings the line"
else
	t_fail "SRTP INVITE to 1001 rings the line" "$(ata_ctl line 1)"
fi
ctl "line 1 offhook answers the SRTP call" 'state=connected' \
	line 1 offhook
wait "$uac"
t_check "the 200 is ACKed" grep -q 'ACK sent' "$LAB_DIR/uac.log"
ctl "the call is SRTP" '^srtp=yes' calls
rtp=$(ata_get rtp_local calls)
# 40000 gets our SRTP; 200 packets of junk and of plain RTP go back
srtp_rx=$(python3 - "${rtp##*:}" <<'PY'
import os, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 40000))
s.settimeout(0.02)
got, dst = 0, ("127.0.0.1", int(sys.argv[1]))
for i in range(200):
    if i % 2:
        s.sendto(os.urandom(1 + i % 300), dst)
    else:
        s.sendto(struct.pack("!BBHII", 0x80, 0, i, i * 160, 0x1234) +
                 bytes(160), dst)
    try:
        s.recv(2048)
        got += 1
    except socket.timeout:
        pass
print(got)
PY
)
[ "${srtp_rx:-0}" -gt 0 ] && t_ok "our SRTP reaches the peer ($srtp_rx)" ||
	t_fail "our SRTP reaches the peer" "got ${srtp_rx:-nothing}"
failed=$(ata_get srtp_failed calls)
[ "${failed:-0}" -gt 0 ] &&
	t_ok "hostile packets fail SRTP authentication ($failed)" ||
	t_fail "hostile packets fail SRTP authentication" "$(ata_ctl calls)"

ctl "the SRTP call is still up" 'state=connected' line 1

ctl "PING before the stop" '^PONG$' PING
grep -q 'LINE-STATE' "$LAB_DIR/events" && t_ok "the monitor saw events" ||
	t_fail "the monitor saw events" "$(head -5 "$LAB_DIR/events")"

kill -TERM "$ATA_PID"
rc=0
lab_wait_for "! kill -0 $ATA_PID 2>/dev/null" 60 || {
	t_fail "SIGTERM stops ataua under valgrind within 60 s"
	kill -KILL "$ATA_PID" 2>/dev/null
}
wait "$ATA_PID" 2>/dev/null || rc=$?
[ "$rc" = 0 ] && t_ok "ataua exit status 0 (99: memcheck errors)" ||
	t_fail "ataua exit status 0 (99: memcheck errors)" "exit $rc"

VG_ERR_RE='^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched'
VG_ERR_RE="$VG_ERR_RE|Source and|Argument)|definitely lost in"
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VG_LOG" |
	tail -n 1)
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' \
	"$VG_LOG" | tail -n 1 | tr -d ,)
t_diag "memcheck: ${errors:-?} errors, ${definite:-0} bytes definitely" \
	"lost; $(grep -E 'possibly lost:|suppressed:|in use at exit' \
	"$VG_LOG" | sed 's/^==[0-9]*== *//')"
if [ "$errors" = 0 ]; then
	t_ok "memcheck: 0 errors"
else
	t_fail "memcheck: 0 errors (got '${errors:-no summary}')" \
		"$(grep -A12 -E "$VG_ERR_RE" "$VG_LOG" | head -n 80)"
fi
# libre prints the fds and timers still registered when the daemon
# leaves its main loop; each is an object not released at shutdown
# (e.g. the SIP stack kept alive by a hung-up call's session waiting for
# a BYE answer that never comes)
leftover=$(grep -E '^fd [0-9]+ in use|^Timers \(' "$log")
[ -z "$leftover" ] && t_ok "no fds or timers left registered at exit" ||
	t_fail "no fds or timers left registered at exit" "$leftover"
if [ "${definite:-0}" = 0 ]; then
	t_ok "memcheck: no definite leaks"
else
	t_fail "memcheck: no definite leaks ($definite bytes)" \
		"$(grep -A20 'definitely lost in' "$VG_LOG" | head -n 80)"
fi
possible=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' \
	"$VG_LOG" | tail -n 1 | tr -d ,)
if [ "${possible:-0}" = 0 ]; then
	t_ok "memcheck: no possible leaks"
else
	t_fail "memcheck: no possible leaks ($possible bytes)" \
		"$(grep -A20 'possibly lost in' "$VG_LOG" | head -n 80)"
fi
