#!/bin/bash
# Registration failures against a real kamailio:
#   - a wrong password gives a clear reason in `reg`, a retry time, and
#     no retry storm (a handful of REGISTERs, not hundreds)
#   - a registrar that does not answer: failure with a reason, backoff
#     visible, and recovery once it comes back
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init sipreg

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host ata2 44.0.0.11/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"

# ---- wrong password
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=wrong \
	ata_conf "$LAB_DIR/a.yaml" "$LAB_DIR/a.sock"
ata_start ata "$LAB_DIR/a.yaml" ataua-a.log || exit 1
if lab_wait_for "ata_ctl reg | grep -qx 'state=failed'" 20; then
	t_ok "wrong password: state=failed"
else
	t_fail "wrong password: state=failed" "$(ata_ctl reg)"
fi
reason=$(ata_ctl reg | sed -n 's/^reason=//p')
case $reason in
*40[13]*) t_ok "the reason names the rejection ($reason)" ;;
*) t_fail "the reason names the rejection" "$(ata_ctl reg)" ;;
esac
retry=$(ata_ctl reg | sed -n 's/^retry_in=//p')
[ "${retry:-0}" -ge 10 ] && t_ok "backoff: next try in ${retry}s" ||
	t_fail "backoff: next try in ${retry:-?}s" "$(ata_ctl reg)"
sleep 5
n=$(grep -c 'REGISTER.*1001\|1001.*REGISTER' "$LAB_DIR/kamailio.log" || true)
sent=$(ata_ctl reg | sed -n 's/^failures=//p')
[ "${sent:-99}" -le 2 ] && t_ok "no retry storm (failures=$sent, kamailio log lines=$n)" ||
	t_fail "no retry storm" "failures=$sent" "$(ata_ctl reg)"
ata_ctl status >/dev/null && t_ok "daemon answers" || t_fail "daemon answers"

# ---- registrar unreachable, then back
kam_stop
ATA_LISTEN=44.0.0.11:5060 ATA_AOR=sip:1003@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1003 ATA_RTP=20200-20300 \
	ata_conf "$LAB_DIR/b.yaml" "$LAB_DIR/b.sock"
ata_start ata2 "$LAB_DIR/b.yaml" ataua-b.log || exit 1
if lab_wait_for "ata_ctl reg | grep -qx 'state=failed'" 60; then
	t_ok "unreachable registrar: state=failed ($(ata_ctl reg | sed -n 's/^reason=//p'))"
else
	t_fail "unreachable registrar: state=failed" "$(ata_ctl reg)"
fi
retry=$(ata_ctl reg | sed -n 's/^retry_in=//p')
[ "${retry:-0}" -gt 0 ] && t_ok "backoff visible: retry_in=$retry" ||
	t_fail "backoff visible" "$(ata_ctl reg)"
kam_start kam 44.0.0.1 || lab_die "kamailio did not restart"
if lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 150; then
	t_ok "registration recovers when the registrar returns"
else
	t_fail "registration recovers when the registrar returns" "$(ata_ctl reg)"
fi
