#!/bin/bash
# The Debian package, on the real root of this machine: `make deb` builds
# it (lintian clean), it depends on the libraries ataua dlopen()s, `dpkg
# -i` installs it (system user, private config), the installed daemon
# checks and runs its installed config as that user, as the unit would
# run it, and the installed atactl talks to it on the default socket.
# Then remove keeps the (changed) config and the user, purge takes both
# and leaves no ataua file behind.
#
# It installs into / : it skips on a machine where ataua is installed or
# its user or /etc/ataua exist (purge would take them), and purges on
# every exit. The daemon runs in a lab namespace with its own /run (a
# private tmpfs), so nothing of it outlives the test.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd dpkg-buildpackage dh fakeroot lintian adduser setpriv \
	nsenter unshare readelf pkg-config
st=$(dpkg-query -W -f='${db:Status-Status}' ataua 2>/dev/null || true)
[ -z "$st" ] || [ "$st" = not-installed ] ||
	lab_skip "the ataua package is installed here ($st)"
getent passwd ataua >/dev/null && lab_skip "user ataua exists here"
getent group ataua >/dev/null && lab_skip "group ataua exists here"
[ -e /etc/ataua ] && lab_skip "/etc/ataua exists here"

# every ataua file the package could leave behind (compared at the end)
ata_files() {
	find /etc /lib/systemd /usr/lib /usr/bin /usr/sbin /usr/share/man \
		/usr/share/doc /usr/share/lintian /var/lib/dpkg/info \
		/var/lib/systemd -name '*ataua*' 2>/dev/null | sort
}
before=$(ata_files)

lab_init deb
DAEMON=""
POLICY_MADE=""

# dpkg waits for no lock: other helpers' apt-get may hold it a while
deb_dpkg() {
	local i
	for i in $(seq 1 100); do
		dpkg "$@" >"$LAB_DIR/dpkg.out" 2>&1 && return 0
		grep -q 'lock' "$LAB_DIR/dpkg.out" || break
		sleep 3
	done
	cat "$LAB_DIR/dpkg.out" >>"$LAB_DIR/dpkg.log"
	cat "$LAB_DIR/dpkg.out"
	return 1
}

# On every exit: stop the daemon (deluser refuses a user with running
# processes), purge, drop our policy-rc.d; then the lab's own teardown
deb_cleanup() {
	[ -z "$DAEMON" ] || lab_stop "$DAEMON"
	st=$(dpkg-query -W -f='${db:Status-Status}' ataua 2>/dev/null || true)
	if [ -n "$st" ] && [ "$st" != not-installed ]; then
		deb_dpkg --purge ataua >/dev/null || true
	fi
	[ -z "$POLICY_MADE" ] || rm -f /usr/sbin/policy-rc.d
}
trap 'rc=$?; deb_cleanup; (exit $rc); lab__on_exit' EXIT

# a machine with systemd running must not start the service on install
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	POLICY_MADE=1
fi

# ---- build ------------------------------------------------------------
# ATA_DEB=FILE tests a package built before (no make deb, no lintian)
debdir=$LAB_DIR/deb
if [ -n "${ATA_DEB:-}" ]; then
	deb=$ATA_DEB
	sonames=$ATA_ROOT/build/sonames
	t_skip "make deb builds, lintian finds no error or warning" \
		"ATA_DEB=$deb"
else
	t0=$(lab__now_ms)
	if make -s -C "$ATA_ROOT" deb DEB_DIR="$debdir" \
		>"$LAB_DIR/make-deb.log" 2>&1; then
		t_ok "make deb builds, lintian finds no error or warning"
	else
		t_fail "make deb builds, lintian finds no error or warning" \
			"$(tail -n 30 "$LAB_DIR/make-deb.log")"
		exit 1
	fi
	deb=$(ls "$debdir"/ataua_*.deb)
	sonames=$(ls "$debdir"/ataua-*/build/sonames)
	t_diag "make deb: $(( ($(lab__now_ms) - t0) / 1000 )) s," \
		"$(stat -c %s "$deb") bytes: $deb"
	grep '^lintian: ' "$LAB_DIR/make-deb.log" | sed 's/^/# /' || true
