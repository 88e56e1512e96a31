#!/bin/bash
# IPv6 firewall pinholes through a UPnP IGDv2 (issue #16): the same
# dual-stack router as test_nat_pcp6.sh (IPv4 cone NAT; IPv6 routed,
# its ip6tables firewall drops unsolicited inbound to the LAN), but its
# miniupnpd speaks UPnP only (enable_natpmp=no: no PCP on either
# family) with IGDv2's WANIPv6FirewallControl service (ext_ifname6,
# force_igd_desc_v1=no).
#   - before ataua: UDP from outside to [box]:5060 is dropped
#   - ataua maps its SIP port over IPv4 UPnP; with no PCP on the IPv6
#     side it finds the IGD over IPv6 SSDP and opens the pinhole with
#     AddPinhole from its global address (secure mode: the IGD opens
#     pinholes only for the requester's own address); `atactl nat`
#     shows it with protocol=upnp, the router's ip6tables MINIUPNPD
#     chain has it, and UDP from outside reaches a socket in the box
#   - the router restarts (its pinholes gone): the recheck sees the ID
#     gone and the pinhole is added again
#   - ataua stops: DeletePinhole, the rule is gone, inbound dropped
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/miniupnpd.sh"
. "$(dirname "$0")/lib/pinholelab.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver miniupnpd iptables-legacy \
	ip6tables-legacy python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
pinholelab_build igd6

upnpd_start r1 v2 || lab_die "miniupnpd (UPnP IGDv2) did not start"
# miniupnpd 2.3.1 answers PCP on 5351 even with enable_natpmp=no: the
# router's IPv6 side speaks no PCP only with 5351 closed (rejected, as
# on a router without a PCP server)
ip netns exec "$R" ip6tables-legacy -w -I INPUT -p udp --dport 5351 \
	-j REJECT || lab_die "ip6tables INPUT reject 5351 in r1"

# ---- before ataua: the firewall drops unsolicited inbound
pinholelab_dropped before "before ataua: UDP from outside to [$BOX6]:5060 dropped by the router"

# ---- ataua: SIP port mapped over IPv4 UPnP, pinhole through IGDv2
conf=$LAB_DIR/ataua.yaml
ATA_LISTEN=192.168.1.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
ATA_MODULES="  - name: upnp
    required: true" \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
cat >>"$conf" <<-YAML
traversal:
  order: [upnp, register]
  parallel: true
  upnp:
    timeout: 4s
    lease: 1m
    recheck: ${RECHECK_S}s
YAML
ata_start ata "$conf" ataua.log || exit 1
"$ATA_CTL" -s "$ATA_SOCK" monitor >>"$LAB_DIR/events.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"

if lab_wait_for "[ \"\$(pinhole_get 5060 state)\" = mapped ]" 15; then
	t_ok "atactl nat: pinhole=udp family=ipv6 internal=[$BOX6]:5060 state=mapped"
else
	t_fail "atactl nat: pinhole for 5060 mapped" "$(ata_ctl nat)" \
		"$(grep upnp "$LAB_DIR/ataua.log" | tail -n 8)"
fi
st=$(ata_ctl nat)
[ "$(pinhole_get 5060 external)" = "[$BOX6]:5060" ] &&
	[ "$(pinhole_get 5060 protocol)" = upnp ] &&
	[ "$(pinhole_get 5060 lease_left)" -gt 0 ] 2>/dev/null &&
	t_ok "pinhole: external [$BOX6]:5060 (no translation), upnp, leased" ||
	t_fail "pinhole: external, protocol=upnp, lease" "$st"
printf '%s\n' "$st" | grep -q '^pinhole_gateway=http://\[2001:db8:1::1\]:[0-9]*/' &&
	printf '%s\n' "$st" | grep -qx "pinhole_addr=$BOX6" &&
	t_ok "pinhole: the IGD's IPv6 firewall control URL, our global address" ||
	t_fail "pinhole: IGD control URL over IPv6" "$st"
lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 10 &&
	[ "$(map_get 5060 public)" = 44.0.0.60:5060 ] &&
	[ "$(map_get 5060 protocol)" = upnp ] &&
	t_ok "IPv4: map= line as before (upnp, public 44.0.0.60:5060)" ||
	t_fail "IPv4 map= line as before" "$(ata_ctl upnp status)"
lab_wait_for "upnpd_has_pinhole r1 5060 $BOX6" 5 &&
	t_ok "router: MINIUPNPD (ip6tables) lets UDP 5060 to $BOX6" ||
	t_fail "router: pinhole rule" "$(upnpd_pinholes r1)" \
		"$(tail -n 10 "$LAB_DIR/miniupnpd-r1.log")"
grep -q 'AddPinhole' "$LAB_DIR/miniupnpd-r1.log" &&
	t_ok "router: the pinhole came through AddPinhole (IGDv2)" ||
	t_fail "router: AddPinhole in its log" \
		"$(tail -n 10 "$LAB_DIR/miniupnpd-r1.log")"
if reaches open; then
	t_ok "outside -> [$BOX6]:5060 arrives through the pinhole"
else
	t_fail "outside -> [$BOX6]:5060 through the pinhole" \
		"$(upnpd_pinholes r1)" "$(cat "$LAB_DIR/rx6.log")"
fi

# ---- the router restarts: its pinholes gone, the pinhole comes back
upnpd_restart r1 || lab_die "miniupnpd did not restart"
t_check "restart: the router lost the pinhole" \
	lab_not upnpd_has_pinhole r1 5060 "$BOX6"
if lab_wait_for "upnpd_has_pinhole r1 5060 $BOX6" $((RECHECK_S + 15)) &&
	lab_wait_for "[ \"\$(pinhole_get 5060 restored)\" = 1 ]" 5; then
	t_ok "restart: the recheck saw the ID gone; pinhole added again (restored=1)"
else
	t_fail "restart: pinhole added again" "$(upnpd_pinholes r1)" \
		"$(ata_ctl nat)" "$(grep upnp "$LAB_DIR/ataua.log" | tail -n 8)"
fi
if reaches again; then
	t_ok "outside -> [$BOX6]:5060 arrives after the router restart"
else
	t_fail "inbound after the router restart" "$(upnpd_pinholes r1)"
fi

# ---- shutdown closes the pinhole (DeletePinhole)
lab_stop "$ATA_PID" 10
t_check "shutdown: the pinhole is removed" \
	lab_not upnpd_has_pinhole r1 5060 "$BOX6"
grep -q 'DeletePinhole' "$LAB_DIR/miniupnpd-r1.log" &&
	t_ok "shutdown: through DeletePinhole" ||
	t_fail "shutdown: DeletePinhole in the router's log" \
		"$(tail -n 10 "$LAB_DIR/miniupnpd-r1.log")"
pinholelab_dropped after "after shutdown: inbound dropped again"
