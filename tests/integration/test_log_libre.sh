#!/bin/bash
# libre's own warnings (its DEBUG_WARNING, e.g. natbd_mapping when a STUN
# server never answers) reach the daemon's log in ataua's format: a
# timestamp, a level, the text without colour escapes. Nothing raw
# appears on stderr. The STUN server here reads and never answers.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init logre

lab_host stun 44.0.0.2/24
lab_host ata 44.0.0.10/24
lab_bg stun silent.log python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("44.0.0.2", 3478))
while True:
    s.recvfrom(2048)
' >/dev/null
lab_wait_port stun udp 3478 5 || lab_die "the silent STUN server did not start"

conf=$LAB_DIR/ataua.yaml
ATA_LOG_LEVEL=info ATA_LISTEN=44.0.0.10:5060 \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
cat >>"$conf" <<YAML
traversal:
  order: [stun]
  stun:
    server: "44.0.0.2:3478"
    timeout: 2s
YAML

# stderr alone: every line on it must be one of ours
ip netns exec "$(lab_ns ata)" "$ATA_BIN" -c "$conf" </dev/null \
	>"$LAB_DIR/stdout.log" 2>"$LAB_DIR/stderr.log" \
	{LAB__TAP}>&- {LAB__ERR}>&- &
pid=$!
echo "$pid" >>"$LAB_DIR/pids"

# libre's RFC 5780 mapping test gives up after ~4 s of retransmissions
err=$LAB_DIR/stderr.log
lab_wait_for "grep -q 'natbd_mapping' '$err'" 20 ||
	t_fail "libre warns about the silent STUN server" "$(cat "$err")"
lab_stop "$pid" 5

ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
line=$(grep 'natbd_mapping' "$err" | head -n 1)
if printf '%s\n' "$line" |
	grep -Eq "^$ts warning: natbd_mapping: .*\(Connection timed out\)\$"
then
	t_ok "libre's warning is logged as ours: $line"
else
	t_fail "libre's warning is logged as ours (timestamp, warning:)" \
		"$(printf '%s' "$line" | cat -v)"
fi
if grep -q $'\e' "$err"; then
	t_fail "no colour escapes on stderr" "$(grep $'\e' "$err" | cat -v)"
else
	t_ok "no colour escapes on stderr"
fi
raw=$(grep -Ev "^$ts (error|warning|notice|info|debug): " "$err")
[ -z "$raw" ] && t_ok "every stderr line is in ataua's log format" ||
	t_fail "every stderr line is in ataua's log format" \
		"$(printf '%s\n' "$raw" | cat -v | head -n 10)"
[ ! -s "$LAB_DIR/stdout.log" ] && t_ok "nothing on stdout" ||
	t_fail "nothing on stdout" "$(cat -v "$LAB_DIR/stdout.log")"
