#!/bin/sh
# tests/kernel/tour.sh — docs/tour.md must stay true.
#
# Boots the bundled kernel under ringlab, types every command the tour
# shows, in the tour's order, and checks the tour's excerpts against what
# came out:
#   ```console   the console; the lines must appear in this order, one
#                after the other ("..." on a line of its own stands for any
#                number of lines). A line that starts with "$ " is a
#                command: the test types it at the next shell prompt; text
#                after "type a line> " is typed at that program's prompt.
#   ```int       lines of the -d int log, in this order (others between)
#   ```trace     lines of the --trace file, in this order (others between)
# In all three, "…" in a line stands for any text, and the times `cross`
# prints are not compared (they are the machine's).
# A block right after a line "<!-- tour: not checked ... -->" has its
# commands typed but is not compared: the comment says why.
#
# Environment: EMU (default ./ringlab), EMU_FLAGS, KERNEL, INITRD, TIMEOUT,
# TOUR (default docs/tour.md next to this script), OUT (prefix of the files
# it leaves: OUT.transcript, and OUT.int and OUT.jsonl if it failed).
# Exit status: 0 pass, 1 fail, 77 skipped (no emulator), 99 hard error.

here=$(dirname "$0")
EMU=${EMU:-./ringlab}
TOUR=${TOUR:-$here/../../docs/tour.md}
OUT=${OUT:-tests/kernel/tour}
LOG=$OUT.log
. "$here/emulator.sh"

[ -f "$TOUR" ] || { echo "ERROR: $TOUR missing"; exit 99; }
require_emulator tour
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.int" "$OUT.jsonl"

# The fenced blocks, one line each: "KIND CHECKED TEXT" (KIND console, int,
# trace; CHECKED 1 or 0), and "end" after each block.
LC_ALL=C awk '
	/^<!-- tour: not checked/ { skip = 1; next }
	/^```(console|int|trace)[ \t]*$/ && !kind { kind = substr($0, 4); sub(/[ \t]+$/, "", kind); next }
	/^```/ && kind { print "end"; kind = ""; skip = 0; next }
	kind { print kind, (skip ? 0 : 1), $0; next }
	/[^ \t]/ { skip = skip && /^<!--/ }
' "$TOUR" >"$tmp/blocks"
[ -s "$tmp/blocks" ] || { echo "ERROR: no excerpts in $TOUR"; exit 99; }

# shellcheck disable=SC2086
start_emulator "$LOG" -d int -D "$OUT.int" --trace "$OUT.jsonl" $EMU_FLAGS
. "$here/shell.sh"

finish() {
	transcript >"$OUT.transcript"
	if [ $failures -ne 0 ]; then
		echo "--- transcript ($OUT.transcript) ---"
		cat "$OUT.transcript"
		echo "$failures failure(s)"
		exit 1
	fi
	# The logs are large (tens of MB): kept only when something failed.
	rm -f "$OUT.int" "$OUT.jsonl"
	echo "PASS: $TOUR matches a run under $EMU ($checked excerpts)"
	exit 0
}

# --- type what the tour types ------------------------------------------
# A command is typed at the next prompt, input at the next "type a line> ".
prompts=1
inputs=0
while IFS= read -r line; do
	case $line in
	"console "?" \$ "*)
		wait_count '^\$ ' $prompts
		printf '%s\r' "${line#console ? \$ }" >&3
		prompts=$((prompts + 1))
		;;
	"console "?" "*"type a line> "?*)
		inputs=$((inputs + 1))
		wait_count 'type a line> ' $inputs
		printf '%s\r' "${line#*type a line> }" >&3
		;;
	esac
done <"$tmp/blocks"
wait_count '^\$ ' $prompts
sleep 0.5
stop_emulator
transcript >"$OUT.transcript"

# --- compare -----------------------------------------------------------
# match KIND FILE: the checked blocks of KIND against FILE. console blocks
# must match consecutive lines; int and trace blocks any lines in order.
match() {
	steady <"$2" >"$tmp/have"
	grep "^$1 1 \|^end" "$tmp/blocks" | sed 's/^[a-z]* 1 //' | steady >"$tmp/want"
	LC_ALL=C awk -v kind="$1" -v what="$2" -v have="$tmp/have" '
		# Does text t match the excerpt line e ("…" stands for any text)?
		function like(t, e,   n, p, i, at, k) {
			n = split(e, p, "…")
			if (n <= 1)
				return t == e
			if (substr(t, 1, length(p[1])) != p[1])
				return 0
			at = length(p[1]) + 1
			for (i = 2; i < n; i++) {
				k = index(substr(t, at), p[i])
				if (!k)
					return 0
				at += k - 1 + length(p[i])
			}
			return length(t) - at + 1 >= length(p[n]) &&
			       substr(t, length(t) - length(p[n]) + 1) == p[n]
		}
		# The first place at or after `from` where block b matches; the
		# line after its end in `found`, or 0.
		function place(from,   s, i, j, l, skipping, ok) {
			for (s = from; s <= nt + 1; s++) {
				i = s; ok = 1; skipping = kind != "console"
				for (l = 1; l <= nb; l++) {
					if (B[l] == "...") { skipping = 1; continue }
					if (skipping) {
						for (j = i; j <= nt && !like(T[j], B[l]); j++)
							;
						if (j > nt) { ok = 0; break }
						i = j + 1
						skipping = kind != "console"
					} else {
						if (i > nt || !like(T[i], B[l])) { ok = 0; break }
						i++
					}
				}
				if (ok)
					return i
				if (kind != "console" || B[1] == "...")
					return 0
			}
			return 0
		}
		BEGIN { while ((getline line <have) > 0) T[++nt] = line; pos = 1 }
		$0 == "end" {
			if (nb) {
				blocks++
				at = place(pos)
				if (!at) {
					printf "FAIL: a %s excerpt of the tour is not in %s:\n", kind, what
					for (l = 1; l <= nb; l++)
						printf "    %s\n", B[l]
					bad++
				} else {
					pos = at
				}
			}
			nb = 0
			next
		}
		{ B[++nb] = $0 }
		END { print blocks + 0 > "/dev/stderr"; exit bad ? 1 : 0 }
	' "$tmp/want" 2>"$tmp/count" || failures=$((failures + 1))
	checked=$((checked + $(cat "$tmp/count")))
}

checked=0
match console "$OUT.transcript"
match int "$OUT.int"
match trace "$OUT.jsonl"
finish
