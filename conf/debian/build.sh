#!/bin/sh
# `make deb`: the Debian package, built from a copy of this tree.
#   build.sh OUTDIR VERSION
# The repository keeps no debian/ at its top: this copies the sources
# (git's files, tracked and new; else all but the build outputs) to
# OUTDIR/ataua-DEBVERSION, puts conf/debian/ there as debian/ with a
# changelog for VERSION, runs dpkg-buildpackage -b -us -uc in it and
# lintian on the result. The package lands in OUTDIR:
# OUTDIR/ataua_DEBVERSION_ARCH.deb (README "Debian package").
set -eu

out=$1
version=$2
src=$(pwd)

# Debian's upstream version: digits first, no '-' in a native package.
# git describe's 0.1.0-12-gabc1234-dirty becomes 0.1.0+12+gabc1234+dirty
# (later tags sort higher; commits between tags sort by their count).
debver=$(printf '%s' "$version" | sed -e 's/^v//' -e 's/[^A-Za-z0-9.+~]/+/g')
case "$debver" in
[0-9]*) ;;
*) echo "deb: version '$version' does not start with a digit" >&2; exit 1 ;;
esac

for c in dpkg-buildpackage dh; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "deb: $c missing: apt-get install dpkg-dev debhelper" \
			"fakeroot (or make test-deps)" >&2
		exit 1
	}
done

tree=$out/ataua-$debver
rm -rf "$out"
mkdir -p "$tree"

if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$src" ]; then
	# a deleted file still listed by git is left out
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
		tar -xf - -C "$tree"
else
	tar --exclude=./build --exclude=./build-asan --exclude=./build-fuzz \
		--exclude=./ataua --exclude=./atactl --exclude='*.o' \
		--exclude='*.so' --exclude="./${out#./}" -cf - . |
		tar -xf - -C "$tree"
fi
rm -rf "$tree/build" "$tree/debian"
cp -R conf/debian "$tree/debian"
rm -f "$tree/debian/build.sh"
echo "$version" >"$tree/debian/ataua-version"
maint=$(sed -n 's/^Maintainer: //p' conf/debian/control)
cat >"$tree/debian/changelog" <<CL
ataua ($debver) unstable; urgency=medium

  * Built by make deb from ataua $version.

 -- $maint  $(date -R)
CL

echo "deb: building ataua $debver in $tree (log: $out/build.log)"
(cd "$tree" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
deb=$(ls "$out"/ataua_"$debver"_*.deb)
changes=$(ls "$out"/ataua_"$debver"_*.changes)

# lintian: any error or warning fails the build (the overrides and why:
# debian/ataua.lintian-overrides, README); info tags are shown
if command -v lintian >/dev/null 2>&1; then
	lintian --display-info --fail-on error,warning \
		"$changes" >"$out/lintian.log" 2>&1 || {
		cat "$out/lintian.log" >&2
		echo "deb: lintian found errors or warnings" >&2
		exit 1
	}
	sed 's/^/lintian: /' "$out/lintian.log"
else
	echo "deb: lintian not installed, not checked" >&2
fi
echo "deb: $deb"
