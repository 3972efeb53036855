#!/bin/sh
# tests/kernel/hello-jsontrace.sh: the ring crossings of "hello" in
# ringlab's own trace (--trace, JSON lines), with the CPU's SYSENTER in use.
#
# hello-trace.sh reads QEMU's -d int log, which cannot show SYSENTER and
# SYSEXIT; ringlab's trace shows every privilege transition.  From the
# exec that becomes hello to hello's exit, the trace must hold exactly:
#   sysenter 6 (exec), the return to ring 3 in the new program,
#   sysenter 2 (write), sysexit, sysenter 1 (exit)
# and no fault: exec makes hello's stack page and hello touches no other
# new page.  Timer interrupts (and the returns from them) are left out.
#
# Environment: RINGLAB (default ./ringlab), KERNEL, INITRD, TIMEOUT, OUT.
# Exit status: 0 pass, 1 fail, 77 skipped (no ringlab), 99 hard error.

RINGLAB=${RINGLAB:-./ringlab}
KERNEL=${KERNEL:-guests/kernel/kernel.elf}
INITRD=${INITRD:-guests/initrd.img}
TIMEOUT=${TIMEOUT:-60}
OUT=${OUT:-tests/kernel/hello-jsontrace}

if [ ! -x "$RINGLAB" ]; then
	echo "SKIP: $RINGLAB not found"
	exit 77
fi
for f in "$KERNEL" "$INITRD"; do
	[ -f "$f" ] || { echo "ERROR: $f missing (build it first)"; exit 99; }
done
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.jsonl" "$OUT.out"

# Input: "hello", then nothing more.  ringlab delivers waiting input when
# the CPU first idles, and stops once it has idled with no input left for
# --max-insns instructions (the kernel's timer keeps it running otherwise).
printf 'hello\r' | "$RINGLAB" -kernel "$KERNEL" -initrd "$INITRD" -nographic -no-reboot \
	--trace "$OUT.jsonl" --max-insns 400000000 >"$OUT.out" 2>&1
status=$?
if [ $status -ne 8 ]; then
	echo "FAIL: ringlab exited with status $status, expected 8 (--max-insns reached)"
	cat "$OUT.out"
	exit 1
fi
grep -q 'hello from ring 3' "$OUT.out" || { echo "FAIL: hello did not run"; cat "$OUT.out"; exit 1; }

# One token per event: "sysenter N" (N = EAX, the call number), "sysexit",
# "return" (IRET/RETF to ring 3), "exc V E" (vector, error code),
# "int V"; hardware interrupts, and the return that ends each, dropped.
tokens=$(awk '
	function field(name,   m) {
		if (match($0, "\"" name "\":[^,}]*")) {
			m = substr($0, RSTART, RLENGTH); sub(/^[^:]*:/, "", m); gsub(/"/, "", m); return m
		}
		return ""
	}
	{
		kind = field("kind")
		if (kind == "hardware_int") { irq = 1; next }
		if (kind == "return" && irq) { irq = 0; next }
		irq = 0
		if (kind == "sysenter") print "sysenter " field("eax")
		else if (kind == "sysexit" || kind == "return") print kind
		else if (kind == "exception") print "exc " field("vector") " " field("error_code")
		else if (kind == "software_int") print "int " field("vector")
	}' "$OUT.jsonl")

# hello's part: everything from the last exec (6) to the exit (1) after it.
hello=$(echo "$tokens" | awk '
	$0 == "sysenter 6" { part = ""; inside = 1 }
	inside { part = part $0 " " }
	inside && $0 == "sysenter 1" { last = part; inside = 0 }
	END { printf "%s", last }')
# The kernel returns from exec, as from every SYSENTER call, with SYSEXIT.
expected='sysenter 6 sysexit sysenter 2 sysexit sysenter 1 '
if [ "$hello" != "$expected" ]; then
	echo "FAIL: hello's crossings: '$hello', expected '$expected'"
	echo "$tokens" | tail -n 40
	exit 1
fi
echo "PASS: hello: exec, write, exit through sysenter ($hello)"
exit 0
