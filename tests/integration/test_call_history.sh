#!/bin/bash
# Call quality and history (issue #15) over real calls through the real
# audio path (virtual SLIC, as lib/faultcall.sh): lib/rtppeer.py calls
# line 1 and sends PCMU through lib/impair.py; lib/busyuas.py answers
# the line's own call with 486.
#   - `calls` shows loss, jitter, R and MOS while a call is up
#   - a clean call the peer ends (BYE): in history dir=in, the peer's
#     URI, loss 0, MOS >= 4.0, by=remote code=0 reason="BYE"
#   - the same with 5 % loss and 0..20 ms jitter: loss_pct ~ 5, RFC 3550
#     jitter ~ 7 ms (20 / 3), MOS below the clean call's
#   - a call the handset ends (on-hook): by=local reason="hung up here"
#   - an outgoing call refused with 486: dir=out, by=remote code=486,
#     no MOS (no audio); history survives a reload
#   - newest first, `history N`, a bad N refused; one `call end:` log
#     line per call; history.calls on reload bounds the ring
# No root needed.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/callhist.sh"
. "$(dirname "$0")/lib/faultcall.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
ata_host_init callhist
fc_start

# newest: the newest history record
newest() { ata_ctl history 1 | grep '^line='; }
# peer_done: the rtppeer's call is over, the line idle again
peer_done() {
	wait "$FC_PEER" 2>/dev/null
	lab_wait_for "[ \"\$(ata_get state line 1)\" != connected ]" 10
	ata_ctl line 1 onhook >/dev/null
	ata_wait_line 1 idle 5 || t_fail "line 1 idle after the call"
}

t_check "history is empty at start" \
	[ "$(ata_ctl history)" = "count=0" ]

# ---- a clean call, the peer hangs up
fc_call 5 0 0 0 0
sleep 2
calls=$(ata_ctl calls)
cmos=$(printf '%s\n' "$calls" | sed -n 's/^mos=//p' | head -n 1)
ge "${cmos:-0}" 4.0 &&
	t_ok "calls shows the running call's MOS ($cmos)" ||
	t_fail "calls shows the running call's MOS" "$calls"
t_check "calls keeps its own keys and adds loss_pct, jitter_ms, rtt_ms" \
	grep -q 'loss_pct=.*jitter_ms=.*rtt_ms=.*r_factor=' \
	<<<"$(printf '%s\n' "$calls" | sed -n '/^rx_packets=/,$p' | tr '\n' ' ')"
peer_done
rec=$(newest)
t_diag "clean: $rec"
[ "$(hf dir "$rec")" = in ] && [ "$(hf by "$rec")" = remote ] &&
	[ "$(hf code "$rec")" = 0 ] && [ "$(hf reason "$rec")" = BYE ] &&
	t_ok "clean call: dir=in by=remote code=0 reason=BYE" ||
	t_fail "clean call: dir=in by=remote code=0 reason=BYE" "$rec"
case $(hf peer "$rec") in
sip:peer@127.0.0.1:*) t_ok "clean call: the peer's URI" ;;
*) t_fail "clean call: the peer's URI" "$rec" ;;
esac
clean=$(hf mos "$rec")
# the jitter is the sender's scheduling on this machine (a busy CI
# machine gave 3+ ms): measured and shown, not judged
ge "${clean:-0}" 4.0 && [ "$(hf loss_pct "$rec")" = 0.00 ] &&
	ge "$(hf jitter_ms "$rec")" 0 &&
	[ "$(hf codec "$rec")" = pcmu ] && ge "$(hf dur_s "$rec")" 3 &&
	t_ok "clean call: no loss, jitter $(hf jitter_ms "$rec") ms, MOS $clean, pcmu, $(hf dur_s "$rec") s" ||
	t_fail "clean call: no loss, a jitter figure, MOS >= 4.0, pcmu, >= 3 s" "$rec"

# ---- 5 % loss and 0..20 ms of jitter through the relay
fc_call 8 20 0.05 0 0
peer_done
rec=$(newest)
t_diag "lossy: $rec"
t_diag "$(grep relay "$LAB_DIR/peer.log")"
loss=$(hf loss_pct "$rec")
lmos=$(hf mos "$rec")
ge "${loss:-0}" 2.5 && ! ge "${loss:-0}" 8 &&
	t_ok "lossy call: loss_pct $loss ~ 5" ||
	t_fail "lossy call: loss_pct ~ 5 (2.5..8)" "$rec"
jit=$(hf jitter_ms "$rec")
# the upper bound leaves room for a busy machine's own jitter
ge "${jit:-0}" 3 && ! ge "${jit:-0}" 30 &&
	t_ok "lossy call: jitter_ms $jit ~ 7 (uniform 0..20 ms)" ||
	t_fail "lossy call: jitter_ms ~ 7 (3..30)" "$rec"
