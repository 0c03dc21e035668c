#!/bin/sh
# huashu lookup against tests/tools/httpd.py (127.0.0.1, free ports, plain and TLS): the
# Shopify, WooCommerce and generic presets, and every error the agent must be told about in
# plain words, with the HTTP status and the URL and never the token. No test measures time:
# timeouts are short client settings against a server that stalls for 10 s.
. "$(dirname "$0")/lib.sh"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

if ! command -v python3 >/dev/null 2>&1; then
  plan 1
  skip "python3 is needed for the local test server"
  done_testing
fi

plan 81

mkfifo "$TMP/ready"
python3 "$top_srcdir/tests/tools/httpd.py" --ready "$TMP/ready" >"$TMP/httpd.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
read -r HTTP HTTPS <"$TMP/ready"
CA="$TESTDATA/lookup/test-cert.pem"
TOKEN=shpat_test_0123456789abcdef
WC_KEY=ck_test_0123456789
WC_SECRET=cs_test_abcdef012345
export SHOPIFY_TOKEN=$TOKEN WC_KEY WC_SECRET

# conf NAME: writes stdin to $TMP/NAME.yaml
conf() { cat >"$TMP/$1.yaml"; }
# lk NAME ARGS...: huashu lookup with config NAME
lk() { name=$1; shift; run_huashu lookup --config "$TMP/$name.yaml" "$@"; }
# lk_bounded NAME ARGS...: lk, but a lookup still running after 60 s (scaled by WAIT_SCALE) is
# killed (exit 124)
# shellcheck disable=SC2086
lk_bounded() {
  name=$1
  shift
  rc=0
  timeout $((60 * WAIT_SCALE)) $HUASHU_RUN "$HUASHU" lookup --config "$TMP/$name.yaml" "$@" \
    >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err" >>"$TMP/stderr.all"
}
# expect NAME RC TEXT FILE: ok when the exit status is RC and FILE holds TEXT
expect() {
  if [ "$rc" -eq "$2" ] && contains "$4" "$3"; then ok "$1"; else
    not_ok "$1 (exit $rc, wanted $2)"
    diag "$(cat "$TMP/out" "$TMP/err")"
  fi
}
no_token() {
  if grep -qF -e "$TOKEN" -e "$WC_SECRET" -e "$WC_KEY" "$TMP/out" "$TMP/err"; then
    not_ok "$1: a credential was printed"
    diag "$(cat "$TMP/out" "$TMP/err")"
  else ok "$1: no credential printed"; fi
}

# ---- Shopify ----------------------------------------------------------------------------
conf shopify <<EOF
lookup:
  preset: shopify
  base_url: https://127.0.0.1:$HTTPS/shopify
  api_version: "2024-10"
  token: \${SHOPIFY_TOKEN}
  ca_file: $CA
EOF
lk shopify order 1001
expect "shopify: order found" 0 "订单状态    已发货" "$TMP/out"
if contains "$TMP/out" "快递公司    SF Express" && contains "$TMP/out" "快递单号    SF1234567890" &&
  contains "$TMP/out" "收件信息    王芳, 138-0000-0000, 文三路 100 号, 杭州市, 浙江省 310000, China" &&
  contains "$TMP/out" "订单商品    保温杯 - 白色 ×2、杯套 ×1" && contains "$TMP/out" "付款状态    已付款"; then
  ok "shopify: carrier, tracking, address and items mapped"
