#!/bin/bash
# `atactl -a SCRIPT` (issue #15): the script runs once per event, in the
# order the daemon sent them (a `monitor` beside it is the reference),
# with $1 the event's name and the fields in ATAUA_* variables (none of
# the caller's own ATAUA_*); a field with quotes, `$(...)`, backquotes,
# a backslash and a newline (a config path: the daemon writes the
# newline as `?`) arrives as bytes and runs nothing; a run past -T is
# killed with its process group, said on stderr, and the next event
# runs; events beyond the queue are dropped, counted and told to the
# next run; the daemon's restart is survived (connect again); SIGTERM
# ends atactl with 0; no daemon at the start is exit 2, a script that
# is not executable exit 1.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua and atactl first"
lab_require_cmd python3
ata_host_init atactl_action

script=$ATA_ROOT/tests/integration/lib/actrec.sh
# the config where its path is the quoted field of CONFIG-RELOADED
odd="we\"ird \$(touch $LAB_DIR/pwned) \`touch $LAB_DIR/pwned2\` a\\b"$'\n'"c"
mkdir -p "$LAB_DIR/$odd"
conf=$LAB_DIR/$odd/ataua.yaml
sock=$LAB_DIR/ctl/ataua.sock
ata_conf "$conf" "$sock"
ata_start - "$conf" "$LAB_DIR/ataua.log" || exit 1

act=$LAB_DIR/act
mkdir -p "$act"
ACT_DIR=$act ATAUA_STALE=from-outside "$ATA_CTL" -s "$sock" -T 20 \
	-a "$script" >"$LAB_DIR/act.out" 2>"$LAB_DIR/act.err" \
	{LAB__TAP}>&- {LAB__ERR}>&- &
apid=$!
echo "$apid" >>"$LAB_DIR/pids"
"$ATA_CTL" -s "$sock" monitor >"$LAB_DIR/mon.out" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo "$!" >>"$LAB_DIR/pids"

nruns() { [ -f "$act/runs" ] && wc -l <"$act/runs" || echo 0; }
nmon() { wc -l <"$LAB_DIR/mon.out"; }
# the ATAUA_RAW of the last run
lastraw() {
	tr '\0' '\n' <"$act/$(tail -n 1 "$act/runs")" | sed -n 's/^ATAUA_RAW=//p'
}

# both attached (each attaches in its own time): reloads until one
# reaches both
for _ in $(seq 20); do
	ata_ctl reload >/dev/null
	lab_wait_for '[ "$(nmon)" -ge 1 ] && [ "$(nruns)" -ge 1 ]' 3 && break
done
[ "$(nmon)" -ge 1 ] && [ "$(nruns)" -ge 1 ] ||
	lab_die "no event reached monitor and atactl -a" \
		"$(cat "$LAB_DIR/act.err")"
# the reloads' events all in: what each saw first is the base
sleep 1
lab_wait_for '[ "$(nruns)" -ge 1 ] && [ "$(nmon)" -ge 1 ] &&
	[ "$(tail -n 1 "$LAB_DIR/mon.out")" = "$(lastraw)" ]' 30
m0=$(nmon) r0=$(nruns)

for _ in 1 2 3 4; do
	ata_ctl reload >/dev/null
done
lab_wait_for "[ \"\$(grep -c NAT-STATE '$LAB_DIR/mon.out')\" -ge 5 ]" 30
lab_wait_for '[ "$(nruns)" -ge $((r0 + $(nmon) - m0)) ]' 60

# check.py FIRST_RUN FIRST_MON: the runs from FIRST_RUN against the
# monitor's lines from FIRST_MON (0-based)
cat >"$LAB_DIR/check.py" <<'PY'
import os, sys
def record(name):
    path = os.path.join(os.path.dirname(sys.argv[1]), name)
    items = open(path, "rb").read().decode().split("\0")
    env = dict(i.split("=", 1) for i in items if i)
    return {"argv": env.pop("ARGV").split(" "), "env": env}
runs = [record(n) for n in open(sys.argv[1]).read().split()]
runs = runs[int(sys.argv[3]):]
mon = open(sys.argv[2]).read().splitlines()[int(sys.argv[4]):]
what, sock, conf = sys.argv[5], sys.argv[6], sys.argv[7]
raws = [r["env"].get("ATAUA_RAW") for r in runs]
if what == "order":
    if raws != mon:
        sys.exit("runs %r\nmonitor %r" % (raws, mon))
    if sum(1 for m in mon if "CONFIG-RELOADED" in m) != 4:
        sys.exit("not 4 reloads: %r" % mon)
elif what == "env":
    for r in runs:
        e = r["env"]
        name = e["ATAUA_RAW"][3:].split(" ")[0]
        if r["argv"] != [name] or e["ATAUA_EVENT"] != name:
            sys.exit("name: %r" % r)
        if e["ATAUA_LEVEL"] != e["ATAUA_RAW"][1]:
            sys.exit("level: %r" % r)
        if e["ATAUA_CTRL"] != sock or e["ATAUA_DROPPED"] != "0":
            sys.exit("ctrl/dropped: %r" % r)
        if "ATAUA_STALE" in e:
            sys.exit("the caller's ATAUA_STALE reached the script")
        if name == "NAT-STATE" and ("ATAUA_VERDICT" not in e or
                                    '"' in e.get("ATAUA_REASON", '"')):
            sys.exit("NAT-STATE fields: %r" % r)
