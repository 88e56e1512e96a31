#!/bin/bash
# The hook switch and the ringer through ALSA control elements: ataua
# with audio-alsa on the virtual SLIC, whose controls (tests/alsa/
# vslic_ctl.c) are two files here: the test writes "Hook Switch" (hook)
# and reads "Ring Switch" (ring). Loopback only, no root.
#   - lift -> off-hook, dial tone; 300 ms on-hook -> a flash, not a
#     hang-up (still off-hook); 2.5 s on-hook -> idle
#   - a call from lib/rtppeer.py -> Ring Switch on, and with
#     ring_cadence off and on again while ringing; lift -> answered,
#     Ring Switch off; flash -> held, flash -> connected; hang up -> idle
#   - pulse dialling "1002" on the hook switch -> the INVITE for 1002
#     reaches a stand-in proxy (a few lines of python below)
#   - the control: with an element that does not exist, a warning, the
#     same file moves nothing, and `atactl line 1 offhook` still works
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
plugdir=$ATA_ROOT/build/tests/alsa
[ -f "$plugdir/libasound_module_ctl_vslic.so" ] &&
	[ -f "$plugdir/libasound_module_pcm_vslic.so" ] ||
	make -C "$ATA_ROOT" vslic >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP no vslic plugins (make vslic)"; exit 77; }
[ -f /usr/share/alsa/alsa.conf ] ||
	{ echo "1..0 # SKIP no system alsa.conf"; exit 77; }
ata_host_init alsahook

sed "s|@PLUGDIR@|$plugdir|" "$ATA_ROOT/tests/alsa/asoundrc.in" \
	>"$LAB_DIR/asoundrc"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
export VSLIC_CAPTURE=silence VSLIC_PLAYBACK= VSLIC_LOG=
export VSLIC_HOOK_FILE=$LAB_DIR/hook VSLIC_RING_FILE=$LAB_DIR/ring
echo 0 >"$VSLIC_HOOK_FILE"

# A stand-in registrar/proxy on loopback: answers REGISTER 200 and logs
# the request line of everything else (the INVITE pulse dialling sends)
python3 - "$LAB_DIR/proxy.port" "$LAB_DIR/proxy.log" <<'PY' \
	{LAB__TAP}>&- {LAB__ERR}>&- &
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
log = open(sys.argv[2], "a", buffering=1)
while True:
    data, src = s.recvfrom(65535)
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    lines = head.split("\r\n")
    if lines[0].startswith("SIP/"):
        continue
    log.write(lines[0] + "\n")
    if not lines[0].startswith("REGISTER"):
        continue
    keep = [l for l in lines[1:] if re.match(
        r"(?i)(via|from|to|call-id|cseq|contact)\s*:", l)]
    resp = "SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + \
        "\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n"
    s.sendto(resp.encode(), src)
PY
echo "$!" >>"$LAB_DIR/pids"
lab_wait_for "[ -s '$LAB_DIR/proxy.port' ]" 5 || lab_die "no stand-in proxy"
proxy=127.0.0.1:$(cat "$LAB_DIR/proxy.port")

# conf FILE HOOK_CONTROL: flash 150 ms .. 1.5 s leaves a loaded machine
# room around the 60 ms pulses and the 300 ms flash the test makes
conf() {
	cat >"$1" <<YAML
log:
  level: debug
control:
  socket: $LAB_DIR/ataua.sock
module_path: $ATA_ROOT/modules
modules:
  - name: audio-alsa
    required: true
sip:
  listen: 127.0.0.1:0
  accept_from: any
media:
  rtp_ports: 30200-30300
lines:
  - id: 1
    device: vslic
    hook_control: "$2"
    ring_control: "vslic:Ring Switch"
    ring_cadence: [500ms, 500ms]
    hook:
      flash_min: 150ms
      flash_max: 1500ms
      pulse_dialing: true
    account:
      aor: sip:1001@127.0.0.1
      registrar: sip:$proxy
      outbound_proxy: sip:$proxy
YAML
	chmod 0600 "$1"
}

hook() { echo "$1" >"$VSLIC_HOOK_FILE"; }
ring() { cat "$LAB_DIR/ring" 2>/dev/null; }
line() { ata_ctl line 1; }
log_has() { grep -q "$1" "$LAB_DIR/ataua.log"; }

