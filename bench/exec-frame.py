#!/usr/bin/env python3
"""exec-frame: milliseconds from fork+exec of the console to its first full frame (the status
line's "F10") on a 100x30 pseudo-terminal, the dynamic loader and everything before main
included. Prints the median of RUNS starts.

usage: exec-frame.py RUNS HUASHU [ARGS...]
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

runs, argv = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        os.environ.update(LC_ALL="C.UTF-8", TERM="xterm-256color")
        os.execv(argv[0], argv)
    seen = b""
    while b"type a reply" not in seen and time.monotonic() - t0 < 5:
        if select.select([fd], [], [], 1)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    times.append((time.monotonic() - t0) * 1000)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
print("%.1f" % sorted(times)[runs // 2])
