#!/bin/bash
# Call admission by bandwidth with three lines: ataua on 44.0.0.10 with
# bandwidth.uplink_kbps 180 (two G.711 20 ms calls need 2 x 87.2), lines
# 1001/1003/1005 registered at kamailio on 44.0.0.1, sipp peers s1..s3
# on .31-.33 calling the lines directly (accept_from any).
#   - s1 calls line 1, s2 calls line 2: both admitted
#   - sipp s3 calls line 3: 486 Busy Here with the Warning saying why,
#     the line never rings, BANDWIDTH-REFUSED event
#   - line 3 goes off-hook and dials: refused, busy tone
#   - line 1 hangs up: BANDWIDTH-AVAILABLE event, `bandwidth` shows it
#   - sipp s3 calls line 3 again: admitted, rings, completes
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/sipp.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio sipp
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init admit

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host s1 44.0.0.31/24
lab_host s2 44.0.0.32/24
lab_host s3 44.0.0.33/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"

conf=$LAB_DIR/ataua.yaml
line_yaml() {
	cat <<YAML
  - id: $1
    device: default
    dialplan:
      patterns: ["xxxx"]
      interdigit: 2s
      critical: 1s
    account:
      aor: sip:$2@44.0.0.1
      registrar: sip:44.0.0.1
      password: pw$2
      expiry: 60s
YAML
}
{
	cat <<YAML
log:
  level: debug
control:
  socket: $LAB_DIR/ataua.sock
module_path: $ATA_ROOT/modules
modules: []
sip:
  listen: 44.0.0.10:5060
  accept_from: any
media:
  rtp_ports: 20000-20100
bandwidth:
  uplink_kbps: 180
  downlink_kbps: 0
lines:
YAML
	line_yaml 1 1001
	line_yaml 2 1003
	line_yaml 3 1005
} >"$conf"
chmod 0600 "$conf"
ata_start ata "$conf" ataua.log || exit 1
"$ATA_CTL" -s "$ATA_SOCK" monitor >"$LAB_DIR/events.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
lab_wait_for "[ \"\$(ata_get control_clients status)\" = 2 ]" 10
lab_wait_for "[ \"\$(ata_ctl reg | grep -cx 'state=registered')\" = 3 ]" 30 &&
	t_ok "three lines register" || t_fail "three lines register" "$(ata_ctl reg)"

bw() { ata_get "$1" bandwidth; }

[ "$(bw uplink_kbps)" = 180 ] && [ "$(bw downlink_kbps)" = 0 ] &&
	[ "$(bw admitted_calls)" = 0 ] &&
	t_ok "bandwidth shows the budget (180 up, downlink unlimited)" ||
	t_fail "bandwidth shows the budget" "$(ata_ctl bandwidth)"

# ---- call 1: sipp s1 -> line 1 (until line 1 hangs up)
sipp_uac s1 44.0.0.10:5060 -s 1001 -d 600000 &
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 15 &&
	ata_ctl line 1 offhook >/dev/null
ata_wait_line 1 connected 15 && t_ok "s1 -> line 1: connected" ||
	t_fail "s1 -> line 1: connected" "$(ata_ctl line 1)"

# ---- call 2: sipp s2 -> line 2 (talks until the lab ends)
sipp_uac s2 44.0.0.10:5060 -s 1003 -d 600000 &
lab_wait_for "[ \"\$(ata_get ring line 2)\" = yes ]" 15 &&
	ata_ctl line 2 offhook >/dev/null
ata_wait_line 2 connected 15 && t_ok "s2 -> line 2: connected" ||
	t_fail "s2 -> line 2: connected" "$(ata_ctl line 2)"

[ "$(bw admitted_calls)" = 2 ] && [ "$(bw uplink_used_kbps)" = 174 ] &&
	t_ok "two calls use 174 of 180 kbit/s" ||
	t_fail "two calls use 174 of 180 kbit/s" "$(ata_ctl bandwidth)"

# ---- call 3 refused: 486 with a Warning
if sipp_uac s3 44.0.0.10:5060 -s 1005 -d 1000 -timeout 20s; then
	t_fail "s3 -> line 3 is refused" "sipp completed the call"
