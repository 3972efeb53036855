#!/bin/sh
# tests/cli/course-line.sh: the `make qemu` line the README documents runs
# as written, with ringlab and with qemu-system-i386 in the emulator's
# place, and both boot the same kernel to the same end.
#
# The line is read from README.md itself (so the test follows the
# documentation), and --help and the man page must show the same line.  It
# boots tests/cli/course_kernel.elf as kernel.elf with two modules; the
# kernel checks what it was given and exits through isa-debug-exit.
#
# Environment: RINGLAB (default ./ringlab), QEMU (default: qemu-system-i386
# from PATH; empty = none), KERNEL (default tests/cli/course_kernel.elf),
# srcdir (where README.md and doc/ are; set by make check).
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab or no kernel).

RINGLAB=${RINGLAB:-./ringlab}
KERNEL=${KERNEL:-tests/cli/course_kernel.elf}
srcdir=${srcdir:-.}
if [ -z "${QEMU+set}" ]; then
	QEMU=$(command -v qemu-system-i386 2>/dev/null || true)
fi
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$KERNEL" ] || { echo "SKIP: $KERNEL not built"; exit 77; }
case $RINGLAB in /*) ;; *) RINGLAB=$(pwd)/$RINGLAB ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-course.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# join: a command continued with backslashes, one line per input line,
# indentation and the backslashes dropped, words single-spaced.
join() {
	sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*\\$//' | tr '\n' ' ' |
		sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/ $//'
}

# The README's line: the indented block after "`make qemu` line".
line=$(awk '
	/`make qemu` line/ { found = 1; next }
	found && /^    / { print; inblock = 1; next }
	found && inblock { exit }
' "$srcdir/README.md" | join)
case $line in
"ringlab "*) ;;
*)
	echo "FAIL: no 'ringlab ...' line after \"\`make qemu\` line\" in $srcdir/README.md"
	exit 1
	;;
esac

# --help: the indented lines after "Example (an OS course's make qemu line".
help_line=$("$RINGLAB" --help | awk '
	/make qemu line/ { found = 1; next }
	found && /^  / { print; next }
	found { exit }
' | join)
[ "$help_line" = "$line" ] || fail "--help shows another course line:
    --help: $help_line
    README: $line"

# The man page: the first .nf block of EXAMPLES, roff escapes undone.
man_line=$(awk '
	/^\.SH EXAMPLES/ { ex = 1; next }
	ex && /^\.nf/ { nf = 1; next }
	nf && /^\.fi/ { exit }
	nf { print }
' "$srcdir/doc/ringlab.1" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' | join)
[ "$man_line" = "$line" ] || fail "the man page shows another course line:
    ringlab.1: $man_line
    README:    $line"

# run NAME EMULATOR: the line in its own directory, `ringlab` standing for
# EMULATOR; status in $dir/status, output in $dir/out, the log $dir/int.log.
run() {
	dir=$tmp/$1
	mkdir "$dir" || exit 99
	cp "$KERNEL" "$dir/kernel.elf" || exit 99
	printf MOD1 >"$dir/mod1"
	printf MOD2 >"$dir/mod2"
	emulator=$2
	# shellcheck disable=SC2317 # called by the line, through eval
	if command -v timeout >/dev/null 2>&1; then
		ringlab() { timeout -k 5 60 "$emulator" "$@"; }
	else
		ringlab() { "$emulator" "$@"; }
	fi
	(cd "$dir" && eval "$line") </dev/null >"$dir/out" 2>&1
	echo $? >"$dir/status"
	grep -E '^ *[0-9]+: v=' "$dir/int.log" >"$dir/events" 2>/dev/null
}

# check NAME: the kernel passed (isa-debug-exit value 0: status 1) and
# -d int logged its one INT 0x30.
check() {
	dir=$tmp/$1
	st=$(cat "$dir/status")
	if [ "$st" != 1 ] || ! grep -q 'guest: pass 00000000' "$dir/out"; then
		fail "$1: the course line exited with status $st (want 1, the kernel's pass):"
		tail -n 5 "$dir/out" | sed 's/^/    /'
	fi
	if [ ! -f "$dir/int.log" ]; then
		fail "$1: -D int.log was not written"
	elif [ "$(wc -l <"$dir/events")" -ne 1 ] || ! grep -q ': v=30 e=0000 i=1 cpl=0 ' "$dir/events"; then
		fail "$1: int.log does not hold the one INT 0x30:"
		sed 's/^/    /' "$dir/events"
	fi
}

echo "the course line: $line"
run ringlab "$RINGLAB"
check ringlab
if [ -n "$QEMU" ] && [ -x "$QEMU" ]; then
	run qemu "$QEMU"
	check qemu
	cmp -s "$tmp/qemu/events" "$tmp/ringlab/events" || {
		fail "the -d int lines differ (- qemu-system-i386, + ringlab):"
		diff -u "$tmp/qemu/events" "$tmp/ringlab/events" | sed 1,2d
	}
else
	echo "note: qemu-system-i386 not found; the line was run with ringlab only"
fi

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "PASS: the README's course line runs under ringlab${QEMU:+ and qemu-system-i386}"
exit 0
