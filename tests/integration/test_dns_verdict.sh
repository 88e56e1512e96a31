#!/bin/bash
# The NAT verdict while the registrar's name is being looked up (issue
# #16, "texts that mislead"): with a silent name server the REGISTER
# never goes out, so no verdict on the way may say "no reply from
# registrar" (the registrar was never asked); while the lookup runs it
# says so, and then names the DNS timeout.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init dnsverdict

# 44.0.0.4:53 takes queries and never answers
lab_host silent 44.0.0.4/24
lab_bg silent silent.log python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("44.0.0.4", 53))
time.sleep(3600)' >/dev/null
lab_wait_port silent udp 53 30 || lab_die "no silent DNS server"
lab_host ata 44.0.0.10/24

ns=$(lab_ns ata)
etc=/etc/netns/$ns
mkdir -p "$etc" && : >"$etc/hosts" || lab_die "cannot write $etc"
trap 'rm -rf "$etc"; lab__on_exit' EXIT
echo "nameserver 44.0.0.4" >"$etc/resolv.conf"

log=$LAB_DIR/ataua.log
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@registrar.lab \
ATA_REGISTRAR=sip:registrar.lab ATA_PASSWORD=pw1001 \
	ata_conf "$LAB_DIR/ataua.yaml" "$LAB_DIR/ataua.sock"
ata_start ata "$LAB_DIR/ataua.yaml" "$log" || lab_die "ataua did not start"

lab_wait_for "ata_ctl nat | grep -q '^verdict=.*DNS timeout'" 30 &&
	t_ok "then: $(ata_ctl nat | grep '^verdict=')" ||
	t_fail "the verdict names the DNS timeout" "$(ata_ctl nat)"
t_check "no verdict said 'no reply from registrar' (it was never asked)" \
	lab_not grep -q "nat: verdict .*no reply from registrar" "$log"
t_check "the verdict said that the name was being looked up" \
	grep -q "nat: verdict .*looking up the registrar's name" "$log"
