#!/usr/bin/env python3
"""http_json_bridge: connects huashu to a chat service with a JSON-over-HTTP API.

    huashu --feed "exec:python3 http_json_bridge.py --url https://chat.example.com/api"

(or feed: "exec:..." in ~/.config/huashu/config.yaml). Python's standard library only.
huashu starts it without a shell, reads huashu events (JSON Lines, huashu(1) EVENTS) from its
standard output and writes the agent's sent lines to its standard input; what it prints on
standard error shows in the console's feed log (F11). When it exits, huashu starts it again.

The chat API it speaks -- adapt the three functions marked ADAPT to yours:
  GET  URL/messages?after=CURSOR
       -> {"messages": [{"id": "m-7", "conversation": "c-1", "from": "customer",
                         "text": "...", "created_at": 1764000000,
                         "customer": {"name": "王芳"}}, ...],
           "next": "CURSOR"}
       every message after CURSOR (all of them without one), oldest first; "from" is
       "customer" or "agent"; "created_at" Unix seconds or an RFC 3339 string.
  POST URL/conversations/ID/messages  {"text": "..."}  -> 2xx {"id": "m-8"}
Each request carries "Authorization: Bearer $CHAT_API_TOKEN" when that variable is set (a
token in the environment stays off the command line, which ps shows).

Options: --url URL (or $CHAT_API_URL), --poll SECONDS (default 2), --timeout SECONDS (10).
"""
import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

out_lock = threading.Lock()
posted = set()  # ids of the messages this bridge posted: huashu has logged them already
turn = threading.Lock()  # a poll never runs between a post and the record of its id


def log(*words):
    print("bridge:", *words, file=sys.stderr, flush=True)


def emit(event):
    """Writes one huashu event to standard output."""
    with out_lock:
        sys.stdout.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()


def request(args, method, path, body=None):
    """One API call; returns the decoded JSON answer, raises on an HTTP or network error."""
    headers = {"Accept": "application/json"}
    token = os.environ.get("CHAT_API_TOKEN")
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(args.url.rstrip("/") + path, data=data, headers=headers,
                                 method=method)
    with urllib.request.urlopen(req, timeout=args.timeout) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else {}


def timestamp(value):
    """An RFC 3339 time for huashu from Unix seconds or an RFC 3339 string (now when absent)."""
    if isinstance(value, str) and value:
        return value
    seconds = value if isinstance(value, (int, float)) else time.time()
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ADAPT: where your API keeps new messages.
def fetch(args, cursor):
    query = "?after=" + urllib.parse.quote(cursor) if cursor else ""
    answer = request(args, "GET", "/messages" + query)
    return answer.get("messages", []), answer.get("next", cursor)


# ADAPT: one message of your API as huashu events (an "open" the first time a conversation
# is seen, with the customer's name when known; then the message).
def to_events(message, seen):
    conv = str(message.get("conversation", ""))
    text = message.get("text")
    if not conv or not isinstance(text, str):
        return []
    events = []
    ts = timestamp(message.get("created_at"))
    if conv not in seen:
        seen.add(conv)
        opening = {"ts": ts, "conv": conv, "type": "open"}
        name = (message.get("customer") or {}).get("name")
        if name:
            opening["customer"] = {"name": name}
        events.append(opening)
    sender = "agent" if message.get("from") == "agent" else "customer"
    events.append({"ts": ts, "conv": conv, "type": "message", "from": sender, "text": text})
    return events


# ADAPT: how your API takes the agent's reply; returns the new message's id.
def post(args, conv, text):
    answer = request(args, "POST", "/conversations/%s/messages" % urllib.parse.quote(conv, safe=""),
                     {"text": text})
    return answer.get("id")


def poll_forever(args):
    """Polls for new messages and prints them as events; backs off on errors."""
    cursor, seen, delay = None, set(), args.poll
    while True:
        try:
            with turn:
                messages, cursor = fetch(args, cursor)
                for m in messages:
                    if m.get("id") in posted:
                        posted.discard(m.get("id"))
                        continue
                    for event in to_events(m, seen):
                        emit(event)
            delay = args.poll
        except (urllib.error.URLError, OSError, ValueError) as e:
            delay = min(delay * 2, 30)
            log("polling failed (%s); again in %.1f s" % (e, delay))
        time.sleep(delay)


def send_replies(args):
    """Posts every agent message huashu writes on standard input; exits when huashu is gone."""
    for line in sys.stdin:
        try:
            event = json.loads(line)
        except ValueError:
            log("not JSON from huashu:", line[:80].rstrip())
            continue
        if event.get("type") != "message" or event.get("from") != "agent":
            continue
        try:
            with turn:
                new_id = post(args, event["conv"], event["text"])
                if new_id is not None:
                    posted.add(new_id)
        except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
            log("reply to %s not sent: %s" % (event.get("conv"), e))
    os._exit(0)  # huashu closed our input: it is ending


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("CHAT_API_URL"))
    ap.add_argument("--poll", type=float, default=2.0)
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    if not args.url:
        ap.error("--url (or CHAT_API_URL) is needed")
    threading.Thread(target=send_replies, args=(args,), daemon=True).start()
    log("polling", args.url, "every", args.poll, "s")
    poll_forever(args)


if __name__ == "__main__":
    main()
