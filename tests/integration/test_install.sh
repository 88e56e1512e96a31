#!/bin/bash
# `make install DESTDIR=... PREFIX=...` as a distribution package or an
# embedded build would call it: every file lands where it should, the
# installed config points at the installed modules and validates, and
# its mode keeps the passwords private.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

ata_host_init install
dest=$LAB_DIR/root
make -s -C "$ATA_ROOT" install DESTDIR="$dest" PREFIX=/usr \
	>"$LAB_DIR/install.log" 2>&1 ||
	{ t_fail "make install" "$(tail -n 20 "$LAB_DIR/install.log")"; exit 1; }
t_ok "make install DESTDIR PREFIX"

for f in usr/sbin/ataua usr/bin/atactl usr/lib/ataua/stun.so \
	usr/lib/ataua/upnp.so usr/lib/ataua/turn.so usr/lib/ataua/alg-hint.so \
	usr/lib/ataua/audio-alsa.so etc/ataua/ataua.yaml \
	usr/share/man/man8/ataua.8 usr/share/man/man1/atactl.1 \
	usr/share/man/man5/ataua.yaml.5 lib/systemd/system/ataua.service; do
	[ -s "$dest/$f" ] && t_ok "installed $f" || t_fail "installed $f"
done

conf=$dest/etc/ataua/ataua.yaml
grep -qx 'module_path: /usr/lib/ataua' "$conf" &&
	t_ok "installed config uses PREFIX/lib/ataua" ||
	t_fail "installed config uses PREFIX/lib/ataua" "$(grep module_path "$conf")"
[ "$(stat -c %a "$conf")" = 600 ] && t_ok "installed config is mode 0600" ||
	t_fail "installed config is mode 0600" "$(stat -c %a "$conf")"
t_check "the installed daemon accepts the installed config" \
	"$dest/usr/sbin/ataua" -n -c "$conf"
grep -q "ExecStart=/usr/sbin/ataua -c /etc/ataua/ataua.yaml" \
	"$dest/lib/systemd/system/ataua.service" &&
	t_ok "systemd unit names the installed paths" ||
	t_fail "systemd unit names the installed paths"
