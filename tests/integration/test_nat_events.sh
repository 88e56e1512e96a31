#!/bin/bash
# NAT events on a monitor: ataua behind a cone NAT registers with the
# router's address; then the ISP gives the router a new address (the old
# one is removed, which drops every NAT mapping made with it). The STUN
# keep-alive sees the new mapping: PUBLIC-ADDRESS-CHANGED reaches an
# attached monitor, ataua re-registers and kamailio shows the new
# Contact, and a call still comes in.
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
lab_init natevents

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_host ata 192.168.1.10/24 lan1
natlab_ataua ata 192.168.1.10

natlab_register 44.0.0.60
natlab_expect_verdict ok
natlab_expect_nat public_sip '44.0.0.60:*'

# a second monitor, attached now, before the change
mon=$LAB_DIR/events2.log
"$ATA_CTL" -s "$ATA_SOCK" monitor >"$mon" 2>&1 {LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
sleep 1

ip -n "$(lab_ns r1)" addr del 44.0.0.60/24 dev wan ||
	lab_die "cannot remove the router's address"
ip -n "$(lab_ns r1)" addr add 44.0.0.61/24 dev wan ||
	lab_die "cannot give the router a new address"

# the STUN keep-alive runs every 15 s; its transaction may need retries
lab_wait_for "grep -q 'PUBLIC-ADDRESS-CHANGED' '$mon'" 45 &&
	t_ok "monitor sees PUBLIC-ADDRESS-CHANGED" ||
	t_fail "monitor sees PUBLIC-ADDRESS-CHANGED" "$(cat "$mon")" \
		"$(ata_ctl nat)"
ev=$(grep 'PUBLIC-ADDRESS-CHANGED' "$mon" | head -n 1)
case $ev in
"<5>PUBLIC-ADDRESS-CHANGED old=44.0.0.60:"*" new=44.0.0.61:"*" method=stun")
	t_ok "event names old and new address: $ev" ;;
*) t_fail "event names old and new address" "$ev" ;;
esac
natlab_expect_nat public_sip '44.0.0.61:*'
lab_wait_for "kam_registered 1001 | grep -q '@44.0.0.61:'" 15 &&
	t_ok "kamailio has the new Contact at 44.0.0.61" ||
	t_fail "kamailio has the new Contact at 44.0.0.61" \
		"$(kam_registered 1001)"
grep -q 'NAT-STATE' "$mon" && t_fail "verdict unchanged" "$(cat "$mon")" ||
	t_ok "verdict unchanged (no NAT-STATE event)"
natlab_expect_verdict ok

natlab_call_in "inbound after the address change"
