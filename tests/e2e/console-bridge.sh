#!/bin/sh
# A bridge (--feed exec:) that goes away while the agent replies: one that closes its stdin but
# keeps running (the write gets EPIPE, and SIGPIPE must not end huashu), and one that exits.
# The console says the line was not sent, keeps it in the compose line, keeps running, and
# the session log holds everything that did happen (the reply that was not sent is not logged
# as sent).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
. "$(dirname "$0")/feed-lib.sh"
trap 'stop_bg; tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT

plan 15

OPEN='{"ts":"2026-11-23T10:00:00.000+08:00","conv":"b-1","type":"open","customer":{"name":"王芳","surname":"王","title":"女士"}}'
alive() { [ -z "$(cat "$TMP/exit")" ] && [ -n "$(huashu_pid)" ]; }
# agent_logged TEXT: the session log holds TEXT as the agent's message in b-1
agent_logged() { session_log | grep '"conv":"b-1","type":"message","from":"agent"' | grep -qF -- "$1"; }
# reply TEXT: types TEXT in the compose line and sends it
reply() {
  keys "$1"
  wait_for "$1"
  keys Enter
}

# --- a bridge that closes its stdin after the first reply, and stays -------------------------
cat >"$TMP/bridge.sh" <<EOF
#!/bin/sh
printf '%s\n' '$OPEN' '$(ev b-1 customer 请问可以开发票吗 1)'
IFS= read -r line && printf '%s\n' "\$line" >>"$TMP/sent.jsonl"
exec 0<&-
echo "closed my input" >&2
exec sleep 600
EOF
chmod +x "$TMP/bridge.sh"
start 200 30 --feed "exec:$TMP/bridge.sh"
screen_check "the bridge's customer line shows" "请问可以开发票吗"
reply "第一句回复"
check "the first reply reaches the bridge" wait_until 10 grep -q 第一句回复 "$TMP/sent.jsonl"
screen_check "the bridge says it closed its input" "closed my input"
reply "第二句回复"
screen_check "the next reply: the status line says it was not sent, and why" \
  "not sent: $TMP/bridge.sh stopped reading its input"
if alive; then ok "huashu is still running (no SIGPIPE death)"; else not_ok "alive"; diag "$(cat "$TMP/exit")" "$(cat "$TMP/stderr")"; fi
if [ "$(compose_text)" = "第二句回复" ]; then ok "the unsent reply is still in the compose line"; else not_ok "compose"; diag "compose: $(compose_text)" "$(screen)"; fi
keys F11
screen_check "the log view (F11) says why: Broken pipe" "stopped reading its input: Broken pipe"
keys Escape
if wait_until 5 agent_logged 第一句回复 && ! agent_logged 第二句回复 && session_log | grep -qF 请问可以开发票吗; then
  ok "the session log holds the customer's line and the sent reply, not the unsent one"
else
  not_ok "session log"; diag "$(session_log)"
fi
keys F10
wait_for "Quit?"
keys y
if wait_exit && [ "$status" = 0 ]; then ok "it quits normally"; else not_ok "quit"; diag "status ${status:-none}" "$(screen)"; fi
check "and ends the bridge" wait_until 5 sh -c "! pgrep -f '$TMP/[b]ridge.sh'"
tm kill-session -t t 2>/dev/null
rm -rf "$XDG_STATE_HOME"

# --- a bridge that exits after the first reply ---------------------------------------------
cat >"$TMP/bridge.sh" <<EOF
#!/bin/sh
[ -e "$TMP/ran" ] && exec sleep 600 0<&- # the restart: quiet, its input closed
: >"$TMP/ran"
printf '%s\n' '$OPEN' '$(ev b-1 customer 还在吗 1)'
IFS= read -r line && printf '%s\n' "\$line" >>"$TMP/sent2.jsonl"
exit 3
EOF
start 200 30 --feed "exec:$TMP/bridge.sh"
screen_check "second bridge: the customer line shows" "还在吗"
reply "第一句回复"
check "the first reply reaches it" wait_until 10 grep -q 第一句回复 "$TMP/sent2.jsonl"
screen_check "its exit is shown" "exited with status 3"
reply "第三句回复"
if wait_for "not sent:" && alive && [ "$(compose_text)" = "第三句回复" ]; then
  ok "a reply to the exited bridge: not sent, kept in the compose line, still running"
else
  not_ok "exited bridge"; diag "compose: $(compose_text)" "$(screen)"
fi
keys F10
wait_for "Quit?"
keys y
wait_exit
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
