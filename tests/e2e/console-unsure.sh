#!/bin/sh
# Detection unsure of a customer message (issue 14): the state stays, the info pane names the
# likeliest states ("unsure: 产品咨询? 库存?") and one key (M-j) takes the first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 3

start 100 30 --demo "$TESTDATA/console/unsure.jsonl" --playbook zh_CN
wait_for "林小雨"
if wait_for "unsure: 产品咨询? 库存?  M-j: 产品咨询" && screen | grep -q "问候"; then
  ok "unsure: the state stays and the runner-ups are shown with the key"; else not_ok "unsure line"; diag "$(screen)"; fi
keys M-j
if wait_gone "unsure:" && screen | grep -q "林小雨 (林女士) | 产品咨询"; then
  ok "M-j takes the likeliest state"; else not_ok "M-j"; diag "$(screen)"; fi
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
