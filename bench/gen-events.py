#!/usr/bin/env python3
"""Builds a large replay input by replicating ../shared/corpus/taobao-ecd.jsonl.

usage: gen-events.py CORPUS EVENTS CONVERSATIONS [STAGGER_S] > out.jsonl

Each copy of a corpus conversation gets one of CONVERSATIONS ids, reused only once the
previous holder has closed (a round of ids lasts longer than the longest corpus
conversation), so up to CONVERSATIONS conversations are open at once. Within a round, copies
start STAGGER_S seconds apart (0.05 by default; 0 opens the whole round at once: exactly
CONVERSATIONS live conversations). The output is sorted by time, as a real shift would be.
"""
import datetime
import json
import sys


def main():
    corpus, total, convs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    stagger = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    by_conv = {}
    for line in open(corpus, encoding="utf-8"):
        ev = json.loads(line)
        by_conv.setdefault(ev["conv"], []).append(ev)
    sessions = []
    for evs in by_conv.values():
        base = datetime.datetime.fromisoformat(evs[0]["ts"])
        sessions.append([(datetime.datetime.fromisoformat(e["ts"]) - base, e) for e in evs])
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    longest = max(s[-1][0] for s in sessions).total_seconds()
    # a round of ids: every copy of the round started, then all of them closed
    round_s = convs * stagger + longest + 5
    out, emitted, copy = [], 0, 0
    while emitted < total:
        session = sessions[copy % len(sessions)]
        offset = datetime.timedelta(seconds=(copy // convs) * round_s + (copy % convs) * stagger)
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
