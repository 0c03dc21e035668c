#!/bin/sh
# kill -9 during a 1,000-event stream: the session log holds every event written before the
# kill, complete and in order, replayable; the bridge does not linger; the next session starts
# cleanly in a file of its own and leaves the old one as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/feed-lib.sh"

plan 9

cat >"$TMP/stream.sh" <<'EOF'
#!/bin/sh
# 1,000 events, #1 to #1000, in bursts of 20 so the kill lands mid-stream
i=1
while [ $i -le 1000 ]; do
  printf '{"ts":"2026-11-23T10:00:00.000+08:00","conv":"k-%d","type":"message","from":"customer","text":"event #%d"}\n' $((i % 37)) $i
  [ $((i % 20)) = 0 ] && sleep 0.02
  i=$((i + 1))
done
EOF
chmod +x "$TMP/stream.sh"

bg huashu_exec feed --quiet "exec:$TMP/stream.sh" 2>"$TMP/err1"
hp=$last_pid
log_lines() {
  f=$(session_logs | head -1)
  [ -n "$f" ] && lines_at_least "$f" "$1"
}
check "the stream is being logged" wait_until 10 log_lines 300
kill -9 "$hp"
wait "$hp" 2>/dev/null
BG_PIDS=""
log=$(session_logs | head -1)
n=$(wc -l <"$log")
diag "$n events were in the log at the kill"
check "killed mid-stream (fewer than 1,000 events logged)" test "$n" -lt 1000
check "every line is a complete event, in order, with no gap" awk -v n="$n" '
  { if (index($0, "\"text\":\"event #" NR "\"}") == 0) { print "line " NR ": " $0; exit 1 } }
  END { if (NR != n) exit 1 }' "$log"
replays_clean() { huashu_run replay "$log" >/dev/null 2>"$TMP/replay.err" && ! test -s "$TMP/replay.err"; }
check "the log replays with no bad line" replays_clean
check "the bridge does not outlive huashu" wait_until 10 sh -c "! pgrep -f '$TMP/[s]tream.sh'"

sum_before=$(cksum <"$log")
ev n-1 customer 新的会话 1 | huashu_run feed --quiet - >/dev/null 2>"$TMP/err2"
check "a new session starts cleanly" test $? = 0
check "in a file of its own" test "$(session_logs | wc -l)" = 2
check "the old log is left as it was" test "$(cksum <"$log")" = "$sum_before"
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
