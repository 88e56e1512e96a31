#!/bin/bash
# Message waiting (RFC 3842), end to end on one host: ataua with the
# audio-alsa driver on the virtual SLIC (tests/alsa) registers at a small
# registrar and notifier (lib/mwisrv.py, 127.0.0.1):
#   (a) once registered, ataua SUBSCRIBEs to message-summary (Event,
#       Accept) at its AOR, and answers the notifier's 401 with the
#       account's credentials (a wrong digest would get 403);
#   (b) the NOTIFY in that dialog (Messages-Waiting: yes, 2/1) sets
#       mwi=yes mwi_new=2 mwi_old=1 in `atactl line 1` and emits
#       "MWI line=1 waiting=yes new=2 old=1"; off-hook, the vslic
#       recording shows the us stutter tone: 350+440 Hz bursts of 100 ms
#       with 100 ms of silence, ten of them from the tone's onset, then
#       the dial tone without a break;
#   (c) an unsolicited NOTIFY (no subscription) with Messages-Waiting: no
#       clears it (mwi=no, the event waiting=no), and off-hook plays the
#       steady dial tone again from its onset;
#   (d) a reload that changes the line ends the subscription (SUBSCRIBE
#       with Expires: 0) and the new line subscribes again;
#   (e) visual MWI: each change sent on-hook is in the recording as
#       Bell 202 FSK that minimodem (an independent decoder) reads as
#       the MDMF message-waiting message (0x82, parameter 0x0b): on
#       after (b), off after (c); a change while off-hook (NOTIFY yes
#       during (c)'s off-hook) is not sent then, but after the on-hook,
#       2 s later (in the recording: at least 1.5 s of silence between
#       the dial tone's end and the data).
# Times are measured in the recording from the tone's onset, never on
# the wall clock. The config is the shipped defaults plus the line.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/vslictest.sh
. "$root/tests/integration/lib/vslictest.sh"

