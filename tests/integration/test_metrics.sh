#!/bin/bash
# `atactl metrics`: the daemon's counters in Prometheus' text format, on
# the real audio path (virtual SLIC, lib/faultcall.sh). No root needed.
#   - the output parses strictly (lib/promtext.py; and with
#     python3-prometheus-client's parser when it is installed)
#   - a call answered, with 5 % loss: ataua_calls_total{result=answered},
#     RTP packets and bytes both ways and lost packets move
#   - a call to the line while it is off-hook: 486, result=busy
#   - a reload that adds an unreachable registrar: the registration
#     fails (ataua_registration_failures_total moves), and every counter
#     counted before the reload is still there
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/faultcall.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_require_cmd python3
ata_host_init metrics
fc_start

PROMTEXT=$LAB_LIB_DIR/promtext.py
# python3-prometheus-client: Debian's python3, not necessarily the one
# first on PATH (a pyenv)
PY=python3
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import prometheus_client.parser' 2>/dev/null; then
		PY=$p
		break
	fi
done

# scrape N: `atactl metrics` into m$N.prom; true when it answered and
# the text parses
scrape() {
	local f=$LAB_DIR/m$1.prom out
	ata_ctl metrics >"$f" 2>"$LAB_DIR/m$1.err" || return 1
	out=$("$PY" "$PROMTEXT" check "$f") || {
		echo "$out"
		return 1
	}
	echo "$out"
}

# m N NAME [LABEL=VALUE ...]: the sum of the matching samples of scrape N
m() {
	local n=$1
	shift
	"$PY" "$PROMTEXT" get "$LAB_DIR/m$n.prom" "$@"
}

# ---- before any call
if out=$(scrape 0); then
	t_ok "metrics parses as the text format ($out)"
else
	t_fail "metrics parses as the text format" "$out" \
		"$(cat "$LAB_DIR/m0.prom" "$LAB_DIR/m0.err")"
fi
[ "$(grep -c '^# TYPE ' "$LAB_DIR/m0.prom")" = \
  "$(grep '^# TYPE ' "$LAB_DIR/m0.prom" | sort -u | wc -l)" ] &&
	t_ok "one TYPE line a family" || t_fail "one TYPE line a family"
now=$(date +%s)
st=$(m 0 ataua_start_time_seconds)
[ "${st:-0}" -gt $((now - 600)) ] && [ "${st:-0}" -le "$now" ] &&
	t_ok "ataua_start_time_seconds is when it started ($st)" ||
	t_fail "ataua_start_time_seconds is when it started" "$st vs $now"
grep -q '^ataua_uptime_seconds [0-9]*$' "$LAB_DIR/m0.prom" &&
	t_ok "ataua_uptime_seconds" || t_fail "ataua_uptime_seconds" \
		"$(cat "$LAB_DIR/m0.prom")"
[ "$(m 0 ataua_calls_total)" = 0 ] && t_ok "no call counted yet" ||
	t_fail "no call counted yet" "$(cat "$LAB_DIR/m0.prom")"

# ---- an answered call with 5 % loss, the peer hangs up
fc_call 4 0 0.05 0 0
wait "$FC_PEER"
lab_wait_for "[ \"\$(ata_get state line 1)\" != connected ]" 10 ||
	t_fail "the peer's BYE ends the call" "$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 || t_fail "line 1 idle after on-hook"
scrape 1 >/dev/null || t_fail "metrics parses after the call" \
	"$(cat "$LAB_DIR/m1.prom")"
answered=$(m 1 ataua_calls_total line=1 direction=in result=answered)
rx=$(m 1 ataua_rtp_packets_total line=1 dir=rx)
tx=$(m 1 ataua_rtp_packets_total line=1 dir=tx)
rxb=$(m 1 ataua_rtp_bytes_total line=1 dir=rx)
lost=$(m 1 ataua_rtp_lost_packets_total line=1)
[ "$answered" = 1 ] && t_ok "the call counts as answered, in" ||
	t_fail "the call counts as answered, in" "$(grep calls_total "$LAB_DIR/m1.prom")"
[ "$rx" -gt 100 ] && [ "$tx" -gt 100 ] &&
	t_ok "RTP packets counted both ways (rx=$rx tx=$tx)" ||
	t_fail "RTP packets counted both ways" "rx=$rx tx=$tx"
[ "$rxb" -gt 0 ] && [ "$rxb" -ge $((rx * 160)) ] && t_ok "RTP bytes counted ($rxb)" ||
	t_fail "RTP bytes counted" "rx_bytes=$rxb rx=$rx"
[ "$lost" -gt 0 ] && t_ok "lost packets counted ($lost)" ||
	t_fail "lost packets counted" "$(grep lost "$LAB_DIR/m1.prom")"

