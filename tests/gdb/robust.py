# tests/gdb/robust.py: gdb's side of tests/gdb/robust.sh, first as a raw
# client on a socket (gdb's Python has one), then as gdb itself:
#   a packet with a wrong checksum gets '-'; a malformed one gets E01;
#   a second client while one is attached is turned away; a client that
#   goes away when the guest is stopped, and one that goes away while it
#   runs, leave it stopped where it was; gdb then attaches and reads it.
import os
import socket
import sys
import time

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_client import check, failures, frame, reply  # noqa: E402

PORT = int(os.environ["PORT"])


def client():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.settimeout(5)
    return s


a = client()
a.sendall(b"$g#00")
check(a.recv(1) == b"-", "a wrong checksum is answered '-'")
a.sendall(frame(b"mzz,4"))
check(reply(a) == b"E01", "a malformed m packet is answered E01")
b = client()
try:
    gone = b.recv(16) == b""
except OSError:
    gone = True
check(gone, "a second client is turned away")
a.sendall(frame(b"g"))
regs = reply(a)
check(regs is not None and len(regs) > 16 * 8, "the first client is still served")
eip = regs[64:72] if regs else b""
a.close()  # goes away with the guest stopped
time.sleep(0.5)
c = client()
c.sendall(frame(b"g"))
regs = reply(c)
check(regs is not None and regs[64:72] == eip, "the next client finds the guest where it was")
c.sendall(frame(b"vCont;c"))
time.sleep(0.5)
c.close()  # goes away while the guest runs
time.sleep(0.5)

gdb.execute("set confirm off")
gdb.execute("target remote :%d" % PORT)
pc1 = int(gdb.parse_and_eval("$pc"))
time.sleep(0.3)
gdb.execute("maintenance flush register-cache")
pc2 = int(gdb.parse_and_eval("$pc"))
check(pc1 == pc2, "after a client went away mid-run the guest is stopped (pc 0x%x)" % pc1)
gdb.execute("stepi")
gdb.execute("kill")
gdb.execute("quit %d" % (1 if failures else 0))
