#!/bin/sh
# Customer values are data: a surname 不知道 under lint_mode=block is neither flagged nor
# "fixed", a surname {company} is never a placeholder to fill in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 4

PB="$TESTDATA/playbooks/mini.yaml"
start 100 30 --demo "$TESTDATA/console/values.jsonl" --playbook "$PB" --ui lint_mode=block
wait_for "{company}"

n=$(suggestion_number "不知道先生,请问有什么可以帮您?")
keys "${n:-0}"
wait_for "> 不知道先生,请问有什么可以帮您?"
if ! screen | grep -qF "[M-v]"; then ok "a surname 不知道 is not linted"; else not_ok "surname linted"; diag "$(screen)"; fi
keys Enter
screen_check "and the line sends under lint_mode=block" "Me 不知道先生,请问有什么可以帮您?"

keys Tab
wait_for "{company}女士,请问有什么可以帮您?"
n=$(suggestion_number "{company}女士,请问有什么可以帮您?")
keys "${n:-0}"
wait_for "> {company}女士,请问"
keys Enter
screen_check "a surname {company} is sent as it is, never asked for" "Me {company}女士,请问有什么可以帮您?"
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
