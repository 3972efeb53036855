# tests/gdb/rsp_client.py: the raw side of the gdb remote protocol for the
# stub's tests (robust.py, reverse_interrupt.py): framing a packet, reading
# the next one, and the tests' ok/FAIL lines (which smp.py, run by gdb, uses
# too).
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def frame(data):
    return b"$" + data + b"#" + b"%02x" % (sum(data) % 256)


def reply(s):
    """The next packet's data (acks skipped); None when the stub hung up."""
    buf = b""
    while b"#" not in buf or len(buf) < buf.index(b"#") + 3:
        chunk = s.recv(4096)
        if not chunk:
            return None
        buf += chunk
        while buf[:1] in (b"+", b"-"):
            buf = buf[1:]
    return buf[1:buf.index(b"#")]
