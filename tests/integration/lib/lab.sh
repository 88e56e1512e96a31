# shellcheck shell=bash disable=SC2034
# tests/integration/lib/lab.sh -- network-namespace test lab (bash).
#
# Sourced by every integration test. Builds a throw-away network of
# namespaces (a "public Internet" bridge on 44.0.0.0/24, hosts, NAT
# routers), runs real peers inside them, and removes all of it on exit,
# also on failure or SIGINT/SIGTERM. Nothing in the lab has a route out
# of the machine: the namespaces are linked only to each other.
#
# Names: every namespace is "${LAB_P}NAME" with LAB_P="at" + 4 hex digits
# + "-" (7 chars), so NAME is at most 8 chars and netns and interface
# names stay <= 15. Functions that take NS accept NAME or the full name.
#
# Output is TAP (ok N / not ok N, plan at the end). The script exits 0 if
# every check passed, 1 if one failed or the script aborted, 77 on skip.
# (SC2034 is off: the globals here are read by the scripts sourcing it.)

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CONF_DIR=$(cd "$LAB_LIB_DIR/../conf" && pwd)
# owner records of running labs: lets lab_cleanup_stale tell a crashed
# run from one that is still running next to us
LAB_RUNDIR=${LAB_RUNDIR:-/run/ataua-lab}
LAB_P=""
LAB_DIR=""
LAB_NAME=""
LAB_LAST_PID=""
LAB_NFT_OK=""
T_N=0
T_FAILED=0
T_SKIPPED=0
LAB__TORN=0
# TAP lines and the final report go to the script's own stdout/stderr,
# also from inside t_check (which captures CMD's output) or a trap that
# fires there. Processes started by lab_bg do not inherit these.
exec {LAB__TAP}>&1 {LAB__ERR}>&2

# ---------------------------------------------------------------- TAP ---

t_ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $*" >&"$LAB__TAP"
}

# t_fail DESC [DETAIL...]: a failed check; details become "# " lines
t_fail() {
	local desc=$1 line
	shift
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	{
		echo "not ok $T_N - $desc"
		for line in "$@"; do
			printf '%s\n' "$line" | sed 's/^/# /'
		done
	} >&"$LAB__TAP"
	return 0
}

# t_skip DESC REASON: one check that cannot run here
t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2" >&"$LAB__TAP"
}

# t_check DESC CMD...: runs CMD in this shell (its variables stick); ok
# if it exits 0, else not ok with its output as diagnostics. Returns
# CMD's status: under set -e a failed check ends the script (append
# "|| true" to go on).
t_check() {
	local desc=$1 out rc=0
	shift
	out=${LAB_DIR:-${TMPDIR:-/tmp}}/.t_check.$$
	"$@" >"$out" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		t_ok "$desc"
	else
		t_fail "$desc" "command: $* (exit $rc)" "$(tail -n 20 "$out")"
	fi
	rm -f "$out"
	return "$rc"
}

# t_diag TEXT...: a TAP comment line
t_diag() {
	printf '%s\n' "$*" | sed 's/^/# /' >&"$LAB__TAP"
}

# lab_skip REASON: the whole script cannot run here (exit 77)
lab_skip() {
	echo "lab: SKIP: $*" >&"$LAB__ERR"
	echo "1..0 # SKIP $*" >&"$LAB__TAP"
	T_SKIPPED=1
	exit 77
}

# lab_die REASON: the lab itself broke; counts as a failure
lab_die() {
	t_fail "lab: $*"
	exit 1
}

# ---------------------------------------------------------- helpers ---

lab_require_root() {
	local probe="atprobe$$"

	[ "$(id -u)" = 0 ] || lab_skip "needs root (network namespaces)"
	command -v ip >/dev/null 2>&1 || lab_skip "iproute2 (ip) not installed"
	ip netns add "$probe" >/dev/null 2>&1 ||
		lab_skip "'ip netns add' does not work here"
	if ! ip -n "$probe" link set lo up >/dev/null 2>&1; then
		ip netns del "$probe" >/dev/null 2>&1
		lab_skip "cannot configure links inside a network namespace"
	fi
	ip netns del "$probe" >/dev/null 2>&1 || true
}

# lab_not CMD...: succeeds when CMD fails (for t_check)
lab_not() {
	! "$@"
}

