#!/bin/bash
# Call quality against a real peer that speaks RTCP (issue #15): baresip
# (user 1002, 44.0.0.20, no registrar) and ataua (1001, 44.0.0.10) call
# each other straight. baresip's receiver reports answer our sender
# reports, so the round trip is measured: `calls` and `history` show
# rtt_ms as a number (not "-"), jitter and a clean call's MOS.
#   - ataua calls baresip; the handset hangs up: dir=out, by=local
#   - baresip calls ataua and hangs up: dir=in, by=remote, reason BYE
#   - baresip calls and gives up while it rings: by=remote, CANCEL
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/callhist.sh"

lab_require_root
lab_require_cmd baresip python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init callrtt

lab_host ata 44.0.0.10/24
lab_host bs 44.0.0.20/24
# no registrar: regint=0 comes first, so baresip never registers
bs_start bs 44.0.0.20 1002 pw1002 44.0.0.20 ";regint=0" ||
	lab_die "baresip did not start"

conf=$LAB_DIR/ataua.yaml
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.20 ATA_ACCEPT=any \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
ata_start ata "$conf" ataua.log || exit 1

rtt_of_calls() { ata_ctl calls | sed -n 's/^rtt_ms=//p' | head -n 1; }

# ---- ataua calls baresip, the handset hangs up
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
ata_wait_line 1 connected 20 ||
	lab_die "ataua -> baresip: not connected" "$(ata_ctl line 1)"
# RTCP goes every few seconds: an SR of ours, then baresip's RR of it
lab_wait_for "[ \"\$(rtt_of_calls)\" != - ] && [ -n \"\$(rtt_of_calls)\" ]" 20 &&
	t_ok "calls: rtt_ms measured ($(rtt_of_calls) ms)" ||
	t_fail "calls: rtt_ms measured" "$(ata_ctl calls)"
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 || t_fail "line 1 idle after on-hook"
rec=$(ata_ctl history 1 | grep '^line=')
t_diag "out: $rec"
[ "$(hf dir "$rec")" = out ] && [ "$(hf by "$rec")" = local ] &&
	[ "$(hf code "$rec")" = 0 ] &&
	[ "$(hf peer "$rec")" = "sip:1002@44.0.0.20" ] &&
	t_ok "out: dir=out peer=sip:1002@44.0.0.20 by=local code=0" ||
	t_fail "out: dir=out peer=sip:1002@44.0.0.20 by=local code=0" "$rec"
rtt=$(hf rtt_ms "$rec")
case $rtt in
''|-|*[!0-9]*) t_fail "out: rtt_ms is a number" "$rec" ;;
*) [ "$rtt" -lt 50 ] && t_ok "out: rtt_ms $rtt on a LAN" ||
	t_fail "out: rtt_ms < 50 on a LAN" "$rec" ;;
esac
ge "$(hf mos "$rec")" 4.0 && ! ge "$(hf jitter_ms "$rec")" 20 &&
	t_ok "out: MOS $(hf mos "$rec"), jitter $(hf jitter_ms "$rec") ms" ||
	t_fail "out: MOS >= 4, jitter < 20 ms" "$rec"

# ---- baresip calls ataua and hangs up
bs_dial bs sip:1001@44.0.0.10
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 ||
	lab_die "baresip -> ataua: no ring" "$(ata_ctl line 1)"
ata_ctl line 1 offhook >/dev/null
ata_wait_line 1 connected 10 ||
	lab_die "baresip -> ataua: not answered" "$(ata_ctl line 1)"
lab_wait_for "[ \"\$(rtt_of_calls)\" != - ] && [ -n \"\$(rtt_of_calls)\" ]" 20
bs_hangup bs
ata_wait_line 1 busy 10 || t_fail "far end hangs up: busy" "$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
rec=$(ata_ctl history 1 | grep '^line=')
t_diag "in: $rec"
[ "$(hf dir "$rec")" = in ] && [ "$(hf by "$rec")" = remote ] &&
	[ "$(hf reason "$rec")" = BYE ] &&
	t_ok "in: dir=in by=remote reason=BYE" ||
	t_fail "in: dir=in by=remote reason=BYE" "$rec"
case $(hf rtt_ms "$rec") in
''|-|*[!0-9]*) t_fail "in: rtt_ms is a number" "$rec" ;;
*) t_ok "in: rtt_ms $(hf rtt_ms "$rec")" ;;
esac

# ---- baresip gives up while the line rings
bs_dial bs sip:1001@44.0.0.10
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 ||
	lab_die "baresip -> ataua: no ring" "$(ata_ctl line 1)"
bs_hangup bs
lab_wait_for "[ \"\$(ata_get ring line 1)\" = no ]" 10
rec=$(ata_ctl history 1 | grep '^line=')
t_diag "cancel: $rec"
[ "$(hf dir "$rec")" = in ] && [ "$(hf by "$rec")" = remote ] &&
	[ "$(hf reason "$rec")" = CANCEL ] && [ "$(hf mos "$rec")" = - ] &&
	[ "$(hf dur_s "$rec")" = 0.00 ] &&
	t_ok "cancelled: dir=in by=remote reason=CANCEL, no MOS, no duration" ||
	t_fail "cancelled: dir=in by=remote reason=CANCEL" "$rec"
t_check "history: three calls" [ "$(ata_ctl history | tail -n 1)" = count=3 ]
