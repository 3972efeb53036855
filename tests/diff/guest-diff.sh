#!/bin/sh
# guest-diff.sh - run one test guest under qemu-system-i386 and under ringlab
# and compare their `-d int` event lines and exit statuses.
#
#   guest-diff.sh GUEST            compare (the test; exit 0 pass, 1 fail, 77 skip)
#   guest-diff.sh --record GUEST   run QEMU only and write EXPECT_DIR/GUEST.qemu
#
# Environment (the generated tests/diff/GUEST.test wrappers set all of them;
# the defaults suit a run by hand from the top of the build tree):
#   QEMU        qemu-system-i386 to run (default: found in PATH; empty = none)
#   RINGLAB     the ringlab binary (default: ./ringlab)
#   GUEST_DIR   where GUEST.img (a raw disk image, booted by the firmware
#               from -drive ...,index=0) or else GUEST.elf (a Multiboot
#               kernel, started with -kernel) is (default: tests/guests)
#   GUEST_SRC   where GUEST.asm is, for its "; diff-mode:" line
#               (default: the guests directory beside this script)
#   EXPECT_DIR  where GUEST.qemu and GUEST.sdm are (default: this script's dir)
#   WORK_DIR    where the logs go (default: tests/diff)
#   TIME_LIMIT  seconds allowed per run (default: 30)
#
# Files per guest in EXPECT_DIR:
#   GUEST.qemu  QEMU's event lines, recorded by `make refresh-qemu-traces`;
#               used when QEMU is not installed.  A "# exit-status: N" line
#               records QEMU's exit status.
#   GUEST.sdm   present only where QEMU departs from the Intel SDM: the event
#               lines the SDM prescribes (ringlab must produce exactly these),
#               "@sdm-status N" (ringlab's exit status), "@qemu-status N"
#               (QEMU's), and "#" comments explaining the difference.  The
#               test also checks that QEMU still shows the difference, so the
#               explanation cannot go stale.  {label}, {label+N}, {label-N}
#               in a line stand for the address of a symbol of GUEST.elf
#               (from nm), so the lines survive a change of code layout.
#
# Comparison: full event lines, unless GUEST.asm says "; diff-mode: vectors"
# (guests that take timer interrupts: their positions vary run to run under
# QEMU, so only the sequence of vectors is compared).
#
# QEMU runs its default CPU model unless GUEST.asm says "; qemu-cpu: MODEL"
# (a guest that needs a feature qemu32 lacks, such as CR4.UMIP); ringlab
# always runs its own default.  "; qemu-time-limit: N" shortens the wait for
# a guest QEMU never finishes (GUEST.sdm then says @qemu-status 124).

set -u

me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)

record=no
if [ "${1:-}" = "--record" ]; then
    record=yes
    shift
