# tests/gdb/kernel.py: gdb's side of tests/gdb/kernel.sh (run with
# gdb -batch -x).  With the bundled kernel booted under ringlab -S -gdb,
# on a CPU without SYSENTER so that system calls use int 0x80:
#   1. break at the kernel's int 0x80 entry (vector128) in `hello`:
#      CPL 0, CS the kernel's, and ESP just below TSS.ESP0 by the five
#      words of the frame the CPU pushed (SS, ESP, EFLAGS, CS, EIP);
#   2. reverse-stepi: back in ring 3 on the `int 0x80` itself;
#   3. stepi: across the crossing again, the very same registers as in 1;
#   4. run to the instruction after the int (the frame's EIP): CPL 3 with
#      the frame's ESP;
#   5. reverse-stepi: back in the kernel, on the IRET, at CPL 0;
#   6. stepi: out to ring 3 again, as in 4.
# Every check prints a line; any failure makes gdb exit with status 1.
import os
import re

import gdb

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFF


def regs():
    names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
             "cs", "ss", "ds", "es", "fs", "gs", "cr0", "cr3", "cpl"]
    return {n: reg(n) for n in names}


def word(addr):
    return int(gdb.parse_and_eval("*(unsigned int *)%d" % addr)) & 0xFFFFFFFF


def insn():
    return gdb.execute("x/i $pc", to_string=True)


def done():
    gdb.execute("kill")
    if failures:
        print("%d check(s) failed" % len(failures))
        gdb.execute("quit 1")
    gdb.execute("quit 0")


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PORT"])
# Every process makes system calls: go on until the one making it is hello.
# (gdb.execute("continue") returns at the first stop even when a
# breakpoint's condition sends gdb on, so the test looks itself.)
gdb.execute("break vector128")
for _ in range(200):
    gdb.execute("continue")
    if gdb.parse_and_eval("curproc->name").string() == "hello":
        break

# 1. The kernel's side of the crossing.
check(reg("cpl") == 0, "at vector128: CPL 0")
check(reg("cs") == 0x08, "at vector128: CS is the kernel's code segment")
check(reg("ss") == 0x10, "at vector128: SS from TSS.SS0")
tss = gdb.execute("monitor info tss", to_string=True)
m = re.search(r"ss0:esp0 ([0-9a-f]{4}):([0-9a-f]{8})", tss)
check(m is not None, "monitor info tss shows SS0:ESP0")
esp0 = int(m.group(2), 16) if m else 0
check(reg("esp") == esp0 - 20, "ESP is TSS.ESP0 less the five words of the frame (0x%x)" % esp0)
frame_eip, frame_cs, frame_esp = word(reg("esp")), word(reg("esp") + 4), word(reg("esp") + 12)
check(frame_cs == 0x1B, "the frame's CS is ring 3's")
entry = regs()
events = gdb.execute("monitor info events 1", to_string=True)
check("v=80" in events or "vector 0x80" in events or "INT n" in events or "0x80" in events,
      "monitor info events shows the int 0x80")

# 2. Back across the crossing: the int itself, in ring 3.
gdb.execute("reverse-stepi")
check(reg("cpl") == 3, "reverse-stepi: CPL 3")
check("int" in insn() and "0x80" in insn(), "reverse-stepi: on the int 0x80")
check(reg("eip") + 2 == frame_eip, "reverse-stepi: EIP is the frame's EIP less the int's two bytes")
check(reg("esp") == frame_esp, "reverse-stepi: ESP is the one the frame saved")

# 3. Forward again: the same state as at the first stop.
gdb.execute("stepi")
again = regs()
check(again == entry, "stepi across the int 0x80 again: the same registers")

# 4. Out to ring 3 after the system call.
gdb.execute("delete")
gdb.execute("tbreak *0x%x" % frame_eip)
gdb.execute("continue")
check(reg("cpl") == 3, "after the system call: CPL 3")
check(reg("eip") == frame_eip, "after the system call: at the frame's EIP")
check(reg("esp") == frame_esp, "after the system call: the frame's ESP")
back = regs()

# 5. Back into the kernel: the IRET that got there.
gdb.execute("reverse-stepi")
check(reg("cpl") == 0, "reverse-stepi from ring 3: CPL 0")
check("iret" in insn(), "reverse-stepi from ring 3: on the IRET")
check(reg("cs") == 0x08, "reverse-stepi from ring 3: CS is the kernel's")

# 6. And out once more.
gdb.execute("stepi")
check(regs() == back, "stepi over the IRET again: the same registers")
done()
