#!/bin/sh
# Detection unsure of a customer message (issue 14): the state stays, the info pane names the
# likeliest states ("unsure: 库存? 产品咨询?") and one key (M-j) takes the first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 3

start 100 30 --demo "$TESTDATA/console/unsure.jsonl" --playbook zh_CN
wait_for "林小雨"
if wait_for "unsure: " && screen | grep -q "unsure: [^ ]*? .*?  M-j: " && screen | grep -q "| 问候"; then
  ok "unsure: the state stays and the runner-ups are shown with the key"; else not_ok "unsure line"; diag "$(screen)"; fi
first=$(screen | sed -n 's/.*unsure: .*  M-j: \([^ ]*\).*/\1/p' | head -1)
keys M-j
if [ -n "$first" ] && wait_gone "unsure:" && screen | grep -q "林小雨 (林女士) | $first"; then
  ok "M-j takes the likeliest state ($first)"; else not_ok "M-j ($first)"; diag "$(screen)"; fi
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
