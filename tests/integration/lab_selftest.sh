#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# tests/integration/lab_selftest.sh -- proves the lab works: kamailio
# registrar with digest auth, two baresip peers calling each other with
# RTP both ways, sipp calling baresip and answering baresip, wrong
# passwords and unauthenticated INVITEs rejected, and nothing left over.
# Needs root (network namespaces); exits 77 (skip) without.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/lab.sh
. "$HERE/lib/lab.sh"
# shellcheck source=lib/kamailio.sh
. "$HERE/lib/kamailio.sh"
# shellcheck source=lib/baresip.sh
. "$HERE/lib/baresip.sh"
# shellcheck source=lib/sipp.sh
. "$HERE/lib/sipp.sh"

lab_require_root
lab_require_cmd kamailio kamcmd baresip sipp ss timeout
START=$(lab__now_ms)
lab_init selftest

KAM=44.0.0.1
SIPP_ADDR=44.0.0.20
MIN_PKTS=50	# 1 s of 20 ms packets

lab_host kam "$KAM/24"
lab_host ua1 44.0.0.11/24
lab_host ua2 44.0.0.12/24
lab_host ua3 44.0.0.13/24
lab_host sipp "$SIPP_ADDR/24"

t_check "no route out of the lab" \
	bash -c "! ip netns exec $(lab_ns ua1) ip route get 1.1.1.1"
t_check "kamailio starts" kam_start kam "$KAM" "$SIPP_ADDR"
t_check "a host reaches kamailio over the Internet segment (TCP)" \
	lab_exec ua1 timeout 5 bash -c "exec 3<>/dev/tcp/$KAM/5060"

t_check "baresip 1001 starts" bs_start ua1 44.0.0.11 1001 pw1001 "$KAM"
t_check "baresip 1002 starts" bs_start ua2 44.0.0.12 1002 pw1002 "$KAM"
t_check "1001 registers" bs_wait_reg ua1 20
t_check "1002 registers" bs_wait_reg ua2 20
t_check "kamailio has a location for 1001" kam_registered 1001
t_check "kamailio has a location for 1002" kam_registered 1002

# --- baresip 1001 calls baresip 1002 through kamailio ---
t_check "1001 dials 1002" bs_dial ua1 "sip:1002@$KAM"
t_check "caller sees the call established" bs_wait_call_established ua1 20
t_check "callee sees the call established" bs_wait_call_established ua2 20

rtp_flows() {	# NS: both directions above MIN_PKTS
	local in out
	read -r in out < <(lab_udp_count "$1")
	[ "$in" -ge "$MIN_PKTS" ] && [ "$out" -ge "$MIN_PKTS" ]
}
lab_wait_for "rtp_flows ua1 && rtp_flows ua2" 20 || true
for ns in ua1 ua2; do
	read -r in out < <(bs_rtp_count "$ns")
	if [ "$in" -ge "$MIN_PKTS" ] && [ "$out" -ge "$MIN_PKTS" ]; then
		t_ok "RTP both ways at $ns (in $in, out $out packets)"
	else
		t_fail "RTP both ways at $ns" "in $in, out $out packets"
	fi
done

t_check "1001 hangs up" bs_hangup ua1
t_check "caller has no call left" bs_wait_call_state ua1 none 20
t_check "callee has no call left" bs_wait_call_state ua2 none 20

# --- digest auth ---
t_check "baresip with a wrong password starts" \
	bs_start ua3 44.0.0.13 1003 wrong-pw "$KAM"
t_check "wrong password: registration fails" \
	lab_wait_for "[ \"\$(bs_reg_state ua3)\" = ERR ]" 20
t_check "wrong password: no location for 1003" \
	lab_not kam_registered 1003
t_check "wrong password: kamailio answered 403" \
	grep -q "wrong password for sip:1003@" "$LAB_DIR/kamailio.log"
bs_stop ua3
# an untrusted host gets 407 for an INVITE without credentials
rc=0
sipp_uac ua3 "$KAM:5060" -s 1002 || rc=$?
if [ "$rc" -ne 0 ] && grep -q '^SIP/2.0 407' "$LAB_DIR/sipp-ua3-$SIPP_N-msgs.log"; then
	t_ok "INVITE without credentials is challenged (407)"
else
	t_fail "INVITE without credentials is challenged (407)" "sipp rc $rc"
fi

# --- sipp (trusted peer, no auth) calls baresip 1002 ---
read -r before _ < <(bs_rtp_count ua2)
t_check "sipp calls 1002 through kamailio" sipp_uac sipp "$KAM:5060" \
	-s 1002 -d 3000
read -r after _ < <(bs_rtp_count ua2)
read -r in out < <(lab_udp_count sipp)
if [ $((after - before)) -ge "$MIN_PKTS" ] && [ "$in" -ge "$MIN_PKTS" ] &&
	[ "$out" -ge "$MIN_PKTS" ]; then
	t_ok "RTP both ways sipp <-> 1002 (sipp in $in, out $out)"
else
	t_fail "RTP both ways sipp <-> 1002" \
		"1002 got $((after - before)), sipp in $in out $out"
fi
rc=0
sipp_uac sipp "$KAM:5060" -s 1007 || rc=$?
if [ "$rc" -ne 0 ] && grep -q '^SIP/2.0 404' "$LAB_DIR/sipp-sipp-$SIPP_N-msgs.log"; then
	t_ok "INVITE to an unregistered user gets 404"
else
	t_fail "INVITE to an unregistered user gets 404" "sipp rc $rc"
fi

# --- baresip 1001 calls a sipp UAS (static location 2000) ---
t_check "static location for 2000" \
	kam_ul_add 2000 "sip:2000@$SIPP_ADDR:5060"
t_check "sipp UAS starts" sipp_uas_start sipp
t_check "1001 dials 2000" bs_dial ua1 "sip:2000@$KAM"
t_check "call to the sipp UAS is established" \
	bs_wait_call_established ua1 20
read -r in0 out0 < <(lab_udp_count sipp)
lab_wait_for "read -r i o < <(lab_udp_count sipp);
	[ \$((i - in0)) -ge $MIN_PKTS ] && [ \$((o - out0)) -ge $MIN_PKTS ]" 20 ||
	true
read -r in out < <(lab_udp_count sipp)
t_check "RTP both ways 1001 <-> sipp UAS ($((in - in0)) in, $((out - out0)) out)" \
	[ $((in - in0)) -ge "$MIN_PKTS" ] && [ $((out - out0)) -ge "$MIN_PKTS" ]
t_check "1001 hangs up" bs_hangup ua1
t_check "sipp UAS completes the call" sipp_wait "$SIPP_PID" 20

# --- registrations survive nothing: restart forgets them ---
t_check "kamailio restarts" kam_restart
t_check "restart forgot 1001" lab_not kam_registered 1001

# --- teardown leaves nothing behind ---
prefix=$LAB_P
lab_teardown
t_check "no namespace of ours is left" \
	bash -c "! ip netns list | grep -q '^$prefix'"
t_check "no process of ours is left" bash -c \
	"! ps -eo args | grep -v grep | grep -q -- '$LAB_DIR/\\(bs-\\|kam\\|sipp\\)'"
t_diag "selftest took $(( ($(lab__now_ms) - START) / 1000 )) s"
