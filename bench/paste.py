#!/usr/bin/env python3
"""paste: the console with a long paste in the compose line, measured on a pseudo-terminal.

usage: paste.py [--bytes N] [--keys K] -- HUASHU ARGS...

Starts the console (ARGS must open a conversation, e.g. --feed file:ONE_CHAT.jsonl), pastes N
bytes (default 1 MiB) of mixed Chinese and ASCII text as a bracketed paste, waits until the
console is quiet, then types "@" K times (every 0.1 s) and times each from writing the key to
the "@" reaching the terminal. Finally sends SIGTERM and times how long the process takes to
exit. Prints the paste time, the key echo p50/p95/max and the SIGTERM-to-exit time.
"""
import argparse
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keylat import drain  # noqa: E402


def quiet(fd, idle=0.3, limit=600):
    """Reads output until nothing came for `idle` seconds; returns when that was."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        t = time.monotonic()
        got = drain_any(fd, t + idle)
        if not got:
            return t
    return None


def drain_any(fd, until):
    import select
    got = False
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return got
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return got
        try:
            if os.read(fd, 65536):
                got = True
            else:
                return got
        except OSError:
            return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--keys", type=int, default=40)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(a.cmd[0], a.cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    quiet(fd, 1.0, 10)
    unit = "您好请问有什么可以帮您 order 1001 ".encode()
    text = (unit * (a.bytes // len(unit) + 1))[: a.bytes].decode("utf-8", "ignore").encode()
    t0 = time.monotonic()
    data = b"\x1b[200~" + text + b"\x1b[201~"
    for i in range(0, len(data), 4096):
        os.write(fd, data[i:i + 4096])
        drain_any(fd, time.monotonic())
    done = quiet(fd)
    paste_s = (done - t0) if done else float("inf")
    samples = []
    for _ in range(a.keys):
        t = time.monotonic()
        os.write(fd, b"@")
        seen = drain(fd, t + 5, b"@")
        samples.append((seen - t) * 1000 if seen else 5000.0)
        drain(fd, t + 0.1)
    t = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    exited = None
    while time.monotonic() - t < 30:
        drain_any(fd, time.monotonic() + 0.01)
        if os.waitpid(pid, os.WNOHANG)[0]:
            exited = time.monotonic() - t
            break
    if exited is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    samples.sort()
    n = len(samples)
    print("paste of %d bytes: on screen and quiet after %.2f s; key echo p50 %.2f ms, p95 %.2f ms,"
          " max %.2f ms (%d keys); SIGTERM to exit %s"
          % (len(text), paste_s, samples[n // 2], samples[min(n - 1, n * 95 // 100)], samples[-1],
             n, "%.0f ms" % (exited * 1000) if exited is not None else "> 30 s (killed)"))


if __name__ == "__main__":
    main()
