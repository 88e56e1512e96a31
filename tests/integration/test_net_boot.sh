#!/bin/bash
# An ATA powered on before its network: no address, no default route, no
# name server. ataua (listening on any address, the registrar given by
# name) starts anyway and says it waits; when the address and route come
# (as from a DHCP client) it starts SIP and the line by itself; the
# first REGISTER finds no name server, and once resolv.conf names one
# (written after we started, in place, as a DHCP client does) the next
# try resolves the registrar (lib/dnsd.py) and registers. A new address
# later (a new lease) rebuilds SIP on it: kamailio gets the new contact.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init netboot

lab_host kam 44.0.0.1/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
lab_bg kam dnsd.log python3 "$LAB_LIB_DIR/dnsd.py" 44.0.0.1 \
	registrar.lab=44.0.0.1 >/dev/null
lab_wait_port kam udp 53 5 || lab_die "no DNS server"

lab_host ata 44.0.0.10/24
ns=$(lab_ns ata)
ip -n "$ns" addr flush dev eth0 || lab_die "cannot remove the address"

# the namespace's resolv.conf (ip netns exec bind-mounts it over
# /etc/resolv.conf): empty at start, a DHCP client fills it later
etc=/etc/netns/$ns
mkdir -p "$etc" && : >"$etc/resolv.conf" || lab_die "cannot write $etc"
trap 'rm -rf "$etc"; lab__on_exit' EXIT

ATA_LISTEN=0.0.0.0:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:registrar.lab ATA_PASSWORD=pw1001 \
	ata_conf "$LAB_DIR/ataua.yaml" "$LAB_DIR/ataua.sock"
ata_start ata "$LAB_DIR/ataua.yaml" ataua.log || lab_die "ataua did not start"
log=$LAB_DIR/ataua.log

t_check "the daemon runs without a network (PING)" \
	[ "$(ata_ctl PING)" = PONG ]
ata_ctl status | grep -qx 'sip=waiting for a network address' &&
	t_ok "status: sip=waiting for a network address" ||
	t_fail "status: sip=waiting for a network address" "$(ata_ctl status)"
grep -q 'no network address yet' "$log" &&
	t_ok "the log says it waits" || t_fail "the log says it waits" \
		"$(tail -n 5 "$log")"

# the lease: an address and a default route, no name server yet
ip -n "$ns" addr add 44.0.0.10/24 dev eth0 &&
	ip -n "$ns" route add default dev eth0 ||
	lab_die "cannot give the host its address"
lab_wait_for "grep -q 'the network is up' '$log'" 10 &&
	t_ok "SIP and the line start when the network is up" ||
	t_fail "SIP and the line start when the network is up" \
		"$(tail -n 5 "$log")"
lab_wait_for "ata_ctl reg | grep -q '^reason=DNS'" 10 &&
	t_ok "no name server yet: $(ata_ctl reg | grep '^reason=')" ||
	t_fail "no name server yet: a DNS reason" "$(ata_ctl reg)" \
		"$(ata_ctl nat)" "$(ata_ctl status)"

echo "nameserver 44.0.0.1" >"$etc/resolv.conf"
lab_wait_for "[ \"\$(ata_get state reg)\" = registered ]" 45 &&
	t_ok "resolv.conf read again: registered through registrar.lab" ||
	t_fail "registered through registrar.lab" "$(ata_ctl reg)" \
		"$(cat "$LAB_DIR/dnsd.log")"
grep -q '^registrar.lab 1$' "$LAB_DIR/dnsd.log" &&
	t_ok "the A record was asked for" ||
	t_fail "the A record was asked for" "$(cat "$LAB_DIR/dnsd.log")"
lab_wait_for "kam_registered 1001 | grep -q '@44.0.0.10:'" 10 &&
	t_ok "kamailio has the contact at 44.0.0.10" ||
	t_fail "kamailio has the contact at 44.0.0.10" "$(kam_registered 1001)"

# a new lease with another address
ip -n "$ns" addr del 44.0.0.10/24 dev eth0 &&
	ip -n "$ns" addr add 44.0.0.11/24 dev eth0 &&
	ip -n "$ns" route add default dev eth0 ||
	lab_die "cannot move the host to 44.0.0.11"
lab_wait_for "grep -q 'local address 44.0.0.10 -> 44.0.0.11' '$log'" 10 &&
	t_ok "the new address is seen: SIP restarts on it" ||
	t_fail "the new address is seen" "$(tail -n 8 "$log")"
lab_wait_for "kam_registered 1001 | grep -q '@44.0.0.11:'" 20 &&
	t_ok "kamailio has the contact at the new address 44.0.0.11" ||
	t_fail "kamailio has the contact at 44.0.0.11" "$(kam_registered 1001)"
t_check "the daemon still answers (PING)" [ "$(ata_ctl PING)" = PONG ]

lab_teardown
