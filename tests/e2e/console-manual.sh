#!/bin/sh
# huashu --manual, the phone desk: open a call with one key, mark what happens, watch the
# silent-call ladder count its steps by itself; every mark and line goes to the session log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 11

start 100 30 --manual --playbook "$TESTDATA/playbooks/mini.yaml"
screen_check "no call yet, and it says how to open one" "No call yet"
keys F12
screen_check "F12 opens a phone call" "call-1 | phone"
keys M-s
screen_check "M-s marks a silent line" "无声电话"
screen_check "the ladder counts to its next line on screen" "next line in "
# the first step comes 5 s after the mark (real time: under load a fast clock would
# move the ladder on between reading the screen and pressing the key)
screen_check "the ladder's line comes by itself, on its own key 0" "0* 您好,请问有什么可以帮您?"
keys "$(suggestion_number "您好,请问有什么可以帮您?")" Enter
screen_check "using the line puts it in the call's record" "Me 您好,请问有什么可以帮您?"
keys F3
wait_for "等候"
keys M-x
screen_check "M-x ends the call" "closed"
keys F10
if wait_exit && [ "$status" = 0 ]; then ok "quit asks nothing when no call is open"; else not_ok "quit"; diag "$(screen)"; fi
log=$(session_log)
kinds=$(printf '%s\n' "$log" | sed -n 's/.*"type":"\([a-z]*\)".*"key":"\([a-z]*\)".*/\1:\2/p; s/.*"type":"\([a-z]*\)".*"line":"\([a-z.]*\)".*/\1:\2/p; s/.*"type":"\(open\|close\)".*/\1/p' | tr '\n' ' ')
if [ "$kinds" = "open key:silent message:silent.greet key:hold close " ]; then
  ok "the session log holds every mark and line in order"
else
  not_ok "session log"; diag "$kinds" "$log"
fi
if printf '%s\n' "$log" | head -1 | grep -q '"channel":"phone"'; then ok "calls are logged as phone conversations"; else not_ok "phone channel"; diag "$log"; fi
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
