#!/bin/sh
# huashu eval: detection measured on labelled messages (a fixture with known figures).
. "$(dirname "$0")/lib.sh"
plan 9
D="$TESTDATA/eval"

run_huashu eval --help
[ "$rc" -eq 0 ] && contains "$TMP/out" "usage: huashu eval" && ok "eval --help exits 0" ||
  { not_ok "eval --help: $rc"; diag "$(cat "$TMP/out" "$TMP/err")"; }

# m1 complaint right, m2 "好的" keeps shipping (same) right, m3 the labelled "我要投诉" (not
# the later message) reaches complaint against the label shipping, m4 在吗 is no closing
# (a hail keeps greeting: reached "same").
run_huashu eval --playbook zh_CN "$D/mini.tsv" "$D/mini.jsonl"
if [ "$rc" -eq 0 ] && [ "$(tail -3 "$TMP/out" | head -1)" = "accuracy 0.500" ] &&
  [ "$(tail -2 "$TMP/out" | head -1)" = "macro-F1 0.333 over 4 states" ] &&
  [ "$(tail -1 "$TMP/out")" = "4 messages, 2 right, 2 missed" ]; then
  ok "the last three lines give accuracy, macro-F1 and the counts"
else not_ok "headline figures ($rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
if grep -q '^complaint  *1  *0\.500   1\.000  0\.667$' "$TMP/out" &&
  grep -q '^shipping  *1  *0\.000   0\.000  0\.000$' "$TMP/out"; then
  ok "per-state precision, recall, F1"; else not_ok "per-state table"; diag "$(cat "$TMP/out")"; fi
if grep -q '^ 3 shipping  *1   \.   \.   \.$' "$TMP/out"; then
  ok "confusion matrix row: shipping reached complaint"; else not_ok "confusion"; diag "$(cat "$TMP/out")"; fi
if contains "$TMP/out" "misses (2)" && contains "$TMP/out" "  m3  shipping -> complaint  我要投诉" &&
  contains "$TMP/out" "  m4  closing -> same  在吗  (greeting 0." && ! contains "$TMP/out" "快点处理"; then
  ok "every miss listed with the labelled message"; else not_ok "misses"; diag "$(cat "$TMP/out")"; fi

run_huashu eval --playbook zh_CN --format json "$D/mini.tsv" "$D/mini.jsonl"
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["messages"] == 4 and d["right"] == 2 and d["accuracy"] == 0.5, d
assert abs(d["macro_f1"] - 1 / 3) < 1e-3, d
s = {x["state"]: x for x in d["states"]}
assert s["shipping"]["reached"] == {"complaint": 1}, s
assert [m["conv"] for m in d["misses"]] == ["m3", "m4"], d["misses"]
' "$TMP/out"; then ok "JSON output"; else not_ok "JSON output"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

run_huashu eval --playbook zh_CN --min-f1 0.9 "$D/mini.tsv" "$D/mini.jsonl"
r1=$rc
run_huashu eval --playbook zh_CN --min-f1 0.3 "$D/mini.tsv" "$D/mini.jsonl"
if [ "$r1" -eq 1 ] && [ "$rc" -eq 0 ]; then ok "--min-f1 fails below the floor, passes above"
else not_ok "--min-f1: $r1 / $rc"; diag "$(cat "$TMP/err")"; fi

printf 'm1\tcomplaint\tx\nm9\tnowhere\ty\n' >"$TMP/bad.tsv"
run_huashu eval --playbook zh_CN "$TMP/bad.tsv" "$D/mini.jsonl"
if [ "$rc" -eq 2 ] && contains "$TMP/err" "bad.tsv:2:4: unknown state \"nowhere\""; then
  ok "an unknown label is named by file:line:col"; else not_ok "unknown label ($rc)"; diag "$(cat "$TMP/err")"; fi

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
