#!/bin/sh
# Make the sysroot of a cross build: the Debian packages of the target
# architecture that building ataua and its unit tests needs, unpacked
# into DIR (dpkg -x), installing nothing on this machine.
#   sysroot.sh ARCH DIR
# apt runs with a state and cache of its own in DIR.apt (this
# machine's sources and keys, the target's architecture alone), so the
# machine's dpkg keeps its package set and foreign architectures: the
# -dev packages of the target need not be co-installable with the native
# ones (libsrtp2-dev is not Multi-Arch: same: its armhf package would
# remove the native one, libnss3-dev and pkg-config), and a native build
# never sees them. apt resolves the dependencies, libc6 included:
# qemu-user runs the tests with -L DIR and finds the loader and every
# library there, the dlopen()ed libsrtp2 and libyaml too.
# Exit 0 made (or already there), 77 when apt cannot fetch (no network,
# no such architecture in the sources), 1 on other errors.
set -eu

ARCH=${1:?usage: sysroot.sh ARCH DIR}
DIR=${2:?usage: sysroot.sh ARCH DIR}

# What the Makefile's PKGS and the unit tests (-lcmocka) need
PKGS="libc6-dev libre-dev libasound2-dev libsrtp2-dev libyaml-dev
libssl-dev libminiupnpc-dev libcmocka-dev"

stamp=$DIR/.complete
want=$(echo "$ARCH" $PKGS)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
	echo "sysroot: no apt-get/dpkg on this machine"; exit 77; }

mkdir -p "$DIR"
top=$(cd "$DIR" && pwd).apt
root=$(cd "$DIR" && pwd)
rm -rf "$top" "$root"
mkdir -p "$top/state/lists/partial" "$top/cache/archives/partial" "$root"
: >"$top/status"
cat >"$top/apt.conf" <<CONF
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
Dir::State "$top/state";
Dir::State::status "$top/status";
Dir::Cache "$top/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::Sandbox::User "root";
APT::Install-Recommends "false";
Debug::NoLocking "true";
CONF

log=$top/apt.log
export APT_CONFIG="$top/apt.conf"
# An index that fails (a mirror in sync: the security suite's at times)
# leaves the others: the install below says whether what it needs is there
apt-get -q update >"$log" 2>&1 ||
	echo "sysroot: apt-get update for $ARCH: $(grep -c '^E: ' "$log")" \
		"errors, going on with the indexes it got (see $log)"
# shellcheck disable=SC2086
if ! apt-get -q -y --download-only install $PKGS >>"$log" 2>&1; then
	tail -5 "$log"
	echo "sysroot: cannot fetch the $ARCH packages (see $log)"
	exit 77
fi

n=0
for deb in "$top"/cache/archives/*.deb; do
	dpkg -x "$deb" "$root"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "sysroot: no packages fetched"; exit 1; }

# Absolute links (/lib/x/libfoo.so.1) would leave the sysroot for the
# build machine's files: point them inside it, relative
find "$root" -type l | while read -r l; do
	t=$(readlink "$l")
	case "$t" in
	/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" \
		"$root$t")" "$l" ;;
	esac
done
rm -rf "$top/cache/archives"
echo "$want" >"$stamp"
echo "sysroot: $ARCH, $n packages in $DIR"
