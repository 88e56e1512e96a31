#!/bin/bash
# Who may use the control socket, tried as unprivileged users (setpriv):
# control.allow_uids alone lets its uid in; control.group alone lets its
# members in, supplementary members too; anyone else is refused with a
# message that says why. Then the systemd layout the README recommends
# for a web UI: the daemon as its own user in a RuntimeDirectory, the web
# UI's user in the daemon's group.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] ||
	lab_die "build ataua and atactl first"
[ "$(id -u)" = 0 ] || lab_skip "needs root (setpriv to other users)"
lab_require_cmd setpriv
grp=nogroup
gid=$(getent group "$grp" | cut -d: -f3)
[ -n "$gid" ] || lab_skip "no group $grp"
ata_host_init ctrlaccess

# Numeric ids nobody uses: setpriv needs no passwd entry
U_ALLOWED=40001 U_STRANGER=40002 U_MEMBER=40003 U_DAEMON=40004

chmod 0711 "$LAB_DIR"
pub=$LAB_DIR/pub
mkdir -m 0755 "$pub"

# ask UID [GID]: PING as UID (with supplementary group GID), output and
# exit status in $out and $rc
ask() {
	local g=--clear-groups

	[ -n "${2:-}" ] && g=--groups="$2"
	out=$(setpriv --reuid="$1" --regid="$1" "$g" \
		"$ATA_CTL" -s "$sock" PING 2>&1)
	rc=$?
}

# conf_with CONTROL-LINES: a config whose control: block has these
# extra lines, the socket in a directory the daemon creates
conf_with() {
	conf=$LAB_DIR/ataua-$1.yaml
	sock=$pub/$1/ataua.sock
	ata_conf "$conf" "$sock"
	sed -i "s|^  socket: .*|&\n$2|" "$conf"
}

# 1. allow_uids alone
conf_with uids "  allow_uids: [$U_ALLOWED]"
ata_start - "$conf" "$LAB_DIR/ataua-uids.log" || exit 1
ask "$U_ALLOWED"
[ "$rc" = 0 ] && [ "$out" = PONG ] &&
	t_ok "allow_uids alone lets that uid in" ||
	t_fail "allow_uids alone lets that uid in" "rc=$rc $out" \
		"$(ls -la "$pub/uids")"
ask "$U_STRANGER"
[ "$rc" = 1 ] && printf '%s' "$out" |
	grep -q "FAIL permission denied: uid $U_STRANGER is not in control.allow_uids" &&
	t_ok "allow_uids: a stranger is refused and told why" ||
	t_fail "allow_uids: a stranger is refused and told why" "rc=$rc $out"
grep -q "SECURITY event=ctrl-denied uid=$U_STRANGER" \
	"$LAB_DIR/ataua-uids.log" &&
	t_ok "the refusal is logged for fail2ban" ||
	t_fail "the refusal is logged for fail2ban"
# the socket is 0666 here: a loop of knocks must not flood the log
refused=0
for _ in $(seq 40); do
	ask "$U_STRANGER"
	[ "$rc" = 1 ] && refused=$((refused + 1))
done
ask "$U_ALLOWED"
denials=$(grep -c "SECURITY event=ctrl-denied" "$LAB_DIR/ataua-uids.log")
[ "$refused" = 40 ] && [ "$denials" -le 3 ] && [ "$out" = PONG ] &&
	t_ok "40 knocks: each refused, $denials log line(s), the allowed uid still in" ||
	t_fail "40 knocks: each refused, at most 3 log lines" \
		"refused=$refused log lines=$denials allowed: $out"
kill "$ATA_PID"; wait "$ATA_PID" 2>/dev/null

# 2. group alone
conf_with group "  group: $grp"
ata_start - "$conf" "$LAB_DIR/ataua-group.log" || exit 1
ask "$U_MEMBER" "$gid"
[ "$rc" = 0 ] && [ "$out" = PONG ] &&
	t_ok "group alone lets a (supplementary) member in" ||
	t_fail "group alone lets a (supplementary) member in" "rc=$rc $out"
ask "$U_STRANGER"
[ "$rc" = 2 ] && printf '%s' "$out" |
	grep -q "Permission denied (root, the socket's group and control.allow_uids may)" &&
	t_ok "group: a non-member is refused and told why" ||
	t_fail "group: a non-member is refused and told why" "rc=$rc $out"
ask "$U_ALLOWED"
[ "$rc" != 0 ] && t_ok "group: an unlisted uid is refused" ||
	t_fail "group: an unlisted uid is refused" "rc=$rc $out"
kill "$ATA_PID"; wait "$ATA_PID" 2>/dev/null

# 3. The web UI recipe: the daemon as its own user (User=, Group=) in a
# RuntimeDirectory= it owns, no control settings; the web UI's user in
# the daemon's group
rundir=$pub/run-ataua
install -d -m 0755 -o "$U_DAEMON" -g "$U_DAEMON" "$rundir"
conf=$LAB_DIR/ataua-unit.yaml
sock=$rundir/ataua.sock
ata_conf "$conf" "$sock"
chown "$U_DAEMON" "$conf"
setpriv --reuid="$U_DAEMON" --regid="$U_DAEMON" --clear-groups \
	"$ATA_BIN" -c "$conf" </dev/null >>"$LAB_DIR/ataua-unit.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
ATA_PID=$!
echo "$ATA_PID" >>"$LAB_DIR/pids"
lab_wait_for "'$ATA_CTL' -s '$sock' PING" 10
ask "$U_MEMBER" "$U_DAEMON"
[ "$rc" = 0 ] && [ "$out" = PONG ] &&
	t_ok "web UI user in the daemon's group gets in" ||
	t_fail "web UI user in the daemon's group gets in" "rc=$rc $out" \
		"$(tail -n 5 "$LAB_DIR/ataua-unit.log")"
ask "$U_STRANGER"
[ "$rc" = 2 ] && t_ok "others do not" || t_fail "others do not" "rc=$rc $out"
kill "$ATA_PID"; wait "$ATA_PID" 2>/dev/null
