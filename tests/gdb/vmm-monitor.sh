#!/bin/sh
# tests/gdb/vmm-monitor.sh: the stub under `ringlab pg vmm --strategy S`,
# for each S: gdb stops the kernel at its scheduler and `monitor info vmm`
# answers with that monitor's account (the debugger's command, run by the
# stub), its virtual CPU beside the real one.
#
# Environment: RINGLAB, GDB, TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no gdb), 99 hard error.
. "$(dirname "$0")/common.sh"
need_tools gdb-vmm
: >"$tmp/input"
failed=0
for s in trap bt pv hw; do
	kernel=guests/kernel/kernel.elf
	[ "$s" = pv ] && kernel=guests/kernel/kernel-pv.elf
	[ -f "$kernel" ] || { echo "ERROR: $kernel missing (build it first)"; exit 99; }
	STUB_FIRST="pg vmm --strategy $s" start_stub "$tmp/$s.console" "$tmp/input" -nographic
	cat >"$tmp/$s.gdb" <<GDB
set pagination off
target remote :$port
break scheduler
continue
monitor info vmm
kill
GDB
	timeout "$TIMEOUT" "$GDB" -nx -batch -q "$kernel" -x "$tmp/$s.gdb" </dev/null >"$tmp/$s.out" 2>&1
	stop_stub
	case $s in
	trap) want='^monitor: trap, trap-and-emulate' row='^  GDTR +c[0-9a-f]{7}/[0-9a-f]{4} +c009f000/' ;;
	bt) want='^monitor: bt, binary translation' row='^[0-9]+ blocks scanned at virtual CPL 0' ;;
	pv) want='^monitor: pv, paravirtualization' row='^[0-9]+ hypercalls: ' ;;
	hw) want='^monitor: hw' row='CPL' ;;
	esac
	if grep -q -E "$want" "$tmp/$s.out" && grep -q -E "$row" "$tmp/$s.out"; then
		echo "ok   monitor info vmm under $s"
	else
		echo "FAIL: monitor info vmm under $s did not answer; gdb said:"
		sed 's/^/    /' "$tmp/$s.out" | head -20
		failed=1
	fi
done
exit $failed
