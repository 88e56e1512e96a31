#!/bin/bash
# ataua on a public address (no NAT): STUN maps us to ourselves, the
# verdict is ok with method none, the Contact kamailio stores is our own
# address, no SIP keep-alive runs, and calls both ways carry audio.
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
lab_init natnone

natlab_public
lab_host ata 44.0.0.10/24
natlab_ataua ata 44.0.0.10

natlab_register 44.0.0.10
natlab_expect_verdict ok
natlab_expect_nat method none
natlab_expect_nat local_sip 44.0.0.10:5060
natlab_expect_nat public_sip 44.0.0.10:5060
natlab_expect_nat step_stun ok
natlab_expect_nat mapping endpoint-independent
natlab_expect_nat keepalive 0
kam_registered 1001 | grep -q '@44.0.0.10:5060' &&
	t_ok "kamailio stores our own address as Contact" ||
	t_fail "kamailio stores our own address as Contact" \
		"$(kam_registered 1001)"

natlab_call_out
natlab_call_in "inbound"
natlab_expect_verdict ok
