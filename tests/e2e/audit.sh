#!/bin/sh
# huashu audit: the report formats, gzip input, --target and --fail-under, bad and empty
# input, and the real corpus (skipped when ../shared/corpus is absent).
. "$(dirname "$0")/lib.sh"
plan 23

MINI="$TESTDATA/playbooks/mini.yaml"
BASIC="$TESTDATA/audit/basic.jsonl"

run_huashu audit --playbook "$MINI" "$BASIC"
for want in "service level    80.0% answered within 30s (8/10)" \
            "conversations    3 (2 closed, 1 open at end)" \
            "next responses   median 10.0s, p90 45.0s, max 45.0s (6)" \
            "complaints       2: apology 2/2 (100.0%), promised 2 (met 0, missed 1, pending 1)" \
            "b (" "open at end" "basic.jsonl:20:5 不知道 -> 我帮您确认一下: 你好,我不知道"; do
  contains "$TMP/out" "$want" || { echo "missing: $want"; }
done >"$TMP/missing"
if [ "$rc" = 0 ] && [ ! -s "$TMP/missing" ]; then ok "text report: per conversation and totals"; else not_ok "text report (rc=$rc)"; diag "$(cat "$TMP/missing" "$TMP/out")"; fi

run_huashu audit --playbook "$MINI" --format json "$BASIC"
if [ "$rc" = 0 ] && contains "$TMP/out" '"service_level":80.00' && contains "$TMP/out" '"conv":"b"' &&
   contains "$TMP/out" '"promises_missed":1' && contains "$TMP/out" '"first_response_s":10.000'; then
  ok "JSON report"
else not_ok "JSON report (rc=$rc)"; diag "$(head -c 2000 "$TMP/out")"; fi
if command -v python3 >/dev/null 2>&1; then
  if python3 -m json.tool "$TMP/out" >/dev/null 2>&1; then ok "JSON report parses"; else not_ok "JSON report parses"; fi
else skip "JSON report parses: no python3"; fi

run_huashu audit --playbook "$MINI" --format csv "$BASIC"
if [ "$rc" = 0 ] && [ "$(wc -l <"$TMP/out")" = 5 ] && head -1 "$TMP/out" | grep -q '^conv,file,first_line,agent,agent_name,opened,status,conversations,' &&
   grep -q '^a,.*,1,,,2026-11-23T10:00:00.000+08:00,closed,1,150.000,10.000,12.500,45.000,45.000,4,5,80.00,85.000,' "$TMP/out" &&
   grep -q '^TOTAL,,,,,,,3,4285.000,10.000,10.000,45.000,45.000,8,10,80.00,' "$TMP/out" &&
   [ "$(awk -F, '{ print NF }' "$TMP/out" | sort -u)" = 35 ]; then
  ok "CSV report: header, a row per conversation, a TOTAL row"
else not_ok "CSV report (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

gzip -c "$BASIC" >"$TMP/basic.jsonl.gz"
huashu_run audit --playbook "$MINI" --summary --worst 0 "$BASIC" >"$TMP/plain" 2>&1
run_huashu audit --playbook "$MINI" --summary --worst 0 "$TMP/basic.jsonl.gz"
if [ "$rc" = 0 ] && cmp -s "$TMP/plain" "$TMP/out"; then ok "gzip input gives the same totals"; else not_ok "gzip input (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

head -c 300 "$TMP/basic.jsonl.gz" >"$TMP/cut.gz"
run_huashu audit --playbook "$MINI" --summary "$TMP/cut.gz"
if [ "$rc" = 2 ] && contains "$TMP/err" "gzip failed"; then ok "truncated gzip: error, exit 2"; else not_ok "truncated gzip (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

run_huashu audit --playbook "$MINI" --summary --fail-under service_level=85 --fail-under closing=100 "$BASIC"
if [ "$rc" = 1 ] && contains "$TMP/err" "service_level 80.0% is under 85.0%" && ! contains "$TMP/err" "closing"; then
  ok "--fail-under: a threshold not met exits 1 and says which"
else not_ok "--fail-under not met (rc=$rc)"; diag "$(cat "$TMP/err")"; fi
run_huashu audit --playbook "$MINI" --summary --fail-under service_level=75 "$BASIC"
if [ "$rc" = 0 ]; then ok "--fail-under: thresholds met exit 0"; else not_ok "--fail-under met (rc=$rc)"; fi

