#!/bin/bash
# tests/soak/run.sh  `make soak`: memory across many calls (root)
#
# usage: tests/soak/run.sh [-o DIR]
# Environment: SOAK_CALLS (default 10000), SOAK_LINES (default 8),
# SOAK_EVERY (sample every N calls, default 500), SOAK_WARMUP (calls not
# counted in the growth, default 1000, at most a fifth of the calls).
#
# One ataua with SOAK_LINES lines on the virtual SLIC (vslic, as in
# `make bench`), in a network namespace of its own (unshare -n: nothing
# else on the machine shares its ports). One sipp per line places that
# line's share of the calls one after the other (-l 1): INVITE, answered
# by the stand-in phone (tests/bench/autoanswer.sh: off-hook on the ring,
# on-hook when the call closes), 1 s of G.711 from sipp, then sipp hangs
# up (BYE). When the stand-in is slow to hang up, the next INVITE finds
# the line still off-hook and gets 486: tests/soak/caller.xml asks again
# 1 s later, and these refusals are counted apart. ataua runs with
# tests/soak/memcount.so preloaded, so `atactl mem` reports libre's
# block count (Debian's libre keeps none).
#
# Every SOAK_EVERY calls: VmRSS, mem_blocks, mem_bytes, heap_used. At the
# end, after 40 s for SIP's transaction timers (64*T1 = 32 s): the same,
# `atactl calls` and `lines`. Fails (exit 1) when, after the warm-up,
# VmRSS grows by 64 kB or more per 1,000 calls (least squares over the
# samples), a call is left, a line is not idle, a call failed that sipp
# (the far end) did not cause, or libre's block count is not back to its
# idle count. Outcomes are counted, never timed: every wait is bounded
# generously and its end is an outcome. Results: build/soak/<timestamp>/
# summary.txt, samples.txt, and the raw logs.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${SOAK_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "soak: run as root (unshare -n)" >&2
		exit 2; }
	SOAK_IN_NS=1 exec unshare -n bash "$0" "$@"
fi

CALLS=${SOAK_CALLS:-10000}
LINES=${SOAK_LINES:-8}
EVERY=${SOAK_EVERY:-500}
WARMUP=${SOAK_WARMUP:-1000}
OUT=""
while getopts "o:h" opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	*) sed -n '2,31p' "$0"; exit 2 ;;
	esac
done
for v in "$CALLS" "$LINES" "$EVERY" "$WARMUP"; do
	case $v in
	''|*[!0-9]*|0) echo "soak: not a positive number: $v" >&2; exit 2 ;;
	esac
done
[ "$LINES" -le "$CALLS" ] || LINES=$CALLS
[ "$WARMUP" -le $((CALLS / 5)) ] || WARMUP=$((CALLS / 5))

