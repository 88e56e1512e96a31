#!/bin/bash
# A dual-stack box registered over IPv6 still talks with an IPv4-only
# peer (lib/v6lab.sh: baresip 1002 on 44.0.0.20 has no IPv6; kamailio
# relays SIP between the families but no media). The peer's call offers
# c=IN IP4: ataua answers in IPv4 (its NAT traversal for IPv4 media, as
# an IPv4 call has), not in the family the INVITE came in. Our call to
# the peer offers IPv6 first; baresip cannot use it, and ataua offers
# again in IPv4. Audio both ways at ataua and at the peer, each way.
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
lab_init ipv6v4peer

v6lab_build
v6lab_ataua ata sip.lab
natlab_register
lab_wait_for "kam_registered 1001 | grep -qF '@[$V6LAB_ATA6]:5060'" 10 &&
	t_ok "registered over IPv6" ||
	t_fail "registered over IPv6" "$(kam_registered 1001)"

# bs_peer_rtp WHAT: the peer's RTP counters grew both ways in this call
bs_peer_rtp() {
	local in out in2 out2
	read -r in out < <(bs_rtp_count bs)
	sleep 2
	read -r in2 out2 < <(bs_rtp_count bs)
	[ $((in2 - in)) -gt 20 ] && [ $((out2 - out)) -gt 20 ] &&
		t_ok "$1: the IPv4-only peer's RTP both ways" ||
		t_fail "$1: the IPv4-only peer's RTP both ways" \
			"in $in->$in2 out $out->$out2"
}

# ---- the IPv4-only peer calls us through the dual-stack registrar ---
V6LAB_IN_CALL='bs_peer_rtp "$1"'
v6lab_call_in bs "sip:1001@44.0.0.1" "v4 peer inbound" "44\.0\.0\.254:"

# ---- we call the IPv4-only peer while registered over IPv6 ----------
V6LAB_IN_CALL='bs_peer_rtp "$1"
grep -E "call: [0-9]+ .*IPv4" "$LAB_DIR/ataua.log" | tail -n 3 >&2 || true'
v6lab_call_out bs 1002 "v4 peer outbound" "44\.0\.0\.254:"
V6LAB_IN_CALL=
natlab_stop_ataua
