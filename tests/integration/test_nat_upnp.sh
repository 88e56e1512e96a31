#!/bin/bash
# ataua behind a cone NAT whose router is a UPnP IGD (miniupnpd):
#   - the upnp module maps the SIP port at boot (driven by the NAT policy,
#     traversal.order starting with upnp); the rule appears in miniupnpd,
#     the external address is the router's and STUN agrees
#   - the lease (1 min) is refreshed before it runs out
#   - miniupnpd restarted with its rules flushed: the mapping is back
#     within the recheck interval (10 s)
#   - calls both ways carry audio; each call's RTP and RTCP ports are
#     mapped on the IGD for the call (the SDP has the external address)
#     and unmapped after it; calls arrive after the UDP conntrack
#     timeout and after the router restart
#   - another LAN host grabs the port after a router restart: detected
#     (SECURITY line, UPNP-MAPPING-STOLEN event), we move to another port
#   - shutdown deletes our mapping and leaves the other host's alone
#   - no IGD: the module reports failure within its timeout, and the
#     policy does not wait for it once STUN answered
#   - an IGDv1 router (force_igd_desc_v1) works too (`upnp map` verb)
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
lab_require_cmd kamailio baresip turnserver miniupnpd iptables-legacy upnpc
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natupnp

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
lab_host ata 192.168.1.10/24 lan1
lab_host evil 192.168.1.11/24 lan1
upnpd_start r1 || lab_die "miniupnpd did not start"

# upnp_ataua LOG: ataua 1001 with upnp first in the order, short timers
upnp_ataua() {
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

# during a call: its RTP and RTCP ports are mapped on the IGD and the
# SDP carries the external address
upnp_in_call() {
	local nat port
	nat=$(ata_ctl nat)
	port=$(printf '%s\n' "$nat" |
		sed -n 's/^rtp_public=192\.168\.1\.10:\([0-9]*\)>44\.0\.0\.60:[0-9]* (mapped)$/\1/p')
	if [ -n "$port" ] && upnpd_has_rule r1 "$port" 192.168.1.10 &&
		upnpd_has_rule r1 $((port + 1)) 192.168.1.10; then
		t_ok "$1: RTP/RTCP ports $port/$((port + 1)) mapped on the IGD"
		UPNP_CALL_PORT=$port
	else
		t_fail "$1: RTP/RTCP ports mapped on the IGD" "$nat" \
			"$(upnpd_rules r1)"
	fi
}
NATLAB_IN_CALL=upnp_in_call

# after a call: its mappings are gone
upnp_after_call() {
	[ -n "${UPNP_CALL_PORT:-}" ] || return 0
	lab_wait_for "! upnpd_has_rule r1 $UPNP_CALL_PORT" 10 &&
		t_ok "$1: the call's RTP mapping is deleted at call end" ||
		t_fail "$1: the call's RTP mapping is deleted" \
			"$(upnpd_rules r1)"
	UPNP_CALL_PORT=""
}

upnp_ataua ataua.log

# ---- boot: the SIP port is mapped
if lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 10; then
	t_ok "SIP port mapped at boot"
else
	t_fail "SIP port mapped at boot" "$(ata_ctl upnp status)"
fi
st=$(ata_ctl upnp status)
printf '%s\n' "$st" | grep -qx 'external_ip=44.0.0.60' &&
	t_ok "IGD external address is the router's WAN address" ||
	t_fail "IGD external address" "$st"
printf '%s\n' "$st" | grep -q '^igd_url=http://192.168.1.1:' &&
	printf '%s\n' "$st" | grep -qx 'service_version=2' &&
	t_ok "IGDv2 found on the LAN ($(printf '%s\n' "$st" |
		sed -n 's/^service=//p'))" ||
	t_fail "IGDv2 found on the LAN" "$st"
[ "$(map_get 5060 public)" = 44.0.0.60:5060 ] &&
	t_ok "public address 44.0.0.60:5060 (same external port)" ||
	t_fail "public address 44.0.0.60:5060" "$st"
lab_wait_for "upnpd_has_rule r1 5060 192.168.1.10" 5 &&
	t_ok "miniupnpd redirects UDP 5060 to 192.168.1.10" ||
	t_fail "miniupnpd redirects UDP 5060" "$(upnpd_rules r1)" \
		"$(cat "$LAB_DIR/miniupnpd-r1.leases" 2>/dev/null)"
grep -q "permanent\|lease_left=0 " <<<"$st" &&
	t_fail "the lease is not permanent" "$st" ||
	t_ok "the lease is not permanent (lease_left=$(map_get 5060 lease_left))"
