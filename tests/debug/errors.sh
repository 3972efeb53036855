#!/bin/sh
# tests/debug/errors.sh: bad input to the debugger.  At the prompt (here,
# commands piped in) each bad command gets one clear line and the session
# goes on; in a script the first bad line stops the run with status 2 and
# names the line; a script that cannot be read is status 2 before anything
# runs.
# Environment: RINGLAB (default ./ringlab), GUEST (a test guest image).
# Exit status: 0 pass, 1 fail, 77 skipped.

RINGLAB=${RINGLAB:-./ringlab}
GUEST=${GUEST:-tests/guests/smc.elf}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
[ -f "$GUEST" ] || { echo "SKIP: $GUEST not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-dbg.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# has FILE REGEX: a line of FILE matches.
has() {
	grep -q -E -e "$2" "$1" || fail "no line matching '$2' in: $(cat "$1")"
}

# At the prompt: every answer below, and the session still at q.
printf '%s\n' 'bogus' 'x/4w zz' 'x/4w 0xfff00000' 'xp/2w 0xf0000000' 'b' 'b nosuchsymbol' \
	'd 99' 'until never' 'until vector 300' 's 0' 'info nothing' 'u kernel:nosuch' \
	'x/0w 0' 'x/4q 0' 'type \q' 'help nosuch' 'r' 'q' |
	"$RINGLAB" --debugger -kernel "$GUEST" -no-reboot >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 0 ] || fail "the session ended with status $status after bad commands"
has "$tmp/out" "^unknown command 'bogus' \\(help lists them\\)$"
has "$tmp/out" "^'zz' is not a number, a register or a known symbol$"
has "$tmp/out" "^0xfff00000: not RAM|^0xfff00000: at physical 0xfff00000, which is not RAM$"
has "$tmp/out" "^0xf0000000: not RAM$"
has "$tmp/out" "^usage: b ADDR \\[cr3 VALUE\\]$"
has "$tmp/out" "^'nosuchsymbol' is not a number, a register or a known symbol$"
has "$tmp/out" "^there is no breakpoint or watchpoint 99$"
has "$tmp/out" "^until: 'never' is not something to run until"
has "$tmp/out" "^a vector is a number from 0 to 255, not '300'$"
has "$tmp/out" "^the count must be a number from 1 to"
has "$tmp/out" "^info: 'nothing' is not something to show"
has "$tmp/out" "^'kernel:nosuch': kernel has no symbol 'nosuch'$"
has "$tmp/out" "^the count must be from 1 to 4096$"
has "$tmp/out" "^'q' is not a unit \\(b h w g\\) or a format \\(x d u c\\)$"
has "$tmp/out" "^type: unknown escape"
has "$tmp/out" "^help: no command 'nosuch'$"
has "$tmp/out" "^eip: 0x"   # the session went on to r
[ -s "$tmp/err" ] && fail "the prompt wrote to stderr: $(cat "$tmp/err")"

# In a script: the first bad line ends the run, naming the file and line.
printf '%s\n' 'r' '# a comment' 'bogus 1 2' 'r' >"$tmp/bad.dbg"
"$RINGLAB" --debugger-script "$tmp/bad.dbg" -kernel "$GUEST" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 2 ] || fail "a bad script line gave status $status, not 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "a bad script line: $(wc -l <"$tmp/err") lines on stderr"
has "$tmp/err" "^ringlab: $tmp/bad.dbg:3: unknown command 'bogus'"
[ "$(grep -c '^eip: ' "$tmp/out")" -eq 1 ] || fail "the script went on after its bad line"

# A script that cannot be read: status 2, nothing run.
"$RINGLAB" --debugger-script "$tmp/none.dbg" -kernel "$GUEST" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 2 ] || fail "a missing script gave status $status, not 2"
has "$tmp/err" "^ringlab: --debugger-script: $tmp/none.dbg: No such file or directory"
[ -s "$tmp/out" ] && fail "a missing script still ran: $(cat "$tmp/out")"

# help lists every command, and the man page's DEBUGGER section explains
# each one help lists.
MAN=${MAN:-$(dirname "$0")/../../doc/ringlab.1}
printf 'help\nq\n' | "$RINGLAB" --debugger -kernel "$GUEST" >"$tmp/help" 2>&1
for cmd in c s n until b watch d reset q r sreg creg page x xp u info type help; do
	grep -q -E "^  $cmd( |/|$)" "$tmp/help" || fail "help does not list '$cmd'"
done
sed -n '/^\.SH DEBUGGER/,/^\.SH /p' "$MAN" | sed 's/\\f[BIR]//g; s/\\//g' >"$tmp/man"
for cmd in $(sed -n 's/^  \([a-z]*\).*/\1/p' "$tmp/help"); do
	grep -q -E "(^|^\.B[IR]? |[ ,])$cmd( |$|/|,)" "$tmp/man" || fail "the man page does not explain '$cmd'"
done

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "PASS: the debugger's bad input; help and the man page list every command"
exit 0
