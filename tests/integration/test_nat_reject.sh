#!/bin/bash
# A registrar that refuses private Contacts (kamailio answers 403), ataua
# behind a cone NAT with `order: [register, stun]`, not parallel: the
# first REGISTER goes out with the private Contact and is refused, the
# policy moves on to STUN and registers again with the public Contact.
# `atactl nat` shows that evidence; calls work both ways, also after
# the router's UDP timeout.
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
lab_init natreject

KAM_REJECT_PRIVATE=1 natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
lab_host ata 192.168.1.10/24 lan1
NATLAB_ORDER="[register, stun]" NATLAB_PARALLEL=false \
	natlab_ataua ata 192.168.1.10

natlab_register 44.0.0.60
lab_wait_for "grep -q 'private Contact.*192.168.1.10.*refused' \
	'$LAB_DIR/kamailio.log'" 5 &&
	t_ok "kamailio refused the private Contact first" ||
	t_fail "kamailio refused the private Contact first" \
		"$(grep 'lab:' "$LAB_DIR/kamailio.log" | tail -n 8)"
natlab_expect_verdict ok
natlab_expect_nat step_register failed
natlab_expect_nat register_answer 403
natlab_expect_nat step_stun ok
natlab_expect_nat method stun
natlab_expect_nat public_sip '44.0.0.60:*'
# the order of events (they happen before a monitor can attach)
log=$(grep -E 'nat: (register:|public SIP address)' "$LAB_DIR/ataua.log")
printf '%s\n' "$log" | head -n 2 | tr '\n' '|' |
	grep -q 'not accepted, next step.*|.*public SIP address 44\.0\.0\.60' &&
	t_ok "refused first, then the STUN address" ||
	t_fail "refused first, then the STUN address" "$log"

natlab_calls_both_ways reject
natlab_expect_verdict ok
