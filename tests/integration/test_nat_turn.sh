#!/bin/bash
# modules/turn against a real coturn: ataua behind a symmetric NAT gets a
# relay on coturn; a UDP peer on the public side exchanges packets with
# ataua through it (the `turn alloc|peer|send` test verbs: a socket of the
# turn module's own that echoes what arrives); with UDP dropped at the
# router the allocation runs over TCP (and the UDP one, unanswered,
# retries ever more rarely; `auto` goes on over TCP by itself); a coturn
# restart makes the allocation fail (ENOTCONN, TURN-LOST) and the module
# allocates anew.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/coturn.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd turnserver python3 nft
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init natturn

# coturn grants at least 600 s and refreshes are due at 3/4 of it: cap
# the lifetime so the restart test waits 45 s, not 450 (coturn.sh has no
# knob for extra settings yet)
eval "$(declare -f coturn__gen | sed '1s/coturn__gen/coturn__gen_base/')"
coturn__gen() {
	coturn__gen_base
	echo "max-allocate-lifetime=60" >>"$COTURN_DIR/turnserver.conf"
}

PEER=44.0.0.30
PEER_PORT=40000

lab_host stun 44.0.0.2/24
lab_host peer $PEER/24
coturn_start stun 44.0.0.2 || lab_die "coturn did not start"
lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 symmetric
lab_host ata 192.168.1.10/24 lan1

conf=$LAB_DIR/ataua.yaml
ATA_MODULES="  - name: turn
    required: true" ATA_LISTEN=192.168.1.10:5060 \
	ata_conf "$conf" "$LAB_DIR/ataua.sock"
cat >>"$conf" <<YAML
traversal:
  order: [turn]
  turn:
    server: "44.0.0.2:3478"
    transport: udp
    username: "$COTURN_USER"
    password: "$COTURN_PASS"
    timeout: 3s
YAML
ata_start ata "$conf" ataua.log || exit 1
"$ATA_CTL" -s "$ATA_SOCK" monitor >"$LAB_DIR/events.log" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"

# The peer: answers every datagram with COUNT numbered ones to its source,
# prints what it received (a line per datagram) to its log
peer_start() {
	lab_bg peer "peer.$1.log" python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(30)
echo = 0
while True:
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        break
    print("rx %s:%d %s" % (src[0], src[1], data.decode(errors="replace")))
    if data.startswith(b"hello"):
        for i in range(int(sys.argv[3])):
            s.sendto(b"ping %d" % i, src)
' $PEER $PEER_PORT 20 >/dev/null
	lab_wait_port peer udp $PEER_PORT 5
}

turn_val() {
	ata_ctl turn status | sed -n "s/^$1=//p" | head -n 1
}

relay_path() {	# WHAT: hello to the peer, 20 pings back, echoed to it
	local what=$1 relayed log n
	PEER_PORT=$((PEER_PORT + 1))   # the last peer may still listen
	relayed=$(turn_val relayed)
	case $relayed in
	44.0.0.2:*) t_ok "$what: relayed address is on coturn ($relayed)" ;;
	*) t_fail "$what: relayed address is on coturn" \
		"$(ata_ctl turn status)"; return ;;
	esac
	peer_start "$what"
	ata_ctl turn send $PEER:$PEER_PORT "hello from $what" >/dev/null
	log=$LAB_DIR/peer.$what.log
	lab_wait_for "grep -c '^rx .* ping' '$log' | grep -qx 20" 10
	grep -q "^rx $relayed hello from $what" "$log" &&
		t_ok "$what: peer receives our packet from the relay" ||
		t_fail "$what: peer receives from $relayed" "$(cat "$log")"
	n=$(grep -c "^rx $relayed ping" "$log")
	[ "$n" = 20 ] &&
		t_ok "$what: 20 packets peer -> relay -> ataua -> relay -> peer" ||
		t_fail "$what: echo through the relay" "got $n" \
			"$(ata_ctl turn status)"
	lab_wait_for "[ \"\$(turn_val channels)\" = 1 ]" 5 &&
		t_ok "$what: permission and channel for the peer" ||
		t_fail "$what: channel" "$(ata_ctl turn status)"
	n=$(turn_val rx_packets)
	[ "${n:-0}" -ge 20 ] && t_ok "$what: ataua counts rx=$n" ||
		t_fail "$what: ataua rx counter" "$(ata_ctl turn status)"
}

# --- UDP allocation through the symmetric NAT -----------------------------
out=$(ata_ctl turn alloc udp 2>&1) && t_ok "turn alloc udp" ||
	t_fail "turn alloc udp" "$out"
lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 10 ||
	t_fail "udp: allocated" "$(ata_ctl turn status)"
m=$(turn_val mapped)
case $m in
44.0.0.60:*) t_ok "udp: coturn sees us at the NAT's address ($m)" ;;
*) t_fail "udp: mapped address is the NAT's" "$m" ;;
esac
relay_path udp

# --- coturn restart: refresh fails, the module re-allocates ---------------
ata_ctl turn alloc udp >/dev/null
lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 10
old=$(turn_val relayed)
lt=$(turn_val lifetime)
coturn_stop
coturn_start stun 44.0.0.2 || lab_die "coturn did not restart"
# the refresh is due at 3/4 of the lifetime coturn granted
lab_wait_for "grep -q 'turn: allocation on 44.0.0.2:3478 failed' \
	'$LAB_DIR/ataua.log'" $((lt + 10)) &&
	t_ok "restart: the failed refresh is noticed (lifetime $lt s)" ||
	t_fail "restart: failed refresh noticed" "$(ata_ctl turn status)"
grep -q 'TURN-LOST err=ENOTCONN' "$LAB_DIR/events.log" &&
	t_ok "restart: reported as ENOTCONN (event TURN-LOST err=ENOTCONN)" ||
	t_fail "restart: ENOTCONN reported" "$(cat "$LAB_DIR/events.log")"
lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 15 &&
	t_ok "restart: allocated again ($(turn_val relayed), was $old)" ||
	t_fail "restart: re-allocated" "$(ata_ctl turn status)"
relay_path restart

# --- UDP blocked at the router: TCP allocation ----------------------------
if [ "$LAB_NFT_OK" = 1 ]; then
	ip netns exec "$(lab_ns r1)" nft -f - <<-NFT
		table ip block {
			chain blockudp {
				type filter hook forward priority 0;
				iifname "lan" meta l4proto udp drop
			}
		}
	NFT
else
	ip netns exec "$(lab_ns r1)" iptables-legacy -A FORWARD -i lan \
		-p udp -j DROP
fi || lab_die "cannot block UDP in r1"
out=$(ata_ctl turn alloc udp 2>&1)
lab_wait_for "ata_ctl turn status | grep -q '^last_error=Connection timed'" \
	10 && t_ok "udp blocked: UDP allocation times out" ||
	t_fail "udp blocked: UDP allocation times out" \
		"$(ata_ctl turn status)"
# the server stays unreachable: retries back off (2, 4, 8, 16, 32 s after
# each 3 s timeout: 4 more in a minute; a fixed 2 s made 12)
log=$LAB_DIR/ataua.log
fails() { grep -c 'turn: allocating via 44.0.0.2:3478 failed' "$log"; }
n0=$(fails)
sleep 60
n=$(( $(fails) - n0 ))
[ "$n" -le 5 ] && t_ok "udp blocked: $n retries in 60 s (backoff)" ||
	t_fail "udp blocked: retries back off" "$n failed attempts in 60 s"
out=$(ata_ctl turn alloc tcp 2>&1) && t_ok "turn alloc tcp" ||
	t_fail "turn alloc tcp" "$out"
lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 10 &&
	t_ok "tcp: allocated with UDP blocked" ||
	t_fail "tcp: allocated" "$(ata_ctl turn status)"
relay_path tcp
# transport auto (the default): UDP first, unanswered, then TCP at once
out=$(ata_ctl turn alloc auto 2>&1) && t_ok "turn alloc auto" ||
	t_fail "turn alloc auto" "$out"
lab_wait_for "ata_ctl turn status | grep -qx 'state=allocated'" 15 &&
	ata_ctl turn status | grep -qx 'transport=tcp' &&
	t_ok "auto: allocated over TCP with UDP blocked" ||
	t_fail "auto: allocated over TCP with UDP blocked" \
		"$(ata_ctl turn status)"
grep -q 'turn: no answer from 44.0.0.2:3478 over udp (udp blocked?): allocating over tcp' \
	"$log" && t_ok "auto: the log says why it went over TCP" ||
	t_fail "auto: the log says why it went over TCP" "$(grep 'turn:' "$log")"
ata_ctl turn status | grep -q '^last_error=' &&
	t_fail "auto: the fallback is no failure" "$(ata_ctl turn status)" ||
	t_ok "auto: the fallback is no failure"
relay_path auto
ata_ctl turn release >/dev/null
n=$(turn_val relays)
[ "$n" = 0 ] && t_ok "release: no relay left" ||
	t_fail "release: no relay left" "$(ata_ctl turn status)"
