#!/bin/sh
# tests/bench/autoanswer.sh SOCK ATACTL  take lines off-hook when they ring
#
# ataua is an ATA: an incoming call rings the line and waits for the
# phone. This stands in for the phone, outside ataua's process (its cost
# is not in ataua's CPU figures): RING-START line=N -> `line N offhook`,
# and when the call it answered closes -> `line N onhook`, so the line
# does not play a busy tone while the bench stops. Other calls' CLOSED
# (a 486 to a line still off-hook, a waiting call the caller gave up) do
# not hang up the one in progress. One atactl reads the events, one
# sends the verbs (atactl reads requests from stdin without a verb), so
# 64 lines are answered in a fraction of a second. Ends when ataua
# closes the connections.
sock=$1
ctl=$2
"$ctl" -s "$sock" monitor | while read -r ev rest; do
	line=${rest#line=}
	line=${line%% *}
	case $line in
	''|*[!0-9]*) continue ;;
	esac
	case $ev in
	*RING-START)
		# the call announced last on this line is the one ringing
		eval "answered_$line=\${incoming_$line:-}"
		echo "line $line offhook" ;;
	*CALL-STATE)
		id=${rest#*id=}
		id=${id%% *}
		case $rest in
		*state=incoming*)
			eval "incoming_$line=\$id" ;;
		*state=closed*)
			eval "mine=\${answered_$line:-}"
			if [ "$id" = "$mine" ]; then
				eval "answered_$line="
				echo "line $line onhook"
			fi ;;
		esac ;;
	esac
done | "$ctl" -s "$sock" > /dev/null
