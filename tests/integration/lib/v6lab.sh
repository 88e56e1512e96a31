# shellcheck shell=bash
# tests/integration/lib/v6lab.sh -- a dual-stack lab (LAB_IPV6=1 for
# lab_init; source lab.sh,
# kamailio.sh, baresip.sh, coturn.sh, ataua.sh, natlab.sh first).
#
# Internet segment "inet": kamailio 44.0.0.1 + 2001:db8:44::1 (both
# families; its DNS name sip.lab has A and AAAA in the DNS stub on
# 44.0.0.1), coturn 44.0.0.2/.3 (STUN for the IPv4 NAT policy),
# baresip 1002 on 44.0.0.20 (IPv4 only), baresip 1003 on
# 2001:db8:44::20 (IPv6 only). Router "rt": a cone NAT for IPv4
# (44.0.0.254, LAN 192.168.1.1/24) and plain routing for IPv6 (wan
# 2001:db8:44::fe, LAN 2001:db8:1::1/64) with a firewall that drops
# every new flow from the WAN side, as home routers do, and forgets
# idle UDP after NAT_UDP_TIMEOUT s. ataua sits on
# the LAN with 192.168.1.10 and the "global" 2001:db8:1::10. 2001:db8::/32
# is the documentation prefix: it lives only inside these namespaces.
# srv.lab: a domain whose SIP SRV record names sip.lab:5060 while its
# own A/AAAA (44.0.0.99, 2001:db8:44::99) are a host with no SIP (a web
# server, as often), so only RFC 3263's SRV step reaches the registrar.

V6LAB_KAM6=2001:db8:44::1
V6LAB_BS6=2001:db8:44::20
V6LAB_ATA6=2001:db8:1::10

# v6lab__addr6 NAME ADDR/PLEN DEV [GW]: an IPv6 address with no DAD
# wait (a tentative address cannot be bound) and a route to the LAN
v6lab__addr6() {
	local ns
	ns=$(lab_ns "$1")
	ip -n "$ns" addr add "$2" dev "$3" nodad ||
		lab_die "cannot add $2 to $1"
	[ -z "${4:-}" ] || ip -n "$ns" -6 route add "${5:-default}" via "$4" ||
		lab_die "cannot route IPv6 in $1"
}

# v6lab_build: the whole topology, peers registered; ataua not started
v6lab_build() {
	local rt
	lab_host kam 44.0.0.1/24
	v6lab__addr6 kam "$V6LAB_KAM6/64" eth0 2001:db8:44::fe 2001:db8:1::/64
	lab_host stun 44.0.0.2/24
	lab_host bs 44.0.0.20/24
	lab_host bs6 "$V6LAB_BS6/64"
	ip -n "$(lab_ns bs6)" -6 route add 2001:db8:1::/64 via 2001:db8:44::fe ||
		lab_die "cannot route IPv6 in bs6"
	lab_wait_for "! ip -n '$(lab_ns bs6)' -6 addr | grep -q tentative" 5 ||
		lab_die "bs6's IPv6 address stays tentative"
	lab_bg kam dnsd.log python3 "$LAB_LIB_DIR/dnsd.py" 44.0.0.1 \
		sip.lab=44.0.0.1 "sip.lab=$V6LAB_KAM6" \
		v4only.lab=44.0.0.1 \
		_sip._udp.srv.lab=srv:5060:sip.lab srv.lab=44.0.0.99 \
		srv.lab=2001:db8:44::99 >/dev/null
	lab_wait_port "$(lab_ns kam)" udp 53 5 || lab_die "the DNS stub did not start"

	KAM_ADDR6=$V6LAB_KAM6 KAM_ALIAS=sip.lab \
		kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
	coturn_start stun 44.0.0.2 44.0.0.3 || lab_die "coturn did not start"
	bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 ||
		lab_die "baresip (IPv4) did not start"
	bs_start bs6 "[$V6LAB_BS6]" 1003 pw1003 "[$V6LAB_KAM6]" ||
		lab_die "baresip (IPv6) did not start"
	bs_wait_reg bs 20 || lab_die "baresip (IPv4) did not register"
	bs_wait_reg bs6 20 || lab_die "baresip (IPv6) did not register"

	if [ "${V6LAB_DSLITE:-0}" = 1 ]; then
		v6lab__carrier
	else
		lab_router rt 44.0.0.254 lan 192.168.1.1/24 cone
		v6lab__addr6 rt 2001:db8:44::fe/64 wan
	fi
	rt=$(lab_ns rt)
	v6lab__addr6 rt 2001:db8:1::1/64 lan
	ip netns exec "$rt" sysctl -qw net.ipv6.conf.all.forwarding=1 ||
		lab_die "no IPv6 forwarding in rt"
	v6lab_firewall rt
	natlab_short_udp rt

	lab_host ata 192.168.1.10/24 lan
	v6lab__addr6 ata "$V6LAB_ATA6/64" eth0 2001:db8:1::1
	natlab_resolv ata 44.0.0.1

	# a bridge that snoops multicast drops neighbour solicitations
	# until it has seen the port's MLD reports: ataua's first IPv6
	# REGISTER would go unanswered and fall back to IPv4. A line that
	# has been up for a while has its neighbours; so does the lab
	# before ataua starts.
	ip -n "${LAB_P}inet" link set br0 type bridge mcast_snooping 0
	ip -n "$rt" link set lan type bridge mcast_snooping 0
	lab_wait_for "v6lab__reach ata $V6LAB_KAM6" 10 ||
		lab_die "no IPv6 path from ata to kamailio"
	lab_wait_for "v6lab__reach ata $V6LAB_BS6" 10 ||
		lab_die "no IPv6 path from ata to bs6"
}

