#!/bin/sh
# tests/alsa/selftest.sh  Build (if needed) and run the vslic self-test.
#
# Exit 0 when every test passes, 1 on a failure, 77 when this machine
# cannot run it (no ALSA headers or no system alsa.conf). Output is TAP.
# BUILD selects the build directory (default build), CC the compiler.
set -u

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
DIR=$(pwd)/$BUILD/tests/alsa
PLUG=$DIR/libasound_module_pcm_vslic.so
BIN=$DIR/vslic_selftest
SRCS="tests/alsa/vslic_selftest.c tests/alsa/vslic_selftest_util.c
      tests/alsa/vslic_selftest_echo.c"

skip() {
	echo "# SKIP: $*"
	exit 77
}

[ -f /usr/include/alsa/pcm_external.h ] ||
	skip "no ALSA headers (apt-get install libasound2-dev)"

SYSCONF=
for c in ${ALSA_SYSTEM_CONF:-} /usr/share/alsa/alsa.conf \
	 /usr/local/share/alsa/alsa.conf; do
	[ -f "$c" ] && SYSCONF=$c && break
done
[ -n "$SYSCONF" ] || skip "no system alsa.conf (set ALSA_SYSTEM_CONF)"

make -s "$BUILD/tests/alsa/libasound_module_pcm_vslic.so" || exit 1

# Until the Makefile has a rule for the program, build it here.
if ! make -s "$BUILD/tests/alsa/vslic_selftest" 2>/dev/null; then
	stale=no
	[ -x "$BIN" ] || stale=yes
	for s in $SRCS tests/alsa/vslic_selftest.h; do
		[ "$s" -nt "$BIN" ] && stale=yes
	done
	if [ $stale = yes ]; then
		mkdir -p "$DIR"
		${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Wshadow \
			-Wstrict-prototypes -Wmissing-prototypes -O2 -g \
			-o "$BIN" $SRCS -lasound -lm || exit 1
	fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vslic-rc.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

# The generated file only adds pcm.vslic; the system config comes first.
sed "s|@PLUGDIR@|$DIR|g" tests/alsa/asoundrc.in >"$TMP/asoundrc" || exit 1
ALSA_CONFIG_PATH=$SYSCONF:$TMP/asoundrc
export ALSA_CONFIG_PATH
unset VSLIC_SKEW_PPM VSLIC_CAPTURE VSLIC_PLAYBACK VSLIC_LOG

timeout -k 5 180 "$BIN" "$@"
rc=$?
[ $rc = 0 ] || exit 1
exit 0
