#!/bin/bash
# ALSA xruns during a call, on the virtual SLIC (tests/alsa): the daemon
# is stopped three times for 300 ms (SIGSTOP: what a stalled CPU or a
# page-in does to the audio thread); the paced device runs on, underruns
# and overruns. Each is counted (`stats`: xruns, device_xruns; the vslic
# log's "# xrun" lines), the driver recovers (periods keep coming, the
# recording goes on after the last xrun), the call stays connected and
# RTP keeps flowing both ways. No root needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/faultcall.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
ata_host_init faultxrun
fc_start
rss0=$(fc_vmrss)

# 20 s: the checks below take ~10 s of sleeps and control round trips;
# with 12 s a busy machine let the peer hang up before the last check
fc_call 20 0 0 0 0
sleep 2
x0=$(fc_stat xruns)
for i in 1 2 3; do
	kill -STOP "$ATA_PID"
	sleep 0.3
	kill -CONT "$ATA_PID"
	sleep 1.5
done
xr=$(fc_stat xruns)
dx=$(fc_stat device_xruns)
t_diag "$(ata_ctl stats 1 | tr '\n' ' ')"
[ "${xr:-0}" -gt "${x0:-0}" ] &&
	t_ok "xruns counted in stats (xruns $x0 -> $xr, device_xruns=$dx)" ||
	t_fail "xruns counted in stats" "xruns $x0 -> ${xr:-?}"
de=$(fc_stat device_errors)
t_check "an xrun is no device error (device_errors=$de)" [ "$de" = 0 ]
logged=$(grep -c '^# xrun' "$LAB_DIR/vslic.log")
[ "$logged" -gt 0 ] && t_ok "the device saw $logged xrun(s)" ||
	t_fail "the device saw xruns" "$(tail -n 3 "$LAB_DIR/vslic.log")"
p0=$(fc_stat periods)
rx0=$(ata_get rx_packets calls)
tx0=$(ata_get tx_packets calls)
sleep 2
p1=$(fc_stat periods)
rx1=$(ata_get rx_packets calls)
tx1=$(ata_get tx_packets calls)
[ "${p1:-0}" -ge $((${p0:-0} + FC_PERIODS_PER_S)) ] &&
	t_ok "recovered: periods keep coming ($p0 -> $p1 in 2 s)" ||
	t_fail "recovered: periods keep coming" "periods $p0 -> $p1"
[ "$(ata_get state line 1)" = connected ] &&
	[ "${rx1:-0}" -gt $((${rx0:-0} + 50)) ] &&
	[ "${tx1:-0}" -gt $((${tx0:-0} + 50)) ] &&
	t_ok "the call goes on (rx $rx0 -> $rx1, tx $tx0 -> $tx1)" ||
	t_fail "the call goes on" "rx $rx0 -> $rx1, tx $tx0 -> $tx1" \
		"$(ata_ctl line 1)"

last_xrun=$(grep '^# xrun' "$LAB_DIR/vslic.log" | tail -n 1 | awk '{print $3}')
# periods that began on the line from 1 s after it; vslic's log is
# written through stdio (flushed at an xrun and when 4 kB fill: about
# 3 s of 20 ms periods), so wait for them while the call runs on
after_xrun() {
	awk -v x="${last_xrun:-0}" '$1 !~ /^#/ && $1 > x + 8000 {n++}
		END {print n + 0}' "$LAB_DIR/vslic.log"
}
lab_wait_for "[ \"\$(after_xrun)\" -ge $FC_PERIODS_PER_S ]" 10
after=$(after_xrun)
[ "$after" -ge "$FC_PERIODS_PER_S" ] &&
	t_ok "the line plays on after the last xrun ($after periods)" ||
	t_fail "the line plays on after the last xrun" "$after periods"

wait "$FC_PEER"
lab_wait_for "[ \"\$(ata_get state line 1)\" != connected ]" 10 ||
	t_fail "the peer's BYE ends the call" "$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
t_check "PING" [ "$(ata_ctl PING)" = PONG ]
rss1=$(fc_vmrss)
[ -n "$rss1" ] && [ "$rss1" -lt $((rss0 + 4096)) ] &&
	t_ok "memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
	t_fail "memory bounded (VmRSS $rss0 -> ${rss1:-?} kB)"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