grep -q 'upnp: STUN confirms external address 44.0.0.60' \
	"$LAB_DIR/ataua.log" && t_ok "STUN confirms the IGD's external address" ||
	t_fail "STUN confirms the IGD's external address" \
		"$(grep upnp "$LAB_DIR/ataua.log")"
lab_wait_for "ata_ctl nat | grep -qx 'method=upnp'" 15 &&
	t_ok "the NAT policy chose upnp" ||
	t_fail "the NAT policy chose upnp" "$(ata_ctl nat)"
natlab_register 44.0.0.60
natlab_call_out "upnp outgoing"
upnp_after_call "upnp outgoing"
natlab_call_in "upnp inbound"
upnp_after_call "upnp inbound"

# ---- the lease is renewed at half-time (1 min lease -> every 30 s)
if lab_wait_for "grep -q 'refreshing the lease of UDP 5060' '$LAB_DIR/ataua.log'" 40 &&
	lab_wait_for "[ \"\$(map_get 5060 lease_left)\" -gt 40 ]" 5; then
	t_ok "lease refreshed before expiry (lease_left=$(map_get 5060 lease_left))"
else
	t_fail "lease refreshed before expiry" "$(ata_ctl upnp status)"
fi
# that took longer than the router's UDP timeout
natlab_call_in "upnp inbound after the UDP timeout"

# ---- router restart, rules flushed: the mapping comes back
upnpd_restart r1 || lab_die "miniupnpd did not restart"
t_check "miniupnpd lost the rule" lab_not upnpd_has_rule r1 5060
if lab_wait_for "upnpd_has_rule r1 5060 192.168.1.10" $((RECHECK_S + 10)); then
	t_ok "mapping restored after a router restart"
else
	t_fail "mapping restored after a router restart" "$(upnpd_rules r1)" \
		"$(ata_ctl upnp status)"
fi
lab_wait_for "grep -q 'UPNP-MAPPING-RESTORED ext_port=5060' '$LAB_DIR/events.log'" 5 &&
	t_ok "UPNP-MAPPING-RESTORED event" ||
	t_fail "UPNP-MAPPING-RESTORED event" "$(cat "$LAB_DIR/events.log")"
[ "$(map_get 5060 restored)" = 1 ] && t_ok "status counts restored=1" ||
	t_fail "status counts restored=1" "$(ata_ctl upnp status)"
NATLAB_IN_CALL=""
natlab_call_in "upnp inbound after the router restart"

# ---- another LAN host takes the port over after a router restart.
# Right after one of our rechecks the next is RECHECK_S away: restart
# and let the other host map 5060 to itself in that gap.
taken=0
for try in 1 2; do
	n=$(grep -c 'recheck UDP 5060: ours' "$LAB_DIR/ataua.log")
	lab_wait_for "[ \$(grep -c 'recheck UDP 5060: ours' '$LAB_DIR/ataua.log') -gt $n ]" \
		$((RECHECK_S + 5))
	upnpd_restart r1 || lab_die "miniupnpd did not restart"
	if upnpd_client evil -e evil -a 192.168.1.11 5060 5060 UDP 3600 \
		>"$LAB_DIR/upnpc-evil.log" 2>&1 &&
		upnpd_has_rule r1 5060 192.168.1.11; then
		taken=1
		break
	fi
	t_diag "try $try: we re-added first; again"
done
[ "$taken" = 1 ] || lab_die "the other host could not take 5060"
if lab_wait_for "grep -q 'SECURITY.*upnp-mapping-stolen ext_port=5060 holder=192.168.1.11:5060' '$LAB_DIR/ataua.log'" \
	$((RECHECK_S + 10)); then
	t_ok "takeover detected: SECURITY line names the other host"
else
	t_fail "takeover detected" "$(grep -i 'upnp\|SECURITY' "$LAB_DIR/ataua.log" | tail -n 10)"
fi
grep -q 'UPNP-MAPPING-STOLEN ext_port=5060 holder=192.168.1.11' \
	"$LAB_DIR/events.log" && t_ok "UPNP-MAPPING-STOLEN event" ||
	t_fail "UPNP-MAPPING-STOLEN event" "$(cat "$LAB_DIR/events.log")"
lab_wait_for "grep -q 'UPNP-MAPPING-MOVED ext_port=[0-9]* old=5060' '$LAB_DIR/events.log'" 10 &&
	t_ok "UPNP-MAPPING-MOVED event" ||
	t_fail "UPNP-MAPPING-MOVED event" "$(cat "$LAB_DIR/events.log")"
lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 10
newport=$(map_get 5060 external)
if [ -n "$newport" ] && [ "$newport" != 5060 ] &&
	upnpd_has_rule r1 "$newport" 192.168.1.10; then
	t_ok "moved to external port $newport"
else
	t_fail "moved to another external port" "$(ata_ctl upnp status)" \
		"$(upnpd_rules r1)"
