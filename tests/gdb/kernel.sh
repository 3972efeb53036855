#!/bin/sh
# tests/gdb/kernel.sh: gdb batch sessions on the bundled kernel under
# ringlab -S -gdb: into hello's int 0x80 handler, out to ring 3, and back
# across both crossings with reverse-stepi (the checks: tests/gdb/kernel.py);
# then the same through SYSENTER and SYSEXIT (tests/gdb/kernel_sysenter.py).
#
# Environment: RINGLAB, GDB, KERNEL, INITRD, TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no gdb), 99 hard error.
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
. "$(dirname "$0")/common.sh"
need_tools gdb-kernel
for f in "$KERNEL" "$INITRD"; do
	[ -f "$f" ] || { echo "ERROR: $f missing (build it first)"; exit 99; }
done
# hello is typed at the shell; it reaches the UART when the CPU first idles.
printf 'hello\r' >"$tmp/input"
# -cpu 486: no SYSENTER, so the system calls go through int 0x80.
start_stub "$tmp/console" "$tmp/input" -kernel "$KERNEL" -initrd "$INITRD" -cpu 486 -nographic
run_gdb "$(dirname "$0")/kernel.py" "$KERNEL" >"$tmp/gdb.out" 2>&1
status=$?
grep -E '^(ok|FAIL)' "$tmp/gdb.out"
stop_stub
if [ $status -ne 0 ] || ! grep -q '^ok   stepi over the IRET again' "$tmp/gdb.out"; then
	echo "--- ringlab's stderr"
	cat "$tmp/console.err"
	echo "FAIL: gdb session (status $status)"
	exit 1
fi
grep -q 'hello from ring 3' "$tmp/console" || { echo "FAIL: hello did not print"; exit 1; }

# The default CPU has SYSENTER, which the kernel's programs then use.
start_stub "$tmp/console2" "$tmp/input" -kernel "$KERNEL" -initrd "$INITRD" -nographic
run_gdb "$(dirname "$0")/kernel_sysenter.py" "$KERNEL" >"$tmp/gdb2.out" 2>&1
status=$?
grep -E '^(ok|FAIL)' "$tmp/gdb2.out"
stop_stub
if [ $status -ne 0 ] || ! grep -q '^ok   stepi over the SYSEXIT again' "$tmp/gdb2.out"; then
	cat "$tmp/gdb2.out" "$tmp/console2.err"
	echo "FAIL: gdb session over SYSENTER (status $status)"
	exit 1
fi
echo "PASS: gdb steps into the int 0x80 and SYSENTER handlers and back, and reverse-stepi crosses both ways"
