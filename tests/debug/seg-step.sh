#!/bin/sh
# tests/debug/seg-step.sh: stepping onto an instruction that breaks a
# segment limit.  In tests/guests/seg_limit.elf, `mov ebx, [es:0xffd]` at
# main.f1 crosses ES's limit 0xfff: one `s` from there ends where the CPU
# goes, at the #GP handler's first instruction (exc_stub_13) with the
# instruction not executed (EBX still 0), as a step onto any other
# faulting instruction does; `info events` explains the fault.
# Environment: RINGLAB (default ./ringlab), GUEST, TIMEOUT, OUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab or no guest).

RINGLAB=${RINGLAB:-./ringlab}
GUEST=${GUEST:-tests/guests/seg_limit.elf}
TIMEOUT=${TIMEOUT:-60}
OUT=${OUT:-tests/debug/seg-step.transcript}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built"; exit 77; }
mkdir -p "$(dirname "$OUT")"
script=$OUT.dbg
printf 'b main.f1\nc\ns\nr\ninfo events\nq\n' >"$script"
timeout "$TIMEOUT" "$RINGLAB" -kernel "$GUEST" -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 --debugger-script "$script" \
	</dev/null >"$OUT" 2>&1
failures=0
want() {
	grep -q -E -e "$1" "$OUT" || { echo "FAIL: no line matching: $1"; failures=$((failures + 1)); }
}
want '^\[CPL 0\] 0008:[0-9a-f]{8} <main\.f1> .*mov ebx, dword ptr es:\[0xffd\]$'
want '^<ringlab> s$'
want '^\[CPL 0\] 0008:[0-9a-f]{8} <exc_stub_13> '
want '^eip: 0x[0-9a-f]{8} <exc_stub_13>$'
want ' ebx: 0x00000000 '
want 'ES:0x00000ffd\.\.0x00001000 \(4 bytes\) ends past ES.s limit 0x00000fff'
if [ $failures -ne 0 ]; then
	echo "--- transcript ($OUT) ---"
	cat "$OUT"
	exit 1
fi
echo "PASS: a step onto a segment-limit fault ends at the handler"
exit 0
