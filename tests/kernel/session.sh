#!/bin/sh
# tests/kernel/session.sh — a scripted shell session on the bundled kernel.
#
# Boots guests/kernel/kernel.elf with guests/initrd.img, types commands into
# the serial port the way a user would (each line only after the shell's
# prompt has appeared, so the transcript is the same on every run), and
# checks what every program printed, which processes the kernel killed and
# with which fault, and that the shell is still there at the end.
#
# Environment:
#   EMU         the emulator (default qemu-system-i386); any program taking
#               the same options works, e.g. EMU=./ringlab
#   EMU_FLAGS   extra options for it
#   KERNEL, INITRD   the images (default: the ones in the build tree)
#   TRANSCRIPT  where to keep the console transcript (from the kernel's
#               first line on, CRs removed)
#   COMPARE_WITH  a transcript from another run or emulator: fail if this
#               run's differs
#   TIMEOUT     seconds to wait for each expected output (default 60)
# Exit status: 0 pass, 1 fail, 77 skipped (no emulator), 99 hard error.

TRANSCRIPT=${TRANSCRIPT:-tests/kernel/session.transcript}
LOG=${LOG:-tests/kernel/session.log}
. "$(dirname "$0")/emulator.sh"

require_emulator session
mkdir -p "$(dirname "$LOG")" "$(dirname "$TRANSCRIPT")"
# shellcheck disable=SC2086
start_emulator "$LOG" $EMU_FLAGS
. "$(dirname "$0")/shell.sh"

finish() {
	transcript >"$TRANSCRIPT"
	# The times cross prints are the only thing two machines may differ in.
	if [ -n "$COMPARE_WITH" ]; then
		steady <"$COMPARE_WITH" >"$tmp/expected"
		steady <"$TRANSCRIPT" >"$tmp/actual"
		diff -u "$tmp/expected" "$tmp/actual" || fail "transcript differs from $COMPARE_WITH"
	fi
	if [ $failures -ne 0 ]; then
		echo "--- transcript ($TRANSCRIPT) ---"
		cat "$TRANSCRIPT"
		echo "$failures failure(s)"
		exit 1
	fi
	echo "PASS: $EMU session"
	exit 0
}

# --- boot ---------------------------------------------------------------
wait_count '^\$ ' 1
has 'ringlab teaching kernel'
has_re '^cpu: sysenter (available|not available, int 0x80 only)$'
has_re '^initrd: [0-9]+ files$'

# --- the programs ---------------------------------------------------------
run 'hello'
has 'hello from ring 3'

run 'ls'
for prog in init sh ls hello syscalls lazy cow segv kread priv spin pingpong \
	cross ring1 uartd peek shm; do
	has_re "^ +[0-9]+  $prog\$"
done

printf '%s\r' 'syscalls' >&3
prompts=$((prompts + 1))
wait_count 'type a line> $' 1
printf '%s\r' 'typed into COM1' >&3
wait_count '^\$ ' $((prompts + 1))
has_re '^syscalls: entering the kernel by (sysenter|int 0x80)$'
has 'write: hello'
has 'write(1, "write: hello\n", 13) = 13'
has_re '^getpid\(\) = [0-9]+$'
has 'read = 15, "typed into COM1"'
has 'fork() = child; wait(&status) = child: yes, status = 42'
has 'exec("nosuch") = -1'
has 'exec("hello") in a child: status = 0'
has 'sbrk(4096) then sbrk(0): grew by 4096'
has 'sbrk(-4096): heap back to its old size'
has 'sleep(5) = 0, uptime() advanced by at least 5: yes'
has 'yield() = 0'
has 'kill(child) = 0; wait: child reaped, status = -1'
has 'kill(9999) = -1'
has 'pipe() = 0; read back 14 bytes: "through a pipe"'
has 'read after close of the write end = 0'
has 'close(fds[0]) = 0, close again = -1'
has 'dirent(0) = 0: init'
has 'syscalls: exit(0)'

run 'lazy'
has_re '^lazy: sbrk\(16384\) = 0x[0-9a-f]{8}, nothing mapped yet$'
has 'lazy: touched 4 heap pages, sum 10'
has 'lazy: recursing through 16 KiB of stack, result 136'
has 'lazy: heap returned'

run 'cow'
has 'cow: before fork, value = 100'
has 'cow: child wrote, its value = 200'
has 'cow: parent still sees value = 100'
has 'cow: parent wrote, its value = 300'

run 'segv'
has 'segv: reading address 0x00000000'
has_re "^pid [0-9]+ \\(segv\\): #PF user read of not-present page 0x00000000 at eip $EIP$KILLED"

run 'kread'
has 'kread: reading kernel address 0xc0100000'
has_re "^pid [0-9]+ \\(kread\\): #PF user read of protected page 0xc0100000 at eip $EIP$KILLED"

run 'priv'
for insn in cli hlt in out 'mov cr3' lgdt; do
	has "priv: trying $insn"
done
count_re "^pid [0-9]+ \\(priv\\): #GP\\(0\\) at eip $EIP$KILLED" 6
count_re 'did not fault' 0
has 'priv: done'

run 'spin'
has 'spin: 30000000 iterations done'

run 'pingpong'
for i in 1 2 3 4 5; do
	has_re "^ping $i \\(pid [0-9]+\\)$"
	has_re "^pong $i \\(pid [0-9]+\\)$"
done
# ping and pong strictly alternate
order=$(transcript | sed -n 's/^\(p[io]ng\) \([0-9]\).*/\1\2/p' | tr '\n' ' ')
[ "$order" = "ping1 pong1 ping2 pong2 ping3 pong3 ping4 pong4 ping5 pong5 " ] ||
	fail "pingpong out of turn: $order"
