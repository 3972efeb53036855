#!/bin/sh
# tests/vmm/history.sh: a monitor's state is part of the debugger's
# history.  Under `pg vmm --strategy trap --debugger` the run stops at
# 20 million instructions (A), goes on to 30 million (B), goes back 10
# million and forward 10 million again: `info vmm` at the way back to 20
# million shows the virtual CPU and the traps by cause as they were at A,
# and at 30 million again as at B (going back took back what the monitor
# believed and counted, and the run forward counted each trap once).  The
# same for bt, and for pv on the kernel's paravirtual build.  (hw's exits are counted from the trace, which shows each
# event once, the first time it runs: they are not taken back.)
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD.
# Exit status: 0 pass, 1 fail, 77 skipped, 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
PV_KERNEL=${PV_KERNEL:-guests/kernel/kernel-pv.elf}
INITRD=${INITRD:-guests/initrd.img}
[ -f "$KERNEL" ] || { echo "SKIP: $KERNEL not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-vmm-history.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# The lines of `info vmm` that say what the monitor believes and counted
# (the shadow page tables' own counts are left out: after going back the
# shadow fills again, which is the monitor's work of that run).
for strategy in trap bt pv; do
	kernel=$KERNEL
	[ $strategy = pv ] && kernel=$PV_KERNEL
	printf 'until insns 20000000\ninfo vmm\nuntil insns 10000000\ninfo vmm\nback 10000000\ninfo vmm\nuntil insns 10000000\ninfo vmm\nq\n' |
		"$RINGLAB" pg vmm --strategy $strategy -kernel "$kernel" -initrd "$INITRD" --debugger \
			-nographic 2>&1 | tr -d '\r' >"$tmp/out"
	# Cut the output at each `info vmm` into A, B, A again, B again.
	awk -v dir="$tmp" '
		/^monitor: / { n++ }
		n && /^(  (CPL|EFLAGS.IF|CR0|CR2|CR3|GDTR|TR) |[0-9]+ (traps emulated|hypercalls)|traps: |exits: |  at instruction|reflected|FAILED)/ {
			print > (dir "/info" n)
		}' "$tmp/out"
	for f in 1 2 3 4; do
		[ -s "$tmp/info$f" ] || { echo "FAIL: $strategy: no info vmm number $f"; cat "$tmp/out"; exit 1; }
	done
	cmp -s "$tmp/info1" "$tmp/info2" &&
		{ echo "FAIL: $strategy: nothing changed from 20 to 30 million instructions"; failed=1; }
	cmp -s "$tmp/info1" "$tmp/info3" ||
		{ echo "FAIL: $strategy: back at 20 million the monitor does not say what it said there:"; diff "$tmp/info1" "$tmp/info3"; failed=1; }
	cmp -s "$tmp/info2" "$tmp/info4" ||
		{ echo "FAIL: $strategy: at 30 million again the monitor says otherwise:"; diff "$tmp/info2" "$tmp/info4"; failed=1; }
done
exit $failed
