#!/bin/bash
# End-to-end playout latency through the real audio path, on loopback:
# a python peer (lib/rtppeer.py) calls ataua straight, the test takes the
# line off-hook, and the peer sends PCMU with a 1 kHz burst every 500 ms
# through lib/impair.py (jitter 0..8 ms, 2 % loss, 1 % duplicates, 2 %
# reordering) while ataua plays into the virtual SLIC (tests/alsa,
# paced, skewed by VSLIC_SKEW_PPM). From the recording and its
# per-period clock log the peer script measures each burst's delay
# against its nominal arrival (the relay's forward time of packet 0, the
# earliest its ten unimpaired first packets imply, + RTP timestamp): no
# wall-clock time of the run is asserted.
# Two calls, skew +200 and -200 ppm, each its own ataua, run at once:
#   - every delay is within [depth, depth + one period] (+-1 ms of onset
#     detection), and max - min <= one period, except in the second
#     after a moment with evidence that the machine or the sender could
#     not run: an xrun in the call, a stall >= 8 ms that a real-time
#     probe (lib/stallprobe.py, one on each CPU) saw, or a packet the
#     relay sent >= 30 ms late (its thread stalled), and the call's
#     start (one packet set the delay). Those excursions
#     are reported; from one second after each, the delay must be back
#     in its window (the product's recovery is what is judged)
#   - at least 80 % of the bursts found (the analysis sees the call)
#   - no xruns during the call (vslic log between off-hook and the
#     peer's end, and the per-call `stats`), losses concealed and
#     counted; xruns outside the call are reported, not judged. An
#     xrun in the call is a SKIP with the evidence, not a pass and not
#     a failure, only when the machine could not run the audio thread:
#     a stall of the whole machine that lib/stallprobe.py (a second
#     real-time thread) saw >= 10 ms at that moment (hypervisor steal
#     while other labs start, 20-100 ms measured here), or a daemon
#     that could not get real-time priority (it logs so)
#   - the skew absorbed by about |ppm| x 8000 x secs single-sample
#     steps the right way (with the drift control off, or no skew, the
#     count is wrong and, over 60 s, the delay leaves its window)
# LAT_SECS (default 60) sets the length of each call; ATA_WRAP runs the
# daemon under a tool (e.g. "valgrind --error-exitcode=9"); KEEP=1 keeps
# the recordings.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${LAT_SECS:-60}
# the shipped defaults (conf/ataua.yaml), which the config leaves alone
depth=35
period=20
# A stall the probe sees counts as evidence from this length on. The
# device keeps media.slack, 10 ms, when the thread wakes; the audio
# thread spends part of it itself (its own wake-up and the period's work,
# 1-2 ms on these VMs), and the probe, which sleeps 1 ms at a time on
# another CPU, sees a stall's length to about 1 ms: a CI run failed with
# an xrun 18 ms after the last wake-up while the probe saw 8.8 ms at that
# moment (2026-12-05). From 8 ms on, the machine took the slack.
stall_ms=8
# An xrun is excused by a shorter probe gap when it falls at the same
# moment (within 5 ms): the CI run of 2026-12-06 had an xrun with a
# 21 ms gap in the audio thread's wake-ups while a probe saw 7.0 ms
# ending 1.7 ms before it. The probes see a gap of 5 ms or more about
# 11 times in the 100 s of a run, so one of them landing on an xrun by
# chance is a 1-in-1000 coincidence: evidence, not an excuse for any
# xrun. (The recovery check keeps stall_ms: its moments must be real
# stalls.)
xrun_evidence_ms=5
n=0
fails=0

t_ok() { n=$((n + 1)); echo "ok $n - $1"; }
t_fail() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

[ -x "$root/ataua" ] || { echo "1..0 # SKIP build ataua first"; exit 77; }
plug=$root/build/tests/alsa/libasound_module_pcm_vslic.so
[ -f "$plug" ] || make -C "$root" vslic >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP no vslic plugin"; exit 77; }
[ -f /usr/share/alsa/alsa.conf ] ||
	{ echo "1..0 # SKIP no system alsa.conf"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 77; }
. "$root/tests/integration/lib/stallwatch.sh"