has 'pingpong: done'

# The counted modes the benchmark times (bench/): only their totals.
run 'lazy 300'
has 'lazy: touched 300 fresh pages'
run 'cow 50'
has 'cow: the child copied 50 pages'
run 'pingpong 20'
has 'pingpong: 20 rounds'
count_re '^p[io]ng [0-9]+ \(pid' 10

# Ring 1 (its segment limit is tested on its own: ring1-limit.sh).
run 'ring1'
has 'ring1: ring 3 calls the ring-1 service through call gate 0x4b'
has 'ring1: in ring 1: CS 0x0031 (CPL 1), SS 0x0041, ESP 0xbffffff0, IOPL 1, DS limit 0xffffffff'
has 'ring 1 writes this line to COM1 itself, with OUT'
has 'ring1: ring 1 wrote 49 bytes to port 0x3f8: CPL 1 <= IOPL 1'
has "ring1: ring 1 reads the kernel's page 0xc0100000 (U=0): 0x1badb002"
has_re "^pid [0-9]+ \\(ring1\\): #PF supervisor read of not-present page 0xd0000000 in ring 1 at eip 0xbfc[0-9a-f]{5}$KILLED"
has_re "^pid [0-9]+ \\(ring1\\): #GP\\(0\\) at eip $EIP$KILLED"
count_re 'did not fault|read an unmapped page' 0
has 'ring1: done'

# A driver in ring 3: its OUT works, its child's faults; then the console
# (hello's line) goes out through it.
run 'uartd'
has_re "^uartd: ioperm\\(0x3f8, 8\\) = 0: pid [0-9]+'s I/O bitmap now opens COM1\$"
has 'uartd: this line went to COM1 by OUT from ring 3'
has_re "^pid [0-9]+ \\(uartd\\): #GP\\(0\\) at eip $EIP$KILLED"
has_re "^uartd: console\\([0-9]+\\) = 0: COM1's output goes through pid [0-9]+ while hello runs\$"
has_re "^uartd: hello exited \\(status 0\\); uartd wrote [1-9][0-9]+ bytes of console output, and COM1's output is the kernel's again\$"
count_re '^(\$ )?hello from ring 3$' 3

# A debugger: ptrace into a child, then the same address read directly.
run 'peek'
has_re '^peek: child [0-9]+ keeps 0x600dcafe at 0x0[0-9a-f]{7}, on a page its parent does not have$'
has_re '^peek: ptrace\(PT_ATTACH, [0-9]+\) = 0$'
has_re '^peek: ptrace\(PT_PEEK, [0-9]+, 0x[0-9a-f]{8}\) = 0: the word is 0x600dcafe$'
has_re '^peek: ptrace\(PT_POKE, [0-9]+, 0x[0-9a-f]{8}, 0x0badf00d\) = 0$'
has_re '^peek: ptrace\(PT_DETACH, [0-9]+\) = 0$'
has_re '^peek: child [0-9]+ now finds 0x0badf00d at '
has_re "^pid [0-9]+ \\(peek\\): #PF user read of not-present page 0x0[0-9a-f]{7} at eip $EIP$KILLED"
run 'peek 1 0x08048000'
has "peek: ptrace(PT_ATTACH, 1) = -2: not peek's child: only a parent may attach"

# Shared memory: the two page-table entries name the same frame.
run 'shm'
has_re '^shm: writer pid [0-9]+: shm\(1, 0x40000000\) = PTE 0x[0-9a-f]{5}407: frame 0x[0-9a-f]{5}000, U W P, shared \(bit 10\)$'
has_re '^shm: reader pid [0-9]+: shm\(1, 0x50000000\) = PTE 0x[0-9a-f]{5}407: '
has 'shm: reader reads at 0x50000000: "hello from the writer"'
has 'shm: writer reads the answer at 0x40000000: "got it, through the same frame"'
has_re "^shm: writer's PTE (0x[0-9a-f]{8}), reader's PTE \\1: the same frame\$"

# The price of a crossing: every call returned the right pid.
run 'cross'
has_re '^cross: function call \(ring 3\): 1000 calls, 1000 returned pid [0-9]+, in [0-9]+ us: [0-9]+ ns each$'
has_re '^cross: int 0x80: 1000 calls, 1000 returned pid [0-9]+, in [1-9][0-9]* us: [1-9][0-9]* ns each$'
has_re '^cross: (sysenter: 1000 calls, 1000 returned pid [0-9]+, in [1-9][0-9]* us: [1-9][0-9]* ns each|sysenter: this CPU has none \(CPUID.01H:EDX.SEP = 0\))$'

run 'echo-nothing here'
has 'sh: echo-nothing: not found'

# A background job: the prompt comes back at once, the job reports later.
# (After its report it still has to exit; the pause lets it, so that its
# exit comes before the next command's system calls in a -d int log even
# on a busy host.)
run 'spin 20000000 &'
has_re '^\[[0-9]+\]$'
wait_count '^(\$ )?spin: 20000000 iterations done$' 1
sleep 0.5

# The shell exits; init notices, starts a new one, and later reaps the
# orphaned background job.
run 'spin 40000000 &'
run 'exit'
has 'init: sh exited (status 0), starting a new one'
wait_count '^(\$ )?spin: 40000000 iterations done$' 1
sleep 0.5

# --- after all that, the shell still works ---------------------------------
run 'hello'
count_re '^(\$ )?hello from ring 3$' 4
count_re 'panic' 0
count_re "$KILLED" 12
finish
