# tests/gdb/steps.py: gdb's side of tests/gdb/qemu-steps.sh.  Connects to
# the stub on $PORT, runs the guest to `main` (a hardware breakpoint:
# QEMU starts in its firmware, ringlab at the kernel's entry), then steps
# one instruction at a time until the guest ends or $MAX steps (after
# setting the general registers to 0 in both), writing
# the registers gdb reads at every stop as one line to $OUT.
import os

import gdb

NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
         "cs", "ss", "ds", "es", "fs", "gs", "fs_base", "gs_base", "cr0", "cr2", "cr3", "cr4"]

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PORT"])
gdb.execute("hbreak main")
gdb.execute("continue")
gdb.execute("delete")
# What the general registers hold at `main` is what each machine's
# Multiboot loader and firmware left in them: the same values in both.
for r in ["eax", "ecx", "edx", "ebx", "esi", "edi", "ebp"]:
    gdb.execute("set $%s = 0" % r)
limit = int(os.environ.get("MAX", "3000"))
with open(os.environ["OUT"], "w") as out:
    for n in range(limit):
        try:
            values = [int(gdb.parse_and_eval("$" + r)) & 0xFFFFFFFF for r in NAMES]
        except gdb.error:
            break
        out.write("%5d %s\n" % (n, " ".join("%s=%08x" % (r, v) for r, v in zip(NAMES, values))))
        try:
            gdb.execute("stepi", to_string=True)
        except gdb.error:
            break
        if not gdb.selected_inferior().pid:
            break
gdb.execute("quit 0")
