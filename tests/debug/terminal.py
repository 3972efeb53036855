#!/usr/bin/env python3
"""The debugger at a terminal (a pseudo-terminal here): `c` gives the terminal
to the guest, whose shell takes a typed line and runs it; Ctrl-A c comes back
to the prompt; the prompt takes commands again; `q` leaves with status 0.

usage: terminal.py RINGLAB      exit status 0 pass, 1 fail"""
import os
import pty
import select
import sys
import time


def main():
    ringlab = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(ringlab, [ringlab, "--debugger"])
    out = b""

    def wait_for(text, seconds=30):
        nonlocal out
        end = time.time() + seconds
        while time.time() < end:
            if text in out:
                return True
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        return text in out

    steps = [
        (None, b"<ringlab> "),
        (b"c\r", b"$ "),
        (b"hello\r", b"hello from ring 3"),
        (b"\x01c", b"stopped (Ctrl-A c)"),
        (b"info ring\r", b"CPL "),
        (b"q\r", None),
    ]
    failed = None
    for send, expect in steps:
        if send:
            os.write(fd, send)
        if expect and not wait_for(expect):
            failed = expect
            break
    status = None
    end = time.time() + 10
    while time.time() < end and failed is None:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(code)
            break
        wait_for(b"\x00", 0.1)
    if failed is None and status != 0:
        failed = b"exit status 0 after q (got %r)" % status
    if failed is not None:
        os.kill(pid, 9)
        print("FAIL: waited for %r; the terminal showed:" % failed)
        print(out.decode(errors="replace"))
        return 1
    print("PASS: the debugger at a terminal: c, the guest's shell, Ctrl-A c, the prompt, q")
    return 0


if __name__ == "__main__":
    sys.exit(main())
