#!/bin/bash
# A SIP scanner (Debian's sipvicious: svmap, svwar, svcrack) against
# ataua registered at kamailio, from a stranger's address in the lab
# (44.0.0.66; traffic stays inside the lab's namespaces).
#   - control, accept_from: any: svmap finds ataua and an INVITE scan
#     rings the line (the scanner does reach a careless phone)
#   - accept_from: proxy: svmap finds no device, svwar (REGISTER,
#     OPTIONS, INVITE; --force) enumerates no user, svcrack gets no
#     answer, the line never rings (monitor events), every request is
#     counted as rejected and a SECURITY record names the scanner; the
#     registration stays up and the control socket answers
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/kamailio.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
lab_require_cmd kamailio svmap svwar svcrack
[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua first"
lab_init scanner

lab_host kam 44.0.0.1/24
lab_host ata 44.0.0.10/24
lab_host scan 44.0.0.66/24
kam_start kam 44.0.0.1 || lab_die "kamailio did not start"

# scan NAME TOOL ARGS...: run a sipvicious tool in the scanner's
# namespace (its session files go to the work dir); output in NAME.out
scan() {
	local name=$1
	shift
	(cd "$LAB_DIR" && HOME=$LAB_DIR timeout -k 5 120 \
		ip netns exec "$(lab_ns scan)" "$@") \
		</dev/null >"$LAB_DIR/$name.out" 2>&1
	return 0
}

# start ACCEPT: ataua registered as 1001, with a monitor on its events
start() {
	local conf=$LAB_DIR/$1.yaml
	ATA_ACCEPT=$1 ATA_LISTEN=44.0.0.10:5060 ATA_AOR=sip:1001@44.0.0.1 \
	ATA_REGISTRAR=sip:44.0.0.1 ATA_PASSWORD=pw1001 \
		ata_conf "$conf" "$LAB_DIR/$1.sock"
	ata_start ata "$conf" "ataua-$1.log" || lab_die "ataua did not start"
	lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 20 ||
		lab_die "ataua did not register" "$(ata_ctl reg)"
	lab_bg ata "events-$1" "$ATA_CTL" -s "$ATA_SOCK" monitor >/dev/null
}

# ---- control: accept_from any
start any
scan map-any svmap 44.0.0.10
t_check "control (any): svmap finds ataua" \
	grep -q '44.0.0.10:5060.*ataua' "$LAB_DIR/map-any.out"
scan war-any svwar --force -m INVITE -e1000-1003 44.0.0.10
if [ "$(ata_get ring line 1)" = yes ] ||
	grep -q 'state=ringing' "$LAB_DIR/events-any"; then
	t_ok "control (any): an INVITE scan rings the line"
else
	t_fail "control (any): an INVITE scan rings the line" \
		"$(ata_ctl line 1)" "$(tail -n 5 "$LAB_DIR/war-any.out")"
fi
lab_stop "$ATA_PID"

# ---- accept_from: proxy (the default)
start proxy
rss0=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$ATA_PID/status")
scan map svmap 44.0.0.10
scan map-range svmap 44.0.0.0/28
scan war-reg svwar --force -e1000-1010 44.0.0.10
scan war-opt svwar --force -m OPTIONS -e1000-1010 44.0.0.10
scan war-inv svwar --force -m INVITE -e1000-1010 44.0.0.10
scan war-def svwar --force -D -m INVITE 44.0.0.10
scan crack svcrack -u1001 -r1000-1020 44.0.0.10

t_check "svmap does find kamailio in the same range sweep" \
	grep -q '44\.0\.0\.1:5060.*kamailio' "$LAB_DIR/map-range.out"
found=""
for f in map map-range; do
	grep -q '44\.0\.0\.10' "$LAB_DIR/$f.out" && found="$found $f"
done
[ -z "$found" ] && t_ok "svmap finds no SIP device at 44.0.0.10" ||
	t_fail "svmap finds no SIP device at 44.0.0.10" \
		"$(cat "$LAB_DIR/map.out")"
found=""
for f in war-reg war-opt war-inv war-def; do
	grep -q 'found nothing' "$LAB_DIR/$f.out" &&
		! grep -Eq '^\| *[0-9]+ *\|' "$LAB_DIR/$f.out" ||
		found="$found $f"
done
[ -z "$found" ] && t_ok "svwar enumerates no user (REGISTER, OPTIONS, INVITE)" ||
	t_fail "svwar enumerates no user" "in:$found" \
		"$(tail -n 12 "$LAB_DIR/war-inv.out")"
grep -q 'found nothing\|no server response' "$LAB_DIR/crack.out" &&
	! grep -q 'Password' "$LAB_DIR/crack.out" &&
	t_ok "svcrack gets no answer" ||
	t_fail "svcrack gets no answer" "$(tail -n 5 "$LAB_DIR/crack.out")"

lab_not grep -q 'state=ringing' "$LAB_DIR/events-proxy" &&
	[ "$(ata_get ring line 1)" = no ] &&
	t_ok "the line never rang" ||
	t_fail "the line never rang" "$(grep ringing "$LAB_DIR/events-proxy")"
rejected=$(ata_get rejected status)
# the tools give up after the first unanswered requests: at least one
# of each of the 7 scans reached ataua (none went unnoticed)
[ "${rejected:-0}" -ge 7 ] &&
	t_ok "scanner requests are counted as rejected ($rejected)" ||
	t_fail "scanner requests counted as rejected (>= 7)" \
		"rejected=${rejected:-?}"
nsec=$(grep -c 'SECURITY event=rejected src=44\.0\.0\.66:' \
	"$LAB_DIR/ataua-proxy.log")
# one record per source per minute, however many requests
[ "$nsec" -ge 1 ] && [ "$nsec" -le 5 ] &&
	t_ok "SECURITY records name the scanner, rate-limited ($nsec lines)" ||
	t_fail "SECURITY records name the scanner, rate-limited" \
		"$nsec lines"
t_check "the control socket answers PING" [ "$(ata_ctl PING)" = PONG ]
t_check "the registration is untouched" \
	bash -c "'$ATA_CTL' -s '$ATA_SOCK' reg | grep -qx 'state=registered'"
rss1=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$ATA_PID/status")
[ -n "$rss0" ] && [ -n "$rss1" ] && [ "$rss1" -lt $((rss0 + 4096)) ] &&
	t_ok "memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
	t_fail "memory bounded (VmRSS ${rss0:-?} -> ${rss1:-?} kB)"
t_check "no crash report in the log" \
	lab_not grep -Eqi 'segfault|sanitizer|assert' \
	"$LAB_DIR/ataua-proxy.log"
