# shellcheck shell=bash disable=SC2034
# tests/integration/lib/sipp.sh -- sipp (Debian sip-tester 3.6.1) as a
# scripted SIP peer in the lab (source lab.sh first).
#
# Scenarios are conf/sipp-uac.xml and conf/sipp-uas.xml; @MEDIA@ in them
# becomes a raw G.711 u-law file (1 kHz tone) that rtp_stream sends as
# PT 0, 20 ms packets. RTP uses UDP 20000-20099 in sipp's namespace and
# is counted there (lab_udp_count NS). Files: $LAB_DIR/sipp/, logs
# $LAB_DIR/sipp-NAME-N.log (sipp output) and *-msgs.log (SIP messages).

SIPP_RTP_PORTS=20000-20099	# -mp 20000: rtp_stream ports follow it
SIPP_N=0
SIPP_PID=""

# u-law encoding of one 16-bit linear sample (G.711)
sipp__ulaw() {
	local s=$1 sign=0 e=7 mask=16384
	if [ "$s" -lt 0 ]; then
		sign=128
		s=$((-s))
	fi
	[ "$s" -le 32635 ] || s=32635
	s=$((s + 132))
	while [ "$e" -gt 0 ] && [ $((s & mask)) -eq 0 ]; do
		e=$((e - 1))
		mask=$((mask >> 1))
	done
	printf '\\x%02x' $(( ~(sign | (e << 4) | ((s >> (e + 3)) & 15)) & 255 ))
}

# sipp__media: one second of a 1 kHz tone at about -12 dBFS, u-law
sipp__media() {
	local f=$LAB_DIR/sipp/tone1k.ul s period="" i
	[ -s "$f" ] && return 0
	# 8 samples per period at 8 kHz: 0, a/sqrt2, a, a/sqrt2, 0, ...
	for s in 0 5793 8192 5793 0 -5793 -8192 -5793; do
		period=$period$(sipp__ulaw "$s")
	done
	for i in $(seq 1000); do
		printf '%b' "$period"
	done >"$f"
	: "$i"
}

sipp__prepare() {
	local ns=$1 scen=$2 name
	mkdir -p "$LAB_DIR/sipp"
	sipp__media
	sed "s|@MEDIA@|$LAB_DIR/sipp/tone1k.ul|g" "$LAB_CONF_DIR/$scen" \
		>"$LAB_DIR/sipp/$scen"
	name=${ns#"$LAB_P"}
	if [ ! -e "$LAB_DIR/sipp/counter.$name" ]; then
		lab_udp_counter "$ns" "$SIPP_RTP_PORTS"
		: >"$LAB_DIR/sipp/counter.$name"
	fi
	SIPP_N=$((SIPP_N + 1))
}

# sipp_uac NS TARGET [SIPP_ARGS...]: one call from NS (its eth0 address,
# port 5060) to TARGET (host:port, e.g. the proxy 44.0.0.1:5060),
# R-URI user 1002 unless "-s USER" is given, talking for 3 s unless
# "-d MS" is given. Blocks; returns sipp's status (0 = call completed).
sipp_uac() {
	local ns target name addr base rc=0
	ns=$(lab_ns "$1")
	target=$2
	shift 2
	name=${ns#"$LAB_P"}
	addr=$(lab_addr "$name")
	sipp__prepare "$ns" sipp-uac.xml
	base=$LAB_DIR/sipp-$name-$SIPP_N
	(cd "$LAB_DIR/sipp" && exec timeout 120 ip netns exec "$ns" \
		sipp "$target" -sf "$LAB_DIR/sipp/sipp-uac.xml" \
		-i "$addr" -p 5060 -s 1002 -d 3000 -m 1 -nostdin \
		-timeout 60s -mp 20000 \
		-trace_err -error_file "$base-err.log" \
		-trace_msg -message_file "$base-msgs.log" "$@") \
		</dev/null >"$base.log" 2>&1 || rc=$?
	return "$rc"
}

# sipp_uas_start NS [SIPP_ARGS...]: answer one call on the NS address,
# port 5060, in the background; sets SIPP_PID (call it directly, not in
# $(...), so that sipp_wait can collect the exit status)
sipp_uas_start() {
	local ns name addr base
	ns=$(lab_ns "$1")
	shift
	name=${ns#"$LAB_P"}
	addr=$(lab_addr "$name")
	sipp__prepare "$ns" sipp-uas.xml
	base=$LAB_DIR/sipp-$name-$SIPP_N
	lab_bg "$ns" "$base.log" sipp -sf "$LAB_DIR/sipp/sipp-uas.xml" \
		-i "$addr" -p 5060 -m 1 -nostdin -timeout 120s \
		-mp 20000 \
		-trace_err -error_file "$base-err.log" \
		-trace_msg -message_file "$base-msgs.log" "$@" >/dev/null
	SIPP_PID=$LAB_LAST_PID
	lab_wait_port "$ns" udp 5060 10
}

# sipp_wait PID TIMEOUT_S: wait for a sipp started by sipp_uas_start
# (in this shell) to finish; returns its status, 124 on timeout
sipp_wait() {
	local rc=0
	lab__poll "$2" lab__pid_gone "$1" || return 124
	wait "$1" 2>/dev/null || rc=$?
	return "$rc"
}
