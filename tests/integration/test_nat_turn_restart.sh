#!/bin/bash
# A quick restart behind a symmetric NAT: ataua relays SIP through TURN,
# is stopped and started again at once. The router still maps the SIP
# port to the same public port, so coturn sees the same 5-tuple: unless
# the first daemon released its allocation at shutdown (Refresh with
# LIFETIME 0, RFC 8656 section 7), the second one gets 437 (allocation
# mismatch) until the old allocation expires. Checks: the second daemon
# is relayed again and never saw a 437 nor said "needs TURN"; and a 437
# itself (forced: the first daemon killed, no release) is named so in
# the log and the verdict.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natturnr

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 symmetric
lab_host ata 192.168.1.10/24 lan1

NATLAB_TURN=udp

relayed() {	# LOG: ataua is relayed through coturn
	lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 15 &&
		lab_wait_for "natlab_verdict | grep -qx ok-relayed" 15
}

# 1. the first daemon gets its relay
NATLAB_LOG=ataua1.log natlab_ataua ata 192.168.1.10
relayed && t_ok "first daemon: relayed ($(ata_ctl turn status |
	sed -n 's/^relayed=//p' | head -n 1))" ||
	t_fail "first daemon: relayed" "$(ata_ctl nat)" "$(ata_ctl turn status)"

# 2. stop, start again at once
natlab_stop_ataua
grep -q 'turn: relay .* released' "$LAB_DIR/ataua1.log" &&
	t_ok "shutdown: the relay is released" ||
	t_fail "shutdown: the relay is released" \
		"$(grep 'turn' "$LAB_DIR/ataua1.log" | tail -n 5)"
lab_wait_for "grep -q 'refreshed, .*lifetime=0' '$LAB_DIR/coturn.log'" 2 &&
	t_ok "shutdown: coturn got the Refresh with LIFETIME 0" ||
	t_fail "shutdown: coturn got the Refresh with LIFETIME 0" \
		"$(tail -n 5 "$LAB_DIR/coturn.log")"
NATLAB_LOG=ataua2.log natlab_ataua ata 192.168.1.10
relayed && t_ok "restarted daemon: relayed again" ||
	t_fail "restarted daemon: relayed again" "$(ata_ctl nat)" \
		"$(ata_ctl turn status)"
log2=$LAB_DIR/ataua2.log
# coturn frees a released allocation at its next sweep, a second or
# so later: an Allocate before that gets 437, asked again quietly
grep -q 'turn: allocating via .* failed' "$log2" &&
	t_fail "restarted daemon: no TURN failure" \
		"$(grep 'turn: ' "$log2")" ||
	t_ok "restarted daemon: no TURN failure ($(grep -c \
		'holds an allocation for our address (437)' "$log2") quiet 437)"
grep -q 'verdict broken' "$log2" &&
	t_fail "restarted daemon: never broken" \
		"$(grep 'nat: verdict' "$log2")" ||
	t_ok "restarted daemon: never broken"

# 3. a 437 that does happen (the daemon killed: nothing released) is
#    named, not taken for a missing TURN server
kill -KILL "$ATA_PID"
wait "$ATA_PID" 2>/dev/null
ATA_PID=""
NATLAB_LOG=ataua3.log natlab_ataua ata 192.168.1.10
log3=$LAB_DIR/ataua3.log
lab_wait_for "grep -q 'nat: verdict broken' '$log3'" 20
sleep 1   # what the log says next, too
v=$(grep 'nat: verdict broken' "$log3" | head -n 1)
case $v in
*"TURN allocation failed: 437 (allocation mismatch)"*)
	t_ok "after a kill: the verdict names the 437 ($v)" ;;
*) t_fail "after a kill: the verdict names the 437" "$v" \
	"$(grep 'turn' "$log3" | head -n 5)" ;;
esac
grep -q 'turn: allocating via .* failed: .*437 (allocation mismatch)' \
	"$log3" && t_ok "after a kill: the log names the 437" ||
	t_fail "after a kill: the log names the 437" \
		"$(grep 'turn' "$log3" | head -n 5)"
natlab_stop_ataua   # and nothing else is said on the way out
grep -q 'needs TURN' "$log3" &&
	t_fail "after a kill: never 'needs TURN'" \
		"$(grep 'needs TURN' "$log3")" ||
	t_ok "after a kill: never 'needs TURN' (TURN is configured)"
