#!/bin/bash
# The control socket under abuse (no root needed): 300 clients at once,
# a 10 MB line, binary garbage with NUL bytes, a monitor that never reads
# while thousands of events fire, half-open and vanishing connections,
# idle clients holding every slot. After each the daemon still answers
# PING, and its memory stays bounded (VmHWM, the peak resident size).
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
lab_require_cmd python3
ata_host_init ctrlabuse

# peak resident memory allowed, kB (an idle daemon needs ~5 MB)
RSS_MAX_KB=${ATA_ABUSE_RSS_MAX_KB:-30720}
MAX_CLIENTS=16  # ATA_CTRL_MAX_CLIENTS, the default (not in the config)

conf=$LAB_DIR/ataua.yaml
sock=$LAB_DIR/ataua.sock
# info: a debug log line per event would only slow the event storm
ATA_LOG_LEVEL=info ata_conf "$conf" "$sock"
ata_start - "$conf" "$LAB_DIR/ataua.log" || exit 1

ABUSE=$LAB_LIB_DIR/ctrlabuse.py

abuse() {
	timeout -k 5 120 python3 "$ABUSE" "$1" "$sock" "${@:2}"
}

pong() {
	kill -0 "$ATA_PID" 2>/dev/null || { echo "daemon died"; return 1; }
	[ "$(ata_ctl PING)" = PONG ]
}

# vm KEY: a /proc/PID/status value in kB
vm() {
	awk -v k="$1:" '$1 == k {print $2}' "/proc/$ATA_PID/status"
}

rss_bounded() {
	local hwm rss
	hwm=$(vm VmHWM)
	rss=$(vm VmRSS)
	echo "VmRSS ${rss} kB, VmHWM ${hwm} kB (limit $RSS_MAX_KB kB)"
	[ -n "$hwm" ] && [ "$hwm" -lt "$RSS_MAX_KB" ]
}

t_diag "start: VmRSS $(vm VmRSS) kB, VmHWM $(vm VmHWM) kB"

t_check "300 clients at once: $MAX_CLIENTS served, the rest refused" \
	abuse many 300 "$MAX_CLIENTS"
t_check "PING after 300 clients" pong
t_check "control_clients back to 1 (ours)" \
	bash -c "[ \"\$('$ATA_CTL' -s '$sock' status |
		sed -n 's/^control_clients=//p')\" = 1 ]"

t_check "10 MB line: FAIL too long, then the connection works" \
	abuse long 10
t_check "PING after the 10 MB line" pong
t_check "memory bounded after the 10 MB line" rss_bounded
t_diag "after the long line: $(rss_bounded)"

t_check "64 KB of binary garbage with NULs: only FAIL lines, then PONG" \
	abuse garbage 64 4475
t_check "PING after the garbage" pong

t_check "a monitor that never reads is dropped, requests still served" \
	abuse monitor 20000
t_check "PING after the slow monitor" pong
t_check "the drop is logged" \
	grep -q 'ctrl: dropping client' "$LAB_DIR/ataua.log"
t_check "memory bounded after the event storm" rss_bounded
t_diag "after the event storm: $(rss_bounded)"
t_check "line 1 is back on hook and idle" \
	bash -c "'$ATA_CTL' -s '$sock' line 1 | grep -q 'state=idle hook=on'"

t_check "half-open and vanishing clients" abuse halfopen
t_check "PING after the half-open clients" pong

t_check "$MAX_CLIENTS idle clients hold every slot, freed when they leave" \
	abuse idle "$MAX_CLIENTS"
t_check "PING after the idle clients" pong

t_check "still one daemon, same pid" kill -0 "$ATA_PID"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
kill -TERM "$ATA_PID"
lab_wait_for "! kill -0 $ATA_PID 2>/dev/null" 10 &&
	t_ok "SIGTERM still stops it" || t_fail "SIGTERM still stops it"