run_huashu audit --playbook "$MINI" --summary --target 85/15 "$BASIC"
if [ "$rc" = 0 ] && contains "$TMP/out" "70.0% answered within 15s (7/10), target 85%: not met"; then
  ok "--target 85/15 sets the window and reports the target"
else not_ok "--target (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

run_huashu audit --playbook "$MINI" "$TESTDATA/audit/empty.jsonl"
if [ "$rc" = 0 ] && contains "$TMP/out" "conversations    0 (0 closed, 0 open at end)"; then ok "empty file"; else not_ok "empty file (rc=$rc)"; fi

run_huashu audit --playbook "$MINI" "$TESTDATA/audit/bad-only.jsonl"
n=$(grep -c "bad-only.jsonl:[0-9]*: skipped" "$TMP/err")
if [ "$rc" = 0 ] && [ "$n" = 7 ] && contains "$TMP/out" "7 lines, 0 events, 7 bad lines"; then
  ok "only bad lines: each named file:line, counted, never fatal"
else not_ok "bad lines (rc=$rc, $n named)"; diag "$(cat "$TMP/err")"; fi

run_huashu audit --playbook "$MINI" --summary "$BASIC" - "$TESTDATA/audit/empty.jsonl" <"$BASIC"
if [ "$rc" = 0 ] && contains "$TMP/out" "62 lines, 62 events"; then ok "several files and stdin"; else not_ok "several files (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

run_huashu audit --format yaml "$BASIC"
rc1=$rc
run_huashu audit --fail-under nonsense=3 "$BASIC"
if [ "$rc1" = 2 ] && [ "$rc" = 2 ] && contains "$TMP/err" "usage:"; then ok "usage errors exit 2"; else not_ok "usage errors ($rc1 $rc)"; fi
run_huashu audit --playbook "$MINI" "$TMP/does-not-exist.jsonl"
if [ "$rc" = 2 ] && contains "$TMP/err" "does-not-exist.jsonl"; then ok "unreadable file: exit 2"; else not_ok "unreadable file (rc=$rc)"; fi

FLOOR="$TESTDATA/audit/floor.jsonl"
run_huashu audit --summary --by agent,day --target 80/30 "$FLOOR"
if [ "$rc" = 0 ] && contains "$TMP/out" "  playbook         zh_CN (" &&
   contains "$TMP/out" "service level 80% within 30s; hold check-in every 25s" &&
   grep -q '^  1024 张三 · 2026-11-23 .*  100.0%' "$TMP/out" &&
   grep -q '^  3072 王五 · 2026-11-25 ' "$TMP/out" && [ "$(grep -c ' · 2026-11-2[345] ' "$TMP/out")" = 9 ] &&
   contains "$TMP/out" "5 x 不知道  e.g. " && contains "$TMP/out" "Service level by day (answered within 30s, target 80%)" &&
   grep -q '^   1\. .*floor.jsonl:[0-9]* c[0-9]* agent 3072 王五: 6 breaches' "$TMP/out"; then
  ok "--by agent,day: a row per agent and day, phrases with context, SL by day, worst first"
else not_ok "--by agent,day (rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

run_huashu audit --format json --agent 2048 --since 2026-11-24T00:00:00+08:00 --until 2026-11-25 -o "$TMP/r.json" "$FLOOR"
if [ "$rc" = 0 ] && [ ! -s "$TMP/out" ] && command -v python3 >/dev/null &&
   python3 - "$TMP/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
convs = r["conversations"]
assert len(convs) == 5, len(convs)
assert all(c["agent"] == "2048" and c["agent_name"] == "李四" for c in convs)
assert all(c["opened"].startswith("2026-11-24") for c in convs)
assert r["totals"]["conversations"] == 5 and r["totals"]["left_out"] == 40, r["totals"]
assert r["header"]["agent"] == "2048" and r["header"]["since"] == "2026-11-23T16:00:00.000Z"
PY
then ok "--agent, --since/--until (date: local midnight) and -o FILE"
else not_ok "--agent --since --until (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

