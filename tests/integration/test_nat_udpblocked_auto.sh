#!/bin/bash
# ataua behind a router that forwards no UDP, with an account that names
# no transport (plain `registrar: sip:44.0.0.1`, no `transport:`):
#   - the REGISTER over UDP gets no reply; ataua falls back to TCP by
#     itself and stays there: registered over TCP, `atactl reg` says
#     transport=tcp, `atactl nat` sip_transport=tcp (udp blocked), a
#     SIP-TRANSPORT-CHANGED event; verdict ok-relayed (TURN over TCP)
#   - calls both ways carry audio over the TCP registration
#   - at the same time on a third box without STUN/TURN (no evidence
#     from the policy), user 1003 with no transport: the UDP REGISTER
#     times out, and then it registers over TCP
#   - and on a fourth box the same without tcp in sip.transports: no
#     fallback possible, the reason says why
#   - negative control, at the same time on a second box: an account
#     that says ;transport=udp explicitly is not switched; it fails with
#     the timeout as the reason
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
lab_init natudpa

KAM_NATFIX=1 natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
natlab_block_udp r1
lab_host ata 192.168.1.10/24 lan1
lab_host ata2 192.168.1.11/24 lan1
lab_host ata3 192.168.1.12/24 lan1
lab_host ata4 192.168.1.13/24 lan1

# the negative control: explicit UDP, TCP available all the same
conf2=$LAB_DIR/ataua2.yaml sock2=$LAB_DIR/ataua2.sock
ATA_TRANSPORTS="[udp, tcp]" ATA_LISTEN=192.168.1.11:5060 \
	ATA_AOR=sip:1001@44.0.0.1 ATA_PASSWORD=pw1001 \
	ATA_REGISTRAR="sip:44.0.0.1;transport=udp" ATA_RTP=21000-21100 \
	ata_conf "$conf2" "$sock2"
ata_start ata2 "$conf2" ataua2.log || exit 1

# the timeout path: no traversal servers, no transport line
conf3=$LAB_DIR/ataua3.yaml sock3=$LAB_DIR/ataua3.sock
ATA_TRANSPORTS="[udp, tcp]" ATA_LISTEN=192.168.1.12:5060 \
	ATA_AOR=sip:1003@44.0.0.1 ATA_PASSWORD=pw1003 ATA_ACC_TRANSPORT=none \
	ATA_REGISTRAR="sip:44.0.0.1" ATA_RTP=22000-22100 \
	ata_conf "$conf3" "$sock3"
sed -i '/^      transport: none$/d' "$conf3"
ata_start ata3 "$conf3" ataua3.log || exit 1
conf4=$LAB_DIR/ataua4.yaml sock4=$LAB_DIR/ataua4.sock
ATA_TRANSPORTS="[udp]" ATA_LISTEN=192.168.1.13:5060 \
	ATA_AOR=sip:1004@44.0.0.1 ATA_PASSWORD=pw1004 ATA_ACC_TRANSPORT=none \
	ATA_REGISTRAR="sip:44.0.0.1" ATA_RTP=23000-23100 \
	ata_conf "$conf4" "$sock4"
sed -i '/^      transport: none$/d' "$conf4"
ata_start ata4 "$conf4" ataua4.log || exit 1

NATLAB_TURN=tcp
NATLAB_TRANSPORTS="[udp, tcp]"
NATLAB_ACC_TRANSPORT=none
natlab_ataua ata 192.168.1.10
grep -q '^      transport:' "$LAB_DIR/ataua.yaml" &&
	t_fail "the account names no transport" "$(cat "$LAB_DIR/ataua.yaml")" ||
	t_ok "the account names no transport"

# libre gives up on a UDP REGISTER after 64*T1 = 32 s
lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 70 &&
	t_ok "ataua registers (by itself)" ||
	t_fail "ataua registers (by itself)" "$(ata_ctl reg)" "$(ata_ctl nat)"
lab_wait_for "kam_registered 1001 | grep -q 'transport=tcp'" 10 &&
	t_ok "registered over TCP" ||
	t_fail "registered over TCP" "$(kam_registered 1001)"