else not_ok "shopify: mapped fields"; diag "$(cat "$TMP/out")"; fi
lk shopify order 1002
expect "shopify: unfulfilled order says 未发货" 0 "订单状态  未发货" "$TMP/out"
lk shopify order 4040
expect "shopify: an empty orders list is 订单不存在" 1 "order 4040: 订单不存在 (the response has no orders[0])" "$TMP/err"
expect "shopify: the URL of the failed request is shown" 1 "GET https://127.0.0.1:$HTTPS/shopify/admin/api/2024-10/orders.json?name=4040&status=any" "$TMP/err"
lk shopify stock CUP-01
expect "shopify: stock by SKU through GraphQL, low wording" 0 "库存状态  仅剩3件" "$TMP/out"
lk shopify stock CUP-02
expect "shopify: plenty in stock" 0 "库存状态  有现货" "$TMP/out"
lk shopify stock CUP-03
expect "shopify: none left" 0 "库存状态  暂时缺货" "$TMP/out"
lk shopify stock NOPE-1
expect "shopify: unknown SKU is 商品不存在" 1 "商品不存在" "$TMP/err"
SHOPIFY_TOKEN=shpat_wrong_token lk shopify order 1001
expect "shopify: 401 says to check the token" 4 "HTTP 401 Unauthorized: check the token (header X-Shopify-Access-Token)" "$TMP/err"
if contains "$TMP/err" "shpat_wrong_token"; then not_ok "the wrong token is not printed"; else ok "the wrong token is not printed"; fi
lk shopify --verbose order 1001
expect "verbose trace shows the header redacted" 0 "X-Shopify-Access-Token: ***" "$TMP/err"
no_token "verbose trace"
lk shopify --format json order 1001
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["status"] == "ok" and r["fields"]["status"] == "已发货", r
assert r["fields"]["tracking"] == "SF1234567890" and r["labels"]["tracking"] == "快递单号", r
assert r["http_status"] == 200 and r["attempts"] == 1, r
' "$TMP/out" 2>"$TMP/py"; then ok "--format json gives the mapped object"; else not_ok "--format json"; diag "$(cat "$TMP/out" "$TMP/py")"; fi
lk shopify order 1001 --event c-1024
if contains "$TMP/out" '"conv":"c-1024","type":"lookup","kind":"order","fields":{"id":"#1001","status":"已发货"'; then
  ok "--event prints a lookup event"; else not_ok "--event"; diag "$(cat "$TMP/out")"; fi
huashu_run replay "$TMP/out" >"$TMP/replay" 2>&1
if grep -q '"changes":\[.*"values"' "$TMP/replay"; then ok "the event fills the conversation's values in replay"; else not_ok "replay of the lookup event"; diag "$(cat "$TMP/replay")"; fi

conf shopify-noca <<EOF
lookup:
  preset: shopify
  base_url: https://127.0.0.1:$HTTPS/shopify
  token: \${SHOPIFY_TOKEN}
  retries: 0
EOF
lk shopify-noca order 1001
expect "TLS failure without the server's CA" 3 "TLS failure with 127.0.0.1 port $HTTPS" "$TMP/err"
SHOPIFY_TOKEN= lk shopify order 1001
expect "an unset token variable is a configuration error" 2 "environment variable SHOPIFY_TOKEN is not set" "$TMP/err"

printf '%s\n' "$TOKEN" >"$TMP/token"
chmod 644 "$TMP/token"
conf shopify-file <<EOF
lookup:
  preset: shopify
  base_url: https://127.0.0.1:$HTTPS/shopify
  token_file: $TMP/token
  ca_file: $CA
EOF
lk shopify-file order 1001
expect "a token file others can read is refused" 2 "run chmod 600 $TMP/token" "$TMP/err"
chmod 600 "$TMP/token"
SHOPIFY_TOKEN= lk shopify-file order 1001
expect "a 0600 token file works" 0 "快递单号    SF1234567890" "$TMP/out"

# ---- WooCommerce ------------------------------------------------------------------------
conf woo <<EOF
lookup:
  preset: woocommerce
  base_url: https://127.0.0.1:$HTTPS/wc
  username: \${WC_KEY}
  password: \${WC_SECRET}
  ca_file: $CA
EOF
lk woo order 727
expect "woocommerce: order found" 0 "订单状态  处理中" "$TMP/out"
if contains "$TMP/out" "收件信息  王芳, 文三路 100 号, 杭州市, 浙江省 310000, CN" &&
  contains "$TMP/out" "订单商品  保温杯 - 白色 ×2、杯套 ×1" && contains "$TMP/out" "订单金额  437.00 CNY"; then
  ok "woocommerce: shipping address, items and total"; else not_ok "woocommerce fields"; diag "$(cat "$TMP/out")"; fi
