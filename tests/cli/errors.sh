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
# mov eax, [0xfee00020] ; hlt  -- the local APIC's ID register
printf '\241\040\000\340\376\364' >"$tmp/lapic.bin"
# mov eax, [0xfed00000] ; hlt  -- the HPET's capabilities register
printf '\241\000\000\320\376\364' >"$tmp/hpet.bin"
# mov eax, 1 ; cpuid ; mov eax, edx ; shr eax, 9 ; and eax, 1 ;
# mov dx, 0xe9 ; out dx, al ; cli ; hlt  -- CPUID.01H:EDX.APIC to the 0xE9 console
printf '\270\001\000\000\000\017\242\211\320\301\350\011\203\340\001\146\272\351\000\356\372\364' >"$tmp/cpuid-apic.bin"
# an ELF header cut short after its magic
printf '\177ELF\001\001\001' >"$tmp/short.elf"
# a Multiboot header with a wrong checksum, then nothing
printf '\002\260\255\033\000\000\000\000\000\000\000\000' >"$tmp/badsum.bin"

# Disk images: a boot sector (0x55AA at offset 510) and then, as in xv6.img,
# a kernel whose Multiboot header sits at 0x1200 (here with no ELF around
# it); and a bare boot sector with no header at all.
mkdisk() { # FILE SIZE: zeros, the boot signature, a Multiboot header at 0x1200
	head -c "$2" /dev/zero >"$1"
	printf '\125\252' | dd of="$1" bs=1 seek=510 conv=notrunc 2>/dev/null
	printf '\002\260\255\033\000\000\000\000\376\117\122\344' |
		dd of="$1" bs=1 seek=4608 conv=notrunc 2>/dev/null
}
mkdisk "$tmp/xv6.img" 8192
head -c 512 "$tmp/xv6.img" >"$tmp/mbr.img"
: >"$tmp/empty.img"
# disk_re NAME: the one line for a disk image
disk_re() {
	printf '%s' "^ringlab: $tmp/$1: this is a disk image [(]boot sector signature 0x55AA"
	printf '%s' " at offset 510[)], not a kernel; boot it as a disk with"
	printf '%s\n' ".*-drive file=$tmp/$1,format=raw,index=0,media=disk.*-hda $tmp/$1"
}
expect 4 "$(disk_re xv6.img)" -- -kernel "$tmp/xv6.img"
# The lone IMAGE that is a disk image is the first disk, as for QEMU: the
# firmware boots it (its zeros run on until the limit).
expect 8 "^ringlab: --max-insns reached" -- "$tmp/mbr.img" --max-insns 3000000
expect 8 "^ringlab: --max-insns reached" -- -hda "$tmp/xv6.img" --max-insns 3000000
expect 8 "^ringlab: --max-insns reached" -- \
	-drive "file=$tmp/xv6.img,index=0,media=disk,format=raw,snapshot=on" --max-insns 3000000
# Disks that cannot be used: one line naming the file, status 4.
expect 4 "^ringlab: .*$tmp/none.img" -- -hda "$tmp/none.img"
expect 4 "^ringlab: .*$tmp/empty.img" -- -hdb "$tmp/empty.img" -hda "$tmp/mbr.img"
expect 4 "^ringlab: $tmp/none.rom: cannot open" -- -bios "$tmp/none.rom"
expect 4 "^ringlab: .*ROM image must be a multiple of 64 KiB" -- -bios "$tmp/mbr.img"
expect 2 "^ringlab: -drive: format=qcow2: ringlab reads raw images only" -- \
	-drive "file=$tmp/xv6.img,format=qcow2"
expect 2 "^ringlab: -drive: index=2: ringlab has the primary IDE channel only" -- \
	-drive "file=$tmp/xv6.img,index=2"
expect 2 "^ringlab: -hdb: index=1 is given twice" -- \
	-drive "file=$tmp/xv6.img,index=1" -hdb "$tmp/mbr.img"
