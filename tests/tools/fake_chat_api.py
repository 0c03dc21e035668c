#!/usr/bin/env python3
"""fake_chat_api: a generic JSON-over-HTTP chat API, for examples/bridges/http_json_bridge.py.

The API the example bridge speaks (see its header):
  GET  /messages?after=CURSOR   -> {"messages": [...], "next": CURSOR}
  POST /conversations/{id}/messages {"text": "..."} -> 201 {"id": "..."}
Every API call needs "Authorization: Bearer TOKEN" (401 otherwise). Control calls (no token):
  POST /_control/message {"conversation":"c-1","from":"customer","text":"...","name":"王芳"}
  POST /_control/fail {"count": N}        the next N API calls answer 500
  GET  /_control/posts                    replies posted, as JSON lines
  GET  /_control/polls                    how many GET /messages were answered
Usage: fake_chat_api.py --token T --port-file F. Listens on 127.0.0.1, on a random port.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class State:
    def __init__(self, token):
        self.token = token
        self.lock = threading.Lock()
        self.messages = []  # every message, in order; the cursor is an index into it
        self.posts = []
        self.polls = 0
        self.fail = 0

    def add(self, conv, sender, text, name=None):
        m = {"id": "m-%d" % (len(self.messages) + 1), "conversation": conv, "from": sender,
             "text": text, "created_at": int(time.time())}
        if name:
            m["customer"] = {"name": name}
        self.messages.append(m)
        return m


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def authorised(self, state):
        if self.headers.get("Authorization") != "Bearer " + state.token:
            self.send_json(401, {"error": "bad token"})
            return False
        with state.lock:
            if state.fail > 0:
                state.fail -= 1
                self.send_json(500, {"error": "injected"})
                return False
        return True

    def do_GET(self):
        state = self.server.state
        url = urlparse(self.path)
        if url.path == "/_control/posts":
            with state.lock:
                text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in state.posts)
            body = text.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/_control/polls":
            self.send_json(200, {"polls": state.polls})
        elif url.path == "/messages":
            if not self.authorised(state):
                return
            after = int((parse_qs(url.query).get("after") or ["0"])[0] or 0)
            with state.lock:
                state.polls += 1
                self.send_json(200, {"messages": state.messages[after:],
                                     "next": str(len(state.messages))})
        else:
            self.send_json(404, {"error": "no such path"})

    def do_POST(self):
        state = self.server.state
        path = urlparse(self.path).path
        body = self.read_json()
        if path == "/_control/message":
            with state.lock:
                state.add(body["conversation"], body.get("from", "customer"), body["text"],
                          body.get("name"))
            self.send_json(200, {})
        elif path == "/_control/fail":
            with state.lock:
                state.fail = int(body.get("count", 1))
            self.send_json(200, {})
        elif path.startswith("/conversations/") and path.endswith("/messages"):
            if not self.authorised(state):
                return
            conv = path[len("/conversations/"):-len("/messages")]
            with state.lock:
                m = state.add(conv, "agent", body.get("text", ""))
                state.posts.append({"conversation": conv, "text": body.get("text")})
            self.send_json(201, {"id": m["id"]})
        else:
            self.send_json(404, {"error": "no such path"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State(args.token)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
