#!/bin/sh
# tests/vmm/trap.sh: `ringlab pg vmm --strategy trap` runs the unmodified
# bundled kernel at real ring 1 under a trap-and-emulate monitor.  It boots
# (its banner and the shell's prompt come out), the report lists the
# privileged instructions the monitor emulated by cause, and the monitor
# detects and names where deprivileging shows: the IRET in the kernel's
# trapret that enters init at ring 3 leaves IF clear and IOPL 0, where the
# kernel's frame asked for IF set and IOPL 1, without a trap.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD, GUEST (the
# build tree's).
# Exit status: 0 pass, 1 fail, 77 skipped, 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
[ -f "$KERNEL" ] || { echo "SKIP: $KERNEL not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-trap.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The IRET the failures are pinned to: trapret's, from the kernel's symbols.
trapret=$(nm "$KERNEL" 2>/dev/null | sed -n 's/^\([0-9a-f]*\) T trapret$/\1/p')
[ -n "$trapret" ] || { echo "SKIP: no nm or no trapret symbol"; exit 77; }
iret=$(printf '%08x' $((0x$trapret + 10))) # popal, pop gs/fs/es/ds, add esp, 8
objdump -d --start-address=0x$iret --stop-address=$((0x$iret + 1)) "$KERNEL" 2>/dev/null |
	grep -q 'iret' || { echo "FAIL: no IRET at trapret+10 (0x$iret): the test needs updating"; exit 1; }

"$RINGLAB" pg vmm --strategy trap -kernel "$KERNEL" -initrd "$INITRD" -nographic \
	--max-insns 50000000 </dev/null >"$tmp/raw" 2>&1
st=$?
tr -d '\r' <"$tmp/raw" >"$tmp/out" # the console's line ends
failed=0
check() { # regex, what it means
	grep -q -E "$1" "$tmp/out" || { echo "FAIL: $2: no line /$1/"; failed=1; }
}
[ "$st" -eq 8 ] || { echo "FAIL: status $st (want 8, the instruction limit)"; failed=1; }
check '^ringlab teaching kernel$' 'the kernel did not boot under the monitor'
check '^\$ ' "the shell's prompt did not come"
check '^vmm trap: the guest kernel ran at ring 1 under the monitor; a limit was reached$' 'no report'
# Every kind of privileged instruction the kernel executes on the way,
# emulated (none passed to the guest as a #GP).
for cause in 'CLI [1-9]' 'STI [1-9]' 'HLT [1-9]' 'IN [1-9]' 'OUT [1-9]' 'LGDT 1' 'LIDT 1' \
	'LTR 1' 'MOV CR0, r 1' 'MOV CR3, r [1-9]' 'WRMSR [1-9]' 'MOV SS 1' 'SYSENTER [1-9]' \
	'SYSEXIT [1-9]'; do
	check "^vmm trap: [0-9]+ traps emulated: .*$cause" "no $cause in the traps by cause"
done
check '^vmm trap: reflected into the guest.s IDT: external interrupt [1-9][0-9]*, INT n [0-9]+, #PF [1-9]' \
	'the timer and the page faults did not reach the guest'
grep -q '#GP' "$tmp/out" && { echo "FAIL: a #GP went to the guest"; failed=1; }
# The shadow page tables: the guest's pages came in by hidden faults, and
# each page fault the shadow found to be the guest's own was the one
# passed on to its IDT (the kernel's demand paging and copy-on-write).
check '^vmm trap: shadow page tables: [1-9][0-9]* hidden page faults filled from the guest.s tables \([1-9][0-9]* of them first writes' \
	'the shadow page tables were not filled by hidden faults'
own=$(sed -n 's/^vmm trap: shadow page tables: .*, \([0-9]*\) page faults the guest.s own.*/\1/p' "$tmp/out")
reflected=$(sed -n 's/^vmm trap: reflected into the guest.s IDT: .*#PF \([0-9]*\).*/\1/p' "$tmp/out")
[ -n "$own" ] && [ "$own" = "$reflected" ] ||
	{ echo "FAIL: the guest's own page faults ($own) are not those reflected ($reflected)"; failed=1; }
# The failures, named, at trapret's IRET.
check "^vmm trap: FAILED: IRET at ring 1 left IF clear \\([0-9]+ times, first at instruction [0-9]+, 0009:$iret\\): the kernel's frame had EFLAGS 00001200, IF set" \
	'the lost IF was not detected at trapret'
check "^vmm trap: FAILED: IRET at ring 1 did not load IOPL 1 \\(1 times, first at instruction [0-9]+, 0009:$iret\\)" \
	'the lost IOPL was not detected at trapret'

# The sensitive instructions that do not trap, in the kernel's own boot
# checks (seg.c's seg_check, timer.c's timer_check): the guest's own
# output shows each consequence, and the monitor names each where it ran
# (by its scan of the kernel's functions and a breakpoint at each).
check '^seg: running at CPL 1, not 0 \(CS 9\)$' 'the kernel did not see CPL 1 in CS'
check '^seg: the GDTR names a GDT at c009f000, not this kernel.s at c[0-9a-f]+$' \
	'the kernel did not see the shadow GDT'
check '^seg: the kernel.s code segment 8 has DPL 1, not 0$' 'the kernel did not see DPL 1 by LAR'
check '^timer: no tick in [0-9]+ us: irq_restore\([0-9a-f]*[2367abef][0-9a-f]{2}\) left EFLAGS ([0-9a-f]*[014589cd])?[0-9a-f]{2}, interrupts off$' \
	'the kernel did not see its interrupts stay off after irq_restore'
check '^\$ ' 'the shell did not come after the lost interrupts'
# Each named with its place, which nm confirms: "ADDR FUNC+0xOFF".
named() { # what the FAILED line starts with, the function, what it means
	line=$(grep -E "^vmm trap: FAILED: $1" "$tmp/out" | head -1)
	where=$(printf '%s\n' "$line" | sed -n "s/.*first at instruction [0-9]*, \([0-9a-f]\{8\}\) \($2\)+0x\([0-9a-f]*\)).*/\1 \2 \3/p")
	set -- "$3" $where
	if [ $# -ne 4 ]; then
		echo "FAIL: $1: no FAILED line naming its place in the kernel"
		failed=1
		return
	fi
	sym=$(nm "$KERNEL" | sed -n "s/^\([0-9a-f]*\) [tT] $3\$/\1/p")
	[ -n "$sym" ] && [ "$(printf '%08x' $((0x$sym + 0x$4)))" = "$2" ] ||
		{ echo "FAIL: $1: $2 is not $3+0x$4 (nm: $sym)"; failed=1; }
}
named 'POPF at ring 1 left IF clear \(1 times' 'timer_check' 'the POPF that kept IF'
named 'MOV r/m, CS revealed RPL 1 ' 'seg_init' 'the read of CS'
named 'SGDT revealed the shadow GDT at c009f000 ' 'seg_init' 'the SGDT'
named 'LAR revealed DPL 1 for selector 0008 ' 'seg_init' 'the LAR'
check '^vmm trap: FAILED: POPF .*it popped EFLAGS [0-9a-f]{5}[2367abef][0-9a-f]{2}, IF set, but at CPL 1 > IOPL 0' \
	'the POPF line does not say what was popped'
check '^vmm trap: watched \(sensitive, no trap\): [1-9]' 'no watched sites listed'

# Natively none of the checks speaks.
"$RINGLAB" -kernel "$KERNEL" -initrd "$INITRD" -nographic --max-insns 20000000 </dev/null 2>&1 |
	tr -d '\r' >"$tmp/native"
grep -q '^\$ ' "$tmp/native" || { echo "FAIL: the native run did not reach the shell"; failed=1; }
grep -E '^(seg|timer):' "$tmp/native" && { echo "FAIL: a boot check spoke natively"; failed=1; }

# The debugger under the monitor: `info vmm` shows the virtual CPU (CPL 0,
# the kernel's GDT) beside the real one (CPL 1, the shadow), and the
# watched sites with their hits: the watch counts inside the machine, and
# the debugger's run goes on through them to its own stop.
printf 'until insns 5000000\ninfo vmm\nq\n' |
	"$RINGLAB" pg vmm --strategy trap -kernel "$KERNEL" -initrd "$INITRD" --debugger \
		-nographic 2>&1 | tr -d '\r' >"$tmp/info"
for want in '^monitor: trap' '^  CPL        0 +1$' '^  GDTR       c[0-9a-f]{7}/[0-9a-f]{4} +c009f000/[0-9a-f]{4} \(the shadow\)$' \
	'^  CR3        [0-9a-f]{8} +f0000000 \(the shadow page directory\)$' \
	'^shadow page tables: [1-9][0-9]* hidden page faults' '^[0-9]+ traps emulated: CLI' \
	'^watched \(sensitive, no trap\): [1-9][0-9]* in the kernel.s code: .* at seg_init\+0x[0-9a-f]+ [1-9]' \
	'SGDT revealed the shadow GDT'; do
	grep -q -E "$want" "$tmp/info" || { echo "FAIL: info vmm lacks /$want/"; cat "$tmp/info"; failed=1; }
done

# Each privileged instruction of the catalogue that traps at ring 1, in
# its operand forms (tests/guests/priv_insns.asm), emulated with the result
# ring 0 gets: the guest's own checks pass under the monitor as natively.
GUEST=${GUEST:-tests/guests/priv_insns.elf}
if [ -f "$GUEST" ]; then
	"$RINGLAB" pg vmm --strategy trap -kernel "$GUEST" -nographic -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/g" 2>&1
	st=$?
	[ "$st" -eq 1 ] && grep -q '^guest: pass' "$tmp/g" ||
		{ echo "FAIL: priv_insns under the monitor: status $st"; cat "$tmp/g"; failed=1; }
	for cause in 'INS 2' 'OUTS 3' 'POP SS 1' 'MOV SS 2' 'LSS 1' 'LLDT 2' 'LMSW 2' 'MOV DRn 4' \
		'RDTSC 2' 'LGDT 2' 'LIDT 2' 'CLTS 1' 'INT n \(DPL-0 gate\) 1'; do
		grep -q -E "^vmm trap: [0-9]+ traps emulated: .*$cause" "$tmp/g" ||
			{ echo "FAIL: priv_insns: no $cause emulated"; failed=1; }
	done
	grep -q 'FAILED: #GP' "$tmp/g" && { echo "FAIL: priv_insns: a #GP was passed on"; failed=1; }
else
	echo "FAIL: $GUEST not built"
	failed=1
fi

# What the kernel sees of its own page tables through the shadow ones
# (tests/guests/paging_ad.asm): the A and D bits set as the processor sets
# them, INVLPG and MOV CR3 taking effect, a page fault's CR2 kept across
# the monitor's hidden faults; under trap and under bt as natively.
GUEST=${PAGING_GUEST:-tests/guests/paging_ad.elf}
if [ -f "$GUEST" ]; then
	for strategy in trap bt; do
		"$RINGLAB" pg vmm --strategy $strategy -kernel "$GUEST" -nographic -no-reboot \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/g" 2>&1
		st=$?
		[ "$st" -eq 1 ] && grep -q '^guest: pass' "$tmp/g" ||
			{ echo "FAIL: paging_ad under $strategy: status $st"; cat "$tmp/g"; failed=1; }
	done
else
	echo "FAIL: $GUEST not built"
	failed=1
fi

# Bad arguments: one line, status 2.
"$RINGLAB" pg vmm --strategy nope -nographic </dev/null >"$tmp/o" 2>"$tmp/e"
st=$?
if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 1 ] || ! grep -q 'trap, bt, pv and hw' "$tmp/e"; then
	echo "FAIL: --strategy nope: status $st, stderr: $(cat "$tmp/e")"
	failed=1
fi
# trap, bt and pv keep one virtual CPU: -smp 2 is refused in one line,
# status 2, before the machine starts (hw runs it: tests/vmm/hw-session.sh).
for s in trap bt pv; do
	"$RINGLAB" pg vmm --strategy "$s" -smp 2 -nographic --timeout 10 </dev/null >"$tmp/o" 2>"$tmp/e"
	st=$?
	if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 1 ] || ! grep -q 'one virtual CPU' "$tmp/e" ||
		[ -s "$tmp/o" ]; then
		echo "FAIL: --strategy $s -smp 2: status $st, stderr: $(cat "$tmp/e")"
		failed=1
	fi
done
if [ "$failed" -ne 0 ]; then
	grep '^vmm' "$tmp/out"
	exit 1
fi
echo "ok: trap-and-emulate boots the kernel at ring 1; $(grep -c '^vmm trap: FAILED' "$tmp/out") failures named"
