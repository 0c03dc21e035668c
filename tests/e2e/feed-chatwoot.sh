#!/bin/sh
# The chatwoot: feed against a Chatwoot-shaped test server on 127.0.0.1 (random port): new
# messages appear, the agent's reply is posted (with the token header: the server refuses
# anything else) and logged once, a 401 and a 500 are shown and recovered from, so are a
# messages answer cut off mid-body and one that never ends (stopped at the limit), a failed reply
# is shown and never repeated, a resolved conversation closes, and the token appears in no
# output, log or diagnostics.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/feed-lib.sh"

if ! command -v python3 >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  echo "1..0 # SKIP python3 and curl are needed for the test server"
  exit 0
fi

plan 29

TOKEN="cw-test-token-7f3a9c1e5b"
bg python3 "$TOOLS/fake_chatwoot.py" --token "$TOKEN" --port-file "$TMP/port" --log "$TMP/requests"
check "the test server starts" wait_until 10 test -s "$TMP/port"
PORT=$(cat "$TMP/port")
BASE="http://127.0.0.1:$PORT"
control() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$BASE/_control/$1" >/dev/null; }
posts() { curl -sf "$BASE/_control/posts"; }
requests() { grep -c "$1" "$TMP/requests" 2>/dev/null || true; }

mkdir -p "$XDG_CONFIG_HOME/huashu"
cat >"$XDG_CONFIG_HOME/huashu/config.yaml" <<EOF
feed: "chatwoot:"
chatwoot:
  url: $BASE
  account_id: 1
  poll: 1s
  timeout: $((5 * WAIT_SCALE))s
EOF

run_huashu check "$XDG_CONFIG_HOME/huashu/config.yaml"
check "huashu check accepts the chatwoot: section" sh -c "test $rc = 0 && grep -q 'ok: config' '$TMP/out'"
cat >"$TMP/bad.yaml" <<EOF
feed: "exec:bridge 'unclosed"
chatwoot:
  url: ftp://example.com
  token: abc123secret
EOF
run_huashu check "$TMP/bad.yaml"
check "huashu check: a bad chatwoot: section and feed, with line:col" sh -c \
  "test $rc = 1 && grep -q 'bad.yaml:1:7: feed: exec: a quote is not closed' '$TMP/err' &&
   grep -q 'bad.yaml:3:8: chatwoot.url must start with https://' '$TMP/err' &&
   grep -q 'bad.yaml:4:3: chatwoot: keep the token out' '$TMP/err' && grep -q 'needs account_id' '$TMP/err'"
check "huashu check never repeats the token" sh -c "! grep -q abc123secret '$TMP/err' '$TMP/out'"

run_huashu feed --once chatwoot:
check "without a token it refuses to start, naming where the token goes" sh -c \
  "test $rc = 2 && grep -q 'CHATWOOT_API_ACCESS_TOKEN' '$TMP/err'"

echo "$TOKEN" >"$TMP/token"
chmod 644 "$TMP/token"
printf '  token_file: %s\n' "$TMP/token" >>"$XDG_CONFIG_HOME/huashu/config.yaml"
run_huashu feed --once chatwoot:
check "a token file others can read is refused" sh -c "test $rc = 2 && grep -q 'chmod 600' '$TMP/err'"
chmod 600 "$TMP/token"

control conversation '{"id":1024,"name":"王芳"}'
control message '{"conv":1024,"content":"我的快递怎么还没到?","type":0}'
: >"$TMP/agent.jsonl"
bg huashu_exec feed --send "file:$TMP/agent.jsonl" >"$TMP/events" 2>"$TMP/feed.err"
hp=$last_pid
check "the open conversation and its message arrive" wait_until 10 log_has 我的快递怎么还没到
check "as events of conversation cw-1024 from the customer" sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"conv\":\"cw-1024\",\"type\":\"message\",\"from\":\"customer\"'"
control message '{"conv":1024,"content":"还在吗?","type":0}'
check "a new message appears at the next poll" wait_until 10 log_has 还在吗
ev cw-1024 agent "您好王女士,我马上帮您查询" 9 >>"$TMP/agent.jsonl"
check "the agent's reply is posted (with the token header)" \
  wait_until 10 sh -c "curl -sf '$BASE/_control/posts' | grep -q 我马上帮您查询"
