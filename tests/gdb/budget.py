# tests/gdb/budget.py: gdb's side of tests/gdb/budget.sh.  Runs the guest
# for $INSNS instructions through `monitor until insns`, then prints the
# stub's peak resident memory (VmHWM of /proc/$STUB_PID/status, in KiB)
# and what `monitor info history` says.
import os
import re

import gdb

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PORT"])
gdb.execute("monitor until insns " + os.environ["INSNS"])
with open("/proc/%s/status" % os.environ["STUB_PID"]) as f:
    hwm = re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)
print("peak-rss-kib " + hwm)
print(gdb.execute("monitor info history", to_string=True))
gdb.execute("kill")
