#!/bin/sh
# tests/kernel/debugger-syscalls.sh — the debugger names the bundled
# kernel's system calls with their arguments.
#
# Types "hello" at the shell from a --debugger-script and runs from one
# system call to the next; each stop must name the call as the program made
# it: the shell's exec of hello, hello's one write with its text and length,
# its exit.  `info events` must say the same.
# Exit status: 0 pass, 1 fail, 77 skipped (no bundled kernel).
set -u
RINGLAB=${RINGLAB:-./ringlab}
[ -f guests/kernel/kernel.elf ] && [ -f guests/initrd.img ] || {
	echo "SKIP: the bundled kernel is not built"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# hello is typed once the shell waits in read(): input that comes while
# the kernel still sets up the UART would be lost, as on a real PC.
{
	i=0
	while [ $i -lt 10 ]; do
		echo 'until syscall'
		i=$((i + 1))
		[ $i -ne 5 ] || printf '%s\n' 'type hello\r'
	done
	echo 'info events 64'
	echo 'q'
} >"$tmp/script"
"$RINGLAB" --debugger-script "$tmp/script" -nographic --timeout 60 </dev/null >"$tmp/out" 2>&1
status=$?
fail=0
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; fail=1; }
# (The guest's console shares stdout, so a stop's first line may follow its text.)
# wait's argument is a word on the user stack (0xbf......); where exactly
# depends on the kernel's stack layout, so it is named, not given.
stops=$(sed -n '/^<ringlab> info events/q;s/^  call: //p' "$tmp/out" |
	sed 's/^wait(0xbf[0-9a-f]\{6\})$/wait(<user stack>)/')
expected='fork()
wait(<user stack>)
exec("sh", ["sh"])
write(1, "$ ", 2)
read(0, 0x0804a000, 127)
fork()
wait(<user stack>)
exec("hello", ["hello"])
write(1, "hello from ring 3\n", 18)
exit(0)'
if [ "$stops" != "$expected" ]; then
	echo "FAIL: the system calls at the stops:"
	printf "%s\n" "$stops"
	echo "expected:"
	printf "%s\n" "$expected"
	fail=1
fi
# info events shows the last ones the same way.
events=$(sed -n '/^<ringlab> info events/,$s/^  call: //p' "$tmp/out" | tail -n 3)
if [ "$events" != "$(printf "%s\n" "$expected" | tail -n 3)" ]; then
	echo "FAIL: info events: $events"
	fail=1
fi
[ $fail -eq 0 ] || { cat "$tmp/out"; exit 1; }
echo "PASS: the debugger names hello's exec, write and exit with their arguments"