# v6lab__carrier: V6LAB_DSLITE=1, a DS-Lite-like line: IPv4 only through
# the provider's carrier NAT "aftr" (44.0.0.254, shared address space
# 100.64.0.0/24 inside; it answers no port-mapping protocol), then the
# home router rt's own NAT (100.64.0.2, LAN as usual); IPv6 routed
# natively by aftr (2001:db8:44::fe, 2001:db8:2::1) to rt
# (2001:db8:2::2), whose firewall guards the LAN as in the plain lab.
# (A real DS-Lite B4 tunnels the LAN's IPv4 to the AFTR without a NAT of
# its own; what ataua meets is the same: its IPv4 public address is
# shared and a tier away, its IPv6 one is its own.)
v6lab__carrier() {
	local aftr
	lab_router aftr 44.0.0.254/24 cgn 100.64.0.1/24 cone
	aftr=$(lab_ns aftr)
	v6lab__addr6 aftr 2001:db8:44::fe/64 wan
	v6lab__addr6 aftr 2001:db8:2::1/64 lan
	ip -n "$aftr" -6 route add 2001:db8:1::/64 via 2001:db8:2::2 ||
		lab_die "cannot route the home's IPv6 in aftr"
	ip netns exec "$aftr" sysctl -qw net.ipv6.conf.all.forwarding=1 ||
		lab_die "no IPv6 forwarding in aftr"
	natlab_router_in rt cgn 100.64.0.2/24 lan 192.168.1.1/24
	v6lab__addr6 rt 2001:db8:2::2/64 wan 2001:db8:2::1
	ip -n "$aftr" link set lan type bridge mcast_snooping 0
}

# v6lab__reach NS ADDR: a SIP OPTIONS from NS to [ADDR]:5060 is
# answered within 1 s (the lab's image has no ping)
v6lab__reach() {
	ip netns exec "$(lab_ns "$1")" python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect((a, 5060))
p = s.getsockname()[1]
s.send(("OPTIONS sip:[%s] SIP/2.0\r\n"
        "Via: SIP/2.0/UDP [%s]:%d;branch=z9hG4bKv6lab%d\r\n"
        "From: <sip:probe@lab>;tag=1\r\nTo: <sip:[%s]>\r\n"
        "Call-ID: v6lab%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 1\r\n"
        "Content-Length: 0\r\n\r\n"
        % (a, s.getsockname()[0], p, p, a, p)).encode())
s.recv(4096)
' "$2" >/dev/null 2>&1
}

