#!/bin/bash
# FORMAT json (issue #15): `atactl -j` replies and events parse with
# python's json module and carry the fields of the text reply; every verb
# of `help` answers one JSON value; a FAIL is {"ok":false,...}; events
# come as objects to a JSON monitor while a text monitor beside it still
# reads text; and text mode, the default, stays byte for byte what it
# was, also on a connection that went to JSON and back.
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

[ -x "$ATA_BIN" ] && [ -x "$ATA_CTL" ] || lab_die "build ataua and atactl first"
lab_require_cmd python3
ata_host_init ctrljson

conf=$LAB_DIR/ataua.yaml
sock=$LAB_DIR/ctl/ataua.sock
# every module with verbs, so that help lists theirs too
ATA_MODULES="  - name: stun
    required: false
  - name: upnp
    required: false
  - name: turn
    required: false
  - name: alg-hint
    required: false" ata_conf "$conf" "$sock"
ata_start - "$conf" "$LAB_DIR/ataua.log" || exit 1

# json_ok EXPR: stdin is one reply; it must be one line of JSON, and the
# python expression EXPR on it (as v) true
json_ok() {
	python3 -c '
import json, sys
raw = sys.stdin.read()
lines = raw.splitlines()
if len(lines) != 1:
    sys.exit("not one line: %r" % raw)
v = json.loads(lines[0])
if not eval("(" + sys.argv[1] + ")"):
    sys.exit("false: %s\non: %s" % (sys.argv[1], raw))
' "$1"
}

# jcheck DESC EXPR VERB...: atactl -j VERB exits 0, and json_ok EXPR
jcheck() {
	local desc=$1 expr=$2 out rc
	shift 2
	out=$("$ATA_CTL" -j -s "$sock" "$@" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | json_ok "$expr" \
		>"$LAB_DIR/jerr" 2>&1; then
		t_ok "$desc"
	else
		t_fail "$desc" "atactl -j $* (exit $rc)" "$out" \
			"$(cat "$LAB_DIR/jerr" 2>/dev/null)"
	fi
}

strings='all(isinstance(x, str) for x in v.values() if
	not isinstance(x, list))'
jcheck "-j status: an object, its lines as records, values strings" \
	"v['state'] == 'running' and v['lines'] == '1' and
	 v['records'][0]['line'] == '1' and
	 v['records'][0]['state'] == 'idle' and $strings" status
jcheck "-j calls: an empty array without a call" "v == []" calls
t_check "-j calls prints exactly []" \
	bash -c "[ \"\$('$ATA_CTL' -j -s '$sock' calls)\" = '[]' ]"
jcheck "-j module list: an array of modules" \
	"isinstance(v, list) and len(v) == 4 and v[0]['name'] == 'stun'
	 and v[0]['kind'] == 'traversal' and v[0]['state'] == 'loaded'" \
	module list
jcheck "-j nat: own pairs, the modules as records" \
	"isinstance(v['verdict'], str) and
	 [r['module'] for r in v['records'] if 'module' in r] ==
	 ['stun', 'upnp', 'turn']" nat
jcheck "-j reg: one record per line" \
	"v[0]['line'] == '1' and v[0]['state'] == 'off'" reg
jcheck "-j history: an empty array" "v == []" history
jcheck "-j help: free text as text" \
	"v['text'].startswith('help [VERB]') and 'FORMAT json|text' in
	 v['text']" help
jcheck "-j metrics: Prometheus text as text" \
	"'# TYPE ataua_uptime_seconds gauge' in v['text']" metrics
jcheck "-j ping: ok and pong" "v == {'ok': True, 'pong': True}" ping

# FAIL: exit 1, the reason in "error"
out=$("$ATA_CTL" -j -s "$sock" call hangup 99 2>"$LAB_DIR/err")
rc=$?
if [ "$rc" = 1 ] && [ ! -s "$LAB_DIR/err" ] && printf '%s\n' "$out" |
	json_ok "v == {'ok': False, 'error': 'no call 99'}"; then
	t_ok "-j FAIL: {\"ok\":false,\"error\":...} on stdout, exit 1"
