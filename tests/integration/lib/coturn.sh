# shellcheck shell=bash
# tests/integration/lib/coturn.sh -- Debian's coturn (turnserver 4.6) as
# the lab's STUN and TURN server (source lab.sh first).
#
# One instance per lab. Its files are under $LAB_DIR/coturn: the
# generated turnserver.conf, its user db, pid file; its log is
# $LAB_DIR/coturn.log. Nothing under system paths is read or written
# (no /etc/turnserver.conf, no /var/lib/turn/turndb).
#
# STUN: UDP and TCP on ADDR:3478. With a second address ADDR2 (a second
# address of the same namespace, added here if missing) coturn answers
# RFC 5780 CHANGE-REQUESTs from ADDR2 and port 3479 (NAT behaviour
# discovery needs both). TURN: long-term credentials, user $COTURN_USER
# password $COTURN_PASS, realm $COTURN_REALM, relay ports
# $COTURN_MIN_PORT-$COTURN_MAX_PORT on ADDR (and ADDR2). No TLS/DTLS,
# no CLI, no metrics.
#
# Stable API: coturn_start NS ADDR [ADDR2], coturn_stop.

COTURN_USER=${COTURN_USER:-labuser}
COTURN_PASS=${COTURN_PASS:-labpass}
COTURN_REALM=${COTURN_REALM:-lab.example}
COTURN_PORT=${COTURN_PORT:-3478}
COTURN_MIN_PORT=${COTURN_MIN_PORT:-49152}
COTURN_MAX_PORT=${COTURN_MAX_PORT:-49999}
COTURN_NS=""
COTURN_ADDR=""
COTURN_ADDR2=""
COTURN_PID=""
COTURN_DIR=""

coturn__gen() {
	local f=$COTURN_DIR/turnserver.conf
	mkdir -p "$COTURN_DIR"
	{
		echo "listening-port=$COTURN_PORT"
		echo "alt-listening-port=$((COTURN_PORT + 1))"
		echo "listening-ip=$COTURN_ADDR"
		echo "relay-ip=$COTURN_ADDR"
		if [ -n "$COTURN_ADDR2" ]; then
			echo "listening-ip=$COTURN_ADDR2"
			echo "relay-ip=$COTURN_ADDR2"
		fi
		echo "min-port=$COTURN_MIN_PORT"
		echo "max-port=$COTURN_MAX_PORT"
		echo "fingerprint"
		echo "lt-cred-mech"
		echo "user=$COTURN_USER:$COTURN_PASS"
		echo "realm=$COTURN_REALM"
		echo "userdb=$COTURN_DIR/turndb"
		echo "pidfile=$COTURN_DIR/turnserver.pid"
		echo "log-file=stdout"
		echo "simple-log"
		echo "verbose"
		echo "no-tls"
		echo "no-dtls"
		echo "no-cli"
		echo "no-software-attribute"
		# lab peers live in private LAN segments behind NATs
		echo "allow-loopback-peers"
		echo "relay-threads=1"
	} >"$f"
	chmod 0600 "$f"
}

coturn__has_addr() {
	ip -n "$1" -4 -o addr show | grep -q " $2/"
}

# coturn_start NS ADDR [ADDR2]: turnserver in NS (a lab_host) on ADDR
# (and ADDR2 for RFC 5780, added to eth0 as a /24 if NS lacks it).
# Returns once it listens on UDP $COTURN_PORT; fails if it does not.
coturn_start() {
	[ $# -ge 2 ] || { echo "usage: coturn_start NS ADDR [ADDR2]" >&2; return 2; }
	COTURN_NS=$(lab_ns "$1")
	COTURN_ADDR=$2
	COTURN_ADDR2=${3:-}
	COTURN_DIR=$LAB_DIR/coturn
	if [ -n "$COTURN_ADDR2" ] &&
		! coturn__has_addr "$COTURN_NS" "$COTURN_ADDR2"; then
		ip -n "$COTURN_NS" addr add "$COTURN_ADDR2/24" dev eth0 || {
			echo "coturn_start: cannot add $COTURN_ADDR2" >&2
			return 1
		}
	fi
	coturn__gen
	lab_bg "$COTURN_NS" coturn.log turnserver \
		-c "$COTURN_DIR/turnserver.conf" >/dev/null
	COTURN_PID=$LAB_LAST_PID
	if ! lab_wait_port "$COTURN_NS" udp "$COTURN_PORT" 10 ||
		! kill -0 "$COTURN_PID" 2>/dev/null; then
		echo "coturn_start: turnserver did not come up:" >&2
		tail -n 10 "$LAB_DIR/coturn.log" >&2
		return 1
	fi
}

# coturn_stop: stop the instance (SIGTERM, SIGKILL after 5 s)
coturn_stop() {
	[ -n "$COTURN_PID" ] || return 0
	lab_stop "$COTURN_PID" 5
	COTURN_PID=""
}
