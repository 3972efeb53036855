#!/bin/sh
# tests/vmm/bt-session.sh: the bundled kernel, unmodified, boots under
# `ringlab pg vmm --strategy bt` (binary translation over the trap
# monitor: the kernel at real ring 1, its sensitive instructions found by
# a scan of each block and executed by the monitor) and passes the
# scripted shell session of tests/kernel/session.sh with the same
# transcript as a native run.  The failures the trap strategy names (the
# IRET that leaves IF clear and IOPL alone, the pushed CS with RPL 1) do
# not occur; the report counts the blocks scanned, the instructions
# intercepted by kind (IRET and PUSHF, which the kernel executes) and the
# traps by cause, and compares with a native run of the same session: the
# same instructions (-smp 2 is refused: tests/vmm/trap.sh).  `info vmm` shows the virtual CPU
# beside the real one and the intercepts.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD (the build
# tree's), TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped, 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
[ -f "$KERNEL" ] || { echo "SKIP: $KERNEL not built"; exit 77; }
export KERNEL INITRD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-bt.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# A bad strategy: one line, status 2, naming the three.
"$RINGLAB" pg vmm --strategy bogus -nographic </dev/null >"$tmp/o" 2>"$tmp/e"
st=$?
if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 1 ] || ! grep -q 'trap, bt, pv and hw' "$tmp/e"; then
	echo "FAIL: --strategy bogus: status $st, stderr: $(cat "$tmp/e")"
	failed=1
fi

# The returns to ring 3 the monitor executes are in the trace as the
# engine's are: the same IRETs at the same instructions as natively.
returns() { # trace file: "icount cpl cs eip" of each return event
	sed -n 's/.*"icount":\([0-9]*\),.*"kind":"return".*"after":{"cpl":\([0-9]\),"cs":\([0-9]*\),"eip":\([0-9]*\).*/\1 \2 \3 \4/p' "$1"
}
"$RINGLAB" -kernel "$KERNEL" -initrd "$INITRD" -nographic --max-insns 30000000 \
	--trace "$tmp/native.json" </dev/null >/dev/null 2>&1
"$RINGLAB" pg vmm --strategy bt -kernel "$KERNEL" -initrd "$INITRD" -nographic \
	--max-insns 30000000 --trace "$tmp/bt.json" </dev/null >/dev/null 2>&1
returns "$tmp/native.json" >"$tmp/native.ret"
returns "$tmp/bt.json" >"$tmp/bt.ret"
if [ ! -s "$tmp/native.ret" ] || ! cmp -s "$tmp/native.ret" "$tmp/bt.ret"; then
	echo "FAIL: the returns to ring 3 under bt are not the native run's:"
	diff "$tmp/native.ret" "$tmp/bt.ret" | head
	failed=1
fi

# A test guest natively, under trap and under bt, with the exit status
# each must give; the output of the last run (bt) is left in $tmp/guest.out.
guest_runs() { # guest, then "run status" words
	g=$1
	shift
	for run in "$@"; do
		set -- $run
		if [ "$1" = native ]; then mon=""; else mon="pg vmm --strategy $1"; fi
		# shellcheck disable=SC2086 # the words are the arguments
		"$RINGLAB" $mon -kernel "$g" -nographic -no-reboot \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/guest.out" 2>&1
		st=$?
		if [ "$st" -ne "$2" ]; then
			echo "FAIL: $(basename "$g") ($1): status $st (want $2)"
			grep -E '^(vmm|guest)' "$tmp/guest.out"
			failed=1
		fi
	done
}

