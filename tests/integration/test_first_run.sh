#!/bin/bash
# The README's first command on a machine that has nothing yet.
#
# `make run` in a clean copy of the tree, where the build packages appear
# only once `make deps` has run: a stand-in pkg-config knows no package
# until a stand-in installer (DEPS=) has "installed" them. On a real
# fresh machine the Makefile read its pkg-config flags before deps ran,
# and the first build failed on a missing re.h. Checked here:
#   - a build without the packages names them (pkg-config's own words and
#     "make deps"), not a missing header;
#   - `make run` builds and starts the daemon the first time;
#   - the shipped config needs no outside server: the daemon answers,
#     line 1 gives dial tone, no REGISTER, no name looked up.
# The daemon runs in a namespace of its own (only the lab's Internet
# segment): the shipped config's UPnP discovery must not reach the
# host's network.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
lab_require_root
lab_require_cmd git pkg-config make cc
SOCK=/run/ataua/ataua.sock
if [ -S "$SOCK" ] && "$ROOT/atactl" -s "$SOCK" PING >/dev/null 2>&1; then
	lab_skip "an ataua already answers on $SOCK (make run elsewhere?)"
fi
lab_init firstrun
# the box's name server: like any resolver, it knows no ".invalid" name
lab_host dns 44.0.0.53
lab_bg dns dnsd.log python3 "$LAB_LIB_DIR/dnsd.py" 44.0.0.53 \
	ns.lab=44.0.0.53 >/dev/null
lab_wait_port dns udp 53 5 || lab_die "no DNS server"
lab_host box 44.0.0.10
etc=/etc/netns/$(lab_ns box)
mkdir -p "$etc" && echo "nameserver 44.0.0.53" >"$etc/resolv.conf" ||
	lab_die "cannot write $etc"
trap 'rm -rf "$etc"; lab__on_exit' EXIT

tree=$LAB_DIR/tree
mark=$LAB_DIR/installed
mkdir -p "$tree"
# the tree as a fresh clone has it (tracked and new files, no build)
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
	(cd "$ROOT" && tar cf - --null --no-recursion -T - 2>/dev/null) |
	tar xf - -C "$tree"

cat >"$LAB_DIR/pkg-config" <<EOF
#!/bin/sh
# no package is installed until the installer ran
if [ ! -e "$mark" ]; then
	for a; do
		case \$a in -*) ;; *)
		echo "Package \$a was not found in the pkg-config search path." >&2
		;; esac
	done
	exit 1
fi
exec pkg-config "\$@"
EOF
cat >"$LAB_DIR/deps" <<EOF
#!/bin/sh
echo "deps (stand-in): installing for \$1"
touch "$mark"
EOF
chmod +x "$LAB_DIR/pkg-config" "$LAB_DIR/deps"
FAKE="PKG_CONFIG=$LAB_DIR/pkg-config DEPS=$LAB_DIR/deps"

# 1. without the packages: say which, and how to get them
# shellcheck disable=SC2086
make -C "$tree" $FAKE all >"$LAB_DIR/nopkg.log" 2>&1
rc=$?
if [ "$rc" != 0 ] && grep -q "Package libre was not found" "$LAB_DIR/nopkg.log" &&
	grep -q "make deps" "$LAB_DIR/nopkg.log" &&
	! grep -q "No such file" "$LAB_DIR/nopkg.log"; then
	t_ok "a build without the packages names them and 'make deps'"
else
	t_fail "a build without the packages names them and 'make deps'" \
		"rc=$rc" "$(tail -5 "$LAB_DIR/nopkg.log")"
fi

# 2. the first `make run`: deps, then the build, then the daemon
rm -rf "$tree/build"
# shellcheck disable=SC2086
lab_bg box run.log setsid make -C "$tree" $FAKE run >/dev/null
runpid=$LAB_LAST_PID
ctl() { "$tree/atactl" -s "$SOCK" "$@"; }
up() { [ -x "$tree/atactl" ] && ctl PING 2>/dev/null | grep -qx PONG; }
# a build of the whole tree on a loaded 2-core machine: a safety net
if lab_wait_for up 600; then
	t_ok "the first 'make run' builds and starts the daemon"
else
	t_fail "the first 'make run' builds and starts the daemon" \
		"$(tail -15 "$LAB_DIR/run.log")"
	exit 1
fi
t_check "make run ran the installer before the build" \
	grep -q "deps (stand-in): installing for run" "$LAB_DIR/run.log"
t_check "the shipped config: daemon running, line 1 idle" \
	bash -c "'$tree/atactl' -s '$SOCK' status | grep -qx 'state=running' &&
		'$tree/atactl' -s '$SOCK' status | grep -q '^line=1 state=idle'"

# the line is driven from atactl, with no server anywhere
ctl line 1 offhook >/dev/null
if lab_wait_for "ctl line 1 | grep -q '^line=1 state=dialtone .*tone=dial'" 10
then
	t_ok "line 1 off-hook gives dial tone"
else
	t_fail "line 1 off-hook gives dial tone" "$(ctl line 1)"
fi
t_check "until a number is dialled nothing is looked up or named" \
	bash -c "[ ! -s '$LAB_DIR/dnsd.log' ] &&
		! grep -Eiq 'example\.(net|com|org)' '$LAB_DIR/run.log'"

# a number dialled with no account: it cannot resolve, and says so soon
ctl line 1 digits 1002 >/dev/null
if lab_wait_for "ctl line 1 | grep -q 'tone=congestion'" 30 &&
	grep -q "call: .* to sip:1002@ataua.invalid failed: DNS: ataua.invalid: name not found" \
		"$LAB_DIR/run.log"; then
	t_ok "a number dialled with no account fails in words, congestion"
else
	t_fail "a number dialled with no account fails in words, congestion" \
		"$(ctl line 1)" "$(grep 'call: ' "$LAB_DIR/run.log")"
fi
ctl line 1 onhook >/dev/null
t_check "no registrar: reg says so, no failure" \
	bash -c "'$tree/atactl' -s '$SOCK' reg | grep -qx 'state=off' &&
		'$tree/atactl' -s '$SOCK' reg | grep -qx 'reason=no registrar'"

# the policy run one step after another (parallel: false) has no
# registrar to ask: it must not wait for one, nor log that it refused us
sed -i 's/^  parallel: true /  parallel: false/' "$tree/conf/ataua.yaml"
ctl reload >/dev/null
after_reload() {
	sed -n '/configuration reloaded/,$p' "$LAB_DIR/run.log"
}
if lab_wait_for "after_reload | grep -q 'nat: verdict'" 30; then
	t_check "sequential policy, no registrar: no register step" \
		lab_not bash -c "$(declare -f after_reload); LAB_DIR='$LAB_DIR';
			after_reload | grep -q 'nat: register'"
else
	t_fail "sequential policy, no registrar: a verdict after reload" \
		"$(tail -5 "$LAB_DIR/run.log")"
fi
t_check "nat says no registrar is configured" \
	bash -c "'$tree/atactl' -s '$SOCK' nat | grep -q 'no registrar configured'"

# Ctrl-C: the daemon stops and takes its socket with it
apid=$(ip netns pids "$(lab_ns box)" | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ataua ] && echo "$p"; done)
kill -INT "$apid" 2>/dev/null
if lab_wait_for "[ ! -S '$SOCK' ]" 10; then
	t_ok "Ctrl-C stops it and removes the socket"
else
	t_fail "Ctrl-C stops it and removes the socket"
fi
lab_stop "$runpid"
