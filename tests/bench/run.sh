#!/bin/sh
# tests/bench/run.sh  `make bench`: ataua beside baresip 1.0 on the
# RTP -> PCM receive path (one G.711 PCMU stream per call, 20 ms, lo).
#
# usage: tests/bench/run.sh [-q] [-o DIR] [-i IDLE_S] [-w WARM_S]
#            [-s STEADY_S] [-n "1 4 16 64"] [-m "native latency
#            callgrind duplex stall"] [-p PERIOD_MS] [-R] [-B]
#            [-b "modes"]
#   -q  quick run (about 10 min, 7 with -R): windows 5/3/10 s, 1 4 16
#       (what -i -w -s -n do not set)
#   -o  results folder (default build/bench/results/<timestamp>)
#   -i -w -s  idle, warm-up and steady windows in seconds (10/5/20)
#   -n  simultaneous calls of the scaling runs (each its own ataua run)
#   -m  ataua runs besides scaling: native (= scaling with 1 call),
#       latency (vslic records the line: playout delay), callgrind,
#       duplex (callgrind of a sendrecv call with capture: the DTMF
#       detector and the echo canceller run), stall (the audio thread
#       held off its CPU for 30 ms, then 60 ms, by stall.py: the time
#       until the playout delay is back on target)
#   -p  media.period of every ataua run (default: ataua's, 20 ms); the
#       period study (wake-ups per packet and latency at another period)
#   -R  no registration timing (nat_reg.sh, several minutes)
#   -B  no baresip column; -b its modes (native callgrind latency floor)
# Environment: BARESIP_BENCH (the recipe folder, default
# ../shared/bench-baresip next to the repo), PKT_FN (the function ataua
# calls once per received packet, default call_rx_packet: both the media thread and the main loop).
#
# Each ataua run: start with N lines, idle window (no call), N calls
# from one sipp, warm-up, steady window, hang-up, SIGTERM. Everything it
# starts is tracked by pid, bounded by timeout(1) and stopped by pid.
# Uses 127.0.0.1 UDP 5080 (ataua), 5084-5090 (sipp, one per 16 calls),
# 30000-30999 (ataua RTP) and 32000-35999 (sipp RTP). The results:
# summary.txt, results.json, playout.png (tests/bench/analyze.py).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
BARESIP_BENCH=${BARESIP_BENCH:-$(cd "$ROOT/.." && pwd)/shared/bench-baresip}
PKT_FN=${PKT_FN:-call_rx_packet}
OUT=""
IDLE_S=10
WARM_S=5
STEADY_S=20
SCALE="1 4 16 64"
MODES="native latency callgrind duplex stall"
PERIOD=""
NATREG=1
BMODES="native callgrind latency floor"
QUICK=0
while getopts "qo:i:w:s:n:m:p:RBb:h" opt; do
	case $opt in
	q) QUICK=1 ;;
	o) OUT=$OPTARG ;;
	i) IDLE_S=$OPTARG SET_I=1 ;;
	w) WARM_S=$OPTARG SET_W=1 ;;
	s) STEADY_S=$OPTARG SET_S=1 ;;
	n) SCALE=$OPTARG SET_N=1 ;;
	m) MODES=$OPTARG ;;
	p) PERIOD=$OPTARG ;;
	R) NATREG=0 ;;
	B) BMODES="" ;;
	b) BMODES=$OPTARG ;;
	*) sed -n '2,33p' "$0"; exit 2 ;;
	esac
done
# -q sets what -i -w -s -n did not
if [ $QUICK = 1 ]; then
	[ -n "${SET_I:-}" ] || IDLE_S=5
	[ -n "${SET_W:-}" ] || WARM_S=3
	[ -n "${SET_S:-}" ] || STEADY_S=10
	[ -n "${SET_N:-}" ] || SCALE="1 4 16"
fi
for v in "$IDLE_S" "$WARM_S" "$STEADY_S" $SCALE $PERIOD; do
	case $v in
	''|*[!0-9]*) echo "bench: not a number: $v" >&2; exit 2 ;;
	esac
done
[ -z "$PERIOD" ] || { [ "$PERIOD" -ge 5 ] && [ "$PERIOD" -le 40 ]; } ||
	{ echo "bench: period must be 5..40 ms: $PERIOD" >&2; exit 2; }
for n in $SCALE; do
	[ "$n" -ge 1 ] && [ "$n" -le 64 ] ||
		{ echo "bench: calls must be 1..64: $n" >&2; exit 2; }
done

