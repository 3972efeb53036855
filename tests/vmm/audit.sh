#!/bin/sh
# tests/vmm/audit.sh: `ringlab pg audit` classifies every row of its
# catalogue as the Intel SDM and Robin and Irvine (USENIX Security 2000)
# say it must, with and without --umip, and the formats and bad arguments
# behave.
#
# The expected table below is written from the SDM (Vol. 2 instruction
# pages, Vol. 3A 2.5, 2.8, 5.8, 6.12, 20.2) for the states the audit builds
# (IOPL 0, no I/O bit map, CR4.PCE clear, CR4.TSD set for RDTSC), not from
# the program's output.  Columns: the instruction, what it does at CPL 0,
# CPL 1, CPL 3 and in virtual-8086 mode ("-": not run there), the verdict
# without UMIP and the verdict with it.
#
# Environment: RINGLAB (default ./ringlab).
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab).

RINGLAB=${RINGLAB:-./ringlab}
[ -x "$RINGLAB" ] || { echo "SKIP: $RINGLAB not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringlab-audit.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

B='sensitive (behaviour)'
C='sensitive (control)'
CB='sensitive (control, behaviour)'
P=privileged
I=innocuous
G='#GP(0)'

# name|CPL 0|CPL 1|CPL 3|V86|verdict|verdict with --umip
cat >"$tmp/expected" <<EOF
SGDT|ok|ok|ok|ok|$B|$P
SIDT|ok|ok|ok|ok|$B|$P
SLDT|ok|ok|ok|-|$B|$P
SMSW|ok|ok|ok|ok|$B|$P
STR|ok|ok|ok|-|$B|$P
PUSHF|ok|ok|ok|$G|$B|$B
POPF|ok|ok|ok|$G|$C|$C
LAR|ok|ok|ok|-|$B|$B
LSL|ok|ok|ok|-|$B|$B
VERR|ok|ok|ok|-|$B|$B
VERW|ok|ok|ok|-|$B|$B
PUSH CS|ok|ok|ok|ok|$B|$B
PUSH SS|ok|ok|ok|-|$B|$B
PUSH DS|ok|ok|ok|-|$I|$I
PUSH ES|ok|ok|ok|-|$I|$I
PUSH FS|ok|ok|ok|-|$I|$I
PUSH GS|ok|ok|ok|-|$I|$I
POP DS|ok|ok|ok|-|$I|$I
POP ES|ok|ok|ok|-|$I|$I
POP FS|ok|ok|ok|-|$I|$I
POP GS|ok|ok|ok|-|$I|$I
POP SS|ok|ok|ok|-|$I|$I
MOV r, CS|ok|ok|ok|ok|$B|$B
MOV r, SS|ok|ok|ok|-|$B|$B
MOV r, DS|ok|ok|ok|-|$I|$I
MOV DS, r|ok|ok|ok|-|$I|$I
MOV SS, r|ok|ok|ok|-|$I|$I
CALL FAR|ok|ok|ok|-|$B|$B
JMP FAR|ok|ok|ok|-|$I|$I
RET FAR|ok|ok|ok|-|$B|$B
INT n|ok|ok|ok|$G|$B|$B
IRET|ok|ok|ok|$G|$CB|$CB
LGDT|ok|$G|$G|-|$P|$P
LIDT|ok|$G|$G|-|$P|$P
LLDT|ok|$G|$G|-|$P|$P
LTR|ok|$G|$G|-|$P|$P
LMSW|ok|$G|$G|-|$P|$P
CLTS|ok|$G|$G|-|$P|$P
MOV r, CR0|ok|$G|$G|-|$P|$P
MOV CR0, r|ok|$G|$G|-|$P|$P
MOV r, CR3|ok|$G|$G|-|$P|$P
MOV CR3, r|ok|$G|$G|-|$P|$P
MOV r, CR4|ok|$G|$G|-|$P|$P
MOV CR4, r|ok|$G|$G|-|$P|$P
MOV r, DR7|ok|$G|$G|-|$P|$P
MOV DR7, r|ok|$G|$G|-|$P|$P
HLT|ok|$G|$G|$G|$P|$P
CLI|ok|$G|$G|$G|$P|$P
STI|ok|$G|$G|$G|$P|$P
IN|ok|$G|$G|$G|$P|$P
OUT|ok|$G|$G|$G|$P|$P
INS|ok|$G|$G|$G|$P|$P
OUTS|ok|$G|$G|$G|$P|$P
INVLPG|ok|$G|$G|-|$P|$P
INVD|ok|$G|$G|-|$P|$P
WBINVD|ok|$G|$G|-|$P|$P
RDMSR|ok|$G|$G|-|$P|$P
WRMSR|ok|$G|$G|-|$P|$P
RDTSC|ok|$G|$G|-|$P|$P
RDPMC|#UD|$G|$G|-|$P|$P
EOF
# Notes on rows where the reason is not on the face of it:
#  - PUSHF is behaviour-sensitive through the moved machine: it pushes the
#    real IF, which a monitor keeps set under a guest that cleared its own.
#  - POPF and IRET are control-sensitive: at CPL > IOPL they leave IF (and
#    POPF IOPL) alone without a fault (SDM Vol. 2B POPF, IRET).
#  - IRET and RET FAR at CPL 3 to ring 3 are same-level returns: SS:ESP is
#    not popped, so the result differs from CPL 0's (behaviour).
#  - In virtual-8086 mode with IOPL 0, PUSHF, POPF, INT n, IRET, CLI, STI
#    raise #GP(0) (SDM Vol. 3A 20.2.7), IN/OUT consult the bit map (none).
#  - RDPMC at CPL 0 is #UD: the CPU model has no performance counters.
#  - CR4.UMIP makes SGDT, SIDT, SLDT, SMSW and STR #GP(0) at CPL > 0 and in
#    virtual-8086 mode (SDM Vol. 3A 2.5).

# audit FORMAT ARGS...: run it; status 0 and nothing on stderr
audit() {
	"$RINGLAB" pg audit "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -ne 0 ] || [ -s "$tmp/err" ]; then
		fail "ringlab pg audit $*: status $st, stderr:"
		sed 's/^/    /' "$tmp/err"
	fi
}

# The markdown table as name|cpl0|cpl1|cpl3|v86|verdict lines.
audit --format markdown
sed -n '3,$p' "$tmp/out" | awk -F' [|] ' '{ sub(/^[|] /, "", $1); print $1 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7 }' \
	>"$tmp/plain"
audit --format markdown --umip
sed -n '3,$p' "$tmp/out" | awk -F' [|] ' '{ sub(/^[|] /, "", $1); print $1 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7 "|" $9 }' \
	>"$tmp/umip"
cp "$tmp/out" "$tmp/umip.md"

cut -d'|' -f1-6 "$tmp/expected" >"$tmp/want.plain"
if ! diff -u "$tmp/want.plain" "$tmp/plain" >"$tmp/d1"; then
	fail "the audit's rows differ from the SDM's (- expected, + measured):"
	sed 's/^/    /' "$tmp/d1"
fi
# With --umip: the same rows, the UMIP verdicts, and "fixed" exactly where
# the verdict went from sensitive to privileged.
awk -F'|' '{
	fixed = ($6 != $7 && $7 == "privileged") ? "fixed" : "-"
	cells = $1 "|" $2 "|" $3 "|" $4 "|" $5
	if ($7 == "privileged" && $6 != $7) {
		# UMIP refuses the store wherever CPL > 0
		cells = $1 "|ok|#GP(0)|#GP(0)|" ($5 == "-" ? "-" : "#GP(0)")
	}
	print cells "|" $7 "|" fixed
}' "$tmp/expected" >"$tmp/want.umip"
if ! diff -u "$tmp/want.umip" "$tmp/umip" >"$tmp/d2"; then
	fail "the --umip rows differ from the SDM's (- expected, + measured):"
	sed 's/^/    /' "$tmp/d2"
