#!/bin/bash
# Fax/modem pass-through, through the real audio path on loopback: a
# python far end (lib/faxpeer.py send) calls ataua straight, the test
# answers, and the peer sends PCMU: silence, a 2100 Hz answer tone with
# phase reversals every 450 ms (ANS/), a V.21 preamble (HDLC flags,
# FSK 1650/1850 Hz, 300 bit/s; every 25th packet 70 ms late), silence.
# ataua plays into the virtual
# SLIC (tests/alsa), which records every sample. Checked:
#   - a CALL-MODE event: mode=passthrough tone=ans-pr dir=rx
#   - `atactl calls` shows mode=passthrough while the call is up
#   - in the recording (line time, no wall clock): the silence the
#     switch inserts into the tone (the jitter buffer going to 120 ms)
#     begins within 1 s of the tone's onset (the playout point, which
#     trails the detection by the voice delay, 45 ms)
#   - from there to the end of the preamble, every sample played is the
#     sent mu-law code decoded, at one offset: nothing inserted,
#     dropped, concealed or changed (bit-exact G.711 end to end), the
#     late packets included
#   - then a second call, the phone side a calling fax (the SLIC's
#     capture plays CNG: 1100 Hz, 0.5 s on, 3 s off) and a silent far
#     end: CALL-MODE tone=cng dir=tx, `calls` shows it
# FAX_DETECT=off runs the same with the detector off: the test must
# then fail (no event, no switch).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/vslictest.sh
. "$root/tests/integration/lib/vslictest.sh"

tmp=$(mktemp -d /tmp/ataua-fax.XXXXXX)
pid=
peer=
mon=
cleanup() {
	local p
	for p in $peer $mon $pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

vslic_asoundrc "$tmp"

port=$((28060 + RANDOM % 1000))
rtp=$((32000 + RANDOM % 500 * 2))
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
  listen: 127.0.0.1:$port
  accept_from: any
media:
  rtp_ports: $rtp-$((rtp + 20))
  ptime: 20ms
lines:
  - id: 1
    device: vslic
    fax_detect: ${FAX_DETECT:-on}
    account:
      aor: sip:1001@127.0.0.1
YAML
ctl() { "$root/atactl" -s "$sock" "$@"; }

# start_ataua [ENV=VALUE...]: the daemon and an event monitor
start_ataua() {
	env "$@" "$root/ataua" -c "$tmp/ataua.yaml" >>"$tmp/ataua.log" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		ctl PING >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctl monitor >"$tmp/events.log" 2>&1 &
	mon=$!
}
# answer: off-hook once the peer's call rings
answer() {
	for i in $(seq 150); do
		ctl line 1 2>/dev/null | grep -q 'ring=yes' && break
		sleep 0.1
	done
	ctl line 1 offhook >/dev/null
}
# first_mode: the first CALL-MODE event, waited for up to 10 s
first_mode() {
	local i e=
	for i in $(seq 100); do
		e=$(grep -a 'CALL-MODE' "$tmp/events.log" | head -n 1)
		[ -n "$e" ] && break
		sleep 0.1
	done
	echo "$e"
}

echo "1..7"
start_ataua VSLIC_PLAYBACK="$tmp/play.raw"
python3 "$root/tests/integration/lib/faxpeer.py" send 127.0.0.1:$port \
	1001 "$tmp" >"$tmp/peer.log" 2>&1 &
peer=$!
answer
# the tone starts 0.6 s after the answer and lasts 2.6 s
ev=$(first_mode)
case $ev in
*mode=passthrough*tone=ans-pr*dir=rx*)
	t_ok "CALL-MODE event: ${ev#*CALL-MODE }" ;;
*)
	t_fail "CALL-MODE event mode=passthrough tone=ans-pr dir=rx" \
		"event: ${ev:-none}" "$(tail -n 5 "$tmp/ataua.log")" ;;
esac
calls=$(ctl calls 2>&1)
printf '%s\n' "$calls" | grep -qx 'mode=passthrough' &&
	t_ok "atactl calls: mode=passthrough" ||
	t_fail "atactl calls: mode=passthrough" "$calls"

wait "$peer"; peer=
stats=$(ctl stats 1 2>&1 |
	grep -E '^(xruns|late|concealed_samples|wake_gap_max_us)=')
ctl line 1 onhook >/dev/null
# the recording is written when the device closes
kill "$pid"; wait "$pid" 2>/dev/null; pid=
python3 "$root/tests/integration/lib/faxpeer.py" analyze "$tmp" \
	"$tmp/play.raw" >"$tmp/analysis" 2>&1
an=$(cat "$tmp/analysis")
val() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" "$tmp/analysis" | head -n 1; }

sw=$(val switch_ms)
[ -n "$sw" ] && [ "$sw" -le 1000 ] &&
	t_ok "the switch (the jitter buffer to 120 ms: $(val gap_ms) ms of silence) $sw ms into the tone, on the line's clock" ||
	t_fail "the switch within 1 s of the tone" "$an" $stats
# An underrun in the call loses samples on the line: nothing can be
# bit-exact across it. On a busy machine (CI: the audio thread kept from
# running > 20 ms) that is a skip with the evidence; test_latency.sh is
# the judge of xruns, this test of what pass-through does to the data.
xr=$(printf '%s\n' "$stats" | sed -n 's/^xruns=//p')
if [ "$(val result)" = exact ]; then
	t_ok "tone and V.21 preamble played bit-exact after the switch ($(val exact_from)..$(val exact_to) of the sent samples, offset $(val offset))"
elif [ "${xr:-0}" -gt 0 ]; then
	n=$((n + 1))
	echo "ok $n - tone and V.21 preamble played bit-exact # SKIP the device underran in the call (a stall): $(echo $stats)"
else
	t_fail "tone and V.21 preamble played bit-exact" "$an" $stats
fi

# the phone side: a calling fax machine
kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null; mon=
python3 "$root/tests/integration/lib/faxpeer.py" capture "$tmp/cng.raw"
start_ataua VSLIC_CAPTURE="$tmp/cng.raw"
python3 "$root/tests/integration/lib/rtppeer.py" call 127.0.0.1:$port \
	1001 6 "$tmp" 0 0 0 0 >"$tmp/peer2.log" 2>&1 &
peer=$!
answer
ev=$(first_mode)
case $ev in
*mode=passthrough*tone=cng*dir=tx*)
	t_ok "CNG from the phone: ${ev#*CALL-MODE }" ;;
*)
	t_fail "CNG from the phone: CALL-MODE tone=cng dir=tx" \
		"event: ${ev:-none}" "$(tail -n 5 "$tmp/ataua.log")" ;;
esac
calls=$(ctl calls 2>&1)
printf '%s\n' "$calls" | grep -qx 'mode_tone=cng' &&
	printf '%s\n' "$calls" | grep -qx 'mode_dir=tx' &&
	t_ok "atactl calls: mode_tone=cng mode_dir=tx" ||
	t_fail "atactl calls: mode_tone=cng mode_dir=tx" "$calls"
wait "$peer"; peer=
kill "$pid"; wait "$pid" 2>/dev/null; pid=

grep -Eqi 'segfault|sanitizer|assert' "$tmp/ataua.log" &&
	t_fail "no crash report in the log" "$(tail -n 5 "$tmp/ataua.log")" ||
	t_ok "no crash report in the log"
[ "$fails" = 0 ]
