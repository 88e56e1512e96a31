# shellcheck shell=bash
# tests/integration/lib/faultcall.sh -- one call through the real audio
# path for the fault tests (source lab.sh and ataua.sh first).
#
# fc_start: ataua on loopback (accept_from: any, random SIP port) with
# the audio-alsa module on the virtual SLIC (tests/alsa, paced by
# CLOCK_MONOTONIC); fc_call SECS JITTER LOSS DUP REORDER: lib/rtppeer.py
# calls line 1 straight, the test answers, the peer sends PCMU through
# lib/impair.py for SECS seconds (pid in FC_PEER) then hangs up.
# fc_stat KEY: a value of `atactl stats 1`. FC_LINE_EXTRA: more keys
# for line 1 (YAML lines, indented as "    key: value"). No root needed.
# FC_ON_RING: a command fc_call runs while the call rings.

# the shipped media defaults (conf/ataua.yaml): a 20 ms period, so a
# test that counts periods expects this many a second
FC_PERIODS_PER_S=50

fc_start() {
	VSLIC_CAPTURE=tone:1004 ata_vslic
	FC_CONF=$LAB_DIR/ataua.yaml
	cat >"$FC_CONF" <<YAML
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
  accept_from: any
media:
  rtp_ports: 30000-30100
lines:
  - id: 1
    device: vslic
${FC_LINE_EXTRA:-}
    account:
      aor: sip:1001@127.0.0.1
YAML
	chmod 0600 "$FC_CONF"
	ata_start - "$FC_CONF" "$LAB_DIR/ataua.log" || lab_die "no ataua"
	FC_PORT=$(ata_get sip_UDP status)
	FC_PORT=${FC_PORT##*:}
	[ -n "$FC_PORT" ] || lab_die "no SIP UDP port in status"
}

fc_call() {
	python3 "$LAB_LIB_DIR/rtppeer.py" call "127.0.0.1:$FC_PORT" 1001 \
		"$1" "$LAB_DIR" "$2" "$3" "$4" "$5" >"$LAB_DIR/peer.log" 2>&1 \
		{LAB__TAP}>&- {LAB__ERR}>&- &
	FC_PEER=$!
	echo "$FC_PEER" >>"$LAB_DIR/pids"
	lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 20 ||
		lab_die "the peer's call does not ring" "$(cat "$LAB_DIR/peer.log")"
	# FC_ON_RING: a command run while it rings, before the answer
	[ -z "${FC_ON_RING:-}" ] || eval "$FC_ON_RING"
	ata_ctl line 1 offhook >/dev/null
	ata_wait_line 1 connected 10 ||
		lab_die "the call is not answered" "$(ata_ctl line 1)"
}

fc_stat() {
	ata_ctl stats 1 | sed -n "s/^$1=//p" | head -n 1
}

fc_vmrss() {
	awk '$1 == "VmRSS:" {print $2}' "/proc/$ATA_PID/status"
}

# fc_cpu_ticks: utime + stime of the daemon; fc_up_ticks: the clock
# they count in (ticks since boot)
fc_cpu_ticks() {
	sed 's/^.*) //' "/proc/$ATA_PID/stat" | awk '{print $12 + $13}'
}

fc_up_ticks() {
	awk -v hz="$(getconf CLK_TCK)" '{printf "%d\n", $1 * hz}' /proc/uptime
}

# fc_peak FILE OFFSET: peak |sample| of a raw S16LE file from byte
# OFFSET on
fc_peak() {
	python3 -c 'import sys, array
a = array.array("h"); d = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
a.frombytes(d[:len(d) // 2 * 2]); print(max(map(abs, a), default=0))' "$@"
}
