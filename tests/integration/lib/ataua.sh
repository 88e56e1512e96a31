# shellcheck shell=bash
# tests/integration/lib/ataua.sh -- run ataua and talk to it in tests.
#
# Sourced after lab.sh. `ata_conf` writes a config, `ata_start` runs the
# daemon (in a lab namespace or on the host), `ata_ctl` is atactl on that
# daemon's socket. Every daemon started here is stopped by the lab's
# teardown (its pid is recorded like any lab process).

ATA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
ATA_BIN=${ATA_BIN:-$ATA_ROOT/ataua}
ATA_CTL=${ATA_CTL:-$ATA_ROOT/atactl}

# ata_conf FILE SOCK [EXTRA_YAML_FILE]: a config with one line; variables
# ATA_LISTEN, ATA_AOR, ATA_REGISTRAR, ATA_PASSWORD, ATA_ACCEPT,
# ATA_MODULES (yaml list body), ATA_RTP, ATA_TRANSPORTS ("[udp, tls]"),
# ATA_TLS_CA, ATA_TLS_VERIFY, ATA_ACC_TRANSPORT override the defaults.
ata_conf() {
	local file=$1 sock=$2
	cat >"$file" <<YAML
log:
  level: ${ATA_LOG_LEVEL:-debug}
control:
  socket: $sock
module_path: $ATA_ROOT/modules
modules:
${ATA_MODULES:-  - name: stun
    required: false}
sip:
  listen: ${ATA_LISTEN:-127.0.0.1:0}
  accept_from: ${ATA_ACCEPT:-proxy}
  transports: ${ATA_TRANSPORTS:-[udp]}
  tls_ca: ${ATA_TLS_CA:-/etc/ssl/certs/ca-certificates.crt}
  tls_verify: ${ATA_TLS_VERIFY:-true}
media:
  rtp_ports: ${ATA_RTP:-20000-20100}
lines:
  - id: 1
    device: default
    dialplan:
      patterns: ["xxxx", "0x.", "*xx"]
      interdigit: 2s
      critical: 1s
    account:
      aor: ${ATA_AOR:-sip:1001@example.net}
      registrar: "${ATA_REGISTRAR:-}"
      password: "${ATA_PASSWORD:-}"
      transport: ${ATA_ACC_TRANSPORT:-udp}
      expiry: 60s
YAML
	chmod 0600 "$file"
}

# ata_start NS|- CONF LOG: start the daemon, wait for its socket; the pid
# is in ATA_PID. NS "-" runs it on the host.
ata_start() {
	local ns=$1 conf=$2 log=$3 sock
	sock=$(sed -n 's/^  socket: //p' "$conf")
	if [ "$ns" = - ]; then
		"$ATA_BIN" -c "$conf" </dev/null >>"$log" 2>&1 \
			{LAB__TAP}>&- {LAB__ERR}>&- &
		ATA_PID=$!
		echo "$ATA_PID" >>"${LAB_DIR:-/tmp}/pids"
	else
		ATA_PID=$(lab_bg "$ns" "$log" "$ATA_BIN" -c "$conf")
	fi
	ATA_SOCK=$sock
	lab_wait_for "'$ATA_CTL' -s '$sock' PING" 10 || {
		t_fail "ataua started" "$(tail -n 20 "$log")"
		return 1
	}
}

# ata_ctl ARGS...: atactl on the current daemon
ata_ctl() {
	"$ATA_CTL" -s "$ATA_SOCK" "$@"
}

# ata_get KEY ARGS...: the value of KEY in the reply to ARGS (first match,
# keys anywhere on a line of space-separated key=value pairs)
ata_get() {
	local key=$1
	shift
	ata_ctl "$@" | tr ' ' '\n' | sed -n "s/^$key=//p" | head -n 1 |
		tr -d '"'
}

# ata_wait_state LINE STATE TIMEOUT: wait for a line's state
ata_wait_line() {
	lab_wait_for "[ \"\$(ata_get state line $1)\" = '$2' ]" "$3"
}

# ata_host_init NAME: like lab_init for tests that need no namespaces
# (no root): a work dir, TAP at exit, every started process stopped.
ata_host_init() {
	LAB_NAME=$1
	LAB_P="ath$$-"
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ataua-test.$1.XXXXXX")
	: >"$LAB_DIR/pids"
	LAB__TORN=0
	trap 'lab__on_exit' EXIT
	trap 'lab__on_signal 130' INT
	trap 'lab__on_signal 143' TERM
}

# ata_vslic: the virtual SLIC (tests/alsa) as ALSA's "vslic" for the
# daemons started after it (line device: vslic, module audio-alsa): the
# phone says VSLIC_CAPTURE (default a 1004 Hz tone), what the line plays
# goes to $LAB_DIR/play.raw. Skips the test without the plugin.
ata_vslic() {
	local plug=$ATA_ROOT/build/tests/alsa/libasound_module_pcm_vslic.so
	[ -f "$plug" ] || lab_skip "no vslic plugin (make vslic)"
	[ -f /usr/share/alsa/alsa.conf ] || lab_skip "no system alsa.conf"
	sed "s|@PLUGDIR@|$(dirname "$plug")|" \
		"$ATA_ROOT/tests/alsa/asoundrc.in" >"$LAB_DIR/asoundrc"
	export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$LAB_DIR/asoundrc
	export VSLIC_CAPTURE=${VSLIC_CAPTURE:-tone:1004}
	export VSLIC_LOG=$LAB_DIR/vslic.log VSLIC_PLAYBACK=$LAB_DIR/play.raw
}
