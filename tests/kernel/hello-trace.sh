#!/bin/sh
# tests/kernel/hello-trace.sh — the ring crossings of "hello", as the
# emulator's "-d int" log shows them.
#
# Boots the bundled kernel, types "hello" at the shell, and reads the
# synchronous events (exceptions and "int 0x80"; not the IRQs) logged from
# then on. Between the exec that starts hello and hello's exit there must be
# exactly one system call, write, and no fault: hello's stack page is made
# by exec and it touches no other new page.
#
# QEMU's log shows "int 0x80" but not "sysenter" (it is not an interrupt),
# so the machine gets a CPU whose CPUID has no SEP and the user library
# falls back to int 0x80: CPU_FLAGS, default "-cpu pentium" (QEMU's Pentium
# has no sysenter; "-cpu qemu32,-sep" does the same).
#
# Environment: EMU, EMU_FLAGS, KERNEL, INITRD, CPU_FLAGS, TIMEOUT as in
# session.sh; INTLOG: where to keep the -d int log.
# Exit status: 0 pass, 1 fail, 77 skipped (no emulator), 99 hard error.

CPU_FLAGS=${CPU_FLAGS--cpu pentium}
INTLOG=${INTLOG:-tests/kernel/hello-trace.log}
. "$(dirname "$0")/emulator.sh"

require_emulator hello-trace
mkdir -p "$(dirname "$INTLOG")"
rm -f "$INTLOG"
# shellcheck disable=SC2086
start_emulator "$tmp/out" $CPU_FLAGS -d int -D "$INTLOG" $EMU_FLAGS

# wait_prompts N: until the console shows N shell prompts.
wait_prompts() {
	i=0
	while [ "$(tr -d '\r' <"$tmp/out" | grep -c '^\$ ')" -lt "$1" ]; do
		i=$((i + 1))
		if [ $i -gt $((TIMEOUT * 10)) ] || ! kill -0 "$emu_pid" 2>/dev/null; then
			echo "FAIL: no shell prompt"
			tr -d '\r' <"$tmp/out"
			exit 1
		fi
		sleep 0.1
	done
}

# The synchronous events in the log, one per line: "int80 N" for a system
# call (N from EAX), "pf ERR CR2" for a page fault, "vVV" for any other
# exception. IRQs (vectors 0x20-0x2f) are dropped.
events() {
	grep -E '^ *[0-9]+: v=' "$INTLOG" |
		sed -n -e 's/.* v=80 .*R_EAX\]=0*\([0-9a-f][0-9a-f]*\).*/int80 \1/p' \
			-e 's/.* v=0e e=\([0-9a-f]*\) .*CR2=\([0-9a-f]*\).*/pf \1 \2/p' \
			-e '/ v=2[0-9a-f] /d' \
			-e 's/.* v=\([0-9a-f][0-9a-f]\) .*/v\1/p'
}

wait_prompts 1
sleep 0.5                 # let the shell settle into read()
before=$(events | wc -l)
printf 'hello\r' >&3
wait_prompts 2
sleep 0.5
stop_emulator             # flushes the log

after=$(events | tail -n +$((before + 1)))
echo "$after" >"$tmp/after"
# From the exec (syscall 6) that became hello to its exit (syscall 1).
hello=$(sed -n '/^int80 6$/,/^int80 1$/p' "$tmp/after" | tr '\n' ' ')
expected='int80 6 int80 2 int80 1 '
if ! grep -q '^int80' "$tmp/after"; then
	echo "FAIL: no int 0x80 in the log: the CPU reported SEP, so the system calls"
	echo "      went through sysenter, which -d int does not show. Give CPU_FLAGS"
	echo "      a CPU model without SEP."
	exit 1
fi
if [ "$hello" != "$expected" ]; then
	echo "FAIL: hello's crossings: '$hello', expected '$expected'"
	echo "all events after typing hello:"
	cat "$tmp/after"
	exit 1
fi
# And the shell's part: fork before it, and a fresh prompt written after.
grep -q '^int80 5$' "$tmp/after" || { echo "FAIL: no fork"; cat "$tmp/after"; exit 1; }
echo "PASS: hello: exec, write, exit"
exit 0
