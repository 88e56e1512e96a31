#!/bin/bash
# The daemon's life through its control socket: start, PING, status,
# module list, log level, reload of a good and a bad file (the old config
# stays), SIGHUP, a second instance refused, config errors with
# FILE:LINE:COL and no start, clean stop that removes the socket.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua and atactl first"
ata_host_init daemon

conf=$LAB_DIR/ataua.yaml
sock=$LAB_DIR/ctl/ataua.sock
ata_conf "$conf" "$sock"

# -n: the config checker
t_check "ataua -n accepts the test config" \
	bash -c "'$ATA_BIN' -n -c '$conf' | grep -qx 'configuration OK'"
bad=$LAB_DIR/bad.yaml
sed 's/^  level: debug/  levle: debug/' "$conf" >"$bad"
out=$("$ATA_BIN" -n -c "$bad" 2>&1)
rc=$?
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q "^$bad:2:3: .*levle"; then
	t_ok "ataua -n names FILE:LINE:COL of an unknown key"
else
	t_fail "ataua -n names FILE:LINE:COL of an unknown key" "rc=$rc" "$out"
fi
"$ATA_BIN" -c "$bad" >"$LAB_DIR/bad-start.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
bpid=$!
sleep 0.5
if ! kill -0 "$bpid" 2>/dev/null && [ ! -S "$sock" ]; then
	t_ok "an invalid config never starts the daemon"
else
	kill "$bpid" 2>/dev/null
	t_fail "an invalid config never starts the daemon"
fi
wait "$bpid" 2>/dev/null

# start, talk; as systemd's Type=notify, listen on $NOTIFY_SOCKET
notify=$LAB_DIR/notify.sock
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
while True:
    with open(sys.argv[2], "ab") as f:
        f.write(s.recv(4096) + b"\n")
' "$notify" "$LAB_DIR/notified" {LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
lab_wait_for "[ -e '$notify.ready' ]" 5
NOTIFY_SOCKET=$notify ata_start - "$conf" "$LAB_DIR/ataua.log" || exit 1
lab_wait_for "grep -qx READY=1 '$LAB_DIR/notified'" 5 &&
	t_ok "READY=1 on \$NOTIFY_SOCKET once it answers" ||
	t_fail "READY=1 on \$NOTIFY_SOCKET once it answers"
t_check "PING answers PONG" bash -c "'$ATA_CTL' -s '$sock' PING | grep -qx PONG"
t_check "status says running" \
	bash -c "'$ATA_CTL' -s '$sock' status | grep -qx 'state=running'"
t_check "status lists line 1" \
	bash -c "'$ATA_CTL' -s '$sock' status | grep -q '^line=1 state=idle'"
t_check "module list shows stun loaded" \
	bash -c "'$ATA_CTL' -s '$sock' module list | grep -q 'name=stun kind=traversal state=loaded'"
t_check "nat gives a verdict and each traversal module's state" \
	bash -c "'$ATA_CTL' -s '$sock' nat | grep -q '^verdict=' &&
		'$ATA_CTL' -s '$sock' nat | grep -q '^module=stun state='"
# One source for help: every line of the daemon's help is in atactl -h,
# and every verb in atactl -h is in atactl(1) (tests/unit/test_verbs.c)
"$ATA_CTL" -s "$sock" help >"$LAB_DIR/help" 2>&1
"$ATA_CTL" -h >"$LAB_DIR/help-h" 2>&1
missing=$(grep -vxF -f <(sed -n 's/^  //p' "$LAB_DIR/help-h") "$LAB_DIR/help")
[ -s "$LAB_DIR/help" ] && [ -z "$missing" ] &&
	grep -q '^status  *daemon' "$LAB_DIR/help" &&
	grep -q '^PING  *check' "$LAB_DIR/help" &&
	t_ok "the daemon's help lines are atactl -h's" ||
	t_fail "the daemon's help lines are atactl -h's" "$missing"
mode=$(stat -c %a "$sock")
[ "$mode" = 660 ] && t_ok "socket mode is 0660" || t_fail "socket mode is 0660" "mode $mode"

