#!/bin/sh
# tests/bench/autoanswer.sh SOCK ATACTL  take lines off-hook when they ring
#
# ataua is an ATA: an incoming call rings the line and waits for the
# phone. This stands in for the phone, outside ataua's process (its cost
# is not in ataua's CPU figures): RING-START line=N -> `line N offhook`,
# and when a call closes -> `line N onhook`, so the line does not play a
# busy tone while the bench stops. Ends when the monitor connection
# ends (ataua exits).
sock=$1
ctl=$2
"$ctl" -s "$sock" monitor | while read -r ev rest; do
	line=$(printf '%s\n' "$rest" | sed -n 's/^line=\([0-9]*\).*/\1/p')
	[ -n "$line" ] || continue
	case $ev in
	*RING-START)
		"$ctl" -s "$sock" line "$line" offhook >/dev/null ;;
	*CALL-STATE)
		case $rest in
		*state=closed*)
			"$ctl" -s "$sock" line "$line" onhook >/dev/null ;;
		esac ;;
	esac
done
