#!/bin/sh
# DTMF talk-off (issue 14): make ~30 minutes of speech (espeak-ng, 11
# languages x 8 voices) and music in build/talkoff (once; gen.py is
# deterministic), then run our detector and spandsp's dtmf_rx over it
# (tests/talkoff/talkoff.c). TAP out. The whole set takes about 20 s
# on one core, so `make test` runs all of it; TALKOFF_MIN=N takes a
# spread subset of N minutes.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
bin=$BUILD/tests/talkoff/talkoff
dir=$BUILD/talkoff

if ! command -v espeak-ng >/dev/null; then
	echo "1..0 # SKIP espeak-ng missing (tests/deps.sh test)"
	exit 77
fi
[ -x "$bin" ] || { echo "not ok 1 - $bin not built"; exit 1; }
# material of an older gen.py is made again
[ tests/talkoff/gen.py -nt "$dir/manifest" ] && rm -rf "$dir"
man=$(python3 tests/talkoff/gen.py "$dir" "${TALKOFF_MIN:-30}") || {
	echo "not ok 1 - material (tests/talkoff/gen.py)"
	exit 1
}
exec "$bin" "$man"
