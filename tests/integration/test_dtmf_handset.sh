#!/bin/bash
# Handset DTMF: the phone dials in-band. ataua with the audio-alsa
# driver on the virtual SLIC (tests/alsa), whose capture plays a file
# made by lib/dtmfpeer.py on the device's timeline: speech-like sound
# and dial tone (1-5 s), the keys 1 0 0 2 (6 s), then 5 and # (14 s).
# The test takes the line off-hook at once; a python callee
# (lib/dtmfpeer.py uas: registrar and outbound proxy) answers. Checked:
#   - the call goes to exactly 1002: no key came of the speech or the
#     dial tone (one more digit would change the number), and one DTMF
#     event with source=handset per key
#   - 5 and # pressed during the call reach the peer as RFC 4733
#     telephone-events, once each, and as DTMF events with the call id
#   - the keys are not also heard in-band by the peer (capture is
#     silenced while a key sounds)
# No root needed.
set -u
HANDSET_LAB=dtmfhandset
HANDSET_YAML=""
. "$(dirname "$0")/lib/dtmfhandset.sh"

lab_wait_for "grep -q '5#' '$LAB_DIR/events.txt' 2>/dev/null" 25 &&
	t_ok "keys during the call reach the peer as RFC 4733 events" ||
	t_fail "keys during the call reach the peer as RFC 4733 events" \
		"peer saw: '$(cat "$LAB_DIR/events.txt" 2>/dev/null)'" \
		"$(ata_ctl calls)"
sleep 1
got=$(tr -d '\n' <"$LAB_DIR/events.txt" 2>/dev/null)
[ "$got" = "5#" ] && t_ok "each exactly once ($got)" ||
	t_fail "each exactly once" "peer saw: '$got'"
incall=$(grep -a 'DTMF' "$mon" | grep 'source=handset' | grep ' id=' |
	sed -n 's/.* key=\(.\) .*/\1/p' | tr -d '\n')
[ "$incall" = "5#" ] &&
	t_ok "DTMF events of the call's keys carry its id ($incall)" ||
	t_fail "DTMF events of the call's keys carry its id" \
		"$(grep -a DTMF "$mon")"

ata_ctl line 1 onhook >/dev/null
lab_wait_for "[ -s '$LAB_DIR/inband.txt' ]" 10 ||
	t_fail "the peer sees the BYE" "$(cat "$LAB_DIR/peer.log")"
read -r inb frames <"$LAB_DIR/inband.txt" 2>/dev/null
# two keys of 150 ms are 15 frames; the detector needs 2 blocks
# (25 ms) before it silences, so a frame at the start of each may pass
[ "${frames:-0}" -gt 100 ] && [ "${inb:-99}" -le 4 ] &&
	t_ok "the keys are silenced in the call's audio" \
		"($inb of $frames frames carry a DTMF pair)" ||
	t_fail "the keys are silenced in the call's audio" \
		"in-band frames: ${inb:-?} of ${frames:-?}"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
