#!/bin/sh
# The cross builds' test (`make test-cross`, and tests/run.sh in
# `make test`): for each ARCH (default: armhf mipsel) the cross toolchain
# and qemu-user (tests/deps.sh cross), the target's sysroot
# (tests/cross/sysroot.sh), `make cross ARCH=...`, then every unit test of
# that build under qemu-user. qemu runs explicitly with -L SYSROOT, so no
# binfmt_misc registration is needed (CI may have none).
# Output: TAP, one line for each check of each unit test ("ok - armhf/
# test_x: name"), each build, and each part that cannot run ("ok - ... #
# SKIP why": a missing toolchain or archive is a skip, never a pass); then
# `N passed, N failed, N skipped`. Exit 0, 1 on a failure, 77 when nothing
# could run.
#   sh tests/cross/run.sh [ARCH...]
#   CROSS_UNITS=test_g711 sh tests/cross/run.sh armhf   (some tests only)
set -u

cd "$(dirname "$0")/../.." || exit 1
ARCHES=${*:-armhf mipsel}
OUT=${TEST_OUT:-build/test-logs}/cross
mkdir -p "$OUT"
# one unit test under qemu (the slowest take a few seconds native)
UNIT_TIMEOUT=${CROSS_UNIT_TIMEOUT:-300}
# which unit tests run (a shell pattern: CROSS_UNITS=test_g711)
UNITS=${CROSS_UNITS:-test_*}

# test_stun_vectors finds ../shared from where its binary is, which is
# one level deeper here (build-cross/ARCH)
if [ -z "${ATA_TESTDATA:-}" ] && [ -d ../shared/testdata ]; then
	ATA_TESTDATA=$(cd ../shared/testdata && pwd)
	export ATA_TESTDATA
fi

PASS=0 FAIL=0 SKIP=0

# skip NAME WHY...
skip() { n=$1; shift; echo "ok - $n # SKIP $*"; SKIP=$((SKIP + 1)); }
fail() { echo "not ok - $1"; FAIL=$((FAIL + 1)); }
pass() { echo "ok - $1"; PASS=$((PASS + 1)); }

triplet() {
	case $1 in
	armhf)  echo arm-linux-gnueabihf ;;
	mipsel) echo mipsel-linux-gnu ;;
	esac
}

qemu_of() {
	case $1 in
	armhf)  echo qemu-arm-static ;;
	mipsel) echo qemu-mipsel-static ;;
	esac
}

# Unit tests that qemu-user cannot run, and why: none so far. A test
# named here is reported as SKIP with the reason, never as passed.
#   qemu_cannot ARCH TEST  prints the reason, or nothing
qemu_cannot() {
	case "$1/$2" in
	*) ;;
	esac
}

# unit ARCH SYSROOT: every unit test of build-cross/ARCH under qemu
unit() {
	arch=$1 sysroot=$2
	qemu=$(qemu_of "$arch")
	for t in "build-cross/$arch"/tests/unit/$UNITS; do
		[ -x "$t" ] || continue
		case "$t" in *.o|*.d) continue ;; esac
		name=$arch/$(basename "$t")
		why=$(qemu_cannot "$arch" "$(basename "$t")")
		if [ -n "$why" ]; then
			skip "$name" "$why"
			continue
		fi
		log=$OUT/$(echo "$name" | tr / _).log
		CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 5 "$UNIT_TIMEOUT" \
			"$qemu" -L "$sysroot" "$t" >"$log" 2>&1
		rc=$?
		# cmocka's TAP, each check named by arch and program
		sed -n -E "s,^(not ok|ok) [0-9]+( -)? ?,\1 - $name: ,p" \
			"$log"
		# counted as tests/run.sh does: "not ok # SKIP" is a skip
		p=$(grep -c '^ok ' "$log")
		s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log")
		f=$(grep '^not ok ' "$log" | grep -vEc '# (TODO|SKIP)')
		s=$((s + $(grep -cE '^not ok .*# SKIP' "$log")))
		PASS=$((PASS + p - s)) SKIP=$((SKIP + s)) FAIL=$((FAIL + f))
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			fail "$name: exit $rc (see $log)"
			tail -5 "$log" | sed 's/^/# /'
		elif [ "$p" = 0 ] && [ "$f" = 0 ]; then
			fail "$name: no checks ran (see $log)"
		fi
	done
}

# The toolchains and qemu of all arches, once (root installs; the exit
# status says whether they are there)
deps_log=$OUT/deps.log
t0=$(date +%s)
sh tests/deps.sh cross >"$deps_log" 2>&1
deps_rc=$?
echo "# deps (cross toolchains, qemu-user): $(($(date +%s) - t0)) s"

ran=0
for arch in $ARCHES; do
	tr=$(triplet "$arch")
	if [ -z "$tr" ]; then
		fail "$arch: unknown architecture (armhf, mipsel)"
		continue
	fi
	qemu=$(qemu_of "$arch")
	if ! command -v "$tr-gcc" >/dev/null ||
	   ! command -v "$qemu" >/dev/null; then
		[ "$deps_rc" = 0 ] || tail -3 "$deps_log" | sed 's/^/# /'
		skip "$arch" "no $tr-gcc or $qemu (tests/deps.sh cross" \
			"could not install them)"
		continue
	fi
	t0=$(date +%s)
	sysroot=$PWD/build-cross/sysroot/$arch
	sh tests/cross/sysroot.sh "$arch" "$sysroot" \
		>"$OUT/sysroot-$arch.log" 2>&1
	rc=$?
	sed 's/^/# /' "$OUT/sysroot-$arch.log"
	if [ "$rc" = 77 ]; then
		skip "$arch" "no $arch sysroot: $(tail -1 "$OUT/sysroot-$arch.log")"
		continue
	elif [ "$rc" != 0 ]; then
		fail "$arch: sysroot (see $OUT/sysroot-$arch.log)"
		continue
	fi
	t1=$(date +%s)
	ran=1
	blog=$OUT/build-$arch.log
	if ! make -j2 cross ARCH="$arch" >"$blog" 2>&1; then
		fail "$arch: make cross ARCH=$arch (see $blog)"
		grep -E 'error|Error' "$blog" | head -10 | sed 's/^/# /'
		continue
	fi
	pass "$arch: make cross ARCH=$arch"
	t2=$(date +%s)
	unit "$arch" "$sysroot"
	t3=$(date +%s)
	echo "# $arch: sysroot $((t1 - t0)) s, build $((t2 - t1)) s," \
		"unit tests under $qemu $((t3 - t2)) s"
done

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ] || exit 1
[ "$ran" = 1 ] || exit 77
exit 0
