#!/usr/bin/env python3
"""feed_socket: a UNIX-socket chat bridge for huashu's unix: feed tests.

Listens on PATH. Connection N gets the lines of EVENTS.N (if that file exists), then every
line huashu writes to it is appended to OUT. With --drop-after K the server closes each
connection after receiving K lines (huashu must reconnect). Runs until killed.
Usage: feed_socket.py --path PATH --events PREFIX --out FILE [--drop-after K]
"""
import argparse
import os
import socket


def serve(conn, n, args):
    name = "%s.%d" % (args.events, n)
    if os.path.exists(name):
        with open(name, "rb") as f:
            conn.sendall(f.read())
    got = 0
    pending = b""
    while True:
        data = conn.recv(65536)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            with open(args.out, "ab") as f:
                f.write(line + b"\n")
            got += 1
        if args.drop_after and got >= args.drop_after:
            break
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--drop-after", type=int, default=0)
    args = ap.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(args.path)
    s.listen(4)
    n = 0
    while True:
        conn, _ = s.accept()
        n += 1
        serve(conn, n, args)


if __name__ == "__main__":
    main()
