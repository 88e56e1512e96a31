#!/bin/bash
# Caller ID on call waiting (type II, issue #14): line 1 of an ataua with
# the audio-alsa driver on the virtual SLIC (tests/alsa) answers an
# INVITE (raw SIP over UDP, sipsend.py; the handset goes off-hook by
# atactl), then a second INVITE from "Alice Example" <sip:5551234@...>
# arrives while it talks: call waiting.
#  (a) the phone does not answer the CAS: the recording holds the CAS
#      (2130 + 2750 Hz) after the call-waiting tone, no FSK (minimodem's
#      callerid mode reads nothing), and the log says no
#      acknowledgement;
#  (b) the phone answers: VSLIC_TRIGGER plays DTMF 'D' into the capture
#      (70 ms bursts every 140 ms, from when the second INVITE is sent,
#      so one falls in the acknowledgement window whatever the timing):
#      minimodem reads number 5551234 and name "Alice Example" from the
#      off-hook FSK, which comes after the CAS, and the log says sent.
# Re-runs itself in a private network namespace, like test_caller_id.sh.
set -u

if [ -z "${ATA_CIDCW_NS:-}" ]; then
	export ATA_CIDCW_NS=private
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
[ -f "$plug" ] || make -C "$ATA_ROOT" vslic >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP no vslic plugin"; exit 77; }
[ -f /usr/share/alsa/alsa.conf ] ||
	{ echo "1..0 # SKIP no system alsa.conf"; exit 77; }
ata_host_init caller_id_waiting

sed "s|@PLUGDIR@|$(dirname "$plug")|" "$ATA_ROOT/tests/alsa/asoundrc.in" \
	>"$LAB_DIR/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
export VSLIC_CAPTURE=silence

# start_daemon NAME: a fresh ataua (tones us) on vslic; SIP_PORT
start_daemon() {
	local conf=$LAB_DIR/$1.yaml addr
	ATA_ACCEPT=any ATA_LOG_LEVEL=info ATA_MODULES="  - name: audio-alsa
    required: true" ata_conf "$conf" "$LAB_DIR/$1.sock"
	sed -i 's/^    device: default$/    device: vslic/' "$conf"
	printf '    tones: us\n' >>"$conf"
	VSLIC_PLAYBACK=$LAB_DIR/$1.raw VSLIC_LOG=$LAB_DIR/$1.log.play \
	VSLIC_TRIGGER=$LAB_DIR/$1.trig \
		ata_start - "$conf" "$LAB_DIR/$1.log" || exit 1
	addr=$(ata_get sip_UDP status)
	SIP_PORT=${addr##*:}
	[ -n "$SIP_PORT" ] || lab_die "no SIP UDP port in status"
}

stop_daemon() {
	kill "$ATA_PID" && wait "$ATA_PID" 2>/dev/null
}

# invite ID FROM EXPIRES: an INVITE to line 1, sent in the background
invite() {
	local id=$1 from=$2 sdp f=$LAB_DIR/inv-$1
	sdp=$(printf '%s\r\n' "v=0" "o=- 1 1 IN IP4 127.0.0.1" "s=-" \
		"c=IN IP4 127.0.0.1" "t=0 0" "m=audio 40000 RTP/AVP 0" \
		"a=rtpmap:0 PCMU/8000"; echo x)
	sdp=${sdp%x}
	{
	printf 'INVITE sip:1001@127.0.0.1:%s SIP/2.0\r\n' "$SIP_PORT"
	printf 'Via: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bK-cw-%s\r\n' \
		"$4" "$id"
	printf 'Max-Forwards: 70\r\nFrom: %s;tag=w%s\r\n' "$from" "$id"
	printf 'To: <sip:1001@127.0.0.1>\r\nCall-ID: cw-%s\r\n' "$id"
	printf 'CSeq: 1 INVITE\r\nContact: <sip:2000@127.0.0.1:%s>\r\n' "$4"
	printf 'Expires: %s\r\n' "$3"
	printf 'Content-Type: application/sdp\r\n'
	printf 'Content-Length: %d\r\n\r\n%s' "${#sdp}" "$sdp"
	} >"$f"
	python3 "$SIPSEND" -b via -w 15 127.0.0.1 "$SIP_PORT" "$f" \
		>"$f.out" 2>&1 &
	echo $! >>"$LAB_DIR/pids"
}

# 'D' (941 + 1633 Hz), 70 ms on, 70 ms off, for 3 s: the phone's answer
dtmf_d() {
	python3 - "$1.tmp" <<'PY'
import math, struct, sys
out = []
for k in range(3 * 8000):
    on = (k % 1120) < 560
    v = 0.0
    if on:
        v = 6000 * (math.sin(2 * math.pi * 941 * k / 8000) +
                    math.sin(2 * math.pi * 1633 * k / 8000))
    out.append(int(v))
open(sys.argv[1], "wb").write(struct.pack("<%dh" % len(out), *out))
PY
	mv "$1.tmp" "$1"
}

# run NAME ANSWER: a call, then a waiting one; ANSWER 1: the phone acks
run() {
	start_daemon "$1"
	invite "$1-1" '"Bob" <sip:5550000@127.0.0.1>' 30 5062
	ata_wait_line 1 ringing 10 || t_fail "$1: line 1 rings"
	ata_ctl line 1 offhook >/dev/null
	ata_wait_line 1 connected 10 || t_fail "$1: the call is connected"
	sleep 0.5
	invite "$1-2" '"Alice Example" <sip:5551234@127.0.0.1>' 4 5064
	[ "$2" = 1 ] && dtmf_d "$LAB_DIR/$1.trig"
	lab_wait_for "grep -q 'caller ID on call waiting' '$LAB_DIR/$1.log'" \
		10
	sleep 1
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 10
	stop_daemon
	python3 - "$LAB_DIR/$1.raw" "$LAB_DIR/$1.wav" <<'PY'
import sys, wave
pcm = open(sys.argv[1], "rb").read()
w = wave.open(sys.argv[2], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(pcm)
w.close()
PY
}

# cas RAW: "cas=SAMPLE" of the first 20 ms with 2130 and 2750 Hz both
# strong, "fsk=SAMPLE" of the first loud sample after it (or -1)
cas() {
	python3 - "$1" <<'PY'
import math, struct, sys
pcm = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(pcm) // 2), pcm)
def g(seg, f):
    w = 2 * math.pi * f / 8000.0
    c, s1, s2 = 2 * math.cos(w), 0.0, 0.0
    for v in seg:
        s1, s2 = v + c * s1 - s2, s1
    return math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0.0)) / len(seg)
cas = -1
for i in range(0, len(x) - 160, 80):
    seg = x[i:i + 160]
    if g(seg, 2130) > 300 and g(seg, 2750) > 300:
        cas = i
        break
fsk = -1
if cas >= 0:
    i = cas + 640 + 160          # past the CAS (80 ms) and its edge
    while i < len(x) and abs(x[i]) < 500:
        i += 1
    fsk = i if i < len(x) else -1
print("cas=%d fsk=%d" % (cas, fsk))
PY
}

