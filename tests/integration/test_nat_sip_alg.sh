#!/bin/bash
# ataua behind a router whose SIP ALG rewrites SIP: the Linux kernel's
# SIP helper (nf_conntrack_sip + nf_nat_sip), attached to UDP port 5060
# in the router (iptables -t raw ... -j CT --helper sip) the way home
# routers watch SIP. It turns our public Via/Contact (from STUN) back
# into the private address in every answer. Shipped defaults except the
# registrar and the STUN server (transports [udp, tcp], transport auto,
# traversal.sip_alg bypass):
#   - control, behind a router without the helper: registered over UDP,
#     `atactl nat` sip_alg=no, verdict ok
#   - behind the ALG: detected (sip_alg=yes, a NAT event), named in the
#     verdict in words, bypassed (SIP moved to TCP: registered over TCP,
#     kamailio holds no UDP binding any more, sip_transport says why),
#     and calls both ways carry audio
#   - traversal.sip_alg: ignore behind the same ALG: detected and named
#     in the verdict, SIP stays on UDP
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver python3 iptables
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natalg

# over TCP the registrar must answer on our connection (far-end NAT
# fixing, as providers do for clients on TCP behind NAT)
KAM_NATFIX=1 natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_router r2 44.0.0.61/24 lan2 192.168.2.1/24 cone
natlab_short_udp r2
lab_host ctl 192.168.1.10/24 lan1
lab_host ata 192.168.2.10/24 lan2

# the ALG: the kernel's SIP helper on what the LAN sends to port 5060
why=$(ip netns exec "$(lab_ns r2)" iptables -t raw -A PREROUTING -i lan \
	-p udp --dport 5060 -j CT --helper sip 2>&1) ||
	lab_skip "cannot attach the kernel SIP helper in the router: $why"

# the shipped account: no transport line (auto), udp and tcp listeners
NATLAB_TRANSPORTS="[udp, tcp]"
NATLAB_ACC_TRANSPORT=none

# control: the same, behind a router without the helper
natlab_ataua ctl 192.168.1.10
natlab_register
lab_wait_for "ata_ctl nat | grep -qx 'sip_alg=no'" 15
nat=$(ata_ctl nat)
printf '%s\n' "$nat" | grep -qx 'sip_alg=no' &&
	t_ok "control: no SIP ALG" || t_fail "control: no SIP ALG" "$nat"
natlab_expect_verdict ok
ata_ctl reg | grep -qx 'transport=udp (auto)' &&
	t_ok "control: stays on udp" || t_fail "control: stays on udp" \
	"$(ata_ctl reg)"
grep -q 'sip_alg=yes\|SIP ALG' "$LAB_DIR/ataua.log" &&
	t_fail "control: the log never names an ALG" \
		"$(grep -i 'alg' "$LAB_DIR/ataua.log")" ||
	t_ok "control: the log never names an ALG"
natlab_stop_ataua
lab_wait_for "! kam_registered 1001 >/dev/null" 10 || true

NATLAB_LOG=ataua-alg.log natlab_ataua ata 192.168.2.10
lab_wait_for "ata_ctl nat | grep -q '^sip_alg=yes'" 30 &&
	t_ok "detected: $(ata_ctl nat | grep '^sip_alg=')" ||
	t_fail "the SIP ALG is detected" "$(ata_ctl nat)"
natlab_expect_verdict "degraded: router rewrites SIP (SIP ALG): switched SIP to TCP; turn off 'SIP ALG' in the router to use UDP"
grep -q "nat: the router's SIP ALG rewrites our SIP: " \
	"$LAB_DIR/ataua-alg.log" && t_ok "the log says what gave it away" ||
	t_fail "the log says what gave it away" \
		"$(grep 'nat:' "$LAB_DIR/ataua-alg.log")"

# bypassed: SIP over TCP, which the router's helper does not watch
lab_wait_for "ata_ctl reg | grep -qx 'state=registered' &&
	ata_ctl reg | grep -qx 'transport=tcp'" 30 &&
	t_ok "registered over TCP" ||
	t_fail "registered over TCP" "$(ata_ctl reg)" "$(ata_ctl nat)"
natlab_expect_nat sip_transport 'tcp (sip alg)'
grep -q "SIP ALG: the router's SIP ALG rewrites SIP over udp: registering over tcp" \
	"$LAB_DIR/ataua-alg.log" && t_ok "the log says why SIP moved to tcp" ||
	t_fail "the log says why SIP moved to tcp" \
		"$(grep 'reg:' "$LAB_DIR/ataua-alg.log")"
lab_wait_for "kam_registered 1001 | grep -q 'transport=tcp'" 10 &&
	t_ok "kamailio has 1001 over TCP" ||
	t_fail "kamailio has 1001 over TCP" "$(kam_registered 1001)"
# (the control's binding, from 44.0.0.60, may outlive its daemon)
alg_udp() {
	kam_registered 1001 | grep '44\.0\.0\.61\|192\.168\.2\.' |
		grep -v 'transport=tcp'
}
lab_wait_for "[ -z \"\$(alg_udp)\" ]" 10 &&
	t_ok "kamailio holds no UDP binding for 1001 behind the ALG" ||
	t_fail "kamailio holds no UDP binding for 1001" \
		"$(kam_registered 1001)"

natlab_call_out "behind the ALG, outgoing"
natlab_call_in "behind the ALG, inbound"
natlab_expect_verdict "degraded: router rewrites SIP (SIP ALG)"
natlab_stop_ataua

NATLAB_SIP_ALG=ignore NATLAB_LOG=ataua-ignore.log natlab_ataua ata 192.168.2.10
lab_wait_for "ata_ctl nat | grep -q '^sip_alg=yes'" 30 &&
	t_ok "ignore: detected" || t_fail "ignore: detected" "$(ata_ctl nat)"
natlab_expect_verdict "degraded: router rewrites SIP (SIP ALG): calls may lose audio or registrations drop; turn off 'SIP ALG' in the router"
natlab_register
ata_ctl reg | grep -qx 'transport=udp (auto)' &&
	! grep -q 'registering over tcp' "$LAB_DIR/ataua-ignore.log" &&
	t_ok "ignore: SIP stays on udp" ||
	t_fail "ignore: SIP stays on udp" "$(ata_ctl reg)"