tmp=$(mktemp -d /tmp/ataua-lat.XXXXXX)
pids=()
cleanup() {
	local p f
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for f in "$tmp"/*/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

sed "s|@PLUGDIR@|$(dirname "$plug")|" "$root/tests/alsa/asoundrc.in" \
	>"$tmp/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$tmp/asoundrc
base=$((25060 + RANDOM % 1000))

# config DIR SIP_PORT RTP_RANGE
config() {
	cat >"$1/ataua.yaml" <<YAML
log:
  level: info
control:
  socket: $1/ataua.sock
module_path: $root/modules
modules:
  - name: audio-alsa
    required: true
sip:
  listen: 127.0.0.1:$2
  accept_from: any
media:
  rtp_ports: $3
lines:
  - id: 1
    device: vslic
    account:
      aor: sip:1001@127.0.0.1
YAML
}

# CLOCK_MONOTONIC in ns, the vslic log's clock

# one_call SKEW SIP_PORT RTP_RANGE: a whole call; leaves OUT/{stats,res}
one_call() {
	local skew=$1 port=$2 out=$tmp/skew$1 i st apid peer
	local sock=$out/ataua.sock
	ctl() { "$root/atactl" -s "$sock" "$@"; }

	mkdir -p "$out"
	config "$out" "$port" "$3"
	VSLIC_SKEW_PPM=$skew VSLIC_PLAYBACK=$out/play.raw \
	VSLIC_LOG=$out/play.log VSLIC_CAPTURE=tone:1004 \
		${ATA_WRAP:-} "$root/ataua" -c "$out/ataua.yaml" \
		>"$out/ataua.log" 2>&1 &
	apid=$!
	echo "$apid" >"$out/ataua.pid"
	for i in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
	python3 "$root/tests/integration/lib/rtppeer.py" call \
		127.0.0.1:"$port" 1001 "$secs" "$out" 8 0.02 0.01 0.02 \
		>"$out/peer.log" 2>&1 &
	peer=$!
	echo "$peer" >"$out/peer.pid"
	for i in $(seq 150); do
		st=$(ctl line 1 2>/dev/null)
		case $st in *ring=yes*) break ;; esac
		sleep 0.1
	done
	# the call's start before the answer: on a busy machine the
	# stamp after it came seconds late, and xruns of those went unseen
	mono >"$out/t_call"
	ctl line 1 offhook >/dev/null
	# the call's stats, as late as the call still has them: the peer
	# sends for $secs s from the answer, whenever the test saw it
	while kill -0 "$peer" 2>/dev/null; do
		st=$(ctl stats 1 2>&1)
		case $st in *rx_lost=*) printf '%s\n' "$st" >"$out/stats" ;; esac
		sleep 1
	done
	wait "$peer"
	mono >>"$out/t_call"
	ctl line 1 onhook >/dev/null
	kill "$apid"; wait "$apid" 2>/dev/null
	rm -f "$out/ataua.pid" "$out/peer.pid"

	python3 "$root/tests/integration/lib/rtppeer.py" analyze \
		"$out" "$out/play.raw" "$out/play.log" "$skew" >"$out/res" 2>&1
}

# xrun_check SKEW OUT XRUNS_FIELD STATS RES: no xruns during the call.
# The device runs from boot, so the vslic log's xruns are split at the
# call's start and end (t_call: CLOCK_MONOTONIC, the log's clock); those
# outside the call are reported, not judged (the line is silent then).
# An xrun in the call passes only as a skip, with the evidence, when the
# machine could not run the audio thread (lib/xrunjudge.py: a stall the
# real-time probe saw too at that moment, >= $xrun_evidence_ms ms, or an
# audio thread the daemon could not make real-time)
xrun_check() {
	local skew=$1 out=$2 verdict
	verdict=$(python3 "$root/tests/integration/lib/xrunjudge.py" \
		"$out/play.log" "$tmp/stalls" "$out/t_call" "$out/ataua.log" \
		"$4" "$xrun_evidence_ms")
	case $verdict in
	ok*)
		t_ok "skew $skew: no xruns during the call${verdict#ok}" ;;
	skip*)
		n=$((n + 1))
		echo "ok $n - skew $skew: no xruns during the call # SKIP ${verdict#skip }" ;;
	*)
		t_fail "skew $skew: no xruns during the call" \
			"${verdict#fail }" "$5" \
			"probe gaps >= 5 ms: $(wc -l <"$tmp/stalls" 2>/dev/null)" \
			"$(printf '%s\n' "$4" |
			   grep -E '^(device_xruns|wake_[a-z_]+|periods)=' | tr '\n' ' ')" \
			"$(grep -m 2 -E 'real-time|xrun|device' "$out/ataua.log")" ;;
	esac
}

# delay_check SKEW OUT RES: the delay of each burst (OUT/bursts) in
# [depth, depth + period] and within one period, but for the second
# after each moment with evidence of a stall (see the header); after
# each such second it must be back in the window. Three TAP lines.
delay_check() {
	local skew=$1 out=$2 res=$3 v l
	v=$(python3 - "$out" "$tmp/stalls" $depth $period $stall_ms <<'PY'
import os, sys
out, stalls, depth, period, stall_ms = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6])
t = [int(l) for l in open(os.path.join(out, "t_call"))]
t0, t1 = t[0], (t[-1] if len(t) > 1 else float("inf"))
bursts = [tuple(map(float, l.split()))
          for l in open(os.path.join(out, "bursts"))]
ev = []
for l in open(os.path.join(out, "play.log")):
    if l.startswith("# xrun"):
        x = int(l.split()[3])
        ev.append((x - 20e6, x, "xrun"))
for l in open(stalls):
    e, g = map(int, l.split())
    if g >= stall_ms * 1e6:
        ev.append((e - g, e, "stall %.0f ms" % (g / 1e6)))
# the relay: packets sent >= 30 ms after their time (jitter is <= 8,
# a reordered one waits a packet more): its thread did not run
seq0 = int(open(os.path.join(out, "send.log")).read().split()[1])
fwd = []
for l in open(os.path.join(out, "relay.log")):
    ns, seq, act = l.split()
    if act == "fwd":
        fwd.append((int(ns), (int(seq) - seq0) & 0xFFFF))
if fwd:
    a0 = min(ns - k * 20e6 for ns, k in fwd if k < 10)
    # the start: one packet, read by a main loop busy answering the
    # call, set the delay; the first half second measures it again
    ev.append((a0, a0, "call start"))
    for ns, k in fwd:
        if ns - (a0 + k * 20e6) >= 30e6:
            ev.append((a0 + k * 20e6, ns, "relay %.0f ms late"
                       % ((ns - a0 - k * 20e6) / 1e6)))
ev = sorted(e for e in ev if t0 <= e[1] <= t1 or e[2] == "call start")
lo, hi = depth - 1, depth + period + 1
def inwin(b):
    return any(s - 20e6 <= b <= e + 1e9 for s, e, w in ev)
calm = [d for b, d in bursts if not inwin(b)]
exc = [(b, d) for b, d in bursts if inwin(b) and not lo <= d <= hi]
def at(b):
    return "%.1f s" % ((b - t0) / 1e9)
note = ""
if exc:
    note = "; outside it within 1 s of a stall: " + ", ".join(
        "%.1f ms at %s" % (d, at(b)) for b, d in exc[:8])
if not calm:
    print("bound fail no burst outside the stalls' seconds")
elif min(calm) >= lo and max(calm) <= hi:
    print("bound ok (min %.2f max %.2f, %d bursts%s)"
          % (min(calm), max(calm), len(calm), note))
else:
    bad = [(b, d) for b, d in bursts if not inwin(b) and
           not lo <= d <= hi]
    print("bound fail min %.2f max %.2f: %s%s" % (min(calm), max(calm),
          ", ".join("%.1f ms at %s" % (d, at(b)) for b, d in bad[:8]),
          note))
if calm and max(calm) - min(calm) <= period:
    print("spread ok (%.2f..%.2f)" % (min(calm), max(calm)))
elif calm:
    print("spread fail %.2f..%.2f" % (min(calm), max(calm)))
else:
    print("spread fail no data")
# recovery: the first burst from one second after each moment on that
# is not itself in the second after a later moment (a second stall
# restarts the clock: a burst 0.4 s after it is not yet judged)
back, late = [], []
for s, e, w in ev:
    nxt = [(b, d) for b, d in bursts if b >= e + 1e9 and not inwin(b)]
    if not nxt:
        continue
    b, d = nxt[0]
    (back if lo <= d <= hi else late).append(
        "%s at %s: %.1f ms at %s" % (w, at(e), d, at(b)))
if late:
    print("recover fail " + "; ".join(late))
elif back:
    print("recover ok %d: %s" % (len(back), "; ".join(back[:6])))
else:
    print("recover none")
PY
)
	l=$(printf '%s\n' "$v" | sed -n 's/^bound //p')
	case $l in
	ok*) t_ok "skew $skew: delay in [${depth}, $((depth + period))] ms ${l#ok }" ;;
	*) t_fail "skew $skew: delay in [${depth}, $((depth + period))] ms" \
		"${l#fail }" "$res" "$v" ;;
	esac
	l=$(printf '%s\n' "$v" | sed -n 's/^spread //p')
	case $l in
	ok*) t_ok "skew $skew: delay constant within one period ${l#ok }" ;;
	*) t_fail "skew $skew: delay constant within one period" \
		"${l#fail }" "$res" ;;
	esac
	l=$(printf '%s\n' "$v" | sed -n 's/^recover //p')
	case $l in
	ok*) t_ok "skew $skew: delay back in its window 1 s after each stall (${l#ok })" ;;
	none*)
		n=$((n + 1))
		echo "ok $n - skew $skew: delay back 1 s after each stall # SKIP no stall or xrun in the call" ;;
	*) t_fail "skew $skew: delay back in its window 1 s after each stall" \
		"${l#fail }" "$res" ;;
	esac
}

# check SKEW: TAP lines from one call's files
check() {
	local skew=$1 out=$tmp/skew$1 res stats conc lost want
	res=$(cat "$out/res" 2>/dev/null)
	stats=$(cat "$out/stats" 2>/dev/null)
	echo "# skew $skew ppm: $res ($(cat "$out/peer.log" 2>/dev/null))"
	set -- $res
	if [ "${2:-none}" = none ] || [ $# -lt 6 ]; then
		t_fail "skew $skew: bursts found in the recording" "$res" \
			"$(tail -n 5 "$out/ataua.log")" "$stats"
		for i in 1 2 3 4 5 6; do t_fail "skew $skew: (no data)"; done
		return
	fi
	# a burst every 0.5 s; the analysis skips those the relay dropped
	want=$((secs * 2 * 8 / 10))
	[ "$5" -ge "$want" ] &&
		t_ok "skew $skew: $5 bursts measured (>= $want)" ||
		t_fail "skew $skew: $5 bursts measured (>= $want)" "$res"
	delay_check "$skew" "$out" "$res"
	xrun_check "$skew" "$out" "$6" "$stats" "$res"
	# the skew is real and the drift control absorbed it: +ppm (the
	# line runs fast) inserts samples, -ppm drops them, about
	# |ppm| * 8000 * secs of them (1.6 a second at 200 ppm)
	local ins drp fix wrong exp
	ins=$(printf '%s\n' "$stats" | sed -n 's/^drift_inserted=//p')
	drp=$(printf '%s\n' "$stats" | sed -n 's/^drift_dropped=//p')
	if [ "$skew" -gt 0 ]; then fix=${ins:-0} wrong=${drp:-0}
	else fix=${drp:-0} wrong=${ins:-0}; fi
	exp=$(( ${skew#-} * 8 * secs / 1000 ))
	[ "$fix" -ge $((exp / 2)) ] && [ "$fix" -le $((exp * 3 / 2 + 40)) ] &&
		[ "$wrong" -le 40 ] &&
		t_ok "skew $skew: drift absorbed by $fix single-sample steps (expected ~$exp, $wrong the other way)" ||
		t_fail "skew $skew: drift absorbed by single-sample steps (expected ~$exp)" "inserted=$ins dropped=$drp"
	conc=$(printf '%s\n' "$stats" | sed -n 's/^concealed_samples=//p')
	lost=$(printf '%s\n' "$stats" | sed -n 's/^rx_lost=//p' | head -n 1)
	[ "${conc:-0}" -gt 0 ] && [ "${lost:-0}" -gt 0 ] &&
		t_ok "skew $skew: losses counted ($lost) and concealed ($conc samples)" ||
		t_fail "skew $skew: losses counted and concealed" "$stats"
}

echo "1..14"
# beside the calls: does the machine itself stall? (lib/stallwatch.sh;
# see xrun_check)
stall_watch_start "$tmp" $((secs + 45))
pids+=("${STALL_WATCH_PIDS[@]}")
# both calls at once: each has its own daemon, ports and real-time
# audio thread; the peers are paced from CLOCK_MONOTONIC
one_call 200 "$base" 30000-30099 &
pids+=("$!")
one_call -200 $((base + 1)) 30100-30199 &
pids+=("$!")
wait "${pids[@]:${#STALL_WATCH_PIDS[@]}}"
stall_watch_stop "$tmp"
pids=()
check 200
check -200
[ "$fails" = 0 ]