# ------------------------------------------------------- (a) ---
run noack 0
res=$(cas "$LAB_DIR/noack.raw")
out=$(minimodem --rx -q -f "$LAB_DIR/noack.wav" callerid 2>&1)
t_diag "no answer: $res; minimodem: $(echo "$out" | paste -sd '|')"
case $res in
cas=-1*) t_fail "(a) the CAS plays after the call-waiting tone" "$res" \
		"$(grep -i 'caller id' "$LAB_DIR/noack.log")" ;;
*) t_ok "(a) the CAS (2130 + 2750 Hz) plays after the call-waiting tone" ;;
esac
if ! echo "$out" | grep -q '^CALLER-ID' &&
   grep -q 'caller ID on call waiting: no acknowledgement' \
	"$LAB_DIR/noack.log"; then
	t_ok "(a) no acknowledgement: no FSK"
else
	t_fail "(a) no acknowledgement: no FSK" "$out" \
		"$(grep -i 'caller id' "$LAB_DIR/noack.log")"
fi

# ------------------------------------------------------- (b) ---
run ack 1
res=$(cas "$LAB_DIR/ack.raw")
out=$(minimodem --rx -q -f "$LAB_DIR/ack.wav" callerid 2>&1)
t_diag "'D' answers: $res; minimodem: $(echo "$out" | paste -sd '|')"
if echo "$out" | grep -qx 'Phone: 5551234' &&
   echo "$out" | grep -qx 'Name:  Alice Example' &&
   grep -q 'caller ID on call waiting: sent' "$LAB_DIR/ack.log"; then
	t_ok "(b) 'D': the off-hook FSK carries 5551234, \"Alice Example\""
else
	t_fail "(b) 'D': the off-hook FSK carries 5551234, \"Alice Example\"" \
		"$out" "$(grep -i 'caller id\|DTMF' "$LAB_DIR/ack.log")"
fi
c=${res#cas=}; c=${c%% *}; f=${res#*fsk=}
if [ "$c" -ge 0 ] && [ "$f" -gt "$c" ]; then
	t_ok "(b) the CAS, then the FSK ($(( (f - c) / 8 )) ms later)"
else
	t_fail "(b) the CAS, then the FSK" "$res"
fi
