#!/bin/bash
# Registrar faults against kamailio (tcpdump in ataua's namespace counts
# every REGISTER ataua sends):
#   - restart: kamailio restarts and forgets every registration while
#     a call (ataua -> baresip, RTP direct) is up; the call goes on,
#     ataua's next refresh registers it again, with a REGISTER or two
#   - down for about two minutes: kamailio stopped; the refresh times out,
#     ataua backs off (retry_in 30 s minus jitter; later steps are unit
#     tested in test_reg_backoff), sends one REGISTER transaction per
#     attempt (no retry storm), and registers again by itself once
#     kamailio is back
# Throughout the daemon answers its control socket and its VmRSS stays
# within a bound. Timers are the real ones (60 s minimum expiry, 30 s
# backoff base; no test knob), so this script takes about three minutes.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio baresip tcpdump
[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_init faultreg

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host bs 44.0.0.20/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 || lab_die "baresip did not start"
bs_wait_reg bs 20 || lab_die "baresip did not register"

PCAP=$LAB_DIR/sip.pcap
lab_bg ata tcpdump.log tcpdump -i eth0 -s 0 -U --immediate-mode -w "$PCAP" \
	udp dst port 5060 and dst host 44.0.0.1 >/dev/null
sleep 1

# registers [SINCE_EPOCH]: REGISTER packets / distinct transactions
# (branches) ataua sent, all or since a time
registers() {
	local since=${1:-0}
	tcpdump -r "$PCAP" -A -n -tt 2>/dev/null | tr -d '\r' | awk -v t="$since" '
		/^[0-9]+\.[0-9]+ IP / {
			reg = ($1 + 0 >= t + 0 && / SIP: REGISTER sip:/)
			if (reg) p++
			next
		}
		reg && /^Via: .*branch=/ {
			sub(/.*branch=/, ""); sub(/[;, ].*/, ""); b[$0] = 1
			reg = 0
		}
		END { n = 0; for (k in b) n++; print p + 0, n }'
}

# kam_up: start kamailio again; kam_stop has waited for its old
# processes, but a socket can take a moment more to be released: retry
kam_up() {
	local try
	for try in 1 2 3 4 5; do
		kam_start kam 44.0.0.1 && return 0
		t_diag "kamailio start $try failed; retrying"
		sleep 2
	done
	return 1
}

vmrss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$ATA_PID/status"; }
reg_get() { ata_ctl reg | sed -n "s/^$1=//p"; }

ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
	ata_conf "$LAB_DIR/ataua.yaml" "$LAB_DIR/ataua.sock"
ata_start ata "$LAB_DIR/ataua.yaml" ataua.log || exit 1
lab_wait_for "[ \"\$(reg_get state)\" = registered ]" 20 ||
	lab_die "ataua did not register" "$(ata_ctl reg)"
rss0=$(vmrss)
t_diag "registered; VmRSS $rss0 kB"

# ---- a call, then the registrar restarts under it
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
ata_wait_line 1 connected 20 && t_ok "call ataua -> baresip connected" ||
	t_fail "call ataua -> baresip connected" "$(ata_ctl line 1)"
t0=$(date +%s)
t0f=$(date +%s.%N)
kam_stop
kam_up || lab_die "kamailio did not restart"
lab_not kam_registered 1001 >/dev/null &&
	t_ok "the restarted kamailio has forgotten 1001" ||
	t_diag "1001 already registered again"
rx0=$(ata_get rx_packets calls)
sleep 3
rx1=$(ata_get rx_packets calls)
[ "$(ata_get state line 1)" = connected ] &&
	[ "${rx1:-0}" -gt "$((${rx0:-0} + 50))" ] &&
	t_ok "the call goes on across the restart (rx $rx0 -> $rx1)" ||
	t_fail "the call goes on across the restart" "rx $rx0 -> $rx1" \
		"$(ata_ctl line 1)"
ata_ctl line 1 onhook >/dev/null
bs_wait_call_state bs none 10 && t_ok "the hang-up reaches baresip" ||
	t_fail "the hang-up reaches baresip (BYE via the new kamailio)"
# the refresh is due at most the 60 s expiry after the last REGISTER
if kam_wait_registered 1001 75; then
	t_ok "the next refresh registers 1001 again ($(( $(date +%s) - t0 )) s)"
else
	t_fail "the next refresh registers 1001 again" "$(ata_ctl reg)"
fi
# (the capture may lag the registrar a moment)
lab_wait_for "[ \"\$(registers $t0f | cut -d' ' -f2)\" -ge 1 ]" 5 || true
read -r pk tx < <(registers "$t0f")
# a refresh is two transactions when the new kamailio challenges it
[ "$tx" -ge 1 ] && [ "$tx" -le 4 ] &&
	t_ok "restart cost $tx REGISTER transaction(s), $pk packet(s)" ||
	t_fail "restart: 1..4 REGISTER transactions" "$tx transactions"
[ "$(reg_get state)" = registered ] && t_ok "ataua: state=registered" ||
	t_fail "ataua: state=registered" "$(ata_ctl reg)"

# ---- down for minutes
t1f=$(date +%s.%N)  # after the last REGISTER of the restart part
kam_stop
t1=$(date +%s)
if lab_wait_for "[ \"\$(reg_get state)\" = failed ]" 100; then
	t_ok "registrar down: state=failed ($(reg_get reason))"
else
	t_fail "registrar down: state=failed" "$(ata_ctl reg)"
fi
r1=$(reg_get retry_in)
[ "${r1:-0}" -ge 20 ] && [ "${r1:-0}" -le 30 ] &&
	t_ok "first backoff ${r1} s (30 s minus jitter)" ||
	t_fail "first backoff 22..30 s" "retry_in=${r1:-?}"
t_check "PING while the registrar is down" [ "$(ata_ctl PING)" = PONG ]
down=$(( $(date +%s) - t1 ))
read -r pk tx < <(registers "$t1f")
# each failure is one transaction (libre retransmits within it, at
# most 11 packets in its 32 s); a storm would be many more
[ "$tx" -ge 1 ] && [ "$tx" -le 2 ] && [ "$pk" -le $((tx * 11)) ] &&
	t_ok "no retry storm: $tx transactions, $pk packets in $down s" ||
	t_fail "no retry storm" "$tx transactions, $pk packets in $down s"
kam_up || lab_die "kamailio did not come back"
t2=$(date +%s)
if lab_wait_for "[ \"\$(reg_get state)\" = registered ]" 75; then
	t_ok "recovers by itself $(( $(date +%s) - t2 )) s after the registrar returns (down $((t2 - t1)) s)"
else
	t_fail "recovers by itself once the registrar returns" "$(ata_ctl reg)"
fi
t_check "kamailio has 1001 again" kam_registered 1001
t_check "reg shows failures reset" [ "$(reg_get failures)" = 0 ]
rss1=$(vmrss)
[ -n "$rss1" ] && [ "$rss1" -lt $((rss0 + 4096)) ] &&
	t_ok "memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
	t_fail "memory bounded (VmRSS $rss0 -> ${rss1:-?} kB)"
t_check "daemon alive, PING" [ "$(ata_ctl PING)" = PONG ]