# lab_require_cmd CMD...: skip unless every command is installed
lab_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || lab_skip "$c not installed"
	done
}

lab__now_ms() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((t / 1000))
}

# lab__poll TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds
lab__poll() {
	local timeout=$1 end
	shift
	end=$(( $(lab__now_ms) + ${timeout%.*} * 1000 ))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(lab__now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# lab_wait_for 'SHELL CONDITION' TIMEOUT_S: 0 once it holds, 1 on timeout
# (a safety net, not a speed assertion)
lab_wait_for() {
	[ $# -eq 2 ] || { echo "usage: lab_wait_for CMD TIMEOUT_S" >&2; return 2; }
	lab__poll "$2" eval "$1"
}

# lab_ns NAME: prints the full namespace name for NAME
lab_ns() {
	case $1 in
	"$LAB_P"*) echo "$1" ;;
	*) echo "$LAB_P$1" ;;
	esac
}

lab_exec() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# lab_wait_port NS udp|tcp PORT TIMEOUT_S: wait until a socket listens
lab_wait_port() {
	local ns flag
	ns=$(lab_ns "$1")
	case $2 in
	udp) flag=-Hlun ;;
	tcp) flag=-Hltn ;;
	*) echo "lab_wait_port: bad protocol $2" >&2; return 2 ;;
	esac
	lab__poll "$4" lab__port_listens "$ns" "$flag" "$3"
}

lab__port_listens() {
	[ -n "$(ip netns exec "$1" ss "$2" "sport = :$3" 2>/dev/null)" ]
}

