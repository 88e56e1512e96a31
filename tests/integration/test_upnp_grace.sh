#!/bin/bash
# When the parallel policy waits for the upnp step after STUN answered
# (issue #16: every registration waited 300 ms, even where no IGD had
# answered discovery). Behind a cone NAT whose router is an IGD:
#   - first start: discovery is under way, no router has answered it
#     yet: STUN's answer is not held back (the log says so); the IGD's
#     mapping, about a second later, still wins (method upnp)
#   - the link goes down and up (the policy runs again): the module
#     knows the IGD now, so the policy does not say it will not wait
#     (it waits up to 300 ms for the mapping, or the mapping was first)
# The no-IGD case (never a wait) is in test_nat_upnp.sh.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/miniupnpd.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver miniupnpd iptables-legacy
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init upnpgrace

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_host ata 192.168.1.10/24 lan1
upnpd_start r1 || lab_die "miniupnpd did not start"

log=$LAB_DIR/ataua.log
NATLAB_UPNP=2s natlab_ataua ata 192.168.1.10
natlab_register 44.0.0.60
t_check "first start: STUN's answer is not held back for discovery" \
	grep -q "nat: not waiting for upnp: no router has answered its discovery" "$log"
lab_wait_for "ata_ctl nat | grep -qx 'method=upnp'" 15 &&
	t_ok "the IGD's mapping still wins (method upnp)" ||
	t_fail "the IGD's mapping still wins" "$(ata_ctl nat)"

# the policy runs again with the IGD known
n0=$(wc -l <"$log")
ns=$(lab_ns ata)
ip -n "$ns" link set eth0 down || lab_die "cannot take the link down"
sleep 1
ip -n "$ns" link set eth0 up || lab_die "cannot bring the link up"
ip -n "$ns" route replace default via 192.168.1.1 ||
	lab_die "cannot restore the default route"
lab_wait_for "tail -n +$n0 '$log' | grep -q 'nat: network changed'" 10 ||
	lab_die "the policy did not run again" "$(tail -n 5 "$log")"
lab_wait_for "tail -n +$n0 '$log' | grep -q 'nat: upnp: public 44.0.0.60:'" 10 &&
	t_ok "after the network change: mapped again" ||
	t_fail "after the network change: mapped again" \
		"$(tail -n +"$n0" "$log")"
after=$(tail -n +"$n0" "$log" | sed -n '/nat: network changed/,$p')
t_check "IGD known: no 'not waiting for upnp' after the change" \
	lab_not grep -q "nat: not waiting for upnp" <<<"$after"
lab_wait_for "ata_ctl nat | grep -qx 'method=upnp'" 15 &&
	t_ok "after the network change: method upnp" ||
	t_fail "after the network change: method upnp" "$(ata_ctl nat)"
t_diag "$(grep -E 'nat: (waiting|not waiting|deciding)' "$log")"
