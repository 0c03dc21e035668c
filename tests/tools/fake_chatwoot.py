#!/usr/bin/env python3
"""fake_chatwoot: a Chatwoot-shaped test server for huashu's chatwoot: feed.

Serves the three application API calls huashu makes, shaped after Chatwoot's public API
documentation and its jbuilder views:
  GET  /api/v1/accounts/{a}/conversations?status=open&assignee_type=me&page=N
  GET  /api/v1/accounts/{a}/conversations/{id}/messages[?before=ID]
  POST /api/v1/accounts/{a}/conversations/{id}/messages
Every API call needs the header api_access_token (401 otherwise). The test drives it through
control calls that need no token:
  POST /_control/conversation {"id":1024,"name":"王芳"}            open one
  POST /_control/message {"conv":1024,"content":"...","type":0}     a message arrives
                         (with "count":N, N at once; "%d" in the content numbers them)
  POST /_control/resolve {"conv":1024}                              it leaves the open list
  POST /_control/fail {"match":"/conversations?","status":500,"count":3,"method":"GET"}
                                                                    the next matching calls fail
                         ("status":"truncate": 200 with Content-Length 5000, 100 bytes, then
                         the connection closes; "status":"endless": 200 with a body that never
                         ends, until the client hangs up)
  GET  /_control/posts                                              replies posted, as JSON lines
Usage: fake_chatwoot.py --token T --port-file F [--account 1] [--log FILE]
It listens on 127.0.0.1 on a random port and writes the port to the port file.
"""
import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PAGE = 25
MESSAGES_PAGE = 20


class State:
    def __init__(self, token, account):
        self.token = token
        self.account = account
        self.lock = threading.Lock()
        self.convs = {}  # id -> {"name", "status", "messages": [...], "created_at"}
        self.next_message = 5000
        self.failures = []  # [match, status, count, method or None]
        self.posts = []
        self.requests = []

    def conversation(self, cid, name=""):
        c = self.convs.get(cid)
        if c is None:
            now = int(time.time())
            c = {"name": name or "Customer %d" % cid, "status": "open", "messages": [],
                 "created_at": now, "last_activity_at": now}
            self.convs[cid] = c
        return c

    def add_message(self, cid, content, mtype, private=False):
        c = self.conversation(cid)
        self.next_message += 1
        now = int(time.time())
        m = {"id": self.next_message, "content": content, "inbox_id": 1,
             "conversation_id": cid, "message_type": mtype, "created_at": now,
             "private": private, "source_id": None}
        c["messages"].append(m)
        c["last_activity_at"] = now  # seconds, as Chatwoot: huashu also compares messages[0].id
        return m