# lab_bg NS LOGFILE CMD...: start CMD in NS in the background, output to
# LOGFILE (relative names go to the work dir). Prints the pid and sets
# LAB_LAST_PID; the pid is stopped at teardown.
lab_bg() {
	local ns log pid
	ns=$(lab_ns "$1")
	log=$2
	shift 2
	case $log in
	/*) ;;
	*) log=$LAB_DIR/$log ;;
	esac
	ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 \
		{LAB__TAP}>&- {LAB__ERR}>&- &
	pid=$!
	# with its start time: teardown must not hit a reused pid
	echo "$pid $(lab__starttime "$pid")" >>"$LAB_DIR/pids"
	LAB_LAST_PID=$pid
	echo "$pid"
}

# lab_stop PID [GRACE_S]: SIGTERM, then SIGKILL after GRACE_S (default 5)
lab_stop() {
	local pid=$1 grace=${2:-5}
	[ -n "$pid" ] || return 0
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	if ! lab__poll "$grace" lab__pid_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		lab__poll 2 lab__pid_gone "$pid" || true
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

lab__pid_gone() {
	! kill -0 "$1" 2>/dev/null && return 0
	# a zombie child of ours counts as gone
	[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# ------------------------------------------------------------- life ---

# lab_init NAME: work dir, unique prefix, the Internet segment, traps
lab_init() {
	local id i

	LAB_NAME=${1:-lab}
	mkdir -p "$LAB_RUNDIR"
	lab_cleanup_stale
	for i in 1 2 3 4 5 6 7 8; do
		id=$(printf '%04x' $(( (RANDOM ^ ($$ << i)) & 0xffff )))
		[ -e "$LAB_RUNDIR/at$id" ] && continue
		ip netns list | grep -q "^at$id-" && continue
		break
	done
	LAB_P="at$id-"
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ataua-lab.$LAB_NAME.XXXXXX")
	mkdir -p "$LAB_DIR/seg"
	: >"$LAB_DIR/pids"
	: >"$LAB_DIR/netns"
	echo "$$ $(lab__starttime $$) $LAB_DIR" >"$LAB_RUNDIR/at$id"
	LAB__TORN=0

	trap 'lab__on_exit' EXIT
	trap 'lab__on_signal 130' INT
	trap 'lab__on_signal 143' TERM
	trap 'lab__on_signal 129' HUP
	# a closed stdout (| head) must not kill us before the teardown
	trap '' PIPE

	lab__nft_probe
	lab__ns_add inet
	ip -n "${LAB_P}inet" link add br0 type bridge
	ip -n "${LAB_P}inet" link set br0 up
	echo "${LAB_P}inet br0 -" >"$LAB_DIR/seg/inet"
	t_diag "lab $LAB_P in $LAB_DIR"
}

lab__on_signal() {
	set +e
	exec 1>&"$LAB__TAP" 2>&"$LAB__ERR"
	echo "lab: interrupted" >&2
	t_fail "interrupted by a signal (exit $1)"
	exit "$1"
}

lab__on_exit() {
	local rc=$?

	# the teardown must run to its end whatever fails in it
	set +e
	trap - EXIT INT TERM HUP
	exec 1>&"$LAB__TAP" 2>&"$LAB__ERR"
	if [ "$T_SKIPPED" -eq 0 ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] &&
		[ "$T_FAILED" -eq 0 ]; then
		t_fail "script aborted (exit $rc)"
	fi
	if [ "$T_FAILED" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
		lab__dump_logs
	fi
	lab_teardown
	if [ "$rc" -eq 77 ] || [ "$T_SKIPPED" -ne 0 ]; then
		exit 77
	fi
	[ "$T_SKIPPED" -ne 0 ] || echo "1..$T_N"
	if [ "$T_FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		[ -z "$LAB_DIR" ] || echo "lab: logs kept in $LAB_DIR" >&2
		exit 1
	fi
	if [ -n "$LAB_DIR" ] && [ "${LAB_KEEP:-0}" != 1 ]; then
		rm -rf "$LAB_DIR"
	fi
	exit 0
}

lab__dump_logs() {
	local f
	[ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ] || return 0
	while IFS= read -r f; do
		echo "----- last 40 lines of ${f#"$LAB_DIR"/} -----" >&2
		tail -n 40 "$f" >&2
	done < <(find "$LAB_DIR" -type f -name '*.log' | sort)
}

# lab_teardown: stop everything, delete every namespace (and so every
# veth and bridge in it). Idempotent; runs by itself at exit.
lab_teardown() {
	local pid start ns

	[ -n "$LAB_P" ] || return 0
	[ "$LAB__TORN" -eq 0 ] || return 0
	if [ -f "$LAB_DIR/pids" ]; then
		while read -r pid start; do
			if lab__same_proc "$pid" "${start:-}"; then
				kill -TERM "$pid" 2>/dev/null || true
			fi
		done <"$LAB_DIR/pids"
		while read -r pid start; do
			if lab__same_proc "$pid" "${start:-}"; then
				lab_stop "$pid" 3
			fi
		done <"$LAB_DIR/pids"
	fi
	# backstop: whatever still runs in our namespaces (children, strays)
	for ns in $(lab__our_netns "$LAB_P"); do
		lab__kill_netns_pids "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "$LAB_RUNDIR/${LAB_P%-}"
	LAB__TORN=1
}

lab__our_netns() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep "^$1" || true
}

lab__kill_netns_pids() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
	[ -n "${pids// /}" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	lab__poll 2 lab__netns_empty "$1" && return 0
	pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086
	[ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
	lab__poll 2 lab__netns_empty "$1" || true
}

lab__netns_empty() {
	[ -z "$(ip netns pids "$1" 2>/dev/null)" ]
}

# lab__starttime PID: the process start time (tells a reused pid apart)
lab__starttime() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return 0; }
	st=${st##*) }
	echo "$st" | awk '{print $20}'
}

# lab__same_proc PID START: PID still is the process started at START
# (an empty START, from a pid file line without it, is not checked)
lab__same_proc() {
	kill -0 "$1" 2>/dev/null || return 1
	[ -z "$2" ] || [ "$(lab__starttime "$1")" = "$2" ]
}

# lab__owner_alive FILE: the run that wrote the owner record still runs
lab__owner_alive() {
	local owner="" start=""
	[ -f "$1" ] || return 1
	read -r owner start _ <"$1" || true
	[ -n "$owner" ] && kill -0 "$owner" 2>/dev/null &&
		[ "$(lab__starttime "$owner")" = "$start" ]
}

# lab_cleanup_stale: remove namespaces at????-* of runs whose owner
# process is gone (crashed or SIGKILLed runs); other runs' labs stay
lab_cleanup_stale() {
	local ns id

	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' |
		grep -E '^at[0-9a-f]{4}-' || true); do
		id=${ns%%-*}
		lab__owner_alive "$LAB_RUNDIR/$id" && continue
		echo "lab: removing stale namespace $ns" >&2
		lab__kill_netns_pids "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	for id in "$LAB_RUNDIR"/at????; do
		[ -f "$id" ] || continue
		lab__owner_alive "$id" || rm -f "$id"
	done
}

# --------------------------------------------------------- topology ---

lab__check_name() {
	case $1 in
	"" | *[!a-z0-9]*)
		lab_die "bad name '$1' (lower-case letters and digits only)" ;;
	esac
	[ "${#1}" -le 8 ] || lab_die "name '$1' longer than 8 characters"
}

lab__ns_add() {
	local ns=$LAB_P$1
	ip netns add "$ns" || lab_die "cannot create namespace $ns"
	echo "$ns" >>"$LAB_DIR/netns"
	ip -n "$ns" link set lo up
	if [ "${LAB_IPV6:-0}" != 1 ]; then
		# no IPv6 in the lab: peers would otherwise pick link-local
		# addresses and send router solicitations
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
	fi
}

lab__with_prefix() {
	case $1 in
	*/*) echo "$1" ;;
	*) echo "$1/24" ;;
	esac
}