fi
if [ $# -ne 1 ]; then
    echo "usage: $me [--record] GUEST" >&2
    exit 2
fi
g=$1

if [ -z "${QEMU+set}" ]; then
    QEMU=$(command -v qemu-system-i386 2>/dev/null || true)
fi
RINGLAB=${RINGLAB:-./ringlab}
GUEST_DIR=${GUEST_DIR:-tests/guests}
GUEST_SRC=${GUEST_SRC:-$here/../guests}
EXPECT_DIR=${EXPECT_DIR:-$here}
WORK_DIR=${WORK_DIR:-tests/diff}
TIME_LIMIT=${TIME_LIMIT:-30}

# A disk image wins over an ELF of the same name (pc_boot has both: the
# ELF is its payload, for the symbols).
if [ -f "$GUEST_DIR/$g.img" ]; then
    image=$GUEST_DIR/$g.img
    boot="-drive file=$image,format=raw,index=0,media=disk,snapshot=on"
else
    image=$GUEST_DIR/$g.elf
    boot="-kernel $image"
fi
recorded=$EXPECT_DIR/$g.qemu
sdm=$EXPECT_DIR/$g.sdm
w=$WORK_DIR/$g

say() { echo "$g: $*"; }

if [ ! -f "$image" ]; then
    say "no guest image $image (build it with make check)"
    exit 1
fi
mkdir -p "$WORK_DIR" || exit 1

mode=full
if grep -q '^; diff-mode: vectors' "$GUEST_SRC/$g.asm" 2>/dev/null; then
    mode=vectors
fi
qemu_cpu=$(sed -n 's/^; qemu-cpu: *\([A-Za-z0-9_-]*\).*/\1/p' "$GUEST_SRC/$g.asm" 2>/dev/null | head -n 1)
# "; machine-args: ARGS" in the guest's source: options both machines get
# (e.g. -smp 2).
extra=$(sed -n 's/^; machine-args: *//p' "$GUEST_SRC/$g.asm" 2>/dev/null | head -n 1)
# "; qemu-time-limit: N" in the guest's source: a guest QEMU is known never
# to finish (its GUEST.sdm says @qemu-status 124) waits N seconds for it.
qemu_limit=$(sed -n 's/^; qemu-time-limit: *\([0-9][0-9]*\).*/\1/p' "$GUEST_SRC/$g.asm" 2>/dev/null | head -n 1)

# events FILE: the `-d int` event lines of a log (register dumps and
# check_exception lines dropped).
events() {
    grep -E '^ *[0-9]+: v=' "$1" 2>/dev/null || true
}

# `timeout` (coreutils) stops a guest that never exits; without it, run bare.
if command -v timeout >/dev/null 2>&1; then
    limit="timeout -k 5 $TIME_LIMIT"
else
    limit=
fi

# run_machine PROGRAM NAME [ARGS]: run the guest with QEMU's command line
# (and ARGS); the event lines go to $w.NAME.events and the exit status to
# $w.NAME.status.
run_machine() {
    prog=$1
    name=$2
    shift 2
    rm -f "$w.$name.log"
    # shellcheck disable=SC2086 # $boot and $extra are several words
    $limit "$prog" $boot $extra "$@" -nographic -no-reboot \
        -d int -D "$w.$name.log" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        </dev/null >"$w.$name.out" 2>&1
    st=$?
    echo "$st" >"$w.$name.status"
    events "$w.$name.log" >"$w.$name.events"
    if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
        say "$name did not finish in time"
    fi
}

# sdm_value KEY: the number after "@KEY" in GUEST.sdm
sdm_value() {
    sed -n "s/^@$1[[:space:]][[:space:]]*\\([0-9][0-9]*\\).*/\\1/p" "$sdm" | head -n 1
}

# resolve_symbols NMFILE: on stdin, replace each {symbol}, {symbol+N} and
# {symbol-N} (N decimal or 0x hex) with the address from NMFILE (`nm`
# output) as 8 hex digits; an unknown symbol is left as {?symbol}.
resolve_symbols() {
    awk -v symfile="$1" '
        function num(s,    v, i) {
            if (s !~ /^0[xX]/)
                return s + 0
            v = 0
            for (i = 3; i <= length(s); i++)
                v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
            return v
        }
        function resolve(e,    p, name, v) {
            p = match(e, /[-+]/)
            name = p ? substr(e, 1, p - 1) : e
            if (!(name in addr))
                return "{?" e "}"
            v = num("0x" addr[name])
            if (p && substr(e, p, 1) == "+")
                v += num(substr(e, p + 1))
            else if (p)
                v -= num(substr(e, p + 1))
            return sprintf("%08x", v)
        }
        BEGIN {
            while ((getline line < symfile) > 0)
                if (split(line, f, " ") == 3)
                    addr[f[3]] = f[1]
        }
        {
            out = ""
            s = $0
            while (match(s, /[{][^}]*[}]/)) {
                # resolve() calls match() too, so keep RSTART and RLENGTH
                start = RSTART
                len = RLENGTH
                out = out substr(s, 1, start - 1) resolve(substr(s, start + 1, len - 2))
                s = substr(s, start + len)
            }
            print out s
        }'
}

# vectors FILE: one vector per line
vectors() {
    sed -E 's/^ *[0-9]+: v=([0-9a-f]+) .*/\1/' "$1"
}

# same A B LABEL_A LABEL_B: compare two event files the way this guest wants
same() {
    if [ "$mode" = vectors ]; then
        vectors "$1" >"$1.vec"
        vectors "$2" >"$2.vec"
        set -- "$1.vec" "$2.vec" "$3 (vectors)" "$4 (vectors)"
    fi
    if cmp -s "$1" "$2"; then
        return 0
    fi
    echo "  (- $3, + $4)"
    diff -u "$1" "$2" | sed 1,2d
    return 1
}

# --- QEMU: live when installed, else the recorded lines -------------------
if [ -n "$QEMU" ] && [ -x "$QEMU" ]; then
    saved_limit=$limit
    if [ -n "$qemu_limit" ] && [ -n "$limit" ]; then
        limit="timeout -k 5 $qemu_limit"
    fi
    run_machine "$QEMU" qemu ${qemu_cpu:+-cpu "$qemu_cpu"}
    limit=$saved_limit
    qemu_status=$(cat "$w.qemu.status")
    qemu_live=yes
    if [ "$record" = yes ]; then
        {
            echo "# $g: qemu-system-i386 -d int event lines, recorded by 'make refresh-qemu-traces'"
            echo "# with $("$QEMU" --version | head -n 1)"
            echo "# exit-status: $qemu_status"
            cat "$w.qemu.events"
        } >"$recorded" || exit 1
        say "recorded $(wc -l <"$w.qemu.events") event lines, exit status $qemu_status, in $recorded"
        exit 0
    fi
