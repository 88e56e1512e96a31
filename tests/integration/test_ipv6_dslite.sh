#!/bin/bash
# ataua on a DS-Lite-like line (lib/v6lab.sh, V6LAB_DSLITE=1): IPv4 only
# through the provider's carrier NAT (shared address space, no port
# mapping there) behind the home router's own NAT, IPv6 native behind
# the home router's firewall. With a dual-stack registrar ataua
# registers over IPv6 and calls both ways carry audio over IPv6 with no
# traversal at all, while `atactl nat` still judges IPv4 on its own
# (STUN through both NATs: the carrier's public address). With an
# IPv4-only registrar the box still works over IPv4, through both NATs:
# registered at the carrier's address, calls both ways with audio.
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
lab_init dslite

V6LAB_DSLITE=1 v6lab_build

# ---- a dual-stack registrar: IPv6, no traversal ----------------------
v6lab_ataua ata sip.lab
natlab_register
lab_wait_for "kam_registered 1001 | grep -qF '@[$V6LAB_ATA6]:5060'" 10 &&
	t_ok "registered over IPv6: kamailio stores our own IPv6 Contact" ||
	t_fail "registered over IPv6: kamailio stores our own IPv6 Contact" \
		"$(kam_registered 1001)"
natlab_expect_nat calls_over ipv6
natlab_expect_nat verdict_v6 "ok*"
# IPv4 judged on its own: STUN sees the carrier's address, a tier away
natlab_expect_nat verdict_v4 "ok*"
natlab_expect_nat public_sip "44.0.0.254:*"

v6lab_call_in bs6 "sip:1001@[$V6LAB_KAM6]" "v6 inbound" "\[$V6LAB_ATA6\]"
v6lab_call_out bs6 1003 "v6 outbound: ataua -> IPv6-only peer" \
	"\[$V6LAB_ATA6\]"
natlab_stop_ataua

# ---- an IPv4-only registrar: through both NATs -----------------------
V6LAB_LOG=ataua-v4only.log v6lab_ataua ata v4only.lab
natlab_register 44.0.0.254
natlab_expect_nat calls_over ipv4
natlab_expect_nat verdict_v6 "none: the registrar has no IPv6 address*"
natlab_expect_verdict ok

v6lab_call_in bs "sip:1001@44.0.0.1" "v4 inbound through the carrier NAT" \
	"44\.0\.0\.254:"
v6lab_call_out bs 1002 "v4 outbound through the carrier NAT" "44\.0\.0\.254:"

t_check "no crash report in the logs" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR"/ataua*.log
natlab_stop_ataua
lab_teardown
