# shellcheck shell=bash
# tests/integration/lib/natlab.sh -- shared body of test_nat_*.sh: kamailio
# 44.0.0.1, coturn (STUN, RFC 5780) 44.0.0.2+44.0.0.3, baresip 1002 on
# 44.0.0.20 (all public); ataua 1001 behind the topology the test builds.
# Source lab.sh, kamailio.sh, baresip.sh, ataua.sh, coturn.sh first.

NAT_UDP_TIMEOUT=${NAT_UDP_TIMEOUT:-20}

# natlab_public: the public side (kamailio, coturn, baresip)
natlab_public() {
	lab_host kam 44.0.0.1/24
	lab_host stun 44.0.0.2/24
	lab_host bs 44.0.0.20/24
	kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
	coturn_start stun 44.0.0.2 44.0.0.3 || lab_die "coturn did not start"
	bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 ||
		lab_die "baresip did not start"
	bs_wait_reg bs 20 || lab_die "baresip did not register"
}

# natlab_short_udp ROUTER: conntrack forgets idle UDP after the timeout
natlab_short_udp() {
	lab_exec "$1" sysctl -qw \
		net.netfilter.nf_conntrack_udp_timeout="$NAT_UDP_TIMEOUT" \
		net.netfilter.nf_conntrack_udp_timeout_stream="$NAT_UDP_TIMEOUT" ||
		lab_die "cannot shorten UDP timeouts in $1"
}

# natlab_block_udp ROUTER: the router forwards no UDP from its LAN out
# (TCP only, like some hotel and office networks)
natlab_block_udp() {
	if [ "$LAB_NFT_OK" = 1 ]; then
		ip netns exec "$(lab_ns "$1")" nft -f - <<-NFT
			table ip block {
				chain blockudp {
					type filter hook forward priority 0;
					iifname "lan" meta l4proto udp drop
				}
			}
		NFT
	else
		ip netns exec "$(lab_ns "$1")" iptables-legacy -A FORWARD \
			-i lan -p udp -j DROP
	fi || lab_die "cannot block UDP in $1"
}

# natlab_short_tcp ROUTER S: conntrack forgets idle TCP connections
# after S seconds (only keep-alives hold a flow open)
natlab_short_tcp() {
	lab_exec "$1" sysctl -qw \
		net.netfilter.nf_conntrack_tcp_timeout_established="$2" ||
		lab_die "cannot shorten TCP timeouts in $1"
	# a connection it forgot is not picked up again mid-stream
	lab_exec "$1" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 ||
		lab_die "cannot make conntrack strict in $1"
}

