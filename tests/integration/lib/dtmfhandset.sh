# shellcheck shell=bash
# tests/integration/lib/dtmfhandset.sh -- the handset DTMF setup shared
# by test_dtmf_handset.sh and test_dtmf_detect_off.sh: ataua with
# audio-alsa on the virtual SLIC, whose capture plays lib/dtmfpeer.py's
# file (speech-like sound and dial tone 1-5 s, keys 1 0 0 2 at 6 s, 5 and
# # at 14 s); the line goes off-hook at once, dials 1002, and a python
# callee (dtmfpeer.py uas) answers. Checks the dialling (the call to
# 1002, one DTMF event per key). Set HANDSET_LAB (the lab's name) and
# HANDSET_YAML (more keys of lines[0], indented 4, or empty) first.
# Leaves $LAB_DIR (events.txt, inband.txt of the peer), $mon (events)
# and $t0 for the test's own checks.
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
plug=$ATA_ROOT/build/tests/alsa/libasound_module_pcm_vslic.so
[ -f "$plug" ] || lab_skip "no vslic plugin (make vslic)"
[ -f /usr/share/alsa/alsa.conf ] || lab_skip "no system alsa.conf"
ata_host_init "$HANDSET_LAB"

peer_py=$LAB_LIB_DIR/dtmfpeer.py
python3 "$peer_py" capture "$LAB_DIR/capture.raw" ||
	lab_die "cannot make the capture file"
sed "s|@PLUGDIR@|$(dirname "$plug")|" \
	"$ATA_ROOT/tests/alsa/asoundrc.in" >"$LAB_DIR/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
export VSLIC_CAPTURE=$LAB_DIR/capture.raw

pport=$((27000 + RANDOM % 2000))
python3 "$peer_py" uas "$pport" "$LAB_DIR" 60 >"$LAB_DIR/peer.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
peer=$!
echo "$peer" >>"$LAB_DIR/pids"

conf=$LAB_DIR/ataua.yaml
cat >"$conf" <<YAML
log:
  level: info
control:
  socket: $LAB_DIR/ataua.sock
module_path: $ATA_ROOT/modules
modules:
  - name: audio-alsa
    required: true
sip:
  listen: 127.0.0.1:0
media:
  rtp_ports: 31000-31100
  ptime: 20ms
lines:
  - id: 1
    device: vslic
    tones: us
$HANDSET_YAML
    dialplan:
      patterns: ["xxxx"]
      first_digit: 30s
    account:
      aor: sip:1001@127.0.0.1
      registrar: sip:127.0.0.1:$pport
      outbound_proxy: sip:127.0.0.1:$pport;lr
YAML
chmod 0600 "$conf"
t0=$(date +%s%N)
ata_start - "$conf" "$LAB_DIR/ataua.log" || lab_die "no ataua"
mon=$LAB_DIR/events.log
"$ATA_CTL" -s "$ATA_SOCK" monitor >"$mon" 2>&1 {LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
ata_ctl line 1 offhook >/dev/null
# the device's clock started after t0: off-hook before its 1 s mark
# means the detector saw all the speech and dial tone
el=$((($(date +%s%N) - t0) / 1000000))
[ "$el" -lt 1000 ] ||
	t_diag "off-hook $el ms after the start: the speech-like part was" \
		"partly on-hook"
[ "$el" -lt 5500 ] || lab_die "off-hook only $el ms after the start"
t_check "off-hook: dial tone" ata_wait_line 1 dialtone 5 || true

lab_wait_for "[ -s '$LAB_DIR/invite.txt' ]" 20 &&
	t_ok "the keys place a call" ||
	t_fail "the keys place a call" "$(ata_ctl line 1)" \
		"$(grep -a -i 'dtmf\|line 1' "$LAB_DIR/ataua.log" | tail -n 8)"
ruri=$(cut -d' ' -f2 "$LAB_DIR/invite.txt" 2>/dev/null)
case $ruri in
sip:1002@*)
	t_ok "the peer is called at 1002 ($ruri): no key from speech" \
		"or dial tone" ;;
*)
	t_fail "the peer is called at 1002" "Request-URI: ${ruri:-none}" \
		"$(grep -a DTMF "$mon")" ;;
esac
ata_wait_line 1 connected 10 && t_ok "the call is connected" ||
	t_fail "the call is connected" "$(ata_ctl line 1)"
# the event comes at the key's release, the call may be placed before
dialled() {
	grep -a 'DTMF' "$mon" | grep 'source=handset' | grep -v ' id=' |
		sed -n 's/.* key=\(.\) .*/\1/p' | tr -d '\n'
}
lab_wait_for "[ \"\$(dialled)\" = 1002 ]" 5 &&
	t_ok "one DTMF event (source=handset) per key dialled: $(dialled)" ||
	t_fail "one DTMF event (source=handset) per key dialled" \
		"keys: '$(dialled)'" "$(grep -a DTMF "$mon")"
