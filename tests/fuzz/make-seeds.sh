#!/bin/sh
# make-seeds.sh - (re)make the seed corpora of tests/fuzz/corpus from real
# images and command lines: the bundled kernel and its programs, test
# guests, the tiny binaries of tests/cli/errors.sh, the command lines of the
# READMEs, the descriptors and page tables the guests build.  A maintainer
# tool: run it from a build tree after `make` and `make check`, then commit
# the corpus.  Regression inputs (corpus/NAME/regress-*) are kept as they are.
#
#   sh ../tests/fuzz/make-seeds.sh [BUILD_DIR]      (default: .)
#
# Needs nasm and strip.  Seeds stay small: debug information is stripped,
# and the kernel's initrd is replaced by one with a single program.
set -eu

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for f in guests/kernel/kernel.elf guests/user/hello guests/mkinitrd tests/guests/gate_dpl.elf \
         tests/guests/sysenter.elf tests/guests/pse.elf; do
    [ -f "$build/$f" ] || { echo "make-seeds: $build/$f missing: run make and make check first" >&2; exit 1; }
done
for d in elf32 multiboot flat options desc paging; do
    mkdir -p "$out/$d"
    find "$out/$d" -type f ! -name 'regress-*' -exec rm -f {} +
done

sep() { printf '\n%%part%%\n'; }   # FUZZ_PART_SEP of fuzz.h
# le32 V: four little-endian bytes
le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $((($1 >> 8) & 255)) \
    $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"; }
le16() { printf "$(printf '\\%03o\\%03o' $(($1 & 255)) $((($1 >> 8) & 255)))"; }
byte() { printf "$(printf '\\%03o' $(($1 & 255)))"; }

# --- the images ---------------------------------------------------------------
strip --strip-debug -o "$tmp/kernel.elf" "$build/guests/kernel/kernel.elf"
strip --strip-debug -o "$tmp/hello" "$build/guests/user/hello"
"$build/guests/mkinitrd" "$tmp/initrd.img" "$tmp/hello"
for g in gate_dpl sysenter pse; do
    strip --strip-debug -o "$tmp/$g.elf" "$build/tests/guests/$g.elf"
done
strip --strip-all -o "$tmp/hello-stripped" "$tmp/hello"
# The a.out kludge (Multiboot flag 16): a flat image with its addresses in
# the header, loaded at 1 MiB, with a bss.
cat >"$tmp/aout.asm" <<'EOF'
bits 32
org 0x100000
start:
    dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
    dd start, start, load_end, bss_end, entry
entry:
    mov dx, 0xf4
    xor eax, eax
    out dx, al
    hlt
load_end:
    times 4096 db 0
bss_end:
EOF
nasm -f bin -o "$tmp/aout.bin" "$tmp/aout.asm"
head -c "$(($(wc -c <"$tmp/aout.bin") - 4096))" "$tmp/aout.bin" >"$tmp/aout-kludge.bin"
# tests/cli/errors.sh's tiny flat binaries
printf '\307\005\000\000\000\360\001\000\000\000\364' >"$tmp/store-beyond-ram.bin"
printf '\372\364' >"$tmp/halt.bin"
printf '\353\376' >"$tmp/spin.bin"
printf '\314' >"$tmp/int3.bin"
printf '\177ELF\001\001\001' >"$tmp/short.elf"
printf '\002\260\255\033\000\000\000\000\000\000\000\000' >"$tmp/badsum.bin"

# --- elf32: the files themselves --------------------------------------------
cp "$tmp/kernel.elf" "$tmp/hello" "$tmp/hello-stripped" "$tmp/gate_dpl.elf" "$tmp/short.elf" \
   "$out/elf32/"

