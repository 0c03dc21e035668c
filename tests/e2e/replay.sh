#!/bin/sh
# huashu replay: hand-written transcripts with known outcomes, bad lines, the real corpus.
. "$(dirname "$0")/lib.sh"
plan 16
MINI="$TESTDATA/playbooks/mini.yaml"

run_huashu replay --playbook "$MINI" "$TESTDATA/replay/hold.jsonl"
[ "$rc" -eq 0 ] && ok "replay exits 0 despite bad lines" || not_ok "replay exit status $rc"
if contains "$TMP/err" "hold.jsonl:6: skipped: invalid JSON at column" &&
  contains "$TMP/err" "hold.jsonl:9: skipped: unknown state \"nowhere\"" &&
  contains "$TMP/err" "2 bad lines skipped"; then ok "bad lines named by line number"; else not_ok "bad line warnings"; diag "$(cat "$TMP/err")"; fi

line() { sed -n "${1}p" "$TMP/out"; }
# 1 open, 2 customer msg, 3 urgent at 10:00:35, 4 agent reply, 5 hold, 6-7 check-ins, 8 back, ...
if line 3 | grep -q '"ts":"2026-11-23T10:00:35.000+08:00".*"changes":\["urgent"\].*"urgent":true,"waited":30'; then
  ok "urgent exactly 30 s after the customer's message"; else not_ok "urgent at 30 s"; diag "$(line 3)"; fi
if line 3 | grep -q '"suggestions":\[{"id":"greeting.late","reason":"late"'; then
  ok "late apology ranked first once urgent"; else not_ok "late apology"; diag "$(line 3)"; fi
if line 6 | grep -q '"ts":"2026-11-23T10:01:25.000+08:00","conv":"c-1","changes":\["ladder"\],"state":"hold".*"suggestions":\[{"id":"hold.checkin"' &&
  line 7 | grep -q '"ts":"2026-11-23T10:01:50.000+08:00".*"hold.checkin"'; then
  ok "hold check-in at 25 s and again at 50 s"; else not_ok "hold check-ins"; diag "$(line 6)" "$(line 7)"; fi
if line 8 | grep -q '"state":"inquiry".*"surname":"王","suggestions":\[{"id":"hold.return","reason":"transition".*"王女士,我复述一下'; then
  ok "return line first, surname used once known"; else not_ok "return from hold"; diag "$(line 8)"; fi
if line 9 | grep -q '"changes":\["state","message"\],"state":"complaint"'; then ok "complaint cue moves to complaint"; else not_ok "complaint cue"; diag "$(line 9)"; fi
if line 10 | grep -q '"promised_by":"2026-11-23T12:03:10.000+08:00","overdue":false'; then ok "promise sets a 2 h deadline"; else not_ok "promise deadline"; diag "$(line 10)"; fi
if [ "$(wc -l <"$TMP/out")" -eq 11 ] && line 11 | grep -q '"closed":true'; then ok "close ends the output"; else not_ok "close"; diag "$(cat "$TMP/out")"; fi

run_huashu replay --playbook "$MINI" --until 2026-11-23T20:02:00+08:00 "$TESTDATA/replay/two.jsonl"
if grep -q '"ts":"2026-11-23T20:00:08.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent".*"suggestions":\[{"id":"silent.greet","reason":"ladder"' "$TMP/out" &&
  grep -q '"ts":"2026-11-23T20:00:13.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent".*"suggestions":\[{"id":"silent.nosound","reason":"ladder"' "$TMP/out" &&
  grep -q '"ts":"2026-11-23T20:00:18.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent",.*"ladder_end":true' "$TMP/out"; then
  ok "silent-call ladder steps fire between records"; else not_ok "silent ladder"; diag "$(cat "$TMP/out")"; fi
if grep -q '"ts":"2026-11-23T20:01:03.000+08:00","conv":"a","changes":\["state"\],"state":"closing"' "$TMP/out" &&
  grep -q '"ts":"2026-11-23T20:00:32.000+08:00","conv":"b","changes":\["urgent"\]' "$TMP/out"; then
  ok "timers of two conversations interleave in time order"; else not_ok "interleaved timers"; diag "$(cat "$TMP/out")"; fi

printf '%s\n' '{"ts":"2026-11-23T10:00:00Z","conv":"x","type":"open"}' | huashu_run replay --playbook "$MINI" - >"$TMP/out" 2>&1
if grep -q '"conv":"x","changes":\["open","state"\],"state":"greeting"' "$TMP/out"; then ok "replay reads standard input"; else not_ok "stdin"; diag "$(cat "$TMP/out")"; fi

mkdir -p "$XDG_CONFIG_HOME/huashu"
printf 'playbook: en\nagent: {company: Acme Ltd}\n' >"$XDG_CONFIG_HOME/huashu/config.yaml"
printf '%s\n' '{"ts":"2026-11-23T10:00:00Z","conv":"x","type":"open","channel":"phone"}' | huashu_run replay - >"$TMP/out" 2>&1
rm "$XDG_CONFIG_HOME/huashu/config.yaml"
if grep -q '"id":"greeting.hotline".*"text":"[A-Za-z]' "$TMP/out"; then ok "the config's playbook: option chooses the playbook"; else not_ok "config playbook"; diag "$(cat "$TMP/out")"; fi
if grep -q 'Acme Ltd' "$TMP/out"; then ok "the config's agent: values fill placeholders"; else not_ok "config agent values"; diag "$(cat "$TMP/out")"; fi

corpus="${SHARED:-}/corpus/taobao-ecd.jsonl"
if [ -f "$corpus" ]; then
  run_huashu replay "$corpus"
  convs=$(grep -c '"changes":\["open"' "$TMP/out")
  if [ "$rc" -eq 0 ] && [ "$convs" -eq 177 ] && [ ! -s "$TMP/err" ]; then ok "corpus replays: 177 conversations, no bad lines"; else not_ok "corpus replay rc=$rc convs=$convs"; diag "$(head -5 "$TMP/err")"; fi
else
  skip "corpus replay: $corpus not found"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
