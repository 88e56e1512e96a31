#!/bin/sh
# The test runner behind `make test`: unit tests (and their ASan/UBSan
# build), the cross builds and their unit tests under qemu-user
# (tests/cross/run.sh), the virtual-SLIC self-test, bounded fuzzing,
# integration tests in network namespaces. Every part speaks TAP (cmocka with
# CMOCKA_MESSAGE_OUTPUT=TAP; our scripts print ok/not ok); exit 77 means
# skipped. The last line is `N passed, N failed, N skipped` for the CI.
set -u

cd "$(dirname "$0")/.." || exit 1
MODE=${1:-all}
OUT=${TEST_OUT:-build/test-logs}
mkdir -p "$OUT"

PASS=0 FAIL=0 SKIP=0
FAILED=""

# run NAME CMD...: run one test program, count its TAP lines
run() {
	name=$1
	shift
	log="$OUT/$(echo "$name" | tr '/ ' '__').log"
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log" || true)
	s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log" || true)
	f=$(grep '^not ok ' "$log" | grep -vEc '# (TODO|SKIP)' || true)
	p=$((p - s))
	s=$((s + $(grep -cE '^not ok .*# SKIP' "$log" || true)))
	if [ "$rc" = 77 ]; then
		s=$((s + 1))
		echo "SKIP  $name: $(tail -1 "$log")"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "FAIL  $name (exit $rc, see $log)"
		tail -20 "$log" | sed 's/^/      /'
	elif [ "$f" != 0 ]; then
		echo "FAIL  $name ($f failed, see $log)"
		grep -B2 -A8 '^not ok ' "$log" | head -40 | sed 's/^/      /'
	else
		echo "ok    $name ($p)"
	fi
	[ "$f" = 0 ] || FAILED="$FAILED $name"
	PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
}

unit() {
	dir=$1
	for t in "$dir"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *.o|*.d) continue ;; esac
		CMOCKA_MESSAGE_OUTPUT=TAP run "$(basename "$dir")/$(basename "$t")" "$t"
	done
}

integration() {
	for t in tests/alsa/selftest.sh tests/integration/test_*.sh \
		 tests/integration/lab_selftest.sh; do
		[ -f "$t" ] || continue
		run "$t" timeout -k 10 900 bash "$t"
	done
}

# armhf and mipsel: toolchains, sysroots, builds, unit tests under qemu
cross() {
	run cross timeout -k 10 1500 sh tests/cross/run.sh
}

case "$MODE" in
unit)        unit build
	     run talkoff sh tests/talkoff/run.sh ;;
asan)        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 unit build-asan ;;
integration) integration ;;
fuzz)        run fuzz bash tests/fuzz/run.sh short ;;
cross)       cross ;;
all)
	run ccheck sh tests/ccheck.sh
	run layers python3 tests/layers.py
	unit build
	run talkoff sh tests/talkoff/run.sh
	make -s test-asan-build >/dev/null 2>"$OUT/asan-build.log" ||
		{ echo "FAIL  asan build"; tail "$OUT/asan-build.log"; FAIL=$((FAIL + 1)); }
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 unit build-asan
	cross
	[ -f tests/fuzz/run.sh ] && run fuzz bash tests/fuzz/run.sh short
	integration
	;;
*) echo "usage: $0 [all|unit|asan|cross|integration|fuzz]" >&2; exit 2 ;;
esac

[ -z "$FAILED" ] || echo "failed:$FAILED"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
