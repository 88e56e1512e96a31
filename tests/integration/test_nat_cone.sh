#!/bin/bash
# ataua behind a port-restricted cone NAT without IGD (masquerade):
# STUN on coturn gives the public address, the first REGISTER carries it
# (kamailio runs WITHOUT far-end NAT fixing), calls both ways carry
# audio, and a call still arrives after the router's UDP timeout has
# passed (CRLF keep-alives hold the mapping). A call the peer holds for
# longer than the router's UDP timeout keeps its RTP mapping (RTP
# keep-alives every 5 s); with the keep-alive slower than that timeout
# the router forgets it (the check can fail).
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"

lab_require_root
lab_require_cmd kamailio baresip turnserver python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natcone

natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
lab_host ata 192.168.1.10/24 lan1
natlab_ataua ata 192.168.1.10

natlab_register 44.0.0.60
natlab_expect_verdict ok
nat=$(ata_ctl nat)
printf '%s\n' "$nat" | grep -qx 'method=stun' && t_ok "method stun" ||
	t_fail "method stun" "$nat"
printf '%s\n' "$nat" | grep -q '^public_sip=44.0.0.60:' &&
	t_ok "public SIP address is the router's" || t_fail "public SIP" "$nat"
# `atactl reg`: the binding kamailio stored (our public address, where
# it sends INVITEs), not the LAN address the REGISTER left from
pub=$(printf '%s\n' "$nat" | sed -n 's/^public_sip=//p')
reg=$(ata_ctl reg)
printf '%s\n' "$reg" | grep -qx "contact=$pub" &&
	printf '%s\n' "$reg" | grep -qx 'contact_local=192.168.1.10:5060' &&
	t_ok "reg: contact= is the binding the registrar stored" ||
	t_fail "reg: contact= is the binding the registrar stored" \
		"public_sip=$pub" "$reg"
lab_wait_for "ata_ctl nat | grep -qx 'mapping=endpoint-independent'" 10 &&
	t_ok "mapping endpoint-independent" ||
	t_fail "mapping endpoint-independent" "$(ata_ctl nat)"
lab_wait_for "ata_ctl nat | grep -qx 'filtering=address-port-dependent'" 10 &&
	t_ok "filtering address-port-dependent" ||
	t_fail "filtering address-port-dependent" "$(ata_ctl nat)"
ata_ctl nat | grep -qx 'keepalive=15' && t_ok "keep-alive 15 s" ||
	t_fail "keep-alive 15 s" "$(ata_ctl nat)"

natlab_calls_both_ways cone
natlab_expect_verdict ok
natlab_hold_mapping "on hold" kept r1
natlab_stop_ataua
NATLAB_RTP_KA=60s
natlab_ataua ata 192.168.1.10
natlab_register 44.0.0.60
natlab_hold_mapping "on hold, keep-alive 60 s" lost r1
