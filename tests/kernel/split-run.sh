#!/bin/sh
# tests/kernel/split-run.sh: a run cut into pieces is the same run.  The
# bundled kernel runs a shell session twice with the same input, once
# straight and once stopped by the debugger at every system call and every
# fault and resumed; the -d int logs and the JSON traces must be the same,
# byte for byte, and so must the console.
# Environment: RINGLAB (default ./ringlab), INSNS (the length of the runs).
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab), 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
INSNS=${INSNS:-120000000}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-split.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The session: programs with system calls, faults (demand paging,
# copy-on-write, a killed process), pipes and a child waiting.
printf 'hello\rlazy\rcow\rsegv\rpriv\rpingpong\rsyscalls\rtyped\r' >"$tmp/input"
# Stop at each system call and fault: the empty lines repeat the until.
{
	echo 'until syscall fault'
	i=0
	while [ $i -lt 4000 ]; do
		echo
		i=$((i + 1))
	done
	echo 'info events 1'
	echo q
} >"$tmp/stops.dbg"

"$RINGLAB" -nographic --max-insns "$INSNS" -d int -D "$tmp/straight.log" \
	--trace "$tmp/straight.jsonl" <"$tmp/input" >"$tmp/straight.out" 2>"$tmp/straight.err"
s1=$?
"$RINGLAB" --debugger-script "$tmp/stops.dbg" --max-insns "$INSNS" -d int -D "$tmp/split.log" \
	--trace "$tmp/split.jsonl" <"$tmp/input" >"$tmp/split.out" 2>"$tmp/split.err"
s2=$?
failures=0
[ $s1 -eq 8 ] || { echo "FAIL: the straight run exited with $s1, not 8 (--max-insns)"; failures=$((failures + 1)); }
[ $s2 -eq 8 ] || { echo "FAIL: the split run exited with $s2, not 8 (--max-insns)"; failures=$((failures + 1)); }
stops=$(grep -c '^stopped after event' "$tmp/split.out")
[ "$stops" -ge 100 ] || { echo "FAIL: only $stops stops"; failures=$((failures + 1)); }
grep -q 'syscalls: exit(0)' "$tmp/straight.out" || {
	echo "FAIL: the session did not run to its end in $INSNS instructions"
	failures=$((failures + 1))
}
for f in log jsonl; do
	if ! cmp -s "$tmp/straight.$f" "$tmp/split.$f"; then
		echo "FAIL: the .$f of the split run differs from the straight run's:"
		diff "$tmp/straight.$f" "$tmp/split.$f" | head -n 10
		failures=$((failures + 1))
	fi
done
# The guest's console: the split run's output less the debugger's lines
# (which start lines of their own), newlines aside.
grep -v -e '^<ringlab>' -e '^stopped after' -e '^  why:' -e '^\[CPL [0-3]\]' \
	-e '^--max-insns reached' -e '^event [0-9]' "$tmp/split.out" |
	tr -d '\n' >"$tmp/split.console"
tr -d '\n' <"$tmp/straight.out" >"$tmp/straight.console"
cmp -s "$tmp/straight.console" "$tmp/split.console" || {
	echo "FAIL: the console differs"
	failures=$((failures + 1))
}
if [ $failures -ne 0 ]; then
	exit 1
fi
echo "PASS: $stops stops, the same -d int log, JSON trace and console as one run"
exit 0