run_huashu audit --by month "$FLOOR"
rc1=$rc
run_huashu audit --since yesterday "$FLOOR"
if [ "$rc1" = 2 ] && [ "$rc" = 2 ]; then ok "bad --by and --since: usage error"; else not_ok "bad --by/--since ($rc1 $rc)"; fi

# the progress line appears only on a terminal (and for large inputs, or with --progress)
run_huashu audit --summary --progress "$FLOOR" "$FLOOR"
if [ "$rc" = 0 ] && ! contains "$TMP/err" "files,"; then ok "no progress line when stderr is not a terminal"; else not_ok "progress line in a pipe"; diag "$(cat "$TMP/err")"; fi
if command -v script >/dev/null 2>&1; then
  # script(1) gives the command a terminal; its stdout goes to a file, its stderr stays on it
  script -qec "$HUASHU_RUN '$HUASHU' audit --summary --progress '$FLOOR' '$FLOOR' >'$TMP/tty.out'" /dev/null \
    >"$TMP/tty" 2>&1 </dev/null
  script -qec "$HUASHU_RUN '$HUASHU' audit --summary '$FLOOR' >/dev/null" /dev/null >"$TMP/tty-small" 2>&1 </dev/null
  if grep -q 'huashu audit: 2/2 files, .* MB/s, ETA' "$TMP/tty" && contains "$TMP/tty.out" "conversations    90" &&
     ! grep -q 'files,' "$TMP/tty-small"; then
    ok "progress line on a terminal (files, MB/s, ETA), not for a small input without --progress"
  else not_ok "progress line on a terminal"; diag "$(cat -v "$TMP/tty" "$TMP/tty-small" | head -20)"; fi
else skip "progress line on a terminal: no script(1)"; fi

# the session log's open records name the agent (the config's agent_no and agent_name)
printf '%s\n' '{"ts":"2026-11-23T10:00:00+08:00","conv":"s-1","type":"open"}' \
  '{"ts":"2026-11-23T10:00:01+08:00","conv":"s-1","type":"message","from":"customer","text":"在吗"}' \
  '{"ts":"2026-11-23T10:00:04+08:00","conv":"s-1","type":"message","from":"agent","text":"您好"}' \
  '{"ts":"2026-11-23T10:00:09+08:00","conv":"s-1","type":"close"}' >"$TMP/shift.jsonl"
printf 'agent: {agent_no: "1024", agent_name: 张三}\n' >"$TMP/agent.yaml"
huashu_run feed --config "$TMP/agent.yaml" - <"$TMP/shift.jsonl" >/dev/null 2>>"$TMP/stderr.all"
run_huashu audit --summary --by agent "$XDG_STATE_HOME"/huashu/sessions/*.jsonl
if [ "$rc" = 0 ] && grep -q '"agent":"1024","agent_name":"张三","ts":"2026-11-23T10:00:00+08:00","conv":"s-1","type":"open"' \
     "$XDG_STATE_HOME"/huashu/sessions/*.jsonl && grep -q '^  1024 张三 *1  100.0%' "$TMP/out"; then
  ok "session log: open records name the agent, audit --by agent reads them"
else not_ok "session log agent (rc=$rc)"; diag "$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl "$TMP/out")"; fi

CORPUS="$SHARED/corpus/taobao-ecd.jsonl"
if [ ! -r "$CORPUS" ]; then
  skip "corpus: $CORPUS is absent"
  skip "corpus JSON: $CORPUS is absent"
  check "no sanitizer or valgrind reports" no_sanitizer_reports
  done_testing
fi
run_huashu audit --summary "$CORPUS"
if [ "$rc" = 0 ] && contains "$TMP/out" "1838 lines, 1838 events, 0 bad lines" &&
   contains "$TMP/out" "177 (177 closed, 0 open at end)" && grep -q "forbidden *[1-9][0-9]* in" "$TMP/out"; then
  ok "corpus: 177 conversations, forbidden phrases found"
else not_ok "corpus (rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
run_huashu audit --format json "$CORPUS"
if [ "$rc" = 0 ] && [ "$(grep -o '"conv":"ecd-[0-9]*"' "$TMP/out" | sort -u | wc -l)" = 177 ]; then
  ok "corpus JSON: a record per conversation"
else not_ok "corpus JSON (rc=$rc)"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