elif [ "$record" = yes ]; then
    say "cannot record: qemu-system-i386 not found"
    exit 1
elif [ -f "$recorded" ]; then
    events "$recorded" >"$w.qemu.events"
    qemu_status=$(sed -n 's/^# exit-status: *\([0-9]*\).*/\1/p' "$recorded")
    qemu_live=no
    say "qemu-system-i386 not found: comparing with the recorded $recorded"
else
    say "SKIP: qemu-system-i386 not found and no recorded $recorded"
    exit 77
fi

failed=0

# What QEMU must show: a passing guest (status 1), or what GUEST.sdm says.
qemu_want=1
if [ -f "$sdm" ]; then
    v=$(sdm_value qemu-status)
    [ -n "$v" ] && qemu_want=$v
fi
if [ "$qemu_status" != "$qemu_want" ]; then
    say "FAIL: qemu-system-i386 exit status $qemu_status, expected $qemu_want (see $w.qemu.out)"
    failed=1
fi

# A live run is checked against the recording too: for a documented
# deviation a change means the documentation is stale; otherwise the
# recording only needs refreshing.
if [ "$qemu_live" = yes ] && [ -f "$recorded" ]; then
    events "$recorded" >"$w.recorded.events"
    if ! cmp -s "$w.recorded.events" "$w.qemu.events"; then
        if [ -f "$sdm" ]; then
            say "FAIL: QEMU's events differ from the recorded $recorded that $g.sdm documents:"
            failed=1
        else
            say "warning: QEMU's events differ from the recorded $recorded (run make refresh-qemu-traces):"
        fi
        same "$w.recorded.events" "$w.qemu.events" recorded qemu-live || true
    fi
fi

# --- the reference ringlab must match -------------------------------------
if [ -f "$sdm" ]; then
    # {symbol} in GUEST.sdm stands for that symbol's address in the image.
    if ! "${NM:-nm}" "$image" >"$w.sym.nm" 2>"$w.sym.err"; then
        say "FAIL: cannot list the symbols of $image with ${NM:-nm}: $(cat "$w.sym.err")"
        exit 1
    fi
    events "$sdm" | resolve_symbols "$w.sym.nm" >"$w.sdm.events"
    if grep -q "{" "$w.sdm.events"; then
        say "FAIL: $sdm names a symbol that $image lacks:"
        grep "{" "$w.sdm.events"
        exit 1
    fi
    ref=$w.sdm.events
    ref_name="$g.sdm"
    ref_status=$(sdm_value sdm-status)
    [ -n "$ref_status" ] || ref_status=1
    # The deviation must still be there, or the .sdm file is wrong.
    if cmp -s "$w.sdm.events" "$w.qemu.events" && [ "$qemu_status" = "$ref_status" ]; then
        say "FAIL: $g.sdm documents a QEMU deviation, but QEMU now agrees with the SDM; update $g.sdm"
        failed=1
    fi
else
    ref=$w.qemu.events
    ref_name=qemu-system-i386
    ref_status=$qemu_status
fi

# --- ringlab ----------------------------------------------------------------
if [ ! -x "$RINGLAB" ]; then
    if [ "$failed" -ne 0 ]; then
        exit 1
    fi
    say "SKIP: $RINGLAB not built; the QEMU side checked out"
    exit 77
fi
run_machine "$RINGLAB" ringlab
rl_status=$(cat "$w.ringlab.status")
# ringlab walks the page tables itself for every #PF to explain it; its
# predicted error code must be the one the CPU produced.
if grep -q "page walk disagreed" "$w.ringlab.out"; then
    say "FAIL: ringlab's page walk disagreed with the CPU's #PF error code:"
    grep -a "ringlab's walk predicts" "$w.ringlab.log" | head -n 5 >&2
    exit 1
fi

if [ "$rl_status" != "$ref_status" ]; then
    say "FAIL: ringlab exit status $rl_status, expected $ref_status from $ref_name (see $w.ringlab.out)"
    failed=1
fi
if ! same "$ref" "$w.ringlab.events" "$ref_name" ringlab >"$w.diff"; then
    say "FAIL: ringlab's -d int events differ from $ref_name:"
    cat "$w.diff"
    failed=1
fi

if [ "$failed" -ne 0 ]; then
    exit 1
fi
say "ok ($(wc -l <"$w.ringlab.events") events, $mode lines, exit status $rl_status)"
exit 0
