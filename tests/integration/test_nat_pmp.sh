#!/bin/bash
# ataua behind a cone NAT whose router maps ports with NAT-PMP or PCP
# only (miniupnpd with UPnP off; an iptables u32 rule drops the other
# protocol's requests by their version byte), the shipped protocol
# order (pcp, natpmp, upnp):
#   - NAT-PMP only: PCP gets no answer, NAT-PMP maps the SIP port; the
#     status names natpmp; registered at the router's address, an
#     incoming call rings; shutdown deletes the mapping
#   - PCP only: PCP maps it (status pcp); an incoming call rings
#   - the PCP router restarts (its epoch starts again, its rules are
#     gone): detected at the next recheck, the mapping is back, the
#     events say so, and an incoming call rings again
#   - a UPnP-only router that drops UDP 5351 silently (no ICMP): PCP and
#     NAT-PMP get no answer, UPnP still maps the port within the timeout
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/miniupnpd.sh"

RECHECK_S=10

lab_require_root
lab_require_cmd kamailio baresip turnserver miniupnpd iptables-legacy
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natpmp

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
lab_host ata 192.168.1.10/24 lan1

# pmp_ataua LOG: ataua 1001 with upnp first in the order, the shipped
# traversal.upnp.protocols, short timers
pmp_ataua() {
	local conf=$LAB_DIR/ataua.yaml
	ATA_LISTEN=192.168.1.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
	ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
	ATA_MODULES="  - name: upnp
    required: true
  - name: stun
    required: false" \
		ata_conf "$conf" "$LAB_DIR/ataua.sock"
	cat >>"$conf" <<-YAML
	traversal:
	  order: [upnp, register, stun]
	  parallel: true
	  upnp:
	    timeout: 3s
	    lease: 1m
	    recheck: ${RECHECK_S}s
	  stun:
	    server: "44.0.0.2:3478"
	    timeout: 2s
	YAML
	ata_start ata "$conf" "$1" || exit 1
	"$ATA_CTL" -s "$ATA_SOCK" monitor >>"$LAB_DIR/events.log" 2>&1 \
		{LAB__TAP}>&- {LAB__ERR}>&- &
	echo $! >>"$LAB_DIR/pids"
}