fi

# The dlopen()ed libraries: their packages are dependencies
depends=$(dpkg-deb -f "$deb" Depends)
. "$sonames"
for pair in "libsrtp2 $SRTP_SONAME" "yaml-0.1 $YAML_SONAME"; do
	set -- $pair
	lib=$(pkg-config --variable=libdir "$1")/$2
	pkg=$(dpkg -S "$lib" 2>/dev/null | sed -n '1s/:.*//p')
	if [ -n "$pkg" ] &&
		echo ", $depends," | grep -Eq ", $pkg( \([^)]*\))?,"; then
		t_ok "Depends names $pkg (dlopen $2)"
	else
		t_fail "Depends names ${pkg:-the package of $lib} (dlopen $2)" \
			"Depends: $depends"
	fi
done

# ---- install ------------------------------------------------------------
if deb_dpkg -i "$deb" >"$LAB_DIR/install.log"; then
	t_ok "dpkg -i installs it"
else
	t_fail "dpkg -i installs it" "$(cat "$LAB_DIR/install.log")"
	exit 1
fi
for f in /usr/sbin/ataua /usr/bin/atactl /usr/lib/ataua/audio-alsa.so \
	/usr/lib/ataua/upnp.so /usr/lib/ataua/stun.so /usr/lib/ataua/turn.so \
	/usr/lib/ataua/alg-hint.so /usr/share/man/man1/atactl.1.gz \
	/usr/share/man/man8/ataua.8.gz /usr/share/man/man5/ataua.yaml.5.gz \
	/lib/systemd/system/ataua.service \
	/usr/share/doc/ataua/examples/ataua-metrics.timer; do
	[ -s "$f" ] && t_ok "installed $f" || t_fail "installed $f"
done
conf=/etc/ataua/ataua.yaml
dpkg-query -W -f='${Conffiles}\n' ataua | grep -q "^ $conf " &&
	t_ok "$conf is a conffile" || t_fail "$conf is a conffile"
uid=$(id -u ataua 2>/dev/null)
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$(id -gn ataua)" = ataua ] &&
	t_ok "postinst made the system user ataua (uid $uid, group ataua)" ||
	t_fail "postinst made the system user ataua" "$(getent passwd ataua)"
[ "$(stat -c '%a %U %G' "$conf")" = "600 ataua ataua" ] &&
	t_ok "$conf: 0600 ataua:ataua (SIP passwords)" ||
	t_fail "$conf: 0600 ataua:ataua" "$(stat -c '%a %U %G' "$conf")"
t_check "the installed ataua -n accepts the installed config (root)" \
	/usr/sbin/ataua -n
t_check "user ataua reads and accepts it too" \
	setpriv --reuid=ataua --regid=ataua --init-groups /usr/sbin/ataua -n
/usr/sbin/ataua --version | grep -qx 'module_path default: /usr/lib/ataua' &&
	t_ok "the installed ataua looks for modules in /usr/lib/ataua" ||
	t_fail "the installed ataua looks for modules in /usr/lib/ataua" \
		"$(/usr/sbin/ataua --version)"

