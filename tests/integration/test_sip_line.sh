#!/bin/bash
# The SIP phone line against real peers, no NAT: kamailio (registrar and
# proxy, digest auth) on 44.0.0.1, ataua (user 1001) on 44.0.0.10,
# baresip (user 1002) on 44.0.0.20, sipp on 44.0.0.30.
#   - ataua registers; `reg` says ok
#   - ataua calls baresip through kamailio; RTP both ways (counters on
#     both ends) and baresip's recording holds our 1004 Hz test tone
#   - baresip calls ataua: the line rings, off-hook answers, far end hangs
#     up -> busy tone, on-hook -> idle
#   - sipp calls ataua through kamailio
#   - a call straight from an unknown host is ignored (accept_from proxy)
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/sipp.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio baresip sipp python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init sipline

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host bs 44.0.0.20/24
lab_host sipp 44.0.0.30/24
kam_start kam 44.0.0.1 44.0.0.30 || lab_die "kamailio did not start"
bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 || lab_die "baresip did not start"
bs_wait_reg bs 20 || lab_die "baresip did not register"
lab_udp_counter ata 20000-20100

conf=$LAB_DIR/ataua.yaml
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
ata_start ata "$conf" ataua.log || exit 1
"$ATA_CTL" -s "$ATA_SOCK" monitor >"$LAB_DIR/events.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"

# ---- registration
lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 20 &&
	t_ok "ataua registers with digest auth" ||
	t_fail "ataua registers with digest auth" "$(ata_ctl reg)"
t_check "kamailio has 1001's contact" kam_registered 1001
# the first REGISTER may beat the monitor: a reload re-registers
lab_wait_for "[ \"\$(ata_get control_clients status)\" = 2 ]" 10
ata_ctl reload >/dev/null
lab_wait_for "grep -q 'REG-STATE line=1 state=registered' '$LAB_DIR/events.log'" 20 &&
	t_ok "REG-STATE registered event" ||
	t_fail "REG-STATE registered event" "$(cat "$LAB_DIR/events.log")"

# ---- ataua calls baresip
ata_ctl line 1 offhook >/dev/null
[ "$(ata_get tone line 1)" = dial ] && t_ok "off-hook gives dial tone" ||
	t_fail "off-hook gives dial tone" "$(ata_ctl line 1)"
ata_ctl line 1 digits 1002 >/dev/null
if ata_wait_line 1 connected 20; then
	t_ok "ataua -> baresip: connected"
else
	t_fail "ataua -> baresip: connected" "$(ata_ctl line 1)" "$(ata_ctl calls)"
fi
bs_wait_call_established bs 10 && t_ok "baresip sees the call established" ||
	t_fail "baresip sees the call established"
sleep 3
calls=$(ata_ctl calls)
rx=$(printf '%s\n' "$calls" | sed -n 's/^rx_packets=//p' | head -n 1)
tx=$(printf '%s\n' "$calls" | sed -n 's/^tx_packets=//p' | head -n 1)
codec=$(printf '%s\n' "$calls" | sed -n 's/^codec=//p' | head -n 1)
[ "${rx:-0}" -gt 50 ] && [ "${tx:-0}" -gt 50 ] &&
	t_ok "ataua counts RTP both ways (rx=$rx tx=$tx $codec)" ||
	t_fail "ataua counts RTP both ways" "$calls"
read -r bin bout < <(bs_rtp_count bs)
[ "${bin:-0}" -gt 50 ] && [ "${bout:-0}" -gt 50 ] &&
	t_ok "baresip's RTP ports see packets both ways (in=$bin out=$bout)" ||
	t_fail "baresip's RTP ports see packets both ways" "in=$bin out=$bout"
ata_ctl line 1 digits 5 >/dev/null
# baresip 1.0 does not log telephone-events it receives, so this checks
# our sender's counter; the receiver side is unit-tested (test_telev)
if lab_wait_for "ata_ctl calls | grep -qx 'tx_digits=1'" 5; then
	t_ok "a digit during the call goes out as RFC 4733 (tx_digits=1)"
else
	t_fail "a digit during the call goes out as RFC 4733" "$(ata_ctl calls)"
fi
ata_ctl line 1 onhook >/dev/null
bs_wait_call_state bs none 10 && t_ok "on-hook ends the call at baresip" ||
	t_fail "on-hook ends the call at baresip" "$(bs_call_state bs)"
dec=$(find "$(bs__dir bs)" -name '*dec*.wav' 2>/dev/null | sort | tail -n 1)
if [ -n "$dec" ] && out=$(python3 "$ATA_ROOT/tests/integration/lib/wavtone.py" "$dec" 1004 0.5); then
	t_ok "baresip's recording holds our 1004 Hz tone ($out)"
else
	t_fail "baresip's recording holds our 1004 Hz tone" "file=$dec ${out:-}"
fi

# ---- baresip calls ataua
bs_dial bs 1001
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10 &&
	t_ok "baresip -> ataua: the line rings" ||
	t_fail "baresip -> ataua: the line rings" "$(ata_ctl line 1)"
