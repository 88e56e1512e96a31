#!/bin/bash
# On-hook caller ID (issue #14): INVITEs (raw SIP over UDP, sipsend.py)
# ring line 1 of an ataua with the audio-alsa driver on the virtual SLIC
# (tests/alsa); the line's recording (VSLIC_PLAYBACK) is decoded by an
# independent decoder, minimodem:
#  (a) tones: us (caller_id auto = Bell 202 MDMF), From "Alice Example"
#      <sip:5551234@...>: minimodem's callerid mode reads number 5551234
#      and name "Alice Example";
#  (b) the same daemon, From anonymous: number and name "private" ('P',
#      minimodem: [blocked]);
#  (c) tones: de (V.23) with ring_cadence 1s/1s on the vslic ring
#      control: the bytes minimodem reads at 1300/2100 Hz are the MDMF
#      with P-Asserted-Identity's number and name and a right checksum,
#      and the data lies between the rings: it starts after the first
#      ring ended, and the ring switch goes on again only after it
#      ended (the pause grew from 1 s). Orderings, not durations;
#  (d) caller_id: dtmf: multimon-ng (if installed, else skipped) hears
#      the keys A 5551234 C.
# Re-runs itself in a private network namespace, like test_sip_ring.sh.
set -u

if [ -z "${ATA_CID_NS:-}" ]; then
	export ATA_CID_NS=private
	if [ "$(id -u)" = 0 ]; then
		ns_args=(-n)
	else
		ns_args=(-r -n)
	fi
	if unshare "${ns_args[@]}" ip link set lo up 2>/dev/null; then
		exec unshare "${ns_args[@]}" bash -c \
			'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
	fi
	echo "1..0 # SKIP no private network namespace"
	exit 0
fi

. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