fi
lab_wait_for "ata_ctl nat | grep -qx 'public_sip=44.0.0.60:$newport'" 10 &&
	t_ok "the policy took the new public address" ||
	t_fail "the policy took the new public address" "$(ata_ctl nat)"

# ---- reload with another module list: the modules' bindings are
# released while their code is loaded, then the policy runs again
conf=$LAB_DIR/ataua.yaml
sed -i '/^  - name: stun$/,/^    required: false$/d' "$conf"
t_check "reload with the stun module dropped" ata_ctl reload
lab_wait_for "ata_ctl nat | grep -qx 'method=upnp'" 15 &&
	kill -0 "$ATA_PID" 2>/dev/null &&
	t_ok "after the reload: alive, the policy chose upnp again" ||
	t_fail "after the reload: the policy chose upnp again" "$(ata_ctl nat)" \
		"$(tail -n 5 "$LAB_DIR/ataua.log")"
lab_wait_for "[ \"\$(map_get 5060 state)\" = mapped ]" 10
newport=$(map_get 5060 external)
lab_wait_for "kam_registered 1001 | grep -qE '@44.0.0.60:$newport([;>]|\$)'" 15 &&
	t_ok "after the reload: registered at 44.0.0.60:$newport" ||
	t_fail "after the reload: registered at 44.0.0.60:$newport" \
		"$(kam_registered 1001)" "$(ata_ctl upnp status)"

# ---- shutdown deletes our mapping, never the other host's
lab_stop "$ATA_PID" 10
t_check "shutdown deleted our mapping ($newport)" \
	lab_not upnpd_has_rule r1 "$newport"
t_check "the other host's mapping is left alone" \
	upnpd_has_rule r1 5060 192.168.1.11

# ---- no IGD: failure within the timeout (3 s)
upnpd_stop r1
upnp_ataua ataua2.log
if lab_wait_for "ata_ctl upnp status | grep -q 'state=failed'" 8; then
	t_ok "no IGD: the mapping fails within its timeout"
else
	t_fail "no IGD: the mapping fails" "$(ata_ctl upnp status)"
fi
ata_ctl upnp status | grep -qx 'state=no-igd' &&
	t_ok "status says state=no-igd" ||
	t_fail "status says state=no-igd" "$(ata_ctl upnp status)"
lab_wait_for "ata_ctl nat | grep -qx 'method=stun'" 15 &&
	t_ok "the policy falls back to STUN" ||
	t_fail "the policy falls back to STUN" "$(ata_ctl nat)"
# STUN answered while no router had answered discovery: the first
# REGISTER does not wait for the IGD (issue #16: it waited 300 ms)
log2=$LAB_DIR/ataua2.log
t_check "no IGD: STUN's answer does not wait for upnp" \
	grep -q "nat: not waiting for upnp: no router has answered its discovery" "$log2"
t_check "no IGD: no 'waiting up to ... for upnp'" \
	lab_not grep -q "nat: waiting up to .* for upnp" "$log2"

# ---- an IGDv1 router, mapped by hand through the verb
upnpd_flush r1
upnpd_start r1 v1 || lab_die "miniupnpd (v1) did not start"
ata_ctl upnp map 7000 | grep -qx 'port=7000 state=pending' &&
	t_ok "upnp map 7000 accepted" || t_fail "upnp map 7000 accepted"
if lab_wait_for "[ \"\$(map_get 7000 state)\" = mapped ]" 10 &&
	ata_ctl upnp status | grep -qx 'service_version=1' &&
	upnpd_has_rule r1 7000 192.168.1.10; then
	t_ok "IGDv1: port 7000 mapped ($(ata_ctl upnp status |
		sed -n 's/^service=//p'))"
else
	t_fail "IGDv1: port 7000 mapped" "$(ata_ctl upnp status)"
fi
ata_ctl upnp unmap 7000 >/dev/null
lab_wait_for "! upnpd_has_rule r1 7000" 10 &&
	t_ok "upnp unmap 7000 deletes it" ||
	t_fail "upnp unmap 7000 deletes it" "$(upnpd_rules r1)"
out=$(ata_ctl upnp map 70000 2>&1)
[ $? = 1 ] && grep -q '^FAIL.*out of range' <<<"$out" &&
	t_ok "upnp map 70000: FAIL (out of range)" ||
	t_fail "upnp map 70000: FAIL" "$out"
out=$(ata_ctl upnp unmap 7001 2>&1)
[ $? = 1 ] && grep -q '^FAIL.*not mapped' <<<"$out" &&
	t_ok "upnp unmap of an unknown port: FAIL" ||
	t_fail "upnp unmap of an unknown port: FAIL" "$out"
