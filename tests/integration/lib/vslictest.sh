#!/bin/bash
# lib/vslictest.sh: the common start of a test that runs ataua on the
# virtual SLIC without a network lab (test_line_tones, test_sip_mwi,
# test_fax_passthrough). Source it after setting `root`; it gives the
# TAP counters n and fails, t_ok / t_fail, skips (exit 77) when the
# daemon, the vslic plugin, alsa.conf or python3 is missing, sets plug,
# and vslic_asoundrc DIR points alsa-lib at the plugin.

n=0
fails=0

t_ok() { n=$((n + 1)); echo "ok $n - $1"; }
t_fail() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

[ -x "$root/ataua" ] || { echo "1..0 # SKIP build ataua first"; exit 77; }
plug=$root/build/tests/alsa/libasound_module_pcm_vslic.so
[ -f "$plug" ] || make -C "$root" vslic >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP no vslic plugin"; exit 77; }
[ -f /usr/share/alsa/alsa.conf ] ||
	{ echo "1..0 # SKIP no system alsa.conf"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 77; }

# vslic_asoundrc DIR: write DIR/asoundrc and export ALSA_CONFIG_PATH
vslic_asoundrc() {
	sed "s|@PLUGDIR@|$(dirname "$plug")|" \
		"$root/tests/alsa/asoundrc.in" >"$1/asoundrc"
	export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$1/asoundrc
}
