#!/bin/bash
# ataua behind two cone NATs (an ISP's NAT around the home router):
# STUN sees the OUTER address, the first REGISTER carries it, calls both
# ways carry audio, and a call still arrives after both routers' UDP
# timeouts have passed (keep-alives hold both mappings). The STUN server
# is configured by name here (a DNS stub answers for stun.lab.test).
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
lab_init nattiers

natlab_public
lab_router r1 44.0.0.60/24 cgn 100.64.0.1/24 cone
natlab_router_in r2 cgn 100.64.0.2/24 home 192.168.1.1/24
natlab_short_udp r1
natlab_short_udp r2
lab_host ata 192.168.1.10/24 home
natlab_dns stun 44.0.0.2 stun.lab.test 44.0.0.2
natlab_resolv ata 44.0.0.2
NATLAB_STUN=stun.lab.test:3478 natlab_ataua ata 192.168.1.10

natlab_register 44.0.0.60
natlab_expect_verdict ok
natlab_expect_nat method stun
natlab_expect_nat local_sip 192.168.1.10:5060
natlab_expect_nat public_sip '44.0.0.60:*'
grep -q 'stun: stun.lab.test is 44.0.0.2:3478' "$LAB_DIR/ataua.log" &&
	t_ok "the STUN server's name was resolved" ||
	t_fail "the STUN server's name was resolved" \
		"$(grep 'stun:' "$LAB_DIR/ataua.log")"
lab_wait_for "ata_ctl nat | grep -qx 'mapping=endpoint-independent'" 10 &&
	t_ok "mapping endpoint-independent (both tiers are cones)" ||
	t_fail "mapping endpoint-independent" "$(ata_ctl nat)"
# the inner router's address must not leak into SIP
contacts=$(kam_registered 1001)
if printf '%s\n' "$contacts" | grep -q '@44\.0\.0\.60:' &&
	! printf '%s\n' "$contacts" | grep -q '100\.64\.0\.2'; then
	t_ok "no inner NAT address at kamailio"
else
	t_fail "no inner NAT address at kamailio" "$contacts"
fi

natlab_calls_both_ways tiers
natlab_expect_verdict ok
