#!/bin/bash
# ataua under valgrind memcheck: driven through atactl (status, module
# list, nat, line 1 offhook/digits/onhook, reload good and bad, log
# level, a monitor), a few SIP requests on its UDP port, then SIGTERM.
# Zero memcheck errors and no definite leaks; suppressed is only what
# lies outside our code (tests/integration/valgrind.supp, each entry
# with its reason). No root needed.
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

ATA_ACCEPT=any ata_conf "$conf" "$sock"
cp "$conf" "$good"

valgrind --leak-check=full --error-exitcode=99 \
	--errors-for-leak-kinds=definite \
	--show-leak-kinds="${ATA_VG_SHOW:-definite}" \
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
sip() {
	printf '%s sip:%s@127.0.0.1:%s SIP/2.0\r\n' "$1" "$2" "$port"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-v%s\r\n' \
		"$3"
	printf 'Max-Forwards: 70\r\nFrom: <sip:2000@127.0.0.1>;tag=vg\r\n'
	printf 'To: <sip:%s@127.0.0.1>\r\nCall-ID: vg-%s\r\n' "$2" "$3"
	printf 'CSeq: 1 %s\r\nContact: <sip:2000@127.0.0.1:9>\r\n' "$1"
	if [ "$1" = INVITE ]; then
		local sdp
		sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
			"c=IN IP4 127.0.0.1" "t=0 0" "m=audio 40000 RTP/AVP 0" \
			"a=rtpmap:0 PCMU/8000"; echo x)
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
# leaves its main loop; each is an object (here the SIP stack, kept alive
# by a hung-up call's session waiting for its BYE transaction) not
# released at shutdown. Not a memcheck error, so a TODO until fixed.
leftover=$(grep -E '^fd [0-9]+ in use|^Timers \(' "$log")
if [ -z "$leftover" ]; then
	t_ok "no fds or timers left registered at exit"
else
	T_N=$((T_N + 1))
	echo "not ok $T_N - no fds or timers left registered at exit # TODO" \
		"SIP stack outlives shutdown: $(echo "$leftover" | tr '\n' ' ')" \
		>&"$LAB__TAP"
fi
if [ "${definite:-0}" = 0 ]; then
	t_ok "memcheck: no definite leaks"
else
	t_fail "memcheck: no definite leaks ($definite bytes)" \
		"$(grep -A20 'definitely lost in' "$VG_LOG" | head -n 80)"
fi