conf "$LAB_DIR/ataua.yaml" "vslic:Hook Switch"
ata_start - "$LAB_DIR/ataua.yaml" "$LAB_DIR/ataua.log" || lab_die "no ataua"
port=$(ata_get sip_UDP status)
port=${port##*:}
[ -n "$port" ] || lab_die "no SIP UDP port in status"
ata_wait_line 1 idle 10 || lab_die "line 1 not idle" "$(line)"
t_check "the hook control is watched" \
	lab_not grep -q "no hook control" "$LAB_DIR/ataua.log"

# ---- lift, flash, hang up
hook 1
ata_wait_line 1 dialtone 10 &&
	[ "$(ata_get hook line 1)" = off ] && [ "$(ata_get tone line 1)" = dial ] &&
	t_ok "Hook Switch on: off-hook with dial tone" ||
	t_fail "Hook Switch on: off-hook with dial tone" "$(line)"
hook 0; sleep 0.3; hook 1
lab_wait_for "log_has 'hook flash'" 5 &&
	t_ok "300 ms on-hook: a flash" ||
	t_fail "300 ms on-hook: a flash" "$(grep hook "$LAB_DIR/ataua.log")"
sleep 2
[ "$(ata_get hook line 1)" = off ] && ! log_has 'hook onhook' &&
	t_ok "the flash is no hang-up (still $(ata_get state line 1))" ||
	t_fail "the flash is no hang-up" "$(line)"
hook 0
ata_wait_line 1 idle 10 && log_has 'hook onhook' &&
	t_ok "on-hook for good: idle" || t_fail "on-hook for good: idle" "$(line)"

# ---- an incoming call rings the Ring Switch; lifting answers it
python3 "$LAB_LIB_DIR/rtppeer.py" call "127.0.0.1:$port" 1001 30 \
	"$LAB_DIR" 0 0 0 0 >"$LAB_DIR/peer.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
peer=$!
echo "$peer" >>"$LAB_DIR/pids"
lab_wait_for '[ "$(ring)" = 1 ]' 20 &&
	[ "$(ata_get state line 1)" = ringing ] &&
	t_ok "incoming call: Ring Switch on" ||
	t_fail "incoming call: Ring Switch on" "$(line)" "ring=$(ring)" \
		"$(tail -n 5 "$LAB_DIR/peer.log")"
lab_wait_for '[ "$(ring)" = 0 ]' 5 && lab_wait_for '[ "$(ring)" = 1 ]' 5 &&
	[ "$(ata_get state line 1)" = ringing ] &&
	t_ok "ring_cadence: the switch goes off and on again while ringing" ||
	t_fail "ring_cadence: off and on while ringing" "$(line)" \
		"ring=$(ring)"
hook 1
ata_wait_line 1 connected 10 && lab_wait_for '[ "$(ring)" = 0 ]' 5 &&
	t_ok "lifted: answered, Ring Switch off" ||
	t_fail "lifted: answered, Ring Switch off" "$(line)" "ring=$(ring)"
hook 0; sleep 0.3; hook 1
ata_wait_line 1 held 5 && t_ok "flash in a call: held" ||
	t_fail "flash in a call: held" "$(line)"
hook 0; sleep 0.3; hook 1
ata_wait_line 1 connected 5 && t_ok "flash again: connected" ||
	t_fail "flash again: connected" "$(line)"
hook 0
ata_wait_line 1 idle 10 && sleep 1.2 && [ "$(ring)" = 0 ] &&
	t_ok "hung up: idle, the ring switch stays off" ||
	t_fail "hung up: idle, the ring switch stays off" "$(line)" \
		"ring=$(ring)"
kill "$peer" 2>/dev/null; wait "$peer" 2>/dev/null

# ---- pulse dialling: 60 ms breaks, 50 ms makes, 800 ms between digits
pulse() {
	python3 - "$VSLIC_HOOK_FILE" "$1" <<'PY'
import sys, time
path, number = sys.argv[1], sys.argv[2]
def put(v):
    with open(path, "w") as f:
        f.write(v)
for d in number:
    for _ in range(int(d) or 10):
        put("0"); time.sleep(0.060)
        put("1"); time.sleep(0.050)
    time.sleep(0.8)
PY
}
placed=no
for try in 1 2; do
	hook 1
	ata_wait_line 1 dialtone 10 || break
	pulse 1002
	lab_wait_for "grep -q '^INVITE sip:1002@' '$LAB_DIR/proxy.log'" 5 &&
		{ placed=yes; break; }
	t_diag "try $try: $(grep -o 'hook digit .' "$LAB_DIR/ataua.log" |
		tr '\n' ' ')"
	hook 0
	ata_wait_line 1 idle 10
done
[ "$placed" = yes ] && t_ok "pulse dialling 1002 places the call" ||
	t_fail "pulse dialling 1002 places the call" "$(line)" \
		"$(grep 'hook\|call' "$LAB_DIR/ataua.log" | tail -n 20)" \
		"$(cat "$LAB_DIR/proxy.log")"
hook 0
ata_wait_line 1 idle 10 || t_diag "line not idle: $(line)"

# ---- the control: an element that does not exist is a warning, and
# the same file then changes nothing
ata_ctl QUIT >/dev/null 2>&1 || kill "$ATA_PID" 2>/dev/null
lab_wait_for "! kill -0 $ATA_PID" 10
conf "$LAB_DIR/ataua2.yaml" "vslic:No Such Switch"
ata_start - "$LAB_DIR/ataua2.yaml" "$LAB_DIR/ataua2.log" ||
	lab_die "no second ataua"
ata_wait_line 1 idle 10
t_check "a missing element: warned, hook via the control socket" \
	grep -q "no hook control 'vslic:No Such Switch'" \
	"$LAB_DIR/ataua2.log"
hook 1
sleep 1.5
[ "$(ata_get state line 1)" = idle ] &&
	t_ok "control: without a watched element the switch is not read" ||
	t_fail "control: without a watched element the switch is not read" \
		"$(line)"
ata_ctl line 1 offhook >/dev/null
ata_wait_line 1 dialtone 5 &&
	t_ok "the control socket still drives the hook" ||
	t_fail "the control socket still drives the hook" "$(line)"
hook 0
