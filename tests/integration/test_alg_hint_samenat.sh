#!/bin/bash
# Two ataua behind one cone NAT that does not hairpin (masquerade only),
# registered through kamailio on the public side with their STUN
# (public) addresses. Phone 1 (192.168.1.10) calls phone 2 (.11).
#   - alg_hint off: the call connects but no audio arrives (each sends to
#     the router's public address, which does not loop back): the failure
#     the hints fix
#   - alg_hint on (reload): a=x-private in SDP, the STUN check on the LAN
#     answers, audio flows both ways directly: the router's counters see
#     no media (only a few keep-alives towards the public address)
#   - Contact carries ;srcadr=<private>%3A<port> at kamailio
#   - `atactl nat`/`calls` say which way the media goes: rtp_path=public
#     with hints off, rtp_path=lan with them on, and the public address
#     the media did not use is not "(verified)" (issue #16)
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/hintlab.sh"

lab_require_root
lab_require_cmd kamailio turnserver nft
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init hintnat

hint_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
[ "$LAB_NFT_OK" = 1 ] || lab_skip "nft counters needed"
lab_host p1 192.168.1.10/24 lan1
lab_host p2 192.168.1.11/24 lan1
hint_router_counter r1 192.168.1.0/24
hint_start 1 p1 192.168.1.10 false
hint_start 2 p2 192.168.1.11 false
hint_registered
lab_wait_for "hint_ctl 1 nat | grep -q '^public_sip=44.0.0.60:'" 10 &&
	t_ok "phone 1's public SIP address is the router's" ||
	t_fail "phone 1's public SIP address is the router's" "$(hint_ctl 1 nat)"

# ---- hints off: no audio
hint_call "hints off"
sleep 3
rx1=$(hint_rx 1) rx2=$(hint_rx 2) crossed=$(hint_router_count r1)
[ "${rx1:-0}" -lt 10 ] && [ "${rx2:-0}" -lt 10 ] &&
	t_ok "hints off: no audio either way (rx $rx1/$rx2)" ||
	t_fail "hints off: no audio either way" "rx1=$rx1 rx2=$rx2" \
		"$(hint_ctl 1 calls)"
[ "${crossed:-0}" -gt 50 ] &&
	t_ok "hints off: media went to the router and died there ($crossed)" ||
	t_fail "hints off: media went to the router" "counted=$crossed"
hint_ctl 1 calls | grep -q '^rtp_remote=44.0.0.60:' &&
	t_ok "hints off: phone 1 sends to the public address" ||
	t_fail "hints off: phone 1 sends to the public address" \
		"$(hint_ctl 1 calls)"
hint_ctl 1 nat | grep -qx 'rtp_path=public' &&
	hint_ctl 1 calls | grep -qx 'rtp_path=public' &&
	t_ok "hints off: rtp_path=public (nat, calls)" ||
	t_fail "hints off: rtp_path=public" "$(hint_ctl 1 nat)" \
		"$(hint_ctl 1 calls)"
hint_hangup

# ---- hints on
for n in 1 2; do
	hint_conf "$n" "192.168.1.1$((n - 1))" true
	hint_ctl "$n" reload >/dev/null
done
hint_registered
lab_wait_for "kam_registered 1001 | grep -q 'srcadr=192.168.1.10%3A5060'" 20 &&
	t_ok "Contact at kamailio carries srcadr=192.168.1.10%3A5060" ||
	t_fail "Contact carries srcadr" "$(kam_registered 1001)"
before=$(hint_router_count r1)
hint_call "hints on"
lab_wait_for "hint_ctl 1 alg-hint | grep -q 'check=direct direct=192.168.1.11:'" 10 &&
	t_ok "phone 1: the check finds phone 2 on the LAN" ||
	t_fail "phone 1: the check finds phone 2 on the LAN" \
		"$(hint_ctl 1 alg-hint)" "$(grep alg-hint "$LAB_DIR/ataua1.log")"
lab_wait_for "hint_ctl 2 alg-hint | grep -q 'check=direct direct=192.168.1.10:'" 10 &&
	t_ok "phone 2: the check finds phone 1 on the LAN" ||
	t_fail "phone 2: the check finds phone 1 on the LAN" \
		"$(hint_ctl 2 alg-hint)"
sleep 3
rx1=$(hint_rx 1) rx2=$(hint_rx 2)
crossed=$(( $(hint_router_count r1) - before ))
[ "${rx1:-0}" -gt 100 ] && [ "${rx2:-0}" -gt 100 ] &&
	t_ok "hints on: audio both ways (rx $rx1/$rx2)" ||
	t_fail "hints on: audio both ways" "rx1=$rx1 rx2=$rx2" \
		"$(hint_ctl 1 calls)" "$(hint_ctl 2 calls)"
# keep-alives (every 5 s, RTP and RTCP) still go to the public address;
# media would be 50 packets a second each way (300 in these 3 s)
[ "$crossed" -lt 40 ] &&
	t_ok "hints on: no media crossed the router ($crossed keep-alives)" ||
	t_fail "hints on: no media crossed the router" "counted=$crossed"
hint_ctl 1 calls | grep -q '^rtp_remote=192.168.1.11:' &&
	t_ok "phone 1 sends to phone 2's private address" ||
	t_fail "phone 1 sends to phone 2's private address" "$(hint_ctl 1 calls)"
nat=$(hint_ctl 1 nat)
grep -qx 'rtp_path=lan' <<<"$nat" &&
	grep -q '^rtp_direct=192.168.1.11:' <<<"$nat" &&
	hint_ctl 1 calls | grep -qx 'rtp_path=lan' &&
	t_ok "atactl nat/calls: rtp_path=lan (direct to 192.168.1.11)" ||
	t_fail "atactl nat/calls: rtp_path=lan" "$nat" "$(hint_ctl 1 calls)"
grep -q '^rtp_public=.*(unused)$' <<<"$nat" &&
	! grep -q '^rtp_public=.*(verified)' <<<"$nat" &&
	t_ok "atactl nat: the public RTP address is unused, not verified" ||
	t_fail "atactl nat: the public RTP address is unused" "$nat"
hint_hangup
hint_ctl 1 status >/dev/null && hint_ctl 2 status >/dev/null &&
	t_ok "both daemons still answer" || t_fail "both daemons still answer"
