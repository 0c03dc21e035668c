#!/bin/sh
# The session log on a disk that refuses: over a file-size limit (ulimit -f, the kernel's
# SIGXFSZ ignored so the write fails with EFBIG) the status line says so with the reason at
# once, the console goes on, and the file keeps only whole lines; a state directory that cannot
# be created (its parent a regular file, or read-only when not root) is named with the reason
# at start, and the console works without a log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
. "$(dirname "$0")/feed-lib.sh"
trap 'stop_bg; tmux -L "$SOCK" kill-server >/dev/null 2>&1; chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT

plan 18

CHAT="$TMP/chat.jsonl"
open_event() {
  printf '{"ts":"2026-11-23T10:00:00.000+08:00","conv":"%s","type":"open","customer":{"name":"王芳","surname":"王","title":"女士"}}\n' "$1"
}
# long_text N: N copies of a ten-character sentence (30 bytes each in UTF-8).
long_text() { i=0; while [ $i -lt "$1" ]; do printf '包裹还没有到请尽快查'; i=$((i + 1)); done; }

# --- a file-size limit: the log stops at a whole line --------------------------------------
{
  open_event d-1
  ev d-1 customer "第一句:我的快递怎么还没到?" 1
} >"$CHAT"
CONSOLE_SETUP="ulimit -f 8" start 220 30 --feed "file:$CHAT"
screen_check "before the limit: the customer's line shows" "第一句:我的快递怎么还没到?"
ev d-1 customer "A$(long_text 150)" 2 >>"$CHAT" # about 4.6 KB: still under the 8 KB limit
wait_until 10 log_has '"text":"A包裹'
before=$(session_log | wc -c)
ev d-1 customer "B$(long_text 150)" 3 >>"$CHAT" # crosses the limit part-way
screen_check "over the limit: the status line says the log cannot be written, and why" \
  "cannot write the session log (File too large)"
if screen | grep -qF "huashu/sessions/"; then ok "and names the file"; else not_ok "file named"; diag "$(screen)"; fi
ev d-1 customer "第三句:还在吗?" 4 >>"$CHAT"
screen_check "the console goes on: a later customer line shows" "第三句:还在吗?"
keys "键盘还在"
screen_check "keys still work" "键盘还在"
if [ -z "$(cat "$TMP/exit")" ]; then ok "still running (SIGXFSZ did not end it)"; else not_ok "running"; diag "$(cat "$TMP/exit")" "$(cat "$TMP/stderr")"; fi
wait_until 10 log_has 第三句 # the disk took a short line again
wait_gone "cannot write the session log" 30
ev d-1 customer "C$(long_text 150)" 5 >>"$CHAT"
screen_check "failing again after that is said again" "cannot write the session log (File too large)"
after_fail=$(session_log | wc -c)
if [ "$after_fail" -le 8192 ] && ! log_has '"text":"B包裹' && ! log_has '"text":"C包裹'; then
  ok "the line that did not fit is not in the log, not even in part"
else
  not_ok "torn line"; diag "bytes before $before, after $after_fail"
fi
check "every line of the log is whole JSON" session_log_whole
check "and the lines before it are intact" log_has "第一句:我的快递怎么还没到?"
log=$(session_logs | head -1)
huashu_run replay "$log" >"$TMP/replay.out" 2>"$TMP/replay.err"
if [ $? = 0 ] && [ ! -s "$TMP/replay.err" ] && grep -q '"conv":"d-1"' "$TMP/replay.out"; then
  ok "huashu replay reads the log without a bad line"
else
  not_ok "replay"; diag "$(cat "$TMP/replay.err")"
fi
keys F10
wait_for "Quit?"
keys y
if wait_exit && [ "$status" = 0 ]; then ok "it quits normally"; else not_ok "quit"; diag "status ${status:-none}" "$(screen)"; fi
tm kill-session -t t 2>/dev/null

# --- a state directory that cannot be created --------------------------------------------
: >"$TMP/not-a-dir"
open_event n-1 >"$CHAT"
ev n-1 customer "没有日志也要工作" 1 >>"$CHAT"
CONSOLE_ENV="XDG_STATE_HOME=$TMP/not-a-dir/state" start 220 30 --feed "file:$CHAT"
screen_check "state directory under a file: the console starts and says there is no log, and why" \
  "no session log: cannot create $TMP/not-a-dir/state/huashu/sessions: Not a directory"
screen_check "and shows the customer's line" "没有日志也要工作"
ev n-1 customer "后来的一句" 2 >>"$CHAT"
keys "照常输入"
if wait_for "后来的一句" && wait_for "照常输入" && [ -z "$(cat "$TMP/exit")" ]; then
  ok "and keeps working: feed and keys"
else
  not_ok "no-log console"; diag "$(screen)"
fi
keys F10
wait_for "Quit?"
keys y
wait_exit
tm kill-session -t t 2>/dev/null

mkdir -p "$XDG_CONFIG_HOME/huashu"
printf 'keys:\n  hold: Hyper-x\n  fly: F3\n' >"$XDG_CONFIG_HOME/huashu/config.yaml"
CONSOLE_ENV="XDG_STATE_HOME=$TMP/not-a-dir/state" start 300 30 --feed "file:$CHAT"
if wait_for "no session log: cannot create $TMP/not-a-dir/state/huashu/sessions: Not a directory" &&
  wait_for "config: 2 problems"; then
  ok "with config problems as well, both are said"
else
  not_ok "no log and config problems"; diag "$(screen)"
fi
rm "$XDG_CONFIG_HOME/huashu/config.yaml"
keys F10
wait_for "Quit?"
keys y
wait_exit
tm kill-session -t t 2>/dev/null

if [ "$(id -u)" = 0 ]; then
  skip "read-only state directory (root ignores permission bits)"
else
  mkdir -p "$TMP/ro"
  chmod 500 "$TMP/ro"
  CONSOLE_ENV="XDG_STATE_HOME=$TMP/ro" start 220 30 --feed "file:$CHAT"
  screen_check "read-only state directory: says so with the reason" \
    "no session log: cannot create $TMP/ro/huashu/sessions: Permission denied"
  keys F10
  wait_for "Quit?"
  keys y
  wait_exit
  tm kill-session -t t 2>/dev/null
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
