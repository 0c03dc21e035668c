#!/bin/sh
# huashu drill run scores fairly and never hangs: a cycle of steps that takes no time ends at
# the step cap.
. "$(dirname "$0")/lib.sh"

plan 2

# --- the one cap: no drill can hang the runner ------------------------------------------------
cat >"$TMP/cycle.yaml" <<'YAML'
drill: cycle
title: Cycle
playbook: zh_CN
steps:
  - {id: a, customer: 你好, then: b}
  - {id: b, customer: 在吗, then: a}
YAML
echo '{"at":1,"text":"您好"}' >"$TMP/one.jsonl"
run_huashu drill run "$TMP/cycle.yaml" --answers "$TMP/one.jsonl" --format json
if [ "$rc" -eq 1 ] && contains "$TMP/out" '"end":"step limit"'; then
  ok "a cycle of steps that takes no time ends at the step cap, failed"
else not_ok "step cap"; diag "rc=$rc" "$(head -c 600 "$TMP/out")" "$(cat "$TMP/err")"; fi

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
