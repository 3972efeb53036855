#!/bin/sh
# tests/kernel/compare.sh — the scripted session (session.sh) under
# qemu-system-i386 and under ringlab must agree: the same console
# transcript, and the same synchronous events (exceptions and int 0x80, not
# IRQs) in their -d int logs, in the same order.
#
# For the logs to show system calls, both get a CPU without SEP
# (CPU_FLAGS, default "-cpu pentium"), so the user library uses int 0x80.
#
# Which process runs when depends on where the timer ticks fall. ringlab's
# clock follows the instructions it executes; QEMU's follows the host's
# clock unless told otherwise, and on a busy host a stalled QEMU then takes
# several ticks in a row and may reorder two processes' events.
# QEMU_FLAGS (default "-icount shift=3": one instruction, 8 ns) gives QEMU
# an instruction-driven clock too.
#
# Environment: QEMU (default qemu-system-i386), RINGLAB (default ./ringlab),
# CPU_FLAGS, QEMU_FLAGS, RINGLAB_FLAGS (extra options for ringlab), TIMEOUT,
# OUT (prefix of the files it leaves).
# Exit status: 0 pass, 1 fail, 77 skipped (one of the two emulators is
# missing), 99 hard error.

QEMU=${QEMU:-qemu-system-i386}
RINGLAB=${RINGLAB:-./ringlab}
CPU_FLAGS=${CPU_FLAGS--cpu pentium}
QEMU_FLAGS=${QEMU_FLAGS--icount shift=3}
RINGLAB_FLAGS=${RINGLAB_FLAGS-}
OUT=${OUT:-tests/kernel/compare}
here=$(dirname "$0")

for emu in "$QEMU" "$RINGLAB"; do
	if ! command -v "$emu" >/dev/null 2>&1; then
		echo "SKIP: $emu not found"
		exit 77
	fi
done
mkdir -p "$(dirname "$OUT")"

# events LOG: one line per synchronous event: vector, error code, CPL,
# CS:EIP, and EAX for int 0x80 (the call number) or CR2 for #PF.
events() {
	grep -E '^ *[0-9]+: v=' "$1" | grep -v -E ' v=2[0-9a-f] ' |
		sed -e 's/^ *[0-9]*: //' -e 's/ pc=[0-9a-f]*//' -e 's/ SP=[0-9a-f:]*//'
}

status=0
# shellcheck disable=SC2086
EMU=$QEMU EMU_FLAGS="$CPU_FLAGS $QEMU_FLAGS -d int -D $OUT-qemu.int" \
	TRANSCRIPT=$OUT-qemu.transcript LOG=$OUT-qemu.log \
	sh "$here/session.sh" || exit 1
# shellcheck disable=SC2086
EMU=$RINGLAB EMU_FLAGS="$CPU_FLAGS $RINGLAB_FLAGS -d int -D $OUT-ringlab.int" \
	TRANSCRIPT=$OUT-ringlab.transcript LOG=$OUT-ringlab.log \
	COMPARE_WITH=$OUT-qemu.transcript sh "$here/session.sh" || status=1

events "$OUT-qemu.int" >"$OUT-qemu.events"
events "$OUT-ringlab.int" >"$OUT-ringlab.events"
if [ ! -s "$OUT-qemu.events" ]; then
	echo "FAIL: no events in QEMU's -d int log"
	status=1
elif ! diff -u "$OUT-qemu.events" "$OUT-ringlab.events" >"$OUT.events.diff"; then
	echo "FAIL: the synchronous events differ (first lines of $OUT.events.diff):"
	head -20 "$OUT.events.diff"
	status=1
fi
[ $status -eq 0 ] && echo "PASS: $RINGLAB and $QEMU agree ($(wc -l <"$OUT-qemu.events") events)"
exit $status
