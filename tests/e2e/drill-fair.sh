#!/bin/sh
# huashu drill run scores fairly and never hangs: a cycle of steps that takes no time ends at
# the step cap.
. "$(dirname "$0")/lib.sh"

DRILLS=$(ls "$HUASHU_DATA"/drills/*/*.yaml)
count=$(echo "$DRILLS" | wc -l)
plan $((count + 7))

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

# --- huashu check refuses drills that cannot work; drill run too ---------------------------------
B="$TESTDATA/drills/broken-check.yaml"
run_huashu check "$B"
if [ "$rc" -eq 1 ] &&
  contains "$TMP/err" "broken-check.yaml:8:5: steps a -> b -> a take no time and loop for ever" &&
  contains "$TMP/err" "broken-check.yaml:18:5: step \"lonely\" is never reached" &&
  contains "$TMP/err" "broken-check.yaml:20:20: playbook zh_CN has no lookup kind \"parcel\"" &&
  contains "$TMP/err" "broken-check.yaml:22:9: surname: true, but the persona has no surname" &&
  contains "$TMP/err" "broken-check.yaml:23:15: say: \"我不知道\" asks for \"不知道\", which playbook zh_CN forbids" &&
  contains "$TMP/err" "broken-check.yaml:25:43: playbook zh_CN has no placeholder {order.colour}"; then
  ok "check: zero-time cycles, unreachable steps, unknown lookups, surname without one, forbidden say:"
else not_ok "check broken-check"; diag "$(cat "$TMP/err")"; fi
printf 'drill: x\ntitle: t\nplaybook: zh_CN\nsteps:\n  - customer: hi\n' >"$TMP/none.yaml"
run_huashu check "$TMP/none.yaml"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "none.yaml:5:5: the drill expects nothing of the trainee"; then
  ok "check: a drill with no expectations"
else not_ok "check no expectations"; diag "$(cat "$TMP/err")"; fi
echo '{"at":1,"text":"您好"}' >"$TMP/one.jsonl"
run_huashu drill run "$B" --answers "$TMP/one.jsonl"
if [ "$rc" -eq 2 ] && contains "$TMP/err" "take no time and loop for ever" && [ ! -s "$TMP/out" ]; then
  ok "drill run refuses a drill that would loop (it hung, growing without end)"
else not_ok "drill run on a looping drill"; diag "rc=$rc" "$(cat "$TMP/err")"; fi

# --- answers files: true messages, unknown keys, after_customer ------------------------------------
printf '%s\n' '{"at":"abc","text":"x"}' '{"at":1,"txt":"您好"}' '{"at":2,"ts":"2026-01-05T10:00:00+08:00","text":"y"}' >"$TMP/bad.jsonl"
run_huashu drill run zh_CN/order_hold --answers "$TMP/bad.jsonl"
if contains "$TMP/err" "bad.jsonl:1: skipped: \"at\": \"abc\" is not a number of seconds (0 or more) nor a duration" &&
  contains "$TMP/err" "bad.jsonl:2: skipped: unknown key \"txt\"" &&
  contains "$TMP/err" "bad.jsonl:3: skipped: an answer has one of \"ts\", \"at\" and \"after_customer\""; then
  ok "answers: a bad time, an unknown key, two times: each named"
else not_ok "answers validation"; diag "$(cat "$TMP/err")"; fi
printf '%s\n' '{"after_customer":5,"type":"key","key":"hold"}' \
  '{"after_customer":6,"text":"麻烦您等待一下,我帮您查看,好吗?"}' \
  '{"after_customer":"24s","text":"很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!"}' \
  '{"at":40,"type":"key","key":"hold"}' '{"at":41,"text":"谢谢您的等候。很抱歉,让您久等了!"}' \
  '{"at":45,"text":"您的订单目前处于已打包待发货状态,请您耐心等待。如有需要,我们会帮您联系快递公司核实物流情况。"}' \
  '{"after_customer":3,"text":"请问还有什么可以帮您?"}' >"$TMP/rel.jsonl"
run_huashu drill run zh_CN/order_hold --answers "$TMP/rel.jsonl" --format json
if [ "$rc" -eq 0 ] && [ "$(json_field "$TMP/out" "d['percent'], [x['took_s'] for x in d['expectations'] if x['name'] in ('checkin', 'anything_else')]")" = "100 [24.0, 3.0]" ]; then
  ok "answers: after_customer counts from the customer's last message"
else not_ok "after_customer"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

# --- the result teaches -----------------------------------------------------------------------------
run_huashu drill run zh_CN/order_hold --answers "$TESTDATA/drills/zh_CN-order_hold.wrong.jsonl"
if [ "$rc" -eq 1 ] && contains "$TMP/out" "FAILED because 0% is below the pass mark 80%" &&
  contains "$TMP/out" "expected: 很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!" &&
  contains "$TMP/out" "10.0s late -> -4"; then
  ok "the text result names why it failed, the wording missed and what lateness cost"
else not_ok "teaching result"; diag "$(cat "$TMP/out")"; fi

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
