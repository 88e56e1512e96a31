#!/bin/bash
# tests/bench/nat_reg.sh  Time from start to registered, per NAT topology
#
# usage: tests/bench/nat_reg.sh [-n REPEAT] [-o FILE] [TOPOLOGY...]
#   TOPOLOGY: none cone igd symmetric tiers udpblocked reject (default all)
#   -n  runs per topology and policy (default 3; the median is reported)
#   -o  results file (default build/bench/nat_reg.txt)
#
# Each topology is the lab of its tests/integration/test_nat_*.sh (real
# kamailio, coturn, miniupnpd, namespaces; needs root). In it ataua is
# started REPEAT times with each policy:
#   parallel   - this design: every step at once (upnp, register, stun;
#                turn on need), the upnp module loaded with a 5 s limit
#   sequential - the original design: upnp first with a 5 s limit, then
#                register, stun, turn, one after the other
# and the times come from the daemon's own log (its clock, not ours):
#   first  - first line of the run to the first "registered via"
#   final  - to the last "registered via" once the verdict settled (the
#            Contact that stays; later than first when the public
#            address changed, e.g. STUN first, then the TURN relay)
# Target: final within 1 s everywhere, 2 s when relayed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/bench
INT=$ROOT/tests/integration
REPEAT=3
OUT=$ROOT/build/bench/nat_reg.txt
ALL="none cone igd symmetric tiers udpblocked reject"

# ---------------------------------------------------------- one lab ---
# nat_reg.sh --one TOPOLOGY REPEAT RAWFILE: build the lab, run, append
# "topology policy run first_ms final_ms verdict" lines to RAWFILE
if [ "${1:-}" = --one ]; then
	TOPO=$2 REPEAT=$3 RAW=$4
	. "$INT/lib/lab.sh"
	. "$INT/lib/kamailio.sh"
	. "$INT/lib/baresip.sh"
	. "$INT/lib/coturn.sh"
	. "$INT/lib/ataua.sh"
	. "$INT/lib/natlab.sh"
	. "$INT/lib/miniupnpd.sh"
	lab_require_root
	lab_init "nrb$TOPO"
	addr=192.168.1.10
	case $TOPO in
	reject) KAM_REJECT_PRIVATE=1 natlab_public ;;
	udpblocked) KAM_NATFIX=1 natlab_public ;;
	*) natlab_public ;;
	esac
	case $TOPO in
	none)
		addr=44.0.0.10
		lab_host ata 44.0.0.10/24 ;;
	cone|igd|reject|udpblocked)
		lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
		lab_host ata 192.168.1.10/24 lan1 ;;
	symmetric)
		lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 symmetric
		lab_host ata 192.168.1.10/24 lan1 ;;
	tiers)
		lab_router r1 44.0.0.60/24 cgn 100.64.0.1/24 cone
		natlab_router_in r2 cgn 100.64.0.2/24 home 192.168.1.1/24
		lab_host ata 192.168.1.10/24 home ;;
	*) lab_die "unknown topology $TOPO" ;;
	esac
	case $TOPO in
	igd) upnpd_start r1 || lab_die "miniupnpd did not start" ;;
	symmetric) NATLAB_TURN=udp ;;
	udpblocked)
		natlab_block_udp r1
		NATLAB_TURN=tcp
		NATLAB_TRANSPORTS="[udp, tcp]"
		NATLAB_SIP_TRANSPORT=tcp ;;
	esac
	NATLAB_UPNP=5s
	for pol in parallel sequential; do
		NATLAB_PARALLEL=true
		[ $pol = parallel ] || NATLAB_PARALLEL=false
		for i in $(seq 1 "$REPEAT"); do
			NATLAB_LOG=reg.$pol.$i.log
			# a fresh 5-tuple each run: coturn still holds the
			# previous run's allocation for the old one (437)
			off=0
			[ $pol = parallel ] || off=10
			NATLAB_SIP_PORT=$((5060 + off + i))
			natlab_ataua ata $addr
			lab_wait_for "ata_ctl reg | grep -qx 'state=registered'" 30 &&
				lab_wait_for "! ata_ctl nat | grep -q '^verdict=pending'" 30 ||
				t_diag "$TOPO $pol $i: not registered"
			sleep 3     # let a re-registration (new Contact) finish
			v=$(natlab_verdict | tr ' ' '_')
			natlab_stop_ataua
			python3 - "$LAB_DIR/$NATLAB_LOG" "$TOPO $pol $i" "$v" \
				>>"$RAW" <<-'PY'
			import sys, datetime
			def t(line):
			    s = line.split(" ", 1)[0].rstrip("Z")
			    return datetime.datetime.fromisoformat(s).timestamp()
			lines = [l for l in open(sys.argv[1]) if l[:2] == "20"]
			t0 = t(lines[0])
			regs = [t(l) for l in lines if " registered via " in l]
			ms = lambda x: "%d" % round((x - t0) * 1000)
			print(sys.argv[2], ms(regs[0]) if regs else "-",
			      ms(regs[-1]) if regs else "-", sys.argv[3])
			PY
			mkdir -p "$RAW.logs"
			cp "$LAB_DIR/$NATLAB_LOG" "$RAW.logs/$TOPO.$pol.$i.log"
			t_ok "$TOPO $pol run $i: $(tail -n 1 "$RAW")"
		done
	done
	exit 0
fi

while getopts "n:o:h" opt; do
	case $opt in
	n) REPEAT=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,9p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
TOPOS=${*:-$ALL}
[ "$(id -u)" = 0 ] || { echo "nat_reg: needs root (namespaces)"; exit 77; }
[ -x "$ROOT/ataua" ] || { echo "nat_reg: build ataua first"; exit 1; }
mkdir -p "$(dirname "$OUT")"
RAW=$OUT.raw
: >"$RAW"
rm -rf "$RAW.logs"
for topo in $TOPOS; do
	timeout 600 bash "$0" --one "$topo" "$REPEAT" "$RAW" \
		>"$OUT.$topo.log" 2>&1 ||
		echo "nat_reg: $topo failed (see $OUT.$topo.log)" >&2
done
python3 - "$RAW" >"$OUT" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    topo, pol, run, first, final, verdict = line.split()[:6]
    r = rows.setdefault((topo, pol), {"first": [], "final": [], "v": set()})
    if final != "-":
        r["first"].append(int(first)); r["final"].append(int(final))
    r["v"].add(verdict)
print("time from start to registered, ms (median of runs; daemon log)")
print("%-11s %-10s %7s %7s %5s  %s" % ("topology", "policy", "first",
      "final", "runs", "verdict"))
for (topo, pol), r in rows.items():
    med = lambda v: "%d" % statistics.median(v) if v else "-"
    print("%-11s %-10s %7s %7s %5d  %s" % (topo, pol, med(r["first"]),
          med(r["final"]), len(r["final"]), ",".join(sorted(r["v"]))))
PY
cat "$OUT"
