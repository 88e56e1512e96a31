#!/bin/bash
# What goes wrong looking up the registrar is said in words, counted,
# and backed off like any failure (lib/dnsd.py is the lab's DNS):
# 1. a registrar name DNS does not know (NXDOMAIN): "name not found",
#    failures=1, a retry in ~30 s and no queries meanwhile; `status`
#    says reg=failed and `nat` says the registrar was not reached;
# 2. a registrar named in /etc/hosts registers although the name server
#    refuses (no DNS needed, as for any C-library program);
# 3. a name server that refuses (ICMP port unreachable) is named at
#    once, not after the 45 s guard;
# 4. a silent name server is named within seconds too;
# 5. a call to a domain DNS does not know ends in the same words, logged;
# 6. so does a call whose name server is silent, within seconds.
# The namespace's own /etc/hosts and resolv.conf come from
# /etc/netns/NS/ (ip netns exec bind-mounts them): the host's stay.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio python3
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init dns

lab_host kam 44.0.0.1/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
lab_bg kam dnsd.log python3 "$LAB_LIB_DIR/dnsd.py" 44.0.0.1 \
	registrar.lab=44.0.0.1 >/dev/null
lab_wait_port kam udp 53 5 || lab_die "no DNS server"
# nothing listens on 44.0.0.3:53: its kernel answers port unreachable
lab_host refuser 44.0.0.3/24
# 44.0.0.4:53 takes queries and never answers
lab_host silent 44.0.0.4/24
lab_bg silent silent.log python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("44.0.0.4", 53))
time.sleep(3600)' >/dev/null
lab_wait_port silent udp 53 5 || lab_die "no silent DNS server"
lab_host ata 44.0.0.10/24

ns=$(lab_ns ata)
etc=/etc/netns/$ns
mkdir -p "$etc" && : >"$etc/hosts" || lab_die "cannot write $etc"
trap 'rm -rf "$etc"; lab__on_exit' EXIT

# run NAME REGISTRAR [AOR]: ataua for AOR (1001) through REGISTRAR
# (stops the last)
run() {
	[ -n "${ATA_PID:-}" ] && lab_stop "$ATA_PID"
	log=$LAB_DIR/ataua.$1.log
	ATA_LISTEN=44.0.0.10:5060 ATA_AOR=${3:-sip:1001@44.0.0.1} \
	ATA_REGISTRAR=$2 ATA_PASSWORD=pw1001 \
		ata_conf "$LAB_DIR/ataua.$1.yaml" "$LAB_DIR/ataua.$1.sock"
	ata_start ata "$LAB_DIR/ataua.$1.yaml" "$log" ||
		lab_die "ataua did not start"
}

queries() {
	grep -c "^$1 " "$LAB_DIR/dnsd.log"
}

# --- 1. NXDOMAIN ---------------------------------------------------------
echo "nameserver 44.0.0.1" >"$etc/resolv.conf"
run nxdomain sip:nosuch.lab
lab_wait_for "ata_ctl reg | grep -q '^reason=DNS'" 15 &&
	t_ok "NXDOMAIN: $(ata_ctl reg | grep '^reason=')" ||
	t_fail "NXDOMAIN: a DNS reason" "$(ata_ctl reg)"
ata_ctl reg | grep -q '^reason=DNS: nosuch.lab: name not found' &&
	t_ok "NXDOMAIN is 'name not found', not 'no name server'" ||
	t_fail "NXDOMAIN is 'name not found'" "$(ata_ctl reg)"
t_check "NXDOMAIN counts: failures=1" [ "$(ata_get failures reg)" = 1 ]
retry=$(ata_get retry_in reg)
[ "${retry:-0}" -ge 15 ] &&
	t_ok "NXDOMAIN backs off: retry in $retry s" ||
	t_fail "NXDOMAIN backs off (retry_in >= 15)" "$(ata_ctl reg)"
n1=$(queries nosuch.lab)
sleep 6
n2=$(queries nosuch.lab)
[ "$n1" = "$n2" ] && [ "$n1" -le 10 ] &&
	t_ok "no DNS storm: $n1 queries for one try, none while backing off" ||
	t_fail "no DNS storm" "queries: $n1, then $n2" \
		"$(tail -n 20 "$LAB_DIR/dnsd.log")"
t_check "one failure in the log, not one a second" \
	[ "$(grep -c 'reg: .*name not found' "$log")" = 1 ]
ata_ctl status | grep -q ' reg=failed$' &&
	t_ok "status: reg=failed" ||
	t_fail "status: reg=failed" "$(ata_ctl status)"
