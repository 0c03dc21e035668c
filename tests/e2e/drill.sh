#!/bin/sh
# huashu drill without a terminal: every bundled drill passes huashu check, passes with its
# model answers and fails with its wrong ones naming exactly the expectations missed; results
# saved and summed up by drill report; a skeleton from a session log; check's file:line:col.
. "$(dirname "$0")/lib.sh"

DRILLS=$(ls "$HUASHU_DATA"/drills/*/*.yaml)
count=$(echo "$DRILLS" | wc -l)
plan $((count * 3 + 23))
ANSWERS="$TESTDATA/drills"

# json_field FILE EXPR: a value of the JSON result in FILE (python3 reads it).
json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

for f in $DRILLS; do
  locale=$(basename "$(dirname "$f")")
  name=$(basename "$f" .yaml)
  id="$locale/$name"
  run_huashu check "$f"
  if [ "$rc" -eq 0 ] && contains "$TMP/out" ": ok: drill $name"; then ok "$id: huashu check"; else
    not_ok "$id: huashu check"; diag "$(cat "$TMP/err")"; fi
  model="$ANSWERS/$locale-$name.model.jsonl" wrong="$ANSWERS/$locale-$name.wrong.jsonl"
  if [ ! -f "$model" ] || [ ! -f "$wrong" ] || [ ! -f "$ANSWERS/$locale-$name.wrong.missed" ]; then
    not_ok "$id: model answers"; not_ok "$id: wrong answers"; diag "no answer sets for $id"
    continue
  fi
  run_huashu drill run "$f" --answers "$model" --format json
  if [ "$rc" -eq 0 ] && [ "$(json_field "$TMP/out" "d['passed'], d['percent'], d['missed']")" = "True 100 []" ]; then
    ok "$id: the model answers pass with every expectation met"
  else
    not_ok "$id: model answers (exit $rc)"; diag "$(cat "$TMP/out" "$TMP/err")"
  fi
  run_huashu drill run "$f" --answers "$wrong" --format json
  json_field "$TMP/out" "'\\n'.join(d['missed'])" >"$TMP/missed" 2>/dev/null
  if [ "$rc" -eq 1 ] && [ "$(json_field "$TMP/out" "d['passed']")" = "False" ] &&
    diff "$ANSWERS/$locale-$name.wrong.missed" "$TMP/missed" >"$TMP/diff"; then
    ok "$id: the wrong answers fail, naming exactly the expectations missed"
  else
    not_ok "$id: wrong answers (exit $rc)"; diag "$(cat "$TMP/diff" "$TMP/err")"
  fi
done

# --- text output and exit status -------------------------------------------------------------
SC="$HUASHU_DATA/drills/zh_CN/silent_call.yaml"
run_huashu drill run "$SC" --answers "$ANSWERS/zh_CN-silent_call.wrong.jsonl"
if [ "$rc" -eq 1 ] && contains "$TMP/out" "Score: 0/65 (0%), pass mark 80%: FAILED" &&
  contains "$TMP/out" "[not_reached] hang_up" &&
  contains "$TMP/out" "forbidden \"听不见\" -> 您好,请问可以听得见吗?"; then
  ok "text report: verdict, statuses, penalties with the better wording"
else not_ok "text report"; diag "$(cat "$TMP/out")"; fi

run_huashu drill run zh_CN/silent_call --answers "$ANSWERS/zh_CN-silent_call.model.jsonl" --start 2026-11-23T15:00:00+08:00
if [ "$rc" -eq 0 ] && contains "$TMP/out" "Started: 2026-11-23T15:00:00.000+08:00"; then
  ok "a bundled drill by name; --start"
else not_ok "bundled drill by name"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

printf '{"at":1,"text":"您好!请问有什么可以帮您?"}\nnot json\n{"text":"no time"}\n' >"$TMP/bad.jsonl"
run_huashu drill run "$SC" --answers "$TMP/bad.jsonl"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "bad.jsonl:2: skipped: invalid JSON" &&
  contains "$TMP/err" "bad.jsonl:3: skipped: an answer needs \"at\" (seconds after the start), \"after_customer\""; then
  ok "bad answer lines are named and skipped"
else not_ok "bad answer lines"; diag "$(cat "$TMP/err")"; fi

run_huashu drill run "$SC"
if [ "$rc" -eq 2 ] && contains "$TMP/err" "usage: huashu drill"; then ok "run without --answers is a usage error"; else not_ok "usage error"; fi
run_huashu drill run nowhere/nothing --answers "$TMP/bad.jsonl"
if [ "$rc" -eq 2 ] && contains "$TMP/err" "nowhere/nothing: no such file nor bundled drill"; then ok "an unknown drill exits 2"; else not_ok "unknown drill"; diag "$(cat "$TMP/err")"; fi

# --- saved results and drill report ---------------------------------------------------------
for t in 小王 小李; do
  huashu_run drill run "$SC" --answers "$ANSWERS/zh_CN-silent_call.model.jsonl" --trainee "$t" --save >/dev/null 2>&1
done
huashu_run drill run "$SC" --answers "$ANSWERS/zh_CN-silent_call.wrong.jsonl" --trainee 小张 --save >/dev/null 2>"$TMP/saved"
huashu_run drill run "$HUASHU_DATA/drills/zh_CN/transfer.yaml" --answers "$ANSWERS/zh_CN-transfer.model.jsonl" --trainee 小王 --save >/dev/null 2>&1
DIR="$XDG_STATE_HOME/huashu/drills"
n_json=$(ls "$DIR"/*.json 2>/dev/null | wc -l) n_txt=$(ls "$DIR"/*.txt 2>/dev/null | wc -l)
if [ "$n_json" -eq 4 ] && [ "$n_txt" -eq 4 ] && ! ls -a "$DIR" | grep -q 'XXXXXX\|\.tmp'; then
  ok "--save: JSON and text under \$XDG_STATE_HOME/huashu/drills, no temporary files left"
else not_ok "saved results ($n_json json, $n_txt txt)"; diag "$(ls -a "$DIR")"; fi
saved=$(sed -n 's/^saved: //p' "$TMP/saved")
if [ -f "$saved" ] && [ "$(json_field "$saved" "d['trainee'], d['passed']")" = "小张 False" ] &&
  contains "${saved%.json}.txt" "Score: 0/65"; then
  ok "the saved result names the trainee; its text twin holds the report"
else not_ok "saved result"; diag "$saved"; fi

run_huashu drill report
if [ "$rc" -eq 0 ] && contains "$TMP/out" "4 results, 2 drills, 3 trainees" &&
  contains "$TMP/out" "runs 3, passed 2 (66%), median score 100%" &&
  grep -q "^  greet  *2/3  *2.0s" "$TMP/out" && grep -q "^  hang_up  *2/3  *5.0s" "$TMP/out"; then
  ok "drill report: runs, pass rate, per-expectation pass rate and median time"
else not_ok "drill report"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
if grep -q '"喂" x2' "$TMP/out" && contains "$TMP/out" "Most frequent forbidden phrases"; then
  ok "drill report: most frequent forbidden phrases"
else not_ok "report phrases"; diag "$(cat "$TMP/out")"; fi

mkdir -p "$TMP/team/a"
cp "$DIR"/*.json "$TMP/team/a/"
echo '{"not":"a result"}' >"$TMP/team/other.json"
run_huashu drill report "$TMP/team" --format json
if [ "$rc" -eq 0 ] && [ "$(json_field "$TMP/out" "d['results'], d['drills'][0]['pass_rate'], d['forbidden'][0]['phrase']")" = "4 66 喂" ] &&
  contains "$TMP/err" "other.json: skipped: not a drill result"; then
  ok "drill report DIR --format json, recursing, skipping other JSON"
else not_ok "report json"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
run_huashu drill report "$TMP/empty"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "no drill results"; then ok "drill report on nothing exits 1"; else not_ok "empty report"; fi

# --- from-log -------------------------------------------------------------------------------
run_huashu drill from-log "$ANSWERS/session.jsonl" --conv c-1024 --playbook zh_CN
cp "$TMP/out" "$TMP/skeleton.yaml"
if [ "$rc" -eq 0 ] && contains "$TMP/out" 'customer: "我的快递怎么还没到?"' &&
  contains "$TMP/out" "{state: hold, within: 15s}" && contains "$TMP/out" "{line: hold.checkin, within: 30s}" &&
  contains "$TMP/out" "when: 9s" && ! contains "$TMP/out" "在吗"; then
  ok "from-log: one step per customer message, the agent's lines and states as expectations"
else not_ok "from-log"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
if [ "$(grep -c 'state: hold' "$TMP/out")" -eq 1 ]; then ok "from-log: the hold key that ends the hold is no expectation"; else
  not_ok "from-log hold toggle"; diag "$(cat "$TMP/out")"; fi
if contains "$TMP/err" "session.jsonl:11: skipped: invalid JSON"; then ok "from-log names the bad line"; else not_ok "from-log bad line"; diag "$(cat "$TMP/err")"; fi
run_huashu check "$TMP/skeleton.yaml"
if [ "$rc" -eq 0 ]; then ok "the skeleton passes huashu check"; else not_ok "skeleton check"; diag "$(cat "$TMP/err")"; fi
grep -v '^{"ts":"2026-11-23T10:02:0[45]' "$ANSWERS/session.jsonl" | grep '^{' >"$TMP/replay.jsonl"
run_huashu drill run "$TMP/skeleton.yaml" --answers "$TMP/replay.jsonl" --format json
if [ "$rc" -eq 0 ] && [ "$(json_field "$TMP/out" "d['percent']")" = "100" ]; then
  ok "the conversation it came from passes its skeleton"
else not_ok "skeleton replay"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
run_huashu drill from-log "$ANSWERS/session.jsonl" --conv c-9
if [ "$rc" -eq 1 ] && contains "$TMP/err" "conversation \"c-9\" has no customer message"; then ok "from-log: unknown conversation exits 1"; else not_ok "from-log unknown conv"; fi

# --- huashu check on broken drills ----------------------------------------------------------
run_huashu check "$ANSWERS/broken.yaml"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "broken.yaml:5:10: channel: phone or chat" &&
  contains "$TMP/err" "broken.yaml:6:44: unknown key \"age\" in persona" &&
  contains "$TMP/err" "broken.yaml:13:15: an expectation has one of state, line, say, never, never_line, surname, hangup, reply (found line and say)" &&
  contains "$TMP/err" "broken.yaml:15:27: goto: no step \"nowhere\""; then
  ok "check: drill structure errors with file:line:col"
else not_ok "check broken drill"; diag "$(cat "$TMP/err")"; fi
run_huashu check "$ANSWERS/broken-bind.yaml"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "broken-bind.yaml:8:17: playbook zh_CN has no state \"hodl\"" &&
  contains "$TMP/err" "broken-bind.yaml:9:16: playbook zh_CN has no line \"hold.asks\"" &&
  contains "$TMP/err" "broken-bind.yaml:9:47: \"hold_chekin\" is not a duration nor a setting of playbook zh_CN" &&
  contains "$TMP/err" "broken-bind.yaml:10:9: after (20s) is later than within (10s)"; then
  ok "check: unknown states, lines and settings of the drill's playbook, located"
else not_ok "check broken-bind"; diag "$(cat "$TMP/err")"; fi
sed 's/playbook: zh_CN/playbook: nowhere.yaml/' "$ANSWERS/broken-bind.yaml" >"$TMP/pb.yaml"
run_huashu check "$TMP/pb.yaml"
if [ "$rc" -eq 1 ] && contains "$TMP/err" "pb.yaml:4:11: no playbook \"$TMP/nowhere.yaml\""; then
  ok "check: a playbook path is taken relative to the drill and named when missing"
else not_ok "missing playbook"; diag "$(cat "$TMP/err")"; fi
run_huashu check "$HUASHU_DATA/playbooks/zh_CN.yaml" "$SC"
if [ "$rc" -eq 0 ] && contains "$TMP/out" ": ok: playbook zh_CN" && contains "$TMP/out" ": ok: drill silent_call"; then
  ok "check tells playbooks and drills apart in one run"
else not_ok "check mixed"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

# --- zh_TW and en -----------------------------------------------------------------------------
n_tw=$(ls "$HUASHU_DATA"/drills/zh_TW/*.yaml | wc -l) n_en=$(ls "$HUASHU_DATA"/drills/en/*.yaml | wc -l)
n_cn=$(ls "$HUASHU_DATA"/drills/zh_CN/*.yaml | wc -l)
if [ "$n_cn" -ge 12 ] && [ "$n_tw" -ge 4 ] && [ "$n_en" -ge 4 ]; then ok "12 zh_CN drills, at least 4 in zh_TW and en"; else
  not_ok "bundled drill counts: $n_cn $n_tw $n_en"; fi

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