# natlab_router_in NAME WANSEG WAN LANSEG LAN: a cone NAT router whose
# WAN side sits in segment WANSEG (e.g. another router's LAN), for NAT
# inside NAT; its default route is that segment's gateway
natlab_router_in() {
	local name=$1 wanseg=$2 wan lanseg=$4 lan segns br gw ns
	[ $# -eq 5 ] || lab_die "usage: natlab_router_in NAME WANSEG WAN LANSEG LAN"
	lab__check_name "$name"
	wan=$(lab__with_prefix "$3")
	lan=$(lab__with_prefix "$5")
	[ -f "$LAB_DIR/seg/$wanseg" ] || lab_die "no segment '$wanseg'"
	[ ! -f "$LAB_DIR/seg/$lanseg" ] || lab_die "segment $lanseg exists"
	read -r segns br gw <"$LAB_DIR/seg/$wanseg"
	ns=$LAB_P$name
	lab__ns_add "$name"
	ip link add wan netns "$ns" type veth peer name "v$name" \
		netns "$segns" || lab_die "cannot create veth for $name"
	ip -n "$segns" link set "v$name" master "$br" up
	ip -n "$ns" addr add "$wan" dev wan
	ip -n "$ns" link set wan up
	[ "$gw" = - ] || ip -n "$ns" route add default via "$gw"
	ip -n "$ns" link add lan type bridge
	ip -n "$ns" addr add "$lan" dev lan
	ip -n "$ns" link set lan up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	echo "$ns lan ${lan%/*}" >"$LAB_DIR/seg/$lanseg"
	echo "$ns ${wan%/*} $wanseg" >"$LAB_DIR/host.$name"
	lab__masquerade "$ns" ""
}

# natlab_dns NS ADDR NAME IP: a DNS server on ADDR:53 in NS that knows
# one A record (NAME -> IP; other names NXDOMAIN, other types empty)
natlab_dns() {
	lab_bg "$1" dns.log python3 -c '
import socket, struct, sys
addr, name, ip = sys.argv[1], sys.argv[2].lower(), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
while True:
    q, peer = s.recvfrom(512)
    labels, i = [], 12
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    if len(q) < i + 5:
        continue
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    known = ".".join(labels).lower() == name
    ans = b""
    if known and qtype == 1:
        ans = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + \
            socket.inet_aton(ip)
    hdr = struct.pack("!HHHHHH", struct.unpack("!H", q[:2])[0],
                      0x8180 | (0 if known else 3), 1,
                      1 if ans else 0, 0, 0)
    s.sendto(hdr + q[12:i + 5] + ans, peer)
' "$2" "$3" "$4" >/dev/null
	lab_wait_for "ip netns exec '$(lab_ns "$1")' ss -lun | grep -q '$2:53 '" 5 ||
		lab_die "the DNS stub did not start"
}

# natlab_resolv NS ADDR: processes started in NS use the DNS server ADDR
# (ip netns exec mounts /etc/netns/NAME/resolv.conf; removed at exit)
natlab_resolv() {
	local dir
	dir=/etc/netns/$(lab_ns "$1")
	mkdir -p "$dir" && echo "nameserver $2" >"$dir/resolv.conf" ||
		lab_die "cannot write $dir/resolv.conf"
	NATLAB_RESOLV_DIRS="${NATLAB_RESOLV_DIRS:-} $dir"
	# keep the exit status for lab__on_exit (it reports it)
	trap 'natlab__rc=$?; rm -rf $NATLAB_RESOLV_DIRS;
		(exit $natlab__rc); lab__on_exit' EXIT
}

# natlab_ataua NS ADDR: start ataua (user 1001) with STUN on coturn;
# NATLAB_ORDER (YAML list) and NATLAB_PARALLEL override the policy,
# NATLAB_STUN the server ("host:port"); NATLAB_TURN=udp|tcp loads the
# turn module with coturn as the TURN server over that transport
# (NATLAB_TURN=default: server and credentials only, the rest default);
# NATLAB_TRANSPORTS ("[udp, tcp]") and NATLAB_SIP_TRANSPORT (the
# account's; NATLAB_ACC_TRANSPORT overrides the account's transport
# line, "none" drops it) choose SIP transports, NATLAB_EXPIRY ("300s")
# the REGISTER expiry; NATLAB_SIP_ALG traversal.sip_alg; NATLAB_UPNP=TIMEOUT ("3s") loads the upnp module with that
# limit; NATLAB_LOG names the daemon's log (default ataua.log),
# NATLAB_SIP_PORT its SIP port (default 5060), NATLAB_RTP_KA the RTP
# keep-alive interval (default 5s), NATLAB_KA the SIP one (default 15s,
# empty: the shipped default)
natlab_ataua() {
	local conf=$LAB_DIR/ataua.yaml mods="  - name: stun
    required: false"
	[ -z "${NATLAB_UPNP:-}" ] || mods="  - name: upnp
    required: true
$mods"
	[ -z "${NATLAB_TURN:-}" ] || mods="$mods
  - name: turn
    required: true"
	ATA_MODULES=${ATA_MODULES:-$mods} \
	ATA_TRANSPORTS=${NATLAB_TRANSPORTS:-[udp]} \
	ATA_ACC_TRANSPORT=${NATLAB_ACC_TRANSPORT:-${NATLAB_SIP_TRANSPORT:-udp}} \
	ATA_LISTEN=$2:${NATLAB_SIP_PORT:-5060} ATA_AOR=sip:1001@44.0.0.1 \
	ATA_REGISTRAR="sip:44.0.0.1${NATLAB_SIP_TRANSPORT:+;transport=$NATLAB_SIP_TRANSPORT}" \
	ATA_PASSWORD=pw1001 \
		ata_conf "$conf" "$LAB_DIR/ataua.sock"
	[ -z "${NATLAB_EXPIRY:-}" ] ||
		sed -i "s/^      expiry: 60s\$/      expiry: $NATLAB_EXPIRY/" "$conf"
	[ "${NATLAB_ACC_TRANSPORT:-}" != none ] ||
		sed -i '/^      transport: none$/d' "$conf"
	cat >>"$conf" <<-YAML
	traversal:
	  order: ${NATLAB_ORDER:-[upnp, register, stun, turn]}
	  parallel: ${NATLAB_PARALLEL:-true}
	  stun:
	    server: "${NATLAB_STUN:-44.0.0.2:3478}"
	    keepalive: ${NATLAB_KA-15s}
	    timeout: 2s
	  rtp_keepalive: ${NATLAB_RTP_KA:-5s}
	YAML
	# NATLAB_KA="" keeps the shipped default (adaptive)
	[ -n "${NATLAB_KA-15s}" ] || sed -i '/^    keepalive: $/d' "$conf"
	[ -z "${NATLAB_SIP_ALG:-}" ] ||
		echo "  sip_alg: $NATLAB_SIP_ALG" >>"$conf"
	[ -z "${NATLAB_UPNP:-}" ] || cat >>"$conf" <<-YAML
	  upnp:
	    timeout: $NATLAB_UPNP
	YAML
	if [ "${NATLAB_TURN:-}" = default ]; then
		cat >>"$conf" <<-YAML
		  turn:
		    server: "44.0.0.2:3478"
		    username: "$COTURN_USER"
		    password: "$COTURN_PASS"
		YAML
	elif [ -n "${NATLAB_TURN:-}" ]; then
		cat >>"$conf" <<-YAML
		  turn:
		    server: "44.0.0.2:3478"
		    transport: $NATLAB_TURN
		    username: "$COTURN_USER"
		    password: "$COTURN_PASS"
		    timeout: 3s
		YAML
	fi
	[ -e "$LAB_DIR/ata.counter" ] || {
		lab_udp_counter "$1" 20000-20100
		: >"$LAB_DIR/ata.counter"
	}
	ata_start "$1" "$conf" "${NATLAB_LOG:-ataua.log}" || exit 1
	"$ATA_CTL" -s "$ATA_SOCK" monitor >"$LAB_DIR/events.log" 2>&1 \
		{LAB__TAP}>&- {LAB__ERR}>&- &
	echo $! >>"$LAB_DIR/pids"
}

# natlab_expect_nat KEY VALUE|PREFIX*: a line of `atactl nat`, waited for
natlab_expect_nat() {
	local key=$1 want=$2 re
	case $want in
	*\*) re="^$key=${want%\*}" ;;
	*) re="^$key=$want\$" ;;
	esac
	if lab_wait_for "ata_ctl nat | grep -q '$re'" 10; then
		t_ok "nat: $key=$want"
	else
		t_fail "nat: $key=$want" "$(ata_ctl nat)"
	fi
}

