#!/bin/bash
# lines[].dtmf_detect: off (alarm panels, modems): the keys a device
# sends during a call reach the far end as the tones themselves, never
# as RFC 4733 events. The setup of test_dtmf_handset.sh (its on-case):
# ataua with audio-alsa on the virtual SLIC, whose capture plays a file
# made by lib/dtmfpeer.py on the device's timeline: speech-like sound
# and dial tone (1-5 s), the keys 1 0 0 2 (6 s), then 5 and # (14 s);
# a python callee (lib/dtmfpeer.py uas) answers. Checked:
#   - dialling still works (the detector runs while the line dials):
#     the call goes to 1002, one DTMF event per key
#   - 5 and # pressed during the call do NOT reach the peer as RFC 4733
#     telephone-events, and give no DTMF event with the call's id
#   - the peer hears them in-band instead (the capture is not silenced)
# DTMF_DETECT=on runs the same with the detector on: the test must then
# fail. No root needed.
set -u
HANDSET_LAB=dtmfoff
HANDSET_YAML="    dtmf_detect: ${DTMF_DETECT:-off}"
. "$(dirname "$0")/lib/dtmfhandset.sh"

# the capture plays 5 and # at 14.0-14.6 s of the device's timeline;
# the on-case's events come by then, so wait past it, then hang up
el=$((($(date +%s%N) - t0) / 1000000))
[ "$el" -lt 17000 ] && sleep $(((17000 - el) / 1000 + 1))
ata_ctl line 1 onhook >/dev/null
lab_wait_for "[ -s '$LAB_DIR/inband.txt' ]" 10 ||
	t_fail "the peer sees the BYE" "$(cat "$LAB_DIR/peer.log")"
got=$(tr -d '\n' <"$LAB_DIR/events.txt" 2>/dev/null)
[ -z "$got" ] &&
	t_ok "keys during the call are not sent as RFC 4733 events" ||
	t_fail "keys during the call are not sent as RFC 4733 events" \
		"peer saw: '$got'"
incall=$(grep -a 'DTMF' "$mon" | grep 'source=handset' | grep ' id=' |
	sed -n 's/.* key=\(.\) .*/\1/p' | tr -d '\n')
[ -z "$incall" ] && t_ok "no DTMF event of the call's keys" ||
	t_fail "no DTMF event of the call's keys" "$(grep -a DTMF "$mon")"
read -r inb frames <"$LAB_DIR/inband.txt" 2>/dev/null
# two keys of 150 ms are 15 frames; most of them carry the pair
[ "${frames:-0}" -gt 100 ] && [ "${inb:-0}" -ge 10 ] &&
	t_ok "the peer hears the keys in-band ($inb of $frames frames)" ||
	t_fail "the peer hears the keys in-band" \
		"in-band frames: ${inb:-?} of ${frames:-?}"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' "$LAB_DIR/ataua.log"
