#!/bin/bash
# RFC 4733 digits in, through a real call on loopback: a python peer
# (lib/rtppeer.py dtmf) calls ataua straight, the test answers, and the
# peer sends four digits as telephone-events (PT 101) between PCMU
# packets, one SSRC: full events (start, updates, three end packets) and
# events of which only the end packets arrive, each followed by a late
# duplicate of its start. ataua must report each digit exactly once
# (core/dsp/telev_rx.c): rx_digits = 4, not more, not fewer, and the
# line's DTMF events say the same keys in order.
#
# Twice: without a device (the main loop reads the call's RTP) and on
# the virtual SLIC (tests/alsa), where the line's audio thread reads it
# (core/call/call_rx.c, issue #13) and hands the digits over.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0
fails=0
digits='5#7*'

t_ok() { n=$((n + 1)); echo "ok $n - $1"; }
t_fail() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

[ -x "$root/ataua" ] || { echo "1..0 # SKIP build ataua first"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 77; }

tmp=$(mktemp -d /tmp/ataua-dtmf.XXXXXX)
pid=
peer=
mon=
cleanup() {
	[ -n "$mon" ] && kill "$mon" 2>/dev/null && wait "$mon" 2>/dev/null
	[ -n "$peer" ] && kill "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

sock=$tmp/ataua.sock
ctl() { "$root/atactl" -s "$sock" "$@"; }
call_val() { ctl calls 2>/dev/null | sed -n "s/^$1=//p" | head -n 1; }

# run DEVICE PATH: one call, four digits; PATH is who reads the RTP
run() {
	local dev=$1 path=$2 port got again keys thr
	port=$((26060 + RANDOM % 1000))
	cat >"$tmp/ataua.yaml" <<YAML
log:
  level: info
control:
  socket: $sock
module_path: $root/modules
${3:-}
sip:
  listen: 127.0.0.1:$port
  accept_from: any
media:
  rtp_ports: 30200-30299
lines:
  - id: 1
    device: $dev
    account:
      aor: sip:1001@127.0.0.1
YAML
	: >"$tmp/ataua.log"
	"$root/ataua" -c "$tmp/ataua.yaml" >"$tmp/ataua.log" 2>&1 &
	pid=$!
	for i in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
	ctl monitor >"$tmp/events" 2>&1 &
	mon=$!
	python3 "$root/tests/integration/lib/rtppeer.py" dtmf 127.0.0.1:$port \
		1001 "$tmp" "$digits" >"$tmp/peer.log" 2>&1 &
	peer=$!
	for i in $(seq 150); do
		ctl line 1 2>/dev/null | grep -q 'ring=yes' && break
		sleep 0.1
	done
	ctl line 1 offhook >/dev/null
	# all four arrive within 2 + 4 s of the answer; poll, then look
	# again once the last one's duplicates are surely in
	got=
	for i in $(seq 200); do
		got=$(call_val rx_digits)
		[ "${got:-0}" -ge ${#digits} ] && break
		sleep 0.1
	done
	sleep 1
	again=$(call_val rx_digits)
	thr=$(call_val rx_thread)
	[ "${got:-0}" = ${#digits} ] &&
		t_ok "$dev: each of ${#digits} digits reported (rx_digits=$got)" ||
		t_fail "$dev: each of ${#digits} digits reported" \
			"rx_digits=${got:-none}" "$(ctl calls 2>&1)" \
			"$(tail -n 5 "$tmp/ataua.log")"
	[ "${again:-0}" = ${#digits} ] &&
		t_ok "$dev: and only once: end packets and late duplicates are not new ($again)" ||
		t_fail "$dev: each digit only once" "rx_digits=${again:-none}"
	keys=$(grep 'DTMF' "$tmp/events" | grep -v source=handset |
	       sed -n 's/.* key=\(.\).*/\1/p' | tr -d '\n')
	[ "$keys" = "$digits" ] &&
		t_ok "$dev: the line's events say $keys" ||
		t_fail "$dev: the line's events say $digits" "got '$keys'" \
			"$(cat "$tmp/events")"
	[ "$thr" = "$path" ] &&
		t_ok "$dev: the $path thread reads the call's RTP (rx_thread=$thr)" ||
		t_fail "$dev: the $path thread reads the call's RTP" \
			"rx_thread=${thr:-none}"
	wait "$peer"; peer=
	ctl line 1 onhook >/dev/null
	kill "$mon" "$pid" 2>/dev/null; wait "$mon" "$pid" 2>/dev/null; pid=
}

echo "1..8"
ATAUA_RX_THREAD=0 run none main
plug=$root/build/tests/alsa/libasound_module_pcm_vslic.so
if [ -f "$plug" ] && [ -f /usr/share/alsa/alsa.conf ]; then
	sed "s|@PLUGDIR@|$(dirname "$plug")|" \
		"$root/tests/alsa/asoundrc.in" >"$tmp/asoundrc"
	export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$tmp/asoundrc
	export VSLIC_CAPTURE=silence VSLIC_PLAYBACK=/dev/null
	run vslic media "modules:
  - name: audio-alsa
    required: true"
else
	for i in 1 2 3 4; do
		n=$((n + 1)); echo "ok $n # SKIP no vslic plugin (make vslic)"
	done
fi
[ "$fails" = 0 ]
