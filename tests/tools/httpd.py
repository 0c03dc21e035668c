#!/usr/bin/env python3
"""A local HTTP(S) server for huashu's lookup tests and benchmark.

Binds 127.0.0.1 on free ports (one plain, one TLS with tests/data/lookup/test-cert.pem) and
writes "HTTP_PORT HTTPS_PORT" and a newline to --ready (a file or FIFO) once it listens.
Responses are shaped after the public Shopify Admin and WooCommerce REST v3 documentation,
plus every failure huashu must describe:

  /shopify/admin/api/<v>/orders.json?name=N&status=any   X-Shopify-Access-Token required
  /shopify/admin/api/<v>/graphql.json  (POST)            productVariants by "sku:..."
  /wc/wp-json/wc/v3/orders/<id>                          HTTP Basic ck_test / cs_test
  /wc/wp-json/wc/v3/products?sku=S
  /generic/orders/<id>, /generic/stock/<sku>             ids 1001, CUP-01, bench-* exist
  /status/<code>[?after=N]     that status (429 with Retry-After: N)
  /retry-after/<key>?after=N   429 with Retry-After the first time, then an order
  /flaky/<key>?fail=N[&code=C] 500 (or C) N times, then an order
  /count/<key>                 an order whose tracking number counts the requests (9999: 404)
  /slow/<seconds>              answers after that long (the test's timeout fires first)
  /big                         50 MB, chunked, no Content-Length
  /big-length                  50 MB with Content-Length
  /truncated                   Content-Length 2000, 100 bytes, then the connection closes
  /truncated-chunked           chunked, two chunks of an order, then the connection closes
  /endless                     200 chunked, a JSON-ish chunk after another until the client goes
  /drip                        200 chunked, one byte every 100 ms, never finishing
  /close                       closes the connection without answering
  /invalid                     200 with a body that is not JSON
  /gzip, /chunked              an order, gzip-encoded / chunked
  /redirect, /redirect-same    302 to localhost (another host) / to this host
  /redirect-loop               302 to itself, for ever
  /evil-header                 an order with an escape sequence in a response header
  /echo-token/<id>             an order whose carrier says whether a token came along
  /echo/<anything>             an order whose tracking number is the raw request path

The server never decides anything by time; tests use short client timeouts against /slow.
"""

import argparse
import base64
import gzip
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "lookup")
SHOPIFY_TOKEN = "shpat_test_0123456789abcdef"
WOO_USER, WOO_PASS = "ck_test_0123456789", "cs_test_abcdef012345"


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


