#!/bin/sh
# tests/cli/determinism.sh: the same image and input give the same run, the
# time-stamp counter included; --timeout holds whatever the guest does.
#
#   - a guest times a fixed loop with RDTSC, three times over: the same
#     count each run, and the count the virtual clock promises (one tick an
#     instruction: the loop's 2000 instructions, the MOVs and the RDTSC);
#   - a guest that triple-faults at once, without -no-reboot, resets and
#     boots again forever: --timeout 2 still ends it, soon after 2 seconds,
#     with the machine reset many times and resident memory bounded;
#   - two CPUs (the smp_start guest, -smp 2): two runs give the same trace,
#     event for event, each with the CPU it happened on, and both CPUs
#     have events in it.
#
# Environment: RINGLAB (default ./ringlab), SMP_GUEST (default
# tests/guests/smp_start.elf, built by make check).
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab).

RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-det.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# rdtsc; mov esi, eax; mov ecx, 1000; .l: dec ecx; jnz .l; rdtsc; sub eax, esi;
# then EAX's four bytes to the 0xE9 console; cli; hlt
printf '\017\061\211\306\271\350\003\000\000\111\165\375\017\061\051\360' >"$tmp/tsc.bin"
printf '\146\272\351\000\356\301\350\010\356\301\350\010\356\301\350\010\356\372\364' >>"$tmp/tsc.bin"
for run in 1 2 3; do
	"$RINGLAB" "$tmp/tsc.bin" -debugcon "file:$tmp/tsc.$run" </dev/null >/dev/null 2>&1
done
count=$(od -An -tu4 "$tmp/tsc.1" | tr -d ' ')
[ "$count" = 2003 ] || fail "RDTSC measured $count ticks for 2003 instructions"
cmp -s "$tmp/tsc.1" "$tmp/tsc.2" && cmp -s "$tmp/tsc.1" "$tmp/tsc.3" ||
	fail "RDTSC gave different counts in three runs: $(od -An -tu4 "$tmp"/tsc.[123] | tr '\n' ' ')"

# Two CPUs taking turns: the same trace twice.
smp_guest=${SMP_GUEST:-tests/guests/smp_start.elf}
if [ -f "$smp_guest" ]; then
	for run in 1 2; do
		"$RINGLAB" -kernel "$smp_guest" -smp 2 -nographic \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			--trace "$tmp/smp.$run.jsonl" -d int -D "$tmp/smp.$run.log" </dev/null >/dev/null 2>&1
		echo $? >"$tmp/smp.$run.status"
	done
	[ "$(cat "$tmp/smp.1.status")" = 1 ] && [ "$(cat "$tmp/smp.2.status")" = 1 ] ||
		fail "smp_start with -smp 2 exited with $(cat "$tmp"/smp.[12].status | tr '\n' ' ')(want 1)"
	cmp -s "$tmp/smp.1.jsonl" "$tmp/smp.2.jsonl" && cmp -s "$tmp/smp.1.log" "$tmp/smp.2.log" ||
		fail "two runs with -smp 2 gave different traces"
	[ "$(grep -c '"cpu":0,' "$tmp/smp.1.jsonl")" -ge 3 ] &&
		[ "$(grep -c '"cpu":1,' "$tmp/smp.1.jsonl")" -ge 3 ] ||
		fail "the -smp 2 trace lacks events of both CPUs"
else
	fail "no $smp_guest (make check builds it)"
fi

# int3 with no IDT: a triple fault at once, then a reset, again and again.
printf '\314' >"$tmp/int3.bin"
start=$(date +%s)
"$RINGLAB" "$tmp/int3.bin" -m 512 --timeout 2 -d cpu_reset -D "$tmp/resets.log" \
	</dev/null >/dev/null 2>"$tmp/err" &
pid=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
	[ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
	sleep 0.1
	[ $(($(date +%s) - start)) -gt 20 ] && { kill "$pid"; break; }
done
wait "$pid"
status=$?
elapsed=$(($(date +%s) - start))
[ $status -eq 8 ] || fail "the reset loop under --timeout 2 exited with status $status, not 8"
grep -q -- '--timeout reached' "$tmp/err" || fail "no --timeout line: $(cat "$tmp/err")"
[ "$elapsed" -le 6 ] || fail "--timeout 2 took $elapsed s"
resets=$(grep -c 'CPU Reset' "$tmp/resets.log")
[ "$resets" -ge 10 ] || fail "only $resets resets in 2 s"
# 512 MiB of guest RAM is taken from the host only as it is touched, and a
# reset must not add translation buffers: far below the RAM size.
[ "$peak" -lt 262144 ] || fail "resident memory reached $peak KiB over the resets"

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "PASS: deterministic TSC ($count ticks, three runs); --timeout in a reset loop ($resets resets, peak $peak KiB)"
exit 0
