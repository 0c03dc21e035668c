#!/bin/sh
# huashu feed: each feed kind end to end without a terminal (events in, session log, the
# agent's line out on the write side with the right conversation id), bad lines, drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/feed-lib.sh"

plan 32

# --- "-": standard input ------------------------------------------------------------------
{
  ev c-1 customer "你好,我的快递怎么还没到?" 1
  echo '{not json'
  printf '{"ts":"2026-11-23T10:00:02Z","conv":"c-1","type":"message","from":"customer","text":"\377"}\n'
  echo '{"ts":"2026-11-23T10:00:03Z","conv":"c-1","type":"wave"}'
  echo '{"ts":"2026-11-23T10:00:04Z","type":"close"}'
  head -c 70000 /dev/zero | tr '\0' x
  echo
  ev c-2 customer "在吗" 5
} >"$TMP/in.jsonl"
run_huashu feed --stats - <"$TMP/in.jsonl"
check "stdin: ends with the input, status 0" test "$rc" = 0
check "stdin: good events printed in order" sh -c "grep -c '\"conv\"' '$TMP/out' | grep -qx 2"
check "stdin: both events in the session log" sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -F c-2 | grep -qF 在吗"
check "stdin: 2 events taken" contains "$TMP/err" "2 events in"
for kind in "1 invalid JSON" "1 invalid UTF-8" "1 unknown type" "1 missing field" "1 line too long"; do
  check "stdin: counted: $kind" contains "$TMP/err" "huashu feed:   $kind"