ge "${lmos:-9}" 1 && ! ge "${lmos:-9}" "${clean:-0}" &&
	t_ok "lossy call: MOS $lmos below the clean call's $clean" ||
	t_fail "lossy call: MOS below the clean call's $clean" "$rec"

# ---- the handset hangs up
fc_call 20 0 0 0 0
sleep 2
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 || t_fail "line 1 idle after on-hook"
kill "$FC_PEER" 2>/dev/null
wait "$FC_PEER" 2>/dev/null
rec=$(newest)
t_diag "local: $rec"
[ "$(hf dir "$rec")" = in ] && [ "$(hf by "$rec")" = local ] &&
	[ "$(hf reason "$rec")" = "hung up here" ] &&
	t_ok "on-hook: by=local reason=\"hung up here\"" ||
	t_fail "on-hook: by=local reason=\"hung up here\"" "$rec"

# ---- an outgoing call refused with 486 (reload: the line's proxy)
python3 "$LAB_LIB_DIR/busyuas.py" "$LAB_DIR/uas.port" \
	>"$LAB_DIR/uas.log" 2>&1 {LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
lab_wait_for "[ -s '$LAB_DIR/uas.port' ]" 5 || lab_die "busyuas did not start"
sed -i "s|^\(      aor: .*\)$|\1\n      outbound_proxy: sip:127.0.0.1:$(cat "$LAB_DIR/uas.port")|" \
	"$FC_CONF"
ata_ctl reload >/dev/null || lab_die "reload failed" "$(cat "$FC_CONF")"
t_check "history survives a reload (3 calls)" \
	[ "$(ata_ctl history | tail -n 1)" = count=3 ]
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 2000 >/dev/null
lab_wait_for "ata_ctl history 1 | grep -q 'dir=out'" 10
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 || t_fail "line 1 idle after the busy call"
rec=$(newest)
t_diag "busy: $rec"
[ "$(hf dir "$rec")" = out ] && [ "$(hf by "$rec")" = remote ] &&
	[ "$(hf code "$rec")" = 486 ] &&
	[ "$(hf reason "$rec")" = "Busy Here" ] &&
	t_ok "refused call: dir=out by=remote code=486 reason=\"Busy Here\"" ||
	t_fail "refused call: dir=out by=remote code=486" "$rec"
case $(hf peer "$rec") in
*2000@127.0.0.1*) t_ok "refused call: the number dialled" ;;
*) t_fail "refused call: the number dialled" "$rec" ;;
esac
[ "$(hf mos "$rec")" = - ] && [ "$(hf dur_s "$rec")" = 0.00 ] &&
	t_ok "refused call: no MOS, no duration" ||
	t_fail "refused call: no MOS, no duration" "$rec"

# ---- the list: newest first, N, a bad N, the log
all=$(ata_ctl history)
t_diag "$all"
order=$(printf '%s\n' "$all" | grep '^line=' | sed 's/.* dir=\([a-z]*\) .* by=\([a-z]*\) .*/\1-\2/' | tr '\n' ' ')
[ "$order" = "out-remote in-local in-remote in-remote " ] &&
	t_ok "history lists newest first ($order)" ||
	t_fail "history lists newest first" "$order"
t_check "history 2: two records" \
	[ "$(ata_ctl history 2 | grep -c '^line=')" = 2 ]
t_check "history 50: all four" \
	[ "$(ata_ctl history 50 | tail -n 1)" = count=4 ]
out=$(ata_ctl history 0 2>&1)
case $out in
*"usage: history [N], N 1..1000"*) t_ok "history 0 is refused" ;;
*) t_fail "history 0 is refused" "$out" ;;
esac
out=$(ata_ctl history x 2>&1)
case $out in
*"usage: history [N]"*) t_ok "history x is refused" ;;
*) t_fail "history x is refused" "$out" ;;
esac
n=$(grep -c 'call end: line=1 ' "$LAB_DIR/ataua.log")
[ "$n" = 4 ] && t_ok "one 'call end:' log line per call" ||
	t_fail "one 'call end:' log line per call ($n)" \
	"$(grep 'call end' "$LAB_DIR/ataua.log")"
t_check "the log line names who ended it and why" \
	grep -q 'call end: line=1 .* dir=out .* mos=- by=remote code=486 reason="Busy Here"' \
	"$LAB_DIR/ataua.log"

# ---- history.calls bounds it; a reload keeps the newest
printf 'history:\n  calls: 2\n' >>"$FC_CONF"
ata_ctl reload >/dev/null || lab_die "reload failed" "$(cat "$FC_CONF")"
out=$(ata_ctl history)
[ "$(printf '%s\n' "$out" | tail -n 1)" = count=2 ] &&
	printf '%s\n' "$out" | head -n 1 | grep -q 'code=486' &&
	t_ok "history.calls: 2 keeps the two newest" ||
	t_fail "history.calls: 2 keeps the two newest" "$out"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
