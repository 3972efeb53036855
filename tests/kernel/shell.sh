# tests/kernel/shell.sh: sourced by the scripts that type at the bundled
# kernel's shell (after emulator.sh, and after start_emulator "$LOG").
# The sourcing script defines finish(), which ends the test; wait_count
# calls it when the emulator exits or the output does not come.
#
# transcript: the console so far, from the kernel's banner on.
# steady: a filter for comparing transcripts of two runs: it blanks the
#   times `cross` prints, which depend on the clock of the machine.
# wait_count PATTERN N: until N lines match the extended regex.
# run COMMAND: type it at the prompt, wait for the next prompt.
# fail MESSAGE; has TEXT; has_re REGEX; count_re REGEX N: checks that
#   count their failures in $failures.

failures=0
prompts=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The console output so far, from the kernel's banner on (the BIOS may
# print before it), without the CRs the kernel sends before each LF.
transcript() {
	tr -d '\r' <"$LOG" | sed -n '/ringlab teaching kernel/,$p' |
		sed '1s/.*ringlab teaching kernel/ringlab teaching kernel/'
}

steady() {
	sed -E '/^(\$ )?cross: /s/[0-9]+ (us|ns)/N \1/g'
}

wait_count() {
	i=0
	while [ "$(transcript | grep -c -E -e "$1")" -lt "$2" ]; do
		if ! kill -0 "$emu_pid" 2>/dev/null; then
			fail "the emulator exited while waiting for '$1'"
			finish
		fi
		i=$((i + 1))
		if [ $i -gt $((TIMEOUT * 10)) ]; then
			fail "timed out waiting for '$1' (x$2)"
			finish
		fi
		sleep 0.1
	done
}

run() {
	printf '%s\r' "$1" >&3
	prompts=$((prompts + 1))
	wait_count '^\$ ' $((prompts + 1))
}

has() {
	transcript | grep -q -F -e "$1" || fail "missing: $1"
}

has_re() {
	transcript | grep -q -E -e "$1" || fail "missing (regex): $1"
}

count_re() {
	n=$(transcript | grep -c -E -e "$1")
	[ "$n" -eq "$2" ] || fail "expected $2 lines matching '$1', saw $n"
}

EIP='0x[0-9a-f]{8}'
KILLED=$(printf ' \342\200\224 killed$')