lab_wait_for "ata_ctl nat | grep -q '^verdict=.*DNS: name not found'" 20 &&
	t_ok "nat: $(ata_ctl nat | grep '^verdict=')" ||
	t_fail "nat says the registrar's name was not found" \
		"$(ata_ctl nat)"

# --- 2. /etc/hosts, with a name server that refuses ----------------------
echo "nameserver 44.0.0.3" >"$etc/resolv.conf"
printf '127.0.0.1 localhost\n44.0.0.1 sip.lab.test # the registrar\n' \
	>"$etc/hosts"
run hosts sip:sip.lab.test
lab_wait_for "[ \"\$(ata_get state reg)\" = registered ]" 20 &&
	t_ok "a registrar named in /etc/hosts registers" ||
	t_fail "a registrar named in /etc/hosts registers" "$(ata_ctl reg)" \
		"$(tail -n 10 "$log")"
lab_wait_for "kam_registered 1001 | grep -q '@44.0.0.10:'" 10 &&
	t_ok "kamailio has the contact" ||
	t_fail "kamailio has the contact" "$(kam_registered 1001)"
ata_ctl status | grep -q ' reg=registered$' &&
	t_ok "status: reg=registered" ||
	t_fail "status: reg=registered" "$(ata_ctl status)"

# --- 3. a name server that refuses ----------------------------------------
run refused sip:registrar.lab
lab_wait_for "ata_ctl reg | grep -q '^reason=DNS'" 10 &&
	t_ok "refused, within seconds: $(ata_ctl reg | grep '^reason=')" ||
	t_fail "a refusing name server is named within seconds" \
		"$(ata_ctl reg)"
ata_ctl reg | grep -q '^reason=DNS: name server 44.0.0.3:53 refuses' &&
	t_ok "it names the server and says it refuses" ||
	t_fail "it names the server and says it refuses" "$(ata_ctl reg)"
t_check "refused counts: failures=1" [ "$(ata_get failures reg)" = 1 ]
grep -q 'reg: .*name server 44.0.0.3:53 refuses' "$log" &&
	t_ok "the log says so" || t_fail "the log says so" "$(tail "$log")"

# --- 4. a name server that is silent --------------------------------------
echo "nameserver 44.0.0.4" >"$etc/resolv.conf"
run silent sip:registrar.lab
lab_wait_for "ata_ctl reg | grep -q '^reason=DNS'" 15 &&
	t_ok "silent, within seconds: $(ata_ctl reg | grep '^reason=')" ||
	t_fail "a silent name server is named within seconds" \
		"$(ata_ctl reg)"
ata_ctl reg | grep -q '^reason=DNS timeout: name server 44.0.0.4:53' &&
	t_ok "it names the server and says it does not answer" ||
	t_fail "it says DNS timeout" "$(ata_ctl reg)"
t_check "the timeout counts: failures=1" [ "$(ata_get failures reg)" = 1 ]

# --- 5. a call to a name DNS does not know --------------------------------
echo "nameserver 44.0.0.1" >"$etc/resolv.conf"
run call sip:44.0.0.1 sip:1001@nosuch.lab
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
lab_wait_for "grep -q 'call: .* to sip:1002@nosuch.lab.* failed: ' '$log'" \
	15 && t_ok "the failed call is logged: $(grep -o 'failed: .*' "$log")" ||
	t_fail "the failed call is logged" "$(tail -n 10 "$log")"
grep -q 'failed: DNS: nosuch.lab: name not found' "$log" &&
	t_ok "its reason is 'name not found'" ||
	t_fail "its reason is 'name not found'" "$(tail -n 10 "$log")"
ata_ctl line 1 onhook >/dev/null

# --- 6. a call to a name while the name server is silent ------------------
# (the registrar is an address, so the line registers; the call's domain
# needs DNS, and the only name server never answers)
echo "nameserver 44.0.0.4" >"$etc/resolv.conf"
run callsilent sip:44.0.0.1 sip:1001@registrar.lab
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
lab_wait_for "grep -q 'call: .* to sip:1002@registrar.lab.* failed: ' '$log'" \
	15 && t_ok "a call with a silent name server ends within seconds" ||
	t_fail "a call with a silent name server ends within seconds" \
		"$(tail -n 10 "$log")"
grep -q 'failed: DNS timeout: name server 44.0.0.4:53' "$log" &&
	t_ok "its reason names the silent server" ||
	t_fail "its reason names the silent server" "$(tail -n 10 "$log")"
t_check "the line is not left calling" \
	lab_not bash -c "'$ATA_CTL' -s '$LAB_DIR/ataua.callsilent.sock' line 1 |
		grep -q 'state=calling'"
ata_ctl line 1 onhook >/dev/null
t_check "the daemon still answers (PING)" [ "$(ata_ctl PING)" = PONG ]

lab_teardown
