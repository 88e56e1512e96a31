#!/bin/bash
# ataua behind a symmetric NAT (masquerade fully-random). Without the
# turn module, RFC 5780 discovery finds the address-and-port-dependent
# mapping and the verdict says "broken: symmetric NAT, needs TURN" (a
# STUN address would be wrong for every other peer). With it, SIP goes
# through a relay on coturn (ok-relayed), and every call's RTP and RTCP
# get relays of their own: calls both ways carry audio through coturn,
# also after the router's UDP timeout has passed.
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
lab_init natsym

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 symmetric
natlab_short_udp r1
lab_host ata 192.168.1.10/24 lan1

# 1. no TURN: the verdict names the problem
natlab_ataua ata 192.168.1.10
lab_wait_for "ata_ctl nat | grep -qx 'mapping=address-port-dependent'" 15 &&
	t_ok "mapping address-port-dependent" ||
	t_fail "mapping address-port-dependent" "$(ata_ctl nat)"
natlab_expect_verdict "broken: symmetric NAT, needs TURN"
# the event fires within milliseconds of boot, before a monitor can
# attach; the log records the same decision
grep -q 'nat: verdict broken: symmetric NAT' "$LAB_DIR/ataua.log" &&
	t_ok "the verdict is logged" ||
	t_fail "the verdict is logged" "$(grep 'nat: verdict' "$LAB_DIR/ataua.log")"
natlab_stop_ataua

# 2. with TURN: SIP and media relayed
NATLAB_TURN=udp
natlab_ataua ata 192.168.1.10
natlab_register 44.0.0.2
natlab_expect_verdict ok-relayed
natlab_expect_nat method turn
natlab_calls_both_ways relayed