# the value of KEY on the map line for internal port PORT
map_get() {
	ata_ctl upnp status | grep "^map=udp internal=[0-9.]*:$1 " |
		tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# pmp_boot PROTO: the SIP port is mapped by PROTO, and the policy uses it
pmp_boot() {
	local p=$1 st
	if lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 15; then
		t_ok "$p: SIP port mapped at boot"
	else
		t_fail "$p: SIP port mapped at boot" "$(ata_ctl upnp status)" \
			"$(grep upnp "$LAB_DIR/ataua-$p.log" | tail -n 5)"
	fi
	st=$(ata_ctl upnp status)
	printf '%s\n' "$st" | grep -qx "protocol=$p" &&
		[ "$(map_get 5060 protocol)" = "$p" ] &&
		t_ok "$p: upnp status says protocol=$p (module and map)" ||
		t_fail "$p: upnp status says protocol=$p" "$st"
	printf '%s\n' "$st" | grep -qx 'gateway=192.168.1.1' &&
		printf '%s\n' "$st" | grep -qx 'external_ip=44.0.0.60' &&
		t_ok "$p: server is the gateway, external address the router's" ||
		t_fail "$p: gateway and external address" "$st"
	[ "$(map_get 5060 public)" = 44.0.0.60:5060 ] &&
		t_ok "$p: public address 44.0.0.60:5060" ||
		t_fail "$p: public address 44.0.0.60:5060" "$st"
	lab_wait_for "upnpd_has_rule r1 5060 192.168.1.10" 5 &&
		t_ok "$p: miniupnpd redirects UDP 5060 to 192.168.1.10" ||
		t_fail "$p: miniupnpd redirects UDP 5060" "$(upnpd_rules r1)" \
			"$(cat "$LAB_DIR/miniupnpd-r1.leases" 2>/dev/null)"
	[ "$(map_get 5060 lease_left)" -gt 0 ] 2>/dev/null &&
		t_ok "$p: the lease is not permanent (lease_left=$(map_get 5060 lease_left))" ||
		t_fail "$p: the lease is not permanent" "$st"
	lab_wait_for "ata_ctl nat | grep -qx 'protocol=$p'" 5 &&
		lab_wait_for "ata_ctl nat | grep -qx 'method=upnp'" 15 &&
		t_ok "$p: the NAT policy chose upnp; atactl nat says $p" ||
		t_fail "$p: the NAT policy chose upnp ($p)" "$(ata_ctl nat)"
}

# ---- a router with NAT-PMP only
upnpd_start r1 natpmp || lab_die "miniupnpd (NAT-PMP) did not start"
pmp_ataua ataua-natpmp.log
pmp_boot natpmp
[ "$(upnpd_dropped r1)" -gt 0 ] &&
	t_ok "natpmp: PCP was tried first (router dropped $(upnpd_dropped r1) PCP requests)" ||
	t_fail "natpmp: PCP was tried first" "$(upnpd_dropped r1)"
natlab_register 44.0.0.60
natlab_call_in "natpmp inbound"
lab_stop "$ATA_PID" 10
t_check "natpmp: shutdown deleted our mapping" \
	lab_not upnpd_has_rule r1 5060

# ---- a router with PCP only
upnpd_stop r1
upnpd_flush r1
upnpd_start r1 pcp || lab_die "miniupnpd (PCP) did not start"
pmp_ataua ataua-pcp.log
pmp_boot pcp
natlab_register 44.0.0.60
natlab_call_in "pcp inbound"

# ---- the PCP router restarts: epoch back to 0, rules gone
epoch0=$(ata_ctl upnp status | sed -n 's/^epoch=//p')
upnpd_restart r1 || lab_die "miniupnpd (PCP) did not restart"
t_check "pcp: the restarted router lost the rule" \
	lab_not upnpd_has_rule r1 5060
if lab_wait_for "upnpd_has_rule r1 5060 192.168.1.10" $((RECHECK_S + 10)); then
	t_ok "pcp: mapping restored after the router restart"
else
	t_fail "pcp: mapping restored after the router restart" \
		"$(upnpd_rules r1)" "$(ata_ctl upnp status)"
fi
lab_wait_for "grep -q 'upnp: pcp server 192.168.1.1 restarted (epoch' '$LAB_DIR/ataua-pcp.log'" 5 &&
	lab_wait_for "grep -q 'UPNP-SERVER-RESTARTED protocol=pcp' '$LAB_DIR/events.log'" 5 &&
	t_ok "pcp: the epoch went back (was $epoch0): restart detected" ||
	t_fail "pcp: restart detected by the epoch" \
		"$(grep upnp "$LAB_DIR/ataua-pcp.log" | tail -n 10)"
lab_wait_for "grep -q 'UPNP-MAPPING-RESTORED ext_port=5060' '$LAB_DIR/events.log'" 5 &&
	t_ok "pcp: UPNP-MAPPING-RESTORED event" ||
	t_fail "pcp: UPNP-MAPPING-RESTORED event" "$(cat "$LAB_DIR/events.log")"
lab_wait_for "[ \"\$(map_get 5060 restored)\" = 1 ] &&
	[ \"\$(map_get 5060 state)\" = mapped ]" 5 &&
	t_ok "pcp: status counts restored=1, mapped" ||
	t_fail "pcp: status counts restored=1" "$(ata_ctl upnp status)"
natlab_call_in "pcp inbound after the router restart"

lab_stop "$ATA_PID" 10
t_check "pcp: shutdown deleted our mapping" lab_not upnpd_has_rule r1 5060

# ---- UPnP only, UDP 5351 dropped without a word: the probes time out
# (an eighth of upnp.timeout each) and UPnP maps in time
upnpd_stop r1
upnpd_flush r1
upnpd_start r1 v2 || lab_die "miniupnpd (UPnP) did not start"
lab_exec r1 iptables-legacy -w -A INPUT -i lan -p udp --dport 5351 -j DROP
pmp_ataua ataua-upnp.log
if lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 15 &&
	ata_ctl upnp status | grep -qx 'protocol=upnp' &&
	[ "$(map_get 5060 protocol)" = upnp ] &&
	upnpd_has_rule r1 5060 192.168.1.10; then
	t_ok "upnp behind a silent 5351: SIP port mapped by UPnP"
else
	t_fail "upnp behind a silent 5351: mapped by UPnP" \
		"$(ata_ctl upnp status)" \
		"$(grep upnp "$LAB_DIR/ataua-upnp.log" | tail -n 5)"
fi
grep -q 'no mapping for UDP 5060' "$LAB_DIR/ataua-upnp.log" &&
	t_fail "upnp behind a silent 5351: within the timeout" \
		"$(grep upnp "$LAB_DIR/ataua-upnp.log")" ||
	t_ok "upnp behind a silent 5351: within the timeout"
lab_stop "$ATA_PID" 10
