#!/bin/bash
# The shipped keep-alive behind a router that forgets idle UDP after 20 s
# (issue #16): ataua measures how long the NAT keeps an idle mapping
# (RFC 5780 section 4.6 probes on coturn), shows it in `atactl nat`, and
# keeps the SIP keep-alive below it from the REGISTER on, so the router's
# mapping of the SIP flow never lapses (its conntrack table sampled every
# 300 ms for 3 minutes) and incoming calls that arrive after more than
# 20 s of quiet ring. With the old 25 s default the mapping lapsed 20 s
# of every 89.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"

SAMPLE_S=${SAMPLE_S:-180}

lab_require_root
lab_require_cmd kamailio baresip turnserver python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natka

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
lab_exec r1 test -r /proc/net/nf_conntrack ||
	lab_skip "no /proc/net/nf_conntrack to watch the router's mappings"
lab_host ata 192.168.1.10/24 lan1
NATLAB_KA="" natlab_ataua ata 192.168.1.10
grep -q '^    keepalive:' "$LAB_DIR/ataua.yaml" &&
	lab_die "the config sets a keep-alive: this test is of the default"

natlab_register 44.0.0.60

# the router's entry for ataua's SIP flow to kamailio, every 300 ms; a
# line per sample: ms since the start, 1 mapped or 0 not (in python: a
# shell loop forking grep and date falls behind on a busy machine)
lab_bg r1 conntrack.log python3 -c '
import re, sys, time
flow = re.compile(r" udp .*src=192\.168\.1\.10 dst=44\.0\.0\.1 "
                  r"sport=5060 dport=5060 ")
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < float(sys.argv[1]):
    with open("/proc/net/nf_conntrack") as f:
        m = any(flow.search(l) for l in f)
    print(int((time.monotonic() - t0) * 1000), int(m), flush=True)
    n += 1
    time.sleep(max(0.0, t0 + n * 0.3 - time.monotonic()))
print("done", flush=True)
' "$SAMPLE_S" >/dev/null
SAMPLER=$LAB_LAST_PID

nat=$(ata_ctl nat)
printf '%s\n' "$nat" | grep -qx 'keepalive=15' &&
	t_ok "keep-alive 15 s before the lifetime is known" ||
	t_fail "keep-alive 15 s before the lifetime is known" "$nat"

# 15 s survived, 20 s lapsed: known some 25 s after the start
if lab_wait_for "ata_ctl nat | grep -qx 'binding_lifetime=15'" 45; then
	t_ok "atactl nat: binding_lifetime=15 (the router's 20 s timeout)"
else
	t_fail "atactl nat: binding_lifetime=15" "$(ata_ctl nat)" \
		"$(grep 'stun:' "$LAB_DIR/ataua.log" | tail -n 5)"
fi
nat=$(ata_ctl nat)
printf '%s\n' "$nat" | grep -qx 'binding_lapsed=20' &&
	printf '%s\n' "$nat" | grep -qx 'keepalive=15' &&
	t_ok "after it: lapsed at 20 s, keep-alive 15 s" ||
	t_fail "after it: lapsed at 20 s, keep-alive 15 s" "$nat"

# baresip calls after QUIET s without a call; ataua's line must ring
ring_after_quiet() {
	sleep "$1"
	bs_dial bs sip:1001@44.0.0.1
	if lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 10; then
		t_ok "a call after $1 s of quiet rings"
	else
		t_fail "a call after $1 s of quiet rings" "$(ata_ctl line 1)" \
			"$(ata_ctl nat)"
	fi
	bs_hangup bs 2>/dev/null
	bs_wait_call_state bs none 10 || true
	ata_wait_line 1 idle 10 || true
}
ring_after_quiet 23
ring_after_quiet 27
ring_after_quiet 34

lab_wait_for "tail -n 1 '$LAB_DIR/conntrack.log' | grep -qx done" \
	$((SAMPLE_S + 10)) || lab_die "the conntrack sampler did not finish"
lab_stop "$SAMPLER" 1
read -r n lapsed first < <(awk 'NF == 2 && $2 == 0 { z++; if (!f) f = $1 }
	NF == 2 { n++ } END { print n + 0, z + 0, (f ? f : "-") }' \
	"$LAB_DIR/conntrack.log")
if [ "$n" -ge $((SAMPLE_S * 2)) ] && [ "$lapsed" = 0 ]; then
	t_ok "the router mapped the SIP flow in all $n samples over $SAMPLE_S s"
else
	t_fail "the router mapped the SIP flow in every sample" \
		"$n samples, $lapsed without the mapping, first at ${first} ms"
fi
natlab_expect_verdict ok