done
diaglog=$(ls "$XDG_STATE_HOME"/huashu/sessions/*.feed.log 2>/dev/null | head -1)
check "diagnostics log names line 2 (invalid JSON)" contains "$diaglog" "line 2: invalid JSON"
check "diagnostics log names line 6 (too long)" contains "$diaglog" "line 6: line longer than 64 KiB"

ev c-1 agent "您好,请问有什么可以帮您?" 9 >"$TMP/agent.jsonl"
run_huashu feed --send "file:$TMP/agent.jsonl" --max-events 1 - <"$TMP/in.jsonl"
check "read-only feed: the agent's line is logged, and it says so" sh -c \
  "grep -q 'read-only feed' '$TMP/err' && cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | grep -q '\"from\":\"agent\"'"

run_huashu feed "tcp:localhost:1"
check "an unknown feed kind is refused (status 2)" sh -c "test $rc = 2 && grep -q 'unknown feed' '$TMP/err'"

# --- file: follows like tail -F ------------------------------------------------------------
rm -rf "$XDG_STATE_HOME"
F="$TMP/chat.jsonl"
bg huashu_exec feed --quiet "file:$F" 2>"$TMP/file.err"
hp=$last_pid
check "file: waits for a file that is not there yet" wait_until 5 grep -q "waiting for" "$TMP/file.err"
printf '%s' "$(ev f-1 customer 第一句 1)" >"$F" # no newline yet: must wait for the rest
echo >>"$F"
check "file: a line written in two parts arrives once" wait_until 5 log_has 第一句
ev f-1 customer 第二句 2 >>"$F"
check "file: appended lines arrive" wait_until 5 log_has 第二句
ev f-2 customer 截断以后 3 >"$F"
check "file: survives truncation" wait_until 5 log_has 截断以后
mv "$F" "$F.1"
ev f-3 customer 轮转以后 4 >"$F"
check "file: survives rotation" wait_until 5 log_has 轮转以后
kill -TERM "$hp"
wait "$hp"
check "file: SIGTERM ends it with status 0" test $? = 0
check "file: nothing counted as bad" sh -c "! grep -q 'invalid' '$TMP/file.err'"

# --- exec: a bridge program, both ways, restarted when it dies ----------------------------
rm -rf "$XDG_STATE_HOME"
cat >"$TMP/bridge.sh" <<EOF
#!/bin/sh
echo run >>"$TMP/runs"
echo "bridge: connected to the chat" >&2
printf '%s\n' '$(ev x-7 customer 请问发货了吗 1)'
[ "\$(wc -l <"$TMP/runs")" -lt 2 ] && exit 3 # the first run dies at once
while IFS= read -r line; do printf '%s\n' "\$line" >>"$TMP/sent.jsonl"; done
EOF
chmod +x "$TMP/bridge.sh"
: >"$TMP/agent2.jsonl"
bg huashu_exec feed --quiet --retry-max 1 --send "file:$TMP/agent2.jsonl" "exec:$TMP/bridge.sh" 2>"$TMP/exec.err"
hp=$last_pid
check "exec: a bridge that dies is restarted" wait_until 10 lines_at_least "$TMP/runs" 2
check "exec: its stderr is shown" grep -q "bridge.sh: bridge: connected to the chat" "$TMP/exec.err"
check "exec: how it died is shown" grep -q "exited with status 3" "$TMP/exec.err"
ev x-7 agent "您好,已经发货了" 9 >>"$TMP/agent2.jsonl"
check "exec: the agent's line reaches the bridge's stdin with its conversation" \
  wait_until 5 grep -q '"conv":"x-7".*"from":"agent".*已经发货了' "$TMP/sent.jsonl"
check "exec: the sent line is in the session log" wait_until 5 log_has 已经发货了
kill -TERM "$hp"
wait "$hp"
check "exec: the bridge is ended with huashu" wait_until 5 sh -c "! pgrep -f '$TMP/[b]ridge.sh'"

# --- unix: both ways, reconnect after a drop ---------------------------------------------
rm -rf "$XDG_STATE_HOME"
S="$TMP/chat.sock"
ev u-1 customer 第一次连接 1 >"$TMP/sock.1"
ev u-1 customer 重新连上了 2 >"$TMP/sock.2"
bg huashu_exec feed --quiet --retry-max 1 --send "file:$TMP/agent3.jsonl" "unix:$S" 2>"$TMP/unix.err"
hp=$last_pid
sleep "$(awk "BEGIN { print 0.2 * $WAIT_SCALE }")" # huashu starts before the server: it must keep retrying
bg python3 "$TOOLS/feed_socket.py" --path "$S" --events "$TMP/sock" --out "$TMP/sock.out" --drop-after 1
check "unix: events arrive once the server is up" wait_until 10 log_has 第一次连接
ev u-1 agent 好的马上处理 9 >>"$TMP/agent3.jsonl"
check "unix: the agent's line goes out on the socket" \
  wait_until 5 grep -q '"conv":"u-1".*好的马上处理' "$TMP/sock.out"
check "unix: after the server drops it, it reconnects" wait_until 10 log_has 重新连上了
kill -TERM "$hp"
wait "$hp"
stop_bg

# a file-size limit under the session log: SIGXFSZ must not end the command; the write fails
# with EFBIG, said once, and the log keeps only whole lines
rm -rf "$XDG_STATE_HOME"
# each line is about 9 KB; ulimit -f 24 is 12 KB (512-byte blocks) or 24 KB, by shell
big=$(i=0; while [ $i -lt 300 ]; do printf '包裹还没有到请尽快查'; i=$((i + 1)); done)
{ ev z-1 customer "A$big" 1; ev z-1 customer "B$big" 2; ev z-1 customer "C$big" 3; } >"$TMP/big.jsonl"
rc=0
(ulimit -f 24 && huashu_exec feed --quiet --exit-on-end - <"$TMP/big.jsonl") >/dev/null 2>"$TMP/fsize.err" || rc=$?
if [ "$rc" = 0 ] && grep -q "File too large (still running" "$TMP/fsize.err"; then
  ok "over a file-size limit: the feed runs to the end and says why lines are lost"
else
  not_ok "file-size limit"; diag "exit $rc" "$(cat "$TMP/fsize.err")"
fi
check "and its log holds whole lines only" sh -c \
  "cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | python3 -c 'import json, sys
lines = sys.stdin.readlines()
assert 1 <= len(lines) < 3, len(lines)
for line in lines:
    assert line.endswith(chr(10))
    json.loads(line)'"
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
