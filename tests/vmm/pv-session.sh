#!/bin/sh
# tests/vmm/pv-session.sh: `ringlab pg vmm --strategy pv` runs the
# paravirtual build of the bundled kernel (kernel-pv.elf, the same sources
# built with -DPV) at real ring 1.  Its code holds no privileged
# instruction (the native build's does); with no -kernel the monitor runs
# it; it boots and passes the scripted shell session of
# tests/kernel/session.sh with the same transcript as the native kernel;
# the report counts the hypercalls by name and number and compares the cost
# with the native kernel's run of the same session; `info vmm` shows the
# virtual CPU beside the real one and the last hypercalls; and the native
# build under the monitor is caught at its first privileged instruction.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, PV_KERNEL, INITRD (the
# build tree's), TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped, 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
PV_KERNEL=${PV_KERNEL:-guests/kernel/kernel-pv.elf}
INITRD=${INITRD:-guests/initrd.img}
export KERNEL INITRD
[ -f "$PV_KERNEL" ] || { echo "SKIP: $PV_KERNEL not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-pv.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# The kernel's code, from its first instruction (the Multiboot header is
# data) to the end of .text: the privileged and IOPL-sensitive mnemonics.
privileged() { # kernel -> the instructions found, one a line
	start=$(nm "$1" | sed -n 's/^\([0-9a-f]*\) T start$/\1/p')
	[ -n "$start" ] || { echo "no start symbol in $1"; return; }
	objdump -d -j .text --start-address=0x"$start" "$1" |
		grep -E '^ *c0[0-9a-f]+:' |
		grep -E '	(cli|sti|hlt|in|out|ins[bwl]?|outs[bwl]?|lgdt|lidt|lldt|ltr|lmsw|clts|invlpg|invd|wbinvd|wrmsr|rdmsr|iret|sysexit)( |$)|mov +%e..,%cr|mov +%cr.,'
}
if command -v objdump >/dev/null 2>&1 && command -v nm >/dev/null 2>&1; then
	left=$(privileged "$PV_KERNEL")
	[ -z "$left" ] || { echo "FAIL: privileged instructions in $PV_KERNEL:"; echo "$left"; failed=1; }
	native=$(privileged "$KERNEL" | wc -l)
	[ "$native" -ge 10 ] ||
		{ echo "FAIL: the scan finds only $native privileged instructions in $KERNEL"; failed=1; }
fi

# With no -kernel: the paravirtual build, found as the native one is.
"$RINGLAB" pg vmm --strategy pv -nographic --max-insns 30000000 </dev/null >"$tmp/raw" 2>&1
st=$?
tr -d '\r' <"$tmp/raw" >"$tmp/boot"
[ "$st" -eq 8 ] || { echo "FAIL: the bundled pv boot: status $st (want 8, the limit)"; failed=1; }
for want in '^ringlab teaching kernel$' '^\$ ' \
	'^vmm pv: the guest kernel ran at ring 1 under the paravirtual monitor; a limit was reached$' \
	'^vmm pv: [1-9][0-9]* hypercalls: cli \(0\) [1-9][0-9]*, block \(2\) [1-9]' \
	'set_gdt \(6\) 1, set_idt \(7\) 1, ltr \(8\) 1, read_cr \(9\) [1-9][0-9]*, write_cr \(10\) [1-9]' \
	'wrmsr \(12\) [1-9][0-9]*, iret \(13\) [1-9]' \
	'^vmm pv: no privileged instruction was left in the guest$' \
	'^vmm pv: native, the same session on the native kernel: [1-9][0-9]* guest instructions'; do
	grep -q -E "$want" "$tmp/boot" ||
		{ echo "FAIL: the bundled pv boot lacks /$want/:"; grep '^vmm' "$tmp/boot"; failed=1; }
done
grep -q 'FAILED' "$tmp/boot" && { echo "FAIL: a failure under pv:"; grep FAILED "$tmp/boot"; failed=1; }

# The native build under the paravirtual monitor: its first privileged
# instruction (MOV CR3 in entry.asm, before any IDT) faults and is named.
"$RINGLAB" pg vmm --strategy pv -kernel "$KERNEL" -initrd "$INITRD" -nographic \
	--max-insns 5000000 </dev/null >"$tmp/native-under-pv" 2>&1
grep -q -E '^vmm pv: FAILED: [1-9][0-9]* privileged instructions still in the guest; the first, #GP\(0\) at [0-9a-f]{8} \(bytes 0f22d8' \
	"$tmp/native-under-pv" ||
	{ echo "FAIL: the native kernel under pv was not caught:"; grep '^vmm' "$tmp/native-under-pv"; failed=1; }

# The debugger under the monitor: `info vmm`.
printf 'until insns 30000000\ninfo vmm\nq\n' |
	"$RINGLAB" pg vmm --strategy pv --debugger -nographic >"$tmp/info.out" 2>&1
for want in '^monitor: pv, paravirtualization' '^ *virtual CPU \(the guest.s\) *real CPU$' \
	'^  CPL        1 +1$' '^  GDTR       c[0-9a-f]{7}/004f +c[0-9a-f]{7}/004f$' \
	'^[1-9][0-9]* hypercalls: cli' '^the last 16 hypercalls:$' \
	'^  at instruction [0-9]+: [a-z_]+ \([0-9]+\) from c[0-9a-f]{7}, EBX'; do
	grep -q -E "$want" "$tmp/info.out" ||
		{ echo "FAIL: info vmm under pv lacks /$want/:"; cat "$tmp/info.out"; failed=1; }
done

# The session: the native kernel, then the paravirtual one under the monitor.
. "$here/sessions.sh"
MONITORED_KERNEL=$PV_KERNEL monitor_sessions pv --strategy pv
tr -d '\r' <"$tmp/pv.log" >"$tmp/pv.report"
report=$(grep '^vmm pv: [0-9]* hypercalls' "$tmp/pv.report")
for want in '^vmm pv: [1-9][0-9]* hypercalls: cli \(0\) [1-9][0-9]*, block \(2\) [1-9][0-9]*, in \(4\) [1-9][0-9]*, out \(5\) [1-9][0-9]*' 'invlpg \(11\) [1-9]' \
	'^vmm pv: traps: SYSENTER emulated [1-9][0-9]*; to the guest.s IDT: external interrupt [1-9][0-9]*, INT n [0-9]+, #GP [1-9][0-9]*, #PF [1-9]' \
	'^vmm pv: no privileged instruction was left in the guest$' \
	'^vmm pv: under the monitor: [1-9][0-9]* guest instructions' \
	'^vmm pv: native, the same session on the native kernel: [1-9][0-9]* guest instructions, [0-9.]+ s \(the paravirtual kernel.s instructions are [0-9.]+x'; do
	grep -q -E "$want" "$tmp/pv.report" ||
		{ echo "FAIL: the report lacks /$want/:"; grep '^vmm' "$tmp/pv.report"; failed=1; }
done
[ "$failed" -eq 0 ] || exit 1
cost=$(grep '^vmm pv: \(under the monitor\|native\)' "$tmp/pv.report" | sed 's/^vmm pv: //' | tr '\n' ' ')
echo "ok: the session under the pv monitor matches the native one; $report; $cost"
