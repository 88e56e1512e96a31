#!/bin/sh
# The script of tests/integration/test_atactl_action.sh: each run writes
# its argv and every ATAUA_ variable, NUL-separated (values stay whole),
# to a file of its own in $ACT_DIR and appends that file's name to
# $ACT_DIR/runs. Modes, by files in $ACT_DIR: `slow` is taken by the
# next CONFIG-RELOADED run, which then waits for a child of its group
# (pid in slowpid), so only a killed group ends it; while `gate` exists
# every run waits.
d=$ACT_DIR
if [ "$1" = CONFIG-RELOADED ] && rm "$d/slow" 2>/dev/null; then
	sleep 300 &
	echo $! >"$d/slowpid"
	wait
	echo "the slow run was not killed" >>"$d/bad"
	exit 0
fi
while [ -e "$d/gate" ]; do
	sleep 0.05
done
f=$(mktemp "$d/run.XXXXXX")
{
	printf 'ARGV=%s\0' "$*"
	env -0 | grep -z '^ATAUA_'
} >"$f"
echo "${f##*/}" >>"$d/runs"
