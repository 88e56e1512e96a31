#!/bin/bash
# The line echo canceller, end to end. ataua with the audio-alsa driver
# on the virtual SLIC (tests/alsa), whose hybrid returns what the line
# plays into the capture 16 ms later and 10 dB down (VSLIC_ECHO=16:10;
# the capture's own source is silence). A python far end
# (lib/echopeer.py) calls ataua, the test takes the line off-hook, the
# peer talks speech-like sound for ECHO_SECS (default 6) and records the
# RTP ataua sends back. Twice, each with its own ataua: with
# `echo_canceller: off` what comes back is the echo; with the default
# (on, 32 ms tail) it must be >= 30 dB below that, from 1 s into the
# call to its end (ERLE within 1 s of speech). Also checked: the echo is
# really there with it off (no more than 14 dB under what was sent),
# each call sent back audio all along, and a third call, on, whose near
# end talks too (a 1 kHz tone from the capture, as loud as the echo
# plus 18 dB, through the whole far-end speech): it reaches the far end
# within 1 dB (the canceller does not mute or clip the near end). No
# wall-clock time is asserted.
# No root needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
plug=$ATA_ROOT/build/tests/alsa/libasound_module_pcm_vslic.so
[ -f "$plug" ] || lab_skip "no vslic plugin (make vslic)"
[ -f /usr/share/alsa/alsa.conf ] || lab_skip "no system alsa.conf"
ata_host_init echo

secs=${ECHO_SECS:-6}
peer_py=$LAB_LIB_DIR/echopeer.py
sed "s|@PLUGDIR@|$(dirname "$plug")|" \
	"$ATA_ROOT/tests/alsa/asoundrc.in" >"$LAB_DIR/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
export VSLIC_ECHO=16:10

# one_call NAME MODE CAPTURE: a whole call with echo_canceller MODE and
# VSLIC_CAPTURE=CAPTURE; leaves LAB_DIR/NAME/rx.raw
one_call() {
	local name=$1 mode=$2 dir=$LAB_DIR/$1 port
	mkdir -p "$dir"
	port=$((26000 + RANDOM % 2000))
	cat >"$dir/ataua.yaml" <<YAML
log:
  level: info
control:
  socket: $dir/ataua.sock
module_path: $ATA_ROOT/modules
modules:
  - name: audio-alsa
    required: true
sip:
  listen: 127.0.0.1:$port
  accept_from: any
media:
  rtp_ports: 32000-32100
  ptime: 20ms
lines:
  - id: 1
    device: vslic
    echo_canceller: $mode
    echo_tail: 32ms
    account:
      aor: sip:1001@127.0.0.1
YAML
	chmod 0600 "$dir/ataua.yaml"
	VSLIC_CAPTURE=$3 ata_start - "$dir/ataua.yaml" "$dir/ataua.log" ||
		return 1
	python3 "$peer_py" talk 127.0.0.1:"$port" 1001 "$secs" "$dir" \
		>"$dir/peer.log" 2>&1 {LAB__TAP}>&- {LAB__ERR}>&- &
	local peer=$!
	echo "$peer" >>"$LAB_DIR/pids"
	ata_wait_line 1 ringing 20 ||
		t_diag "$mode: line 1 is $(ata_get state line 1), not ringing"
	ata_ctl line 1 offhook >/dev/null
	wait "$peer"
	ata_ctl line 1 onhook >/dev/null
	lab_stop "$ATA_PID"
}

one_call off off silence
one_call on on silence
one_call near on tone:1000:4000

for m in off on near; do
	read -r _ rcv <"$LAB_DIR/$m/peer.log" 2>/dev/null
	n=${rcv#received=}
	[ "${n:-0}" -ge $((secs * 50 * 8 / 10)) ] &&
		t_ok "$m: the call sent audio back ($n packets)" ||
		t_fail "$m: the call sent audio back" \
			"$(cat "$LAB_DIR/$m/peer.log")" \
			"$(tail -n 20 "$LAB_DIR/$m/ataua.log")"
done

lvl() { python3 "$peer_py" level "$@"; }
sent=$(lvl "$LAB_DIR/off/tx.raw" 0)
off=$(lvl "$LAB_DIR/off/rx.raw" 1)
on=$(lvl "$LAB_DIR/on/rx.raw" 1)
t_diag "levels (dB): sent $sent, back with the canceller off $off," \
	"on $on (from 1 s)"
awk -v s="$sent" -v o="$off" 'BEGIN { exit !(o >= s - 14) }' &&
	t_ok "off: the hybrid's echo comes back ($off dB, sent $sent dB)" ||
	t_fail "off: the hybrid's echo comes back" \
		"back $off dB, sent $sent dB"
awk -v o="$off" -v n="$on" 'BEGIN { exit !(o - n >= 30) }' &&
	t_ok "on: the echo is $(awk -v o="$off" -v n="$on" \
		'BEGIN { printf "%.1f", o - n }') dB lower after 1 s (>= 30)" ||
	t_fail "on: the echo is >= 30 dB lower after 1 s" \
		"off $off dB, on $on dB" \
		"$(tail -n 20 "$LAB_DIR/on/ataua.log")"
near=$(lvl "$LAB_DIR/near/rx.raw" 1)
# the tone's power: 4000^2 / 2
awk -v n="$near" 'BEGIN { t = 10 * log(8e6) / log(10);
	exit !(n - t < 1 && t - n < 1) }' &&
	t_ok "near end talking: it passes ($near dB, the tone 69.0 dB)" ||
	t_fail "near end talking: it passes within 1 dB" \
		"back $near dB, the tone 69.0 dB"
for m in off on near; do
	t_check "$m: no crash report in the log" \
		lab_not grep -Eqi 'segfault|sanitizer|assert' \
		"$LAB_DIR/$m/ataua.log"
done
