#!/bin/sh
# The stripped sizes of ataua, atactl and each module, one column per
# architecture, as the README's table (a Markdown table on stdout):
# the native build (./ataua ..., if built) and each build-cross/ARCH
# (make cross ARCH=...). Strips copies; the builds keep their symbols.
#   sh tests/cross/sizes.sh [ARCH...]    (default: armhf mipsel)
set -eu

cd "$(dirname "$0")/../.." || exit 1
ARCHES=${*:-armhf mipsel}
MODULES=$(sed -n 's/^MODULES *:= *//p' Makefile)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

triplet() {
	case $1 in
	armhf)  echo arm-linux-gnueabihf ;;
	mipsel) echo mipsel-linux-gnu ;;
	*)      echo "sizes: unknown architecture $1" >&2; exit 2 ;;
	esac
}

# size STRIP FILE: bytes of FILE stripped, or - when it is not built
size() {
	[ -f "$2" ] || { echo -; return; }
	cp "$2" "$tmp/f"
	"$1" --strip-all "$tmp/f"
	wc -c <"$tmp/f" | tr -d ' '
}

cols="" heads=""
if [ -f ataua ]; then
	cols="native:strip:." heads="$(dpkg --print-architecture 2>/dev/null ||
		uname -m)"
fi
for a in $ARCHES; do
	[ -f "build-cross/$a/ataua" ] || {
		echo "sizes: build-cross/$a not built (make cross ARCH=$a)" >&2
		exit 1; }
	cols="$cols $a:$(triplet "$a")-strip:build-cross/$a"
	heads="$heads $a"
done

line() { printf '| %s |' "$1"; shift; printf ' %s |' "$@"; echo; }

# shellcheck disable=SC2086
line file $heads
# shellcheck disable=SC2086
line --- $(for h in $heads; do printf -- '---: '; done)
for f in ataua atactl $(for m in $MODULES; do
		echo "modules/$m/$m.so"; done); do
	row=""
	for c in $cols; do
		strip=$(echo "$c" | cut -d: -f2)
		dir=$(echo "$c" | cut -d: -f3)
		row="$row $(size "$strip" "$dir/$f")"
	done
	# shellcheck disable=SC2086
	line "$f" $row
done
