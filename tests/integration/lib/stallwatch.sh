# shellcheck shell=bash
# tests/integration/lib/stallwatch.sh -- does the machine itself stall
# while a test's call runs? One lib/stallprobe.py on each CPU, real-time
# (chrt -f 10, beside the audio thread) where permitted, pinned with
# taskset: a stall may take one CPU only (a vCPU the hypervisor did not
# run), and the audio thread may be on either.
#
# stall_watch_start DIR SECS: start the probes (pids in STALL_WATCH_PIDS)
# stall_watch_stop DIR: stop them; all gaps end up in DIR/stalls
# mono: CLOCK_MONOTONIC in ns (the clock of the probes and the vslic log)

STALL_WATCH_PIDS=()

mono() { python3 -c 'import time; print(time.monotonic_ns())'; }

stall_watch_start() {
	local dir=$1 secs=$2 cpu rt=() pin=()
	command -v chrt >/dev/null && chrt -f 10 true 2>/dev/null &&
		rt=(chrt -f 10)
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		pin=()
		command -v taskset >/dev/null && pin=(taskset -c "$cpu")
		"${pin[@]}" "${rt[@]}" python3 \
			"$(dirname "${BASH_SOURCE[0]}")/stallprobe.py" \
			"$dir/stalls.$cpu" "$secs" &
		STALL_WATCH_PIDS+=("$!")
	done
}

stall_watch_stop() {
	local p
	for p in "${STALL_WATCH_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	STALL_WATCH_PIDS=()
	cat "$1"/stalls.* >"$1/stalls" 2>/dev/null || : >"$1/stalls"
}