# natlab_verdict: the verdict line's value
natlab_verdict() {
	ata_ctl nat | sed -n 's/^verdict=//p'
}

natlab_expect_verdict() {
	local want=$1 got
	lab_wait_for "natlab_verdict | grep -q '^$want'" 15
	got=$(natlab_verdict)
	case $got in
	"$want"*) t_ok "verdict: $got" ;;
	*) t_fail "verdict starts with '$want'" "$(ata_ctl nat)" ;;
	esac
}

# natlab_register: ataua registers; kamailio's contact is PUBLIC_IP
natlab_register() {
	lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 25 &&
		t_ok "ataua registers" ||
		t_fail "ataua registers" "$(ata_ctl reg)" "$(ata_ctl nat)"
	if [ -n "${1:-}" ]; then
		lab_wait_for "kam_registered 1001 | grep -q '@$1:'" 10 &&
			t_ok "kamailio has 1001's contact at $1" ||
			t_fail "kamailio has 1001's contact at $1" \
				"$(kam_registered 1001)"
	fi
}

# natlab_rtp_mark: remember baresip's RTP counters before a call
natlab_rtp_mark() {
	read -r NATLAB_BS_IN0 NATLAB_BS_OUT0 < <(bs_rtp_count bs)
}

# natlab_rtp_both_ways WHAT: in the current call, RTP flows both ways
# (ataua's counters, and baresip's since natlab_rtp_mark); through the
# relay when NATLAB_TURN is set
natlab_rtp_both_ways() {
	local calls rx tx bad bin bout nat
	lab_wait_for "[ \"\$(ata_ctl calls | sed -n 's/^rx_packets=//p' |
		head -n 1)\" -gt 100 ] 2>/dev/null" 10 || true
	calls=$(ata_ctl calls)
	rx=$(printf '%s\n' "$calls" | sed -n 's/^rx_packets=//p' | head -n 1)
	tx=$(printf '%s\n' "$calls" | sed -n 's/^tx_packets=//p' | head -n 1)
	bad=$(printf '%s\n' "$calls" | sed -n 's/^rx_bad=//p' | head -n 1)
	[ "${rx:-0}" -gt 50 ] && [ "${tx:-0}" -gt 50 ] && [ "${bad:-1}" = 0 ] &&
		t_ok "$1: ataua counts RTP both ways (rx=$rx tx=$tx bad=$bad)" ||
		t_fail "$1: ataua counts RTP both ways" "$calls"
	read -r bin bout < <(bs_rtp_count bs)
	bin=$((bin - ${NATLAB_BS_IN0:-0}))
	bout=$((bout - ${NATLAB_BS_OUT0:-0}))
	[ "$bin" -gt 50 ] && [ "$bout" -gt 50 ] &&
		t_ok "$1: baresip sees RTP both ways (in=$bin out=$bout)" ||
		t_fail "$1: baresip sees RTP both ways" "in=$bin out=$bout"
	# a topology's own checks while the call is up
	[ -z "${NATLAB_IN_CALL:-}" ] || "$NATLAB_IN_CALL" "$1"
	[ -n "${NATLAB_TURN:-}" ] || return 0
	nat=$(ata_ctl nat)
	printf '%s\n' "$nat" | grep -q '^rtp_public=.*>44\.0\.0\.[23]:.*(relayed)' &&
		t_ok "$1: the call's RTP address is a relay on coturn" ||
		t_fail "$1: the call's RTP address is a relay on coturn" "$nat"
	printf '%s\n' "$calls" | grep -qx 'last_remote=44.0.0.20:.*' &&
		t_ok "$1: RTP from baresip arrives unwrapped from the relay" ||
		t_fail "$1: RTP from baresip arrives unwrapped" "$calls"
}