tmp=$(mktemp -d /tmp/ataua-mwi.XXXXXX)
pid="" srv="" mon=""
cleanup() {
	for p in $mon $pid $srv; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

python3 "$root/tests/integration/lib/mwisrv.py" 127.0.0.1 "$tmp/port" \
	"$tmp/srv.log" s3cret 2>"$tmp/srv.err" &
srv=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port" 2>/dev/null) ||
	{ echo "1..0 # SKIP mwisrv did not start"; exit 77; }

vslic_asoundrc "$tmp"
sock=$tmp/ataua.sock
cat >"$tmp/ataua.yaml" <<YAML
log:
  level: debug
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
    account:
      aor: sip:1001@127.0.0.1
      registrar: sip:127.0.0.1:$port
      password: s3cret
YAML

ctl() { "$root/atactl" -s "$sock" "$@"; }
mono() { python3 -c 'import time; print(time.monotonic_ns())'; }
wait_line() {  # wait_line PATTERN: up to 10 s
	local i
	for i in $(seq 100); do
		ctl line 1 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
wait_log() {  # wait_log FILE PATTERN: up to 10 s
	local i
	for i in $(seq 100); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

echo "1..15"
VSLIC_PLAYBACK=$tmp/play.raw VSLIC_LOG=$tmp/play.log \
VSLIC_CAPTURE=silence "$root/ataua" -c "$tmp/ataua.yaml" \
	>"$tmp/ataua.log" 2>&1 &
pid=$!
for _ in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
ctl monitor >"$tmp/events.log" 2>&1 &
mon=$!
sleep 0.3

# (a)
wait_log "$tmp/srv.log" "<- SUBSCRIBE sip:1001@127.0.0.1" &&
	grep "<- SUBSCRIBE" "$tmp/srv.log" | head -1 |
	grep -q "Event: message-summary | Accept: application/simple-message-summary" &&
	t_ok "registered, then SUBSCRIBE to message-summary at the AOR" ||
	t_fail "SUBSCRIBE to message-summary" "$(cat "$tmp/srv.log")" \
		"$(tail -n 20 "$tmp/ataua.log")"
awk '/<- REGISTER/ {r = NR} /<- SUBSCRIBE/ {s = NR; exit}
	END {exit !(r && s > r)}' "$tmp/srv.log" &&
	t_ok "the SUBSCRIBE follows the REGISTER" ||
	t_fail "REGISTER before SUBSCRIBE" "$(cat "$tmp/srv.log")"
wait_log "$tmp/srv.log" "^-> [24]0[03] SUBSCRIBE" &&
	grep -q "<- SUBSCRIBE.*Authorization: yes" "$tmp/srv.log" &&
	! grep -q "^-> 403" "$tmp/srv.log" &&
	t_ok "401 to the SUBSCRIBE: again with the account's credentials" ||
	t_fail "SUBSCRIBE with credentials" "$(cat "$tmp/srv.log")"

# (b)
tY=$(mono)
kill -USR2 "$srv"
wait_line "mwi=yes mwi_new=2 mwi_old=1" &&
	t_ok "in-dialog NOTIFY yes: $(ctl line 1 | grep -o 'mwi=.*')" ||
	t_fail "NOTIFY yes sets mwi=yes" "$(ctl line 1 2>&1)" \
		"$(cat "$tmp/srv.log")" "$(tail -n 20 "$tmp/ataua.log")"
wait_log "$tmp/events.log" "MWI line=1 waiting=yes new=2 old=1" &&
	t_ok "event MWI waiting=yes" ||
	t_fail "event MWI waiting=yes" "$(cat "$tmp/events.log")"
grep -q "<- SIP/2.0 200 OK (2 NOTIFY)" "$tmp/srv.log" &&
	t_ok "the NOTIFY is answered 200" ||
	t_fail "200 to the NOTIFY" "$(cat "$tmp/srv.log")"

# the visual MWI (~0.5 s of FSK) plays out on-hook before the lift: an
# idle line starts its PCM for it first, a busy machine later still
wait_log "$tmp/ataua.log" "visual MWI on" && sleep 1
t1=$(mono)
ctl line 1 offhook >/dev/null
wait_line "state=dialtone" || t_fail "off-hook: dial tone state"
sleep 4
ctl line 1 onhook >/dev/null
wait_line "state=idle"

# (c)
tN=$(mono)
kill -USR1 "$srv"
wait_line "mwi=no mwi_new=0 mwi_old=3" &&
	wait_log "$tmp/events.log" "MWI line=1 waiting=no new=0 old=3" &&
	t_ok "unsolicited NOTIFY no clears it: mwi=no, event waiting=no" ||
	t_fail "unsolicited NOTIFY no clears it" "$(ctl line 1 2>&1)" \
		"$(cat "$tmp/srv.log")" "$(cat "$tmp/events.log")" \
		"$(tail -n 20 "$tmp/ataua.log")"
wait_log "$tmp/ataua.log" "visual MWI off" && sleep 1
t2=$(mono)
ctl line 1 offhook >/dev/null
wait_line "state=dialtone"
sleep 1
# (e) a change while off-hook waits for the line to be idle again
kill -USR2 "$srv"
wait_line "mwi=yes" || t_fail "NOTIFY yes while off-hook"
sleep 3
# stamped before the command: a busy machine may answer it late, and
# a stamp after it could fall past the change's data
tH=$(mono)
ctl line 1 onhook >/dev/null
wait_line "state=idle"
for _ in $(seq 100); do
	[ "$(grep -c "visual MWI on" "$tmp/ataua.log")" -ge 2 ] && break
	sleep 0.1
done
sleep 1

# (d)
nsub=$(grep -c "<- SUBSCRIBE" "$tmp/srv.log")
# the reload reopens the device, which truncates its recording: the
# open files write on under the new names until they close
mv "$tmp/play.raw" "$tmp/play1.raw"
mv "$tmp/play.log" "$tmp/play1.log"
sed -i 's/^    device: vslic$/&\n    ring_timeout: 170s/' "$tmp/ataua.yaml"
ctl reload >/dev/null
wait_log "$tmp/srv.log" "<- SUBSCRIBE.*Expires: 0$" &&
	for _ in $(seq 100); do
		[ "$(grep "<- SUBSCRIBE" "$tmp/srv.log" | tail -n +$((nsub + 1)) |
			grep -vc 'Expires: 0$')" -gt 0 ] && break
		sleep 0.1
	done
awk -v n="$nsub" '/<- SUBSCRIBE/ && ++k > n {
		if (/Expires: 0$/) u = k; else if (u) s = k }
	END {exit !(u && s)}' "$tmp/srv.log" &&
	t_ok "reload: un-SUBSCRIBE, then SUBSCRIBE again" ||
	t_fail "reload ends and restarts the subscription" \
		"$(cat "$tmp/srv.log")" "$(tail -n 20 "$tmp/ataua.log")"
kill "$pid"; wait "$pid" 2>/dev/null; pid=


# per off-hook: from the first loud sample after it, 100 ms slots; a
# slot is loud when its middle 60 ms has an RMS over 800, silent under 50
res=$(python3 - "$tmp/play1.raw" "$tmp/play1.log" "$t1" "$t2" "$tY" "$tN" \
	"$tH" "$tmp" <<'PY'
import math, shutil, struct, subprocess, sys, wave
raw, log = sys.argv[1], sys.argv[2]
pcm = open(raw, "rb").read()
pcm = struct.unpack("<%dh" % (len(pcm) // 2), pcm)
periods = [tuple(map(int, l.split())) for l in open(log)
           if not l.startswith("#")]

def index(ns):
    best = periods[0]
    for li, pns in periods:
        if pns > ns:
            break
        best = (li, pns)
    return best[0] + int((ns - best[1]) * 8000 // 1000000000)

def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0

def goertzel(x, f):
    w = 2 * math.pi * f / 8000.0
    c, s1, s2 = 2 * math.cos(w), 0.0, 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0.0)) / len(x)

for name, t in (("yes", int(sys.argv[3])), ("no", int(sys.argv[4]))):
    i = index(t)
    while i < len(pcm) and abs(pcm[i]) < 500:
        i += 1
    slots = ""
    for k in range(30):          # 3 s from the onset
        x = pcm[i + k * 800 + 100:i + k * 800 + 700]
        r = rms(x)
        slots += "L" if r > 800 else "s" if r < 50 else "?"
    x = pcm[i + 24000:i + 28000] if len(pcm) > i + 28000 else []
    print(name, slots, "%.0f %.0f" % (goertzel(x, 350), goertzel(x, 440)))

# (e) the MDMF message-waiting messages minimodem finds in [a, b)
def msgs(a, b, name):
    w = wave.open("%s/%s.wav" % (sys.argv[8], name), "wb")
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(struct.pack("<%dh" % (b - a), *pcm[a:b]))
    w.close()
    out = subprocess.run(["minimodem", "--rx", "-q", "-8", "-f",
                          "%s/%s.wav" % (sys.argv[8], name), "1200"],
                         capture_output=True).stdout
    found = []
    for i in range(len(out) - 5):
        m = out[i:i + 6]
        if m[:4] == bytes((0x82, 3, 0x0b, 1)) and sum(m) % 256 == 0:
            found.append({0xff: "on", 0: "off"}.get(m[4], "?"))
    return " ".join(found) or "none"

if shutil.which("minimodem"):
    t1, t2, tY, tN, tH = map(int, sys.argv[3:8])
    n = len(pcm)
    # the data's onset, and the silence before it: since the dial tone,
    # which may still play at tH (stamped just before the on-hook)
    i = min(index(tH), n)
    while i < n and max(map(abs, pcm[i:i + 80])) >= 500:
        i += 80                  # 10 ms blocks of the dial tone
    while i < n and abs(pcm[i]) < 500:
        i += 1
    j = i - 1
    while j > 0 and abs(pcm[j]) < 500:
        j -= 1
    print("vmwi_yes", msgs(index(tY), index(t1), "yes"))
    print("vmwi_no", msgs(index(tN), index(t2), "no"))
    print("vmwi_offhook", msgs(index(t2), min(index(tH), n), "offhook"))
    print("vmwi_onhook", msgs(min(index(tH), n), n, "onhook"), i - j)
PY
)
echo "$res" | sed 's/^/# /'
get() { printf '%s\n' "$res" | awk -v k="$1" -v f="$2" '$1 == k {print $f}'; }

want=$(printf 'Ls%.0s' $(seq 10))LLLLLLLLLL
[ "$(get yes 2)" = "$want" ] &&
	t_ok "mwi=yes, off-hook: stutter (10 x 100 ms), then steady" ||
	t_fail "stutter dial tone" "want $want" "$res"
a=$(get yes 3) b=$(get yes 4)
awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { exit !(a > 300 && b > 300) }' &&
	t_ok "the stutter is 350 Hz ($a) + 440 Hz ($b)" ||
	t_fail "stutter 350 + 440 Hz" "$res"
[ "$(get no 2)" = "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" ] &&
	t_ok "mwi=no, off-hook: steady dial tone" ||
	t_fail "steady dial tone after clearing" "$res"
if command -v minimodem >/dev/null; then
	[ "$(get vmwi_yes 2)" = on ] &&
		t_ok "visual MWI: Bell 202 MDMF message waiting on (NOTIFY yes)" ||
		t_fail "visual MWI on" "$res" \
			"$(grep -i visual "$tmp/ataua.log")"
	[ "$(get vmwi_no 2)" = off ] &&
		t_ok "visual MWI: off after NOTIFY no" ||
		t_fail "visual MWI off" "$res" \
			"$(grep -i visual "$tmp/ataua.log")"
	[ "$(get vmwi_offhook 2)" = none ] &&
		t_ok "visual MWI: nothing sent while off-hook" ||
		t_fail "no visual MWI while off-hook" "$res"
	d=$(get vmwi_onhook 3)
	[ "$(get vmwi_onhook 2)" = on ] && [ "${d:-0}" -ge 12000 ] &&
		t_ok "visual MWI: the off-hook change sent $((d / 8)) ms after it" ||
		t_fail "visual MWI after the on-hook, settled" "$res"
else
	for w in on off "none off-hook" "after on-hook"; do
		n=$((n + 1)); echo "ok $n # SKIP minimodem: visual MWI $w"
	done
fi
[ "$fails" = 0 ]
