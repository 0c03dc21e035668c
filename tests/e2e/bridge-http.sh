#!/bin/sh
# examples/bridges/http_json_bridge.py, the README's exec: bridge example, against a generic
# JSON-over-HTTP chat API served on 127.0.0.1 (tests/tools/fake_chat_api.py): through
# huashu feed exec:..., a customer's message arrives as events (the conversation opened
# with the customer's name), the agent's reply is posted with the bearer token and logged
# once (never echoed back by the next poll), and a failing API is reported in the feed log
# and recovered from.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/feed-lib.sh"

if ! command -v python3 >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  echo "1..0 # SKIP python3 and curl are needed for the test server"
  exit 0
fi
plan 8

TOP=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
TOKEN="chat-api-test-token-51d0"
bg python3 "$TOOLS/fake_chat_api.py" --token "$TOKEN" --port-file "$TMP/port"
check "the test server starts" wait_until 10 test -s "$TMP/port"
BASE="http://127.0.0.1:$(cat "$TMP/port")"
control() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$BASE/_control/$1" >/dev/null; }
polls() { curl -sf "$BASE/_control/polls" | sed 's/[^0-9]//g'; }
# polled_since N: the bridge has polled twice since the count was N.
polled_since() { [ "$(polls)" -ge $(($1 + 2)) ]; }

control message '{"conversation":"c-1","from":"customer","text":"我的快递怎么还没到?","name":"王芳"}'
: >"$TMP/agent.jsonl"
export CHAT_API_TOKEN="$TOKEN"
bg huashu_exec feed --retry-max 1 --send "file:$TMP/agent.jsonl" \
  "exec:python3 $TOP/examples/bridges/http_json_bridge.py --url $BASE --poll 0.2" \
  >"$TMP/events" 2>"$TMP/feed.err"
hp=$last_pid
# logged: the session log holds each event huashu took (its stdout is flushed only at exit)
logged() { cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null | grep -q -- "$1"; }
check "the customer's message arrives as an event of its conversation" wait_until 15 \
  logged '"conv":"c-1","type":"message","from":"customer","text":"我的快递怎么还没到?"'
check "the conversation opens with the customer's name" \
  logged '"conv":"c-1","type":"open".*"name":"王芳"' 

ev c-1 agent "您好,正在为您查询" 9 >>"$TMP/agent.jsonl"
check "the agent's reply is posted to the conversation (with the token)" wait_until 10 sh -c \
  "curl -sf '$BASE/_control/posts' | grep -q '\"conversation\": \"c-1\", \"text\": \"您好,正在为您查询\"'"
n=$(polls)
wait_until 10 polled_since "$n"
check "the reply is logged once, not echoed back by the next polls" \
  test "$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | grep -c '您好,正在为您查询')" = 1

control fail '{"count":2}'
n=$(polls)
control message '{"conversation":"c-2","from":"customer","text":"还有货吗"}'
check "a failing API shows in the feed log" wait_until 15 grep -q "bridge: polling failed (HTTP Error 500" "$TMP/feed.err"
check "and the bridge recovers: the next message arrives" wait_until 20 \
  logged '"conv":"c-2","type":"message","from":"customer","text":"还有货吗"' 
kill -TERM "$hp" 2>/dev/null
wait "$hp" 2>/dev/null
cat "$TMP/feed.err" >>"$TMP/stderr.all"
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
