#!/bin/sh
# tests/gdb/smp.sh: gdb on a machine with two CPUs (the smp_start guest,
# -smp 2) under ringlab -S -gdb: a thread per CPU, the application
# processor's registers read as thread 2, its breakpoint reported as
# thread 2's and the bootstrap processor's as thread 1's, stepping the AP,
# and reverse-stepi and reverse-continue over the two CPUs' history (the
# checks: tests/gdb/smp.py).  The guest then passes (isa-debug-exit status
# 1), replayed CPUs and all.
#
# Environment: RINGLAB, GDB, GUEST, TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no gdb), 99 hard error.
GUEST=${GUEST:-tests/guests/smp_start.elf}
. "$(dirname "$0")/common.sh"
need_tools gdb-smp
[ -f "$GUEST" ] || { echo "ERROR: $GUEST missing (make check builds it)"; exit 99; }
: >"$tmp/input"
start_stub "$tmp/console" "$tmp/input" -kernel "$GUEST" -smp 2 -nographic \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
run_gdb "$(dirname "$0")/smp.py" "$GUEST" >"$tmp/gdb.out" 2>&1
status=$?
grep -E '^(ok|FAIL)' "$tmp/gdb.out"
stop_stub
if [ $status -ne 0 ] || ! grep -q '^ok   the guest passed' "$tmp/gdb.out"; then
	echo "--- gdb"
	cat "$tmp/gdb.out"
	echo "--- ringlab's stderr"
	cat "$tmp/console.err"
	echo "FAIL: gdb session with two CPUs (status $status)"
	exit 1
fi
echo "PASS: gdb sees a thread per CPU, the AP's registers and stops as thread 2, and goes back over both CPUs"
