# shellcheck shell=bash
# tests/integration/lib/pinholelab.sh -- the IPv6 pinhole lab of
# test_nat_pcp6.sh and test_nat_igd6.sh (source lab.sh, kamailio.sh,
# baresip.sh, coturn.sh, ataua.sh, natlab.sh, miniupnpd.sh first).
#
# pinholelab_build NAME: lab_init NAME and a dual-stack router r1 (IPv4
# cone NAT 44.0.0.60 / LAN 192.168.1.1; IPv6 routed, WAN
# 2001:db8:ff::/64, LAN 2001:db8:1::/64, its ip6tables firewall drops
# unsolicited inbound to the LAN, the pinholes go in MINIUPNPD), the box
# "ata" (192.168.1.10, $BOX6, default route via the router's fe80::1),
# a host "out" outside ($OUT6) and a UDP socket of the test's own on
# [$BOX6]:5060 in the box (what it receives: $LAB_DIR/rx6.log).
# R, A, O: the namespaces. Then: fw_dropped, send_in, arrived,
# reaches, pinholelab_dropped, pinhole_get, map_get (below). miniupnpd
# is the test's own.

RECHECK_S=10
BOX6=2001:db8:1::10
OUT6=2001:db8:ff::2
export LAB_IPV6=1 UPNPD_IPV6=1

pinholelab_build() {
	lab_init "$1"
	natlab_public
	lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
	lab_host ata 192.168.1.10/24 lan1
	lab_host out 44.0.0.30/24
	R=$(lab_ns r1)
	A=$(lab_ns ata)
	O=$(lab_ns out)

	# IPv6: WAN 2001:db8:ff::/64, LAN 2001:db8:1::/64, the box's default
	# route via the router's link-local address (nodad: no DAD wait)
	ip -n "$R" addr add 2001:db8:ff::1/64 dev wan nodad &&
		ip -n "$R" addr add 2001:db8:1::1/64 dev lan nodad &&
		ip -n "$R" addr add fe80::1/64 dev lan nodad &&
		ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
		ip -n "$O" addr add "$OUT6/64" dev eth0 nodad &&
		ip -n "$O" route add 2001:db8:1::/64 via 2001:db8:ff::1 &&
		ip -n "$A" addr add "$BOX6/64" dev eth0 nodad &&
		ip -n "$A" -6 route add default via fe80::1 dev eth0 ||
		lab_die "IPv6 addresses and routes"

	# the firewall: replies in, nothing unsolicited from the WAN to the LAN
	# (the pinholes go in MINIUPNPD, jumped to first from FORWARD)
	ip netns exec "$R" ip6tables-legacy -w -A FORWARD -m conntrack \
		--ctstate ESTABLISHED,RELATED -j ACCEPT &&
		ip netns exec "$R" ip6tables-legacy -w -A FORWARD -i wan -o lan \
			-j DROP || lab_die "ip6tables firewall in r1"

	# a UDP socket of ours on [BOX6]:5060 in the box: what it receives
	RX_PY=$LAB_DIR/rx6.py
	cat >"$RX_PY" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    d, a = s.recvfrom(2048)
    with open(sys.argv[3], "a") as f:
        f.write("%s %s\n" % (a[0], d.decode(errors="replace")))
EOF
	: >"$LAB_DIR/rx6.log"
	lab_bg ata rx6.out python3 "$RX_PY" "$BOX6" 5060 "$LAB_DIR/rx6.log" \
		>/dev/null
}

fw_dropped() {
	ip netns exec "$R" ip6tables-legacy -w -L FORWARD -v -x -n |
		awk '$3 == "DROP" { n += $1 } END { print n + 0 }'
}

# pinholelab_dropped TAG WHAT: a datagram from outside to [BOX6]:5060
# does not arrive and the router's firewall counts a drop (one check)
pinholelab_dropped() {
	local d0
	d0=$(fw_dropped)
	send_in "$1"
	sleep 1
	! arrived "$1" && [ "$(fw_dropped)" -gt "$d0" ] &&
		t_ok "$2" ||
		t_fail "$2" "$(cat "$LAB_DIR/rx6.log")" \
			"dropped $d0 -> $(fw_dropped)"
}

# send_in TAG: one datagram from outside to [BOX6]:5060
send_in() {
	ip netns exec "$O" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(sys.argv[2].encode(), (sys.argv[1], 5060))' "$BOX6" "$1"
}

arrived() {
	grep -q " $1\$" "$LAB_DIR/rx6.log"
}

# a probe from outside until it arrives (the pinhole may be a moment
# behind the status line)
reaches() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		send_in "$1-$i"
		sleep 0.3
		grep -q " $1-" "$LAB_DIR/rx6.log" && return 0
	done
	return 1
}

pinhole_get() {
	ata_ctl nat | grep "^pinhole=udp family=ipv6 internal=\[$BOX6\]:$1 " |
		tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

map_get() {
	ata_ctl upnp status | grep "^map=udp internal=[0-9.]*:$1 " |
		tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
