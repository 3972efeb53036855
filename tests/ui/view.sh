#!/bin/sh
# tests/ui/view.sh — sourced by the view's tests: run ringlab's view under
# a virtual X server with a --ui-script, and check the screenshots it took
# against the text model it wrote (the `model` command).
#
# Environment: RINGLAB (default ./ringlab), PNG_PROBE (default
# tests/ui/png_probe), XVFB_RUN (default: xvfb-run from PATH).
# A test that sources this exits 77 (skipped) without xvfb-run or the view.

RINGLAB=${RINGLAB:-./ringlab}
PNG_PROBE=${PNG_PROBE:-tests/ui/png_probe}
XVFB_RUN=${XVFB_RUN:-$(command -v xvfb-run)}
[ -n "$XVFB_RUN" ] || { echo "SKIP: no xvfb-run"; exit 77; }
[ -x "$PNG_PROBE" ] || { echo "SKIP: $PNG_PROBE is not built (no view)"; exit 77; }
[ -f guests/kernel/kernel.elf ] || { echo "SKIP: the bundled kernel is not built"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# xvfb COMMAND...: COMMAND under a virtual X server of 1280x800.  The X
# authority file is ours: xvfb-run's own temporary directory is sometimes
# still in use by xauth when it removes it, and it then fails (status 5).
# A view that hangs is killed after 300 s, so the suite goes on.
xvfb() {
	timeout 300 "$XVFB_RUN" -a -f "$tmp/Xauthority" -s "-screen 0 1280x800x24" "$@"
}

# run_view SCRIPT [ringlab options...]: the view with SCRIPT; its stdout in
# $tmp/out, stderr in $tmp/err, exit status in $status.
run_view() {
	script=$1
	shift
	xvfb "$RINGLAB" --ui-script "$script" --timeout 120 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "exit status $status"
		cat "$tmp/err"
	fi
}

# section MODEL NAME: the lines of one panel in a model file.
section() {
	sed -n "/^== $2\( (folded)\)*\$/,/^== /p" "$1" | sed '1d;/^== /d'
}

# has MODEL PANEL TEXT: the panel shows TEXT (fixed string).
has() {
	section "$1" "$2" | grep -qF -- "$3" || {
		fail "$2 does not show '$3'; it shows:"
		section "$1" "$2" | sed 's/^/    /'
	}
}

# probe_is PNG MODEL PROBE COLOUR: the view drew PROBE's point in COLOUR
# (a palette name), by its model, and the screenshot has that colour there.
probe_is() {
	png=$1 model=$2 name=$3 colour=$4
	line=$(grep "^probe $name " "$model" | head -n 1)
	if [ -z "$line" ]; then
		fail "the view drew no $name (no probe in $model)"
		return
	fi
	# shellcheck disable=SC2086
	set -- $line
	x=$3 y=$4 drawn=$5 want="$6 $7 $8"
	[ "$drawn" = "$colour" ] || fail "$name was drawn $drawn, not $colour"
	got=$("$PNG_PROBE" "$png" "$x" "$y") || { fail "cannot read $png"; return; }
	[ "$got" = "$want" ] || fail "pixel ($x, $y) of $png, $name, is $got, not $drawn ($want)"
}

# value MODEL PANEL REGEX: the first match of an extended regex's group 1
# (sed -E) in a panel.
value() {
	section "$1" "$2" | sed -n -E "s/$3/\\1/p" | head -n 1
}

# finish: the verdict.
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "--- the script's output:"
		cat "$tmp/out"
		exit 1
	fi
	echo "PASS: $1"
	exit 0
}

# debugger_reg N NAME: register NAME (eax...) as the N-th `r` of the script
# printed it (8 hex digits), the debugger's reading of the machine.
debugger_reg() {
	awk -v n="$1" -v reg="$2" '
		/^<ringlab> / { inside = ($0 == "<ringlab> r") ? ++count == n : 0; next }
		inside { for (i = 1; i < NF; i++) if ($i == reg ":" || $i == reg) { sub(/^0x/, "", $(i + 1)); print $(i + 1); exit } }
	' "$tmp/out"
}

# same WHAT A B: two readings of one value agree.
same() {
	[ -n "$2" ] && [ "$2" = "$3" ] || fail "$1: the view shows '$2', the machine has '$3'"
}

# script_to_exec PROGRAM: the start of a script that types PROGRAM at the
# shell once it waits in read() (the boot's fork, wait, exec, the prompt's
# write, read), and runs to the exec that starts it (the shell's fork,
# wait, exec).  The run goes on from the kernel's side of that exec.
script_to_exec() {
	{
		printf '%s\n' 'until syscall' 'until syscall' 'until syscall' 'until syscall'
		printf '%s\n' 'until syscall' "type $1\\r" 'until syscall' 'until syscall'
		printf '%s\n' 'until syscall'
	} >"$tmp/script"
}
