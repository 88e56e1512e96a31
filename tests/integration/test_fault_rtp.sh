#!/bin/bash
# RTP faults during a call through the real audio path (virtual SLIC):
# the peer (lib/rtppeer.py) sends through lib/impair.py with 5 % loss,
# 5 % duplication, 5 % reordering and 30 ms jitter, and stalls twice for
# 500 ms (its process stopped: a gap, then the backlog in a burst, as
# after a stalled router). The call survives (connected throughout,
# playback goes on), `atactl stats` counts the damage (concealed
# samples, late packets, duplicates; rx_lost in `calls`), the daemon
# answers and its memory stays bounded. No root needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/faultcall.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
ata_host_init faultrtp
fc_start
rss0=$(fc_vmrss)

fc_call 14 30 0.05 0.05 0.05
sleep 3
gaps=0
for i in 1 2; do
	kill -STOP "$FC_PEER" && sleep 0.5 && kill -CONT "$FC_PEER" &&
		gaps=$((gaps + 1))
	sleep 2
	[ "$(ata_get state line 1)" = connected ] ||
		t_fail "connected after gap $i" "$(ata_ctl line 1)"
done
t_check "two 500 ms gaps made" [ "$gaps" = 2 ]
p0=$(fc_stat periods)
sleep 1
p1=$(fc_stat periods)
[ "${p1:-0}" -gt "${p0:-0}" ] &&
	t_ok "playback goes on (periods $p0 -> $p1)" ||
	t_fail "playback goes on" "periods $p0 -> $p1"
stats=$(ata_ctl stats 1)
calls=$(ata_ctl calls)
t_diag "$(printf '%s\n' "$stats" | tr '\n' ' ')"
[ "$(ata_get state line 1)" = connected ] &&
	t_ok "the call survives loss, reordering, duplicates and gaps" ||
	t_fail "the call survives" "$(ata_ctl line 1)"
conc=$(fc_stat concealed_samples)
late=$(fc_stat late)
dups=$(fc_stat duplicates)
lost=$(printf '%s\n' "$calls" | sed -n 's/^rx_lost=//p' | head -n 1)
[ "${conc:-0}" -ge 800 ] &&
	t_ok "losses and gaps concealed ($conc samples)" ||
	t_fail "losses and gaps concealed (>= 800 samples)" "$stats"
[ "${late:-0}" -gt 0 ] && t_ok "late packets counted ($late)" ||
	t_fail "late packets counted" "$stats"
[ "${dups:-0}" -gt 0 ] && t_ok "duplicates counted ($dups)" ||
	t_fail "duplicates counted" "$stats"
[ "${lost:-0}" -gt 0 ] && t_ok "losses counted in calls (rx_lost=$lost)" ||
	t_fail "losses counted in calls" "$calls"

wait "$FC_PEER"
t_check "the peer's relay saw the impairments" \
	grep -Eq 'lost|dup' "$LAB_DIR/peer.log"
lab_wait_for "[ \"\$(ata_get state line 1)\" != connected ]" 10 &&
	t_ok "the peer's BYE ends the call" ||
	t_fail "the peer's BYE ends the call" "$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 || t_fail "line 1 idle after on-hook"
t_check "PING" [ "$(ata_ctl PING)" = PONG ]
rss1=$(fc_vmrss)
[ -n "$rss1" ] && [ "$rss1" -lt $((rss0 + 4096)) ] &&
	t_ok "memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
	t_fail "memory bounded (VmRSS $rss0 -> ${rss1:-?} kB)"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