lk woo order 728
expect "woocommerce: 404 is 订单不存在 with the status" 1 "订单不存在 (HTTP 404 Not Found)" "$TMP/err"
lk woo stock CUP-01
expect "woocommerce: stock_quantity" 0 "库存状态  有现货" "$TMP/out"
lk woo stock CUP-09
expect "woocommerce: stock_status when the quantity is not managed" 0 "库存状态  可预订" "$TMP/out"
lk woo stock CUP-77
expect "woocommerce: an empty product list is 商品不存在" 1 "商品不存在" "$TMP/err"
WC_SECRET=cs_wrong lk woo order 727
expect "woocommerce: 401 names the consumer key and secret" 4 "consumer key and secret" "$TMP/err"
no_token "woocommerce 401"
conf woo-http <<EOF
lookup:
  preset: woocommerce
  base_url: http://127.0.0.1:$HTTP/wc
  protocols: http
  username: \${WC_KEY}
  password: \${WC_SECRET}
EOF
lk woo-http order 727
expect "woocommerce over http is refused" 2 "https only" "$TMP/err"

# ---- generic, and every way a request can fail ------------------------------------------
# gen NAME PATH [EXTRA]: a generic order endpoint on the plain server (its 5 s time limit
# scaled by WAIT_SCALE: slower under valgrind)
gen() {
  conf "$1" <<EOF
lookup:
  protocols: http
  retries: ${RETRIES:-0}
  retry_delay: 1ms
  timeout: ${TIMEOUT:-$((5 * WAIT_SCALE))s}
  max_body: ${MAX_BODY:-1MiB}
  redirects: ${REDIRECTS:-0}
  headers: {X-Shopify-Access-Token: "\${SHOPIFY_TOKEN}"}
  order:
    url: "http://127.0.0.1:$HTTP$2"
    ${3:-}
EOF
}
gen generic "/generic/orders/{id}"
lk generic order 1001
expect "generic: an order over http written out" 0 "订单状态  已发货" "$TMP/out"
lk generic order 9999
expect "404: 订单不存在 with status and URL" 1 "订单不存在 (HTTP 404 Not Found)" "$TMP/err"
expect "404: the URL" 1 "GET http://127.0.0.1:$HTTP/generic/orders/9999" "$TMP/err"
lk generic order bench-1 bench-2 bench-3 bench-4 bench-5 bench-6 bench-7 bench-8
if [ "$rc" -eq 0 ] && [ "$(grep -c '^订单状态' "$TMP/out")" -eq 8 ]; then ok "several ids at once"; else not_ok "several ids"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

gen echo "/echo/{id}"
lk echo order '../admin?x=1#'
expect "an id cannot change the path or the query" 0 "快递单号  /echo/%2E%2E%2Fadmin%3Fx%3D1%23" "$TMP/out"

conf dns <<EOF
lookup:
  protocols: http
  retries: 0
  order: {url: "http://no-such-host.invalid/orders/{id}"}
EOF
lk dns order 1001
expect "DNS failure" 3 "could not find the server no-such-host.invalid port 80 (DNS failure)" "$TMP/err"

# a port nobody listens on: bind one, close it
FREE=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf refused <<EOF
lookup:
  protocols: http
  retries: 2
  retry_delay: 1ms
  order: {url: "http://127.0.0.1:$FREE/orders/{id}"}
EOF
lk refused order 1001
expect "connection refused, retried" 3 "connection refused by 127.0.0.1 port $FREE after 3 attempts" "$TMP/err"

TIMEOUT=300ms gen slow "/slow/10?id={id}"
lk slow order 1001
expect "timeout" 3 "timeout: no complete answer from 127.0.0.1 port $HTTP within 300 ms" "$TMP/err"

gen forbidden "/status/403?id={id}"
lk forbidden order 1001
expect "403 says to check the token" 4 "HTTP 403 Forbidden: check the token (header X-Shopify-Access-Token)" "$TMP/err"
no_token "403"

RETRIES=2 gen limited "/retry-after/e2e-{id}?after=1"
lk limited --format json order 1001
expect "429 with Retry-After: 1 is retried after it" 0 '"status":"ok","cached":false,"http_status":200,"attempts":2' "$TMP/out"
RETRIES=2 gen limited-long "/status/429?after=3600&id={id}"
lk limited-long order 1001
expect "429 asking for an hour is not waited for" 4 "HTTP 429 Too Many Requests (the server asks to wait 3600 s): the shop's API rate limit" "$TMP/err"