SIPSEND=$LAB_LIB_DIR/sipsend.py
[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
command -v minimodem >/dev/null ||
	{ echo "1..0 # SKIP minimodem is not installed"; exit 77; }
lab_require_cmd python3
plug=$ATA_ROOT/build/tests/alsa/libasound_module_pcm_vslic.so
[ -f "$plug" ] && [ -f "$(dirname "$plug")/libasound_module_ctl_vslic.so" ] ||
	make -C "$ATA_ROOT" vslic >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP no vslic plugin"; exit 77; }
[ -f /usr/share/alsa/alsa.conf ] ||
	{ echo "1..0 # SKIP no system alsa.conf"; exit 77; }
ata_host_init caller_id

sed "s|@PLUGDIR@|$(dirname "$plug")|" "$ATA_ROOT/tests/alsa/asoundrc.in" \
	>"$LAB_DIR/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
export VSLIC_CAPTURE=silence VSLIC_RING_FILE=$LAB_DIR/ring

# start_daemon NAME TONES [LINE_YAML]: a fresh ataua on vslic; SIP_PORT
start_daemon() {
	local conf=$LAB_DIR/$1.yaml addr
	ATA_ACCEPT=any ATA_LOG_LEVEL=info ATA_MODULES="  - name: audio-alsa
    required: true" ata_conf "$conf" "$LAB_DIR/$1.sock"
	sed -i 's/^    device: default$/    device: vslic/' "$conf"
	printf '    tones: %s\n' "$2" >>"$conf"
	[ -z "${3:-}" ] || printf '%s\n' "$3" >>"$conf"
	VSLIC_PLAYBACK=$LAB_DIR/$1.raw VSLIC_LOG=$LAB_DIR/$1.log.play \
		ata_start - "$conf" "$LAB_DIR/$1.log" || exit 1
	addr=$(ata_get sip_UDP status)
	SIP_PORT=${addr##*:}
	[ -n "$SIP_PORT" ] || lab_die "no SIP UDP port in status"
}

stop_daemon() {
	kill "$ATA_PID" && wait "$ATA_PID" 2>/dev/null
}

# invite ID FROM [HEADER...]: an INVITE to line 1 that rings 5 s (then
# 487 by its Expires); returns when the line is idle again
invite() {
	local id=$1 from=$2 sdp h f=$LAB_DIR/inv-$1
	shift 2
	sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
		"c=IN IP4 127.0.0.1" "t=0 0" "m=audio 40000 RTP/AVP 0" \
		"a=rtpmap:0 PCMU/8000"; echo x)
	sdp=${sdp%x}
	{
	printf 'INVITE sip:1001@127.0.0.1:%s SIP/2.0\r\n' "$SIP_PORT"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-cid-%s\r\n' \
		"$id"
	printf 'Max-Forwards: 70\r\nFrom: %s;tag=c%s\r\n' "$from" "$id"
	printf 'To: <sip:1001@127.0.0.1>\r\nCall-ID: cid-%s\r\n' "$id"
	printf 'CSeq: 1 INVITE\r\nContact: <sip:2000@127.0.0.1:5062>\r\n'
	printf 'Expires: 5\r\n'
	for h in "$@"; do printf '%s\r\n' "$h"; done
	printf 'Content-Type: application/sdp\r\n'
	printf 'Content-Length: %d\r\n\r\n%s' "${#sdp}" "$sdp"
	} >"$f"
	python3 "$SIPSEND" -b via -w 15 127.0.0.1 "$SIP_PORT" "$f" \
		>"$f.out" 2>&1
	grep -q '^SIP/2.0 180 ' "$f.out" ||
		t_fail "$id: line 1 rings" "$(cat "$f.out")"
	ata_wait_line 1 idle 10
}

# wav RAW WAV: the recording as a WAV file minimodem reads
wav() {
	python3 - "$1" "$2" <<'PY'
import sys, wave
pcm = open(sys.argv[1], "rb").read()
w = wave.open(sys.argv[2], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(pcm)
w.close()
PY
}

# ------------------------------------------------- (a), (b) ---
start_daemon us us
invite a '"Alice Example" <sip:5551234@127.0.0.1>'
invite b '"Anonymous" <sip:anonymous@anonymous.invalid>'
stop_daemon
wav "$LAB_DIR/us.raw" "$LAB_DIR/us.wav"
out=$(minimodem --rx -q -f "$LAB_DIR/us.wav" callerid 2>&1)
t_diag "minimodem callerid: $(echo "$out" | paste -sd '|')"
first=$(echo "$out" | awk '/^CALLER-ID/ {n++} n == 1')
second=$(echo "$out" | awk '/^CALLER-ID/ {n++} n == 2')
if echo "$first" | grep -qx 'Phone: 5551234' &&
   echo "$first" | grep -qx 'Name:  Alice Example'; then
	t_ok "(a) Bell 202 MDMF: number 5551234, name \"Alice Example\""
else
	t_fail "(a) Bell 202 MDMF: number 5551234, name \"Alice Example\"" \
		"$out" "$(grep -i 'caller id' "$LAB_DIR/us.log")"
fi
if echo "$second" | grep -qx 'Phone: \[blocked\]' &&
   echo "$second" | grep -qx 'Name:  \[blocked\]'; then
	t_ok "(b) anonymous: number and name private ('P')"
else
	t_fail "(b) anonymous: number and name private ('P')" "$out"
fi

# ------------------------------------------------------- (c) ---
# the ring switch as it changes: "<monotonic_ns> <0|1>" lines
echo 0 >"$VSLIC_RING_FILE"
python3 - "$VSLIC_RING_FILE" >"$LAB_DIR/rings" <<'PY' &
import sys, time
last = None
end = time.monotonic() + 40
while time.monotonic() < end:
    try:
        v = open(sys.argv[1]).read(1)
    except OSError:
        v = ""
    if v in ("0", "1") and v != last:
        print(time.monotonic_ns(), v, flush=True)
        last = v
    time.sleep(0.002)
PY
watcher=$!
echo "$watcher" >>"$LAB_DIR/pids"
start_daemon de de '    ring_control: "vslic:Ring Switch"
    ring_cadence: [1s, 1s]'
invite c '"Spoof" <sip:999@127.0.0.1>' \
	'P-Asserted-Identity: "Bob Beispiel" <sip:+49301234@127.0.0.1>'
stop_daemon
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
wav "$LAB_DIR/de.raw" "$LAB_DIR/de.wav"
minimodem --rx -q -f "$LAB_DIR/de.wav" -8 1200 -M 1300 -S 2100 \
	>"$LAB_DIR/de.bytes" 2>/dev/null
res=$(python3 - "$LAB_DIR/de.bytes" "$LAB_DIR/de.raw" \
	"$LAB_DIR/de.log.play" "$LAB_DIR/rings" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(b"\x80")
if i < 0 or len(b) < i + 3 or len(b) < i + b[i + 1] + 3:
    print("nomsg", b.hex())
    sys.exit()
m = b[i:i + b[i + 1] + 3]
p, par = 2, {}
while p < len(m) - 1:
    par[m[p]] = m[p + 2:p + 2 + m[p + 1]]
    p += 2 + m[p + 1]
print("msg", "sum=%d" % (sum(m) % 256),
      "number=%s" % par.get(2, b"-").decode(),
      "name=%s" % par.get(7, b"-").decode().replace(" ", "_"))
# when the data played: the first and last loud sample, by the clock log
pcm = open(sys.argv[2], "rb").read()
x = [int.from_bytes(pcm[k:k + 2], "little", signed=True)
     for k in range(0, len(pcm) - 1, 2)]
loud = [k for k, v in enumerate(x) if abs(v) > 1000]
per = [tuple(map(int, l.split())) for l in open(sys.argv[3])
       if not l.startswith("#")]
def ns(idx):
    best = per[0]
    for li, t in per:
        if li > idx:
            break
        best = (li, t)
    return best[1] + (idx - best[0]) * 1000000000 // 8000
rings = [tuple(map(int, l.split())) for l in open(sys.argv[4])]
ons = [t for t, v in rings if v == 1]
offs = [t for t, v in rings if v == 0 and ons and t > ons[0]]
if not loud or len(ons) < 2 or not offs:
    print("timing none", len(loud), rings)
    sys.exit()
s, e = ns(loud[0]), ns(loud[-1])
print("timing", "after_off_ms=%d" % ((s - offs[0]) // 1000000),
      "before_ring2_ms=%d" % ((ons[1] - e) // 1000000))
PY
)
t_diag "$res"
msg=$(echo "$res" | grep '^msg')
if echo "$msg" | grep -q 'sum=0 number=+49301234 name=Bob_Beispiel'; then
	t_ok "(c) V.23: MDMF from P-Asserted-Identity, checksum right"
else
	t_fail "(c) V.23: MDMF from P-Asserted-Identity, checksum right" \
		"$res" "$(grep -i 'caller id' "$LAB_DIR/de.log")"
fi
# ordering, not a duration: the ring goes on again after the data ended
b2=$(echo "$res" | sed -n 's/.*before_ring2_ms=\(-*[0-9]*\).*/\1/p')
a1=$(echo "$res" | sed -n 's/.*after_off_ms=\(-*[0-9]*\).*/\1/p')
if [ -n "$b2" ] && [ "$b2" -gt 0 ] && [ -n "$a1" ] && [ "$a1" -gt 0 ] &&
   grep -q 'the second ring waits' "$LAB_DIR/de.log"; then
	t_ok "(c) data after ring 1 (+${a1} ms), ring 2 after it (+${b2} ms)"
else
	t_fail "(c) the second ring waits for the data" "$res" \
		"$(grep -i 'caller id' "$LAB_DIR/de.log")"
fi

# ------------------------------------------------------- (d) ---
if ! command -v multimon-ng >/dev/null; then
	t_skip "(d) DTMF CLIP" "multimon-ng is not installed"
	exit
fi
start_daemon dtmf us '    caller_id: dtmf'
invite d '"Alice Example" <sip:5551234@127.0.0.1>'
stop_daemon
# multimon-ng reads raw S16 at 22050 Hz: resample (linear is enough)
python3 - "$LAB_DIR/dtmf.raw" "$LAB_DIR/dtmf22.raw" <<'PY'
import array, sys
x = array.array("h", open(sys.argv[1], "rb").read())
y = array.array("h")
for i in range(int((len(x) - 1) * 22050 / 8000)):
    t = i * 8000 / 22050
    k = int(t)
    y.append(int(x[k] + (x[k + 1] - x[k]) * (t - k)))
open(sys.argv[2], "wb").write(y.tobytes())
PY
keys=$(multimon-ng -q -c -a DTMF -t raw "$LAB_DIR/dtmf22.raw" 2>/dev/null |
	sed -n 's/^DTMF: //p' | tr -d '\n')
t_diag "multimon-ng: $keys"
if [ "$keys" = A5551234C ]; then
	t_ok "(d) DTMF CLIP: multimon-ng hears $keys"
else
	t_fail "(d) DTMF CLIP: multimon-ng hears A5551234C" "heard: $keys" \
		"$(grep -i 'caller id' "$LAB_DIR/dtmf.log")"
fi
