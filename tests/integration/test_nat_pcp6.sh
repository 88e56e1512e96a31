#!/bin/bash
# IPv6 firewall pinholes through PCP (issue #16, "IPv6 dual stack"):
# a dual-stack home router r1 (IPv4 cone NAT; IPv6 routed, its
# ip6tables firewall drops unsolicited inbound to the LAN) runs
# miniupnpd with PCP on both families. The box has a global IPv6
# address (2001:db8:1::10) and its IPv6 default route via the router's
# link-local address, as router advertisements set it up.
#   - before ataua: UDP from outside to [box]:5060 is dropped
#   - ataua maps its SIP port over IPv4 PCP and opens an IPv6 pinhole for
#     it (PCP MAP over IPv6 to [fe80::1%eth0]:5351, internal = suggested
#     external = the box's global address); `atactl nat` shows it on a
#     pinhole= line (the IPv4 map= line unchanged); the router's MINIUPNPD
#     chain has it, and UDP from outside reaches a socket in the box
#   - a call (IPv4, through kamailio): its RTP/RTCP ports get pinholes
#     too while it lasts, closed when it ends
#   - the router restarts (rules and epoch gone): the pinhole is back
#     (epoch check on the IPv6 server), the events say family=ipv6
#   - ataua stops: the pinhole is removed
#   - the router's IPv6 side drops UDP 5351 silently (no PCP there): the
#     IPv4 port is still mapped in time, the pinhole says failed, and the
#     IPv4 status keeps an empty last_error
# ataua itself may listen on IPv4 only here: a socket of the test's own
# on [2001:db8:1::10]:5060 in the box stands for the IPv6 SIP socket.
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
pinholelab_build pcp6

upnpd_start r1 pcp || lab_die "miniupnpd (PCP) did not start"

# ---- before ataua: the firewall drops unsolicited inbound
pinholelab_dropped before "before ataua: UDP from outside to [$BOX6]:5060 dropped by the router"

# ---- ataua: SIP port mapped over IPv4, pinhole over IPv6
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
    timeout: 3s
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
	[ "$(pinhole_get 5060 protocol)" = pcp ] &&
	[ "$(pinhole_get 5060 lease_left)" -gt 0 ] 2>/dev/null &&
	t_ok "pinhole: external [$BOX6]:5060 (no translation), pcp, leased" ||
	t_fail "pinhole: external, protocol, lease" "$st"
printf '%s\n' "$st" | grep -qx 'pinhole_gateway=fe80::1%eth0' &&
	printf '%s\n' "$st" | grep -qx "pinhole_addr=$BOX6" &&
	t_ok "pinhole: PCP server is the IPv6 default router (fe80::1%eth0)" ||
	t_fail "pinhole: PCP server is the IPv6 default router" "$st"
lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 10 &&
	[ "$(map_get 5060 public)" = 44.0.0.60:5060 ] &&
	ata_ctl upnp status | grep -qx 'gateway=192.168.1.1' &&
	ata_ctl upnp status | grep -qx 'maps=1' &&
	t_ok "IPv4: map= line as before (pcp via 192.168.1.1, public 44.0.0.60:5060)" ||
	t_fail "IPv4 map= line as before" "$(ata_ctl upnp status)"
lab_wait_for "upnpd_has_pinhole r1 5060 $BOX6" 5 &&
	t_ok "router: MINIUPNPD (ip6tables) lets UDP 5060 to $BOX6" ||
	t_fail "router: pinhole rule" "$(upnpd_pinholes r1)" \
		"$(tail -n 10 "$LAB_DIR/miniupnpd-r1.log")"
if reaches open; then
	t_ok "outside -> [$BOX6]:5060 arrives through the pinhole"
else
	t_fail "outside -> [$BOX6]:5060 through the pinhole" \
		"$(upnpd_pinholes r1)" "$(cat "$LAB_DIR/rx6.log")"
fi

# ---- a call: the RTP ports get pinholes beside their IPv4 mappings
rtp_pinholes() {
	ata_ctl nat | sed -n "s/^pinhole=udp family=ipv6 internal=\[$BOX6\]:\([0-9]*\) .*state=mapped.*/\1/p" |
		grep -vx 5060
}
natlab_register 44.0.0.60
bs_dial bs sip:1001@44.0.0.1
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
	ata_ctl line 1 offhook >/dev/null &&
	ata_wait_line 1 connected 10 ||
	t_fail "call: baresip -> ataua answered" "$(ata_ctl line 1)"