"$ATA_CTL" -s "$sock" frobnicate >/dev/null 2>"$LAB_DIR/err"
rc=$?
[ "$rc" = 1 ] && grep -q 'FAIL' "$LAB_DIR/err" &&
	t_ok "unknown verb: FAIL and exit 1" ||
	t_fail "unknown verb: FAIL and exit 1" "rc=$rc $(cat "$LAB_DIR/err")"

t_check "log level 7" bash -c "'$ATA_CTL' -s '$sock' log level 7 | grep -qx 'log_level=7'"
"$ATA_CTL" -s "$sock" log level 12 >/dev/null 2>&1
[ $? = 1 ] && t_ok "log level 12 is refused" || t_fail "log level 12 is refused"

# reload: good file with a second module, then a broken one
ATA_MODULES="  - name: stun
    required: false
  - name: upnp
    required: false" ata_conf "$conf" "$sock"
t_check "reload applies a good file" "$ATA_CTL" -s "$sock" reload
t_check "the new module list is in force" \
	bash -c "'$ATA_CTL' -s '$sock' module list | grep -q 'name=upnp'"
cp "$conf" "$LAB_DIR/good.yaml"
printf 'lines: [\n' >>"$conf"
out=$("$ATA_CTL" -s "$sock" reload 2>&1)
rc=$?
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q "^error=$conf:"; then
	t_ok "reload of a broken file fails with its errors"
else
	t_fail "reload of a broken file fails with its errors" "rc=$rc" "$out"
fi
t_check "the old config stays in force" \
	bash -c "'$ATA_CTL' -s '$sock' module list | grep -q 'name=upnp'"
cp "$LAB_DIR/good.yaml" "$conf"
kill -HUP "$ATA_PID"
lab_wait_for "grep -q 'reloaded' '$LAB_DIR/ataua.log'" 10 &&
	t_ok "SIGHUP reloads" || t_fail "SIGHUP reloads"

# a second daemon on the same socket refuses and leaves it alone
"$ATA_BIN" -c "$conf" >"$LAB_DIR/second.log" 2>&1
rc=$?
if [ "$rc" != 0 ] && grep -qi 'running' "$LAB_DIR/second.log" &&
	"$ATA_CTL" -s "$sock" PING >/dev/null; then
	t_ok "a second instance refuses to start"
else
	t_fail "a second instance refuses to start" "rc=$rc" "$(cat "$LAB_DIR/second.log")"
fi

# events
"$ATA_CTL" -s "$sock" monitor >"$LAB_DIR/events" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
mon=$!
echo "$mon" >>"$LAB_DIR/pids"
sleep 0.3
"$ATA_CTL" -s "$sock" line 1 offhook >/dev/null
lab_wait_for "grep -q 'LINE-STATE line=1 state=dialtone' '$LAB_DIR/events'" 5 &&
	t_ok "monitor sees LINE-STATE dialtone" ||
	t_fail "monitor sees LINE-STATE dialtone" "$(cat "$LAB_DIR/events")"
"$ATA_CTL" -s "$sock" line 1 onhook >/dev/null

# stop
kill -TERM "$ATA_PID"
lab_wait_for "! kill -0 $ATA_PID 2>/dev/null" 10 &&
	t_ok "SIGTERM stops the daemon" || t_fail "SIGTERM stops the daemon"
grep -qx STOPPING=1 "$LAB_DIR/notified" && t_ok "STOPPING=1 on the way out" ||
	t_fail "STOPPING=1 on the way out" "$(cat "$LAB_DIR/notified")"
[ ! -e "$sock" ] && t_ok "the socket is gone after stop" ||
	t_fail "the socket is gone after stop"
"$ATA_CTL" -s "$sock" status >/dev/null 2>"$LAB_DIR/err"
rc=$?
[ "$rc" = 2 ] && grep -qi 'cannot connect' "$LAB_DIR/err" &&
	t_ok "atactl exits 2 when the daemon is gone" ||
	t_fail "atactl exits 2 when the daemon is gone" "rc=$rc $(cat "$LAB_DIR/err")"