def conversation_json(state, cid, c):
    last = c["messages"][-1:] if c["messages"] else []
    return {
        "meta": {"sender": {"id": cid, "name": c["name"], "thumbnail": ""},
                 "channel": "Channel::WebWidget", "hmac_verified": False},
        "id": cid, "messages": last, "account_id": state.account,
        "uuid": "00000000-0000-4000-8000-%012d" % cid, "additional_attributes": {},
        "agent_last_seen_at": 0, "assignee_last_seen_at": 0, "can_reply": True,
        "contact_last_seen_at": 0, "custom_attributes": {}, "inbox_id": 1, "labels": [],
        "muted": False, "snoozed_until": None, "status": c["status"],
        "created_at": c["created_at"], "timestamp": c["last_activity_at"],
        "first_reply_created_at": 0, "unread_count": 0,
        "last_activity_at": c["last_activity_at"], "priority": None, "waiting_since": 0,
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-chatwoot/1"

    def log_request(self, code="-", size="-"):
        log = self.server.log
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write("%s %s %s\n" % (self.command, self.path, code))

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b"{}"
        return json.loads(raw.decode("utf-8") or "{}")

    def injected_failure(self, state):
        for f in state.failures:
            if f[2] > 0 and f[0] in self.path and f[3] in (None, self.command):
                f[2] -= 1
                return f[1]
        return None

    def api(self, state):
        """Checks the token and any injected failure; returns the parsed path or None."""
        url = urlparse(self.path)
        prefix = "/api/v1/accounts/%d/conversations" % state.account
        if not url.path.startswith(prefix):
            self.send_json(404, {"error": "not found"})
            return None
        if self.headers.get("api_access_token") != state.token:
            self.send_json(401, {"errors": ["You need to sign in or sign up before continuing."]})
            return None
        status = self.injected_failure(state)
        if isinstance(status, str):
            self.fault = status  # sent by send_fault once the state lock is released
            return None
        if status:
            self.send_json(status, {"error": "injected failure %d" % status})
            return None
        return url, url.path[len(prefix):]

    def send_fault(self):
        """A broken answer: cut off mid-body, or a body that never ends."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if self.fault == "truncate":
            self.send_header("Content-Length", "5000")
        self.end_headers()
        try:
            self.wfile.write(b'{"meta": {"labels": []}, "payload": [{"id": 1, "content": "')
            while self.fault == "endless":
                self.wfile.write(b'{"id": 1, "content": "and on and on"},' * 100)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        self.fault = None
        try:
            self.get()
        finally:
            if self.fault:
                self.send_fault()

    def do_POST(self):
        self.fault = None
        try:
            self.post()
        finally:
            if self.fault:
                self.send_fault()

    def get(self):
        state = self.server.state
        with state.lock:
            if self.path == "/_control/posts":
                self.send_json(200, state.posts)
                return
            got = self.api(state)
            if not got:
                return
            url, rest = got
            query = parse_qs(url.query)
            if rest == "":
                self.list_conversations(state, query)
            elif rest.endswith("/messages"):
                self.list_messages(state, int(rest.split("/")[1]), query)
            else:
                self.send_json(404, {"error": "not found"})

    def list_conversations(self, state, query):
        page = int(query.get("page", ["1"])[0])
        mine = [(cid, c) for cid, c in sorted(state.convs.items()) if c["status"] == "open"]
        chunk = mine[(page - 1) * PAGE: page * PAGE]
        self.send_json(200, {"data": {
            "meta": {"mine_count": len(mine), "assigned_count": len(mine),
                     "unassigned_count": 0, "all_count": len(mine)},
            "payload": [conversation_json(state, cid, c) for cid, c in chunk]}})

    def list_messages(self, state, cid, query):
        c = state.convs.get(cid)
        if c is None:
            self.send_json(404, {"error": "Resource could not be found"})
            return
        msgs = c["messages"]
        if "before" in query:
            before = int(query["before"][0])
            msgs = [m for m in msgs if m["id"] < before]
        self.send_json(200, {"meta": {"labels": [], "additional_attributes": {},
                                      "contact_id": cid},
                             "payload": msgs[-MESSAGES_PAGE:]})

    def post(self):
        state = self.server.state
        with state.lock:
            if self.path.startswith("/_control/"):
                self.control(state, self.path[len("/_control/"):], self.read_json())
                return
            got = self.api(state)
            if not got:
                return
            url, rest = got
            body = self.read_json()
            parts = rest.split("/")
            if len(parts) != 3 or parts[2] != "messages" or int(parts[1]) not in state.convs:
                self.send_json(404, {"error": "Resource could not be found"})
                return
            if body.get("message_type") != "outgoing" or body.get("private") is not False:
                self.send_json(422, {"error": "want message_type outgoing, private false"})
                return
            m = state.add_message(int(parts[1]), body.get("content", ""), 1)
            state.posts.append({"conv": int(parts[1]), "content": body.get("content"),
                                "id": m["id"]})
            self.send_json(200, m)

    def control(self, state, what, body):
        if what == "conversation":
            state.conversation(int(body["id"]), body.get("name", ""))
        elif what == "message":  # "count": N adds N at once, "%d" in content numbering them
            for i in range(1, int(body.get("count", 1)) + 1):
                content = body["content"].replace("%d", str(i))
                state.add_message(int(body["conv"]), content, int(body.get("type", 0)),
                                  bool(body.get("private", False)))
        elif what == "resolve":
            state.conversation(int(body["conv"]))["status"] = "resolved"
        elif what == "fail":
            status = body["status"]
            if status not in ("truncate", "endless"):
                status = int(status)
            state.failures.append([body["match"], status, int(body.get("count", 1)),
                                   body.get("method")])
        else:
            self.send_json(404, {"error": "unknown control"})
            return
        self.send_json(200, {"ok": True})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--account", type=int, default=1)
    ap.add_argument("--log")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State(args.token, args.account)
    server.log = args.log
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