class State:
    """Counters shared by the handler threads (per key)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.hits = {}
        self.ports = (0, 0)

    def hit(self, key):
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]


STATE = State()


def generic_order(oid):
    order = load("generic-order.json")
    order["id"] = oid
    return order


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "huashu-test/1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between headers and body
    wbufsize = 65536  # a response leaves in one write (flushed after each request)

    def log_message(self, fmt, *args):  # quiet: tests read stdout
        pass

    # a client that hung up mid-answer (the body limit, a timeout) is no server error
    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    # ---- responses -------------------------------------------------------------------

    def send_json(self, code, obj, headers=None):
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_bytes(code, body, "application/json; charset=utf-8", headers)

    def send_bytes(self, code, body, ctype="application/json", headers=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_chunked(self, code, chunks, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # ---- routing ---------------------------------------------------------------------

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        body = self.read_body() if self.command == "POST" else b""
        path = url.path
        for pattern, fn in ROUTES:
            m = re.fullmatch(pattern, path)
            if m:
                return fn(self, m, query, body)
        self.send_json(404, {"error": "no such route", "path": path})

    # shopify ------------------------------------------------------------------------------

    def shopify_auth(self):
        if self.headers.get("X-Shopify-Access-Token") != SHOPIFY_TOKEN:
            self.send_json(401, {"errors": "[API] Invalid API key or access token "
                                           "(unrecognized login or wrong password)"})
            return False
        return True

    def shopify_orders(self, m, query, body):
        if not self.shopify_auth():
            return
        name = (query.get("name") or [""])[0].lstrip("#")
        if (query.get("status") or [""])[0] != "any":
            return self.send_json(400, {"errors": "status=any expected by the tests"})
        order = load("shopify-order.json")
        if name == "1001":
            return self.send_json(200, {"orders": [order]})
        if name == "1002":  # not fulfilled yet: fulfillment_status null, no fulfillments
            order.update(name="#1002", fulfillment_status=None, fulfillments=[],
                         financial_status="pending")
            return self.send_json(200, {"orders": [order]})
        self.send_json(200, {"orders": []})

    def shopify_graphql(self, m, query, body):
        if not self.shopify_auth():
            return
        try:
            req = json.loads(body)
        except ValueError:
            return self.send_json(400, {"errors": [{"message": "Invalid JSON in request"}]})
        q = req.get("variables", {}).get("q", "")
        sku = re.sub(r'^sku:"?(.*?)"?$', r"\1", q)
        if "productVariants" not in req.get("query", ""):
            return self.send_json(200, {"errors": [{"message": "Field 'x' doesn't exist"}]})
        variant = load("shopify-variant.json")
        stock = {"CUP-01": 3, "CUP-02": 40, "CUP-03": 0}
        edges = []
        if sku in stock:
            variant.update(sku=sku, inventoryQuantity=stock[sku])
            edges = [{"node": variant}]
        self.send_json(200, {"data": {"productVariants": {"edges": edges}},
                             "extensions": {"cost": {"requestedQueryCost": 3}}})

    # woocommerce ------------------------------------------------------------------------------

    def woo_auth(self):
        expected = "Basic " + base64.b64encode(f"{WOO_USER}:{WOO_PASS}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_json(401, {"code": "woocommerce_rest_cannot_view",
                                 "message": "Sorry, you cannot list resources.",
                                 "data": {"status": 401}})
            return False
        return True

    def woo_order(self, m, query, body):
        if not self.woo_auth():
            return
        if m.group(1) != "727":
            return self.send_json(404, {"code": "woocommerce_rest_shop_order_invalid_id",
                                        "message": "Invalid ID.", "data": {"status": 404}})
        self.send_json(200, load("woo-order.json"))

    def woo_products(self, m, query, body):
        if not self.woo_auth():
            return
        sku = (query.get("sku") or [""])[0]
        product = load("woo-product.json")
        if sku == "CUP-01":
            return self.send_json(200, [product])
        if sku == "CUP-09":  # stock not managed: no quantity, a status only
            product.update(sku=sku, manage_stock=False, stock_quantity=None,
                           stock_status="onbackorder")
            return self.send_json(200, [product])
        self.send_json(200, [])

    # generic ---------------------------------------------------------------------------------

    def generic_order(self, m, query, body):
        oid = urllib.parse.unquote(m.group(1))
        if oid == "1001" or oid.startswith("bench-"):
            return self.send_json(200, generic_order(oid))
        self.send_json(404, {"error": "order not found"})

    def generic_stock(self, m, query, body):
        sku = urllib.parse.unquote(m.group(1))
        stock = {"CUP-01": 3, "CUP-02": 40, "CUP-03": 0}
        if sku in stock:
            item = load("generic-stock.json")
            item.update(sku=sku, qty=stock[sku])
            return self.send_json(200, item)
        self.send_json(404, {"error": "no such sku"})

    # failures --------------------------------------------------------------------------------

    def status(self, m, query, body):
        code = int(m.group(1))
        headers = {}
        if "after" in query:
            headers["Retry-After"] = query["after"][0]
        self.send_json(code, {"error": f"status {code} as asked"}, headers)

    def retry_after(self, m, query, body):
        if STATE.hit("retry-after/" + m.group(1)) == 1:
            after = (query.get("after") or ["1"])[0]
            return self.send_json(429, {"errors": "Exceeded 2 calls per second"},
                                  {"Retry-After": after})
        self.send_json(200, generic_order("1001"))

    def flaky(self, m, query, body):
        fail = int((query.get("fail") or ["2"])[0])
        code = int((query.get("code") or ["500"])[0])
        if STATE.hit("flaky/" + m.group(1)) <= fail:
            return self.send_json(code, {"error": "try again"})
        self.send_json(200, generic_order("1001"))

    def count(self, m, query, body):
        if m.group(1) == "9999":
            return self.send_json(404, {"error": "order not found"})
        n = STATE.hit("count/" + m.group(1))
        order = generic_order(m.group(1))
        order["tracking"] = f"hit-{n}"
        self.send_json(200, order)

    def slow(self, m, query, body):
        time.sleep(float(m.group(1)))
        try:
            self.send_json(200, generic_order("1001"))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def big(self, m, query, body):
        chunk = b" " * 65536
        self.send_chunked(200, (chunk for _ in range(50 * 16)))

    def big_length(self, m, query, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(50 * 1024 * 1024))
        self.end_headers()
        try:
            for _ in range(50 * 16):
                self.wfile.write(b" " * 65536)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        self.close_connection = True

    def truncated(self, m, query, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2000")
        self.end_headers()
        self.wfile.write(b'{"id": "1001", "status": "shipped", "carrier": "' + b"x" * 50)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def truncated_chunked(self, m, query, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (b'{"id": "1001", ', b'"status": "shipped", "carrier": "'):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def endless(self, m, query, body):
        def chunks():
            yield b'{"id": "1001", "history": ['
            while True:
                yield b'{"status": "shipped", "note": "still going"},'
        self.send_chunked(200, chunks())
        self.close_connection = True

    def drip(self, m, query, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"1\r\n{\r\n")
            while True:
                self.wfile.flush()
                time.sleep(0.1)
                self.wfile.write(b"1\r\n \r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def close(self, m, query, body):
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def invalid(self, m, query, body):
        self.send_bytes(200, b'{"id": "1001", "status": shipped', "application/json")

    def gzip_body(self, m, query, body):
        raw = json.dumps(generic_order("1001"), ensure_ascii=False).encode()
        self.send_bytes(200, gzip.compress(raw), "application/json",
                        {"Content-Encoding": "gzip"})

    def chunked(self, m, query, body):
        raw = json.dumps(generic_order("1001"), ensure_ascii=False).encode()
        self.send_chunked(200, [raw[i:i + 7] for i in range(0, len(raw), 7)])

    def redirect(self, m, query, body):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        port = STATE.ports[1] if scheme == "https" else STATE.ports[0]
        self.send_json(302, {}, {"Location": f"{scheme}://localhost:{port}/echo-token/1001"})

    def redirect_same(self, m, query, body):
        self.send_json(302, {}, {"Location": "/echo-token/1001"})

    def evil_header(self, m, query, body):
        self.send_json(200, generic_order("1001"), {"X-Evil": "\x1b]2;PWNED\x07\x1b[2J"})

    def redirect_loop(self, m, query, body):
        self.send_json(302, {}, {"Location": "/redirect-loop"})

    def echo_token(self, m, query, body):
        order = generic_order(m.group(1))
        token = self.headers.get("X-Shopify-Access-Token")
        order["carrier"] = "(no token)" if token is None else (
            "token received" if token == SHOPIFY_TOKEN else "wrong token")
        self.send_json(200, order)

    def echo(self, m, query, body):
        order = generic_order("1001")
        order["tracking"] = self.path
        self.send_json(200, order)


ROUTES = [
    (r"/shopify/admin/api/[^/]+/orders\.json", Handler.shopify_orders),
    (r"/shopify/admin/api/[^/]+/graphql\.json", Handler.shopify_graphql),
    (r"/wc/wp-json/wc/v3/orders/([^/]+)", Handler.woo_order),
    (r"/wc/wp-json/wc/v3/products", Handler.woo_products),
    (r"/generic/orders/([^/]+)", Handler.generic_order),
    (r"/generic/stock/([^/]+)", Handler.generic_stock),
    (r"/status/(\d{3})", Handler.status),
    (r"/retry-after/([^/]+)", Handler.retry_after),
    (r"/flaky/([^/]+)", Handler.flaky),
    (r"/count/([^/]+)", Handler.count),
    (r"/slow/([0-9.]+)", Handler.slow),
    (r"/big", Handler.big),
    (r"/big-length", Handler.big_length),
    (r"/truncated", Handler.truncated),
    (r"/truncated-chunked", Handler.truncated_chunked),
    (r"/endless", Handler.endless),
    (r"/drip", Handler.drip),
    (r"/close", Handler.close),
    (r"/invalid", Handler.invalid),
    (r"/gzip", Handler.gzip_body),
    (r"/chunked", Handler.chunked),
    (r"/redirect", Handler.redirect),
    (r"/redirect-same", Handler.redirect_same),
    (r"/redirect-loop", Handler.redirect_loop),
    (r"/evil-header", Handler.evil_header),
    (r"/echo-token/([^/]+)", Handler.echo_token),
    (r"/echo/.*", Handler.echo),
]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def serve(server):
    server.serve_forever(poll_interval=0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ready", help="file or FIFO that receives 'HTTP_PORT HTTPS_PORT'")
    args = ap.parse_args()
    plain = Server(("127.0.0.1", 0), Handler)
    tls = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DATA, "test-cert.pem"), os.path.join(DATA, "test-key.pem"))
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    STATE.ports = (plain.server_address[1], tls.server_address[1])
    threading.Thread(target=serve, args=(tls,), daemon=True).start()
    line = f"{STATE.ports[0]} {STATE.ports[1]}\n"
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(line)
    else:
        sys.stdout.write(line)
        sys.stdout.flush()
    try:
        serve(plain)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
