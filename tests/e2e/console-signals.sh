#!/bin/sh
# Signals: SIGTERM, SIGHUP and SIGINT end the console with the terminal restored and the
# session log complete; so does the terminal closing under it (a real hangup); SIGTSTP gives
# the terminal back until SIGCONT, which redraws; even a crash gives the terminal back first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 15

FEED="$TESTDATA/console/chats.jsonl"
PB="$TESTDATA/playbooks/mini.yaml"

for sig in TERM HUP INT; do
  start 100 30 --demo "$FEED" --playbook "$PB"
  wait_for "赵六"
  kill -$sig "$(huashu_pid)"
  if wait_exit && [ "$status" -gt 128 ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
    ok "SIG$sig ends it (status $status) with the terminal modes restored"
  else
    not_ok "SIG$sig"; diag "status ${status:-none}" "$(screen)"
  fi
  tm kill-session -t t
done
if [ "$(session_log | grep -c '"conv":"c-3"')" -ge 1 ]; then ok "the session log has every event up to the end"; else not_ok "session log"; diag "$(session_log)"; fi

# The terminal closes (tmux kill-session hangs up the pty): SIGHUP from the kernel, and the
# terminal is gone, so restoring it must not hang or fail.
rm -rf "$XDG_STATE_HOME"
start 100 30 --demo "$FEED" --playbook "$PB"
wait_for "赵六"
pid=$(huashu_pid)
tm kill-session -t t
i=0
limit=$((50 * WAIT_SCALE))
while [ $i -lt $limit ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then ok "the terminal closing ends it within seconds"; else not_ok "terminal closed: still running"; diag "pid ${pid:-none}"; fi
check "its session log is whole JSON lines" session_log_whole
if [ "$(session_log | wc -l)" -eq "$(wc -l <"$FEED")" ]; then ok "and holds every event up to the end"; else not_ok "events lost"; diag "$(session_log)"; fi

if [ -n "${HUASHU_WRAPPER:-}" ]; then # a tool such as valgrind handles job control itself
  for n in "SIGTSTP stops it" "while stopped, the terminal is back to its modes" \
    "SIGCONT takes the terminal again and redraws" "and it still quits normally"; do skip "$n (under $HUASHU_WRAPPER)"; done
else
  start 100 30 --demo "$FEED" --playbook "$PB"
  wait_for "赵六"
  pid=$(huashu_pid)
  kill -TSTP "$pid"
  i=0
  while [ $i -lt 50 ] && [ ! -e "$TMP/stopped" ]; do sleep 0.1; i=$((i + 1)); done
  if [ -e "$TMP/stopped" ] && [ "$(awk '{print $3}' "/proc/$pid/stat")" = T ]; then ok "SIGTSTP stops it"; else not_ok "SIGTSTP"; diag "$(screen)"; fi
  if cmp -s "$TMP/stty.stopped" "$TMP/stty.before"; then ok "while stopped, the terminal is back to its modes"; else not_ok "modes while stopped"; diag "$(cat "$TMP/stty.stopped" 2>&1)" "$(cat "$TMP/stty.before")"; fi
  tm send-keys -t t -R
  tm clear-history -t t
  : >"$TMP/resume" # the shell's fg sends SIGCONT
  if wait_gone "huashu exited" && wait_for "Queue" && wait_for "赵六"; then ok "SIGCONT takes the terminal again and redraws"; else not_ok "SIGCONT"; diag "$(screen)"; fi
  keys F10
  wait_for "Quit?"
  keys y
  if wait_exit && [ "$status" = 0 ]; then ok "and it still quits normally"; else not_ok "quit after resume"; diag "$(screen)"; fi
fi
tm kill-session -t t 2>/dev/null

# A crash, here SIGABRT (which the sanitizers leave to its default action): the terminal's
# modes and main screen come back before it dies, and it still dies as a crash.
if [ -n "${HUASHU_WRAPPER:-}" ]; then # valgrind reports a fatal signal itself
  for n in "a crash still ends it as a crash" "with the terminal modes restored" \
    "and the main screen back, saying so"; do skip "$n (under $HUASHU_WRAPPER)"; done
else
  CONSOLE_SETUP="ulimit -c 0"
  start 100 30 --demo "$FEED" --playbook "$PB"
  CONSOLE_SETUP=""
  wait_for "赵六"
  kill -ABRT "$(huashu_pid)"
  if wait_exit && [ "$status" = 134 ]; then ok "a crash still ends it as a crash (status 134)"; else not_ok "crash status"; diag "status ${status:-none}" "$(screen)"; fi
  if cmp -s "$TMP/stty.before" "$TMP/stty.after"; then ok "with the terminal modes restored"; else not_ok "modes after a crash"; diag "$(cat "$TMP/stty.after" 2>&1)" "$(cat "$TMP/stty.before")"; fi
  if wait_for "huashu exited" && ! screen | grep -q "赵六" && contains "$TMP/stderr" "huashu crashed; the terminal is restored."; then
    ok "and the main screen back, saying so"
  else not_ok "screen after a crash"; diag "$(screen)" "$(cat "$TMP/stderr")"; fi
  tm kill-session -t t 2>/dev/null
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
