#!/bin/sh
# firmware.sh - ringlab's PC firmware (firmware/bios.bin) beside SeaBIOS,
# both under qemu-system-i386: the disk-image guest pc_boot (a boot sector
# that uses int 13h, 15h and 1Ah in real mode, then the APICs in protected
# mode) must boot and pass with each, and take the same interrupts.
#
# Environment (the generated tests/diff/firmware.test sets them):
#   QEMU      qemu-system-i386 (default: from PATH; empty: skip)
#   BIOS      ringlab's ROM (default: firmware/bios.bin)
#   IMAGE     the guest's disk image (default: tests/guests/pc_boot.img)
#   WORK_DIR  where the logs go (default: tests/diff)
# Exit status: 0 pass, 1 fail, 77 skip (no QEMU).

set -u
if [ -z "${QEMU+set}" ]; then
    QEMU=$(command -v qemu-system-i386 2>/dev/null || true)
fi
BIOS=${BIOS:-firmware/bios.bin}
IMAGE=${IMAGE:-tests/guests/pc_boot.img}
WORK_DIR=${WORK_DIR:-tests/diff}

if [ -z "$QEMU" ] || [ ! -x "$QEMU" ]; then
    echo "firmware: SKIP: qemu-system-i386 not found"
    exit 77
fi
for f in "$BIOS" "$IMAGE"; do
    if [ ! -f "$f" ]; then
        echo "firmware: FAIL: $f is missing (make check builds it)"
        exit 1
    fi
done
mkdir -p "$WORK_DIR" || exit 1
w=$WORK_DIR/firmware
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout -k 5 60"

# boot NAME [QEMU ARGS...]: boot the image; the vectors of its -d int event
# lines to $w.NAME.vec, its exit status to $w.NAME.status.
boot() {
    name=$1
    shift
    rm -f "$w.$name.log"
    $limit "$QEMU" "$@" -drive "file=$IMAGE,format=raw,index=0,media=disk,snapshot=on" \
        -nographic -no-reboot -d int -D "$w.$name.log" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$w.$name.out" 2>&1
    echo $? >"$w.$name.status"
    grep -E '^ *[0-9]+: v=' "$w.$name.log" 2>/dev/null |
        sed -E 's/^ *[0-9]+: v=([0-9a-f]+) .*/\1/' >"$w.$name.vec"
}

boot seabios
boot ringlab -bios "$BIOS"

failed=0
for name in seabios ringlab; do
    st=$(cat "$w.$name.status")
    if [ "$st" != 1 ]; then
        echo "firmware: FAIL: pc_boot under $name firmware: exit status $st, not 1 (see $w.$name.out):"
        tail -n 3 "$w.$name.out" | sed 's/^/    /'
        failed=1
    fi
done
if ! cmp -s "$w.seabios.vec" "$w.ringlab.vec"; then
    echo "firmware: FAIL: the interrupts differ (- SeaBIOS, + ringlab's firmware):"
    diff -u "$w.seabios.vec" "$w.ringlab.vec" | sed 1,2d
    failed=1
fi
[ "$failed" -eq 0 ] || exit 1
echo "firmware: ok (pc_boot passes with both, $(wc -l <"$w.ringlab.vec") interrupts alike)"
exit 0