# lab_host NAME ADDR[/PREFIX] [SEGMENT]: namespace NAME with eth0 in
# SEGMENT (default inet); on a router's LAN its default route is the router
lab_host() {
	local name=$1 addr seg=${3:-inet} segns br gw ns
	lab__check_name "$name"
	addr=$(lab__with_prefix "$2")
	[ -f "$LAB_DIR/seg/$seg" ] || lab_die "no segment '$seg'"
	read -r segns br gw <"$LAB_DIR/seg/$seg"
	ns=$LAB_P$name
	lab__ns_add "$name"
	ip link add eth0 netns "$ns" type veth peer name "v$name" \
		netns "$segns" || lab_die "cannot create veth for $name"
	ip -n "$segns" link set "v$name" master "$br" up
	ip -n "$ns" addr add "$addr" dev eth0
	ip -n "$ns" link set eth0 up
	if [ "$gw" != - ]; then
		ip -n "$ns" route add default via "$gw"
	fi
	echo "$ns ${addr%/*} $seg" >"$LAB_DIR/host.$name"
}

# lab_addr NAME: the host's address (no prefix)
lab_addr() {
	local ns addr seg
	[ -f "$LAB_DIR/host.${1#"$LAB_P"}" ] || { echo "no host $1" >&2; return 1; }
	read -r ns addr seg <"$LAB_DIR/host.${1#"$LAB_P"}"
	echo "$addr"
}

# nft works inside namespaces here (Debian 12, kernel 6.x); where it does
# not, NAT and counters fall back to iptables-legacy. LAB_NAT_TOOL=
# iptables-legacy forces the fallback.
lab__nft_probe() {
	local ns="atprobe$$"
	LAB_NFT_OK=0
	[ "${LAB_NAT_TOOL:-nft}" = nft ] || return 0
	ip netns add "$ns" 2>/dev/null || return 0
	if command -v nft >/dev/null 2>&1 &&
		ip netns exec "$ns" nft add table ip probe 2>/dev/null &&
		ip netns exec "$ns" nft 'add chain ip probe p { type nat hook postrouting priority 100; }' 2>/dev/null &&
		ip netns exec "$ns" nft 'add rule ip probe p masquerade fully-random' 2>/dev/null; then
		LAB_NFT_OK=1
	fi
	ip netns del "$ns" 2>/dev/null || true
}

