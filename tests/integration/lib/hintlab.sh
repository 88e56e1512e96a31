# shellcheck shell=bash
# tests/integration/lib/hintlab.sh -- two ataua behind NAT calling each
# other through kamailio (public), for the alg-hint tests. Source lab.sh,
# kamailio.sh, coturn.sh, ataua.sh first. Phone 1 is user 1001, phone 2
# user 1003; hint_ctl N ARGS talks to phone N.

# hint_public: kamailio 44.0.0.1, coturn (STUN) 44.0.0.2/.3
hint_public() {
	lab_host kam 44.0.0.1/24
	lab_host stun 44.0.0.2/24
	kam_start kam 44.0.0.1 || lab_die "kamailio did not start"
	coturn_start stun 44.0.0.2 44.0.0.3 || lab_die "coturn did not start"
}

# hint_conf N ADDR HINTS(true|false): (re)write phone N's config;
# HINT_TIER=host:port adds alg_hint.tier_stun
hint_conf() {
	local n=$1 addr=$2 on=$3 user port rtp conf
	user=$((999 + 2 * n))
	port=$((5058 + 2 * n))
	rtp=$((19900 + 100 * n))-$((19949 + 100 * n))
	conf=$LAB_DIR/ataua$n.yaml
	ATA_LISTEN=$addr:$port ATA_AOR=sip:$user@44.0.0.1 \
	ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw$user ATA_RTP=$rtp \
	ATA_MODULES="  - name: stun
    required: true
  - name: alg-hint
    required: true" \
		ata_conf "$conf" "$LAB_DIR/ataua$n.sock"
	cat >>"$conf" <<-YAML
	traversal:
	  order: [register, stun]
	  parallel: true
	  stun:
	    server: "44.0.0.2:3478"
	    keepalive: 15s
	    timeout: 2s
	  rtp_keepalive: 5s
	alg_hint:
	  enabled: $on
	  check_timeout: 1s
	YAML
	[ -z "${HINT_TIER:-}" ] || echo "  tier_stun: $HINT_TIER" >>"$conf"
}

# hint_tier_stun NS ADDR: coturn as a STUN-only server on ADDR:3478 in
# NS, a second instance beside the public one (lib/coturn.sh runs one)
hint_tier_stun() {
	lab_bg "$1" coturn-tier.log turnserver -n --stun-only \
		--listening-ip="$2" --listening-port=3478 --no-tls --no-dtls \
		--no-cli --log-file=stdout --simple-log \
		--pidfile="$LAB_DIR/coturn-tier.pid" \
		--userdb="$LAB_DIR/coturn-tier.db" >/dev/null
	lab_wait_port "$1" udp 3478 10 || lab_die "tier STUN did not start"
}

# hint_start N NS ADDR HINTS: start phone N in NS
hint_start() {
	hint_conf "$1" "$3" "$4"
	ata_start "$2" "$LAB_DIR/ataua$1.yaml" "ataua$1.log" || exit 1
}

hint_ctl() {
	local n=$1
	shift
	"$ATA_CTL" -s "$LAB_DIR/ataua$n.sock" "$@"
}

hint_get() {
	local n=$1 key=$2
	shift 2
	hint_ctl "$n" "$@" | tr ' ' '\n' | sed -n "s/^$key=//p" | head -n 1
}

# hint_registered: both phones registered
hint_registered() {
	local n
	for n in 1 2; do
		lab_wait_for "hint_ctl $n reg | grep -qx 'state=registered'" 25 &&
			t_ok "phone $n registers" ||
			t_fail "phone $n registers" "$(hint_ctl $n reg)" \
				"$(hint_ctl $n nat)"
	done
}

# hint_call: phone 1 calls phone 2, phone 2 answers; both connected
hint_call() {
	hint_ctl 1 line 1 offhook >/dev/null
	hint_ctl 1 line 1 digits 1003 >/dev/null
	lab_wait_for "[ \"\$(hint_get 2 ring line 1)\" = yes ]" 15 ||
		t_diag "phone 2 did not ring: $(hint_ctl 2 line 1)"
	hint_ctl 2 line 1 offhook >/dev/null
	lab_wait_for "[ \"\$(hint_get 1 state line 1)\" = connected ]" 15 &&
		lab_wait_for "[ \"\$(hint_get 2 state line 1)\" = connected ]" 5 &&
		t_ok "$1: 1001 -> 1003 through kamailio: connected" ||
		t_fail "$1: 1001 -> 1003: connected" "$(hint_ctl 1 line 1)" \
			"$(hint_ctl 2 line 1)"
}

# hint_hangup: both on-hook, idle
hint_hangup() {
	hint_ctl 1 line 1 onhook >/dev/null
	hint_ctl 2 line 1 onhook >/dev/null
	lab_wait_for "[ \"\$(hint_get 1 state line 1)\" = idle ] &&
		[ \"\$(hint_get 2 state line 1)\" = idle ]" 10 || true
}

# hint_rx N: RTP packets phone N received in its current call
hint_rx() {
	hint_get "$1" rx_packets calls
}

# hint_home_firewall NS: what a home router's firewall does on its WAN
# (OpenWrt's wan zone: input REJECT): new packets to the router itself
# are dropped. Besides realism this matters for hole punching: a check
# that reaches a router before its phone's own check went out is then
# dropped without a conntrack entry; lab routers without it confirm one
# (an unanswered "local" flow), and that entry takes the very port the
# phone's own check needs, so masquerade moves it and both checks fail.
hint_home_firewall() {
	ip netns exec "$(lab_ns "$1")" nft -f - <<-EOF ||
		table inet homefw {
			chain input {
				type filter hook input priority 0;
				iifname "wan" ct state new drop
			}
		}
	EOF
		lab_die "nft firewall in $1"
}

# hint_router_counter NS LAN/PREFIX: count media (RTP port to RTP port)
# sent from the LAN that reaches the router itself (its public address:
# no hairpin) or is routed out of the LAN. Frames bridged between two
# LAN hosts are not counted (with br_netfilter loaded they do pass the
# forward hook, hence "daddr not in the LAN")
hint_router_counter() {
	ip netns exec "$(lab_ns "$1")" nft -f - <<-EOF ||
		table inet hintctr {
			chain in {
				type filter hook input priority 0;
				ip saddr $2 udp sport 20000-20249 udp dport 20000-20249 counter
			}
			chain forw {
				type filter hook forward priority 0;
				ip saddr $2 ip daddr != $2 udp sport 20000-20249 udp dport 20000-20249 counter
			}
		}
	EOF
		lab_die "nft counter in $1"
}

# hint_router_count NS: packets counted by hint_router_counter so far
hint_router_count() {
	local ns s=0 c
	ns=$(lab_ns "$1")
	for c in $(ip netns exec "$ns" nft list table inet hintctr |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'); do
		s=$((s + c))
	done
	echo "$s"
}
