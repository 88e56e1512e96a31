#!/bin/bash
# Line tones reach the device: ataua with the audio-alsa driver on the
# virtual SLIC (tests/alsa, real alsa-lib), no network. The line is idle
# (on-hook), then off-hook without dialling (US dial tone, 350 + 440 Hz,
# continuous), then on-hook again. From the vslic recording and its
# clock log, mapped to the moments the test acted (CLOCK_MONOTONIC):
#   - idle before and after: silence on the line (the control: what a
#     line without tones to the device sounds like throughout)
#   - off-hook: 350 Hz and 440 Hz dominate, at dial-tone level
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/vslictest.sh
. "$root/tests/integration/lib/vslictest.sh"

tmp=$(mktemp -d /tmp/ataua-tones.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
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

ctl() { "$root/atactl" -s "$sock" "$@"; }
mono() { python3 -c 'import time; print(time.monotonic_ns())'; }
wait_state() {  # wait_state STATE: up to 10 s
	local i
	for i in $(seq 100); do
		ctl line 1 2>/dev/null | grep -q "state=$1" && return 0
		sleep 0.1
	done
	return 1
}

echo "1..4"
VSLIC_PLAYBACK=$tmp/play.raw VSLIC_LOG=$tmp/play.log \
VSLIC_CAPTURE=silence "$root/ataua" -c "$tmp/ataua.yaml" \
	>"$tmp/ataua.log" 2>&1 &
pid=$!
for i in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
wait_state idle && sleep 1
t0=$(mono)
sleep 1
t1=$(mono)
ctl line 1 offhook >/dev/null
wait_state dialtone ||
	t_fail "off-hook: dial tone state" "$(ctl line 1 2>&1)"
sleep 1.5
t2=$(mono)
ctl line 1 onhook >/dev/null
wait_state idle
sleep 0.5
t3=$(mono)
sleep 1
t4=$(mono)
kill "$pid"; wait "$pid" 2>/dev/null; pid=

# segment LABEL FROM_NS TO_NS -> "LABEL rms p350 p440 pother"
res=$(python3 - "$tmp/play.raw" "$tmp/play.log" \
	"$t0" "$t1" "$((t1 + 300000000))" "$t2" "$t3" "$t4" <<'PY'
import math, struct, sys
raw, log = sys.argv[1], sys.argv[2]
t = [int(x) for x in sys.argv[3:]]
pcm = open(raw, "rb").read()
pcm = struct.unpack("<%dh" % (len(pcm) // 2), pcm)
periods = [tuple(map(int, l.split())) for l in open(log)
           if not l.startswith("#")]

def index(ns):  # the line sample playing at ns (8 kHz from a log entry)
    best = periods[0]
    for li, pns in periods:
        if pns > ns:
            break
        best = (li, pns)
    return best[0] + int((ns - best[1]) * 8000 // 1000000000)

def goertzel(x, f):
    w = 2 * math.pi * f / 8000.0
    c, s1, s2 = 2 * math.cos(w), 0.0, 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0.0)) / len(x)

for name, a, b in (("before", t[0], t[1]), ("offhook", t[2], t[3]),
                   ("after", t[4], t[5])):
    x = pcm[index(a):index(b)]
    if len(x) < 800:
        print(name, "short", len(x))
        continue
    rms = math.sqrt(sum(v * v for v in x) / len(x))
    other = max(goertzel(x, f) for f in (200, 600, 1000, 1400, 2000))
    print(name, "%.0f %.0f %.0f %.0f" % (rms, goertzel(x, 350),
                                          goertzel(x, 440), other))
PY
)
echo "$res" | sed 's/^/# /'
get() { printf '%s\n' "$res" | awk -v k="$1" -v f="$2" '$1 == k {print $f}'; }

for seg in before after; do
	r=$(get $seg 2)
	[ -n "$r" ] && [ "$r" != short ] && [ "$r" -lt 50 ] &&
		t_ok "on-hook ($seg): silence on the line (rms $r)" ||
		t_fail "on-hook ($seg): silence on the line" "$res"
done
r=$(get offhook 2) a=$(get offhook 3) b=$(get offhook 4) o=$(get offhook 5)
# -13 dBm0 per tone: each sine about 1600 peak, amplitude/2 = 800 here
[ -n "$r" ] && [ "$r" != short ] && [ "$r" -gt 800 ] &&
	t_ok "off-hook: dial tone on the line (rms $r)" ||
	t_fail "off-hook: dial tone on the line" "$res" \
		"$(tail -n 5 "$tmp/ataua.log")"
[ -n "$a" ] && [ -n "$b" ] && [ "$r" != short ] &&
	awk -v a="$a" -v b="$b" -v o="$o" \
		'BEGIN { exit !(a > 300 && b > 300 && a > 10 * o && b > 10 * o) }' &&
	t_ok "off-hook: 350 Hz ($a) and 440 Hz ($b) dominate (others $o)" ||
	t_fail "off-hook: 350 + 440 Hz" "$res"
[ "$fails" = 0 ]
