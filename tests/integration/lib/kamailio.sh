# shellcheck shell=bash
# tests/integration/lib/kamailio.sh -- Debian's kamailio as the lab's
# registrar/proxy with digest auth (source lab.sh first).
#
# One instance per lab. Its files are under $LAB_DIR/kam: the generated
# kamailio.cfg, the db_text tables (users 1001..1008, password pw<user>),
# the ctl socket, the pid file; its log is $LAB_DIR/kamailio.log.
# Registrations live in memory only: kam_restart forgets them.

KAM_NS=""
KAM_ADDR=""
KAM_TRUSTED=""
KAM_PID=""
KAM_DIR=""

kam__gen() {
	local u
	mkdir -p "$KAM_DIR/db" "$KAM_DIR/run"
	{
		echo "id(int,auto) username(string) domain(string)" \
			"password(string) ha1(string,null) ha1b(string,null)"
		for u in 1 2 3 4 5 6 7 8; do
			echo "$u:100$u:$KAM_ADDR:pw100$u::"
		done
	} >"$KAM_DIR/db/subscriber"
	printf '%s\n' "table_name(string) table_version(int)" \
		"subscriber:7" >"$KAM_DIR/db/version"
	sed -e "s|@ADDR@|$KAM_ADDR|g" -e "s|@WORKDIR@|$KAM_DIR|g" \
		-e "s|@TRUSTED@|${KAM_TRUSTED:-255.255.255.255}|g" \
		"$LAB_CONF_DIR/kamailio.cfg" >"$KAM_DIR/kamailio.cfg"
	# KAM_ADDR6: also listen on this IPv6 address (dual stack);
	# KAM_ALIAS: a name of ours (a domain with A/AAAA records)
	if [ -n "${KAM_ADDR6:-}" ]; then
		sed -i "/^listen=tcp:$KAM_ADDR:5060\$/a\\
listen=udp:[$KAM_ADDR6]:5060\\
listen=tcp:[$KAM_ADDR6]:5060" "$KAM_DIR/kamailio.cfg"
	fi
	if [ -n "${KAM_ALIAS:-}" ]; then
		sed -i "/^listen=tcp:$KAM_ADDR:5060\$/a\\
alias=$KAM_ALIAS" "$KAM_DIR/kamailio.cfg"
	fi
}

# kam_start NS ADDR [TRUSTED_ADDR]: kamailio in NS on ADDR:5060 UDP+TCP.
# TRUSTED_ADDR may send INVITEs (not REGISTERs) without auth.
# KAM_NATFIX=1 in the environment turns on far-end NAT fixing;
# KAM_RECHALLENGE=1 answers a wrong password with a new challenge
# instead of 403 (baresip 1.0 then retries forever).
kam_start() {
	local defs=()
	KAM_NS=$(lab_ns "$1")
	KAM_ADDR=$2
	KAM_TRUSTED=${3:-}
	KAM_DIR=$LAB_DIR/kam
	kam__gen
	[ "${KAM_NATFIX:-0}" != 1 ] || defs+=(-A WITH_NATFIX)
	[ "${KAM_RECHALLENGE:-0}" != 1 ] || defs+=(-A WITH_RECHALLENGE)
	[ "${KAM_REJECT_PRIVATE:-0}" != 1 ] || defs+=(-A WITH_REJECT_PRIVATE)
	# KAM_TLS_CERT/KAM_TLS_KEY (PEM files): also serve TLS on 5061
	if [ -n "${KAM_TLS_CERT:-}" ]; then
		defs+=(-A WITH_TLS)
		printf '[server:default]\nmethod = TLSv1.2+\n%s\n%s\n' \
			"certificate = $KAM_TLS_CERT" \
			"private_key = $KAM_TLS_KEY" >"$KAM_DIR/tls.cfg"
		printf '[client:default]\nverify_certificate = no\n' \
			>>"$KAM_DIR/tls.cfg"
	fi
	rm -f "$KAM_DIR/kamailio.pid" "$KAM_DIR/kamailio_ctl"
	# -DD: the creator stays in the foreground (its pid is ours to stop),
	# -E: log to stderr, -Y/-w: no system run dir, -a no: no DNS aliases
	lab_bg "$KAM_NS" kamailio.log kamailio -DD -E -a no \
		-f "$KAM_DIR/kamailio.cfg" -w "$KAM_DIR" -Y "$KAM_DIR/run" \
		-P "$KAM_DIR/kamailio.pid" -m 32 -M 8 "${defs[@]}" >/dev/null
	KAM_PID=$LAB_LAST_PID
	# wait until it serves RPCs (after binding UDP+TCP 5060) or dies
	lab_wait_for "! kill -0 $KAM_PID 2>/dev/null || kam_rpc core.uptime" 20 ||
		true
	if ! kill -0 "$KAM_PID" 2>/dev/null || ! kam_rpc core.uptime >/dev/null ||
		! lab_wait_port "$KAM_NS" udp 5060 5 ||
		! lab_wait_port "$KAM_NS" tcp 5060 5; then
		echo "kam_start: kamailio did not come up:" >&2
		grep -E 'ERROR|CRITICAL' "$LAB_DIR/kamailio.log" | tail -n 5 >&2
		return 1
	fi
}