ata_ctl reg | grep -qx 'transport=tcp' && t_ok "reg: transport=tcp" ||
	t_fail "reg: transport=tcp" "$(ata_ctl reg)"
natlab_expect_nat sip_transport 'tcp (udp blocked)'
grep -q 'SIP-TRANSPORT-CHANGED .*transport=tcp' "$LAB_DIR/events.log" &&
	t_ok "event SIP-TRANSPORT-CHANGED" ||
	t_fail "event SIP-TRANSPORT-CHANGED" "$(cat "$LAB_DIR/events.log")"
grep -q 'udp blocked? registering over tcp' "$LAB_DIR/ataua.log" &&
	t_ok "log says why it switched" ||
	t_fail "log says why it switched" "$(grep 'reg:' "$LAB_DIR/ataua.log")"
natlab_expect_verdict ok-relayed
natlab_expect_nat sip_flow 'tcp 44.0.0.1:5060 keepalive=crlf*'

natlab_call_out "auto tcp outgoing"
natlab_call_in "auto tcp inbound"

# the negative control has long timed out by now
ctl2() { "$ATA_CTL" -s "$sock2" "$@"; }
lab_wait_for "ctl2 reg | grep -qx 'state=failed'" 30
reg2=$(ctl2 reg)
printf '%s\n' "$reg2" | grep -qx 'state=failed' &&
	printf '%s\n' "$reg2" | grep -qx 'transport=udp' &&
	printf '%s\n' "$reg2" |
	grep -qx 'reason=timeout: no reply from 44.0.0.1:5060 over udp' &&
	t_ok "explicit ;transport=udp: no fallback, fails on the timeout" ||
	t_fail "explicit ;transport=udp: no fallback, fails on the timeout" \
		"$reg2"
ctl2 nat | grep -q '^sip_transport=' &&
	t_fail "explicit udp: nat shows no sip_transport" "$(ctl2 nat)" ||
	t_ok "explicit udp: nat shows no sip_transport"
grep -q 'registering over tcp' "$LAB_DIR/ataua2.log" &&
	t_fail "explicit udp: never switches" "$(grep 'reg:' "$LAB_DIR/ataua2.log")" ||
	t_ok "explicit udp: never switches"

# no STUN evidence: the UDP REGISTER's timeout (32 s) makes the switch
ctl3() { "$ATA_CTL" -s "$sock3" "$@"; }
lab_wait_for "ctl3 reg | grep -qx 'state=registered'" 70 &&
	ctl3 reg | grep -qx 'transport=tcp' &&
	t_ok "no STUN: registers over TCP after the UDP timeout" ||
	t_fail "no STUN: registers over TCP after the UDP timeout" \
		"$(ctl3 reg)"
grep -q 'timeout: no reply from 44.0.0.1:5060 over udp: udp blocked? registering over tcp' \
	"$LAB_DIR/ataua3.log" && t_ok "no STUN: the log names the timeout" ||
	t_fail "no STUN: the log names the timeout" \
		"$(grep 'reg:' "$LAB_DIR/ataua3.log")"
lab_wait_for "kam_registered 1003 | grep -q 'transport=tcp'" 10 &&
	t_ok "no STUN: kamailio has 1003 over TCP" ||
	t_fail "no STUN: kamailio has 1003 over TCP" "$(kam_registered 1003)"

ctl4() { "$ATA_CTL" -s "$sock4" "$@"; }
lab_wait_for "ctl4 reg | grep -qx 'state=failed'" 30
ctl4 reg | grep -qx 'reason=timeout: no reply from 44.0.0.1:5060 over udp; no tcp in sip.transports' &&
	grep -q 'and no TCP to fall back to (sip.transports has no tcp)' \
		"$LAB_DIR/ataua4.log" &&
	t_ok "no tcp listener: no fallback, the reason says why" ||
	t_fail "no tcp listener: no fallback, the reason says why" \
		"$(ctl4 reg)" "$(grep 'reg:' "$LAB_DIR/ataua4.log")"