grep -q 'RING-START line=1' "$LAB_DIR/events.log" &&
	t_ok "RING-START event" || t_fail "RING-START event"
ata_ctl line 1 offhook >/dev/null
bs_wait_call_established bs 10 && ata_wait_line 1 connected 5 &&
	t_ok "off-hook answers" ||
	t_fail "off-hook answers" "$(ata_ctl line 1)" "$(bs_call_state bs)"
sleep 2
rx=$(ata_ctl calls | sed -n 's/^rx_packets=//p' | head -n 1)
[ "${rx:-0}" -gt 30 ] && t_ok "RTP from baresip arrives ($rx)" ||
	t_fail "RTP from baresip arrives" "$(ata_ctl calls)"
bs_hangup bs
ata_wait_line 1 busy 10 && [ "$(ata_get tone line 1)" = busy ] &&
	t_ok "far end hangs up: busy tone until on-hook" ||
	t_fail "far end hangs up: busy tone until on-hook" "$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 && t_ok "on-hook: idle" || t_fail "on-hook: idle"

# ---- busy line answers 486
ata_ctl line 1 offhook >/dev/null
bs_dial bs 1001
sleep 2
grep -q '486' "$LAB_DIR/baresip-bs.log" &&
	t_ok "a call to a line that is off-hook gets 486" ||
	t_fail "a call to a line that is off-hook gets 486" "$(tail -n 5 "$LAB_DIR/baresip-bs.log")"
bs_hangup bs 2>/dev/null
ata_ctl line 1 onhook >/dev/null

# ---- sipp calls ataua through kamailio
sipp_uac sipp 44.0.0.1:5060 -s 1001 -d 2000 &
spid=$!
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 15 &&
	ata_ctl line 1 offhook >/dev/null
if wait "$spid"; then
	t_ok "sipp -> kamailio -> ataua: call completed"
else
	t_fail "sipp -> kamailio -> ataua: call completed" "$(tail -n 20 "$LAB_DIR"/sipp-sipp-*.log 2>/dev/null)"
fi
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5

# ---- a direct INVITE from an unknown host is dropped silently
sipp_uac sipp 44.0.0.10:5060 -s 1001 -d 500 -timeout 5s >/dev/null 2>&1
[ "$(ata_get ring line 1)" = no ] && grep -q 'SECURITY' "$LAB_DIR/ataua.log" &&
	t_ok "a direct call from a stranger never rings the line (SECURITY logged)" ||
	t_fail "a direct call from a stranger never rings the line" "$(grep -i security "$LAB_DIR/ataua.log")"
ata_ctl status >/dev/null && t_ok "the daemon still answers" ||
	t_fail "the daemon still answers"

# ---- the event stream: every call it announced, it also closed (calls
# this side ended too: on-hook, the 486 of a busy line, atactl's hangup)
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
ata_wait_line 1 connected 20
cid=$(ata_get id calls)
ata_ctl call hangup "${cid:-0}" >/dev/null
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5
sleep 1
call_ids() {
	sed -n "s/.*CALL-STATE line=1 id=\([0-9]*\) $1.*/\1/p" \
		"$LAB_DIR/events.log" | sort -u
}
announced=$(call_ids 'state=')
closed=$(call_ids 'state=closed')
unclosed=$(comm -23 <(echo "$announced") <(echo "$closed") | tr '\n' ' ')
if [ -n "$announced" ] && [ -z "${unclosed// /}" ]; then
	t_ok "every call in the event stream is closed in it ($(echo $announced | wc -w) calls)"
else
	t_fail "every call in the event stream is closed in it" \
		"not closed: $unclosed" "$(grep CALL-STATE "$LAB_DIR/events.log")"
fi
closed_of() {
	grep -c "CALL-STATE line=1 id=$1 state=closed" "$LAB_DIR/events.log"
}
[ "$(closed_of "${cid:-0}")" = 1 ] &&
	t_ok "atactl call hangup: one CALL-STATE closed" ||
	t_fail "atactl call hangup: one CALL-STATE closed" \
		"id=$cid: $(grep "id=${cid:-0} " "$LAB_DIR/events.log")"

# ---- no registrar: the account still places calls (peer-to-peer: to
# its own domain, here baresip's address), it only never REGISTERs
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.20 \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
t_check "reload: an account with no registrar" ata_ctl reload
t_check "reg: state=off, reason=no registrar" \
	bash -c "'$ATA_CTL' -s '$ATA_SOCK' reg | grep -qx 'state=off' &&
		'$ATA_CTL' -s '$ATA_SOCK' reg | grep -qx 'reason=no registrar'"
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
if ata_wait_line 1 connected 20 && bs_wait_call_established bs 10; then
	t_ok "no registrar: a call straight to baresip connects"
else
	t_fail "no registrar: a call straight to baresip connects" \
		"$(ata_ctl line 1)" "$(grep 'call: ' "$LAB_DIR/ataua.log" | tail -3)"
fi
ata_ctl line 1 onhook >/dev/null
bs_wait_call_state bs none 10
ata_wait_line 1 idle 5
