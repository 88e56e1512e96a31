#!/bin/bash
# Nested NATs: phone 1 behind home router r2a (192.168.1.0/24), phone 2
# behind r2b (192.168.2.0/24), both routers inside one carrier NAT r1
# (100.64.0.0/24 -> 44.0.0.60) that does not hairpin; kamailio and STUN
# on the public side, a STUN server (coturn) on the carrier network at
# 100.64.0.100 (alg_hint.tier_stun). The home routers drop new packets
# to themselves from their WAN, as home router firewalls do.
#   - hints on, no tier server: each phone only hints its home address,
#     unreachable from the other home: the check falls back, no audio
#   - with tier_stun (reload): each phone also hints its home router's
#     carrier-side address; the checks punch through both home NATs,
#     audio flows both ways without crossing the carrier NAT
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"
. "$(dirname "$0")/lib/hintlab.sh"

lab_require_root
lab_require_cmd kamailio turnserver nft
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init hintnest

hint_public
lab_router r1 44.0.0.60/24 cgn 100.64.0.1/24 cone
[ "$LAB_NFT_OK" = 1 ] || lab_skip "nft counters needed"
natlab_router_in r2a cgn 100.64.0.2/24 homea 192.168.1.1/24
natlab_router_in r2b cgn 100.64.0.3/24 homeb 192.168.2.1/24
hint_home_firewall r2a
hint_home_firewall r2b
lab_host tstun 100.64.0.100/24 cgn
hint_tier_stun tstun 100.64.0.100
lab_host p1 192.168.1.10/24 homea
lab_host p2 192.168.2.10/24 homeb
hint_router_counter r1 100.64.0.0/24
hint_start 1 p1 192.168.1.10 true
hint_start 2 p2 192.168.2.10 true
hint_registered
lab_wait_for "hint_ctl 1 nat | grep -q '^public_sip=44.0.0.60:'" 10 &&
	t_ok "phone 1's public SIP address is the carrier NAT's" ||
	t_fail "phone 1's public SIP address is the carrier NAT's" \
		"$(hint_ctl 1 nat)"

# ---- home addresses only: the check fails, media stays public (dead)
hint_call "no tier"
lab_wait_for "hint_ctl 1 alg-hint | grep -q 'check=fallback'" 10 &&
	t_ok "no tier: phone 1's check falls back to the public path" ||
	t_fail "no tier: phone 1's check falls back" "$(hint_ctl 1 alg-hint)"
sleep 2
rx1=$(hint_rx 1) rx2=$(hint_rx 2)
[ "${rx1:-0}" -lt 10 ] && [ "${rx2:-0}" -lt 10 ] &&
	t_ok "no tier: no audio (rx $rx1/$rx2)" ||
	t_fail "no tier: no audio" "rx1=$rx1 rx2=$rx2"
hint_hangup

# ---- with the carrier-side STUN server
HINT_TIER=100.64.0.100:3478 hint_conf 1 192.168.1.10 true
HINT_TIER=100.64.0.100:3478 hint_conf 2 192.168.2.10 true
hint_ctl 1 reload >/dev/null
hint_ctl 2 reload >/dev/null
hint_registered
lab_wait_for "hint_ctl 1 alg-hint | grep -qx 'tier=100.64.0.2 server=100.64.0.100:3478'" 15 &&
	t_ok "phone 1 learns its home router's carrier-side address" ||
	t_fail "phone 1 learns its tier address" "$(hint_ctl 1 alg-hint)"
lab_wait_for "hint_ctl 2 alg-hint | grep -qx 'tier=100.64.0.3 server=100.64.0.100:3478'" 15 &&
	t_ok "phone 2 learns its home router's carrier-side address" ||
	t_fail "phone 2 learns its tier address" "$(hint_ctl 2 alg-hint)"
before=$(hint_router_count r1)
hint_call "tier"
lab_wait_for "hint_ctl 1 alg-hint | grep -q 'check=direct direct=100.64.0.3:'" 10 &&
	t_ok "phone 1 reaches phone 2 through its home router" ||
	t_fail "phone 1 reaches phone 2 through its home router" \
		"$(hint_ctl 1 alg-hint)" "$(grep alg-hint "$LAB_DIR/ataua1.log")"
lab_wait_for "hint_ctl 2 alg-hint | grep -q 'check=direct direct=100.64.0.2:'" 10 &&
	t_ok "phone 2 reaches phone 1 through its home router" ||
	t_fail "phone 2 reaches phone 1 through its home router" \
		"$(hint_ctl 2 alg-hint)"
sleep 3
rx1=$(hint_rx 1) rx2=$(hint_rx 2)
crossed=$(( $(hint_router_count r1) - before ))
# a few keep-alives still go to the public address; media would be 300
[ "${rx1:-0}" -gt 100 ] && [ "${rx2:-0}" -gt 100 ] &&
	t_ok "tier: audio both ways (rx $rx1/$rx2)" ||
	t_fail "tier: audio both ways" "rx1=$rx1 rx2=$rx2" \
		"$(hint_ctl 1 calls)" "$(hint_ctl 2 calls)"
[ "$crossed" -lt 40 ] &&
	t_ok "tier: no media crossed the carrier NAT ($crossed keep-alives)" ||
	t_fail "tier: no media crossed the carrier NAT" "counted=$crossed"
hint_hangup
hint_ctl 1 status >/dev/null && hint_ctl 2 status >/dev/null &&
	t_ok "both daemons still answer" || t_fail "both daemons still answer"
