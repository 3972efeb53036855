# tests/gdb/smp.py: gdb's side of tests/gdb/smp.sh (gdb -batch -x), on the
# smp_start guest with two CPUs:
#   1. two threads; thread 2 (CPU 1) waits for its start-up IPI; no
#      thread 3;
#   2. a breakpoint at ap32 (the AP's first protected-mode instruction) is
#      hit by thread 2; thread 2's registers are the AP's (EIP ap32, CR0.PE
#      set by its trampoline), thread 1's the BSP's (EIP elsewhere);
#   3. stepi on thread 1 steps the BSP once the AP's turn is over (the AP
#      runs on meanwhile); reverse-continue back to the AP's breakpoint;
#      stepi on thread 2 steps the AP: to ap32's fifth instruction, ESP
#      loaded with its own stack;
#   4. reverse-stepi: the AP before that MOV ESP; stepi again: the same;
#   5. reverse-continue: back at the breakpoint at ap32, thread 2;
#   6. a breakpoint at main.started is hit by thread 1 (the BSP, once the
#      AP's mark is there); EAX set on thread 2 is the AP's alone;
#      continuing, the guest passes.
import os
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_client import check, failures  # noqa: E402  (the tests' ok/FAIL lines)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFF


def sym(name):
    return int(gdb.parse_and_eval("(unsigned int)&'%s'" % name)) & 0xFFFFFFFF


def thread():
    return gdb.selected_thread().num


def done():
    if failures:
        print("%d check(s) failed" % len(failures))
        if gdb.selected_inferior().pid:
            gdb.execute("kill")
        gdb.execute("quit 1")
    gdb.execute("quit 0")


# What gdb heard at each stop (the stop reply's thread) and at the end.
stops = []
exit_codes = []
gdb.events.stop.connect(
    lambda ev: stops.append((gdb.selected_thread().num,
                             isinstance(ev, gdb.BreakpointEvent))))
gdb.events.exited.connect(lambda ev: exit_codes.append(getattr(ev, "exit_code", None)))


def go(command):
    """Run a command that resumes; the thread of the stop and whether a
    breakpoint made it."""
    stops.clear()
    gdb.execute(command)
    return stops[-1] if stops else (None, False)


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PORT"])
ap32, started, ap_stack = sym("ap32"), sym("main.started"), sym("ap_stack_top")

threads = gdb.execute("info threads", to_string=True)
check(len(gdb.selected_inferior().threads()) == 2, "two CPUs, two threads")
check("CPU 0 [CPL 0, running]" in threads and "CPU 1 [waiting for SIPI]" in threads,
      "info threads names CPU 0 running and CPU 1 waiting for SIPI")

def packet(text):
    out = gdb.execute("maint packet " + text, to_string=True)
    return out.split("received: ")[-1].strip().strip('"')


check(packet("qfThreadInfo") == "m1,2" and packet("qsThreadInfo") == "l",
      "qfThreadInfo lists threads 1 and 2")
check(packet("T2") == "OK" and packet("T3") == "E01" and packet("Hg3") == "E22",
      "thread 2 is alive; thread 3 is not, and Hg3 is refused")

gdb.execute("break *0x%x" % ap32)
check(go("continue") == (2, True), "the AP's breakpoint is reported as thread 2's")
check(reg("pc") == ap32 and reg("cr0") & 1 == 1 and reg("cs") == 8,
      "thread 2's registers are the AP's: EIP at ap32, CR0.PE set, CS 8")
threads = gdb.execute("info threads", to_string=True)
check("CPU 1 [CPL 0, running]" in threads, "info threads: CPU 1 at CPL 0, running")
gdb.execute("thread 1")
bsp_pc, bsp_esp = reg("pc"), reg("esp")
check(thread() == 1 and bsp_pc != ap32 and bsp_esp != ap_stack,
      "thread 1's registers are the BSP's (EIP 0x%x)" % bsp_pc)
gdb.execute("thread 2")
check(reg("pc") == ap32, "back on thread 2, EIP at ap32 again")

# The AP is in the middle of its turn: a step of the BSP waits for the
# BSP's turn, while the AP runs on to its HLT.
gdb.execute("thread 1")
check(go("stepi")[0] == 1 and reg("pc") != bsp_pc, "stepi on thread 1 steps the BSP")
gdb.execute("thread 2")
check(reg("pc") != ap32, "the AP ran its turn before the BSP's step")
check(go("reverse-continue") == (2, True) and reg("pc") == ap32,
      "reverse-continue: back at the AP's breakpoint, thread 2")
gdb.execute("thread 1")
check(reg("pc") == bsp_pc, "and the BSP back where it was")
gdb.execute("thread 2")

for _ in range(4):
    gdb.execute("stepi")
check(thread() == 2 and reg("pc") == ap32 + 10, "four stepi on thread 2 step the AP")
gdb.execute("stepi")
check(reg("esp") == ap_stack and reg("pc") == ap32 + 15, "stepi: the AP's MOV ESP loaded its stack")
gdb.execute("thread 1")
check(reg("pc") == bsp_pc and reg("esp") == bsp_esp, "the BSP did not move while the AP stepped")
gdb.execute("thread 2")

gdb.execute("reverse-stepi")
check(thread() == 2 and reg("pc") == ap32 + 10 and reg("esp") != ap_stack,
      "reverse-stepi: the AP before its MOV ESP")
gdb.execute("stepi")
check(reg("pc") == ap32 + 15 and reg("esp") == ap_stack, "stepi again: the same state")

check(go("reverse-continue") == (2, True) and reg("pc") == ap32,
      "reverse-continue again: at the AP's breakpoint, thread 2")

gdb.execute("delete")
gdb.execute("break *0x%x" % started)
check(go("continue") == (1, True) and reg("pc") == started,
      "the BSP's breakpoint is reported as thread 1's")
# A register written on thread 2 is the AP's, not the BSP's.
bsp_eax = reg("eax")
gdb.execute("thread 2")
gdb.execute("set $eax = 0x1234abcd")
gdb.execute("maint flush register-cache")
ap_eax = reg("eax")
gdb.execute("thread 1")
gdb.execute("maint flush register-cache")
check(ap_eax == 0x1234ABCD and reg("eax") == bsp_eax, "set $eax on thread 2 changes the AP's EAX only")
gdb.execute("delete")
gdb.execute("continue")
check(exit_codes == [1], "the guest passed after going back (exit code 1)")
done()
