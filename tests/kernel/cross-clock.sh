#!/bin/sh
# tests/kernel/cross-clock.sh — `cross` under ringlab's virtual clock.
#
# The clock advances one nanosecond per instruction, so the times cross
# prints depend on the instructions executed and nothing else: two boots
# with the same input must print the same numbers. And they must say what
# cross is there to show: a call through either door of the kernel costs
# more than a call that stays in ring 3, and all 1,000 calls of each kind
# returned the caller's pid.
#
# The input is piped, all of it waiting from the start, so that it reaches
# the machine at the same instant of virtual time in both runs.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD, OUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab), 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
OUT=${OUT:-tests/kernel/cross-clock}

if [ ! -x "$RINGLAB" ]; then
	echo "SKIP: $RINGLAB not found"
	exit 77
fi
for f in "$KERNEL" "$INITRD"; do
	[ -f "$f" ] || { echo "ERROR: $f missing (build it first)"; exit 99; }
done
mkdir -p "$(dirname "$OUT")"

for run in 1 2; do
	printf 'cross\r' | "$RINGLAB" -kernel "$KERNEL" -initrd "$INITRD" -nographic -no-reboot \
		--max-insns 60000000 >"$OUT.$run" 2>&1
	status=$?
	if [ $status -ne 8 ]; then
		echo "FAIL: ringlab exited with status $status, expected 8 (--max-insns reached)"
		cat "$OUT.$run"
		exit 1
	fi
	tr -d '\r' <"$OUT.$run" | grep '^cross: ' >"$OUT.$run.lines"
done

if ! diff -u "$OUT.1.lines" "$OUT.2.lines"; then
	echo "FAIL: two runs with the same input timed differently"
	exit 1
fi

# ns_each DOOR: the per-call time of that line, if all its calls were right.
ns_each() {
	sed -n "s/^cross: $1: 1000 calls, 1000 returned pid [0-9]*, in [0-9]* us: \([0-9]*\) ns each\$/\1/p" \
		"$OUT.1.lines"
}
here=$(ns_each 'function call (ring 3)')
int80=$(ns_each 'int 0x80')
sysenter=$(ns_each sysenter)
if [ -z "$here" ] || [ -z "$int80" ] || [ -z "$sysenter" ]; then
	echo "FAIL: a line is missing, or not every call returned the pid:"
	cat "$OUT.1.lines"
	exit 1
fi
if [ "$int80" -le "$here" ] || [ "$sysenter" -le "$here" ]; then
	echo "FAIL: a system call cost no more than a function call:"
	cat "$OUT.1.lines"
	exit 1
fi
echo "PASS: cross: function call $here ns, int 0x80 $int80 ns, sysenter $sysenter ns, the same in both runs"
exit 0
