#!/bin/sh
# A complaint's promised-by time on screen: the desk's local time (here UTC, the demo's
# records stamped +08:00; the date only when it is not today), and the same after a customer
# message stamped in another zone (it used to jump by the eight hours between them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 3

start 100 30 --demo "$TESTDATA/console/deadline.jsonl" --time-scale 5 --start 2026-11-23T14:30:00Z
wait_for "我要投诉"
n=$(suggestion_number "[c2]")
keys "${n:-0}"
wait_for "> 很抱歉,王女士,多谢您反映的意见" 5
keys Enter
if wait_for "answer promised by 16:30:" 5; then
  ok "the 2 h promise is shown in the desk's zone (UTC), today so no date"; else not_ok "promised-by time"; diag "$(screen)"; fi
before=$(screen | grep -o "answer promised by [0-9: -]*")
wait_for "到底什么时候给我答复" 10
after=$(screen | grep -o "answer promised by [0-9: -]*")
if [ -n "$before" ] && [ "$before" = "$after" ]; then
  ok "a customer message stamped +08:00 leaves it as it was ($after)"; else not_ok "it moved: $before -> $after"; diag "$(screen)"; fi
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
