#!/usr/bin/env python3
"""pty_paste: drives the huashu console on a pseudo-terminal for tests/e2e/console-paste.sh.

usage: pty_paste.py --bytes N --scale S -- COMMAND ARGS...

Starts COMMAND on a 100x30 pty, waits until it has drawn, then pastes (bracketed) N bytes of
text ending in "END" that holds, a third of the way in, a paste end marker followed by a
carriage return (as pasted text could), waits until the console is quiet, types "@", waits for
it on screen (up to 10*S s), types Enter, then sends SIGTERM and waits for the exit (up to 10*S s).
Prints "echo_ms X", "exit_ms Y" and "status Z" (the exit status as a shell reports it, 128+n
for a signal), one per line; X and Y are -1 when the event never came.
A pty is used rather than tmux: tmux does not pass tens of KiB of paste-buffer intact to a
busy pane.
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


def read_until(fd, limit, want=None, idle=None):
    """Reads output until `limit` seconds pass, `want` shows, or nothing came for `idle` s."""
    end = time.monotonic() + limit
    last = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= end or (idle and now - last >= idle):
            return False
        r, _, _ = select.select([fd], [], [], min(end - now, 0.05))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        last = time.monotonic()
        if want and want in data:
            return True


def write_all(fd, data):
    """Writes data to the pty, reading the console's output meanwhile (it must not block)."""
    i = 0
    while i < len(data):
        r, w, _ = select.select([fd], [fd], [], 0.1)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
        if w:
            i += os.write(fd, data[i:i + 4096])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bytes", type=int, default=65536)
    ap.add_argument("--scale", type=float, default=1)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(a.cmd[0], a.cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    read_until(fd, 3 * a.scale, idle=1.0 * a.scale)
    unit = "您好 order 1001 ".encode()
    body = unit * (a.bytes // len(unit))
    third = len(body) // 3 // len(unit) * len(unit)
    text = body[:third] + b"\x1b[201~\r" + body[third:] + b"END"
    write_all(fd, b"\x1b[200~" + text + b"\x1b[201~")
    read_until(fd, 120 * a.scale, idle=1.0 * a.scale)
    t = time.monotonic()
    os.write(fd, b"@")
    echo = (time.monotonic() - t) * 1000 if read_until(fd, 10 * a.scale, b"@") else -1
    os.write(fd, b"\r")
    read_until(fd, 2 * a.scale, idle=0.5 * a.scale)
    t = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    exit_ms, status = -1, -1
    while time.monotonic() - t < 10 * a.scale:
        read_until(fd, 0.01)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            exit_ms = (time.monotonic() - t) * 1000
            status = 128 + os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)
            break
    if exit_ms < 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    print("echo_ms %.0f\nexit_ms %.0f\nstatus %d" % (echo, exit_ms, status))


if __name__ == "__main__":
    main()
