#!/bin/bash
# Build hygiene, as a packager meets it:
#   - `make CC=clang` builds with -Werror (no warning only gcc forgives);
#   - -Werror is ours, not the packager's: WERROR=0 drops it;
#   - no library is required that no source uses (librem);
#   - every library's flags come from pkg-config (miniupnpc too);
#   - `make run` installs what building and running need, not the test
#     peers (kamailio, coturn, baresip, sipp ... about 150 MB).
# Needs no root and no namespaces; skips without clang.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
lab_require_cmd make pkg-config
ata_host_init build

# clang, in a build directory of its own (the objects of cc stay)
if command -v clang >/dev/null 2>&1; then
	if make -C "$ROOT" -s BUILD="$LAB_DIR/clang" CC=clang \
		"$LAB_DIR/clang/libatacore.a" >"$LAB_DIR/clang.log" 2>&1 &&
	   make -C "$ROOT" -s -n BUILD="$LAB_DIR/clang" CC=clang all \
		>/dev/null 2>&1; then
		t_ok "make CC=clang builds the core with -Werror"
	else
		t_fail "make CC=clang builds the core with -Werror" \
			"$(grep -m5 error "$LAB_DIR/clang.log")"
	fi
	# the modules, the unit tests and the daemon with clang too
	if make -C "$ROOT" -s BUILD="$LAB_DIR/clang" CC=clang \
		"$LAB_DIR/clang/tests/unit/test_g711" \
		"$LAB_DIR/clang/modules/upnp/upnp.o" \
		"$LAB_DIR/clang/modules/audio-alsa/alsa_pcm.o" \
		"$LAB_DIR/clang/modules/turn/turn.o" \
		"$LAB_DIR/clang/modules/stun/stun.o" \
		"$LAB_DIR/clang/modules/alg-hint/alg-hint.o" \
		>>"$LAB_DIR/clang.log" 2>&1; then
		t_ok "make CC=clang builds the modules and a unit test"
	else
		t_fail "make CC=clang builds the modules and a unit test" \
			"$(grep -m5 error "$LAB_DIR/clang.log")"
	fi
	t_check "clang's G.711 tables pass the standard's vectors" \
		"$LAB_DIR/clang/tests/unit/test_g711"
else
	t_skip "make CC=clang builds with -Werror" "clang not installed"
fi

cmd_of() {
	make -C "$ROOT" -n -B "$@" build/core/dsp/g711.o 2>/dev/null |
		grep -- ' -c core/dsp/g711.c'
}
t_check "-Werror by default (developers, CI)" \
	bash -c "$(declare -f cmd_of); ROOT='$ROOT'; cmd_of | grep -q -- -Werror"
t_check "WERROR=0: a packager's newer compiler warns, the build goes on" \
	bash -c "$(declare -f cmd_of); ROOT='$ROOT'; ! cmd_of WERROR=0 | grep -q -- -Werror"

# librem: required once, used by nothing
t_check "no source includes librem" \
	lab_not grep -rlE '#include <rem[._]' "$ROOT/core" "$ROOT/modules" \
		"$ROOT/tests"
t_check "no build rule asks pkg-config for librem" \
	lab_not grep -rqE 'pkg-config[^|]*librem|^PKGS.*librem' \
		"$ROOT/Makefile" "$ROOT/tests/fuzz/run.sh"
t_check "deps installs no librem" \
	lab_not bash -c "sh '$ROOT/tests/deps.sh' list test | grep -qx librem-dev"

# miniupnpc through pkg-config: a cross build's PKG_CONFIG decides
cat >"$LAB_DIR/pkg-config" <<'EOF'
#!/bin/sh
# pkg-config that answers miniupnpc's libraries from a sysroot
case "$*" in
*--libs*miniupnpc*) echo "-L/sysroot/lib -lminiupnpc" ;;
*) exec pkg-config "$@" ;;
esac
EOF
chmod +x "$LAB_DIR/pkg-config"
t_check "modules/upnp links miniupnpc with pkg-config's flags" \
	bash -c "make -C '$ROOT' -n -B PKG_CONFIG='$LAB_DIR/pkg-config' \
		modules/upnp/upnp.so 2>/dev/null |
		grep -q -- '-L/sysroot/lib -lminiupnpc'"

# make run installs only the run set
run_set=$(sh "$ROOT/tests/deps.sh" list run)
peers=""
for p in kamailio coturn miniupnpd-iptables baresip-core sip-tester \
	 valgrind clang libcmocka-dev sipvicious tcpdump; do
	printf '%s\n' "$run_set" | grep -qx "$p" && peers="$peers $p"
done
[ -z "$peers" ] && t_ok "make run's packages hold no test peer" ||
	t_fail "make run's packages hold no test peer" "found:$peers"
for p in libre-dev libasound2-dev libsrtp2-dev libyaml-dev \
	 libminiupnpc-dev; do
	printf '%s\n' "$run_set" | grep -qx "$p" ||
		peers="$peers missing:$p"
done
[ -z "$peers" ] && t_ok "make run's packages build every module" ||
	t_fail "make run's packages build every module" "$peers"
t_check "make run asks deps for the run set, make test for the test set" \
	bash -c "make -C '$ROOT' -n run | grep -q 'tests/deps.sh run' &&
		make -C '$ROOT' -n test | grep -q 'tests/deps.sh test'"

# libsrtp2 and libyaml are dlopen()ed by soname: the one of the library
# the build compiles against (SONAME of pkg-config's libdir/lib*.so),
# recorded in build/sonames and compiled in; an override reaches the
# compiler (a cross build's)
# (needs the tree built: make all)
soname_of() {
	readelf -d "$(pkg-config --variable=libdir "$1")/$2" 2>/dev/null |
		sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p'
}
if [ -f "$ROOT/build/sonames" ] && [ -x "$ROOT/ataua" ]; then
	for pair in "SRTP libsrtp2 libsrtp2.so" "YAML yaml-0.1 libyaml.so"; do
		set -- $pair
		so=$(soname_of "$2" "$3")
		if [ -n "$so" ] &&
			grep -qx "${1}_SONAME=$so" "$ROOT/build/sonames" &&
			grep -qaF "$so" "$ROOT/ataua"; then
			t_ok "ataua dlopen()s $so, the SONAME of $3"
		else
			t_fail "ataua dlopen()s ${so:-?}, the SONAME of $3" \
				"$(cat "$ROOT/build/sonames")"
		fi
	done
else
	t_fail "build/sonames records the dlopen()ed sonames" \
		"no $ROOT/build/sonames (make all)"
fi
t_check "SRTP_SONAME and YAML_SONAME reach the compiler" \
	bash -c "make -C '$ROOT' -n -B SRTP_SONAME=libsrtp2.so.77 \
		YAML_SONAME=libyaml-0.so.77 build/core/call/srtp_lib.o \
		build/core/conf/yaml_lib.o 2>/dev/null | tr -d \"'\" >'$LAB_DIR/so.n' &&
		grep -qF -- '-DSRTP_LIB_FILE=\"libsrtp2.so.77\"' '$LAB_DIR/so.n' &&
		grep -qF -- '-DYAML_LIB_FILE=\"libyaml-0.so.77\"' '$LAB_DIR/so.n'"
