# feed-lib.sh: what the feed tests share (sourced after lib.sh). Nothing here sleeps for a
# fixed time to test a timer: every wait polls for its condition with a time limit.
# FEED_WAIT scales the limits (default: WAIT_SCALE, lib.sh's CONSOLE_WAIT; raise it under valgrind).
# The binary runs through huashu_run / huashu_exec (lib.sh): bg huashu_exec feed ...

TOOLS=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools
FEED_WAIT=${FEED_WAIT:-$WAIT_SCALE}
BG_PIDS=""

# ev CONV FROM TEXT [SECOND]: one message event line.
ev() {
  printf '{"ts":"2026-11-23T10:00:%02d.000+08:00","conv":"%s","type":"message","from":"%s","text":"%s"}\n' \
    "${4:-0}" "$1" "$2" "$3"
}

# wait_until SECONDS COMMAND...: true once COMMAND succeeds, polling every 0.1 s.
wait_until() {
  limit=$(($1 * FEED_WAIT * 10))
  shift
  i=0
  while [ $i -lt $limit ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# lines_at_least FILE N: FILE has N lines or more.
lines_at_least() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# session_logs: the session log files of this test's state directory.
session_logs() { ls "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null; }

# log_has TEXT: some session log holds TEXT.
log_has() { cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null | grep -qF -- "$1"; }

# bg COMMAND...: runs a command in the background, killed when the test ends.
bg() {
  "$@" &
  BG_PIDS="$BG_PIDS $!"
  last_pid=$!
}

# stop_bg: ends every background process still running.
stop_bg() {
  for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
  for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
  BG_PIDS=""
}

trap 'stop_bg; rm -rf "$TMP"' EXIT

# gone PID: the process has exited.
gone() { ! kill -0 "$1" 2>/dev/null; }
