#!/usr/bin/env python3
"""Validate labelled intent sets (tests/data/intent/*.tsv + .jsonl, ../shared/eval/*).

usage: check_intent_set.py [--shared-eval DIR] [--min-per-state N] SET...
  SET is a path without extension: SET.tsv and SET.jsonl are read.

Checks, each problem reported as file:line: message (exit 1 when any):
  - every JSONL line is a JSON object in the event format (ts, conv, type; open records;
    messages with from customer|agent and a non-empty text), grouped by conversation, each
    conversation opened first and ending with the customer message the TSV labels;
  - every TSV row has 5 columns (conv, expected, text, source, note), its conv exists in the
    JSONL exactly once, its text equals the conversation's last message, its label is a known
    state id or `same`, its note is `single` (the message alone) or `context`;
  - no labelled text occurs twice within a set, across the sets given, or in the shared eval
    set (--shared-eval; skipped with a note when that directory is absent);
  - with --min-per-state N, every label that occurs has at least N messages over all sets.
Standard library only.
"""
import argparse
import collections
import json
import os
import sys

# The shared state ids (../shared/DESIGN.md), `same`, and transfer_confirm: the state every
# bundled playbook reaches when the customer consents to a transfer offer.
STATES = {
    "greeting", "identify", "inquiry", "hold", "transfer", "complaint", "closing", "silent",
    "unclear", "dialect", "wrong_number", "nuisance", "personal_call", "out_of_scope",
    "product", "stock", "price", "shipping", "verify_address", "transfer_confirm", "same",
}
NOTES = {"single", "context"}

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def read_jsonl(path):
    """conv -> list of (lineno, record), in file order."""
    convs = collections.OrderedDict()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = "%s:%d" % (path, n)
            if not line.strip():
                problem(where, "empty line")
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                problem(where, "not JSON: %s" % e)
                continue
            if not isinstance(r, dict):
                problem(where, "not a JSON object")
                continue
            bad = False
            for k in ("ts", "conv", "type"):
                if not isinstance(r.get(k), str) or not r[k]:
                    problem(where, "missing or empty \"%s\"" % k)
                    bad = True
            if bad:
                continue
            if r["type"] == "message":
                if r.get("from") not in ("customer", "agent"):
                    problem(where, "message \"from\" must be customer or agent")
                if not isinstance(r.get("text"), str) or not r["text"].strip():
                    problem(where, "message without text")
            elif r["type"] not in ("open", "state", "close"):
                problem(where, "unknown type \"%s\"" % r["type"])
            convs.setdefault(r["conv"], []).append((n, r))
    return convs


def read_tsv(path):
    """list of (lineno, conv, expected, text, source, note)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 5:
                problem("%s:%d" % (path, n), "%d columns, want 5" % len(cols))
                continue
            rows.append((n,) + tuple(cols))
    return rows


def check_set(base, texts, own=True):
    tsv, jsonl = base + ".tsv", base + ".jsonl"
    convs = read_jsonl(jsonl)
    rows = read_tsv(tsv)
    seen = set()
    labels = collections.Counter()
    for n, conv, expected, text, source, note in rows:
        where = "%s:%d" % (tsv, n)
        if expected not in STATES:
            problem(where, "unknown label \"%s\"" % expected)
        labels[expected] += 1
        if note not in NOTES:
            problem(where, "note \"%s\" is not single or context" % note)
        if not source:
            problem(where, "empty source")
        if conv in seen:
            problem(where, "conversation %s labelled twice" % conv)
        seen.add(conv)
        evs = convs.get(conv)
        if evs is None:
            problem(where, "conversation %s not in %s" % (conv, jsonl))
        else:
            if evs[0][1]["type"] != "open":
                problem("%s:%d" % (jsonl, evs[0][0]), "conversation %s does not start with open" % conv)
            last = evs[-1][1]
            if last.get("type") != "message" or last.get("from") != "customer":
                problem("%s:%d" % (jsonl, evs[-1][0]), "conversation %s does not end with a customer message" % conv)
            elif last.get("text") != text:
                problem(where, "text differs from the last message of %s in %s" % (conv, jsonl))
            msgs = sum(1 for _, r in evs if r["type"] == "message")
            if note == "single" and msgs != 1:
                problem(where, "note single but %d messages in the conversation" % msgs)
            if note == "context" and msgs < 2:
                problem(where, "note context but no earlier message")
        if text in texts and own:
            problem(where, "text \"%s\" also in %s" % (text, texts[text]))
        elif text not in texts:
            texts[text] = where
    for conv, evs in convs.items():
        if conv not in seen:
            problem("%s:%d" % (jsonl, evs[0][0]), "conversation %s has no label in %s" % (conv, tsv))
    return labels, len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared-eval", metavar="DIR", help="directory of ecd-intent.tsv (texts must not repeat it)")
    ap.add_argument("--min-per-state", type=int, default=0)
    ap.add_argument("sets", nargs="+", metavar="SET")
    a = ap.parse_args()
    texts = {}
    if a.shared_eval:
        ev = os.path.join(a.shared_eval, "ecd-intent")
        if os.path.exists(ev + ".tsv"):
            check_set(ev, texts, own=False)  # its own repeats are its business
        else:
            print("note: %s.tsv absent, not compared" % ev)
    total = collections.Counter()
    for base in a.sets:
        labels, n = check_set(base, texts)
        total.update(labels)
        print("%s: %d messages, %s" % (base, n, " ".join("%s=%d" % kv for kv in sorted(labels.items()))))
    if a.min_per_state:
        for label, n in sorted(total.items()):
            if n < a.min_per_state:
                problem(" ".join(a.sets), "%s has %d messages, want >= %d" % (label, n, a.min_per_state))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