OUT=${OUT:-$ROOT/build/bench/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

SIP_ATA=5080
SIP_UAC=5084       # first sipp; one more every 2 ports per group
GROUP=16           # calls per sipp: one sipp keeps pace with 16 streams
                   # here, not with 64 (it then sends ~20 % late)
RTP_RANGE=30000-30999
SIPP_RTP=32000
# call length after the ACK: answering 64 lines takes a few seconds, and
# every call must outlive the steady window
CALL_S=$((WARM_S + STEADY_S + 12))
ATACTL=$ROOT/atactl
PLUGDIR=$ROOT/build/tests/alsa

# shellcheck source=proc.sh
. "$ROOT/tests/bench/proc.sh"

# ---- the whole run is bounded (the baresip recipe bounds itself too)
nruns=$(( $(echo "$MODES" | wc -w) + $(echo "$SCALE" | wc -w) ))
MAX_S=$(( nruns * (IDLE_S + CALL_S + 120) + 8 * (IDLE_S + CALL_S + 150) ))
MAINPID=$$
( trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$MAX_S" & s=$!
  wait "$s" && kill -TERM "$MAINPID" ) 2>/dev/null &
PIDS+=("$!")

# ---- prerequisites
[ -x "$ROOT/ataua" ] && [ -x "$ATACTL" ] || die "build ataua first (make)"
for t in sipp python3 timeout ss; do
	command -v $t >/dev/null || die "$t not found (make deps)"
done
if ! command -v tcpdump >/dev/null && [ "$(id -u)" = 0 ]; then
	log "installing tcpdump (latency runs)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q tcpdump \
		>>"$OUT/run.log" 2>&1
fi
case " $MODES " in
*" latency "*|*" stall "*)
	command -v tcpdump >/dev/null || { log "no tcpdump: no latency run"
		MODES=$(echo " $MODES " | sed 's/ latency / /; s/ stall / /'); } ;;
esac
case " $MODES " in
*" stall "*)
	if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
		log "stall run needs 2 CPUs and taskset: not run"
		MODES=$(echo " $MODES " | sed 's/ stall / /')
	fi ;;
esac
case " $MODES " in
*" callgrind "*|*" duplex "*)
	command -v callgrind_control >/dev/null || die "valgrind not found" ;;
esac
[ -f "$PLUGDIR/libasound_module_pcm_vslic.so" ] ||
	make -C "$ROOT" -s vslic >>"$OUT/run.log" 2>&1 ||
	die "cannot build the vslic plugin (make vslic)"
for port in $SIP_ATA $SIP_UAC $((SIP_UAC + 2)) $((SIP_UAC + 4)) \
		$((SIP_UAC + 6)); do
	ss -Hlun "sport = :$port" | grep -q . && die "UDP port $port busy"
done

{
	echo "date: $(date -Is)"
	echo "uname: $(uname -a)"
	echo "nproc: $(nproc)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
		head -n 1)"
	echo "git: $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
	echo "audio_alsa_lines: $(wc -l < "$ROOT/modules/audio-alsa/audio-alsa.c")"
	echo "params: idle=$IDLE_S warm=$WARM_S steady=$STEADY_S" \
		"scale=$SCALE modes=$MODES baresip=$BMODES pkt_fn=$PKT_FN" \
		"period=${PERIOD:-default}"
	dpkg-query -W -f='pkg: ${Package} ${Version}\n' baresip-core \
		libre0 librem0 libasound2 sip-tester valgrind 2>/dev/null
} > "$OUT/env.txt"

# ---- snapshots of a process (all its threads)
now() { date +%s.%N; }

# "sched_ns voluntary_cs involuntary_cs threads" summed over threads
cpu_snap() {
	local f ns=0 v=0 nv=0 n=0 a b
	for f in "/proc/$1/task/"*; do
		read -r a _ < "$f/schedstat" 2>/dev/null || continue
		ns=$((ns + a))
		n=$((n + 1))
		while read -r a b; do
			case $a in
			voluntary_ctxt_switches:) v=$((v + b)) ;;
			nonvoluntary_ctxt_switches:) nv=$((nv + b)) ;;
			esac
		done < "$f/status"
	done
	echo "$ns $v $nv $n"
}

# one line per thread: "tid comm sched_ns voluntary_cs". Builtins only:
# two forks a thread took 12 s with 64 lines on the loaded 2-core box,
# and the packet counters that bracket the steady window drifted off it
thread_snap() {
	local f c ns v a b
	for f in "/proc/$1/task/"*; do
		read -r ns _ < "$f/schedstat" 2>/dev/null || continue
		read -r c < "$f/comm"
		v=0
		while read -r a b; do
			[ "$a" = voluntary_ctxt_switches: ] && v=$b
		done < "$f/status"
		echo "${f##*/} ${c// /} $ns $v"
	done
}

