#!/bin/sh
# tests/kernel/ring1-limit.sh — "ring1 limit" on the bundled kernel: the
# kernel cuts ring 1's segments off at 0xBFFFFFFF, below itself, and the
# ring-1 service then reads the kernel's page 0xC0100000 through DS.
#
# The SDM (Vol. 3A 5.3): that access is past DS's limit, #GP(0); the kernel
# kills the caller and says why. ringlab must do that: its -d int log has
# the one #GP(0) from CPL 1, at the service's load, with the explanation
# naming DS, the offset and the limit.
#
# QEMU 7.2 (TCG) checks no data segment limits either: the read succeeds,
# and the program says so. That is checked too, as the documented
# difference (README, "Faithfulness, measured"): if QEMU ever faults here,
# the documentation has gone stale and this test fails.
#
# Both runs must agree on everything before the read: the new limit, as
# ring 1 sees it with LSL, and ring 1 still reading ring 3's memory.
#
# Environment: QEMU (default qemu-system-i386), RINGLAB (default
# ./ringlab), KERNEL, INITRD, TIMEOUT, OUT (prefix of the files it leaves).
# Exit status: 0 pass, 1 fail, 77 skipped (neither emulator), 99 hard error.

QEMU=${QEMU:-qemu-system-i386}
RINGLAB=${RINGLAB:-./ringlab}
OUT=${OUT:-tests/kernel/ring1-limit}
here=$(dirname "$0")

if [ -n "$RING1_LIMIT_EXPECT" ]; then
	# One run: EMU, and what to expect of it (sdm or qemu).
	LOG=$OUT-$RING1_LIMIT_EXPECT.log
	INTLOG=$OUT-$RING1_LIMIT_EXPECT.int
	. "$here/emulator.sh"
	require_emulator ring1-limit
	mkdir -p "$(dirname "$OUT")"
	rm -f "$INTLOG"
	start_emulator "$LOG" -d int -D "$INTLOG"
	. "$here/shell.sh"
	finish() {
		stop_emulator
		if [ $failures -ne 0 ]; then
			echo "--- $EMU's console ---"
			transcript
			exit 1
		fi
		echo "PASS: $EMU: $RING1_LIMIT_EXPECT"
		exit 0
	}

	wait_count '^\$ ' 1
	run 'ring1 limit'
	has "ring1: ring1_limit(1): the kernel cuts ring 1's segments off at 0xbfffffff"
	has 'ring1: in ring 1: CS 0x0031 (CPL 1), SS 0x0041, ESP 0xbffffff0, IOPL 1, DS limit 0xbfffffff'
	has_re "^ring1: ring 1 reads ring 3's word at 0x0[0-9a-f]{7}: 0x12345678\$"
	has "ring1: ring 1 reads the kernel's page 0xc0100000 again"
	stop_emulator
	# The fault as the CPU reports it: in ring 1, at the service's load.
	gp_ring1=$(grep -c -E '^ *[0-9]+: v=0d e=0000 i=0 cpl=1 IP=0031:bfc[0-9a-f]{5} ' "$INTLOG")
	if [ "$RING1_LIMIT_EXPECT" = sdm ]; then
		has_re "^pid [0-9]+ \\(ring1\\): #GP\\(0\\) in ring 1 at eip 0xbfc[0-9a-f]{5}: \\[ds:0xc0100000\\] is past DS's limit 0xbfffffff$KILLED"
		count_re 'this CPU did not check it' 0
		[ "$gp_ring1" -eq 1 ] || fail "expected one #GP(0) from CPL 1 in $INTLOG, saw $gp_ring1"
		grep -q "why: \`mov eax, dword ptr \[ebx\]\`: DS:0xc0100000..0xc0100003 (4 bytes) is past DS's limit 0xbfffffff (selector 0x0039): #GP(0)" "$INTLOG" ||
			fail "no explanation of the #GP naming DS, the offset and the limit in $INTLOG"
	else
		has 'ring1: read 0x1badb002 past DS'"'"'s limit: this CPU did not check it (the SDM says #GP(0))'
		count_re 'in ring 1 at eip' 0
		[ "$gp_ring1" -eq 0 ] || fail "$EMU raised #GP in ring 1: it checks segment limits now; update the README and this test"
	fi
	finish
fi

status=77
for run in "$QEMU qemu" "$RINGLAB sdm"; do
	set -- $run
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "SKIP: $1 not found"
		continue
	fi
	if EMU=$1 RING1_LIMIT_EXPECT=$2 sh "$0"; then
		[ $status -eq 77 ] && status=0
	else
		status=1
	fi
done
exit $status
