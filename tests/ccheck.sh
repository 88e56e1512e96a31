#!/bin/sh
# `make ccheck`: the mechanical style rules of our C (STYLE.md §15):
# lines <= 79 columns (tabs count 8), no `//` comments, no trailing
# white space, files open with an @file comment, .c files <= 1000 lines.
cd "$(dirname "$0")/.." || exit 1
rc=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others \
	--exclude-standard '*.c' '*.h' 2>/dev/null)
for f in $files; do
	[ -f "$f" ] || continue
	expand -t 8 "$f" | awk -v f="$f" '
	length($0) > 79 { printf "%s:%d: longer than 79 columns\n", f, NR; bad = 1 }
	/[ \t]+$/ { printf "%s:%d: trailing white space\n", f, NR; bad = 1 }
	/^[^"]*[^:"]\/\/|^\/\// { printf "%s:%d: // comment\n", f, NR; bad = 1 }
	NR <= 3 && /@file/ { hasfile = 1 }
	END {
		if (!hasfile) { printf "%s:1: no @file comment\n", f; bad = 1 }
		if (NR > 1000 && f ~ /\.c$/) { printf "%s: %d lines (> 1000)\n", f, NR; bad = 1 }
		exit bad
	}' || rc=1
done
if [ "$rc" = 0 ]; then echo "ok 1 - ccheck"; else echo "not ok 1 - ccheck"; fi
exit "$rc"