# CLOCK_REALTIME - CLOCK_MONOTONIC in ns (pcap stamps vs vslic's log)
clock_offset() {
	python3 -c 'import time
r = time.clock_gettime_ns(time.CLOCK_REALTIME)
m = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
print(r - m)'
}

# received packets, summed over ataua's calls (`atactl calls`)
rx_snap() {
	"$ATACTL" -s "$1" calls 2>/dev/null |
		awk -F= '$1 == "rx_packets" {n += $2} END {print n + 0}'
}

acks_at_least() {  # acks_at_least DIR N: N calls answered (all sipps)
	local c
	c=$(cat "$1"/sipp*_msgs.log 2>/dev/null | grep -c '^ACK sip:')
	[ "${c:-0}" -ge "$2" ]
}

write_config() {  # write_config DIR NLINES PCM
	local d=$1 n=$2 pcm=$3 i
	sed -e "s|@SOCK@|$d/ataua.sock|" -e "s|@MODDIR@|$ROOT/modules|" \
	    -e "s|@SIP@|127.0.0.1:$SIP_ATA|" -e "s|@RTP@|$RTP_RANGE|" \
		"$HERE/ataua-head.yaml.in" > "$d/ataua.yaml"
	[ -z "$PERIOD" ] ||
		sed -i "s|^  rtp_ports: .*|&\n  period: ${PERIOD}ms|" \
			"$d/ataua.yaml"
	for i in $(seq 1 "$n"); do
		sed -e "s|@ID@|$i|" -e "s|@PCM@|$pcm|" \
		    -e "s|@USER@|$((1000 + i))|" \
			"$HERE/ataua-line.yaml.in" >> "$d/ataua.yaml"
		[ $(((i - 1) % GROUP)) = 0 ] &&
			echo SEQUENTIAL > "$d/users$(((i - 1) / GROUP)).csv"
		echo "$((1000 + i))" >> "$d/users$(((i - 1) / GROUP)).csv"
	done
	chmod 0600 "$d/ataua.yaml"
	sed -e "s|@PLUGDIR@|$PLUGDIR|" -e "s|@RUN@|$d|g" \
		"$HERE/asoundrc.in" > "$d/asoundrc"
}

# peak and current RSS, PSS and the private pages (USS = Private_Clean
# + Private_Dirty: what the process alone costs the box), as the
# baresip recipe records them
mem_snap() {
	grep -E '^(VmHWM|VmRSS|RssAnon|RssFile)' "/proc/$1/status"
	grep -E '^(Pss|Private_Clean|Private_Dirty):' "/proc/$1/smaps_rollup"
}

# the line's audio thread: the SCHED_FIFO one ("TID RT_PRIORITY"); the
# fields of stat after "(comm) ": 38 rt_priority, 39 policy (1 = FIFO)
audio_thread() {
	local f
	for f in "/proc/$1/task/"*; do
		sed 's/.*) //' "$f/stat" 2>/dev/null |
			awk -v t="${f##*/}" '$39 == 1 {print t, $38; exit}'
	done | head -n 1
}

# stall_seq PID DIR: the stall run's steady window. The audio thread is
# pinned to the last CPU and stall.py takes that CPU at a higher
# real-time priority for 30 ms, then (4 s later) 60 ms; the call goes on
# 4 s after each. stall.py's own start and end go to DIR/stalls.txt.
stall_seq() {
	local tid prio mask cpu=$(($(nproc) - 1)) ms
	read -r tid prio <<< "$(audio_thread "$1")"
	if [ -z "$tid" ]; then
		log "stall: no real-time audio thread in ataua: not stalled"
		sleep "$STEADY_S"
		return
	fi
	mask=$(taskset -p "$tid" | sed 's/.*: //')
	taskset -pc "$cpu" "$tid" > /dev/null
	echo "audio_thread $tid rt_priority $prio cpu $cpu" > "$2/stalls.txt"
	sleep 2
	for ms in 30 60; do
		timeout 5 python3 "$HERE/stall.py" "$cpu" $((prio + 1)) "$ms" \
			>> "$2/stalls.txt" 2>&1
		sleep 4
	done
	taskset -p "$mask" "$tid" > /dev/null
}

