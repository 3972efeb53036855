#!/bin/sh
# tests/debug/session.sh: the text debugger on the bundled kernel, driven by
# tests/debug/hello-segv.dbg, its transcript checked line by line, in order:
#   until syscall stops at hello's write (CPL 3 before, CPL 0 after, EAX the
#   write number), r shows the kernel's side, info tss shows the ESP0 the
#   crossing used, until fault stops at segv's #PF and page explains CR2,
#   and c goes back to the shell's prompt.
# Environment: RINGLAB (default ./ringlab), SCRIPT, TIMEOUT, OUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab).

RINGLAB=${RINGLAB:-./ringlab}
here=$(cd "$(dirname "$0")" && pwd)
SCRIPT=${SCRIPT:-$here/hello-segv.dbg}
TIMEOUT=${TIMEOUT:-120}
OUT=${OUT:-tests/debug/session.transcript}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
mkdir -p "$(dirname "$OUT")"

timeout "$TIMEOUT" "$RINGLAB" --debugger-script "$SCRIPT" </dev/null >"$OUT" 2>&1
status=$?
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
[ $status -eq 0 ] || fail "ringlab exited with status $status"

# in_order REGEX...: each extended regex matches a line after the line the
# one before matched.
in_order() {
	from=1
	for re in "$@"; do
		at=$(tail -n "+$from" "$OUT" | grep -n -E -m 1 -e "$re" | cut -d: -f1)
		if [ -z "$at" ]; then
			echo "missing, after line $((from - 1)): $re"
			return 1
		fi
		from=$((from + at))
	done
}

SYS_write=$(sed -n 's/^#define SYS_write *\([0-9]*\).*/\1/p' "$here/../../guests/kernel/syscall.h")
WRITE_EAX=$(printf '%08x' "$SYS_write")
in_order \
	'^<ringlab> until syscall$' \
	"^stopped after event [0-9]+ at icount [0-9]+: (sysenter|int 0x80), CPL 3 001b:[0-9a-f]{8} \\(stack 0023:bf[0-9a-f]{6}\\) -> CPL 0 0008:c0[0-9a-f]{6} \\(stack 0010:c[0-9a-f]{7}\\), EAX=$WRITE_EAX$" \
	'^\[CPL 0\] 0008:c0[0-9a-f]{6} <(sysenter_entry|vector128)>' \
	'^<ringlab> r$' \
	"^eax: 0x$WRITE_EAX " \
	'^CPL 0$' \
	'^cs   0x0008 \(GDT index 1, RPL 0\)$' \
	'^     cache: code, ring 0, execute/read, 32-bit, base 0x00000000, limit 0xffffffff' \
	'^ds   0x0023 \(GDT index 4, RPL 3\)$' \
	'^tr   0x0028 \(GDT index 5, RPL 0\)$' \
	'^cr0 0x8[0-9a-f]{7}: PG ' \
	'^<ringlab> info tss$' \
	'^  ss0:esp0 0010:c[0-9a-f]{7} ' \
	'^<ringlab> info ring$' \
	'^CPL 0: ring 0 \(kernel\)' \
	'^<ringlab> s$' \
	'^\[CPL 0\] 0008:c0' \
	'^<ringlab> until fault$' \
	'^stopped after event [0-9]+ at icount [0-9]+: #PF e=0004, CPL 3 001b:0804[0-9a-f]{4} \(stack 0023:bf[0-9a-f]{6}\) -> CPL 0 0008:c0[0-9a-f]{6} \(stack 0010:c[0-9a-f]{7}\), CR2=00000000' \
	'^  why: user read of not-present page 0x00000000' \
	'^<ringlab> page cr2$' \
	'^linear 0x00000000: directory index 0, table index 0, offset 0x000$' \
	'^  user read +#PF\(0x4\): user read of not-present page 0x00000000' \
	'^<ringlab> info events 2$' \
	'^<ringlab> b kernel:console_read$' \
	'^breakpoint 5 at 0xc0[0-9a-f]{6} <console_read>$' \
	'^pid [0-9]+ \(segv\): #PF user read of not-present page 0x00000000' \
	'^breakpoint 5$' \
	'^<ringlab> q$' || failures=$((failures + 1))

# The ESP0 info tss shows is the stack the crossing switched to: the ESP
# after the delivery (r) lies just below it.
esp0=$(sed -n 's/^  ss0:esp0 0010:\([0-9a-f]*\) .*/\1/p' "$OUT" | head -n 1)
esp=$(sed -n 's/^esp: 0x\([0-9a-f]*\) .*/\1/p' "$OUT" | head -n 1)
if [ -n "$esp0" ] && [ -n "$esp" ]; then
	below=$((0x$esp0 - 0x$esp))
	[ $below -ge 0 ] && [ $below -le 64 ] ||
		fail "ESP 0x$esp is not just below TSS.ESP0 0x$esp0"
else
	fail "no ESP0 or ESP in the transcript"
fi

if [ $failures -ne 0 ]; then
	echo "--- transcript ($OUT) ---"
	cat "$OUT"
	exit 1
fi
echo "PASS: debugger session (hello's write, segv's fault, back to the prompt)"
exit 0
