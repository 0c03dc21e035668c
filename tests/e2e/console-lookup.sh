#!/bin/sh
# Lookups in the console (tmux) against tests/tools/httpd.py: the order key asks for the number
# and the info pane shows the result, which fills the script lines' placeholders and goes to
# the session log; while a stock lookup stalls (the body drips a byte every 100 ms) keys still work
# and timers still tick; errors in plain words; the refresh key; the token never on screen.
. "$(dirname "$0")/lib.sh"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
if ! command -v tmux >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
  echo "1..0 # SKIP tmux and python3 are needed"
  exit 0
fi

# The tmux helpers (as in the console's own tests): a private server, fixed TERM and size,
# send-keys to type, capture-pane to read. Waits poll the screen; nothing is timed.
SOCK="huashu-lookup-test-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
start() {
  w=$1 h=$2
  shift 2
  : >"$TMP/exit"
  printf '%s\n' "$@" >"$TMP/args"
  cat >"$TMP/run.sh" <<RUN
#!/bin/sh
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done <"$TMP/args"
${HUASHU_WRAPPER:-} "$HUASHU" "\$@" 2>"$TMP/stderr"
echo "EXITED \$?" >"$TMP/exit"
exec sleep 600
RUN
  tm new-session -d -s t -x "$w" -y "$h" "env LC_ALL=C.UTF-8 TERM=xterm-256color TZ=UTC $CONSOLE_ENV sh $TMP/run.sh"
}
screen() { tm capture-pane -p -t t; }
keys() { tm send-keys -t t "$@"; }
# poll NEGATE TEXT [SECONDS]: waits until the screen shows TEXT (NEGATE=!: no longer shows it)
poll() {
  limit=$((${3:-8} * ${CONSOLE_WAIT:-1} * 10)) i=0
  while [ $i -lt $limit ]; do
    if screen | grep -qF -- "$2"; then [ "$1" = "!" ] || return 0; else [ "$1" = "!" ] && return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
wait_for() { poll "" "$1" "${2:-8}"; }
wait_gone() { poll "!" "$1" "${2:-8}"; }
wait_exit() {
  i=0
  while [ $i -lt $((80 * ${CONSOLE_WAIT:-1})) ]; do
    if [ -s "$TMP/exit" ]; then status=$(sed 's/EXITED //' "$TMP/exit"); return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
screen_check() {
  if wait_for "$2" "${3:-8}"; then ok "$1"; else not_ok "$1"; diag "wanted: $2" "$(screen)"; fi
}
# select_conv ID: Tab until the chat pane's title ends in "| ID" (the queue may reorder meanwhile)
select_conv() {
  n=0
  while [ $n -lt 4 ]; do
    wait_for "| $1" 1 && return 0
    keys Tab
    n=$((n + 1))
  done
  wait_for "| $1"
}
session_log() { cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null; }
plan 19

mkfifo "$TMP/ready"
python3 "$top_srcdir/tests/tools/httpd.py" --ready "$TMP/ready" >"$TMP/httpd.log" 2>&1 &
SERVER=$!
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
read -r HTTP HTTPS <"$TMP/ready"
TOKEN=shpat_test_0123456789abcdef
mkdir -p "$XDG_CONFIG_HOME/huashu"
cat >"$XDG_CONFIG_HOME/huashu/config.yaml" <<YAML
lookup:
  protocols: http
  token: \${SHOPIFY_TOKEN}
  headers: {X-Shopify-Access-Token: "\${token}"}
  order: {url: "http://127.0.0.1:$HTTP/count/{id}", cache_ttl: 1h}
  stock: {url: "http://127.0.0.1:$HTTP/drip?sku={id}", timeout: 60s}
YAML
CONSOLE_ENV="SHOPIFY_TOKEN=$TOKEN XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_DATA_HOME=$XDG_DATA_HOME"
start 140 32 --demo "$TESTDATA/lookup/console-chat.jsonl" --playbook zh_CN --time-scale 10 \
  --start 2026-11-23T10:00:00+08:00
wait_for "订单号1001"
screen_check "a script line missing an order value offers the lookup" "looks it up"
# libcurl is loaded by the first lookup, not at start (nor before the first frame)
curl_mapped() { grep -q libcurl "/proc/$(pgrep -f "$HUASHU" -P "$(tm display -p -t t '#{pane_pid}')" | head -1)/maps"; }
curl_before=no
curl_mapped && curl_before=yes

# c-2 asks about stock: its lookup stalls on the server
select_conv c-2
wait_for "保温杯还有货"
keys F9
screen_check "the stock key asks for the SKU" "SKU"
keys -l "CUP-01"
keys Enter
screen_check "the info pane shows the lookup in progress" "stock CUP-01: looking up..."
if [ $curl_before = no ] && curl_mapped; then ok "libcurl is loaded by the first lookup, not at start"
else not_ok "libcurl is loaded by the first lookup, not at start (at start: $curl_before)"; fi
keys F1
if wait_for "huashu keys"; then keys Escape; ok "keys still work while the lookup stalls"; else not_ok "keys while stalled"; diag "$(screen)"; fi
wait_gone "huashu keys"
keys F3
# the 25 s hold check-in at --time-scale 10 comes after 2.5 s: the loop never blocked
screen_check "timers still tick while the lookup stalls" "正在查证中" 10
screen_check "the stalled lookup is still in progress" "stock CUP-01: looking up..."

# c-1: the order key, the number, the result in the info pane
select_conv c-1
wait_for "订单号1001"
keys F8
wait_for "Order number"
if screen | grep -q "Order number.*1001"; then ok "the order number the customer typed (订单号1001) is pre-filled"; else not_ok "order number pre-fill"; diag "$(screen)"; fi
keys Enter
screen_check "the order key's result shows in the info pane" "快递单号: hit-1"
screen_check "the lookup line says it was found" "order 1001: found"
if session_log | grep -F '"conv":"c-1","type":"lookup","kind":"order"' | grep -qF '"tracking":"hit-1"'; then
  ok "the result went to the session log as a lookup event"
else not_ok "session log lookup event"; diag "$(session_log)"; fi
keys /
keys -l "ss"
wait_for "您的订单"
keys Enter
screen_check "the result fills the script line's placeholders" "> 您的订单1001已经发货,快递公司是顺丰速运,单号hit-1"
keys Escape
wait_for "type a reply"

keys M-f
screen_check "the refresh key asks the server again" "快递单号: hit-2"
keys F8
wait_for "Order number"
keys Enter
screen_check "the same order again comes from the cache" "order 1001: found (cached)"
screen_check "the cached result is the refreshed one" "快递单号: hit-2"

keys F8
wait_for "Order number"
keys C-u
keys -l "9999"
keys Enter
screen_check "an error in plain words with status and URL" "order 9999: 订单不存在 (HTTP 404 Not Found) (GET http://127.0.0.1:$HTTP/count/9999)"

# closing c-2 cancels its stalled lookup; the token was never shown or logged
select_conv c-2
wait_for "保温杯还有货"
keys M-x
if screen | grep -qF "$TOKEN" || session_log | grep -qF "$TOKEN"; then
  not_ok "the token stays off the screen and out of the session log"; diag "$(screen)"
else ok "the token stays off the screen and out of the session log"; fi
keys F10
wait_for "Quit? (y/n)"
keys y
if wait_exit && [ "$status" = 0 ] && ! session_log | grep -qF '"kind":"stock"'; then
  ok "quits cleanly; the cancelled stock lookup never reached the log"
else not_ok "quit"; diag "status ${status:-none}" "$(cat "$TMP/stderr")" "$(session_log)"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
