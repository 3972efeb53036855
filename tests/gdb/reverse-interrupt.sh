#!/bin/sh
# tests/gdb/reverse-interrupt.sh: Ctrl-C ends a reverse-continue
# (tests/gdb/reverse_interrupt.py, a raw client) as it ends a forward run:
# with SIGINT where the replay got to, and the stub goes on serving.
#
# Environment: RINGLAB, GDB, PYTHON, TIMEOUT.
PYTHON=${PYTHON:-python3}
. "$(dirname "$0")/common.sh"
need_tools gdb-reverse-interrupt
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: $PYTHON not found"; exit 77; }
: >"$tmp/none"
printf '\353\376' >"$tmp/spin.bin" # jmp $
start_stub "$tmp/console" "$tmp/none" "$tmp/spin.bin" -nographic
PORT=$port timeout "$TIMEOUT" "$PYTHON" "$(dirname "$0")/reverse_interrupt.py"
status=$?
stop_stub
if [ $status -ne 0 ]; then
	echo "--- ringlab's stderr"
	cat "$tmp/console.err"
	echo "FAIL: (client status $status)"
	exit 1
fi
echo "PASS: Ctrl-C ends a reverse-continue, and the stub goes on"