else
	t_ok "s3 -> line 3 is refused (sipp did not complete)"
fi
msgs=$(cat "$LAB_DIR"/sipp-s3-*-msgs.log 2>/dev/null)
printf '%s\n' "$msgs" | grep -q '^SIP/2.0 486 Busy Here' &&
	t_ok "the refusal is 486 Busy Here" ||
	t_fail "the refusal is 486 Busy Here" "$msgs"
warn='Warning: 399 ataua "uplink full: 174 of 180 kbit/s in use, call needs 88"'
printf '%s\n' "$msgs" | grep -qF "$warn" &&
	t_ok "with $warn" ||
	t_fail "with the Warning header" "$(printf '%s\n' "$msgs" | grep -i warning)"
[ "$(ata_get ring line 3)" = no ] && [ "$(ata_get state line 3)" = idle ] &&
	t_ok "line 3 never rang" || t_fail "line 3 never rang" "$(ata_ctl line 3)"
lab_wait_for "grep -q 'BANDWIDTH-REFUSED reason=\"uplink full' '$LAB_DIR/events.log'" 5 &&
	t_ok "BANDWIDTH-REFUSED event" ||
	t_fail "BANDWIDTH-REFUSED event" "$(cat "$LAB_DIR/events.log")"

# ---- an outgoing third call gets busy tone
ata_ctl line 3 offhook >/dev/null
ata_ctl line 3 digits 1002 >/dev/null
ata_wait_line 3 busy 10 && [ "$(ata_get tone line 3)" = busy ] &&
	t_ok "line 3 dials a third call: busy tone" ||
	t_fail "line 3 dials a third call: busy tone" "$(ata_ctl line 3)"
[ "$(bw refused_calls)" = 2 ] && [ "$(bw admitted_calls)" = 2 ] &&
	t_ok "bandwidth counts two refusals" ||
	t_fail "bandwidth counts two refusals" "$(ata_ctl bandwidth)"
ata_ctl line 3 onhook >/dev/null
grep -q 'BANDWIDTH-AVAILABLE' "$LAB_DIR/events.log" &&
	t_fail "no BANDWIDTH-AVAILABLE while full" "$(cat "$LAB_DIR/events.log")" ||
	t_ok "no BANDWIDTH-AVAILABLE while full"

# ---- line 1 hangs up: capacity is free again
ata_ctl line 1 onhook >/dev/null
lab_wait_for "grep -q 'BANDWIDTH-AVAILABLE uplink_free=93 downlink_free=0 calls=1' '$LAB_DIR/events.log'" 10 &&
	t_ok "BANDWIDTH-AVAILABLE uplink_free=93 calls=1" ||
	t_fail "BANDWIDTH-AVAILABLE event" "$(cat "$LAB_DIR/events.log")"
[ "$(bw uplink_used_kbps)" = 87 ] && [ "$(bw admitted_calls)" = 1 ] &&
	t_ok "bandwidth: 87 kbit/s in use, one call" ||
	t_fail "bandwidth: 87 kbit/s in use" "$(ata_ctl bandwidth)"

# ---- the next call is admitted
sipp_uac s3 44.0.0.10:5060 -s 1005 -d 1000 &
spid=$!
lab_wait_for "[ \"\$(ata_get ring line 3)\" = yes ]" 15 &&
	ata_ctl line 3 offhook >/dev/null
if wait "$spid"; then
	t_ok "s3 -> line 3 again: admitted and completed"
else
	t_fail "s3 -> line 3 again: admitted and completed" \
		"$(tail -n 20 "$LAB_DIR"/sipp-s3-*.log)"
fi
ata_ctl line 3 onhook >/dev/null
lab_wait_for "[ \"\$(ata_get admitted_calls bandwidth)\" = 1 ]" 10 &&
	t_ok "its bandwidth is given back at the end" ||
	t_fail "its bandwidth is given back at the end" "$(ata_ctl bandwidth)"
ata_ctl status >/dev/null && t_ok "the daemon still answers" ||
	t_fail "the daemon still answers"