# --- multiboot: config byte, kernel, -append, modules -----------------------
# byte 0: bits 0-1 RAM (3 = 4 MiB), bit 2 -append given, bit 3 modules
# without their own command line, bit 4 no image name
{ byte 7; cat "$tmp/kernel.elf"; sep; printf 'console=ttyS0'; sep; printf 'initrd.img\0'; cat "$tmp/initrd.img"; } \
    >"$out/multiboot/kernel-initrd"
{ byte 7; cat "$tmp/gate_dpl.elf"; sep; printf 'console=ttyS0'; sep; printf 'mod1 arg\0'; cat "$tmp/hello"; \
  sep; printf 'mod2\0'; printf 'module two'; } >"$out/multiboot/guest-two-modules"
{ byte 2; cat "$tmp/sysenter.elf"; } >"$out/multiboot/sysenter"
{ byte 3; cat "$tmp/pse.elf"; } >"$out/multiboot/pse"
{ byte 0x1b; cat "$tmp/aout-kludge.bin"; sep; sep; printf 'empty\0'; } >"$out/multiboot/aout-kludge"
{ byte 3; cat "$tmp/badsum.bin"; } >"$out/multiboot/badsum"
{ byte 1; cat "$tmp/short.elf"; } >"$out/multiboot/short-elf"

# --- flat: config byte, load address, image ----------------------------------
# byte 0: bits 0-1 RAM, bits 2-3 load address (0 default, 1 given, 2 zero,
# 3 top - 16), bit 4 given with -kernel; bytes 1-4 the address
{ byte 0; le32 0; cat "$tmp/halt.bin"; } >"$out/flat/halt"
{ byte 1; le32 0; cat "$tmp/spin.bin"; } >"$out/flat/spin"
{ byte 5; le32 0x200000; cat "$tmp/store-beyond-ram.bin"; } >"$out/flat/store-beyond-ram-at-2m"
{ byte 12; le32 0; cat "$tmp/int3.bin"; } >"$out/flat/int3-at-top"
{ byte 8; le32 0; cat "$tmp/halt.bin"; } >"$out/flat/halt-at-0"
{ byte 16; le32 0; cat "$tmp/halt.bin"; } >"$out/flat/halt-as-kernel"
{ byte 2; le32 0; cat "$tmp/gate_dpl.elf"; } >"$out/flat/multiboot-guest"
{ byte 0; le32 0; } >"$out/flat/empty"

# --- options: one argument per line -------------------------------------------
opt() { name=$1; shift; : >"$out/options/$name"; first=1
    for a in "$@"; do [ $first = 1 ] || printf '\n' >>"$out/options/$name"; printf '%s' "$a" >>"$out/options/$name"; first=0; done; }
opt readme-course -kernel kernel.elf -initrd "mod1 arg,mod2" -append "console=ttyS0" -m 128 \
    -nographic -serial stdio -d int -D int.log -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
opt guest-diff -kernel G.elf -nographic -no-reboot -d int -D G.log -device isa-debug-exit,iobase=0xf4,iosize=0x04
opt harness-line --no-reboot -nodefaults -device isa-debug-exit,iobase=0xf4,iosize=0x4 -display none \
    -serial stdio -machine accel=tcg -kernel T.flat -smp 1 -cpu qemu32
opt bundled -kernel guests/kernel/kernel.elf -initrd guests/initrd.img -nographic -no-reboot
opt own-options IMAGE --trace t.jsonl --max-insns 100000 --timeout=2.5 --realtime --vga-dump --load-addr 0x200000
opt sizes -m size=1.5G -m 64M -m 3G -m 0.5g -m 2097152b
opt help --help
opt help-d -d help
opt help-device -device help
opt help-cpu -cpu help
opt version -version
opt bad-size -m 12X
opt bad-option -bogus
opt bad-device -device nosuchdevice
opt commas -kernel k -initrd "a,,b c,d" -append "x,y"
opt chardevs k -serial file:serial.out -debugcon stdio -monitor none -net none
opt two-images a b
opt dashdash -- -kernel

# --- desc: entry, selector, error code, TSS limit, level, TSS image ------------
# The entries common.inc and the bundled kernel put in their tables, and the
# guests' TSS (ESP0 and SS0 set, I/O map base 104).
tss_image() { le32 0; le32 0x00107880; le32 0x10; le32 0; le32 0; le32 0; le32 0; le32 0x00104000
    le32 0x00100000; le32 0x202; i=0; while [ $i -lt 8 ]; do le32 $((i * 0x11111111)); i=$((i + 1)); done
    i=0; while [ $i -lt 6 ]; do le32 $((0x10 + 8 * (i == 1))); i=$((i + 1)); done
    le32 0; le16 0; le16 104; }
