# tests/gdb/reverse_interrupt.py: tests/gdb/reverse-interrupt.sh's client,
# raw on a socket (gdb's Python has one).  The guest spins for three
# seconds; going back from there with no breakpoint ("bc") replays all of
# it.  A Ctrl-C (0x03) soon after must end the replay with SIGINT, not let
# it run to the start of the history; the machine answers and steps again.
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rsp_client import check, failures, frame, reply  # noqa: E402

PORT = int(os.environ["PORT"])

s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
s.sendall(frame(b"vCont;c"))
time.sleep(3)
s.sendall(b"\x03")
stop = reply(s)
check(stop is not None and stop[:3] in (b"S02", b"T02"), "Ctrl-C stops the forward run (%r)" % stop)
s.sendall(frame(b"bc"))
time.sleep(0.1)
s.sendall(b"\x03")
stop = reply(s)
check(stop is not None and stop[:3] in (b"S02", b"T02") and b"replaylog" not in stop,
      "Ctrl-C stops reverse-continue before the start of the history (%r)" % stop)
s.sendall(frame(b"g"))
regs = reply(s)
check(regs is not None and len(regs) > 16 * 8, "the machine answers after it (registers)")
s.sendall(frame(b"vCont;s"))
stop = reply(s)
check(stop is not None and stop[:3] in (b"S05", b"T05"), "and steps again (%r)" % stop)
s.sendall(frame(b"k"))
s.close()
raise SystemExit(1 if failures else 0)
