#!/bin/bash
# SIP over TLS authenticates the server (a self-signed test CA):
#   - the right CA and a certificate naming the registrar: registers
#   - a certificate from another CA: refused, SECURITY record
#   - a certificate of our CA for another name: refused, SECURITY record
#   - tls_verify: false (an explicit opt-out) registers, with a warning
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio openssl
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] ||
	[ -n "$(find /usr/lib -path '*kamailio/modules/tls.so' 2>/dev/null)" ] ||
	lab_skip "kamailio-tls-modules not installed"
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init siptls

pki=$LAB_DIR/pki
mkdir -p "$pki"
# mkca NAME; mkcert NAME CA IP: test PKI with openssl(1)
mkca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$pki/$1.key" -out "$pki/$1.pem" >/dev/null 2>&1
}
mkcert() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:%s\n' "$3" >"$pki/$1.ext" &&
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" \
		-CAkey "$pki/$2.key" -CAcreateserial -days 2 \
		-extfile "$pki/$1.ext" -out "$pki/$1.pem" >/dev/null 2>&1
}
mkca testca && mkca otherca && mkcert good testca 44.0.0.1 &&
	mkcert wrongname testca 44.0.0.99 || lab_die "openssl could not make the test PKI"

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24

# try NAME CA VERIFY: run ataua against the current kamailio; sets REG
try() {
	local n=$1
	ATA_LISTEN=44.0.0.10:0 ATA_AOR=sip:1001@44.0.0.1 \
	ATA_REGISTRAR="sip:44.0.0.1:5061;transport=tls" ATA_PASSWORD=pw1001 \
	ATA_TRANSPORTS="[udp, tls]" ATA_ACC_TRANSPORT=tls \
	ATA_TLS_CA="$pki/$2.pem" ATA_TLS_VERIFY=$3 \
		ata_conf "$LAB_DIR/$n.yaml" "$LAB_DIR/$n.sock"
	ata_start ata "$LAB_DIR/$n.yaml" "ataua-$n.log" || return 1
	lab_wait_for "ata_ctl reg | grep -q '^state=\\(registered\\|failed\\)'" 40
	REG=$(ata_ctl reg | sed -n 's/^state=//p')
	lab_stop "$ATA_PID"
}

KAM_TLS_CERT=$pki/good.pem KAM_TLS_KEY=$pki/good.key \
	kam_start kam 44.0.0.1 || lab_die "kamailio (TLS) did not start"
lab_wait_port kam tcp 5061 10 || lab_die "kamailio does not listen on TLS"

try good testca true
[ "$REG" = registered ] && t_ok "right CA and name: registered over TLS" ||
	t_fail "right CA and name: registered over TLS" "state=$REG" \
		"$(tail -n 15 "$LAB_DIR/ataua-good.log")"

try other otherca true
[ "$REG" = failed ] && t_ok "certificate from another CA: refused" ||
	t_fail "certificate from another CA: refused" "state=$REG"
grep -q 'SECURITY event=tls-verify-failed' "$LAB_DIR/ataua-other.log" &&
	t_ok "SECURITY record for the failed verification" ||
	t_fail "SECURITY record for the failed verification" \
		"$(tail -n 15 "$LAB_DIR/ataua-other.log")"

try optout otherca false
[ "$REG" = registered ] && grep -q 'tls_verify is off' "$LAB_DIR/ataua-optout.log" &&
	t_ok "tls_verify: false registers anyway, with a warning" ||
	t_fail "tls_verify: false registers anyway, with a warning" "state=$REG"

kam_stop
KAM_TLS_CERT=$pki/wrongname.pem KAM_TLS_KEY=$pki/wrongname.key \
	kam_start kam 44.0.0.1 || lab_die "kamailio (TLS, wrong name) did not start"
lab_wait_port kam tcp 5061 10
try name testca true
[ "$REG" = failed ] && t_ok "our CA but another name: refused" ||
	t_fail "our CA but another name: refused" "state=$REG"
grep -q 'SECURITY event=tls-name-mismatch' "$LAB_DIR/ataua-name.log" &&
	t_ok "SECURITY record for the name mismatch" ||
	t_fail "SECURITY record for the name mismatch" \
		"$(tail -n 15 "$LAB_DIR/ataua-name.log")"
