# tests/gdb/kernel_sysenter.py: the second half of tests/gdb/kernel.sh, on
# a CPU with SYSENTER (the bundled kernel's fast door, SDM Vol. 2B SYSENTER,
# SYSEXIT):
#   1. break at sysenter_entry in `hello`: CPL 0, ESP is IA32_SYSENTER_ESP
#      (monitor info msr), and nothing was pushed;
#   2. reverse-stepi: back on the `sysenter` in ring 3, ECX and EDX holding
#      the stack and the address to come back to;
#   3. stepi: across again, the same registers as in 1;
#   4. run to that address: CPL 3 after the SYSEXIT;
#   5. reverse-stepi: back on the SYSEXIT at CPL 0; stepi: out again.
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
             "cs", "ss", "ds", "es", "fs", "gs", "cpl"]
    return {n: reg(n) for n in names}


def insn():
    return gdb.execute("x/i $pc", to_string=True)


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PORT"])
gdb.execute("break sysenter_entry")
for _ in range(200):
    gdb.execute("continue")
    if gdb.parse_and_eval("curproc->name").string() == "hello":
        break

check(reg("cpl") == 0, "at sysenter_entry: CPL 0")
check(reg("cs") == 0x08, "at sysenter_entry: CS from IA32_SYSENTER_CS")
msrs = gdb.execute("monitor info msr", to_string=True)
m = re.search(r"SYSENTER_ESP\S*\s+(?:0x)?([0-9a-f]+)", msrs, re.I)
check(m is not None, "monitor info msr shows IA32_SYSENTER_ESP")
check(m is not None and reg("esp") == int(m.group(1), 16),
      "ESP is IA32_SYSENTER_ESP: SYSENTER pushes nothing")
entry = regs()

gdb.execute("reverse-stepi")
check(reg("cpl") == 3, "reverse-stepi: CPL 3")
check("sysenter" in insn(), "reverse-stepi: on the sysenter")
back_to, user_esp = reg("edx"), reg("ecx")
gdb.execute("stepi")
check(regs() == entry, "stepi across the sysenter again: the same registers")

gdb.execute("delete")
gdb.execute("tbreak *0x%x" % back_to)
gdb.execute("continue")
check(reg("cpl") == 3 and reg("eip") == back_to, "after the system call: CPL 3 at EDX's address")
check(reg("esp") == user_esp, "after the system call: ESP is what ECX was")
out = regs()
gdb.execute("reverse-stepi")
check(reg("cpl") == 0 and "sysexit" in insn(), "reverse-stepi from ring 3: on the SYSEXIT, CPL 0")
gdb.execute("stepi")
check(regs() == out, "stepi over the SYSEXIT again: the same registers")
gdb.execute("kill")
gdb.execute("quit %d" % (1 if failures else 0))
