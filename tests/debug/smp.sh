#!/bin/sh
# tests/debug/smp.sh: the text debugger on a machine with two CPUs (the
# smp_start guest, -smp 2).
#   1. info cpus before the start-up IPI: CPU 0 running at _start, CPU 1
#      waiting for SIPI; a breakpoint at ap32 stops on CPU 1, and the
#      prompt's line and info cpus say so; `cpu 0` and `r` show the BSP,
#      `cpu 1` and `r` the AP; `s` with CPU 1 chosen steps the AP (CPU 0's
#      EIP does not move), and with CPU 0 chosen steps CPU 0; info events names the CPU of each event.
#   2. A run stepped and stopped on both CPUs, and looked at on the CPU
#      not running (r, u, info tss, x, info cpus), tells the same story as
#      a straight run: the same -d int log and the same JSON trace.
#   3. Going back with two CPUs: `back` to the start and forward again
#      reaches the same CPU states, and the guest then passes.
# Environment: RINGLAB (default ./ringlab), GUEST, TIMEOUT, OUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab or no guest).

RINGLAB=${RINGLAB:-./ringlab}
GUEST=${GUEST:-tests/guests/smp_start.elf}
TIMEOUT=${TIMEOUT:-60}
OUT=${OUT:-tests/debug/smp.transcript}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built"; exit 77; }
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d)
trap '[ -n "$KEEP" ] || rm -rf "$tmp"' EXIT
exitdev="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
failures=0
fail() {
	echo "FAIL: $1"
	failures=$((failures + 1))
}
debugger() { # SCRIPT-TEXT OUTPUT ARGS...
	printf "$1" >"$tmp/script"
	out=$2
	shift 2
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" "$RINGLAB" -kernel "$GUEST" -smp 2 -nographic $exitdev "$@" \
		--debugger-script "$tmp/script" </dev/null >"$out" 2>&1
}
want() { # FILE PATTERN
	grep -q -E -e "$2" "$1" || fail "no line matching: $2 (in $(basename "$1"))"
}

# 1. the commands
debugger 'info cpus\nb ap32\nc\ninfo cpus\ncpu 0\nr\ncpu 1\nr\ns\ncpu 0\ns\ninfo events 6\ncpu 7\nq\n' "$OUT"
want "$OUT" '^\* 0    0        running           0    0008:[0-9a-f]{8}  \(ran last\)$'
want "$OUT" '^  1    1        waiting for SIPI  -    -$'
want "$OUT" '^\[CPU 1, CPL 0\] 0008:[0-9a-f]{8} <ap32> '
want "$OUT" '^\* 1    1        running           0    0008:[0-9a-f]{8}  \(ran last\)$'
want "$OUT" '^CPU 0 of 2: \[CPU 0, CPL 0\] 0008:[0-9a-f]{8} <main\.wait'
want "$OUT" '^eip: 0x[0-9a-f]{8} <main\.wait'
want "$OUT" '^eip: 0x[0-9a-f]{8} <ap32>$'
want "$OUT" '^\[CPU 1, CPL 0\] 0008:[0-9a-f]{8} <ap32\+0x4> '
want "$OUT" '^event [0-9]+ at icount [0-9]+ on CPU 0: int 0x31'
want "$OUT" '^event [0-9]+ at icount [0-9]+ on CPU 1: int 0x31'
want "$OUT" "^cpu: '7' is not a CPU \(0 to 1\)$"
# With CPU 1 in the middle of its turn, `s` on CPU 0 steps CPU 0.
[ "$(sed -n '/^<ringlab> s$/{n;p}' "$OUT" | tail -1 | cut -c1-15)" = "[CPU 0, CPL 0] " ] ||
	fail "s with CPU 0 chosen did not step CPU 0"
# CPU 0 did not move while CPU 1 stepped: the same EIP before and after.
bsp_before=$(sed -n 's/^CPU 0 of 2: \[CPU 0, CPL 0\] \(0008:[0-9a-f]*\).*/\1/p' "$OUT" | head -1)
bsp_after=$(sed -n 's/^CPU 0 of 2: \[CPU 0, CPL 0\] \(0008:[0-9a-f]*\).*/\1/p' "$OUT" | tail -1)
[ -n "$bsp_before" ] && [ "$bsp_before" = "$bsp_after" ] ||
	fail "CPU 0 moved from $bsp_before to $bsp_after while CPU 1 took a step"

# 2. stepping either CPU changes nothing of the run
debugger 'c\nq\n' "$tmp/straight.out" -d int -D "$tmp/straight.log" --trace "$tmp/straight.jsonl"
debugger 'b ap32\nc\ncpu 1\ns 7\ncpu 0\nr\nu\ninfo tss\ns 3\ncpu 1\ninfo cpus\nx/4w esp\ncpu 0\nn 2\ncpu 1\ns 40\ncpu 0\ns\nd 1\nc\nq\n' \
	"$tmp/stepped.out" -d int -D "$tmp/stepped.log" --trace "$tmp/stepped.jsonl"
want "$tmp/straight.out" 'isa-debug-exit: status 1$'
want "$tmp/stepped.out" 'isa-debug-exit: status 1$'
cmp -s "$tmp/straight.log" "$tmp/stepped.log" && cmp -s "$tmp/straight.jsonl" "$tmp/stepped.jsonl" ||
	fail "the run stepped on both CPUs gave another trace than the straight run"
[ "$(grep -c '"cpu":1,' "$tmp/stepped.jsonl")" -ge 3 ] || fail "the trace lacks CPU 1's events"

# 3. back and forward again
debugger 'b ap32+0x1a\nc\ninfo cpus\nback 20000\ninfo cpus\ns 20000\ninfo cpus\nd 1\nc\nq\n' \
	"$tmp/back.out" --snapshot-every 1000
sed -n '/^<ringlab> info cpus$/,/^(\*/p' "$tmp/back.out" >"$tmp/cpus"
awk '/^<ringlab> info cpus$/ { n++ } { print > ("'"$tmp"'/cpus." n) }' "$tmp/cpus"
cmp -s "$tmp/cpus.1" "$tmp/cpus.3" || fail "back 20000 and s 20000 did not come back to the same CPUs"
cmp -s "$tmp/cpus.1" "$tmp/cpus.2" && fail "back 20000 did not change the CPUs"
want "$tmp/back.out" '^back 20000 instructions, at instruction '
want "$tmp/back.out" 'isa-debug-exit: status 1$'

if [ $failures -ne 0 ]; then
	for f in "$OUT" "$tmp/stepped.out" "$tmp/back.out"; do
		echo "--- $f"
		cat "$f"
	done
	exit 1
fi
echo "PASS: info cpus, cpu N and stepping either CPU; stepped and straight runs agree; back and forward with two CPUs"
