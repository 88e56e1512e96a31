#!/bin/bash
# An IGD that answers discovery but refuses the mapping (issue #16,
# "texts that mislead"): miniupnpd whose firewall chain is gone answers
# AddPortMapping with UPnP error 501 ActionFailed. The log and `atactl
# nat` say what the router said (not "Protocol error"), the upnp module
# is not `state=ok` while it holds no mapping it wanted, and the policy
# goes on with STUN (said in the log, the verdict ok with method stun).
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/miniupnpd.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver miniupnpd iptables-legacy upnpc
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init upnprefd

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_host ata 192.168.1.10/24 lan1
upnpd_start r1 || lab_die "miniupnpd did not start"
upnpd_refuse r1 || lab_die "cannot break miniupnpd's chain"
# the lab itself: this IGD answers 501 to anyone
out=$(upnpd_client ata -a 192.168.1.10 6000 6000 UDP 3600 2>&1)
grep -q 'failed with code 501' <<<"$out" ||
	lab_die "miniupnpd does not answer 501: $out"

log=$LAB_DIR/ataua.log
NATLAB_UPNP=3s natlab_ataua ata 192.168.1.10
natlab_register 44.0.0.60

lab_wait_for "grep -q 'nat: upnp: no binding' '$log'" 10
t_check "log: the router's words for the refusal" \
	grep -q "upnp: the router refused the mapping of UDP 5060: UPnP error 501 ActionFailed" "$log"
t_check "log: not 'Protocol error'" \
	lab_not grep -q "no binding: Protocol error" "$log"
t_check "log: the policy goes on with STUN" \
	grep -q "nat: upnp: no binding: refused by the server; going on with stun" "$log"

nat=$(ata_ctl nat)
t_check "atactl nat: module=upnp state=refused (not ok)" \
	grep -qx 'module=upnp state=refused' <<<"$nat"
t_check "atactl nat: last_error in the router's words" \
	grep -qx 'last_error="the router refused the mapping: UPnP error 501 ActionFailed"' <<<"$nat"
t_check "atactl nat: the SIP map says refused, UPnP error 501" \
	grep -q '^map=udp internal=192.168.1.10:5060 .* state=refused .*last_error="UPnP error 501 ActionFailed"' <<<"$nat"
t_check "atactl nat: step_upnp=failed" grep -qx 'step_upnp=failed' <<<"$nat"
natlab_expect_nat method stun
natlab_expect_verdict ok