# v6lab_firewall ROUTER: IPv6 from the WAN only in answer to the LAN
v6lab_firewall() {
	if [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$(lab_ns "$1")" nft -f - <<-NFT
			table ip6 v6fw {
				chain guard {
					type filter hook forward priority 0;
					iifname "wan" ct state established,related accept
					iifname "wan" icmpv6 type { packet-too-big, destination-unreachable, time-exceeded } accept
					iifname "wan" drop
				}
			}
		NFT
	else
		ip netns exec "$(lab_ns "$1")" ip6tables-legacy -A FORWARD \
			-i wan -m conntrack --ctstate ESTABLISHED,RELATED \
			-j ACCEPT &&
		ip netns exec "$(lab_ns "$1")" ip6tables-legacy -A FORWARD \
			-i wan -j DROP
	fi || lab_die "cannot set the IPv6 firewall in $1"
}

# v6lab_drop_sip6 ROUTER: the router drops our IPv6 SIP to the
# registrar (a broken IPv6 path): IPv4 must take over
v6lab_drop_sip6() {
	if [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$(lab_ns "$1")" nft insert rule ip6 v6fw guard \
			ip6 daddr "$V6LAB_KAM6" udp dport 5060 drop
	else
		ip netns exec "$(lab_ns "$1")" ip6tables-legacy -I FORWARD \
			-d "$V6LAB_KAM6" -p udp --dport 5060 -j DROP
	fi || lab_die "cannot drop IPv6 SIP in $1"
}

# v6lab_ataua NS REGISTRAR_HOST: ataua on [::]:5060 (both families),
# user 1001 at sip.lab, registrar REGISTRAR_HOST, STUN on coturn
v6lab_ataua() {
	local conf=$LAB_DIR/ataua.yaml
	ATA_LISTEN='"[::]:5060"' ATA_AOR=sip:1001@sip.lab \
	ATA_REGISTRAR="sip:$2" ATA_PASSWORD=pw1001 \
		ata_conf "$conf" "$LAB_DIR/ataua.sock"
	# no REGISTER refresh within the test: only the keep-alive may
	# hold the firewall's flow open
	sed -i "s/^      expiry: 60s\$/      expiry: 600s/" "$conf"
	grep -q '^      expiry: 600s$' "$conf" || lab_die "expiry not set"
	cat >>"$conf" <<-YAML
	traversal:
	  order: [register, stun]
	  stun:
	    server: "44.0.0.2:3478"
	    keepalive: 15s
	    timeout: 2s
	  rtp_keepalive: 5s
	YAML
	[ -e "$LAB_DIR/ata.counter" ] || {
		lab_udp_counter "$1" 20000-20100
		: >"$LAB_DIR/ata.counter"
	}
	ata_start "$1" "$conf" "${V6LAB_LOG:-ataua.log}" || exit 1
}

# v6lab_rtp WHAT [ADDR_RE]: the current call's RTP flows both ways at
# ataua, its local RTP address matching ADDR_RE
v6lab_rtp() {
	local calls rx tx
	lab_wait_for "[ \"\$(ata_ctl calls | sed -n 's/^rx_packets=//p' |
		head -n 1)\" -gt 100 ] 2>/dev/null" 10 || true
	calls=$(ata_ctl calls)
	rx=$(printf '%s\n' "$calls" | sed -n 's/^rx_packets=//p' | head -n 1)
	tx=$(printf '%s\n' "$calls" | sed -n 's/^tx_packets=//p' | head -n 1)
	[ "${rx:-0}" -gt 50 ] && [ "${tx:-0}" -gt 50 ] &&
		t_ok "$1: RTP both ways (rx=$rx tx=$tx)" ||
		t_fail "$1: RTP both ways" "$calls"
	[ -z "${2:-}" ] || {
		printf '%s\n' "$calls" | grep -q "^rtp_local=$2" &&
			t_ok "$1: RTP on $2" ||
			t_fail "$1: RTP on $2" "$calls"
	}
}

# v6lab_call_in PEER URI WHAT ADDR_RE: baresip PEER calls URI, ataua
# answers, RTP flows both ways on ADDR_RE (v6lab_rtp), both hang up.
# V6LAB_IN_CALL: a command (eval'd, with WHAT as $1) for more checks
# while the call runs; the same for v6lab_call_out.
v6lab_call_in() {
	bs_dial "$1" "$2"
	lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
		t_ok "$3: the call rings" ||
		t_fail "$3: the call rings" "$(ata_ctl line 1)" "$(ata_ctl nat)"
	ata_ctl line 1 offhook >/dev/null
	ata_wait_line 1 connected 10 && t_ok "$3: answered" ||
		t_fail "$3: answered" "$(ata_ctl line 1)"
	bs_wait_call_established "$1" 10 || true
	v6lab_rtp "$3" "$4"
	v6lab__in_call "$3"
	bs_hangup "$1" 2>/dev/null
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 10 || true
	bs_wait_call_state "$1" none 10 || true
}

# v6lab_call_out PEER DIGITS WHAT ADDR_RE: ataua dials DIGITS (baresip
# PEER answers), RTP flows both ways on ADDR_RE, ataua hangs up
v6lab_call_out() {
	ata_ctl line 1 offhook >/dev/null
	ata_ctl line 1 digits "$2" >/dev/null
	ata_wait_line 1 connected 20 && t_ok "$3: connected" ||
		t_fail "$3: connected" "$(ata_ctl line 1)"
	v6lab_rtp "$3" "$4"
	v6lab__in_call "$3"
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 10 || true
	bs_wait_call_state "$1" none 10 || true
}

v6lab__in_call() {
	[ -z "${V6LAB_IN_CALL:-}" ] || eval "$V6LAB_IN_CALL"
}