RETRIES=2 gen flaky "/flaky/e2e-{id}?fail=2"
lk flaky --format json order 1001
expect "500, 500, then 200: retried with backoff" 0 '"attempts":3' "$TMP/out"
RETRIES=2 gen unavailable "/flaky/e2e-503-{id}?fail=1&code=503"
lk unavailable --format json order 1001
expect "503 then 200" 0 '"attempts":2' "$TMP/out"
RETRIES=2 gen broken "/status/500?id={id}"
lk broken order 1001
expect "500 every time: given up after the retries" 4 "HTTP 500 Internal Server Error after 3 attempts: the shop's server has a problem" "$TMP/err"

gen invalid "/invalid?id={id}"
lk invalid order 1001
expect "invalid JSON" 5 "the response is not valid JSON" "$TMP/err"

MAX_BODY=64KiB gen big "/big?id={id}"
lk big order 1001
expect "a chunked body over max_body (no Content-Length)" 5 "the response is larger than the 65536-byte limit (max_body)" "$TMP/err"
MAX_BODY=64KiB gen big-length "/big-length?id={id}"
lk big-length order 1001
expect "a body over max_body announced by Content-Length" 5 "larger than the 65536-byte limit" "$TMP/err"

gen truncated "/truncated?id={id}"
lk_bounded truncated order 1001
expect "connection closed mid-body" 3 "closed the connection before the whole answer arrived" "$TMP/err"
expect "connection closed mid-body: with the URL" 3 "GET http://127.0.0.1:$HTTP/truncated?id=1001" "$TMP/err"
gen truncated-chunked "/truncated-chunked?id={id}"
lk_bounded truncated-chunked order 1001
expect "a chunked body cut off mid-way: said so" 3 "closed the connection before the whole answer arrived" "$TMP/err"
expect "a chunked body cut off mid-way: with the URL" 3 "GET http://127.0.0.1:$HTTP/truncated-chunked?id=1001" "$TMP/err"
MAX_BODY=64KiB gen endless "/endless?id={id}"
lk_bounded endless order 1001
expect "a never-ending body stops at max_body" 5 "the response is larger than the 65536-byte limit (max_body)" "$TMP/err"
expect "a never-ending body: with the URL" 5 "GET http://127.0.0.1:$HTTP/endless?id=1001" "$TMP/err"
TIMEOUT=1s gen drip "/drip?id={id}"
lk_bounded drip order 1001
expect "a body that drips forever stops at the total timeout" 3 "timeout: no complete answer from 127.0.0.1 port $HTTP within 1000 ms" "$TMP/err"
expect "a body that drips forever: with the URL" 3 "GET http://127.0.0.1:$HTTP/drip?id=1001" "$TMP/err"
gen closed "/close?id={id}"
lk closed order 1001
expect "connection closed without an answer" 3 "closed the connection before the whole answer arrived" "$TMP/err"

gen missing "/generic/orders/{id}" "fields: {tracking: {path: \"fulfillments[0].tracking_number\", required: true}}"
lk missing order 1001
expect "a missing required field" 5 'the response has no "fulfillments[0].tracking_number" (field tracking)' "$TMP/err"

gen gzip "/gzip?id={id}"
lk gzip order 1001
expect "a gzip-encoded body" 0 "快递单号  SF1234567890" "$TMP/out"
gen chunked "/chunked?id={id}"
lk chunked order 1001
expect "a chunked body" 0 "快递单号  SF1234567890" "$TMP/out"

gen redirect "/redirect?id={id}"
lk redirect order 1001
expect "redirects are off by default" 4 "HTTP 302 Found: redirect to http://localhost:$HTTP/echo-token/1001 not followed (redirects are off)" "$TMP/err"
REDIRECTS=3 gen redirect-on "/redirect?id={id}"
lk redirect-on order 1001
expect "a redirect to another host is followed without the token" 0 "快递公司  (no token)" "$TMP/out"
REDIRECTS=3 gen redirect-same "/redirect-same?id={id}"
lk redirect-same order 1001
expect "a redirect on the same host keeps the token" 0 "快递公司  token received" "$TMP/out"
gen evil-header "/evil-header?id={id}"
lk evil-header --verbose order 1001
if [ "$rc" -eq 0 ] && contains "$TMP/err" 'X-Evil: \x1b]2;PWNED\x07\x1b[2J' && ! grep -q "$(printf '\033')" "$TMP/err"; then
  ok "--verbose shows a server's escape sequences escaped"