# ---- run it as the unit would, without systemd --------------------------
# (user ataua, the unit's capabilities, its memlock limit where the
# hard limit allows, /run/ataua), in a namespace of the lab, with a /run
# of its own
lab_host ata 44.0.0.10
DAEMON=$(lab_bg ata daemon.log unshare -m --propagation private sh -c '
	mount -t tmpfs -o mode=0755 tmpfs /run &&
	install -d -o ataua -g ataua -m 0755 /run/ataua &&
	{ ulimit -l unlimited 2>/dev/null || ulimit -l "$(ulimit -H -l)"; } &&
	exec setpriv --reuid=ataua --regid=ataua --init-groups \
		--inh-caps=+net_bind_service,+sys_nice \
		--ambient-caps=+net_bind_service,+sys_nice /usr/sbin/ataua')
inctl() {
	nsenter -t "$DAEMON" -m /usr/bin/atactl "$@"
}
if lab_wait_for "inctl ping | grep -qx PONG" 15; then
	t_ok "installed atactl: ping answers PONG on the default socket"
else
	t_fail "installed atactl: ping answers PONG on the default socket" \
		"$(tail -n 20 "$LAB_DIR/daemon.log")"
fi
status=$(inctl status 2>&1)
for want in state=running config=/etc/ataua/ataua.yaml modules=5 lines=1; do
	echo "$status" | grep -qx "$want" && t_ok "atactl status: $want" ||
		t_fail "atactl status: $want" "$status"
done
[ "$(stat -c %U "/proc/$DAEMON" 2>&1)" = ataua ] &&
	t_ok "the daemon runs as ataua" ||
	t_fail "the daemon runs as ataua" "$(stat -c %U "/proc/$DAEMON" 2>&1)"
lab_stop "$DAEMON"
DAEMON=""
grep -q 'notice: shutting down' "$LAB_DIR/daemon.log" &&
	t_ok "the daemon stops on SIGTERM" ||
	t_fail "the daemon stops on SIGTERM" "$(tail -n 5 "$LAB_DIR/daemon.log")"

# ---- the config survives reinstall and remove, not purge ---------------
echo "# changed by the admin" >>"$conf"
deb_dpkg -i "$deb" >"$LAB_DIR/reinstall.log" ||
	t_fail "dpkg -i again" "$(cat "$LAB_DIR/reinstall.log")"
grep -qx "# changed by the admin" "$conf" &&
	[ "$(stat -c '%a %U' "$conf")" = "600 ataua" ] &&
	t_ok "installing again keeps the admin's config (0600 ataua)" ||
	t_fail "installing again keeps the admin's config (0600 ataua)"

# an upgrade (this package as the next version) keeps it too
up=$LAB_DIR/up
dpkg-deb -R "$deb" "$up" &&
	sed -i 's/^Version: .*/&+1/' "$up/DEBIAN/control" &&
	dpkg-deb -b "$up" "$LAB_DIR/ataua-up.deb" >/dev/null &&
	deb_dpkg -i "$LAB_DIR/ataua-up.deb" >"$LAB_DIR/upgrade.log" ||
	t_fail "upgrade" "$(cat "$LAB_DIR/upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' ataua)" = \
	"$(dpkg-deb -f "$deb" Version)+1" ] &&
	grep -qx "# changed by the admin" "$conf" &&
	t_ok "an upgrade keeps the admin's config" ||
	t_fail "an upgrade keeps the admin's config" \
		"$(dpkg-query -W ataua)" "$(tail -n 3 "$conf")"

deb_dpkg -r ataua >"$LAB_DIR/remove.log" ||
	t_fail "dpkg -r" "$(cat "$LAB_DIR/remove.log")"
[ ! -e /usr/sbin/ataua ] && [ ! -e /usr/lib/ataua ] &&
	t_ok "remove takes the binaries and modules" ||
	t_fail "remove takes the binaries and modules"
grep -qx "# changed by the admin" "$conf" 2>/dev/null &&
	t_ok "remove keeps the config" || t_fail "remove keeps the config"
getent passwd ataua >/dev/null && t_ok "remove keeps the user" ||
	t_fail "remove keeps the user"

deb_dpkg --purge ataua >"$LAB_DIR/purge.log" ||
	t_fail "dpkg --purge" "$(cat "$LAB_DIR/purge.log")"
[ ! -e "$conf" ] && [ ! -e /etc/ataua ] &&
	t_ok "purge takes the config and /etc/ataua" ||
	t_fail "purge takes the config and /etc/ataua" "$(ls -la /etc/ataua)"
! getent passwd ataua >/dev/null && ! getent group ataua >/dev/null &&
	t_ok "purge takes the user and group ataua" ||
	t_fail "purge takes the user and group ataua" \
		"$(getent passwd ataua; getent group ataua)"
after=$(ata_files)
[ "$after" = "$before" ] && t_ok "no ataua file is left behind" ||
	t_fail "no ataua file is left behind" \
		"$(diff <(echo "$before") <(echo "$after"))"
