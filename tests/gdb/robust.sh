#!/bin/sh
# tests/gdb/robust.sh: bad packets, a second client and clients that go
# away (tests/gdb/robust.py): each gets one line on ringlab's stderr, the
# guest keeps its state, and the next client attaches.
#
# Environment: RINGLAB, GDB, KERNEL, INITRD, TIMEOUT.
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
. "$(dirname "$0")/common.sh"
need_tools gdb-robust
: >"$tmp/none"
start_stub "$tmp/console" "$tmp/none" -kernel "$KERNEL" -initrd "$INITRD" -nographic
run_gdb "$(dirname "$0")/robust.py" >"$tmp/gdb.out" 2>&1
status=$?
stop_stub
cat "$tmp/gdb.out" | grep -E '^(ok|FAIL)'
failures=0
for line in 'wrong checksum was refused' "malformed 'm' packet was refused" \
	'a second debugger (from 127.0.0.1:' 'the debugger went away'; do
	n=$(grep -c -F -e "$line" "$tmp/console.err")
	if [ "$n" -lt 1 ]; then
		echo "FAIL: ringlab's stderr lacks '$line'"
		failures=$((failures + 1))
	fi
done
if [ $status -ne 0 ] || [ $failures -ne 0 ]; then
	echo "--- ringlab's stderr"
	cat "$tmp/console.err"
	echo "FAIL: (gdb status $status)"
	exit 1
fi
echo "PASS: bad packets, a second client and clients that go away leave the guest as it was"
