#!/bin/bash
# Build every tests/fuzz/fuzz_*.c as a libFuzzer target (clang, ASan, UBSan)
# against the core and run each: first every seed once (each must pass),
# then
# - `short` (make test): a fixed number of inputs (FUZZ_RUNS, 20000) from
#   a fixed random seed (FUZZ_SEED) on a fresh corpus, so the same tree
#   gives the same result on any machine, however busy;
# - `long` (make fuzz): FUZZ_SECS (600) per target, random seeds, the
#   corpus kept in build-fuzz/corpus to grow from run to run.
# Crash inputs go to build-fuzz/crashes/ in both; a fixed bug's input
# belongs in the target's seeds. Seeds: tests/fuzz/seeds/NAME/ where
# present, plus the public test material in ../shared/testdata. TAP.
# A new target is picked up by its name (tests/fuzz/fuzz_NAME.c). It
# reaches module code as the unit tests do (see the Makefile): every
# target links every module's archive, the linker takes the objects that
# define what the target calls, and a fake the target defines keeps the
# module's own object out. Seed directories of the shared test data go
# on comment lines " * fuzz-seeds: rfc4475" ($ATA_TESTDATA, default
# ../shared/testdata). FUZZ_ONLY="fuzz_a fuzz_b" runs only those.
# A target that costs much per byte bounds its inputs in short mode:
# " * fuzz-max-len: 2048".
set -u
cd "$(dirname "$0")/../.." || exit 1

MODE=${1:-short}
case "$MODE" in
short) RUNS=${FUZZ_RUNS:-20000} SEED=${FUZZ_SEED:-20240611} ;;
long)  SECS=${FUZZ_SECS:-600} ;;
*) echo "usage: $0 short|long" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not installed (make deps)" >&2
	exit 77
fi

B=build-fuzz
mkdir -p "$B/obj" "$B/crashes"
FLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined"
# libsrtp2 and libyaml stay linked here although ataua dlopen()s them
# (core/call/srtp_lib.c, yaml_lib.c): dlopen then finds the loaded copy, and
# libyaml is never unmapped between inputs, so ASan can name its frames
LIBS="$(pkg-config --libs libre libsrtp2 yaml-0.1 alsa openssl miniupnpc)"
LIBS="$LIBS -lm -lpthread -ldl"
DEFS="-DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 -DHAVE_PTHREAD"
INC="-Icore $(pkg-config --cflags libre)"

# the core, once, as an archive the targets pull from
objs=""
for c in core/*.c core/*/*.c; do
	# atactl.c has a main(); the rest of cli/ is fuzzed like the core
	case "$c" in core/main.c|core/cli/atactl.c) continue ;; esac
	o="$B/obj/$(basename "$c" .c).o"
	# rebuilt when its source or any core header is newer (a struct
	# that grew in config.h must not meet objects built with the old one)
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] ||
	   [ -n "$(find core -name '*.h' -newer "$o" -print -quit)" ]; then
		# shellcheck disable=SC2086
		clang -std=gnu11 $FLAGS $DEFS $INC -c "$c" -o "$o" || exit 1
	fi
	objs="$objs $o"
done
rm -f "$B/libcore.a"
# shellcheck disable=SC2086
ar rcs "$B/libcore.a" $objs

# each module, once, as an archive of its own (modules/NAME/*.o)
mods=""
for d in modules/*/; do
	m=$(basename "$d")
	objs=""
	mkdir -p "$B/obj/modules/$m"
	for c in "$d"*.c; do
		o="$B/obj/modules/$m/$(basename "$c" .c).o"
		if [ ! -f "$o" ] || [ "$c" -nt "$o" ] ||
		   [ -n "$(find core "$d" -name '*.h' -newer "$o" \
			   -print -quit)" ]; then
			# shellcheck disable=SC2086
			clang -std=gnu11 $FLAGS $DEFS $INC \
				$(pkg-config --cflags miniupnpc) \
				-c "$c" -o "$o" || exit 1
		fi
		objs="$objs $o"
	done
	rm -f "$B/lib$m.a"
	# shellcheck disable=SC2086
	ar rcs "$B/lib$m.a" $objs
	mods="$mods $B/lib$m.a"
done

srcs=""
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	case " ${FUZZ_ONLY:-$(basename "$src" .c)} " in
	*" $(basename "$src" .c) "*) srcs="$srcs $src" ;;
	esac
done

n=0 failed=0
echo "1..$(echo "$srcs" | wc -w)"
for src in $srcs; do
	name=$(basename "$src" .c)
	n=$((n + 1))
	bin="$B/$name"
	# shellcheck disable=SC2086
	if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		$DEFS $INC "$src" $mods "$B/libcore.a" $LIBS -o "$bin" \
		>"$B/$name.build.log" 2>&1; then
		echo "not ok $n - $name (build failed, $B/$name.build.log)"
		failed=$((failed + 1))
		continue
	fi
	seeds=""
	[ -d "tests/fuzz/seeds/$name" ] && seeds="tests/fuzz/seeds/$name"
	for d in $(sed -n 's|^ \* fuzz-seeds: *||p' "$src"); do
		d=${ATA_TESTDATA:-../shared/testdata}/$d
		[ -d "$d" ] && seeds="$seeds $d"
	done
	# every seed once: a crash found before stays fixed
	files=""
	# shellcheck disable=SC2086
	[ -n "$seeds" ] && files=$(find $seeds -type f | sort)
	# shellcheck disable=SC2086
	if [ -n "$files" ] && ! "$bin" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$B/crashes/$name-seed-" \
		$files >"$B/$name.seeds.log" 2>&1; then
		echo "not ok $n - $name (a seed fails: see $B/$name.seeds.log)"
		grep -E '^Running: ' "$B/$name.seeds.log" | tail -1
		tail -30 "$B/$name.seeds.log"
		failed=$((failed + 1))
		continue
	fi
	if [ "$MODE" = short ]; then
		# a fresh corpus: inputs kept from an earlier run would
		# make the result depend on the machine's history
		corpus="$B/corpus-short/$name"
		rm -rf "$corpus"
		# no comparison-guided mutations: operands that hold
		# addresses make the inputs differ from run to run
		budget="-runs=$RUNS -seed=$SEED -use_cmp=0"
		# a target whose every byte costs much (a DSP block per
		# sample) names a smaller input bound: " * fuzz-max-len: N"
		maxlen=$(sed -n 's|^ \* fuzz-max-len: *||p' "$src")
		[ -n "$maxlen" ] && budget="$budget -max_len=$maxlen"
		what="$(echo "$files" | grep -c .) seeds, $RUNS runs, seed $SEED"
	else
		corpus="$B/corpus/$name"
		budget="-max_total_time=$SECS"
		what="$SECS s"
	fi
	mkdir -p "$corpus"
	# shellcheck disable=SC2086
	if "$bin" $budget -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$B/crashes/$name-" -print_final_stats=0 \
		"$corpus" $seeds >"$B/$name.log" 2>&1; then
		echo "ok $n - $name ($what)"
	else
		echo "not ok $n - $name (crash: see $B/$name.log, $B/crashes/)"
		tail -30 "$B/$name.log"
		failed=$((failed + 1))
	fi
done

[ "$failed" = 0 ]
