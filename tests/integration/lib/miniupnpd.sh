# shellcheck shell=bash
# tests/integration/lib/miniupnpd.sh -- a UPnP IGD (miniupnpd) on a lab
# router. Sourced after lab.sh.
#
# Debian's miniupnpd-iptables needs the legacy iptables backend with its
# chains in place (nat MINIUPNPD from PREROUTING on the WAN side, nat
# MINIUPNPD-POSTROUTING, filter MINIUPNPD from FORWARD). Everything it
# reads or writes (config, lease file, pid file, log) lives under
# $LAB_DIR; nothing on the host is touched. The router must come from
# `lab_router NAME WAN LANSEG LAN ...` (interfaces "wan" and "lan").
#
#   upnpd_start ROUTER [v1|v2|natpmp|pcp]  start it; waits for its
#                                SSDP socket (v1, v2) or UDP 5351
#                                (natpmp, pcp: that protocol only)
#   upnpd_stop ROUTER            stop it (its rules stay, like a crash)
#   upnpd_flush ROUTER           flush its chains and forget its leases
#   upnpd_restart ROUTER         stop, flush, start: a router reboot
#   upnpd_refuse ROUTER          its nat chain goes: AddPortMapping
#                                answers UPnP error 501 ActionFailed
#   upnpd_rules ROUTER           `iptables-legacy -t nat -L MINIUPNPD -n`
#   upnpd_has_rule ROUTER PORT [CLIENT]  a UDP redirect of PORT exists
#   upnpd_client NS ARGS...      upnpc (miniupnpc's client) in NS
#
# UPNPD_IPV6=1 (before upnpd_start): the router's IPv6 side too (wan is
# the external interface for both families): PCP on [::]:5351 and the
# pinholes in the filter chain MINIUPNPD of ip6tables-legacy, from
# FORWARD on the WAN side (what /etc/miniupnpd/ip6tables_init.sh sets up)
#   upnpd_pinholes ROUTER        `ip6tables-legacy -L MINIUPNPD -n -v`
#   upnpd_has_pinhole ROUTER PORT ADDR  a pinhole lets UDP PORT to ADDR

UPNPD_BIN=${UPNPD_BIN:-/usr/sbin/miniupnpd}

upnpd__ipt() {
	lab_exec "$1" iptables-legacy -w "${@:2}"
}

# upnpd__chains ROUTER: the chains miniupnpd expects (idempotent)
upnpd__chains() {
	local r=$1
	upnpd__ipt "$r" -t nat -N MINIUPNPD 2>/dev/null
	upnpd__ipt "$r" -t nat -C PREROUTING -i wan -j MINIUPNPD 2>/dev/null ||
		upnpd__ipt "$r" -t nat -A PREROUTING -i wan -j MINIUPNPD ||
		return 1
	upnpd__ipt "$r" -t nat -N MINIUPNPD-POSTROUTING 2>/dev/null
	upnpd__ipt "$r" -t nat -C POSTROUTING -o wan \
		-j MINIUPNPD-POSTROUTING 2>/dev/null ||
		upnpd__ipt "$r" -t nat -A POSTROUTING -o wan \
			-j MINIUPNPD-POSTROUTING || return 1
	upnpd__ipt "$r" -t filter -N MINIUPNPD 2>/dev/null
	upnpd__ipt "$r" -t filter -C FORWARD -i wan ! -o wan \
		-j MINIUPNPD 2>/dev/null ||
		upnpd__ipt "$r" -t filter -A FORWARD -i wan ! -o wan \
			-j MINIUPNPD || return 1
	[ "${UPNPD_IPV6:-0}" = 1 ] || return 0
	upnpd__ip6t "$r" -N MINIUPNPD 2>/dev/null
	upnpd__ip6t "$r" -C FORWARD -i wan ! -o wan -j MINIUPNPD 2>/dev/null ||
		upnpd__ip6t "$r" -I FORWARD -i wan ! -o wan -j MINIUPNPD
}

upnpd__ip6t() {
	lab_exec "$1" ip6tables-legacy -w "${@:2}"
}

upnpd_pinholes() {
	upnpd__ip6t "$1" -L MINIUPNPD -n -v
}

upnpd_has_pinhole() {
	upnpd_pinholes "$1" | grep -E " $3 +udp dpt:$2( |\$)" >/dev/null
}

upnpd__conf() {
	local r=$1 ver=$2 f=$LAB_DIR/miniupnpd-$1.conf pmp=no upnp=yes
	# PCP/NAT-PMP: the epoch counts from the daemon's start
	# (system_uptime=no), so its restart looks like a router reboot
	case $ver in natpmp|pcp) pmp=yes upnp=no ;; esac
	cat >"$f" <<-EOF
	ext_ifname=wan
	listening_ip=lan
	http_port=0
	enable_natpmp=$pmp
	enable_upnp=$upnp
	secure_mode=yes
	system_uptime=$upnp
	notify_interval=30
	clean_ruleset_interval=0
	lease_file=$LAB_DIR/miniupnpd-$r.leases
	$([ "${UPNPD_IPV6:-0}" = 1 ] && echo "ext_ifname6=wan")
	uuid=3c8e1a52-a7a0-4c6e-9d6b-$(printf '%012d' "${#r}")
	force_igd_desc_v1=$([ "$ver" = v1 ] && echo yes || echo no)
	allow 1024-65535 0.0.0.0/0 1024-65535
	deny 0-65535 0.0.0.0/0 0-65535
	EOF
	echo "$f"
}

