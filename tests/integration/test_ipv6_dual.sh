#!/bin/bash
# ataua on a dual-stack line (lib/v6lab.sh): it listens on both
# families; with a registrar that has AAAA records it registers over
# IPv6 (Contact and Via in IPv6, no NAT traversal for it), calls to and
# from an IPv6-only peer carry audio over IPv6 through a firewall that
# drops unsolicited inbound, and `atactl nat` gives a verdict per
# family. With the IPv6 path to the registrar dropped, the registration
# falls back to IPv4 after the short fallback timer, and a call to an
# IPv4-only peer carries audio over IPv4; a registrar with no AAAA is
# registered over IPv4 straight away.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/v6lab.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
[ -e /proc/net/if_inet6 ] || lab_skip "no IPv6 in this kernel"
LAB_IPV6=1
lab_init ipv6

v6lab_build

# ---- AAAA and an open IPv6 path: IPv6 -------------------------------
v6lab_ataua ata sip.lab
ata_ctl status | grep -qx "sip_UDP6=\[$V6LAB_ATA6\]:5060" &&
	t_ok "ataua listens on IPv6 beside IPv4" ||
	t_fail "ataua listens on IPv6 beside IPv4" "$(ata_ctl status)"
ata_ctl status | grep -qx "sip_UDP=192.168.1.10:5060" &&
	t_ok "ataua listens on IPv4 beside IPv6" ||
	t_fail "ataua listens on IPv4 beside IPv6" "$(ata_ctl status)"

natlab_register
lab_wait_for "kam_registered 1001 | grep -qF '@[$V6LAB_ATA6]:5060'" 10 &&
	t_ok "registered over IPv6: kamailio stores our IPv6 Contact" ||
	t_fail "registered over IPv6: kamailio stores our IPv6 Contact" \
		"$(kam_registered 1001)"
natlab_expect_nat calls_over ipv6
natlab_expect_nat verdict_v6 "ok*"
natlab_expect_nat verdict_v4 "*"
ata_ctl nat | grep -q '^verdict=' &&
	t_ok "nat keeps its verdict= line" ||
	t_fail "nat keeps its verdict= line" "$(ata_ctl nat)"
json=$(ata_ctl -j nat 2>&1)
printf '%s' "$json" | grep -q '"calls_over": *"ipv6"' &&
	printf '%s' "$json" | grep -q '"verdict_v6": *"ok' &&
	t_ok "nat in JSON: calls_over and verdict_v6" ||
	t_fail "nat in JSON: calls_over and verdict_v6" "$json"

# IPv6-only peer calls us (through the firewall: the registration's flow)
v6lab_call_in bs6 "sip:1001@[$V6LAB_KAM6]" "v6 inbound" "\[$V6LAB_ATA6\]"
# we call the IPv6-only peer
v6lab_call_out bs6 1003 "v6 outbound: ataua -> IPv6-only peer" \
	"\[$V6LAB_ATA6\]"

# the firewall forgets idle UDP after NAT_UDP_TIMEOUT s: only our
# keep-alive on the registration's flow lets the next call in (twice
# the timeout: the flow still carries the last call's late packets for
# a while; with no keep-alive sent this fails, seen on a build without)
sleep $((2 * NAT_UDP_TIMEOUT + 10))
bs_dial bs6 "sip:1001@[$V6LAB_KAM6]"
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
	t_ok "v6 inbound after the firewall's UDP timeout: rings (keep-alive)" ||
	t_fail "v6 inbound after the firewall's UDP timeout: rings (keep-alive)" \
		"$(ata_ctl line 1)" "$(ata_ctl nat)"
bs_hangup bs6 2>/dev/null
bs_wait_call_state bs6 none 10 || true
ata_wait_line 1 idle 10 || true
natlab_stop_ataua

# ---- a domain whose SRV record names the registrar (RFC 3263): the
# SRV chooses, not the domain's own A/AAAA (a web server here)
V6LAB_LOG=ataua-srv.log v6lab_ataua ata srv.lab
natlab_register
grep -Eq "registered via (\[2001:db8:44::1\]|44\.0\.0\.1):5060" \
	"$LAB_DIR/ataua-srv.log" &&
	t_ok "SRV: registered at the SRV's target, not the domain's address" ||
	t_fail "SRV: registered at the SRV's target" \
		"$(grep 'reg:' "$LAB_DIR/ataua-srv.log" | tail -n 5)"
# the family libre's RFC 3263 lookup took (the target has A and AAAA)
# is the one reported
if grep -q "registered via \[" "$LAB_DIR/ataua-srv.log"; then
	natlab_expect_nat calls_over ipv6
	natlab_expect_nat verdict_v6 "ok: registered over IPv6*"
else
	natlab_expect_nat calls_over ipv4
	natlab_expect_nat verdict_v6 "none: SRV records of the registrar chose IPv4"
fi
natlab_stop_ataua

# ---- the IPv6 path to the registrar dropped: IPv4 after the timer ---
v6lab_drop_sip6 rt
V6LAB_LOG=ataua-fallback.log v6lab_ataua ata sip.lab
natlab_register 44.0.0.254
grep -q "no answer over IPv6 within [0-9]* ms: registering over IPv4" \
	"$LAB_DIR/ataua-fallback.log" &&
	t_ok "fallback: the log says IPv6 went unanswered" ||
	t_fail "fallback: the log says IPv6 went unanswered" \
		"$(grep -i 'reg:' "$LAB_DIR/ataua-fallback.log" | tail -n 5)"
natlab_expect_nat calls_over ipv4
natlab_expect_nat verdict_v6 "broken*"
natlab_expect_verdict ok

# a dual-stack box calls the IPv4-only peer: audio over IPv4
v6lab_call_out bs 1002 "v4 outbound: ataua -> IPv4-only peer" \
	"44\.0\.0\.254:"
natlab_stop_ataua

# ---- a registrar with no AAAA: IPv4 at once --------------------------
V6LAB_LOG=ataua-v4only.log v6lab_ataua ata v4only.lab
natlab_register 44.0.0.254
natlab_expect_nat calls_over ipv4
natlab_expect_nat verdict_v6 "none: the registrar has no IPv6 address*"
grep -q "no answer over IPv6" "$LAB_DIR/ataua-v4only.log" &&
	t_fail "no AAAA: IPv6 was never tried" \
		"$(grep 'over IPv6' "$LAB_DIR/ataua-v4only.log")" ||
	t_ok "no AAAA: IPv6 was never tried"

# ---- our IPv6 address goes and comes back: the stack follows --------
ip -n "$(lab_ns ata)" addr del "$V6LAB_ATA6/64" dev eth0
lab_wait_for "! ata_ctl status | grep -q '^sip_UDP6='" 15 &&
	t_ok "IPv6 address gone: IPv4 only" ||
	t_fail "IPv6 address gone: IPv4 only" "$(ata_ctl status)"
ip -n "$(lab_ns ata)" addr add "$V6LAB_ATA6/64" dev eth0 nodad
ip -n "$(lab_ns ata)" -6 route replace default via 2001:db8:1::1
lab_wait_for "ata_ctl status | grep -qx 'sip_UDP6=\[$V6LAB_ATA6\]:5060'" 15 &&
	t_ok "IPv6 address back: listening on it again" ||
	t_fail "IPv6 address back: listening on it again" "$(ata_ctl status)"
natlab_register
