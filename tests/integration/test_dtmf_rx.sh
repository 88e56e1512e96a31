#!/bin/bash
# RFC 4733 digits in, through a real call on loopback: a python peer
# (lib/rtppeer.py dtmf) calls ataua straight, the test answers, and the
# peer sends four digits as telephone-events (PT 101) between PCMU
# packets, one SSRC: full events (start, updates, three end packets) and
# events of which only the end packets arrive, each followed by a late
# duplicate of its start. ataua must report each digit exactly once
# (core/dsp/telev_rx.c): rx_digits = 4, not more, not fewer.
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
cleanup() {
	[ -n "$peer" ] && kill "$peer" 2>/dev/null && wait "$peer" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

port=$((26060 + RANDOM % 1000))
sock=$tmp/ataua.sock
cat >"$tmp/ataua.yaml" <<YAML
log:
  level: info
control:
  socket: $sock
module_path: $root/modules
sip:
  listen: 127.0.0.1:$port
  accept_from: any
media:
  rtp_ports: 30200-30299
lines:
  - id: 1
    device: none
    account:
      aor: sip:1001@127.0.0.1
YAML
ctl() { "$root/atactl" -s "$sock" "$@"; }
digits_rx() { ctl calls 2>/dev/null | sed -n 's/^rx_digits=//p' | head -n 1; }

echo "1..2"
"$root/ataua" -c "$tmp/ataua.yaml" >"$tmp/ataua.log" 2>&1 &
pid=$!
for i in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$root/tests/integration/lib/rtppeer.py" dtmf 127.0.0.1:$port \
	1001 "$tmp" "$digits" >"$tmp/peer.log" 2>&1 &
peer=$!
for i in $(seq 150); do
	ctl line 1 2>/dev/null | grep -q 'ring=yes' && break
	sleep 0.1
done
ctl line 1 offhook >/dev/null
# all four arrive within 2 + 4 s of the answer; poll, then look again
# once the last one's duplicates are surely in
got=
for i in $(seq 200); do
	got=$(digits_rx)
	[ "${got:-0}" -ge ${#digits} ] && break
	sleep 0.1
done
sleep 1
again=$(digits_rx)
[ "${got:-0}" = ${#digits} ] &&
	t_ok "each of ${#digits} digits reported (rx_digits=$got)" ||
	t_fail "each of ${#digits} digits reported" "rx_digits=${got:-none}" \
		"$(ctl calls 2>&1)" "$(tail -n 5 "$tmp/ataua.log")"
[ "${again:-0}" = ${#digits} ] &&
	t_ok "and only once: end packets and late duplicates are not new ($again)" ||
	t_fail "each digit only once" "rx_digits=${again:-none}"
wait "$peer"; peer=
ctl line 1 onhook >/dev/null
[ "$fails" = 0 ]