# tests/guests/ring0_forms: the same instructions in their other forms
# (segments with a base, an override, a 16-bit address, IRETW, RETFW,
# POPFW): natively and under bt they pass (status 1); under trap its
# first check fails (SGDT stores the shadow GDT: status 3).
FORMS=${FORMS:-tests/guests/ring0_forms.elf}
if [ -f "$FORMS" ]; then
	guest_runs "$FORMS" "native 1" "trap 3" "bt 1"
	# IRETW; RETFW and the far RET to ring 3 (step 8, which sees IOPL 3).
	grep -q -E '^vmm bt: [0-9]+ sensitive instructions intercepted: .*IRET 1, far RET 2' "$tmp/guest.out" ||
		{ echo "FAIL: ring0_forms: IRETW and the RETFs were not intercepted"; grep '^vmm bt' "$tmp/guest.out"; failed=1; }
	grep -q '^vmm bt: no failure of the deception was seen$' "$tmp/guest.out" ||
		{ echo "FAIL: ring0_forms: a failure named under bt"; grep '^vmm bt' "$tmp/guest.out"; failed=1; }
	# Step 8's far RET to ring 3, executed by the monitor, is in the trace
	# as the native run's is.
	for run in native bt; do
		if [ "$run" = native ]; then mon=""; else mon="pg vmm --strategy bt"; fi
		# shellcheck disable=SC2086 # the words are the arguments
		"$RINGLAB" $mon -kernel "$FORMS" -nographic -no-reboot --trace "$tmp/forms-$run.json" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >/dev/null 2>&1
		returns "$tmp/forms-$run.json" >"$tmp/forms-$run.ret"
	done
	if [ ! -s "$tmp/forms-native.ret" ] || ! cmp -s "$tmp/forms-native.ret" "$tmp/forms-bt.ret"; then
		echo "FAIL: ring0_forms: the far RET's return event under bt is not the native run's:"
		diff "$tmp/forms-native.ret" "$tmp/forms-bt.ret"
		failed=1
	fi
else
	echo "FAIL: $FORMS not built"
	failed=1
fi

# tests/guests/iret_nt: an IRET with NT set (a task return) at CPL 0.
# Natively it is one (#TS(0), the guest passes: status 1); bt does not
# emulate it and stops the run there (status 12, a guest error), the
# report naming the instruction and the place.
NT_GUEST=${NT_GUEST:-tests/guests/iret_nt.elf}
if [ -f "$NT_GUEST" ]; then
	guest_runs "$NT_GUEST" "native 1" "bt 12"
	grep -q -E '^vmm bt: FAILED: IRET with NT set \(a task return\) at 0009:00100[0-9a-f]{3} is not emulated: the run stopped there$' "$tmp/guest.out" ||
		{ echo "FAIL: iret_nt: the report does not name the IRET"; grep -E '^(vmm bt|ringlab)' "$tmp/guest.out"; failed=1; }
	grep -q '^guest' "$tmp/guest.out" && { echo "FAIL: iret_nt: the guest ran on past the IRET under bt"; failed=1; }
else
	echo "FAIL: $NT_GUEST not built"
	failed=1
fi

# tests/guests/v86_int: its IRET to virtual-8086 mode stops the run the
# same way under bt (status 12, the IRET named).
V86=${V86:-tests/guests/v86_int.elf}
if [ -f "$V86" ]; then
	"$RINGLAB" pg vmm --strategy bt -kernel "$V86" -nographic -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$tmp/v86.out" 2>&1
	st=$?
	if [ "$st" -ne 12 ] || ! grep -q -E '^vmm bt: FAILED: IRET with VM set \(to virtual-8086 mode\) at 0009:[0-9a-f]{8} is not emulated: the run stopped there$' "$tmp/v86.out"; then
		echo "FAIL: v86_int under bt: status $st (want 12), or the IRET not named:"
		grep -E '^(vmm bt|guest|ringlab)' "$tmp/v86.out"
		failed=1
	fi
fi

