#!/bin/bash
# ataua behind a router that forwards no UDP (TCP only out):
#   - STUN over UDP times out; the policy allocates a TURN relay over
#     TCP on coturn; the verdict is ok-relayed
#   - SIP itself runs over TCP (account transport tcp) and the flow is
#     kept open by RFC 5626 CRLF pings: with the router's conntrack
#     forgetting idle TCP after 20 s, calls from the public side still
#     arrive on the connection later
#   - every call's RTP and RTCP go through TURN-over-TCP relays: calls
#     both ways carry audio (counters, and our tone in baresip's
#     recording)
# kamailio runs with far-end NAT fixing (fix_nated_register): a TCP
# client behind NAT is reached on its connection, as RFC 5626 wants.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"
. "$(dirname "$0")/lib/natlab.sh"

TCP_TIMEOUT=20

lab_require_root
lab_require_cmd kamailio baresip turnserver python3 tcpdump
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natudpb

KAM_NATFIX=1 natlab_public
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
natlab_short_udp r1
natlab_short_tcp r1 "$TCP_TIMEOUT"
natlab_block_udp r1
lab_host ata 192.168.1.10/24 lan1

NATLAB_TURN=tcp
NATLAB_TRANSPORTS="[udp, tcp]"
NATLAB_SIP_TRANSPORT=tcp
# no REGISTER refresh inside the idle window below: only the pings
NATLAB_EXPIRY=600s
natlab_ataua ata 192.168.1.10

natlab_register
lab_wait_for "kam_registered 1001 | grep -q 'transport=tcp'" 10 &&
	t_ok "registered over TCP" ||
	t_fail "registered over TCP" "$(kam_registered 1001)"
natlab_expect_verdict ok-relayed
natlab_expect_nat method turn
natlab_expect_nat step_stun failed
nat=$(ata_ctl turn status)
printf '%s\n' "$nat" | grep -qx 'transport=tcp' &&
	printf '%s\n' "$nat" | grep -qx 'state=allocated' &&
	t_ok "TURN allocated over TCP" || t_fail "TURN allocated over TCP" "$nat"
natlab_expect_nat sip_flow 'tcp 44.0.0.1:5060 keepalive=crlf*'

natlab_call_out "udp blocked outgoing"
natlab_call_in "udp blocked inbound"
# longer than the router keeps an idle TCP connection: only the CRLF
# pings (every 15 s) keep the flow through which kamailio reaches us
lab_bg kam tcpdump.log tcpdump -i eth0 -nn -U -w "$LAB_DIR/ka.pcap" \
	'tcp port 5060 and src host 44.0.0.60' >/dev/null
dump=$LAB_LAST_PID
sleep $((TCP_TIMEOUT + 15))
lab_stop "$dump" 5
# double-CRLF payloads at the registrar: our pings, nothing else idle
pings=$(tcpdump -nn -r "$LAB_DIR/ka.pcap" \
	'tcp[((tcp[12] >> 4) * 4):4] = 0x0d0a0d0a' 2>/dev/null | wc -l)
[ "$pings" -ge 2 ] && t_ok "CRLF pings reach the registrar while idle ($pings)" ||
	t_fail "CRLF pings reach the registrar while idle" "pings=$pings"
flow=$(ata_ctl nat | grep '^sip_flow=')
case $flow in
*" state=ok failures=0") t_ok "the TCP flow's pings were answered ($flow)" ;;
*) t_fail "the TCP flow's pings were answered" "$flow" ;;
esac
natlab_call_in "udp blocked inbound after the TCP timeout"
natlab_expect_verdict ok-relayed