expect 2 "^ringlab: -m: '12X' is not a size" -- -m 12X
# What the user typed is quoted with its control characters escaped, so
# that the message stays one line.
expect 2 "^ringlab: -m: '12\\\\nX' is not a size" -- -m "$(printf '12\nX')"
expect 2 "^ringlab: .*(unknown|not an option|-bogus)" -- -bogus
expect 2 "^ringlab: .*isa-debug-exit|-device" -- -device nosuchdevice
expect 2 "^ringlab: -machine: 'q35' is not available: ringlab has one machine, 'pc'" -- -machine q35
expect 2 "^ringlab: -M: hpet=on: ringlab's pc has no HPET" -- -M accel=tcg,hpet=on
expect 4 "^ringlab: $tmp/none.elf: cannot open the kernel" -- -kernel "$tmp/none.elf"
expect 4 "^ringlab: $tmp/short.elf: no Multiboot header" -- -kernel "$tmp/short.elf"
expect 4 "^ringlab: $tmp/badsum.bin: .*checksum" -- -kernel "$tmp/badsum.bin"
expect 4 "^ringlab: $tmp/none.mod: cannot open the module" -- -kernel "$tmp/halt.bin" -initrd "$tmp/none.mod"
expect 4 "^ringlab: $tmp/no\\\\nne.mod: cannot open the module" -- -kernel "$tmp/halt.bin" \
	-initrd "$tmp/$(printf 'no\nne.mod')"
expect 12 "^ringlab: the guest wrote to physical address 0xf0000000" -- "$tmp/store-beyond-ram.bin"
# A hole where a PC has a device names the device that is missing: the
# local APIC of a CPU model that has none.
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/lapic.bin"
expect 12 "^ringlab: the guest read from physical address 0xfee00020 .*the local APIC" -- \
	"$tmp/lapic.bin" -cpu 486
expect 12 "^ringlab: the guest read from physical address 0xfed00000 .*the HPET" -- "$tmp/hpet.bin"
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/halt.bin"
expect 8 "^ringlab: --max-insns reached" -- "$tmp/spin.bin" --max-insns 100000
expect 8 "^ringlab: --timeout reached" -- "$tmp/spin.bin" --timeout 0.5
expect 10 "^ringlab: .*$tmp/no/such/dir/int.log" -- "$tmp/halt.bin" -d int -D "$tmp/no/such/dir/int.log"
# Recordings: one that cannot be written, one that cannot be read or is no
# recording, one made with another image, and the stub on a port in use.
expect 10 "^ringlab: --record: $tmp/no/such/dir/x.rec: " -- "$tmp/halt.bin" --record "$tmp/no/such/dir/x.rec"
expect 2 "^ringlab: --replay: $tmp/none.rec: No such file" -- "$tmp/halt.bin" --replay "$tmp/none.rec"
printf 'hello\n' >"$tmp/not.rec"
expect 2 "^ringlab: --replay: $tmp/not.rec:1: not a ringlab recording" -- "$tmp/halt.bin" --replay "$tmp/not.rec"
printf 'ringlab-record 1\nsetup 0123456789abcdef\nin 12 x 41\n' >"$tmp/bad.rec"
expect 2 "^ringlab: --replay: $tmp/bad.rec:3: expected 'in ICOUNT TIME BYTE'" -- "$tmp/halt.bin" --replay "$tmp/bad.rec"
"$RINGLAB" "$tmp/halt.bin" --record "$tmp/halt.rec" </dev/null >/dev/null 2>&1
expect 2 "^ringlab: --replay: $tmp/halt.rec was recorded with other images or options" -- "$tmp/spin.bin" --replay "$tmp/halt.rec"
expect 2 "^ringlab: -S: the CPU would wait for a debugger" -- "$tmp/halt.bin" -S

