#!/usr/bin/env python3
"""Builds a large replay input by replicating ../shared/corpus/taobao-ecd.jsonl.

usage: gen-events.py CORPUS EVENTS CONVERSATIONS > out.jsonl

Each copy of a corpus conversation gets one of CONVERSATIONS ids (reused after the previous
holder closed), copies are staggered so that many conversations are open at once, and the
output is sorted by time, as a real shift would be.
"""
import datetime
import json
import sys


def main():
    corpus, total, convs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    by_conv = {}
    for line in open(corpus, encoding="utf-8"):
        ev = json.loads(line)
        by_conv.setdefault(ev["conv"], []).append(ev)
    sessions = []
    for evs in by_conv.values():
        base = datetime.datetime.fromisoformat(evs[0]["ts"])
        sessions.append([(datetime.datetime.fromisoformat(e["ts"]) - base, e) for e in evs])
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    out, emitted, copy = [], 0, 0
    while emitted < total:
        session = sessions[copy % len(sessions)]
        # a new chat every 2 s per id slot: about `convs` chats open at once
        offset = datetime.timedelta(seconds=2 * (copy // convs) * 60 + (copy % convs) * 0.05)
        conv = "b%04d" % (copy % convs)
        for delta, ev in session:
            if emitted >= total:
                break
            rec = dict(ev)
            rec["conv"] = conv
            rec["ts"] = (start + offset + delta).isoformat(timespec="milliseconds")
            out.append(rec)
            emitted += 1
        copy += 1
    out.sort(key=lambda r: r["ts"])
    w = sys.stdout.write
    for rec in out:
        w(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
