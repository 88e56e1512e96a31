#!/bin/bash
# Link down and up (a cable pulled and put back, a modem re-sync): the
# kernel tells ataua on rtnetlink (core/sys/netmon.c); once the link runs
# again the NAT policy runs again and the line re-registers at once,
# instead of at the next refresh (here 600 s away), and a call comes in.
# A link that only went down re-runs nothing (the log says it waits),
# a new global address on the interface is a change too, and one the
# kernel only updates (its lifetimes) is not.
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
lab_init natlink

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_host ata 192.168.1.10/24 lan1
NATLAB_EXPIRY=600s natlab_ataua ata 192.168.1.10
ev=$LAB_DIR/events.log

natlab_register 44.0.0.60
natlab_expect_verdict ok

# registered events so far
regs() { grep -c 'REG-STATE line=1 state=registered' "$ev"; }
r0=$(regs)

ns=$(lab_ns ata)
ip -n "$ns" link set eth0 down || lab_die "cannot take the link down"
lab_wait_for "grep -q 'a link went down' '$LAB_DIR/ataua.log'" 10 &&
	t_ok "link down seen (log: waiting for it)" ||
	t_fail "link down seen" "$(tail -n 5 "$LAB_DIR/ataua.log")"
sleep 2
grep -q 'NETWORK-CHANGED' "$ev" &&
	t_fail "a link only down re-runs nothing" "$(cat "$ev")" ||
	t_ok "a link only down re-runs nothing"

# back, with its route (what DHCP would restore)
ip -n "$ns" link set eth0 up || lab_die "cannot bring the link up"
ip -n "$ns" route replace default via 192.168.1.1 ||
	lab_die "cannot restore the default route"
lab_wait_for "grep -q 'NETWORK-CHANGED reason=link-up' '$ev'" 10 &&
	t_ok "monitor sees NETWORK-CHANGED reason=link-up" ||
	t_fail "monitor sees NETWORK-CHANGED reason=link-up" "$(cat "$ev")"
lab_wait_for "[ \$(regs) -gt $r0 ]" 20 &&
	t_ok "re-registered after the link came back (refresh was 600 s away)" ||
	t_fail "re-registered after the link came back" "$(cat "$ev")" \
		"$(ata_ctl reg)"
natlab_expect_verdict ok
natlab_expect_nat public_sip '44.0.0.60:*'
lab_wait_for "kam_registered 1001 | grep -q '@44.0.0.60:'" 10 &&
	t_ok "kamailio has the contact at 44.0.0.60" ||
	t_fail "kamailio has the contact at 44.0.0.60" \
		"$(kam_registered 1001)"
natlab_call_in "inbound after the link came back"

# a second global address (a new lease): a change too
r1=$(regs)
ip -n "$ns" addr add 192.168.1.11/24 dev eth0 ||
	lab_die "cannot add an address"
lab_wait_for "grep -q 'NETWORK-CHANGED reason=address' '$ev'" 10 &&
	t_ok "monitor sees NETWORK-CHANGED reason=address" ||
	t_fail "monitor sees NETWORK-CHANGED reason=address" "$(cat "$ev")"
lab_wait_for "[ \$(regs) -gt $r1 ]" 20 &&
	t_ok "re-registered after the address change" ||
	t_fail "re-registered after the address change" "$(cat "$ev")"
natlab_expect_verdict ok

# the kernel re-announces an address it only updates (as IPv6 lifetimes
# at every router advertisement): that is no change
nc0=$(grep -c 'NETWORK-CHANGED' "$ev")
ip -n "$ns" addr change 192.168.1.11/24 dev eth0 valid_lft 300 \
	preferred_lft 200 || lab_die "cannot change the address lifetime"
ip -n "$ns" addr change 192.168.1.11/24 dev eth0 valid_lft 400 \
	preferred_lft 300 || lab_die "cannot change the address lifetime"
sleep 3
nc1=$(grep -c 'NETWORK-CHANGED' "$ev")
[ "$nc1" -eq "$nc0" ] &&
	t_ok "an address only updated (lifetimes) re-runs nothing" ||
	t_fail "an address only updated (lifetimes) re-runs nothing" \
		"NETWORK-CHANGED $nc0 -> $nc1" "$(tail -n 3 "$ev")"

lab_teardown