desc() { name=$1 lo=$2 hi=$3 sel=$4 ec=$5 lim=$6 lvl=$7
    { le32 "$lo"; le32 "$hi"; le16 "$sel"; le32 "$ec"; le32 "$lim"; byte "$lvl"; tss_image; } >"$out/desc/$name"; }
desc kcode 0x0000FFFF 0x00CF9A00 0x08 0x0000 0x67 4
desc kdata 0x0000FFFF 0x00CF9200 0x10 0x0010 0x67 4
desc ucode 0x0000FFFF 0x00CFFA00 0x1b 0x001a 0x67 7
desc udata-16bit 0x0000FFFF 0x0000F200 0x23 0x0202 0x2b 3
desc tss32 0x40000067 0x00008910 0x28 0x0028 0x2067 4
desc tss32-busy 0x40000067 0x00008B10 0x2b 0x0029 0x66 6
desc intr-gate 0x000812d4 0x00108E10 0x80 0x0402 0x67 4
desc trap-gate-dpl3 0x000812d4 0xc010EF00 0x80 0x0403 0x67 5
desc task-gate 0x00280000 0x00008500 0x28 0x0042 0x67 4
desc call-gate 0x00081234 0x0010EC02 0x4b 0x0038 0x67 7
desc intr-gate16 0x0008ffff 0xabcd8600 0x0f 0x0033 0x2b 1
desc expand-down 0x00001000 0x0040F600 0x37 0x0034 0x0b 2
desc null 0 0 0 0 0 0

# --- paging: CR0, CR3, CR4, linear, access, memory ------------------------------
# Memory: 2 pages, physical address A at A mod 8192.  The entries of the
# README's explained fault (the bundled kernel's kread), the test guests'
# identity map, a 4 MiB page and a read-only user page.
PG=0x80000001 WP=0x00010000 PSE=0x10
pg() { name=$1 cr0=$2 cr3=$3 cr4=$4 lin=$5 acc=$6; shift 6
    dd if=/dev/zero of="$tmp/mem" bs=4096 count=2 2>/dev/null
    while [ $# -ge 2 ]; do le32 "$2" | dd of="$tmp/mem" bs=1 seek=$(($1 % 8192)) conv=notrunc 2>/dev/null; shift 2; done
    { le32 "$cr0"; le32 "$cr3"; le32 "$cr4"; le32 "$lin"; byte "$acc"; cat "$tmp/mem"; } >"$out/paging/$name"; }
# kread: user read of supervisor page 0xc0100000 (PDE at CR3 + 0xc00, PTE at 0x3fe000 + 0x400)
pg kread $((PG | WP)) 0x07fca000 $PSE 0xc0100000 4 $((0x07fca000 + 0xc00)) 0x003fe023 $((0x3fe000 + 0x400)) 0x00100023
# pf_codes-style identity map: page table at 0x1000, user + writable
pg identity-user-write $((PG | WP)) 0x0 0 0x00003123 13 0 0x00001007 $((0x1000 + 12)) 0x00003007
pg identity-read-only-wp $((PG | WP)) 0x0 0 0x00003123 1 0 0x00001007 $((0x1000 + 12)) 0x00003005
pg identity-read-only-nowp $PG 0x0 0 0x00003123 9 0 0x00001007 $((0x1000 + 12)) 0x00003005
pg not-present-pte $PG 0x0 0 0x00002000 6 0 0x00001007 $((0x1000 + 8)) 0x00002006
pg pse-4m $((PG | WP)) 0x2000 $PSE 0x00c01234 1 $((0x2000 + 12)) 0x00c00087
pg pse-reserved $PG 0x2000 $PSE 0x00c01234 0 $((0x2000 + 12)) 0x00c02083
pg fetch-smep $PG 0x0 $((PSE | 0x100000)) 0x00003000 2 0 0x00001007 $((0x1000 + 12)) 0x00003007
pg paging-off 0x00000001 0x0 0 0x12345678 1
pg pae 0x80000001 0x0 0x20 0x12345678 0

echo "make-seeds: $(find "$out" -type f | wc -l) files, $(du -sk "$out" | cut -f1) KiB in $out"
