#!/bin/sh
# The console at many sizes: two columns from 80x24, one column below, 20x5 and 300x50,
# resize storms; CJK and emoji cut at pane edges without broken glyphs; customer text with
# escape sequences shown harmlessly; NO_COLOR.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 17

PB="$TESTDATA/playbooks/mini.yaml"
FEED="$TESTDATA/console/chats.jsonl"

# fits WIDTH: no screen line is wider than WIDTH columns and none holds a replacement glyph
fits() {
  s=$(screen)
  [ "$(printf '%s\n' "$s" | wc -L)" -le "$1" ] && ! printf '%s\n' "$s" | grep -q '�'
}

alive() { [ ! -s "$TMP/exit" ]; }

start 80 24 --demo "$FEED" --playbook "$PB"
wait_for "赵六"
if screen | head -1 | grep -q "Queue" && screen | grep -q "Suggestions"; then ok "80x24 has the two-column layout"; else not_ok "80x24 layout"; diag "$(screen)"; fi
keys Tab
screen_check "a long customer line is wrapped in the transcript" "回复好吗"
if fits 80; then ok "CJK and emoji cut at pane edges: no line wider than 80, no broken glyph"; else not_ok "80 columns"; diag "$(screen)"; fi
if ! screen | grep -q pwned && ! tm display -p -t t '#{pane_title}' | grep -q pwned && screen | grep -q "Queue"; then
  ok "customer text with OSC and CSI sequences shows harmlessly"
else
  not_ok "escape sequences reached the terminal"; diag "title: $(tm display -p -t t '#{pane_title}')" "$(screen)"
fi
screen_check "emoji survive sanitising" "😀👍🏽"

tm resize-window -t t -x 40 -y 12
if wait_gone "Suggestions" && wait_for "> " && fits 40 && alive; then ok "40x12: one column, nothing wider than 40"; else not_ok "40x12"; diag "$(screen)"; fi
tm resize-window -t t -x 20 -y 5
sleep 0.5
if alive && fits 20 && [ "$(screen | grep -c .)" -le 5 ]; then ok "20x5 works"; else not_ok "20x5"; diag "$(screen)"; fi
tm resize-window -t t -x 100 -y 30
if wait_for "Suggestions" && fits 100; then ok "back to 100x30: two columns again"; else not_ok "100x30"; diag "$(screen)"; fi
tm resize-window -t t -x 300 -y 50
if wait_for "Suggestions" && fits 300 && alive; then ok "300x50 works"; else not_ok "300x50"; diag "$(screen)"; fi

# The storm: 600 SIGWINCH in bursts of 100 (each burst back to back, thousands per second)
# while tmux really resizes the terminal in between.
pid=$(huashu_pid)
python3 - "$pid" >"$TMP/storm" <<'PY' &
import os, signal, sys, time
pid, sent, start = int(sys.argv[1]), 0, time.monotonic()
for burst in range(6):
    for _ in range(100):
        os.kill(pid, signal.SIGWINCH)
        sent += 1
    time.sleep(0.05)
print(sent, "%.3f" % (time.monotonic() - start))
PY
storm=$!
for size in 90x25 30x8 120x40 15x4 200x60 79x23 81x24 1x1 100x30 45x10 100x30; do
  tm resize-window -t t -x "${size%x*}" -y "${size#*x}"
done
wait "$storm"
read -r sent took <"$TMP/storm"
tm resize-window -t t -x 100 -y 30
if [ "${sent:-0}" -ge 500 ] && wait_for "Suggestions" && alive && fits 100 &&
  [ "$(screen | wc -l)" -eq 30 ] && screen | tail -1 | grep -q "F10 quit"; then
  ok "a storm of $sent SIGWINCH in $took s amid real resizes ends at the last size, 100x30"
else
  not_ok "resize storm ($sent signals in $took s)"; diag "$(screen)"
fi
keys 1
if wait_gone "type a reply" && alive; then ok "keys still work after the storm"; else not_ok "keys after storm"; diag "$(screen)"; fi
keys C-q
wait_for "Quit?"
keys y
if wait_exit && [ "$status" = 0 ]; then ok "quits cleanly after all that"; else not_ok "exit"; diag "status ${status:-none}" "$(cat "$TMP/stderr")"; fi
check "the session log is whole and complete after the storm" sh -c \
  "[ \"\$(cat '$XDG_STATE_HOME'/huashu/sessions/*.jsonl | wc -l)\" -eq $(wc -l <"$FEED") ]"
check "every line of it whole JSON" session_log_whole
tm kill-session -t t

CONSOLE_ENV="NO_COLOR=1" start 100 30 --demo "$FEED" --playbook "$PB"
wait_for "赵六"
sgr=$(tm capture-pane -e -p -t t)
if ! printf '%s' "$sgr" | grep -qE '\[([34][0-7]|38;|48;)' && printf '%s' "$sgr" | grep -qE '\[[0-9;]*7m'; then
  ok "NO_COLOR: no colours, reverse video for emphasis"
else
  not_ok "NO_COLOR"; diag "$(printf '%s' "$sgr" | head -3 | cat -v)"
fi
tm kill-session -t t
start 20 5 --demo "$FEED" --playbook "$PB"
sleep 1
if alive && fits 20; then ok "starting at 20x5 works"; else not_ok "start 20x5"; diag "$(screen)" "$(cat "$TMP/stderr")"; fi
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
