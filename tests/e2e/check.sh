#!/bin/sh
# huashu check: good and broken playbooks, messages with file:line:col.
. "$(dirname "$0")/lib.sh"
plan 16

run_huashu check "$HUASHU_DATA/playbooks/zh_CN.yaml" "$HUASHU_DATA/playbooks/zh_TW.yaml" "$HUASHU_DATA/playbooks/en.yaml"
if [ "$rc" -eq 0 ] && [ "$(grep -c ': ok: playbook' "$TMP/out")" -eq 3 ]; then ok "bundled playbooks pass"; else not_ok "bundled playbooks pass"; diag "$(cat "$TMP/err")"; fi

run_huashu check
if [ "$rc" -eq 0 ]; then ok "check without arguments checks the bundled playbooks"; else not_ok "check without arguments"; diag "$(cat "$TMP/err")"; fi

missing=""
for pb in zh_CN zh_TW en; do
  for st in greeting identify inquiry hold transfer complaint closing silent unclear dialect \
    wrong_number nuisance personal_call out_of_scope product stock price shipping verify_address; do
    grep -q "^  $st:" "$HUASHU_DATA/playbooks/$pb.yaml" || missing="$missing $pb:$st"
  done
done
if [ -z "$missing" ]; then ok "every bundled playbook defines the 19 shared states"; else not_ok "shared states missing:$missing"; fi

bad="$TESTDATA/playbooks/broken.yaml"
run_huashu check "$bad"
if [ "$rc" -eq 1 ]; then ok "a broken playbook exits 1"; else not_ok "a broken playbook exits 1 (got $rc)"; fi
if contains "$TMP/err" "broken.yaml:13:9: transition to unknown state \"hodl\""; then ok "unknown state named with line and column"; else not_ok "unknown state message"; diag "$(cat "$TMP/err")"; fi
if contains "$TMP/err" "broken.yaml:19:9: line \"inquiry.typo\": unknown placeholder {surnam}"; then ok "unknown placeholder named"; else not_ok "unknown placeholder message"; diag "$(cat "$TMP/err")"; fi
if contains "$TMP/err" "broken.yaml:20:9: duplicate line id \"inquiry.restate\"" &&
  contains "$TMP/err" "broken.yaml:21:9: short code \"ir\""; then ok "duplicate id and code named"; else not_ok "duplicate messages"; diag "$(cat "$TMP/err")"; fi

run_huashu check "$TESTDATA/playbooks/syntax.yaml"
if [ "$rc" -eq 1 ] && grep -q 'syntax.yaml:[0-9]*:[0-9]*: YAML syntax' "$TMP/err"; then ok "YAML syntax error located"; else not_ok "YAML syntax error"; diag "$(cat "$TMP/err")"; fi

run_huashu check "$TMP/does-not-exist.yaml"
if [ "$rc" -eq 2 ] && contains "$TMP/err" "does-not-exist.yaml: cannot read"; then ok "unreadable file exits 2"; else not_ok "unreadable file"; fi
mkdir -p "$XDG_DATA_HOME/huashu/playbooks"
cat >"$XDG_DATA_HOME/huashu/playbooks/zh_CN.yaml" <<'YAML'
playbook: zh_CN
extends: zh_CN
settings: {hold_checkin: 20s}
placeholders:
  company: {default: 康泰鑫}
YAML
run_huashu check "$XDG_DATA_HOME/huashu/playbooks/zh_CN.yaml"
if [ "$rc" -eq 0 ]; then ok "a user playbook extends its bundled namesake"; else not_ok "user extends bundled namesake"; diag "$(cat "$TMP/err")"; fi
printf '%s\n' '{"ts":"2026-11-23T10:00:00Z","conv":"x","type":"open","channel":"phone"}' '{"ts":"2026-11-23T10:00:01Z","conv":"x","type":"key","key":"hold"}' >"$TMP/in"
run_huashu replay --until 2026-11-23T10:00:21Z "$TMP/in"
if contains "$TMP/out" "康泰鑫客服【工号】号" && grep -q '"ts":"2026-11-23T10:00:21.000Z","conv":"x","changes":\["ladder"\],"state":"hold"' "$TMP/out"; then
  ok "the user's company name and 20 s hold check-in take effect"; else not_ok "user overrides"; diag "$(cat "$TMP/out")"; fi
printf 'playbook: zh_TW\nagent: {company: 康泰鑫, agent_no: "128"}\nui: {bell: false}\n' >"$TMP/config.yaml"
run_huashu check "$TMP/config.yaml"
if [ "$rc" -eq 0 ] && contains "$TMP/out" "config.yaml: ok: config"; then ok "a config file validates"; else not_ok "config validates"; diag "$(cat "$TMP/err")"; fi
if [ ! -s "$TMP/err" ]; then ok "company and agent number set: no warning"; else not_ok "warning with agent values set"; diag "$(cat "$TMP/err")"; fi
printf 'playbook: zh_CN\nagent: {company: 康泰鑫}\n' >"$TMP/config.yaml"
run_huashu check "$TMP/config.yaml"
if [ "$rc" -eq 0 ] && contains "$TMP/err" "config.yaml: warning: agent: agent_no is not set" && ! contains "$TMP/err" "company is not set"; then
  ok "huashu check warns when the agent number is left to a default"; else not_ok "agent_no warning"; diag "$(cat "$TMP/err")"; fi
printf 'ui:\n  bell: loud\n  lint_mode: shout\n' >"$TMP/config.yaml"
run_huashu check "$TMP/config.yaml"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "config.yaml:2:9: ui.bell must be true or false" &&
  contains "$TMP/err" "config.yaml:3:14: ui.lint_mode must be one of warn|confirm|block"; then
  ok "bad config values named with line and column"; else not_ok "bad config values"; diag "$(cat "$TMP/err")"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
