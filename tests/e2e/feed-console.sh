#!/bin/sh
# The console on live feeds, in a real terminal (tmux): --feed file:, exec: and -. Events show
# on screen, the feed's state and bad-line count in the status line, the agent's line goes to
# the bridge with its conversation id (or to the clipboard for a read-only feed), and every
# event lands in the session log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
. "$(dirname "$0")/feed-lib.sh"
trap 'stop_bg; tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT

plan 24
# the desk's company and agent number, so that suggestion 1 has no value to ask for
mkdir -p "$XDG_CONFIG_HOME/huashu"
printf 'agent: {company: 测试店, agent_no: "007"}\n' >"$XDG_CONFIG_HOME/huashu/config.yaml"

# --- file: read-only --------------------------------------------------------------------------
{
  printf '%s\n' '{"ts":"2026-11-23T10:00:00.000+08:00","conv":"f-1","type":"open","customer":{"name":"王芳","surname":"王","title":"女士"}}'
  ev f-1 customer "我的快递怎么还没到?" 1
  echo 'this is not an event'
} >"$TMP/chat.jsonl"
start 120 30 --feed "file:$TMP/chat.jsonl"
screen_check "file: the customer's line is on screen" "我的快递怎么还没到?"
screen_check "file: the status line shows the feed" "FEED file: following"
screen_check "file: and its bad line" "1 bad line"
ev f-1 customer "还在吗?" 2 >>"$TMP/chat.jsonl"
screen_check "file: a line appended later shows up" "还在吗?"
keys 1
keys Enter
screen_check "file: a sent line is copied to the clipboard, and it says so" \
  "copied to clipboard (read-only feed)"
check "file: the sent line is in the session log with its conversation" wait_until 5 sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"conv\":\"f-1\",\"type\":\"message\",\"from\":\"agent\"'"
keys F10
keys y
wait_exit 5
tm kill-server >/dev/null 2>&1
rm -rf "$XDG_STATE_HOME"

# --- exec: a bridge, both ways ----------------------------------------------------------------
cat >"$TMP/bridge.sh" <<EOF
#!/bin/sh
printf '%s\n' '$(ev b-7 customer 请问可以开发票吗 1)'
echo "bridge: logged in as agent 128" >&2
while IFS= read -r line; do printf '%s\n' "\$line" >>"$TMP/sent.jsonl"; done
EOF
chmod +x "$TMP/bridge.sh"
start 120 30 --feed "exec:$TMP/bridge.sh"
screen_check "exec: the bridge's event is on screen" "请问可以开发票吗"
keys F11
screen_check "exec: its stderr is in the log view (F11)" "bridge.sh: bridge: logged in as agent 128"
keys Escape
wait_gone "feed log (Esc closes" # a key sent with the Esc could read as an Alt chord
screen_check "exec: the status line shows it running" "FEED exec: running (pid"
keys 1
keys Enter
check "exec: the agent's line reaches the bridge with the conversation id" \
  wait_until 5 grep -q '"conv":"b-7".*"from":"agent"' "$TMP/sent.jsonl"
check "exec: and the session log" wait_until 5 sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"conv\":\"b-7\",\"type\":\"message\",\"from\":\"agent\"'"
pid=$(huashu_pid)
kill -9 "$pid"
check "exec: after kill -9 of huashu the bridge goes too (stdin closed)" \
  wait_until 5 sh -c "! pgrep -f '$TMP/[b]ridge.sh'"
check "exec: and the session log still holds the customer's event" sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q 请问可以开发票吗"
tm kill-server >/dev/null 2>&1
rm -rf "$XDG_STATE_HOME"

# --- "-": events on stdin, keys from the terminal ---------------------------------------------
ev s-1 customer "从标准输入来的消息" 1 >"$TMP/stdin.jsonl"
cat >"$TMP/pipe-in.sh" <<EOF
#!/bin/sh
exec "\$@" <"$TMP/stdin.jsonl"
EOF
chmod +x "$TMP/pipe-in.sh"
wrapper=${HUASHU_WRAPPER:-}
HUASHU_WRAPPER="$TMP/pipe-in.sh $wrapper" # under valgrind too
start 120 30 --feed -
screen_check "stdin: the event is on screen" "从标准输入来的消息"
keys 1
keys Enter
screen_check "stdin: keys still work (from /dev/tty): the line is sent" "copied to clipboard"
HUASHU_WRAPPER=$wrapper
tm kill-server >/dev/null 2>&1
rm -rf "$XDG_STATE_HOME"

# --- unix: both ways --------------------------------------------------------------------------
S="$TMP/chat.sock"
ev u-3 customer "套接字那边的客户" 1 >"$TMP/sock.1"
bg python3 "$TOOLS/feed_socket.py" --path "$S" --events "$TMP/sock" --out "$TMP/sock.out"
wait_until 10 test -S "$S"
start 120 30 --feed "unix:$S"
screen_check "unix: the event is on screen" "套接字那边的客户"
screen_check "unix: the status line says connected" "FEED unix: connected"
keys 1
keys Enter
check "unix: the agent's line goes out on the socket with the conversation id" \
  wait_until 5 grep -q '"conv":"u-3".*"from":"agent"' "$TMP/sock.out"
tm kill-server >/dev/null 2>&1
rm -rf "$XDG_STATE_HOME"

# --- chatwoot: --------------------------------------------------------------------------------
TOKEN="console-test-token-5d2e8b"
bg python3 "$TOOLS/fake_chatwoot.py" --token "$TOKEN" --port-file "$TMP/port"
wait_until 10 test -s "$TMP/port"
BASE="http://127.0.0.1:$(cat "$TMP/port")"
curl -sf -X POST -d '{"id":77,"name":"李雷"}' "$BASE/_control/conversation" >/dev/null
curl -sf -X POST -d '{"conv":77,"content":"Chatwoot那边的问题","type":0}' "$BASE/_control/message" >/dev/null
mkdir -p "$XDG_CONFIG_HOME/huashu"
printf 'agent: {company: 测试店, agent_no: "007"}\nchatwoot:\n  url: %s\n  account_id: 1\n  poll: 1s\n' "$BASE" >"$XDG_CONFIG_HOME/huashu/config.yaml"
export CHATWOOT_API_ACCESS_TOKEN="$TOKEN"
start 120 30 --feed chatwoot:
screen_check "chatwoot: the conversation and its message are on screen" "Chatwoot那边的问题"
screen_check "chatwoot: the status line counts the open conversations" "1 open conversation"
keys 1
keys Enter
check "chatwoot: the reply is posted" wait_until 10 sh -c \
  "curl -sf '$BASE/_control/posts' | grep -q '\"conv\": 77'"
check "chatwoot: and logged as cw-77's agent message" wait_until 10 sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"conv\":\"cw-77\",\"type\":\"message\",\"from\":\"agent\"'"
screen >"$TMP/screen.txt"
check "chatwoot: the token is neither on screen nor in any log" sh -c \
  "! grep -qF '$TOKEN' '$TMP/screen.txt' && ! grep -rqF '$TOKEN' '$XDG_STATE_HOME' '$TMP/stderr'"
unset CHATWOOT_API_ACCESS_TOKEN
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