# natlab_bs_heard_tone WHAT: baresip's last recording holds our 1004 Hz
natlab_bs_heard_tone() {
	local dec out
	dec=$(find "$(bs__dir bs)" -name '*dec*.wav' -newer "$LAB_DIR/call.mark" \
		2>/dev/null | sort | tail -n 1)
	if [ -n "$dec" ] && out=$(python3 \
		"$ATA_ROOT/tests/integration/lib/wavtone.py" "$dec" 1004 0.5); then
		t_ok "$1: baresip's recording holds our 1004 Hz tone ($out)"
	else
		t_fail "$1: baresip's recording holds our 1004 Hz tone" \
			"file=$dec ${out:-}"
	fi
}

# natlab_call_out [WHAT]: ataua calls baresip; audio both ways, our tone
# recorded
natlab_call_out() {
	local what=${1:-outgoing}
	: >"$LAB_DIR/call.mark"
	natlab_rtp_mark
	ata_ctl line 1 offhook >/dev/null
	ata_ctl line 1 digits 1002 >/dev/null
	ata_wait_line 1 connected 20 && t_ok "$what: ataua -> baresip: connected" ||
		t_fail "$what: ataua -> baresip: connected" "$(ata_ctl line 1)"
	natlab_rtp_both_ways "$what"
	ata_ctl nat | grep -q '^rtp_public=' &&
		t_ok "$what: nat shows the call's public RTP address" ||
		t_skip "$what: nat shows the call's public RTP address" "no NAT"
	ata_ctl line 1 onhook >/dev/null
	bs_wait_call_state bs none 10 || true
	ata_wait_line 1 idle 10 || true
	natlab_bs_heard_tone "$what"
}