else
	t_fail "-j FAIL: {\"ok\":false,\"error\":...} on stdout, exit 1" \
		"rc=$rc" "$out" "$(cat "$LAB_DIR/err")"
fi
out=$("$ATA_CTL" -j -s "$sock" frobnicate 2>&1)
printf '%s\n' "$out" |
	json_ok "v['ok'] is False and
		 v['error'] == 'unknown command: frobnicate'" &&
	t_ok "-j an unknown verb is a FAIL object" ||
	t_fail "-j an unknown verb is a FAIL object" "$out"

# Every verb of help answers one JSON value (a usage FAIL counts)
"$ATA_CTL" -s "$sock" help >"$LAB_DIR/help"
python3 -c '
import re, sys
for row in open(sys.argv[1]):
    words = re.split(r"\s{2,}", row.strip())[0].split()
    name = words[:1]
    for w in words[1:]:
        if not re.fullmatch(r"[a-z][a-z-]*", w):
            break
        name.append(w)
    if name and name[0] != "QUIT":
        print(" ".join(name))
' "$LAB_DIR/help" >"$LAB_DIR/verbs"
bad=
while read -r verb; do
	# shellcheck disable=SC2086
	out=$("$ATA_CTL" -j -s "$sock" $verb 2>/dev/null)
	rc=$?
	if [ "$rc" -gt 1 ] || ! printf '%s\n' "$out" |
		json_ok "isinstance(v, (dict, list))" >/dev/null 2>&1; then
		bad="$bad
$verb (exit $rc): $out"
	fi
done <"$LAB_DIR/verbs"
grep -qx 'turn status' "$LAB_DIR/verbs" &&
	grep -qx 'upnp status' "$LAB_DIR/verbs" &&
	grep -qx 'alg-hint' "$LAB_DIR/verbs" && [ -z "$bad" ] &&
	t_ok "every verb of help ($(wc -l <"$LAB_DIR/verbs")) answers JSON" ||
	t_fail "every verb of help answers JSON" "$bad" \
		"$(cat "$LAB_DIR/verbs")"

# The JSON holds every key=value of the text reply, read apart from the
# daemon's converter (volatile counters left out)
same_fields() {
	local text json
	text=$("$ATA_CTL" -s "$sock" "$@") || return 1
	json=$("$ATA_CTL" -j -s "$sock" "$@") || return 1
	python3 -c '
import json, shlex, sys
text, js = sys.argv[1], json.loads(sys.argv[2])
volatile = {"uptime", "heap_used", "heap_free", "control_clients"}
have = set()
def walk(x):
    if isinstance(x, list):
        for y in x: walk(y)
    elif isinstance(x, dict):
        for k, y in x.items():
            if isinstance(y, str): have.add((k, y))
            else: walk(y)
walk(js)
for line in text.splitlines():
    try:
        words = shlex.split(line, posix=True)
    except ValueError:
        words = []
    if words and all("=" in w for w in words) and \
       all(w.split("=", 1)[0].isidentifier() for w in words):
        pairs = [tuple(w.split("=", 1)) for w in words]
    else:
        pairs = [tuple(line.split("=", 1))]
    for p in pairs:
        if p[0] not in volatile and p not in have and p[0] != "count":
            sys.exit("missing %s=%s in %s" % (p[0], p[1], sys.argv[2]))
' "$text" "$json"
}
for verb in status "module list" nat reg lines bandwidth "log level" \
	"line 1" stats "turn status" "upnp status" alg-hint; do
	# shellcheck disable=SC2086
	t_check "-j $verb carries every key=value of the text" \
		same_fields $verb
done

