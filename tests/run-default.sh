#!/bin/sh
# `make run`: start ataua in the foreground on the default config. Where
# no sound card exists the lines use the virtual SLIC (tests/alsa): an
# asoundrc under build/ defines it and makes it ALSA's "default" (the
# device conf/ataua.yaml names), loaded after the system alsa.conf
# through ALSA_CONFIG_PATH. Talk to it with ./atactl in a second shell.
set -eu
cd "$(dirname "$0")/.."

root=$PWD
plugdir=$root/build/tests/alsa
rc=$root/build/vslic.asoundrc
sysconf=/usr/share/alsa/alsa.conf

has_card() {
	[ -d /proc/asound ] && grep -q '^ *[0-9]' /proc/asound/cards 2>/dev/null
}

if ! has_card && [ -f "$sysconf" ]; then
	if [ ! -f "$plugdir/libasound_module_pcm_vslic.so" ]; then
		make vslic >/dev/null
	fi
	mkdir -p "$root/build"
	sed "s|@PLUGDIR@|$plugdir|" tests/alsa/asoundrc.in >"$rc.tmp"
	cat >>"$rc.tmp" <<'RC'

# run-default.sh: no sound card here, so "default" is the virtual SLIC
pcm.!default {
	type vslic
}
RC
	mv "$rc.tmp" "$rc"
	ALSA_CONFIG_PATH=$sysconf:$rc
	export ALSA_CONFIG_PATH
	echo "ataua: no sound card: lines use the virtual SLIC ($rc)"
fi

echo "ataua: starting with conf/ataua.yaml (Ctrl-C stops it)"
echo "ataua: in another terminal try: ./atactl -s /run/ataua/ataua.sock status"
exec ./ataua -c conf/ataua.yaml
