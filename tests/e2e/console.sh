#!/bin/sh
# The console at 100x30 on a fixture feed: queue order, suggestions into the compose line,
# sending (session log), typing digits mid-sentence, "/" search, a value asked in place,
# hold and its 25 s check-in on a fast clock, the help overlay, name, lookups, copy, quit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 27

PB="$TESTDATA/playbooks/mini.yaml"
start 100 30 --demo "$TESTDATA/console/chats.jsonl" --playbook "$PB" --time-scale 10 --start 2026-11-23T15:00:00+08:00

screen_check "the demo starts and shows Chinese lines" "你好,我的快递怎么还没到?"
wait_for "赵六"
# c-1 waits since 0.5 s and c-2 since 1.5 s; c-3 said nothing: in that order
a=$(queue_row "王芳") b=$(queue_row "c-2") c=$(queue_row "赵六")
if [ "$a" -gt 0 ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ]; then ok "queue: longest unanswered first"; else not_ok "queue order"; diag "$(screen)"; fi

i=0
while [ $i -lt 100 ] && ! bell_rang; do sleep 0.1; i=$((i + 1)); done
if bell_rang && wait_for "late"; then ok "the bell rings when a chat passes 30 s unanswered"; else not_ok "bell"; diag "$(screen)"; fi

n=$(suggestion_number "王女士,请问有什么可以帮您?")
keys "${n:-0}"
screen_check "a digit on an empty compose line inserts that suggestion" "> 王女士,请问有什么可以帮您?"
keys Enter
screen_check "Enter puts the line in the transcript" "Me 王女士,请问有什么可以帮您?"
if session_log | grep -F '"from":"agent"' | grep -F '"line":"greeting.known"' | grep -qF '王女士,请问有什么可以帮您?'; then
  ok "the session log holds the sent line with its line id"
else
  not_ok "session log"; diag "$(session_log)"
fi
if wait_for "了解问题"; then ok "the engine moved on after the reply"; else not_ok "state after reply"; diag "$(screen)"; fi
# c-2 is now the longest waiting: it comes first
b=$(queue_row "c-2") a=$(queue_row "王芳")
if [ "$b" -gt 0 ] && [ "$b" -lt "$a" ]; then ok "answered chat moves down the queue"; else not_ok "queue after reply"; diag "$(screen)"; fi

keys -l "abc 1"
screen_check "mid-sentence a digit types" "> abc 1"
n=$(suggestion_number "王女士,我复述一下")
keys "M-${n:-0}"
screen_check "Alt+digit inserts a suggestion at the cursor even mid-sentence" "> abc 1王女士,我复述一下"
keys Escape
screen_check "Esc clears the compose line" "type a reply"
tm set-buffer "$(printf '第一行\n第二行')"
tm paste-buffer -p -t t
if wait_for "> 第一行 第二行" && ! screen | grep -q "Me 第一行"; then ok "a pasted line break is a space, never a send (bracketed paste)"; else not_ok "paste"; diag "$(screen)"; fi
keys C-u

keys /
keys -l "hc"
screen_check "/ searches every line of the playbook" "hc   等候: 很抱歉,您的问题正在查证中"
keys Enter
screen_check "Enter inserts the chosen line" "> 很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!"
keys Escape
wait_for "type a reply" # an Esc and a key within 25 ms would be one Alt chord

keys /
keys -l "正在通话"
wait_for "同事姓名"
keys Enter
screen_check "a line with a missing value asks for it in place" "? 很抱歉,【同事姓名】正在通话中"
keys Enter
screen_check "it cannot be taken with the hole" "type 同事姓名 first"
keys -l "小李"
keys Enter
screen_check "the value fills the line" "> 很抱歉,小李正在通话中,请问有什么可以帮您?"
keys Escape
wait_for "type a reply"

keys F3
wait_for "等候"
# 25 s of hold at --time-scale 10 is 2.5 s
screen_check "hold: the 25 s check-in line is suggested by itself, on its own key 0" "0* 很抱歉,您的问题正在查证中"

keys F1
screen_check "F1 shows the key help" "huashu keys"
keys Escape
wait_gone "huashu keys"
keys ?
if wait_for "huashu keys"; then keys Escape; ok "? on an empty compose line shows the help too"; else not_ok "? help"; diag "$(screen)"; fi

keys F7
wait_for "Name and title"
keys -l "李雷 先生"
keys Enter
screen_check "the customer's name sets surname and title" "李雷 (李先生)"

keys F8
screen_check "order lookup says when lookups are not configured" "lookups not configured"

keys 1
wait_gone "type a reply"
keys M-y
wait_for "copied to the clipboard"
line=$(compose_text)
if [ -n "$line" ] && [ "$(tm show-buffer 2>/dev/null)" = "$line" ]; then
  ok "M-y copies the compose line with OSC 52 (tmux buffer)"
else
  not_ok "copy"; diag "line: $line" "buffer: $(tm show-buffer 2>&1)" "$(screen)"
fi
keys Escape
wait_for "type a reply" # C-c sent with the Esc could read as an Alt chord

keys C-c
screen_check "C-c asks to quit too" "Quit? (y/n)"
keys n
wait_gone "Quit? (y/n)"
keys F10
screen_check "quit asks while chats are open" "Quit? (y/n)"
keys n
wait_gone "Quit? (y/n)"
keys F10
wait_for "Quit? (y/n)"
keys y
if wait_exit && [ "$status" = 0 ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
  ok "y quits with status 0 and the terminal modes restored"
else
  not_ok "quit"; diag "status ${status:-none}" "$(screen)" "$(cat "$TMP/stderr")"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
