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
#   upnpd_start ROUTER [v1|v2]   start it; waits for its SSDP socket
#   upnpd_stop ROUTER            stop it (its rules stay, like a crash)
#   upnpd_flush ROUTER           flush its chains and forget its leases
#   upnpd_restart ROUTER         stop, flush, start: a router reboot
#   upnpd_rules ROUTER           `iptables-legacy -t nat -L MINIUPNPD -n`
#   upnpd_has_rule ROUTER PORT [CLIENT]  a UDP redirect of PORT exists
#   upnpd_client NS ARGS...      upnpc (miniupnpc's client) in NS

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
}

upnpd__conf() {
	local r=$1 ver=$2 f=$LAB_DIR/miniupnpd-$1.conf
	cat >"$f" <<-EOF
	ext_ifname=wan
	listening_ip=lan
	http_port=0
	enable_natpmp=no
	enable_upnp=yes
	secure_mode=yes
	system_uptime=yes
	notify_interval=30
	clean_ruleset_interval=0
	lease_file=$LAB_DIR/miniupnpd-$r.leases
	uuid=3c8e1a52-a7a0-4c6e-9d6b-$(printf '%012d' "${#r}")
	force_igd_desc_v1=$([ "$ver" = v1 ] && echo yes || echo no)
	allow 1024-65535 0.0.0.0/0 1024-65535
	deny 0-65535 0.0.0.0/0 0-65535
	EOF
	echo "$f"
}

# upnpd_start ROUTER [v1|v2]: IGDv2 by default; v1 forces the IGDv1
# description (what older routers and some clients expect)
upnpd_start() {
	local r=$1 ver=${2:-v2} conf pid
	lab_require_cmd "$UPNPD_BIN" iptables-legacy
	upnpd__chains "$r" || { t_fail "miniupnpd chains in $r"; return 1; }
	conf=$(upnpd__conf "$r" "$ver")
	pid=$(lab_bg "$r" "miniupnpd-$r.log" "$UPNPD_BIN" -d -f "$conf" \
		-P "$LAB_DIR/miniupnpd-$r.pid")
	echo "$pid" >"$LAB_DIR/miniupnpd-$r.bgpid"
	lab_wait_port "$r" udp 1900 10 || {
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
	rm -f "$LAB_DIR/miniupnpd-$1.leases"
}

upnpd_restart() {
	upnpd_stop "$1"
	upnpd_flush "$1"
	upnpd_start "$1" "${2:-v2}"
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
