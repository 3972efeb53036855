#!/bin/sh
# tests/gdb/budget.sh: the history keeps within its memory budget.
#
# tests/gdb/dirty.elf runs 30 million instructions under the gdb stub
# three times, with snapshots every 100,000 instructions: without history,
# with a budget of 8 MiB and with one of 64 MiB.  The peak resident memory
# of each run is measured (VmHWM); with 8 MiB it may exceed the run without
# history by the budget and 4 MiB of slack at most, and the history must
# have given snapshots up for the budget; with 64 MiB it must grow well
# past 8 MiB (the budget is what holds the first run back).
#
# Environment: RINGLAB, GDB, GUEST (default tests/gdb/dirty.elf), TIMEOUT.
GUEST=${GUEST:-tests/gdb/dirty.elf}
. "$(dirname "$0")/common.sh"
need_tools gdb-budget
[ -f "$GUEST" ] || { echo "ERROR: $GUEST missing"; exit 99; }
: >"$tmp/none"

peak() { # BUDGET: the run's peak RSS in KiB; its history line in $tmp/history.BUDGET
	start_stub "$tmp/console.$1" "$tmp/none" -kernel "$GUEST" -m 64 -nographic \
		--snapshot-every 100000 --snapshot-budget "$1"
	STUB_PID=$stub_pid INSNS=30000000 run_gdb "$(dirname "$0")/budget.py" "$GUEST" \
		>"$tmp/gdb.$1" 2>&1
	stop_stub
	grep 'memory' "$tmp/gdb.$1" >"$tmp/history.$1"
	sed -n 's/^peak-rss-kib //p' "$tmp/gdb.$1"
}

base=$(peak 0)
small=$(peak 8M)
large=$(peak 64M)
for v in "$base" "$small" "$large"; do
	case $v in
	'' | *[!0-9]*)
		echo "ERROR: no measurement (got '$v')"
		cat "$tmp"/gdb.* "$tmp"/console.*.err
		exit 99
		;;
	esac
done
echo "peak resident memory: no history ${base} KiB, budget 8M ${small} KiB, budget 64M ${large} KiB"
cat "$tmp/history.8M" "$tmp/history.64M"
failures=0
if [ $((small - base)) -gt $((8192 + 4096)) ]; then
	echo "FAIL: with an 8 MiB budget the history took $((small - base)) KiB"
	failures=$((failures + 1))
fi
if ! grep -q 'of a budget of 8192 KiB; [1-9][0-9]* snapshots* given up' "$tmp/history.8M"; then
	echo "FAIL: with an 8 MiB budget no snapshot was given up"
	failures=$((failures + 1))
fi
if [ $((large - base)) -lt $((3 * 8192)) ]; then
	echo "FAIL: with a 64 MiB budget the history took only $((large - base)) KiB: the test cannot tell"
	failures=$((failures + 1))
fi
[ $failures -eq 0 ] || exit 1
echo "PASS: the history kept within its budget ($((small - base)) KiB over the run without one)"
