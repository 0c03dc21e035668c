#!/bin/sh
# The compose line lints as the agent types (core/lint): forbidden phrases highlighted with
# the better wording beside them; Enter asks first (ui.lint_mode confirm), refuses (block)
# or warns (warn); M-v replaces the phrase; allow words (迷你 for 你) are not hits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 10

PB="$TESTDATA/playbooks/mini.yaml"
FEED="$TESTDATA/console/chats.jsonl"

start 100 30 --demo "$FEED" --playbook "$PB"
wait_for "赵六"
keys -l "我不知道呢"
screen_check "a forbidden phrase shows its better wording as it is typed" "不知道: 我帮您确认一下 [M-v]"
keys Enter
screen_check "Enter asks first" "is forbidden: Enter again sends it"
if ! screen | grep -q "Me 我不知道呢"; then ok "and does not send yet"; else not_ok "sent without asking"; fi
keys M-v
screen_check "M-v replaces it with the better wording" "> 我我帮您确认一下呢"
keys Enter
screen_check "the fixed line sends at once" "Me 我我帮您确认一下呢"
keys -l "迷你款有货"
sleep 0.5
if ! screen | grep -q "\[M-v\]"; then ok "allow words are not hits (迷你 holds 你)"; else not_ok "迷你 flagged"; diag "$(screen)"; fi
keys C-u
keys -l "不知道"
keys Enter
wait_for "Enter again sends it"
keys Enter
screen_check "confirm: Enter twice sends it as it is" "Me 不知道"
keys F10
wait_for "Quit?"
keys y
wait_exit
tm kill-session -t t

start 100 30 --demo "$FEED" --playbook "$PB" --ui lint_mode=block
wait_for "赵六"
keys -l "不知道"
keys Enter
wait_for "may not be sent"
keys Enter
sleep 0.5
if screen | grep -q "may not be sent" && ! screen | grep -q "Me 不知道"; then ok "block: never sent"; else not_ok "block"; diag "$(screen)"; fi
tm kill-session -t t

start 100 30 --demo "$FEED" --playbook "$PB" --ui lint_mode=warn
wait_for "赵六"
keys -l "不知道"
keys Enter
screen_check "warn: sent, with a warning" "which the rules forbid"
tm kill-session -t t
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
