# shellcheck shell=bash
# tests/integration/lib/callhist.sh -- reading `atactl history` records
# (test_call_history.sh, test_call_rtt.sh).
#
# hf KEY RECORD: one field of a record line (key=value pairs, values
# with spaces quoted), the quotes removed. ge A B: decimal A >= B.

hf() {
	printf '%s\n' "$2" |
		sed -n "s/^\(.* \)\{0,1\}$1=\(\"[^\"]*\"\|[^ ]*\).*/\2/p" |
		head -n 1 | tr -d '"'
}

ge() {
	python3 -c 'import sys
sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
