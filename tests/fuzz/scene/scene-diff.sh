#!/bin/sh
# scene-diff.sh - differential fuzzing of the protection model: random
# scenes (scene-gen) run under qemu-system-i386 and under ringlab, the two
# compared (scene-judge).
#
#   scene-diff.sh SEED COUNT        cases SEED .. SEED+COUNT-1
#
# Each case: scene-gen writes the guest, nasm and ld build it (with
# scene.inc and tests/guests/guest.ld), both machines run it with the
# command line tests/diff/guest-diff.sh uses (-d int, COM1 on stdout,
# isa-debug-exit, -no-reboot; and -m 32 -net none, which the scenes allow
# and which start both faster), and scene-judge compares the event lines,
# the report on COM1 and the exit statuses, allowing the known deviations.
# The files of a case that is not "agree" or "known" stay in WORK_DIR
# (all of them with KEEP=1).  Prints one line per case that is not
# "agree" (all with VERBOSE=1), then the totals.
#
# Environment (the Makefile sets them; the defaults suit the build tree):
#   QEMU         qemu-system-i386 (default: from PATH)
#   RINGLAB      ./ringlab
#   SCENE_GEN, SCENE_JUDGE   tests/fuzz/scene/scene-gen, scene-judge
#   SCENE_SRC    the directory of scene.inc (default: this script's)
#   GUEST_LDS    tests/guests/guest.ld of the source tree
#   NASM, LD     nasm, ld
#   WORK_DIR     tests/fuzz/scene/work
#   JOBS         cases run at once (default 1)
#   TIME_LIMIT   seconds per run (default 10)
#
# Exit: 0 when no case is NEW (a difference nobody explained), 1 otherwise,
# 77 when qemu-system-i386 is missing, 2 for bad arguments or a build error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 SEED COUNT" >&2
    exit 2
fi
seed=$1 count=$2
case "$seed$count" in *[!0-9]*) echo "$0: SEED and COUNT are numbers" >&2; exit 2 ;; esac

if [ -z "${QEMU+set}" ]; then
    QEMU=$(command -v qemu-system-i386 2>/dev/null || true)
fi
RINGLAB=${RINGLAB:-./ringlab}
SCENE_GEN=${SCENE_GEN:-tests/fuzz/scene/scene-gen}
SCENE_JUDGE=${SCENE_JUDGE:-tests/fuzz/scene/scene-judge}
SCENE_SRC=${SCENE_SRC:-$here}
GUEST_LDS=${GUEST_LDS:-$here/../../guests/guest.ld}
NASM=${NASM:-nasm}
LD=${LD:-ld}
WORK_DIR=${WORK_DIR:-tests/fuzz/scene/work}
JOBS=${JOBS:-1}
TIME_LIMIT=${TIME_LIMIT:-10}
KEEP=${KEEP:-0}
VERBOSE=${VERBOSE:-0}

if [ -z "$QEMU" ] || [ ! -x "$QEMU" ]; then
    echo "scene-diff: SKIP: qemu-system-i386 not found"
    exit 77
fi
for f in "$RINGLAB" "$SCENE_GEN" "$SCENE_JUDGE"; do
    [ -x "$f" ] || { echo "scene-diff: $f not built" >&2; exit 2; }
done
mkdir -p "$WORK_DIR" || exit 2

if command -v timeout >/dev/null 2>&1; then
    limit="timeout -k 2 $TIME_LIMIT"
else
    limit=
fi

# run_case N: build and run scene N, append the judge's line to $results
run_case() {
    p=$WORK_DIR/scene-$1
    if ! "$SCENE_GEN" "$1" "$p" ||
       ! "$NASM" -f elf32 -i "$SCENE_SRC/" -o "$p.o" "$p.asm" ||
       ! "$LD" -m elf_i386 -T "$GUEST_LDS" -o "$p.elf" "$p.o"; then
        echo "$p: ERROR: the guest does not build" >>"$results"
        return
    fi
    for m in qemu ringlab; do
        if [ $m = qemu ]; then bin=$QEMU; else bin=$RINGLAB; fi
        $limit "$bin" -kernel "$p.elf" -m 32 -net none -nographic -no-reboot -d int -D "$p.$m.log" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            </dev/null >"$p.$m.out" 2>"$p.$m.err"
        echo $? >"$p.$m.status"
    done
    verdict=$("$SCENE_JUDGE" "$p")
    echo "$verdict" >>"$results"
    case "$verdict" in
    *": agree"*|*": known ("*)
        [ "$KEEP" = 1 ] || rm -f "$p".*
        ;;
    esac
}

# Split the range in JOBS runs of consecutive seeds.
per=$(( (count + JOBS - 1) / JOBS ))
[ "$per" -gt 0 ] || per=1
pids=
j=0
start=$seed
end=$((seed + count))
while [ "$start" -lt "$end" ]; do
    stop=$((start + per))
    [ "$stop" -le "$end" ] || stop=$end
    results=$WORK_DIR/results.$j
    : >"$results"
    (
        n=$start
        while [ "$n" -lt "$stop" ]; do
            run_case "$n"
            n=$((n + 1))
        done
    ) &
    pids="$pids $!"
    start=$stop
    j=$((j + 1))
done
for p in $pids; do
    wait "$p"
done

all=$WORK_DIR/results
cat "$WORK_DIR"/results.[0-9]* >"$all" 2>/dev/null
rm -f "$WORK_DIR"/results.[0-9]*
if [ "$VERBOSE" = 1 ]; then
    cat "$all"
else
    grep -v ': agree$' "$all" | grep -v ': known (' || true
fi
total=$(wc -l <"$all")
c() { grep -c -- "$1" "$all" || true; }
printf 'scene-diff: %d cases from seed %d: %d agree, %d known, %d known-diverges, %d limits, %d NEW, %d errors\n' \
    "$total" "$seed" "$(c ': agree$')" "$(c ': known (')" "$(c ': known-diverges')" \
    "$(c ': limits')" "$(c ': NEW')" "$(c ': ERROR')"
dev=
for d in ext rf accessed ad-on-fault ss-vs-np ss-vs-ts ts-vs-gp sysenter-cs push-user ss16-esp gate16 triple task-eip task-state; do
    dev="$dev $d $(grep -c -E -- "[( ]$d[ )]" "$all" || true),"
done
echo "scene-diff: cases showing each known deviation:${dev%,}"
if grep -q -e ': NEW' -e ': ERROR' "$all"; then
    exit 1
fi
exit 0
