#!/bin/bash
# Real-time audio (media.rt_priority): ataua with the audio-alsa driver
# on the virtual SLIC (tests/alsa), no network. Three daemons in turn:
#   - the shipped default (10): the line's audio thread is SCHED_FIFO
#     priority 10 and, as root, the memory is locked once used (VmLck
#     in /proc grows as pages are touched; "memory: locked" logged);
#     not root: the notice says why not
#   - rt_priority: 30: the thread at 30
#   - rt_priority: 0: plain scheduling (SCHED_OTHER), nothing locked,
#     and the log says so
# Read from /proc (policy and priority of the thread, VmLck), no clock.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/vslictest.sh
. "$root/tests/integration/lib/vslictest.sh"

tmp=$(mktemp -d /tmp/ataua-rt.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
vslic_asoundrc "$tmp"
sock=$tmp/ataua.sock
ctl() { "$root/atactl" -s "$sock" "$@"; }

# run PRIO: start a daemon with media.rt_priority PRIO ("" = default)
run() {
	local i
	{
		cat <<YAML
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
YAML
		[ -n "$1" ] && printf 'media:\n  rt_priority: %s\n' "$1"
		cat <<YAML
lines:
  - id: 1
    device: vslic
    account:
      aor: sip:1001@127.0.0.1
YAML
	} >"$tmp/ataua.yaml"
	VSLIC_CAPTURE=silence "$root/ataua" -c "$tmp/ataua.yaml" \
		>"$tmp/ataua.log" 2>&1 &
	pid=$!
	for i in $(seq 100); do ctl PING >/dev/null 2>&1 && break; sleep 0.1; done
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null; pid=; }

# "POLICY PRIORITY" of the daemon's audio thread (its only other task)
thread_sched() {
	local t
	for t in /proc/$pid/task/*; do
		[ "${t##*/}" = "$pid" ] && continue
		sed 's/.*) //' "$t/stat" | awk '{print $39, $38}'
	done | head -n 1
}
vmlck() { awk '$1 == "VmLck:" {print $2}' "/proc/$pid/status"; }

echo "1..5"
uid=$(id -u)

run ""
s=$(thread_sched)
if [ "$uid" = 0 ]; then
	[ "$s" = "1 10" ] &&
		t_ok "default: the audio thread is SCHED_FIFO 10 ($s)" ||
		t_fail "default: SCHED_FIFO 10" "policy priority: $s" \
			"$(cat "$tmp/ataua.log")"
	l=$(vmlck)
	[ "${l:-0}" -gt 0 ] && grep -q "memory: locked" "$tmp/ataua.log" &&
		t_ok "default: memory locked once used (VmLck: $l kB of mappings)" ||
		t_fail "default: memory locked" "VmLck ${l:-?} kB" \
			"$(cat "$tmp/ataua.log")"
else
	n=$((n + 1)); echo "ok $n - default: SCHED_FIFO 10 # SKIP not root"
	grep -q "memory: not locked" "$tmp/ataua.log" &&
		t_ok "not root: the notice says why memory is not locked" ||
		t_fail "not root: memory notice" "$(cat "$tmp/ataua.log")"
fi
stop

run 30
s=$(thread_sched)
if [ "$uid" = 0 ]; then
	[ "$s" = "1 30" ] && t_ok "rt_priority 30: SCHED_FIFO 30 ($s)" ||
		t_fail "rt_priority 30: SCHED_FIFO 30" "policy priority: $s"
else
	n=$((n + 1)); echo "ok $n - rt_priority 30 # SKIP not root"
fi
stop

run 0
s=$(thread_sched)
l=$(vmlck)
set -- $s
[ "${1:-x}" = 0 ] && [ "${l:-x}" = 0 ] &&
	t_ok "rt_priority 0: plain scheduling, nothing locked ($s, VmLck $l kB)" ||
	t_fail "rt_priority 0: plain, unlocked" "policy priority: $s" \
		"VmLck ${l:-?}"
grep -q "plain scheduling (media.rt_priority: 0)" "$tmp/ataua.log" &&
	! grep -q "memory: locked" "$tmp/ataua.log" &&
	t_ok "rt_priority 0: the log says plain scheduling" ||
	t_fail "rt_priority 0: the log" "$(cat "$tmp/ataua.log")"
stop
[ "$fails" = 0 ]
