#!/bin/sh
# Keys that stay put (issue 17): suggestion numbers do not move while the agent types, Esc
# never loses a typed reply (a warning goes first, M-z brings a cleared line back), an edited
# suggestion whose words are gone is logged with no line id, and after a line marked end the
# console says the chat may be closed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 8

start 100 30 --demo "$TESTDATA/console/agent.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml" --time-scale 10
wait_for "王芳"
before=$(suggestion_number "王女士,请问有什么可以帮您?")
keys -l "abc"
wait_for "> abc"
# 30 s at --time-scale 10: the late apology arrives while the agent types
i=0
while [ $i -lt 100 ] && ! bell_rang; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
after=$(suggestion_number "王女士,请问有什么可以帮您?")
if bell_rang && [ -n "$before" ] && [ "$before" = "$after" ] && screen | grep -q "很抱歉,刚才因为线路忙"; then
  ok "while the agent types, a late line arriving moves no number ($before)"; else not_ok "numbers moved: $before -> $after"; diag "$(screen)"; fi

keys C-u
keys -l "您好你"
keys Enter
wait_for "Enter again sends it"
keys Escape
if wait_gone "Enter again sends it" && screen | grep -q '^> 您好你 '; then
  ok "the first Esc dismisses the warning and keeps the typed reply"; else not_ok "Esc lost the reply"; diag "$(screen)"; fi
sleep 0.1
keys Escape
wait_for "brings it back"
keys M-z
if wait_for "> 您好你"; then ok "M-z brings back the line Esc cleared"; else not_ok "undo"; diag "$(screen)"; fi
keys C-u
sleep 0.5 # the grace after the last change is over (1.5 s at --time-scale 10): numbers settle

n=$(suggestion_number "王女士,请问有什么可以帮您?")
keys "${n:-9}"
wait_for "> 王女士,请问有什么可以帮您?"
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
keys -l "等着"
wait_for "> 王等着"
keys Enter
wait_for "Me 王等着"
if session_log | grep -F '"text":"王等着"' | grep -qvF '"line"'; then
  ok "an edited suggestion whose words are gone is sent with no line id"; else not_ok "edited line id"; diag "$(session_log)"; fi

keys /
keys -l "没有声音"
wait_for "很抱歉,您的电话没有声音"
keys Enter
wait_for "> 很抱歉,您的电话没有声音"
keys Enter
if wait_for "the chat may be closed: M-x closes it"; then ok "after a line marked end, the chat may be closed with one key"; else not_ok "end prompt"; diag "$(screen)"; fi
if session_log | grep -F '很抱歉,您的电话没有声音' | grep -qF '"line":"silent.nosound"'; then
  ok "the line sent whole keeps its line id"; else not_ok "line id"; diag "$(session_log)"; fi
keys M-x
screen_check "M-x closes it" "closed"
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