# lab_router NAME WAN_ADDR LAN_SEGMENT LAN_ADDR NAT_KIND: a router with
# "wan" in the Internet segment and bridge "lan" as the new segment
# LAN_SEGMENT. NAT_KIND: none (plain forwarding; inet hosts have no route
# back), cone (masquerade: keeps the port where it can, endpoint-
# independent mapping, port-restricted filtering), symmetric (masquerade
# fully-random: a new random port per destination).
lab_router() {
	local name=$1 wan lanseg=$3 lan kind=$5 ns
	[ $# -eq 5 ] || lab_die "usage: lab_router NAME WAN LANSEG LAN NAT_KIND"
	lab__check_name "$name"
	wan=$(lab__with_prefix "$2")
	lan=$(lab__with_prefix "$4")
	[ ! -f "$LAB_DIR/seg/$lanseg" ] || lab_die "segment $lanseg exists"
	ns=$LAB_P$name
	lab__ns_add "$name"
	ip link add wan netns "$ns" type veth peer name "v$name" \
		netns "${LAB_P}inet" || lab_die "cannot create veth for $name"
	ip -n "${LAB_P}inet" link set "v$name" master br0 up
	ip -n "$ns" addr add "$wan" dev wan
	ip -n "$ns" link set wan up
	ip -n "$ns" link add lan type bridge
	ip -n "$ns" addr add "$lan" dev lan
	ip -n "$ns" link set lan up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	echo "$ns lan ${lan%/*}" >"$LAB_DIR/seg/$lanseg"
	echo "$ns ${wan%/*} inet" >"$LAB_DIR/host.$name"
	case $kind in
	none) ;;
	cone) lab__masquerade "$ns" "" ;;
	symmetric) lab__masquerade "$ns" random ;;
	*) lab_die "unknown NAT kind '$kind' (none|cone|symmetric)" ;;
	esac
}

# Like a home router, a NAT router drops new UDP/TCP flows from the WAN
# to itself. Without that, a peer's RTP that arrives before our first
# packet is answered with ICMP by the router and leaves a confirmed
# conntrack entry for that very 5-tuple; our first packet then clashes
# with it and masquerade picks another port, so the peer's RTP never
# comes in (a race the outgoing-call checks lost under load). A dropped
# packet never confirms its entry, so the port stays free.
lab__masquerade() {
	local ns=$1 random=$2
	if [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$ns" nft -f - <<-EOF || lab_die "nft NAT in $ns"
			table ip labnat {
				chain post {
					type nat hook postrouting priority 100;
					oifname "wan" masquerade ${random:+fully-random}
				}
				chain in {
					type filter hook input priority 0;
					iifname "wan" ct state new meta l4proto { udp, tcp } drop
				}
			}
		EOF
	else
		ip netns exec "$ns" iptables-legacy -t nat -A POSTROUTING \
			-o wan -j MASQUERADE ${random:+--random-fully} ||
			lab_die "iptables-legacy NAT in $ns"
		ip netns exec "$ns" iptables-legacy -A INPUT -i wan \
			-m conntrack --ctstate NEW -p udp -j DROP &&
		ip netns exec "$ns" iptables-legacy -A INPUT -i wan \
			-m conntrack --ctstate NEW -p tcp -j DROP ||
			lab_die "iptables-legacy input filter in $ns"
	fi
}

# ---------------------------------------------------- packet counts ---

# lab_udp_counter NS LO-HI: count UDP packets to (in) and from (out)
# local ports LO-HI in NS, e.g. the RTP port range of a peer
lab_udp_counter() {
	local ns
	ns=$(lab_ns "$1")
	if [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$ns" nft -f - <<-EOF || lab_die "nft counter in $ns"
			table inet labctr {
				chain in {
					type filter hook input priority 0;
					udp dport $2 counter
				}
				chain out {
					type filter hook output priority 0;
					udp sport $2 counter
				}
			}
		EOF
	else
		ip netns exec "$ns" iptables-legacy -A INPUT -p udp \
			--dport "${2/-/:}" || lab_die "iptables counter in $ns"
		ip netns exec "$ns" iptables-legacy -A OUTPUT -p udp \
			--sport "${2/-/:}" || lab_die "iptables counter in $ns"
	fi
}

# lab_udp_count NS: prints "IN OUT" packets counted by lab_udp_counter
lab_udp_count() {
	local ns in out
	ns=$(lab_ns "$1")
	if [ "$LAB_NFT_OK" = 1 ]; then
		in=$(ip netns exec "$ns" nft list chain inet labctr in |
			sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1)
		out=$(ip netns exec "$ns" nft list chain inet labctr out |
			sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1)
	else
		in=$(ip netns exec "$ns" iptables-legacy -nvxL INPUT |
			awk '/ [ds]pts?:/ {print $1; exit}')
		out=$(ip netns exec "$ns" iptables-legacy -nvxL OUTPUT |
			awk '/ [ds]pts?:/ {print $1; exit}')
	fi
	echo "${in:-0} ${out:-0}"
}
