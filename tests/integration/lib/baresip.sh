# shellcheck shell=bash
# tests/integration/lib/baresip.sh -- baresip 1.0 (Debian baresip-core)
# as a SIP peer in the lab (source lab.sh first).
#
# One baresip per namespace; functions take that NS. Its files are in
# $LAB_DIR/bs-NAME (config, accounts, the sndfile WAV dumps of each
# call); its output goes to $LAB_DIR/baresip-NAME.log. It is driven over
# ctrl_tcp (netstring JSON on 127.0.0.1:4444 inside its namespace) with
# the menu module's commands. Audio: a 440 Hz sine out, G.711 only, RTP
# on UDP 10000-10099, counted by an nft counter (bs_rtp_count).

BS_CTRL_PORT=4444
BS_RTP_PORTS=10000-10099

bs__dir() {
	echo "$LAB_DIR/bs-$(lab_ns "$1" | sed "s/^$LAB_P//")"
}

# bs_start NS ADDR USER PASS REGISTRAR [ACCOUNT_PARAMS]: start baresip
# in NS, SIP on ADDR:5060, registering USER@REGISTRAR (every 600 s).
# ACCOUNT_PARAMS (e.g. ";answermode=manual;regint=60") override the
# defaults (auto-answer). Returns once its control port listens.
bs_start() {
	local ns name dir extra=${6:-}
	[ $# -ge 5 ] || { echo "usage: bs_start NS ADDR USER PASS REG" >&2; return 2; }
	ns=$(lab_ns "$1")
	name=${ns#"$LAB_P"}
	dir=$(bs__dir "$ns")
	mkdir -p "$dir"
	sed -e "s|@ADDR@|$2|g" -e "s|@DIR@|$dir|g" \
		-e "s|@CTRL_PORT@|$BS_CTRL_PORT|g" \
		"$LAB_CONF_DIR/baresip-config.in" >"$dir/config"
	sed -e "s|@USER@|$3|g" -e "s|@PASS@|$4|g" -e "s|@REGISTRAR@|$5|g" \
		-e "s|@REGINT@|600|g" -e "s|@EXTRA@|$extra|g" \
		"$LAB_CONF_DIR/baresip-accounts.in" >"$dir/accounts"
	[ -e "$dir/counter" ] || {
		lab_udp_counter "$ns" "$BS_RTP_PORTS"
		: >"$dir/counter"
	}
	lab_bg "$ns" "baresip-$name.log" env HOME="$dir" \
		baresip -f "$dir" >"$dir/pid"
	if ! lab_wait_port "$ns" tcp "$BS_CTRL_PORT" 15; then
		echo "bs_start: baresip in $name did not come up" >&2
		return 1
	fi
}

# bs_stop NS: SIGTERM (baresip un-registers), SIGKILL after 5 s
bs_stop() {
	local dir
	dir=$(bs__dir "$1")
	[ -s "$dir/pid" ] || return 0
	lab_stop "$(cat "$dir/pid")" 5
	: >"$dir/pid"
}

# The ctrl_tcp client, run inside the namespace: send one command, skip
# event netstrings, print the response JSON. $1 port, $2 JSON.
# shellcheck disable=SC2016
BS__CTL='
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 2
printf "%d:%s," "${#2}" "$2" >&3
while :; do
	len=""
	while IFS= read -r -N 1 -t 5 c <&3; do
		[ "$c" = ":" ] && break
		len=$len$c
	done
	case $len in ""|*[!0-9]*) exit 3 ;; esac
	IFS= read -r -N "$len" -t 5 msg <&3 || exit 3
	IFS= read -r -N 1 -t 5 c <&3 || exit 3
	case $msg in
	*"\"response\":true"*) printf "%s\n" "$msg"; exit 0 ;;
	esac
done'

# bs_cmd NS COMMAND [PARAMS]: run a baresip (menu) command, e.g. dial,
# hangup, accept, listcalls, reginfo; prints its text output. Fails if
# baresip does not answer or answers not ok.
bs_cmd() {
	local ns cmd=$2 params=${3:-} json out data
	ns=$(lab_ns "$1")
	params=${params//\\/\\\\}
	params=${params//\"/\\\"}
	json="{\"command\":\"$cmd\",\"params\":\"$params\",\"token\":\"lab\"}"
	out=$(LC_ALL=C ip netns exec "$ns" bash -c "$BS__CTL" bs_ctl \
		"$BS_CTRL_PORT" "$json") || {
		echo "bs_cmd: no answer from baresip in $ns" >&2
		return 1
	}
	data=$(printf '%s\n' "$out" |
		sed -n 's/.*"data":"\(.*\)","token".*/\1/p' | sed 's|\\/|/|g')
	printf '%b\n' "$data" | sed 's/\x1b\[[0-9;]*m//g'
	case $out in
	*'"ok":true'*) return 0 ;;
	*) return 1 ;;
	esac
}

# bs_dial NS URI: place a call (e.g. sip:1002@44.0.0.1)
bs_dial() {
	bs_cmd "$1" dial "$2" >/dev/null
}

# bs_answer NS: accept the incoming call (with ;answermode=manual)
bs_answer() {
	bs_cmd "$1" accept >/dev/null
}

# bs_hangup NS: hang up the current call
bs_hangup() {
	bs_cmd "$1" hangup >/dev/null
}

# bs_call_state NS: state of the current call (ESTABLISHED, RINGING,
# INCOMING, OUTGOING, EARLY, ...) or "none"
bs_call_state() {
	local st
	st=$(bs_cmd "$1" listcalls |
		sed -n 's/.*\[line [0-9]*\] *[0-9:]* *\([A-Z]*\).*/\1/p' |
		head -n 1) || return 1
	echo "${st:-none}"
}

# bs_wait_call_state NS STATE TIMEOUT_S
bs_wait_call_state() {
	lab_wait_for "[ \"\$(bs_call_state $1)\" = $2 ]" "$3"
}

bs_wait_call_established() {
	bs_wait_call_state "$1" ESTABLISHED "$2"
}

# bs_reg_state NS: OK when registered, ERR after a failed registration,
# something else (e.g. zzz) while it is still trying
bs_reg_state() {
	bs_cmd "$1" reginfo | awk '/^> sip:/ {print $3; exit}'
}

# bs_wait_reg NS TIMEOUT_S: wait until registered (reginfo says OK)
bs_wait_reg() {
	lab_wait_for "[ \"\$(bs_reg_state $1)\" = OK ]" "$2"
}

# bs_rtp_count NS: "IN OUT" RTP packets to/from its RTP ports so far
bs_rtp_count() {
	lab_udp_count "$1"
}

# bs_rtp_stats NS: "TX RX" packets of the last finished call, from the
# rtp_stats summary baresip prints at the end of each call
bs_rtp_stats() {
	local name
	name=$(lab_ns "$1")
	name=${name#"$LAB_P"}
	awk '/^packets:/ {tx = $2; rx = $3} END {print tx + 0, rx + 0}' \
		"$LAB_DIR/baresip-$name.log"
}
