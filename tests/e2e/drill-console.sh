#!/bin/sh
# huashu drill FILE in the console under tmux: the silent-call drill played through (its 5 s
# pauses are real: its windows are 4-8 s and a loaded machine needs the room; under a slow
# HUASHU_WRAPPER, CONSOLE_WAIT slows the drill's clock with --time-scale), the drill pane's
# countdowns, the score screen, the saved result and the session log scored again without a
# terminal; one column; --no-hints on a faster clock; leaving a drill early.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 20

DRILLS="$XDG_STATE_HOME/huashu/drills"
SCALE=$(awk "BEGIN { print 1 / $WAIT_SCALE }")
json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# send_suggestion TEXT: puts the suggestion showing TEXT in the compose line and sends it.
send_suggestion() {
  n=$(suggestion_number "$1")
  keys "${n:-0}"
  wait_for "> $1" 5
  keys Enter
}

start 100 30 drill zh_CN/silent_call --time-scale "$SCALE" --trainee 小王 --start 2026-11-23T10:00:00+08:00
screen_check "the drill pane takes the queue's place: title, step, countdowns" "Drill                    1/4"
if wait_for "无声电话" && wait_for "问候" && wait_for "never 不说“喂”“听不见”"; then
  ok "pending expectations are listed with their labels"
else not_ok "pending expectations"; diag "$(screen)"; fi
screen_check "the status line says DRILL" "DRILL 10:00:0"

keys M-s
screen_check "marking the silent call meets an expectation" "+ mark_silent"
send_suggestion "您好!请问有什么可以帮您?"
screen_check "the greeting goes to the transcript" "Me 您好!请问有什么可以帮您?"
if wait_for "wait " 5 && screen | grep -q "wait [1-4]s 稍停5秒再问"; then
  ok "the next expectation waits for its pause (after: 4s)"
else not_ok "after countdown"; diag "$(screen)"; fi

wait_gone "wait " 15
send_suggestion "您好,请问有什么可以帮您?"
wait_for "wait " 5
wait_gone "wait " 15
send_suggestion "很抱歉,您的电话没有声音,请您再次打来好吗?"
wait_for "wait " 5
wait_gone "wait " 15
keys M-x
screen_check "hanging up ends the drill on the score screen" "Drill result: 无声电话"
if wait_for "PASSED  100%  (65/65, pass mark 80%)" && screen | grep -q "^ met  *again  " &&
  screen | grep -q "^ met  *hang_up  .*稍停5秒后挂机"; then
  ok "the score screen lists every expectation met, with its time"
else not_ok "score screen"; diag "$(screen)"; fi
if screen | grep -qF "\"您好!请问有什么可以帮您?\"" && screen | grep -qF "saved: $DRILLS/"; then
  ok "the score screen shows what was said and where the result went"
else not_ok "score screen details"; diag "$(screen)"; fi

keys q
if wait_exit && [ "$status" -eq 0 ]; then ok "q leaves; a passed drill exits 0"; else not_ok "exit (status ${status:-none})"; diag "$(screen)"; fi
result=$(ls "$DRILLS"/*-silent_call-*.json 2>/dev/null | head -1)
if [ -n "$result" ] && [ "$(json_field "$result" "d['passed'], d['trainee'], d['end'], d['started'][:19]")" = \
  "True 小王 completed 2026-11-23T10:00:00" ] && [ -f "${result%.json}.txt" ]; then
  ok "the result is saved as JSON and text under \$XDG_STATE_HOME/huashu/drills"
else not_ok "saved result"; diag "$result" "$(cat "$result" 2>/dev/null)"; fi
log=$(ls "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null | head -1)
run_huashu drill run zh_CN/silent_call --answers "$log" --format json
if [ "$rc" -eq 0 ] && [ "$(json_field "$TMP/out" "d['percent'], d['end']")" = "100 completed" ]; then
  ok "the session log of the drill, scored again by drill run, gives the same result"
else not_ok "rescoring the session log (exit $rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
if no_sanitizer_reports; then ok "no sanitizer reports"; else not_ok "sanitizer"; diag "$(cat "$TMP/stderr")"; fi
tm kill-session -t t

# --- one column: the drill pane is a strip with the step, the score and the countdowns ------
start 70 20 drill zh_CN/cant_hear
if wait_for "1/3  score 0/30" && wait_for "请对方使用话筒" && screen | grep -q "^ [0-9]*s 标记无法听清"; then
  ok "below 80 columns the drill pane keeps the step, the score and the countdowns"
else not_ok "one column"; diag "$(screen)"; fi
tm kill-session -t t

# --- --no-hints: the suggestions are hidden, the line is typed -------------------------------
start 100 30 drill zh_CN/wrong_number --no-hints --time-scale 2
screen_check "--no-hints hides the suggestions" "hidden in this drill (--no-hints)"
wait_for "是张医生家吗"
keys 1
if wait_for "suggestions are hidden in this drill" 5 && [ -z "$(compose_text | grep -v 'type a reply')" ]; then
  ok "the suggestion keys do nothing but say so"
else not_ok "digits with --no-hints"; diag "$(screen)"; fi
keys -l "很抱歉,这里是本公司客服中心,请您查证后再拨。"
keys Enter
screen_check "a typed line counts as the playbook line it says; the customer hangs up" "PASSED  100%"
keys Escape
if wait_exit && [ "$status" -eq 0 ]; then ok "Esc leaves the score screen"; else not_ok "exit after --no-hints"; fi
tm kill-session -t t

# --- leaving early --------------------------------------------------------------------------
start 100 30 drill zh_CN/transfer --time-scale 2
wait_for "理财产品"
keys F10
wait_for "Quit? (y/n)"
keys y
wait_exit
result=$(ls "$DRILLS"/*-transfer-*.json 2>/dev/null | head -1)
if [ "${status:-}" = 1 ] && [ -n "$result" ] && [ "$(json_field "$result" "d['end'], d['passed']")" = "stopped False" ]; then
  ok "a drill left early is scored as it stands, saved, and exits 1"
else not_ok "leaving early (status ${status:-none})"; diag "$(cat "$result" 2>/dev/null)" "$(screen)"; fi

check "no sanitizer or valgrind reports from the later sessions" no_sanitizer_reports
done_testing
