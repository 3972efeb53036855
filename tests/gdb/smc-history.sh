#!/bin/sh
# tests/gdb/smc-history.sh: code rewritten between snapshots still runs as
# rewritten.  tests/gdb/smc_history.elf rewrites and calls a program 64
# times; under the text debugger with a snapshot every 1,000 instructions
# the history and the code guard protect the same pages, and the guest must
# pass (isa-debug-exit status 1) as it does in a plain run.
# Environment: RINGLAB (default ./ringlab), GUEST, TIMEOUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab).
RINGLAB=${RINGLAB:-./ringlab}
GUEST=${GUEST:-tests/gdb/smc_history.elf}
TIMEOUT=${TIMEOUT:-60}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$GUEST" ] || { echo "ERROR: $GUEST missing"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'c\nq\n' >"$tmp/script"
exitdev="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
failures=0

# shellcheck disable=SC2086
timeout "$TIMEOUT" "$RINGLAB" -kernel "$GUEST" -nographic $exitdev </dev/null >"$tmp/plain" 2>&1
[ $? -eq 1 ] || { echo "FAIL: the plain run did not pass:"; cat "$tmp/plain"; failures=1; }

# shellcheck disable=SC2086
timeout "$TIMEOUT" "$RINGLAB" -kernel "$GUEST" $exitdev --snapshot-every 1000 \
	--debugger-script "$tmp/script" </dev/null >"$tmp/history" 2>&1
if ! grep -q 'isa-debug-exit: status 1$' "$tmp/history"; then
	echo "FAIL: with snapshots every 1000 instructions the guest did not pass:"
	cat "$tmp/history"
	failures=1
fi
[ $failures -eq 0 ] && echo "PASS: rewritten code ran as rewritten, with and without history"
exit $failures
