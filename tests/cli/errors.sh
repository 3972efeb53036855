#!/bin/sh
# tests/cli/errors.sh: bad input gets one clear line on stderr and the exit
# status --help documents; what the user asked to write is written.
#
# Environment: RINGLAB (default ./ringlab).
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab).

RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect STATUS PATTERN -- ARGS...: ringlab exits with STATUS and prints
# exactly one line on stderr, which matches the extended regex PATTERN.
expect() {
	want=$1 pattern=$2
	shift 3
	"$RINGLAB" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" -ne "$want" ] || [ "$lines" -ne 1 ] || ! grep -q -E -e "$pattern" "$tmp/err"; then
		echo "FAIL: ringlab $*: status $got (want $want), $lines stderr line(s) (want 1):"
		sed 's/^/    /' "$tmp/err"
		failures=$((failures + 1))
	fi
}

# Tiny flat binaries, machine code written out byte by byte:
# mov dword [0xf0000000], 1 ; hlt  -- a store beyond RAM
printf '\307\005\000\000\000\360\001\000\000\000\364' >"$tmp/store-beyond-ram.bin"
# cli ; hlt  -- halts for good
printf '\372\364' >"$tmp/halt.bin"
# jmp $  -- runs away
printf '\353\376' >"$tmp/spin.bin"
# an ELF header cut short after its magic
printf '\177ELF\001\001\001' >"$tmp/short.elf"
# a Multiboot header with a wrong checksum, then nothing
printf '\002\260\255\033\000\000\000\000\000\000\000\000' >"$tmp/badsum.bin"

expect 2 "^ringlab: -m: '12X' is not a size" -- -m 12X
# What the user typed is quoted with its control characters escaped, so
# that the message stays one line.
expect 2 "^ringlab: -m: '12\\\\nX' is not a size" -- -m "$(printf '12\nX')"
expect 2 "^ringlab: .*(unknown|not an option|-bogus)" -- -bogus
expect 2 "^ringlab: .*isa-debug-exit|-device" -- -device nosuchdevice
expect 4 "^ringlab: $tmp/none.elf: cannot open the kernel" -- -kernel "$tmp/none.elf"
expect 4 "^ringlab: $tmp/short.elf: no Multiboot header" -- -kernel "$tmp/short.elf"
expect 4 "^ringlab: $tmp/badsum.bin: .*checksum" -- -kernel "$tmp/badsum.bin"
expect 4 "^ringlab: $tmp/none.mod: cannot open the module" -- -kernel "$tmp/halt.bin" -initrd "$tmp/none.mod"
expect 12 "^ringlab: the guest wrote to physical address 0xf0000000" -- "$tmp/store-beyond-ram.bin"
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/halt.bin"
expect 8 "^ringlab: --max-insns reached" -- "$tmp/spin.bin" --max-insns 100000
expect 8 "^ringlab: --timeout reached" -- "$tmp/spin.bin" --timeout 0.5
expect 10 "^ringlab: .*$tmp/no/such/dir/int.log" -- "$tmp/halt.bin" -d int -D "$tmp/no/such/dir/int.log"

# A run stopped by a limit still writes the whole trace it was asked for.
"$RINGLAB" "$tmp/spin.bin" --max-insns 100000 --trace "$tmp/t.jsonl" -d int -D "$tmp/int.log" \
	</dev/null >/dev/null 2>&1
[ -f "$tmp/t.jsonl" ] && [ -f "$tmp/int.log" ] || {
	echo "FAIL: the trace files of a stopped run are missing"
	failures=$((failures + 1))
}
# A trace that cannot be written is reported, not lost silently.  int3
# with the IDT the loader leaves (base 0, all zeros: no gates) ends in a
# triple fault, after three events the trace must hold.
printf '\314' >"$tmp/int3.bin"
if [ -w /dev/full ]; then
	"$RINGLAB" "$tmp/int3.bin" -no-reboot --trace /dev/full </dev/null >/dev/null 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] || ! grep -q -E '^ringlab: .*/dev/full' "$tmp/err"; then
		echo "FAIL: a trace to /dev/full: status $got, stderr:"
		sed 's/^/    /' "$tmp/err"
		failures=$((failures + 1))
	fi
fi
expect 6 "^ringlab: triple fault" -- "$tmp/int3.bin" -no-reboot

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "PASS: bad input, one line each, documented statuses"
exit 0
