#!/bin/bash
# An idle line costs nothing: ataua with the audio-alsa driver on the
# virtual SLIC (tests/alsa, real alsa-lib), no network, shipped media
# defaults. On-hook with no call the driver stops the PCM after its 2 s
# hangover and its thread sleeps (alsa_idle.c); lifting the handset
# starts it again for dial tone; hanging up stops it again; a device
# unplugged while the PCM is stopped is still noticed (the idle health
# check) and taken back when it returns. Checked:
#   - `stats 1` says pcm=stopped and counts idle_stops
#   - the audio thread sleeps: at most a wake-up a second over 3 s,
#     where a running PCM wakes it 100 times a second (voluntary context
#     switches of the thread, /proc, not a clock)
#   - the whole daemon sleeps, with 1 line and (a second daemon) with 16:
#     the voluntary context switches of all its threads over 20 s stay
#     under 2 a line + 4 (the idle health check is every 30 s; the one-a-
#     second check before it made 20 a line)
#   - off-hook: pcm=running, and (read after the exit, when the vslic
#     has written its recording out) dial tone in the recording; the
#     start's delay (command to first tone sample) is reported
#   - on-hook again: stopped again (idle_stops grows)
#   - unplugged while stopped: device_state=lost within 40 s (the
#     health check's 30 s: vslic's timerfd cannot report a loss by
#     POLLERR as a kernel PCM does); back: up
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/vslictest.sh
. "$root/tests/integration/lib/vslictest.sh"

tmp=$(mktemp -d /tmp/ataua-idle.XXXXXX)
pid=
pid16=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$pid16" ] && kill "$pid16" 2>/dev/null &&
		wait "$pid16" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

vslic_asoundrc "$tmp"
sock=$tmp/ataua.sock
cat >"$tmp/ataua.yaml" <<YAML
log:
  level: info
control:
  socket: $sock
module_path: $root/modules
modules:
  - name: audio-alsa
    required: true
sip:
  listen: 127.0.0.1:0
lines:
  - id: 1
    device: vslic
    tones: us
    account:
      aor: sip:1001@127.0.0.1
YAML

# the second daemon: 16 idle lines on vslic_fast (no recording)
sed -e "s|$sock|$tmp/ataua16.sock|" -e '/^lines:/,$d' \
	"$tmp/ataua.yaml" >"$tmp/ataua16.yaml"
echo "lines:" >>"$tmp/ataua16.yaml"
for i in $(seq 16); do
	cat >>"$tmp/ataua16.yaml" <<YAML
  - id: $i
    device: vslic_fast
    account:
      aor: sip:20$i@127.0.0.1
YAML
done

ctl() { "$root/atactl" -s "$sock" "$@"; }
stat() { ctl stats 1 2>/dev/null | sed -n "s/^$1=//p"; }
mono() { python3 -c 'import time; print(time.monotonic_ns())'; }
# wait_for CMD SECS: poll CMD every 0.1 s
wait_for() {
	local i
	for i in $(seq $(($2 * 10))); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}
# the audio thread's voluntary context switches: the busiest task of
# the daemon other than the main one (here the only other is
# audio-alsa's line thread)
audio_csw() {
	local t
	for t in /proc/$pid/task/*; do
		[ "${t##*/}" = "$pid" ] && continue
		sed -n 's/^voluntary_ctxt_switches:\t*//p' "$t/status"
	done | sort -n | tail -n 1
}

# all threads' voluntary context switches of process $1 (wake-ups)
daemon_csw() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
all_stopped16() {
	local i
	for i in $(seq 16); do
		"$root/atactl" -s "$tmp/ataua16.sock" stats "$i" 2>/dev/null |
			grep -qx pcm=stopped || return 1
	done
}

echo "1..10"
"$root/ataua" -c "$tmp/ataua16.yaml" >"$tmp/ataua16.log" 2>&1 &
pid16=$!
VSLIC_PLAYBACK=$tmp/play.raw VSLIC_LOG=$tmp/play.log \
VSLIC_CAPTURE=silence VSLIC_FAIL=$tmp/gone \
	"$root/ataua" -c "$tmp/ataua.yaml" >"$tmp/ataua.log" 2>&1 &
pid=$!
wait_for 'ctl PING >/dev/null 2>&1' 10

if wait_for '[ "$(stat pcm)" = stopped ]' 10; then
	t_ok "idle: the PCM stops (pcm=stopped, idle_stops=$(stat idle_stops))"
else
	t_fail "idle: the PCM stops" "$(ctl stats 1 2>&1)"
fi

a=$(audio_csw)
sleep 3
b=$(audio_csw)
if [ -n "$a" ] && [ -n "$b" ] && [ $((b - a)) -le 8 ]; then
	t_ok "idle: the audio thread sleeps ($((b - a)) wake-ups in 3 s)"