if lab_wait_for "[ -n \"\$(rtp_pinholes)\" ]" 10; then
	rtp=$(rtp_pinholes | head -n 1)
	t_ok "call: RTP port $rtp has an IPv6 pinhole ($(rtp_pinholes | wc -l) ports)"
	lab_wait_for "upnpd_has_pinhole r1 $rtp $BOX6" 5 &&
		t_ok "call: the router lets UDP $rtp to $BOX6" ||
		t_fail "call: router pinhole for RTP $rtp" "$(upnpd_pinholes r1)"
else
	rtp=""
	t_fail "call: RTP ports get IPv6 pinholes" "$(ata_ctl nat)"
fi
bs_hangup bs 2>/dev/null
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 10 || true
bs_wait_call_state bs none 10 || true
[ -n "$rtp" ] && lab_wait_for "! upnpd_has_pinhole r1 $rtp $BOX6" 10 &&
	[ -z "$(rtp_pinholes)" ] && upnpd_has_pinhole r1 5060 "$BOX6" &&
	t_ok "call ended: RTP pinholes closed, SIP's stays" ||
	t_fail "call ended: RTP pinholes closed" "$(upnpd_pinholes r1)" \
		"$(ata_ctl nat)"

# ---- the router restarts: rules and epoch gone, the pinhole comes back
upnpd_restart r1 || lab_die "miniupnpd (PCP) did not restart"
t_check "restart: the router lost the pinhole" \
	lab_not upnpd_has_pinhole r1 5060 "$BOX6"
if lab_wait_for "upnpd_has_pinhole r1 5060 $BOX6" $((RECHECK_S + 10)); then
	t_ok "restart: pinhole restored"
else
	t_fail "restart: pinhole restored" "$(upnpd_pinholes r1)" \
		"$(ata_ctl nat)"
fi
lab_wait_for "grep -q 'UPNP-MAPPING-RESTORED ext_port=5060 family=ipv6' '$LAB_DIR/events.log'" 5 &&
	lab_wait_for "grep -q 'UPNP-SERVER-RESTARTED protocol=pcp epoch=[0-9]* family=ipv6' '$LAB_DIR/events.log'" 5 &&
	lab_wait_for "[ \"\$(pinhole_get 5060 restored)\" = 1 ]" 5 &&
	t_ok "restart: seen by the IPv6 server's epoch; restored=1, events family=ipv6" ||
	t_fail "restart: epoch, events" "$(cat "$LAB_DIR/events.log")" \
		"$(ata_ctl nat)"
if reaches again; then
	t_ok "outside -> [$BOX6]:5060 arrives after the router restart"
else
	t_fail "inbound after the router restart" "$(upnpd_pinholes r1)"
fi

# ---- shutdown closes the pinhole
lab_stop "$ATA_PID" 10
t_check "shutdown: the pinhole is removed" \
	lab_not upnpd_has_pinhole r1 5060 "$BOX6"
pinholelab_dropped after "after shutdown: inbound dropped again"

# ---- no PCP on the IPv6 side (5351 dropped without a word)
ip netns exec "$R" ip6tables-legacy -w -I INPUT -p udp --dport 5351 -j DROP ||
	lab_die "ip6tables INPUT drop in r1"
ata_start ata "$conf" ataua-nopcp6.log || exit 1
if lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 15 &&
	lab_wait_for "[ \"\$(pinhole_get 5060 state)\" = failed ]" 10; then
	t_ok "no PCP on IPv6: IPv4 mapped, pinhole=... state=failed"
else
	t_fail "no PCP on IPv6: IPv4 mapped, pinhole failed" \
		"$(ata_ctl upnp status)"
fi
ata_ctl upnp status | grep -qx 'last_error=' &&
	ata_ctl upnp status | grep -qx 'state=ok' &&
	t_ok "no PCP on IPv6: the IPv4 status has no error of the pinhole's" ||
	t_fail "no PCP on IPv6: IPv4 status untouched" "$(ata_ctl upnp status)"
lab_stop "$ATA_PID" 10