# CPUID says there is a local APIC exactly when there is one.
"$RINGLAB" "$tmp/cpuid-apic.bin" -debugcon "file:$tmp/apic-bit" </dev/null >/dev/null 2>&1
[ "$(od -An -tu1 "$tmp/apic-bit" | tr -d ' ')" = 1 ] || {
	echo "FAIL: CPUID.01H:EDX.APIC is $(od -An -tu1 "$tmp/apic-bit"), but there is an APIC"
	failures=$((failures + 1))
}
"$RINGLAB" "$tmp/cpuid-apic.bin" -cpu 486 -debugcon "file:$tmp/apic-bit" </dev/null >/dev/null 2>&1
[ "$(od -An -tu1 "$tmp/apic-bit" | tr -d ' ')" = 0 ] || {
	echo "FAIL: CPUID.01H:EDX.APIC is $(od -An -tu1 "$tmp/apic-bit") on a 486, which has no APIC"
	failures=$((failures + 1))
}
# -cpu takes the APIC away, or gives a 486 one: CPUID and the page agree.
"$RINGLAB" "$tmp/cpuid-apic.bin" -cpu qemu32,-apic -debugcon "file:$tmp/apic-bit" </dev/null >/dev/null 2>&1
[ "$(od -An -tu1 "$tmp/apic-bit" | tr -d ' ')" = 0 ] || {
	echo "FAIL: CPUID.01H:EDX.APIC is $(od -An -tu1 "$tmp/apic-bit") with -cpu qemu32,-apic"
	failures=$((failures + 1))
}
expect 12 "^ringlab: the guest read from physical address 0xfee00020 .*the local APIC" -- \
	"$tmp/lapic.bin" -cpu qemu32,-apic
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/lapic.bin" -cpu 486,+apic
expect 2 "^ringlab: -cpu: 'qemu32,\\+pge': ringlab does not model the feature 'pge'" -- \
	-cpu qemu32,+pge
# Without SEP or TSC, SYSENTER and RDTSC are invalid opcodes (#UD first;
# with them: #GP(0) for SYSENTER_CS = 0, and RDTSC just runs).
printf '\017\064' >"$tmp/sysenter.bin"
printf '\017\061\372\364' >"$tmp/rdtsc.bin"
first_vector() { # LOG: the first event's vector
	sed -n 's/^ *[0-9]*: v=\([0-9a-f]*\) .*/\1/p' "$1" | head -n 1
}
# A CR4 bit of a feature the CPU lacks is reserved: MOV CR4 setting it is
# #GP(0) (mov eax, cr4; or eax, BIT; mov cr4, eax; cli; hlt).
printf '\017\040\340\015\020\000\000\000\017\042\340\372\364' >"$tmp/cr4-pse.bin"
printf '\017\040\340\015\000\010\000\000\017\042\340\372\364' >"$tmp/cr4-umip.bin"
printf '\017\040\340\015\000\000\020\000\017\042\340\372\364' >"$tmp/cr4-smep.bin"
for f in "sysenter -cpu qemu32,-sep 06" "sysenter -cpu qemu32 0d" "rdtsc -cpu qemu32,-tsc 06" \
	"cr4-pse -cpu qemu32,-pse 0d" "cr4-umip -cpu qemu32,-umip 0d" "cr4-smep -cpu qemu32 0d"; do
	set -- $f
	"$RINGLAB" "$tmp/$1.bin" "$2" "$3" -no-reboot -d int -D "$tmp/$1.log" </dev/null >/dev/null 2>&1
	[ "$(first_vector "$tmp/$1.log")" = "$4" ] || {
		echo "FAIL: $1 with $2 $3: first vector $(first_vector "$tmp/$1.log"), want $4"
		failures=$((failures + 1))
	}
done
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/rdtsc.bin" -cpu 486,+tsc
# STAC without SMAP is #UD, and the trace says why.
printf '\017\001\313\372\364' >"$tmp/stac.bin"
"$RINGLAB" "$tmp/stac.bin" -no-reboot --trace "$tmp/stac.jsonl" </dev/null >/dev/null 2>&1
grep -q '"vector":6,.*"explain":"`stac` on a CPU without SMAP' "$tmp/stac.jsonl" || {
	echo "FAIL: STAC on qemu32 is not #UD explained by the missing SMAP: $(head -c 300 "$tmp/stac.jsonl")"
	failures=$((failures + 1))
}
expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/stac.bin" -cpu qemu32,+smap
for f in "cr4-pse qemu32" "cr4-umip qemu32" "cr4-smep qemu32,+smep"; do
	set -- $f
	expect 0 "^ringlab: the CPU halted with interrupts disabled" -- "$tmp/$1.bin" -cpu "$2"
done

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
