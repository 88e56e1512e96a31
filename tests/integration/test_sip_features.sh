#!/bin/bash
# Line features against real peers through kamailio (no NAT):
#   - hook flash holds the call (re-INVITE sendonly) and resumes it
#   - call waiting: a second call while talking beeps (tone=callwait),
#     flash answers it and holds the first, flash swaps back, on-hook
#     with a held call rings the phone again (recall), off-hook resumes
#   - a direct call from sipp (no proxy) when accept_from is `any`
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/baresip.sh"
. "$(dirname "$0")/lib/sipp.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio baresip sipp
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init sipfeat

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host bs 44.0.0.20/24
lab_host bs2 44.0.0.21/24
lab_host sipp 44.0.0.30/24
kam_start kam 44.0.0.1 44.0.0.30 || lab_die "kamailio did not start"
bs_start bs 44.0.0.20 1002 pw1002 44.0.0.1 || lab_die "baresip 1002 did not start"
bs_start bs2 44.0.0.21 1003 pw1003 44.0.0.1 || lab_die "baresip 1003 did not start"
bs_wait_reg bs 20 && bs_wait_reg bs2 20 || lab_die "baresip did not register"

conf=$LAB_DIR/ataua.yaml
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
ata_start ata "$conf" ataua.log || exit 1
lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 20 ||
	lab_die "ataua did not register"

call_dir() {
	ata_ctl calls | sed -n 's/^dir=//p' | head -n 1
}

# ---- hold and resume
ata_ctl line 1 offhook >/dev/null
ata_ctl line 1 digits 1002 >/dev/null
ata_wait_line 1 connected 20 || lab_die "call to 1002 not connected"
bs_wait_call_established bs 10
ata_ctl line 1 flash >/dev/null
if ata_wait_line 1 held 5 && lab_wait_for "[ \"\$(call_dir)\" = sendonly ]" 10; then
	t_ok "flash holds the call (re-INVITE, dir=sendonly)"
else
	t_fail "flash holds the call (re-INVITE, dir=sendonly)" "$(ata_ctl calls)"
fi
ata_ctl line 1 flash >/dev/null
if ata_wait_line 1 connected 5 && lab_wait_for "[ \"\$(call_dir)\" = sendrecv ]" 10; then
	t_ok "flash again resumes it (dir=sendrecv)"
else
	t_fail "flash again resumes it (dir=sendrecv)" "$(ata_ctl calls)"
fi

# ---- call waiting
bs_dial bs2 1001
if lab_wait_for "[ \"\$(ata_get tone line 1)\" = callwait ]" 10; then
	t_ok "a second call beeps (call-waiting tone)"
else
	t_fail "a second call beeps (call-waiting tone)" "$(ata_ctl line 1)"
fi
bs_wait_call_state bs2 RINGING 10 && t_ok "the second caller hears ringing (180)" ||
	t_fail "the second caller hears ringing (180)" "$(bs_call_state bs2)"
ata_ctl line 1 flash >/dev/null
if bs_wait_call_established bs2 10; then
	t_ok "flash answers the waiting call"
else
	t_fail "flash answers the waiting call" "$(bs_call_state bs2)" "$(ata_ctl calls)"
fi
ata_ctl line 1 flash >/dev/null
sleep 1
dirs=$(ata_ctl calls | sed -n 's/^dir=//p' | sort | tr '\n' ' ')
[ "$dirs" = "sendonly sendrecv " ] && t_ok "flash swaps (one held, one talking)" ||
	t_fail "flash swaps (one held, one talking)" "dirs: $dirs" "$(ata_ctl calls)"
ata_ctl line 1 onhook >/dev/null
if lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 5; then
	t_ok "on-hook with a held call rings the phone again"
else
	t_fail "on-hook with a held call rings the phone again" "$(ata_ctl line 1)"
fi
ata_ctl line 1 offhook >/dev/null
ata_wait_line 1 connected 5 && lab_wait_for "[ \"\$(call_dir)\" = sendrecv ]" 10 &&
	t_ok "off-hook resumes the held call" ||
	t_fail "off-hook resumes the held call" "$(ata_ctl calls)"
bs_hangup bs 2>/dev/null
bs_hangup bs2 2>/dev/null
ata_wait_line 1 busy 10
ata_ctl line 1 onhook >/dev/null
ata_wait_line 1 idle 5 && t_ok "back to idle" || t_fail "back to idle" "$(ata_ctl line 1)"

# ---- a direct call (no proxy) once accept_from is any
ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 ATA_ACCEPT=any \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
t_check "reload with accept_from: any" ata_ctl reload
lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 20
sipp_uac sipp 44.0.0.10:5060 -s 1001 -d 2000 &
spid=$!
lab_wait_for "[ \"\$(ata_get ring line 1)\" = yes ]" 15 &&
	ata_ctl line 1 offhook >/dev/null
if wait "$spid"; then
	t_ok "sipp calls ataua directly: call completed"
else
	t_fail "sipp calls ataua directly: call completed" "$(ata_ctl line 1)"
fi
ata_ctl line 1 onhook >/dev/null