fi

# Every row names Robin and Irvine's list exactly where the paper does:
# their seventeen (PUSH, POP and MOV counting each form here), not IRET
# or the privileged instructions.
audit --format csv
listed=$(awk -F, 'NR > 1 && /,listed,/ { n++ } END { print n + 0 }' "$tmp/out")
[ "$listed" -eq 31 ] || fail "$listed rows say Robin-Irvine 'listed', expected 31"

# The evidence is the experiment's: the two values or the trap.
audit
grep -q '^POPF .*IF 0->1 at CPL 0, unchanged at CPL 1 without a trap' "$tmp/out" ||
	fail "POPF's evidence does not show IF left alone at CPL 1: $(grep '^POPF' "$tmp/out")"
grep -q '^SGDT .*stores 0x1000 / 0x1800' "$tmp/out" ||
	fail "SGDT's evidence does not show the two GDT bases: $(grep '^SGDT' "$tmp/out")"
grep -q '^PUSH CS .*0x8 / 0x19' "$tmp/out" ||
	fail "PUSH CS's evidence does not show the ring-0 and ring-1 selectors: $(grep '^PUSH CS' "$tmp/out")"
grep -q '^LGDT .*#GP(0) at CPL 1 and 3, runs at CPL 0' "$tmp/out" ||
	fail "LGDT's evidence is not its trap: $(grep '^LGDT' "$tmp/out")"
# The aligned table's columns line up: every row as long as the header
# up to the evidence column.
head -n 1 "$tmp/out" | grep -q '^instruction  *operands  *CPL 0  *CPL 1  *CPL 3  *V86  *verdict' ||
	fail "the table's header: $(head -n 1 "$tmp/out")"

# JSON: one object per row, parsable.
audit --format json
if command -v python3 >/dev/null 2>&1; then
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out" 2>&1)
	[ "$n" = "$(wc -l <"$tmp/expected")" ] || fail "JSON: $n rows"
fi

# Bad arguments: one line on stderr, status 2.
for args in "--format" "--format yaml" "--bogus" ""; do
	# shellcheck disable=SC2086 # the words are the arguments
	"$RINGLAB" pg ${args:+audit} $args >/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		fail "ringlab pg ${args:+audit} $args: status $st (want 2), stderr: $(cat "$tmp/err")"
	fi
done
"$RINGLAB" pg --help | grep -q '^Usage: ringlab pg audit' || fail "ringlab pg --help"

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "ok: $(wc -l <"$tmp/expected") rows as the SDM says, with and without --umip"