# Text mode: the default and unchanged, also after FORMAT json and back
t_check "text status still has state=running and the line record" \
	bash -c "'$ATA_CTL' -s '$sock' status | grep -qx 'state=running' &&
		'$ATA_CTL' -s '$sock' status | grep -q '^line=1 state=idle '"
t_check "text calls is still count=0" \
	bash -c "[ \"\$('$ATA_CTL' -s '$sock' calls)\" = count=0 ]"
t_check "back from FORMAT json, replies are byte for byte text's" python3 -c '
import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.settimeout(5)
    return s.makefile("rwb")
def ask(f, req, final=(b"OK\n", b"PONG\n")):
    f.write(req + b"\n"); f.flush()
    out = b""
    while True:
        line = f.readline()
        if not line: sys.exit("closed")
        out += line
        if line in final or line.startswith(b"FAIL") or \
           line.startswith(b"{"):
            return out
a, b = conn(), conn()
assert ask(a, b"FORMAT json") == b"{\"ok\":true}\n"
assert ask(a, b"log level") == b"{\"log_level\":\"7\"}\n"
assert ask(a, b"FORMAT text") == b"OK\n", "FORMAT text answers OK"
for req in (b"module list", b"log level", b"reg", b"nat", b"PING",
            b"call hangup 99", b"help", b"FORMAT yaml"):
    x, y = ask(a, req), ask(b, req)
    if x != y: sys.exit("%r: %r != %r" % (req, x, y))
assert ask(b, b"FORMAT yaml") == b"FAIL usage: FORMAT json|text\n"
' "$sock"

# atactl's interactive mode follows FORMAT both ways
out=$(printf 'FORMAT json\nlog level\nFORMAT text\nlog level\n' |
	"$ATA_CTL" -t 3 -s "$sock" 2>&1)
want='{"ok":true}
{"log_level":"7"}
OK
log_level=7
OK'
[ "$out" = "$want" ] && t_ok "interactive atactl follows FORMAT json and back" ||
	t_fail "interactive atactl follows FORMAT json and back" "$out"

# Events: a JSON monitor and a text monitor side by side
"$ATA_CTL" -j -s "$sock" monitor >"$LAB_DIR/events.json" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
"$ATA_CTL" -s "$sock" monitor >"$LAB_DIR/events.txt" 2>&1 \
	{LAB__TAP}>&- {LAB__ERR}>&- &
echo $! >>"$LAB_DIR/pids"
lab_wait_for "[ \"\$('$ATA_CTL' -s '$sock' status |
	sed -n s/^control_clients=//p)\" -ge 3 ]" 5
"$ATA_CTL" -s "$sock" line 1 offhook >/dev/null
lab_wait_for "grep -q 'LINE-STATE line=1 state=dialtone' '$LAB_DIR/events.txt' &&
	grep -q '\"event\":\"LINE-STATE\"' '$LAB_DIR/events.json'" 5
"$ATA_CTL" -s "$sock" line 1 onhook >/dev/null
lab_wait_for "[ \$(grep -c LINE-STATE '$LAB_DIR/events.json') -ge 2 ]" 5
t_check "-j monitor: each event one JSON object, LINE-STATE's fields" \
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert evs, "no events"
for e in evs:
    assert list(e)[:2] == ["event", "level"], e
    assert isinstance(e["level"], int) and 3 <= e["level"] <= 7, e
    assert all(isinstance(v, str) for k, v in e.items() if k != "level")
ls = [e for e in evs if e["event"] == "LINE-STATE"]
assert {"event": "LINE-STATE", "level": ls[0]["level"], "line": "1",
        "state": "dialtone"}.items() <= ls[0].items(), ls[0]
' "$LAB_DIR/events.json"
t_check "the text monitor beside it still reads <N>NAME key=value" \
	grep -q '^<[0-9]>LINE-STATE line=1 state=dialtone' \
	"$LAB_DIR/events.txt"
