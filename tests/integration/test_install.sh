#!/bin/bash
# `make install DESTDIR=... PREFIX=...` as a distribution package or an
# embedded build would call it: every file lands where it should, the
# installed config points at the installed modules and validates, and
# its mode keeps the passwords private. A second install keeps a changed
# config (the new one goes beside it as .dist); PREFIX=/opt/x moves the
# compiled-in module directory; both binaries say the same --version;
# the systemd unit is sandboxed and notifies readiness.
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
	usr/share/man/man5/ataua.yaml.5 lib/systemd/system/ataua.service \
	usr/lib/sysusers.d/ataua.conf usr/lib/tmpfiles.d/ataua.conf; do
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

# The unit: its own user, the two capabilities, readiness, no wait for
# the network
unit=$dest/lib/systemd/system/ataua.service
for want in Type=notify User=ataua Group=ataua SupplementaryGroups=audio \
	RuntimeDirectory=ataua \
	"AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_SYS_NICE" \
	"CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SYS_NICE"; do
	grep -qx "$want" "$unit" && t_ok "unit: $want" ||
		t_fail "unit: $want"
done
grep -Eq '^(After|Wants|Requires)=.*network-online' "$unit" &&
	t_fail "unit does not wait for network-online.target" ||
	t_ok "unit does not wait for network-online.target"
grep -q '^u ataua ' "$dest/usr/lib/sysusers.d/ataua.conf" &&
	t_ok "sysusers.d creates the ataua user" ||
	t_fail "sysusers.d creates the ataua user"
if command -v systemd-analyze >/dev/null &&
	systemd-analyze security --help 2>&1 | grep -q -- --offline; then
	score=$(cd "$dest" && systemd-analyze security --offline=yes \
		"$unit" 2>&1 | sed -n 's/.*exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }' &&
		t_ok "systemd-analyze security: $score (<= 3.0)" ||
		t_fail "systemd-analyze security: ${score:-?} (<= 3.0)"
else
	t_ok "systemd-analyze security # SKIP no offline mode"
fi

# --version: one version for both binaries
v1=$("$dest/usr/sbin/ataua" --version | head -n 1)
v2=$("$dest/usr/bin/atactl" --version)
[ "${v1#ataua }" = "${v2#atactl }" ] && [ -n "${v1#ataua }" ] &&
	t_ok "ataua and atactl --version agree (${v1#ataua })" ||
	t_fail "ataua and atactl --version agree" "$v1" "$v2"

# A second install keeps the admin's config
echo "# changed by the admin" >>"$conf"
make -s -C "$ATA_ROOT" install DESTDIR="$dest" PREFIX=/usr \
	>"$LAB_DIR/install2.log" 2>&1 ||
	t_fail "second make install" "$(tail -n 20 "$LAB_DIR/install2.log")"
grep -qx "# changed by the admin" "$conf" &&
	t_ok "a second install keeps the existing config" ||
	t_fail "a second install keeps the existing config"
[ -s "$conf.dist" ] && ! grep -q "changed by the admin" "$conf.dist" &&
	grep -qx 'module_path: /usr/lib/ataua' "$conf.dist" &&
	[ "$(stat -c %a "$conf.dist")" = 600 ] &&
	t_ok "the new config lands beside it as ataua.yaml.dist (0600)" ||
	t_fail "the new config lands beside it as ataua.yaml.dist (0600)"

# PREFIX moves the compiled-in module directory
dest2=$LAB_DIR/opt
make -s -C "$ATA_ROOT" install DESTDIR="$dest2" PREFIX=/opt/x \
	>"$LAB_DIR/install3.log" 2>&1 ||
	t_fail "make install PREFIX=/opt/x" "$(tail -n 20 "$LAB_DIR/install3.log")"
[ -s "$dest2/opt/x/lib/ataua/stun.so" ] &&
	t_ok "PREFIX=/opt/x: modules in /opt/x/lib/ataua" ||
	t_fail "PREFIX=/opt/x: modules in /opt/x/lib/ataua"
"$dest2/opt/x/sbin/ataua" --version |
	grep -qx "module_path default: /opt/x/lib/ataua" &&
	t_ok "PREFIX=/opt/x: compiled-in module_path follows" ||
	t_fail "PREFIX=/opt/x: compiled-in module_path follows" \
		"$("$dest2/opt/x/sbin/ataua" --version)"
# leave the tree built as it was (the default PREFIX)
make -s -C "$ATA_ROOT" all >/dev/null 2>&1