# tests/guests/ring0_view: a kernel that checks what ring 0 sees through
# PUSH CS, MOV r, CS/SS, SGDT, SIDT, LAR, LSL, STR, SMSW, POPF, PUSHF and
# IRET passes natively and under bt (status 1), and fails its first check
# under trap (PUSH CS pushes RPL 1: status 3).
GUEST=${GUEST:-tests/guests/ring0_view.elf}
if [ -f "$GUEST" ]; then
	guest_runs "$GUEST" "native 1" "trap 3" "bt 1"
	grep -q -E '^vmm bt: [0-9]+ sensitive instructions intercepted: PUSHF 3, POPF 2, IRET 1, PUSH CS/SS 1, MOV r, CS/SS 4, SGDT 1, SIDT 1, STR 1, SMSW 1, LAR 1, LSL 1' "$tmp/guest.out" ||
		{ echo "FAIL: ring0_view's intercepts:"; grep '^vmm bt' "$tmp/guest.out"; failed=1; }
else
	echo "note: $GUEST not built, its checks left out"
fi

# The debugger under the monitor: the virtual CPU (CPL 0, IF and IOPL as
# the guest set them, its own GDT) beside the real one (CPL 1, IOPL 0, the
# shadow), and the intercepts.
printf 'until insns 30000000\ninfo vmm\nq\n' |
	"$RINGLAB" pg vmm --strategy bt -kernel "$KERNEL" -initrd "$INITRD" --debugger \
		-nographic 2>&1 | tr -d '\r' >"$tmp/info"
for want in '^monitor: bt' '^  CPL        0 +1$' \
	'^  GDTR       c[0-9a-f]{7}/[0-9a-f]{4} +c009f000/[0-9a-f]{4} \(the shadow\)$' \
	'^[0-9]+ blocks scanned at virtual CPL 0, [1-9][0-9]* with a sensitive instruction$' \
	'^[1-9][0-9]* sensitive instructions intercepted: .*IRET [1-9]' \
	'^  at instruction [0-9]+: (IRET|PUSHF) at 0009:c01[0-9a-f]{5}, emulated$'; do
	grep -q -E "$want" "$tmp/info" || { echo "FAIL: info vmm lacks /$want/"; cat "$tmp/info"; failed=1; }
done

# The session natively, then under the monitor.
. "$here/sessions.sh"
monitor_sessions bt --strategy bt
tr -d '\r' <"$tmp/bt.log" >"$tmp/report"
check() { # regex, what it means
	grep -q -E "$1" "$tmp/report" || { echo "FAIL: $2: no line /$1/"; failed=1; }
}
check '^vmm bt: the guest kernel ran at ring 1 under the monitor; ' 'no report'
check '^vmm bt: [1-9][0-9]* blocks scanned at virtual CPL 0, [1-9][0-9]* with a sensitive instruction$' \
	'no blocks scanned'
# trapret's IRET and sysenter_entry's PUSHF, executed by the monitor.
check '^vmm bt: [1-9][0-9]* sensitive instructions intercepted: .*PUSHF [1-9][0-9]*, POPF [1-9][0-9]*, IRET [1-9]' \
	'IRET and PUSHF were not intercepted'
check '^vmm bt: event frames corrected: [1-9][0-9]* pushed in the kernel .*, [1-9][0-9]* moved from ring 1' \
	'no event frame corrected'
for cause in 'CLI [1-9]' 'STI [1-9]' 'HLT [1-9]' 'OUT [1-9]' 'LGDT 1' 'MOV CR3, r [1-9]' \
	'SYSENTER [1-9]' 'SYSEXIT [1-9]'; do
	check "^vmm bt: [0-9]+ traps emulated: .*$cause" "no $cause in the traps by cause"
done
check '^vmm bt: no failure of the deception was seen$' 'a failure was named'
grep -q '^vmm bt: FAILED' "$tmp/report" && { grep '^vmm bt: FAILED' "$tmp/report"; failed=1; }
# The native run of the same session: the same instructions.
same_instructions bt "$tmp/report"

[ "$failed" -eq 0 ] || exit 1
echo "ok: the session under the bt monitor matches the native one; $(grep '^vmm bt: [0-9]* sensitive' "$tmp/report")"
