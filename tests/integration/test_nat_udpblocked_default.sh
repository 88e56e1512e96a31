#!/bin/bash
# ataua behind a router that forwards no UDP, with every TURN setting
# left at its default (only the server and the credentials set) and an
# account that names no transport (issue #16, seen in the field: calls
# answered, audio one way, nothing said):
#   - SIP falls back to TCP by itself; the TURN relay, asked over UDP
#     first (transport: auto), goes over TCP when that is unanswered;
#     the verdict is ok-relayed, never "broken: UDP blocked"
#   - calls both ways carry audio both ways, through TURN-over-TCP relays
#     (counters on both sides, our tone in baresip's recording); no
#     one-way audio is reported for them
#   - a call made one-way on purpose (baresip's RTP to the relay dropped
#     mid-call) raises CALL-ONE-WAY and a warning, and is counted in
#     ataua_calls_one_way_total; letting it through again raises
#     CALL-TWO-WAY
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
lab_init natudpd

KAM_NATFIX=1 natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
natlab_block_udp r1
lab_host ata 192.168.1.10/24 lan1

NATLAB_TURN=default
NATLAB_TRANSPORTS="[udp, tcp]"
NATLAB_ACC_TRANSPORT=none
natlab_ataua ata 192.168.1.10
turn=$(sed -n '/^  turn:/,/^  [a-z_]*:/p' "$LAB_DIR/ataua.yaml")
printf '%s\n' "$turn" | grep -Eq '^    (transport|timeout):' &&
	t_fail "TURN: server and credentials only" "$turn" ||
	t_ok "TURN: server and credentials only"

lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 70 &&
	t_ok "ataua registers (by itself)" ||
	t_fail "ataua registers (by itself)" "$(ata_ctl reg)" "$(ata_ctl nat)"
lab_wait_for "kam_registered 1001 | grep -q 'transport=tcp'" 10 &&
	t_ok "registered over TCP" ||
	t_fail "registered over TCP" "$(kam_registered 1001)"
natlab_expect_verdict ok-relayed
natlab_expect_nat method turn
natlab_expect_nat sip_transport 'tcp (udp blocked)'
st=$(ata_ctl turn status)
printf '%s\n' "$st" | grep -qx 'transport=tcp' &&
	printf '%s\n' "$st" | grep -qx 'state=allocated' &&
	t_ok "TURN (transport auto) allocated over TCP" ||
	t_fail "TURN (transport auto) allocated over TCP" "$st"
grep -q 'turn: no answer from 44.0.0.2:3478 over udp (udp blocked?): allocating over tcp' \
	"$LAB_DIR/ataua.log" && t_ok "the log says TURN went over TCP" ||
	t_fail "the log says TURN went over TCP" \
		"$(grep 'turn:' "$LAB_DIR/ataua.log")"

natlab_call_out "default turn outgoing"
natlab_call_in "default turn inbound"
grep -q 'CALL-ONE-WAY' "$LAB_DIR/events.log" &&
	t_fail "no one-way audio in the calls both ways" \
		"$(grep 'CALL-ONE-WAY' "$LAB_DIR/events.log")" ||
	t_ok "no one-way audio in the calls both ways"

# --- a call made one-way: baresip's RTP to the relays is dropped -------
oneway() {	# on|off
	local ns
	ns=$(lab_ns bs)
	if [ "$1" = on ] && [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$ns" nft -f - <<-NFT
			table ip oneway {
				chain out {
					type filter hook output priority 0;
					ip daddr { 44.0.0.2, 44.0.0.3 } meta l4proto udp drop
				}
			}
		NFT
	elif [ "$1" = on ]; then
		ip netns exec "$ns" iptables-legacy -A OUTPUT -d 44.0.0.2/31 \
			-p udp -j DROP
	elif [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$ns" nft delete table ip oneway
	else
		ip netns exec "$ns" iptables-legacy -D OUTPUT -d 44.0.0.2/31 \
			-p udp -j DROP
	fi
}

bs_dial bs sip:1001@44.0.0.1
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 ||
	t_fail "one-way: baresip -> ataua rings" "$(ata_ctl line 1)"
ata_ctl line 1 offhook >/dev/null
ata_wait_line 1 connected 10 && t_ok "one-way: answered" ||
	t_fail "one-way: answered" "$(ata_ctl line 1)"
id=$(ata_ctl calls | sed -n 's/^line=1 id=\([0-9]*\)$/\1/p' | head -n 1)
[ -n "$id" ] || t_fail "one-way: the call's id" "$(ata_ctl calls)"
lab_wait_for "[ \"\$(ata_ctl calls | sed -n 's/^rx_packets=//p' |
	head -n 1)\" -gt 50 ] 2>/dev/null" 10 ||
	t_fail "one-way: audio flows first" "$(ata_ctl calls)"
oneway on || lab_die "cannot drop baresip's RTP"
lab_wait_for "grep -q 'CALL-ONE-WAY line=1 id=$id dir=rx' '$LAB_DIR/events.log'" 15 &&
	t_ok "one-way: event $(grep -o 'CALL-ONE-WAY .*' "$LAB_DIR/events.log" | head -n 1)" ||
	t_fail "one-way: event CALL-ONE-WAY line=1 id=$id dir=rx" \
		"$(cat "$LAB_DIR/events.log")" "$(ata_ctl calls)"
grep -q "line 1: call $id: one-way audio: nothing received for 5 s while we send" \
	"$LAB_DIR/ataua.log" && t_ok "one-way: a warning in the log" ||
	t_fail "one-way: a warning in the log" "$(tail -n 20 "$LAB_DIR/ataua.log")"
n=$(grep -c 'CALL-ONE-WAY' "$LAB_DIR/events.log")
sleep 3
[ "$(grep -c 'CALL-ONE-WAY' "$LAB_DIR/events.log")" = "$n" ] &&
	t_ok "one-way: said once" ||
	t_fail "one-way: said once" "$(grep 'CALL-ONE-WAY' "$LAB_DIR/events.log")"
oneway off || lab_die "cannot let baresip's RTP through again"
lab_wait_for "grep -q 'CALL-TWO-WAY line=1 id=$id' '$LAB_DIR/events.log'" 10 &&
	t_ok "one-way: audio back, event CALL-TWO-WAY" ||
	t_fail "one-way: audio back, event CALL-TWO-WAY" \
		"$(cat "$LAB_DIR/events.log")" "$(ata_ctl calls)"
m=$(ata_ctl metrics | grep '^ataua_calls_one_way_total')
[ "$m" = 'ataua_calls_one_way_total{line="1"} 1' ] &&
	t_ok "one-way: counted in the metrics ($m)" ||
	t_fail "one-way: counted in the metrics" "$m"
bs_hangup bs 2>/dev/null
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 10 || true
bs_wait_call_state bs none 10 || true
natlab_expect_verdict ok-relayed