control message '{"conv":1024,"content":"好的谢谢","type":0}'
wait_until 10 log_has 好的谢谢
check "the reply is logged once, not again when it comes back in the poll" test \
  "$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | grep -c 我马上帮您查询)" = 1

control message '{"conv":1024,"content":"连发第%d条","type":0,"count":25}' # over a page (20)
check "a burst of 25 messages (more than a page) all arrive, in order" wait_until 10 sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -o '连发第[0-9]*条' | tr '\n' ' ' |
   grep -qx '$(i=1; while [ $i -le 25 ]; do printf '连发第%d条 ' $i; i=$((i + 1)); done)'"
check "by paging back over the gap (before=)" grep -q "messages?before=" "$TMP/requests"

control fail '{"match":"/conversations?","status":401,"count":1,"method":"GET"}'
check "a 401 is shown, pointing at the token" wait_until 10 grep -q "401.*check the api_access_token" "$TMP/feed.err"
control message '{"conv":1024,"content":"401以后","type":0}'
check "and recovered from" wait_until 15 log_has 401以后
control fail '{"match":"/conversations?","status":500,"count":3,"method":"GET"}'
check "a 500 (after http.h's own retries) is shown" wait_until 15 grep -q "HTTP 500" "$TMP/feed.err"
control message '{"conv":1024,"content":"500以后","type":0}'
check "and recovered from" wait_until 20 log_has 500以后

control fail '{"match":"/conversations/1024/messages","status":"truncate","count":3,"method":"GET"}'
control message '{"conv":1024,"content":"断线以后","type":0}'
check "messages cut off mid-body: shown, naming the conversation" wait_until 15 grep -q \
  "messages of cw-1024: .*closed the connection before the whole answer arrived" "$TMP/feed.err"
check "and it keeps polling and recovers: the message arrives" wait_until 20 log_has 断线以后
control fail '{"match":"/conversations/1024/messages","status":"endless","count":1,"method":"GET"}'
control message '{"conv":1024,"content":"无尽以后","type":0}'
check "a never-ending messages body: stopped at the body limit and shown" wait_until 15 grep -q \
  "messages of cw-1024: .*larger than the 8388608-byte limit" "$TMP/feed.err"
check "and recovered from" wait_until 20 log_has 无尽以后

control fail '{"match":"/conversations/1024/messages","status":500,"count":1,"method":"POST"}'
before=$(requests "POST /api/v1/accounts/1/conversations/1024/messages")
ev cw-1024 agent "这一句会失败" 10 >>"$TMP/agent.jsonl"
check "a reply that fails is shown" wait_until 10 grep -q "not sent to cw-1024" "$TMP/feed.err"
control message '{"conv":1024,"content":"失败以后","type":0}'
wait_until 10 log_has 失败以后
check "and not posted again on its own" test \
  "$(requests "POST /api/v1/accounts/1/conversations/1024/messages")" = $((before + 1))
check "nor logged as sent" sh -c "! cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q 这一句会失败"

control resolve '{"conv":1024}'
check "a resolved conversation is closed" wait_until 10 sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"conv\":\"cw-1024\",\"type\":\"close\"'"
kill -TERM "$hp"
wait "$hp"
check "it ends cleanly on SIGTERM" test $? = 0
check "every request carried the token (the one 401 was the injected one)" \
  test "$(grep -c ' 401$' "$TMP/requests")" = 1
check "the token is in no output, log or diagnostics" sh -c \
  "! grep -rqF '$TOKEN' '$TMP/events' '$TMP/feed.err' '$TMP/out' '$TMP/err' '$XDG_STATE_HOME'"
stop_bg
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