# natlab_call_in WHAT: baresip calls ataua; it rings, answers, audio
natlab_call_in() {
	: >"$LAB_DIR/call.mark"
	natlab_rtp_mark
	bs_dial bs sip:1001@44.0.0.1
	lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
		t_ok "$1: baresip -> ataua rings" ||
		t_fail "$1: baresip -> ataua rings" "$(ata_ctl line 1)" \
			"$(ata_ctl nat)"
	ata_ctl line 1 offhook >/dev/null
	ata_wait_line 1 connected 10 && t_ok "$1: answered" ||
		t_fail "$1: answered" "$(ata_ctl line 1)"
	natlab_rtp_both_ways "$1"
	bs_hangup bs 2>/dev/null
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 10 || true
	bs_wait_call_state bs none 10 || true
	natlab_bs_heard_tone "$1"
}

# natlab_calls_both_ways WHAT: a call out, a call in, and a call in
# after the router's UDP conntrack timeout has passed (the keep-alives
# must have held the mapping)
natlab_calls_both_ways() {
	natlab_call_out "$1 outgoing"
	natlab_call_in "$1 inbound"
	sleep $((NAT_UDP_TIMEOUT + 10))
	natlab_call_in "$1 inbound after the UDP timeout"
}

# natlab_hold_mapping WHAT WANT ROUTER: baresip calls, ataua answers,
# baresip holds (both sides then send no RTP) for longer than ROUTER's
# UDP timeout; WANT=kept: the router still maps our RTP port (only the
# RTP keep-alives can have held it), WANT=lost: it forgot it
natlab_hold_mapping() {
	local what=$1 want=$2 port entry
	bs_dial bs sip:1001@44.0.0.1
	lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10
	ata_ctl line 1 offhook >/dev/null
	ata_wait_line 1 connected 10 || t_fail "$what: answered" "$(ata_ctl line 1)"
	port=$(ata_ctl nat | sed -n 's/^rtp_public=[0-9.]*:\([0-9]*\)>.*/\1/p')
	bs_cmd bs hold >/dev/null
	lab_wait_for "ata_ctl calls | grep -qx 'dir=recvonly'" 10 ||
		t_fail "$what: baresip holds" "$(ata_ctl calls)"
	sleep $((NAT_UDP_TIMEOUT + 10))
	entry=$(lab_exec "$3" cat /proc/net/nf_conntrack |
		grep "udp .*src=192\.168\.1\.10 dst=44\.0\.0\.20 sport=$port ")
	if [ "$want" = kept ] && [ -n "$port" ] && [ -n "$entry" ]; then
		t_ok "$what: after $((NAT_UDP_TIMEOUT + 10)) s on hold the router still maps RTP port $port"
	elif [ "$want" = lost ] && [ -n "$port" ] && [ -z "$entry" ]; then
		t_ok "$what: after $((NAT_UDP_TIMEOUT + 10)) s on hold the router forgot RTP port $port"
	else
		t_fail "$what: RTP mapping $want (port ${port:-?})" "${entry:-no entry}"
	fi
	bs_hangup bs 2>/dev/null
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 10 || true
	bs_wait_call_state bs none 10 || true
}

# natlab_stop_ataua: stop the daemon (to start it again, other config)
natlab_stop_ataua() {
	lab_stop "$ATA_PID" 5
	ATA_PID=""
}