# upnpd__only ROUTER natpmp|pcp: miniupnpd serves both on UDP 5351 (one
# switch); drop the other one's requests by their version byte (NAT-PMP
# 0, PCP 2) so the router speaks one protocol only (idempotent)
upnpd__only() {
	local r=$1 v keep
	case $2 in natpmp) keep=0 ;; pcp) keep=2 ;; *) keep=x ;; esac
	for v in 0 2; do
		set -- INPUT -i lan -p udp --dport 5351 -m u32 \
			--u32 "0>>22&0x3C@8>>24=$v" -j DROP
		if [ "$v" = "$keep" ] || [ "$keep" = x ]; then
			while upnpd__ipt "$r" -D "$@" 2>/dev/null; do :; done
		else
			upnpd__ipt "$r" -C "$@" 2>/dev/null ||
				upnpd__ipt "$r" -A "$@" || return 1
		fi
	done
}

# upnpd_dropped ROUTER: packets the version filter dropped so far
upnpd_dropped() {
	upnpd__ipt "$1" -L INPUT -v -x -n | awk '/u32/ { n += $1 } END { print n + 0 }'
}

# upnpd_start ROUTER [v1|v2|natpmp|pcp]: IGDv2 by default; v1 forces the
# IGDv1 description (what older routers and some clients expect);
# natpmp and pcp switch UPnP off and serve only that protocol
upnpd_start() {
	local r=$1 ver=${2:-v2} conf pid port=1900
	lab_require_cmd "$UPNPD_BIN" iptables-legacy
	upnpd__chains "$r" || { t_fail "miniupnpd chains in $r"; return 1; }
	case $ver in natpmp|pcp) port=5351 ;; esac
	# without the kernel's u32 match there is no one-protocol router
	upnpd__only "$r" "$ver" ||
		lab_skip "iptables u32 match (xt_u32) unavailable in $r"
	echo "$ver" >"$LAB_DIR/miniupnpd-$r.mode"
	conf=$(upnpd__conf "$r" "$ver")
	pid=$(lab_bg "$r" "miniupnpd-$r.log" "$UPNPD_BIN" -d -f "$conf" \
		-P "$LAB_DIR/miniupnpd-$r.pid")
	echo "$pid" >"$LAB_DIR/miniupnpd-$r.bgpid"
	lab_wait_port "$r" udp "$port" 10 || {
		t_fail "miniupnpd started in $r" \
			"$(tail -n 20 "$LAB_DIR/miniupnpd-$r.log")"
		return 1
	}
}

upnpd_stop() {
	local f=$LAB_DIR/miniupnpd-$1.bgpid
	[ -f "$f" ] || return 0
	lab_stop "$(cat "$f")" 5
	rm -f "$f"
}

upnpd_flush() {
	upnpd__ipt "$1" -t nat -F MINIUPNPD
	upnpd__ipt "$1" -t nat -F MINIUPNPD-POSTROUTING
	upnpd__ipt "$1" -t filter -F MINIUPNPD
	[ "${UPNPD_IPV6:-0}" != 1 ] || upnpd__ip6t "$1" -F MINIUPNPD
	rm -f "$LAB_DIR/miniupnpd-$1.leases"
}

upnpd_restart() {
	local mode
	mode=$(cat "$LAB_DIR/miniupnpd-$1.mode" 2>/dev/null)
	upnpd_stop "$1"
	upnpd_flush "$1"
	upnpd_start "$1" "${2:-${mode:-v2}}"
}

# upnpd_refuse ROUTER: a router whose firewall will not take the rule
# (miniupnpd cannot add to its nat chain): every AddPortMapping is
# answered with UPnP error 501 ActionFailed, discovery still works
upnpd_refuse() {
	upnpd__ipt "$1" -t nat -D PREROUTING -i wan -j MINIUPNPD 2>/dev/null
	upnpd__ipt "$1" -t nat -F MINIUPNPD &&
		upnpd__ipt "$1" -t nat -X MINIUPNPD
}

upnpd_rules() {
	upnpd__ipt "$1" -t nat -L MINIUPNPD -n
}

# upnpd_has_rule ROUTER PORT [CLIENT]: a UDP redirect of PORT in the nat
# chain; with CLIENT, miniupnpd's lease file says it goes to CLIENT
# (iptables-legacy cannot print the DNAT target revision miniupnpd uses)
upnpd_has_rule() {
	upnpd_rules "$1" | grep -E "udp dpt:$2( |\$)" >/dev/null || return 1
	[ -z "${3:-}" ] ||
		grep -q "^UDP:$2:$3:" "$LAB_DIR/miniupnpd-$1.leases" 2>/dev/null
}

# upnpc in a lab host: another LAN client of the same IGD
upnpd_client() {
	local ns=$1
	shift
	lab_exec "$ns" timeout 15 upnpc "$@"
}
