#!/bin/sh
# huashu drill run scores fairly and never hangs: a cycle of steps that takes no time ends at
# the step cap.
. "$(dirname "$0")/lib.sh"

DRILLS=$(ls "$HUASHU_DATA"/drills/*/*.yaml)
count=$(echo "$DRILLS" | wc -l)
plan $((count + 2))

# json_field FILE EXPR: a value of the JSON result in FILE (python3 reads it).
json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# --- no points for silence: the silent answer set scores 0 on every bundled drill ---------------
: >"$TMP/silent.jsonl"
for f in $DRILLS; do
  id="$(basename "$(dirname "$f")")/$(basename "$f" .yaml)"
  run_huashu drill run "$f" --answers "$TMP/silent.jsonl" --format json
  got=$(json_field "$TMP/out" "d['score'], d['percent'], d['passed']" 2>/dev/null)
  if [ "$rc" -eq 1 ] && [ "$got" = "0 0 False" ]; then ok "$id: silence scores 0"; else
    not_ok "$id: silence scores 0 (got $got, exit $rc)"; fi
done

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
