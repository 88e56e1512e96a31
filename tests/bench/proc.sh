# tests/bench/proc.sh: the process helpers of the bench (run.sh) and the
# soak (tests/soak/run.sh), sourced after OUT is set. Every pid put in
# PIDS is stopped at exit; log and die write to $OUT/run.log too.

PIDS=()
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/run.log"; }
die() { log "ERROR: $*"; exit 1; }

stop_pid() {  # stop_pid PID GRACE_S: TERM, wait, KILL
	local p=$1 i=0
	kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	kill -TERM "$p" 2>/dev/null
	while kill -0 "$p" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$p" 2>/dev/null && { log "pid $p did not stop: KILL"
		kill -KILL "$p" 2>/dev/null; }
	wait "$p" 2>/dev/null
	return 0
}

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		stop_pid "$p" 3
	done
	PIDS=()
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

wait_for() {  # wait_for TIMEOUT_S CMD...: until CMD succeeds
	local lim=$(($1 * 10)) i=0
	shift
	while [ $i -lt $lim ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

any_alive() {  # any_alive PID...: one of them still runs
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
