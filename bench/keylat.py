#!/usr/bin/env python3
"""keylat: key-to-screen latency of the huashu console, measured on a pseudo-terminal.

usage: keylat.py [--keys N] [--warmup S] [--rows R] [--cols C] [--rss-every S] -- HUASHU ARGS...

Starts the console on a pty of the given size, keeps reading everything it draws, and after
the warm-up types "@" N times (every 0.25 s). Each sample is the time from writing the key to
the first "@" in the console's output: ncurses sends only what changed, and nothing else on
screen holds an "@", so that is the moment the typed character reaches the terminal. Every 40
keys Esc clears the compose line (a line of "@" wider than the pane would not change). Prints
the samples' median, 95th and 99th percentiles and maximum, the console's resident memory (VmRSS)
every --rss-every seconds (default 5) and the CPU time it used (user + system).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """User + system CPU seconds the process has used so far (from /proc/PID/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def drain(fd, until, want=None):
    """Reads output until the time `until`; returns the time `want` was first seen."""
    seen = None
    while True:
        left = until - time.monotonic()
        if left <= 0 or (want and seen):
            return seen
        r, _, _ = select.select([fd], [], [], min(left, 0.05))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return seen
        if not data:
            return seen
        if want and seen is None and want in data:
            seen = time.monotonic()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=40)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--cols", type=int, default=160)
    ap.add_argument("--rss-every", type=int, default=5)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(a.cmd[0], a.cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    start = time.monotonic()
    rss = []
    next_rss = start + 1
    drain(fd, start + a.warmup)
    samples = []
    for k in range(a.keys):
        if k and k % 40 == 0:  # a full compose line would scroll without changing: clear it
            os.write(fd, b"\x1b")
            drain(fd, time.monotonic() + 0.5)
        t0 = time.monotonic()
        os.write(fd, b"@")
        seen = drain(fd, t0 + 5, b"@")
        samples.append((seen - t0) * 1000 if seen else 5000.0)
        drain(fd, t0 + 0.25)
        if time.monotonic() >= next_rss:
            rss.append(rss_kib(pid))
            next_rss += 1
    cpu = cpu_seconds(pid)
    elapsed = time.monotonic() - start
    os.kill(pid, signal.SIGTERM)
    drain(fd, time.monotonic() + 1)
    os.waitpid(pid, 0)
    samples.sort()
    n = len(samples)
    every = max(1, a.rss_every)
    print("key to screen: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d keys); CPU %.1f s"
          " in %.0f s (%.1f %%); RSS KiB every %d s: %s"
          % (samples[n // 2], samples[min(n - 1, (n * 95) // 100)],
             samples[min(n - 1, (n * 99) // 100)], samples[-1], n, cpu,
             elapsed, 100 * cpu / elapsed if elapsed else 0, every,
             " ".join(str(k) for k in rss[every - 1::every])))


if __name__ == "__main__":
    main()