# run_ataua MODE N: one complete ataua run with N lines and N calls
run_ataua() {
	local mode=$1 n=$2 d=$OUT/ataua/$1-$2 slow=1 pcm=bench_null
	local pre=() ap sps=() tp="" g m rc cg=0 xml=$HERE/caller.xml
	case $mode in callgrind|duplex) cg=1 slow=5 ;; esac
	mkdir -p "$d"
	ln -sf ../../media.ul "$d/media.ul"
	case $mode in
	latency) pcm=bench_rec ;;
	stall)   # a playout delay every 200 ms, not every 2 s
		pcm=bench_rec
		ln -sf ../../bursts.ul "$d/media.ul" ;;
	esac
	if [ "$mode" = duplex ]; then
		# the line talks back: speech-like capture over the
		# hybrid's echo, the call sendrecv
		pcm=bench_duplex
		ln -sf ../../speech.raw "$d/capture.raw"
		xml=$d/caller.xml
		sed 's/a=sendonly/a=sendrecv/' "$HERE/caller.xml" > "$xml"
	fi
	write_config "$d" "$n" "$pcm"
	: > "$d/phases.txt"
	log "[ataua $mode, $n call(s)] start"

	if [ "$mode" = latency ] || [ "$mode" = stall ]; then
		timeout $((IDLE_S + CALL_S + 60)) tcpdump -i lo -n -s 128 -U \
			--time-stamp-precision=nano -w "$d/rtp.pcap" \
			"udp and dst portrange $RTP_RANGE" \
			> "$d/tcpdump.log" 2>&1 &
		tp=$!
		PIDS+=("$tp")
		sleep 1
	fi
	if [ $cg = 1 ]; then
		pre=(valgrind --tool=callgrind --dump-instr=no
		     --separate-threads=no
		     --callgrind-out-file="$d/callgrind.out"
		     --log-file="$d/valgrind.log")
	fi
	ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$d/asoundrc \
		timeout -s KILL $((slow * 30 + IDLE_S + CALL_S + 60)) \
		"${pre[@]}" "$ROOT/ataua" -c "$d/ataua.yaml" \
		< /dev/null > "$d/ataua.log" 2>&1 &
	ap=$!
	PIDS+=("$ap")
	# timeout(1) forks: the measured process is its child
	wait_for 5 pgrep -P "$ap" > /dev/null || die "ataua did not start"
	local apid
	apid=$(pgrep -P "$ap" | head -n 1)
	echo "$apid" > "$d/ataua.pid"
	wait_for $((10 * slow)) "$ATACTL" -s "$d/ataua.sock" -t 2 ping \
		> /dev/null 2>&1 || die "ataua not answering (see $d/ataua.log)"
	sh "$HERE/autoanswer.sh" "$d/ataua.sock" "$ATACTL" \
		> "$d/autoanswer.log" 2>&1 &
	PIDS+=("$!")
	sleep 2

	# ---- idle window: started, no call
	[ $cg = 1 ] && callgrind_control -z "$apid" > /dev/null 2>&1
	echo "idle_start $(now) $(cpu_snap "$apid")" >> "$d/phases.txt"
	sleep "$IDLE_S"
	echo "idle_end $(now) $(cpu_snap "$apid")" >> "$d/phases.txt"
	[ $cg = 1 ] &&
		callgrind_control --dump=idle "$apid" > /dev/null 2>&1
	mem_snap "$apid" > "$d/mem_idle.txt"
	echo "clock_offset_ns $(clock_offset)" >> "$d/phases.txt"

	# ---- N calls, all up before the warm-up ends
	for g in $(seq 0 $(((n - 1) / GROUP))); do
		m=$(( n - g * GROUP < GROUP ? n - g * GROUP : GROUP ))
		( cd "$d" && exec timeout $((CALL_S + 60 * slow)) sipp \
			127.0.0.1:$SIP_ATA -sf "$xml" \
			-inf "users$g.csv" -i 127.0.0.1 \
			-p $((SIP_UAC + 2 * g)) -mi 127.0.0.1 \
			-mp $((SIPP_RTP + 1000 * g)) -m "$m" -l "$m" -r "$m" \
			-d $((CALL_S * 1000)) -nostdin \
			-timeout $((CALL_S + 50 * slow))s -trace_err -trace_msg \
			-message_file "$d/sipp${g}_msgs.log" ) \
			> "$d/sipp$g.out" 2>&1 &
		sps+=("$!")
		PIDS+=("$!")
	done
	echo "call_start $(now)" >> "$d/phases.txt"
	wait_for $((15 + 10 * slow)) acks_at_least "$d" "$n" ||
		die "ataua $mode: not all $n calls answered (see $d)"
	echo "calls_up $(now)" >> "$d/phases.txt"
	sleep "$WARM_S"

	# ---- steady window: rx counters just outside the CPU bracket
	echo "rx_start $(now) $(rx_snap "$d/ataua.sock")" >> "$d/phases.txt"
	thread_snap "$apid" > "$d/threads_start.txt"
	[ $cg = 1 ] && callgrind_control -z "$apid" > /dev/null 2>&1
	echo "steady_start $(now) $(cpu_snap "$apid")" >> "$d/phases.txt"
	if [ "$mode" = stall ]; then
		stall_seq "$apid" "$d"
	else
		sleep "$STEADY_S"
	fi
	echo "steady_end $(now) $(cpu_snap "$apid")" >> "$d/phases.txt"
	[ $cg = 1 ] &&
		callgrind_control --dump=steady "$apid" > /dev/null 2>&1
	thread_snap "$apid" > "$d/threads_end.txt"
	echo "rx_end $(now) $(rx_snap "$d/ataua.sock")" >> "$d/phases.txt"
	echo "fds $(ls "/proc/$apid/fd" | wc -l) $(awk \
		'/^Max open files/ {print $4}' "/proc/$apid/limits")" \
		>> "$d/phases.txt"
	mem_snap "$apid" > "$d/mem_call.txt"
	awk '$6 ~ /^\// {print $6}' "/proc/$apid/maps" | sort -u |
		while read -r f; do
			echo "$(stat -L -c %s "$f") $f"
		done > "$d/maps_files.txt"
	"$ATACTL" -s "$d/ataua.sock" calls > "$d/calls.txt" 2>&1
	"$ATACTL" -s "$d/ataua.sock" stats > "$d/stats.txt" 2>&1
	echo "clock_offset_ns $(clock_offset)" >> "$d/phases.txt"

	# ---- sipp hangs up by itself; then stop ataua
	wait_for $((CALL_S + 30 * slow)) eval '! any_alive "${sps[@]}"'
	for g in "${!sps[@]}"; do
		wait "${sps[$g]}" 2>/dev/null
		rc=$?
		echo "sipp_rc $g $rc" >> "$d/phases.txt"
		[ $rc = 0 ] || log "sipp $g exited $rc (see $d/sipp$g.out)"
	done
	sleep 1
	stop_pid "$ap" $((5 * slow))
	[ -n "$tp" ] && stop_pid "$tp" 3
	if [ $cg = 1 ] && command -v callgrind_annotate \
			> /dev/null; then
		for f in "$d"/callgrind.out.*; do
			case $f in *.txt) continue ;; esac
			callgrind_annotate --inclusive=yes --threshold=99 "$f" \
				> "$f.inclusive.txt" 2>/dev/null
		done
	fi
	log "[ataua $mode, $n call(s)] done"
}