OUT=${OUT:-$ROOT/build/soak/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
ATACTL=$ROOT/atactl
SOCK=$OUT/ataua.sock
PRELOAD=$ROOT/build/tests/soak/memcount.so
PLUGDIR=$ROOT/build/tests/alsa
BENCH=$ROOT/tests/bench

# shellcheck source=../bench/proc.sh
. "$BENCH/proc.sh"

for t in sipp python3 unshare ip; do
	command -v $t >/dev/null || die "$t not found (make deps)"
done
for f in "$ROOT/ataua" "$ATACTL" "$PRELOAD" \
		"$PLUGDIR/libasound_module_pcm_vslic.so"; do
	[ -e "$f" ] || die "missing $f (make soak-bins)"
done
ip link set lo up || die "cannot bring lo up in the namespace"

# ---- config: the bench's, with LINES lines
sed -e "s|@SOCK@|$SOCK|" -e "s|@MODDIR@|$ROOT/modules|" \
    -e "s|@SIP@|127.0.0.1:5080|" -e "s|@RTP@|30000-30999|" \
	"$BENCH/ataua-head.yaml.in" > "$OUT/ataua.yaml"
for i in $(seq 1 "$LINES"); do
	sed -e "s|@ID@|$i|" -e "s|@PCM@|bench_null|" \
	    -e "s|@USER@|$((1000 + i))|" \
		"$BENCH/ataua-line.yaml.in" >> "$OUT/ataua.yaml"
	printf 'SEQUENTIAL\n%s\n' "$((1000 + i))" > "$OUT/users$i.csv"
done
chmod 0600 "$OUT/ataua.yaml"
sed -e "s|@PLUGDIR@|$PLUGDIR|" -e "s|@RUN@|$OUT|g" \
	"$BENCH/asoundrc.in" > "$OUT/asoundrc"
python3 "$BENCH/media.py" "$OUT/media.ul" 5 || die "media.py failed"

{
	echo "date: $(date -Is)"
	echo "uname: $(uname -a)"
	echo "nproc: $(nproc)"
	echo "git: $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
	echo "params: calls=$CALLS lines=$LINES every=$EVERY warmup=$WARMUP"
	dpkg-query -W -f='pkg: ${Package} ${Version}\n' libre0 sip-tester \
		2>/dev/null
} > "$OUT/env.txt"

# ---- ataua, the stand-in phone, the event log
ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$OUT/asoundrc \
LD_PRELOAD=$PRELOAD "$ROOT/ataua" -c "$OUT/ataua.yaml" \
	< /dev/null > "$OUT/ataua.log" 2>&1 &
APID=$!
PIDS+=("$APID")
wait_for 30 "$ATACTL" -s "$SOCK" -t 2 ping > /dev/null 2>&1 ||
	die "ataua not answering (see $OUT/ataua.log)"
"$ATACTL" -s "$SOCK" monitor > "$OUT/events.log" 2>&1 &
PIDS+=("$!")
sh "$BENCH/autoanswer.sh" "$SOCK" "$ATACTL" > "$OUT/autoanswer.log" 2>&1 &
PIDS+=("$!")
sleep 2

# "calls rss_kb mem_blocks mem_bytes heap_used"
sample() {
	local rss m
	rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$APID/status")
	m=$("$ATACTL" -s "$SOCK" -t 10 mem 2>/dev/null | awk -F= '
		{v[$1] = $2}
		END {print v["mem_blocks"], v["mem_bytes"], v["heap_used"]}')
	echo "$1 ${rss:-?} $m"
}

closed_calls() {
	grep -c 'CALL-STATE .*state=closed' "$OUT/events.log"
}

sample 0 > "$OUT/samples.txt"
read -r _ RSS_IDLE BLK_IDLE BYTES_IDLE HEAP_IDLE < "$OUT/samples.txt"
log "idle: VmRSS $RSS_IDLE kB, libre blocks $BLK_IDLE ($BYTES_IDLE B)," \
	"heap $HEAP_IDLE B"
[ "$BLK_IDLE" != unknown ] || die "no block count (memcount.so?)"

# ---- one sipp per line, its calls one after the other
SPS=()
per=$((CALLS / LINES))
for i in $(seq 1 "$LINES"); do
	n=$per
	[ "$i" -le $((CALLS % LINES)) ] && n=$((n + 1))
	( cd "$OUT" && exec timeout $((n * 20 + 300)) sipp 127.0.0.1:5080 \
		-sf "$ROOT/tests/soak/caller.xml" -inf "users$i.csv" -i 127.0.0.1 \
		-p $((5100 + 2 * i)) -mi 127.0.0.1 -mp $((32000 + 100 * i)) \
		-m "$n" -l 1 -r 10 -d 1000 -nostdin \
		-trace_err -error_file "$OUT/sipp$i.err" \
		-trace_stat -stf "$OUT/sipp$i.csv" -fd 30 ) \
		> "$OUT/sipp$i.out" 2>&1 &
	SPS+=("$!")
	PIDS+=("$!")
done
log "$CALLS calls on $LINES lines started"


next=$EVERY
while any_alive "${SPS[@]}"; do
	sleep 2
	kill -0 "$APID" 2>/dev/null || die "ataua died (see $OUT/ataua.log)"
	c=$(closed_calls)
	if [ "$c" -ge "$next" ]; then
		sample "$c" >> "$OUT/samples.txt"
		log "$(tail -n 1 "$OUT/samples.txt")"
		next=$(( (c / EVERY + 1) * EVERY ))
	fi
done
SIPP_RC=""
for i in "${!SPS[@]}"; do
	wait "${SPS[$i]}" 2>/dev/null
	SIPP_RC="$SIPP_RC $?"
done
log "sipp exit codes:$SIPP_RC"
sample "$(closed_calls)" >> "$OUT/samples.txt"

# ---- quiet: SIP transactions linger 64*T1 = 32 s after the last call
log "waiting 40 s for SIP's timers"
sleep 40
sample end > "$OUT/end.txt"
read -r _ RSS_END BLK_END BYTES_END HEAP_END < "$OUT/end.txt"
"$ATACTL" -s "$SOCK" calls > "$OUT/calls.txt" 2>&1
"$ATACTL" -s "$SOCK" lines > "$OUT/lines.txt" 2>&1
LEFT=$(sed -n 's/^count=//p' "$OUT/calls.txt")
NOT_IDLE=$(grep -c '^line=' "$OUT/lines.txt")
NOT_IDLE=$((NOT_IDLE - $(grep -c 'state=idle hook=on' "$OUT/lines.txt")))
cleanup

# ---- sipp's counts: the last line of each statistics file
# Failed calls the far end caused: sipp could not send (its socket, its
# own congestion); every other failure (a timeout, an unexpected reply
# such as 486, a retransmission limit) is ataua's or the stand-in's.
python3 - "$OUT" "$LINES" > "$OUT/sipp_counts.txt" <<'EOF' || die "stats"
import csv, sys
out, lines = sys.argv[1], int(sys.argv[2])
far = ("FailedCmdNotSent(C)", "FailedOutboundCongestion(C)",
       "FailedTimeoutOnSend(C)")
tot = {}
for i in range(1, lines + 1):
    with open(f"{out}/sipp{i}.csv", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter=";") if r]
    head, last = rows[0], rows[-1]
    for k, v in zip(head, last):
        if k.endswith("(C)") and (k.startswith("Failed") or k in (
                "SuccessfulCall(C)", "TotalCallCreated")):
            tot[k] = tot.get(k, 0) + int(v or 0)
ok = tot.get("SuccessfulCall(C)", 0)
failed = tot.get("FailedCall(C)", 0)
by_far = sum(tot.get(k, 0) for k in far)
print(f"successful {ok}")
print(f"failed {failed}")
print(f"failed_by_far_end {by_far}")
print(f"failed_by_ataua {failed - by_far}")
for k in sorted(tot):
    if k.startswith("Failed") and k != "FailedCall(C)" and tot[k]:
        print(f"  {k} {tot[k]}")
EOF

# ---- growth after the warm-up: least squares of VmRSS over calls
GROWTH=$(awk -v w="$WARMUP" '$1 ~ /^[0-9]+$/ && $1 >= w && $2 ~ /^[0-9]+$/ {
		n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
	END {
		d = n * sxx - sx * sx
		if (n < 2 || d == 0) print "n/a"
		else printf "%.1f\n", (n * sxy - sx * sy) / d * 1000 }' \
	"$OUT/samples.txt")

# INVITEs refused because the stand-in was still off-hook: incoming
# calls that were never established (each got 486; sipp asked again)
REFUSED=$(( $(grep -c 'CALL-STATE .*state=incoming' "$OUT/events.log") -
	    $(grep -c 'CALL-STATE .*state=established' "$OUT/events.log") ))
OK=$(sed -n 's/^successful //p' "$OUT/sipp_counts.txt")
FAILED=$(sed -n 's/^failed //p' "$OUT/sipp_counts.txt")
BY_ATAUA=$(sed -n 's/^failed_by_ataua //p' "$OUT/sipp_counts.txt")
{
	echo "soak: $CALLS calls on $LINES lines, $(date -Is)"
	echo "calls: successful $OK, failed $FAILED (by ataua or the" \
		"stand-in: $BY_ATAUA)"
	sed -n 's/^  /  /p' "$OUT/sipp_counts.txt"
	echo "refused while the stand-in was still off-hook: $REFUSED" \
		"(486, asked again)"
	echo "VmRSS: idle $RSS_IDLE kB, end $RSS_END kB"
	echo "growth after $WARMUP calls: $GROWTH kB per 1,000 calls" \
		"(limit 64)"
	echo "libre blocks: idle $BLK_IDLE ($BYTES_IDLE B)," \
		"end $BLK_END ($BYTES_END B)"
	echo "heap in use: idle $HEAP_IDLE B, end $HEAP_END B"
	echo "calls left: ${LEFT:-?}; lines not idle: $NOT_IDLE"
} > "$OUT/summary.txt"
cat "$OUT/summary.txt" | tee -a "$OUT/run.log"

fail=0
verdict() { log "FAIL: $*"; fail=1; }
[ "$GROWTH" != n/a ] || verdict "too few samples for the growth"
[ "$GROWTH" = n/a ] || awk -v g="$GROWTH" 'BEGIN {exit !(g < 64)}' ||
	verdict "VmRSS grows $GROWTH kB per 1,000 calls"
[ "${LEFT:-x}" = 0 ] || verdict "calls left: ${LEFT:-?}"
[ "$NOT_IDLE" = 0 ] || verdict "$NOT_IDLE line(s) not idle"
[ "${BY_ATAUA:-x}" = 0 ] || verdict "$BY_ATAUA call(s) failed by ataua"
[ "$((OK + FAILED))" = "$CALLS" ] ||
	verdict "sipp counted $((OK + FAILED)) calls of $CALLS"
[ "$BLK_END" = "$BLK_IDLE" ] ||
	verdict "libre blocks: $BLK_END at the end, $BLK_IDLE idle"
[ $fail = 0 ] && log "PASS (results in $OUT)"
exit $fail