else
	t_fail "idle: the audio thread sleeps" "wake-ups in 3 s: $a -> $b" \
		"$(ls /proc/$pid/task 2>&1)"
fi

# nothing runs while nothing happens: no control command in the window
# (each one is a wake-up); 1 line here, 16 in the second daemon
wait_for all_stopped16 20
a1=$(daemon_csw "$pid") a16=$(daemon_csw "$pid16")
sleep 20
b1=$(daemon_csw "$pid") b16=$(daemon_csw "$pid16")
if [ $((b1 - a1)) -le 6 ]; then
	t_ok "idle, 1 line: the daemon sleeps ($((b1 - a1)) wake-ups of all threads in 20 s, bound 6)"
else
	t_fail "idle, 1 line: the daemon sleeps" \
		"wake-ups of all threads in 20 s: $((b1 - a1)) (bound 6)"
fi
if all_stopped16 && [ $((b16 - a16)) -le 36 ]; then
	t_ok "idle, 16 lines: the daemon sleeps ($((b16 - a16)) wake-ups of all threads in 20 s, bound 36)"
else
	t_fail "idle, 16 lines: the daemon sleeps" \
		"wake-ups of all threads in 20 s: $((b16 - a16)) (bound 36)" \
		"$(tail -5 "$tmp/ataua16.log")"
fi
kill "$pid16"; wait "$pid16"; pid16=

t1=$(mono)
ctl line 1 offhook >/dev/null
if wait_for '[ "$(stat pcm)" = running ]' 5; then
	t_ok "off-hook: the PCM runs again (pcm=running)"
else
	t_fail "off-hook: the PCM runs again" "$(ctl stats 1 2>&1)"
fi
sleep 1
t2=$(mono)

s1=$(stat idle_stops)
ctl line 1 onhook >/dev/null
if wait_for '[ "$(stat pcm)" = stopped ]' 10 &&
   [ "$(stat idle_stops)" -gt "${s1:-0}" ]; then
	t_ok "on-hook: stopped again (idle_stops $s1 -> $(stat idle_stops))"
else
	t_fail "on-hook: stopped again" "$(ctl stats 1 2>&1)"
fi

# the unplug reopens the device, which starts its recording afresh:
# the open file writes on under the new name until the device closes
mv "$tmp/play.raw" "$tmp/play1.raw"
mv "$tmp/play.log" "$tmp/play1.log"
touch "$tmp/gone"
if wait_for '[ "$(stat device_state)" = lost ]' 40; then
	t_ok "unplugged while stopped: device_state=lost"
else
	t_fail "unplugged while stopped: device_state=lost" \
		"$(ctl stats 1 2>&1)"
fi
rm -f "$tmp/gone"
if wait_for '[ "$(stat device_state)" = up ]' 15; then
	t_ok "plugged in again: device_state=up"
else
	t_fail "plugged in again: device_state=up" "$(ctl stats 1 2>&1)"
fi

kill "$pid"; wait "$pid"
rc=$?; pid=
[ "$rc" = 0 ] && ! grep -qiE "assert|sanitizer|segv" "$tmp/ataua.log" &&
	t_ok "clean exit" ||
	t_fail "clean exit (rc $rc)" "$(tail -5 "$tmp/ataua.log")"

# the recording up to the unplug: written out when that device closed
# (vslic buffers it)
r=$(python3 - "$tmp/play1.raw" "$tmp/play1.log" "$t1" "$t2" <<'PY'
import struct, sys
raw, log, t1, t2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
per = [tuple(map(int, l.split())) for l in open(log) if l[0] != "#"]
def index(ns):
    best = per[0]
    for li, pns in per:
        if pns > ns:
            break
        best = (li, pns)
    return best[0] + (ns - best[1]) * 8000 // 1000000000
pcm = open(raw, "rb").read()
x = struct.unpack("<%dh" % (len(pcm) // 2), pcm)
a, b = index(t1), index(t2)
first = next((i for i in range(a, min(b, len(x))) if abs(x[i]) > 500),
             None)
if first is None:
    print("none")
else:
    seg = x[first:min(b, len(x))]
    rms = (sum(v * v for v in seg) / max(len(seg), 1)) ** 0.5
    print("%.0f %.1f" % (rms, (first - a) / 8.0))
PY
)
set -- $r
if [ "${1:-none}" != none ] && [ "$1" -gt 800 ]; then
	t_ok "off-hook: dial tone in the recording after the restart (rms $1, first sample ${2} ms after the command)"
else
	t_fail "off-hook: dial tone after the restart" "$r"
fi
[ "$fails" = 0 ]