# ---- baresip column: the shared recipe, its results under $OUT
if [ -n "$BMODES" ]; then
	[ -x "$BARESIP_BENCH/run_bench.sh" ] ||
		die "no baresip recipe at $BARESIP_BENCH (or use -B)"
	log "baresip column: $BARESIP_BENCH/run_bench.sh -m \"$BMODES\""
	"$BARESIP_BENCH/run_bench.sh" -o "$OUT/baresip" -m "$BMODES" \
		-i "$IDLE_S" -w "$WARM_S" -s "$STEADY_S" \
		> "$OUT/baresip.out" 2>&1 ||
		log "baresip column failed (see $OUT/baresip.out)"
fi

# ---- ataua column
python3 "$HERE/media.py" "$OUT/media.ul" 60 || die "media.py failed"
python3 "$HERE/media.py" -s "$OUT/speech.raw" 10 || die "media.py failed"
python3 "$HERE/media.py" -b "$OUT/bursts.ul" 60 || die "media.py failed"
for m in $MODES; do
	case $m in
	native) ;;      # = the 1-call scaling run
	latency|callgrind|duplex|stall) run_ataua "$m" 1 ;;
	*) die "unknown mode $m" ;;
	esac
done
case " $MODES " in
*" native "*) case " $SCALE " in *" 1 "*) ;; *) SCALE="1 $SCALE" ;; esac ;;
esac
for n in $SCALE; do
	run_ataua native "$n"
done

cleanup
[ $NATREG = 0 ] || bash "$HERE/nat_reg.sh" -n "$([ "$QUICK" = 1 ] && echo 1 || echo 3)" -o "$OUT/nat_reg.txt" || log "nat_reg: not run (see $OUT/nat_reg.txt.*.log)"
PKT_FN=$PKT_FN python3 "$HERE/analyze.py" "$OUT" || die "analyze.py failed"
log "results in $OUT (summary.txt, results.json, playout.png)"