else not_ok "--verbose escapes (exit $rc)"; diag "$(cat -v "$TMP/err" | tail -5)"; fi
REDIRECTS=3 gen redirect-loop "/redirect-loop?id={id}"
lk redirect-loop order 1001
expect "a redirect loop says so, not that redirects are off" 4 "not followed (too many redirects: a loop, or more than max_redirects)" "$TMP/err"

conf http-implicit <<EOF
lookup:
  order: {url: "http://127.0.0.1:$HTTP/generic/orders/{id}"}
EOF
lk http-implicit order 1001
expect "http must be written out in protocols" 2 "the url's scheme \"http\" is not allowed" "$TMP/err"
conf file-refused <<EOF
lookup:
  protocols: https
  order: {url: "file://$HUASHU_DATA/lookup/orders/{id}.json"}
EOF
lk file-refused order 1001
expect "file:// only when allowed" 2 "the url's scheme \"file\" is not allowed" "$TMP/err"
conf file <<EOF
lookup:
  order: {url: "file://$HUASHU_DATA/lookup/orders/{id}.json"}
EOF
lk file order 20261120-3307
expect "file:// URLs need no server" 0 "快递公司  圆通速递" "$TMP/out"
lk file order ../orders/1001
expect "an id cannot reach another file" 2 "the id cannot name a file path" "$TMP/err"

printf 'ui: {bell: false}\n' >"$TMP/none.yaml"
lk none order 1001
expect "no lookup section" 2 "no order lookup in $TMP/none.yaml" "$TMP/err"
run_huashu lookup --demo order 20261123-0415
expect "--demo reads the bundled sample data" 0 "订单状态  已付款" "$TMP/out"
run_huashu lookup --demo stock YR-2026-NV-M
expect "--demo stock: low wording" 0 "库存状态  仅剩3件" "$TMP/out"
# libcurl is loaded on first use, not linked (start-up would pay for its 29 libraries); a
# lookup without it names the library it could not load
if command -v readelf >/dev/null 2>&1; then
  if readelf -d "$HUASHU" | grep NEEDED | grep -q libcurl; then
    not_ok "the binary is not linked with libcurl"
    diag "$(readelf -d "$HUASHU" | grep NEEDED)"
  else ok "the binary is not linked with libcurl"; fi
else skip "readelf is needed to read the binary's libraries"; fi
export HUASHU_LIBCURL="$TMP/missing/libcurl.so.4"
run_huashu lookup --demo order 20261123-0415
expect "without libcurl a lookup names the library it cannot load" 3 \
  "cannot load libcurl, which lookups and the chatwoot feed need: $TMP/missing/libcurl.so.4" "$TMP/err"
unset HUASHU_LIBCURL
run_huashu lookup order
expect "usage error" 2 "usage: huashu lookup" "$TMP/err"
run_huashu lookup --help
expect "--help documents the exit status" 0 "Exit status: 0 found, 1 not found" "$TMP/out"

# ---- huashu check validates the section --------------------------------------------------
conf bad <<'EOF'
lookup:
  preset: shopify
  base_url: https://example.myshopify.com
  token: shpat_pasted_by_mistake
  order:
    timeout: forever
EOF
run_huashu check "$TMP/bad.yaml"
expect "check: a token written in the file" 1 "bad.yaml:4:10: lookup: token: keep secrets out of config.yaml" "$TMP/err"
expect "check: a bad duration located" 1 "bad.yaml:6:14: lookup: timeout must be a duration" "$TMP/err"
run_huashu check "$TMP/shopify.yaml"
expect "check: a good lookup section" 0 "shopify.yaml: ok: config" "$TMP/out"

no_token "the last command"
if grep -qF "$TOKEN" "$TMP/httpd.log"; then not_ok "server log"; else ok "the test server logged nothing secret"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
