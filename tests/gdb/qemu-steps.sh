#!/bin/sh
# tests/gdb/qemu-steps.sh [GUEST...]: each test guest (by default stack_switch,
# sysenter, gate_dpl, iret_checks) under ringlab's gdb
# stub and under QEMU's, stepped one instruction at a time by the same gdb
# script (tests/gdb/steps.py) from `main` to its end; the registers gdb
# reads at every stop must agree, across INT n from ring 3 with the TSS's
# stack, trap gates, faults, IRET, SYSENTER and SYSEXIT: a step stops where
# the CPU really goes, the handler's first instruction or the one after
# the return.  Where QEMU departs from the SDM, tests/gdb/G.steps.sdm lists
# the stops and registers that differ, and the values each machine has;
# any other difference fails.  Skipped without qemu-system-i386 or gdb.
#
# Environment: RINGLAB, QEMU, GDB, GUEST_DIR, TIMEOUT.
QEMU=${QEMU:-qemu-system-i386}
GUEST_DIR=${GUEST_DIR:-tests/guests}
. "$(dirname "$0")/common.sh"
need_tools gdb-steps
command -v "$QEMU" >/dev/null 2>&1 || { echo "SKIP: $QEMU not found"; exit 77; }
: >"$tmp/none"
exitdev="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
failures=0
[ $# -gt 0 ] || set -- stack_switch sysenter gate_dpl iret_checks
for g in "$@"; do
	elf=$GUEST_DIR/$g.elf
	[ -f "$elf" ] || { echo "ERROR: $elf missing"; exit 99; }
	# shellcheck disable=SC2086
	start_stub "$tmp/$g.ringlab.console" "$tmp/none" -kernel "$elf" -nographic -no-reboot $exitdev
	OUT=$tmp/$g.ringlab run_gdb "$(dirname "$0")/steps.py" "$elf" >"$tmp/$g.ringlab.gdb" 2>&1
	stop_stub
	# QEMU's stub, on a port of its own.
	qport=$((port + 1))
	# shellcheck disable=SC2086
	"$QEMU" -kernel "$elf" -nographic -no-reboot -display none -S -gdb "tcp::$qport" $exitdev \
		</dev/null >"$tmp/$g.qemu.console" 2>&1 &
	qpid=$!
	sleep 1
	port=$qport OUT=$tmp/$g.qemu run_gdb "$(dirname "$0")/steps.py" "$elf" >"$tmp/$g.qemu.gdb" 2>&1
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	# QEMU's stub now and then answers a step with a stop where nothing
	# moved (its timer broke into the step): such a stop says nothing and
	# is left out, on both sides; then the stops are numbered again.
	for side in qemu ringlab; do
		awk '{ $1 = ""; if ($0 != prev) print; prev = $0 }' "$tmp/$g.$side" |
			awk '{ printf "%5d%s\n", NR - 1, $0 }' >"$tmp/$g.$side.moved"
		mv "$tmp/$g.$side.moved" "$tmp/$g.$side"
	done
	n=$(wc -l <"$tmp/$g.ringlab")
	if [ "$n" -lt 10 ]; then
		echo "FAIL: $g: ringlab's session stopped after $n steps"
		cat "$tmp/$g.ringlab.gdb" "$tmp/$g.ringlab.console.err"
		failures=$((failures + 1))
	elif [ "$(wc -l <"$tmp/$g.qemu")" -ne "$n" ]; then
		echo "FAIL: $g: $n stops under ringlab, $(wc -l <"$tmp/$g.qemu") under QEMU"
		diff "$tmp/$g.qemu" "$tmp/$g.ringlab" | head -8
		failures=$((failures + 1))
	else
		# Every register of every stop: "STEP REG QEMU RINGLAB" where they differ.
		paste -d ' ' "$tmp/$g.qemu" "$tmp/$g.ringlab" | awk '{
			half = NF / 2
			for (i = 2; i <= half; i++) {
				split($i, q, "="); split($(i + half), r, "=")
				if (q[2] != r[2]) print $1, q[1], q[2], r[2]
			}
		}' >"$tmp/$g.differ"
		sdm=$(dirname "$0")/$g.steps.sdm
		if [ -f "$sdm" ]; then
			grep -v '^#' "$sdm" | grep -v '^$' >"$tmp/$g.expected"
		else
			: >"$tmp/$g.expected"
		fi
		if ! cmp -s "$tmp/$g.differ" "$tmp/$g.expected"; then
			echo "FAIL: $g: where the registers differ from QEMU's (STEP REG QEMU RINGLAB):"
			diff "$tmp/$g.expected" "$tmp/$g.differ" | head -12
			failures=$((failures + 1))
		else
			echo "ok   $g: $n stops, the registers QEMU's stub shows at each" \
				"($(wc -l <"$tmp/$g.expected") SDM difference(s), $(basename "$sdm"))"
		fi
	fi
done
[ $failures -eq 0 ] || exit 1
echo "PASS: single steps stop where QEMU's stub stops, with the same registers"