elif what == "quoted":
    want = conf.replace("\n", "?")
    files = [r["env"].get("ATAUA_FILE") for r in runs
             if r["env"]["ATAUA_EVENT"] == "CONFIG-RELOADED"]
    if not files or any(f != want for f in files):
        sys.exit("ATAUA_FILE %r, want %r" % (files, want))
PY
check() {
	python3 "$LAB_DIR/check.py" "$act/runs" "$LAB_DIR/mon.out" \
		"$r0" "$m0" "$1" "$sock" "$conf"
}
t_check "each event ran the script once, in the order the daemon sent" \
	check order
t_check "argv is the event's name; ATAUA_EVENT, LEVEL, CTRL, DROPPED and the fields set; the caller's ATAUA_* gone" \
	check env
t_check "a field with quotes, \$(...), backquotes, \\ and a newline arrives as its bytes (newline as ?)" \
	check quoted
t_check "nothing in the quoted field ran" \
	test ! -e "$LAB_DIR/pwned" -a ! -e "$LAB_DIR/pwned2"

# -T 20: the first reload's run outlives it; the second reload's runs
: >"$act/slow"
r1=$(nruns)
ata_ctl reload >/dev/null
lab_wait_for "[ -s '$act/slowpid' ]" 30
ata_ctl reload >/dev/null
lab_wait_for "grep -q 'still running after 20000 ms' '$LAB_DIR/act.err'" 60
t_check "a run past the time limit is stopped and said on stderr" \
	grep -q "actrec.sh CONFIG-RELOADED: still running after 20000 ms" \
	"$LAB_DIR/act.err"
# runs_since N EVENT: a run after the first N was for EVENT
runs_since() {
	local n
	for n in $(tail -n +$(($1 + 1)) "$act/runs"); do
		grep -qz "^ARGV=$2\$" "$act/$n" && return 0
	done
	return 1
}
lab_wait_for "runs_since $r1 CONFIG-RELOADED" 60
t_check "the event after the killed run still runs" \
	runs_since "$r1" CONFIG-RELOADED
spid=$(cat "$act/slowpid")
lab_wait_for "! kill -0 $spid" 5
t_check "the killed run's process group went with it" \
	bash -c "! kill -0 $spid 2>/dev/null && [ ! -e '$act/bad' ]"

# the daemon restarts: atactl -a connects again and goes on
kill "$ATA_PID"
lab_wait_for "! kill -0 $ATA_PID" 10
lab_wait_for "grep -q 'connecting again' '$LAB_DIR/act.err'" 10
ata_start - "$conf" "$LAB_DIR/ataua.log" || exit 1
lab_wait_for "grep -q 'connected again' '$LAB_DIR/act.err'" 10
r2=$(nruns)
ata_ctl reload >/dev/null
lab_wait_for "runs_since $r2 CONFIG-RELOADED" 60
t_check "after the daemon's restart the script runs for new events" \
	runs_since "$r2" CONFIG-RELOADED
t_check "the daemon's TERMINATING ran the script too" \
	runs_since 0 TERMINATING

# SIGTERM: exit 0
kill -TERM "$apid"
lab_wait_for "! kill -0 $apid" 10
wait "$apid"
t_check "SIGTERM ends atactl -a with 0" test "$?" = 0

# a queue of 64: 80 events while a run waits; the rest are dropped
gate=$LAB_DIR/gate
mkdir -p "$gate"
: >"$gate/gate"
ACT_DIR=$gate "$ATA_CTL" -s "$sock" -T 60 -a "$script" \
	>"$LAB_DIR/gate.out" 2>"$LAB_DIR/gate.err" \
	{LAB__TAP}>&- {LAB__ERR}>&- &
gpid=$!
echo "$gpid" >>"$LAB_DIR/pids"
sleep 0.5
for _ in $(seq 40); do
	ata_ctl reload >/dev/null
done
lab_wait_for "grep -q 'dropping events' '$LAB_DIR/gate.err'" 10
rm -f "$gate/gate"
lab_wait_for "[ \"\$(wc -l <'$gate/runs' 2>/dev/null)\" -ge 2 ]" 60
t_check "events beyond the queue of 64 are dropped and said on stderr" \
	grep -q "64 events wait for .*actrec.sh: dropping events" \
	"$LAB_DIR/gate.err"
t_check "the run after the drops is told how many (ATAUA_DROPPED)" \
	python3 -c '
import os, sys
d = []
for n in open(sys.argv[1]).read().split()[:2]:
    b = open(os.path.join(os.path.dirname(sys.argv[1]), n), "rb").read()
    d += [int(i[14:]) for i in b.split(b"\0")
          if i.startswith(b"ATAUA_DROPPED=")]
sys.exit(0 if d[0] == 0 and d[1] > 0 else "dropped %r" % d)' "$gate/runs"
kill -TERM "$gpid"
wait "$gpid" 2>/dev/null

# the start
"$ATA_CTL" -s "$LAB_DIR/none.sock" -a "$script" 2>"$LAB_DIR/none.err"
t_check "no daemon at the start: exit 2" test "$?" = 2
"$ATA_CTL" -s "$sock" -a "$LAB_DIR/ataua.log" 2>"$LAB_DIR/noexec.err"
t_check "a script that cannot be run: exit 1" test "$?" = 1
"$ATA_CTL" -s "$sock" -a "$script" status 2>/dev/null
t_check "-a with a verb is refused (exit 2)" test "$?" = 2