kam_stop() {
	[ -n "$KAM_PID" ] || return 0
	lab_stop "$KAM_PID" 10
	KAM_PID=""
	# kamailio's children leave after the creator, and a child that
	# still holds the TCP listener makes the next start fail to bind
	# (seen in CI): wait for every kamailio in the namespace to be gone,
	# then kill what is left
	lab_wait_for "[ -z \"\$(kam__pids)\" ]" 10 || {
		echo "kam_stop: kamailio children linger: $(kam__pids)" >&2
		kam__pids | xargs -r kill -KILL 2>/dev/null
		lab_wait_for "[ -z \"\$(kam__pids)\" ]" 5 || true
	}
}

# kam__pids: the kamailio processes left in the instance's namespace
kam__pids() {
	local pid
	for pid in $(ip netns pids "$KAM_NS" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = kamailio ] &&
			echo "$pid"
	done
	return 0
}

kam_restart() {
	kam_stop
	kam_start "$KAM_NS" "$KAM_ADDR" "$KAM_TRUSTED"
}

# kam_rpc CMD [ARGS...]: a kamcmd RPC over the instance's ctl socket;
# fails on an RPC error (kamcmd itself exits 0 then). Numbers that must
# be strings need an "s:" prefix (s:1001).
kam_rpc() {
	local out
	out=$(kamcmd -s "unix:$KAM_DIR/kamailio_ctl" "$@" 2>&1) || {
		printf '%s\n' "$out" >&2
		return 1
	}
	case $out in
	error:*) printf '%s\n' "$out" >&2; return 1 ;;
	esac
	printf '%s\n' "$out"
}

# kam_ul_dump: all registrations (kamcmd ul.dump, text)
kam_ul_dump() {
	kam_rpc ul.dump
}

# kam_registered USER: 0 if USER has a registered contact; prints them
kam_registered() {
	local out
	out=$(kam_rpc ul.lookup location "s:$1" 2>/dev/null) || return 1
	printf '%s\n' "$out" | grep -q 'Contact:' || return 1
	printf '%s\n' "$out" | sed -n 's/.*Address: *//p'
}

# kam_wait_registered USER TIMEOUT_S
kam_wait_registered() {
	lab_wait_for "kam_registered $1" "$2"
}

# kam_ul_add USER CONTACT_URI [EXPIRES_S]: a static registration, e.g.
# for a sipp UAS that does not REGISTER itself
kam_ul_add() {
	# q 1.0, no path ("s:0"), no flags, all methods
	kam_rpc ul.add location "s:$1" "$2" "${3:-3600}" 1.0 s:0 0 0 \
		4294967295 >/dev/null
}