# ---- a call while the line is off-hook: 486, busy
ata_ctl line 1 offhook >/dev/null
python3 "$LAB_LIB_DIR/rtppeer.py" call "127.0.0.1:$FC_PORT" 1001 1 \
	"$LAB_DIR" 0 0 0 0 >"$LAB_DIR/peer2.log" 2>&1
grep -q 'failed: 486' "$LAB_DIR/peer2.log" &&
	t_ok "a call to the off-hook line gets 486" ||
	t_fail "a call to the off-hook line gets 486" "$(cat "$LAB_DIR/peer2.log")"
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5
scrape 2 >/dev/null || t_fail "metrics parses after the busy call"
[ "$(m 2 ataua_calls_total line=1 direction=in result=busy)" = 1 ] &&
	t_ok "the refused call counts as busy" ||
	t_fail "the refused call counts as busy" "$(grep calls_total "$LAB_DIR/m2.prom")"

# ---- reload with a registrar nobody answers at: the counters stay
sed -i 's|^      aor: \(.*\)$|      aor: \1\n      registrar: sip:127.0.0.1:9\n      expiry: 60s|' \
	"$FC_CONF"
grep -q 'registrar: sip:127.0.0.1:9' "$FC_CONF" || lab_die "config edit"
t_check "reload with a registrar" ata_ctl reload
if lab_wait_for "scrape 3 >/dev/null && [ \"\$(m 3 ataua_registration_failures_total line=1)\" -gt 0 ]" 60; then
	t_ok "the failed registration is counted ($(grep '^ataua_registration_failures_total' "$LAB_DIR/m3.prom"))"
else
	t_fail "the failed registration is counted" "$(ata_ctl reg)" \
		"$(grep registration "$LAB_DIR/m3.prom")"
fi
[ "$(m 3 ataua_registrations_total line=1 result=failed)" -gt 0 ] &&
	t_ok "ataua_registrations_total{result=failed} moves" ||
	t_fail "ataua_registrations_total{result=failed} moves"
same=1
for q in "ataua_calls_total line=1 direction=in result=answered" \
	 "ataua_calls_total line=1 direction=in result=busy" \
	 "ataua_rtp_packets_total line=1 dir=rx" \
	 "ataua_rtp_packets_total line=1 dir=tx" \
	 "ataua_rtp_bytes_total line=1 dir=rx" \
	 "ataua_rtp_lost_packets_total line=1"; do
	# shellcheck disable=SC2086
	a=$(m 2 $q) b=$(m 3 $q)
	[ "$a" = "$b" ] && [ "$a" -gt 0 ] || {
		same=0
		t_diag "$q: $a before the reload, $b after"
	}
done
[ "$same" = 1 ] && t_ok "a reload keeps the call and RTP counters" ||
	t_fail "a reload keeps the call and RTP counters"
[ -n "$st" ] && [ "$(m 3 ataua_start_time_seconds)" = "$st" ] &&
	t_ok "the start time stays across the reload" ||
	t_fail "the start time stays across the reload"

# ---- the textfile collector: conf/ataua-metrics.service's command
# (systemd's $$$$ is the shell's $$), on a directory of our own
tf=$LAB_DIR/textfile
mkdir -p "$tf"
unit_cmd() {
	sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" \
		"$ATA_ROOT/conf/ataua-metrics.service" |
		sed "s/\\\$\\\$\\\$\\\$/\$\$/g; s|=/var/lib/prometheus/node-exporter|=$tf|
		     s|atactl metrics|'$ATA_CTL' -s '$1' metrics|"
}
[ -n "$(unit_cmd "$ATA_SOCK")" ] || lab_die "no ExecStart in ataua-metrics.service"
sh -c "$(unit_cmd "$ATA_SOCK")" && [ "$(ls "$tf")" = ataua.prom ] &&
	"$PY" "$PROMTEXT" check "$tf/ataua.prom" >/dev/null &&
	t_ok "ataua-metrics.service's command writes one parsable file" ||
	t_fail "ataua-metrics.service's command writes one parsable file" \
		"$(unit_cmd "$ATA_SOCK")" "$(ls -l "$tf")"
old=$(cksum <"$tf/ataua.prom")
! sh -c "$(unit_cmd "$LAB_DIR/nothing.sock")" 2>/dev/null &&
	[ "$(ls "$tf")" = ataua.prom ] &&
	[ "$(cksum <"$tf/ataua.prom")" = "$old" ] &&
	t_ok "no daemon: the command fails, leaves no partial file, keeps the old" ||
	t_fail "no daemon: the command fails, leaves no partial file" "$(ls -l "$tf")"

t_check "PING" [ "$(ata_ctl PING)" = PONG ]
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
