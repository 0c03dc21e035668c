#!/bin/sh
# The config file's keys:, ui: and agent: sections reach the console; a bad key is reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 8

mkdir -p "$XDG_CONFIG_HOME/huashu"
cat >"$XDG_CONFIG_HOME/huashu/config.yaml" <<'YAML'
agent: {company: 好运来小店, agent_no: "042"}
ui: {ambiguous_width: 2, bell: false}
keys:
  help: [F2, C-o]
  greeting: M-g
YAML
start 100 30 --demo "$TESTDATA/console/chats.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml" --time-scale 10
screen_check "agent: fills the company in suggestions" "好运来小店客服042号"
keys F2
screen_check "keys: rebinds help to F2" "huashu keys"
keys Escape
wait_gone "huashu keys"
keys F1
sleep 0.5
if ! screen | grep -q "huashu keys"; then ok "F1 no longer opens help"; else not_ok "F1 still bound"; diag "$(screen)"; fi
wait_for "2 late"
if ! bell_rang; then ok "ui: bell: false keeps the bell quiet past 30 s"; else not_ok "bell rang"; fi
tm kill-session -t t

cat >"$XDG_CONFIG_HOME/huashu/config.yaml" <<'YAML'
keys:
  hold: Hyper-x
  fly: F3
YAML
start 100 30 --demo "$TESTDATA/console/chats.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml"
screen_check "problems in keys: are reported in the status line" "config: 2 problems"
keys F3
screen_check "and the rest still works (F3 holds)" "等候"
tm kill-session -t t 2>/dev/null
printf 'keys:\n  hold: Hyper-x\n  copy: [M-y, C-y]\n' >"$TMP/keys.yaml"
run_huashu check "$TMP/keys.yaml"
if [ "$rc" = 1 ] && contains "$TMP/err" "keys.yaml:2:9: keys: unknown key \"Hyper-x\" for hold"; then
  ok "huashu check reports a bad keys: entry with its position"
else
  not_ok "check keys:"; diag "rc=$rc" "$(cat "$TMP/err")"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
