#!/bin/sh
# huashu replay: hand-written transcripts with known outcomes, bad lines, the real corpus.
. "$(dirname "$0")/lib.sh"
plan 30
MINI="$TESTDATA/playbooks/mini.yaml"

run_huashu replay --playbook "$MINI" "$TESTDATA/replay/hold.jsonl"
[ "$rc" -eq 0 ] && ok "replay exits 0 despite bad lines" || not_ok "replay exit status $rc"
if contains "$TMP/err" "hold.jsonl:7: skipped: invalid JSON at column" &&
  contains "$TMP/err" "hold.jsonl:10: skipped: unknown state \"nowhere\"" &&
  contains "$TMP/err" "2 bad lines skipped"; then ok "bad lines named by line number"; else not_ok "bad line warnings"; diag "$(cat "$TMP/err")"; fi

line() { sed -n "${1}p" "$TMP/out"; }
# 1 open, 2 customer msg, 3 urgent at 10:00:35, 4 agent reply, 5 hold, 6 check-in, 7 the agent
# sends it, 8 the next check-in 25 s later, 9 back, ...
if line 3 | grep -q '"ts":"2026-11-23T10:00:35.000+08:00".*"changes":\["urgent"\].*"urgent":true,"waited":30'; then
  ok "urgent exactly 30 s after the customer's message"; else not_ok "urgent at 30 s"; diag "$(line 3)"; fi
if line 3 | grep -q '"suggestions":\[{"id":"greeting.late","reason":"late"'; then
  ok "late apology ranked first once urgent"; else not_ok "late apology"; diag "$(line 3)"; fi
if line 6 | grep -q '"ts":"2026-11-23T10:01:25.000+08:00","conv":"c-1","changes":\["ladder"\],"state":"hold".*"suggestions":\[{"id":"hold.checkin"' &&
  line 8 | grep -q '"ts":"2026-11-23T10:01:55.000+08:00","conv":"c-1","changes":\["ladder"\].*"hold.checkin"'; then
  ok "hold check-in at 25 s, the next 25 s after the agent sent it"; else not_ok "hold check-ins"; diag "$(line 6)" "$(line 8)"; fi
if line 9 | grep -q '"state":"inquiry".*"surname":"王","suggestions":\[{"id":"hold.return","reason":"transition".*"王女士,我复述一下'; then
  ok "return line first, surname used once known"; else not_ok "return from hold"; diag "$(line 9)"; fi
if line 10 | grep -q '"changes":\["state","message"\],"state":"complaint"'; then ok "complaint cue moves to complaint"; else not_ok "complaint cue"; diag "$(line 10)"; fi
if line 11 | grep -q '"promised_by":"2026-11-23T12:03:10.000+08:00","overdue":false'; then ok "promise sets a 2 h deadline"; else not_ok "promise deadline"; diag "$(line 11)"; fi
if [ "$(wc -l <"$TMP/out")" -eq 12 ] && line 12 | grep -q '"closed":true'; then ok "close ends the output"; else not_ok "close"; diag "$(cat "$TMP/out")"; fi

run_huashu replay --playbook "$MINI" --until 2026-11-23T20:02:00+08:00 "$TESTDATA/replay/two.jsonl"
if grep -q '"ts":"2026-11-23T20:00:08.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent".*"suggestions":\[{"id":"silent.greet","reason":"ladder"' "$TMP/out" &&
  grep -q '"ts":"2026-11-23T20:00:14.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent".*"suggestions":\[{"id":"silent.nosound","reason":"ladder"' "$TMP/out" &&
  grep -q '"ts":"2026-11-23T20:00:20.000+08:00","conv":"a","changes":\["ladder"\],"state":"silent",.*"ladder_end":true' "$TMP/out"; then
  ok "silent-call ladder steps fire between records, each 5 s after the agent sent the one before"; else not_ok "silent ladder"; diag "$(cat "$TMP/out")"; fi
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

# what the agent sees first (bundled zh_CN playbook, no config)
run_huashu replay "$TESTDATA/replay/first-line.jsonl"
row() { grep "\"ts\":\"2026-11-23T$1.000+08:00\",\"conv\":\"$2\"" "$TMP/out" | head -1; }
if row 10:00:05 g1 | grep -q '"state":"greeting".*"suggestions":\[{"id":"greeting.chat","reason":"greeting","text":"您好,上午好!' &&
  row 10:00:08 g1 | grep -q '"state":"shipping".*"suggestions":\[{"id":"greeting.chat".*},{"id":"shipping.track"'; then
  ok "until the agent greeted, the greeting is first and the answer to the question second"; else not_ok "greeting first"; diag "$(row 10:00:05 g1)" "$(row 10:00:08 g1)"; fi
if row 10:00:35 g1 | grep -q '"suggestions":\[{"id":"greeting.chat_late","reason":"late","text":"您好,上午好!.*线路忙,让您久等了' &&
  row 10:00:50 g1 | grep -q '"suggestions":\[{"id":"shipping.track"' && ! row 10:00:50 g1 | grep -q greeted; then
  ok "a late first reply greets with the apology; after the agent's reply no greeting"; else not_ok "late greeting"; diag "$(row 10:00:35 g1)" "$(row 10:00:50 g1)"; fi
if row 10:01:20 g1 | grep -q '"state":"shipping","prev":"greeting","urgent":false.*"suggestions":\[{"id":"greeting.late","reason":"late"' &&
  row 10:03:00 c2 | grep -q '"state":"complaint".*"urgent":true.*"suggestions":\[{"id":"greeting.late","reason":"late"'; then
  ok "the late apology first in any state, and on 人呢?"; else not_ok "late apology in any state"; diag "$(row 10:01:20 g1)" "$(row 10:03:00 c2)"; fi
if row 10:03:10 c3 | grep -q '"suggestions":\[{"id":"complaint.simple".*},{"id":"complaint.complex"' &&
  row 10:03:05 c3 | grep -q '"suggestions":\[{"id":"greeting.chat".*},{"id":"complaint.angry".*},{"id":"complaint.simple"'; then
  ok "complaint: the 2 h / 24 h promises in the top three after the apology"; else not_ok "complaint promises"; diag "$(row 10:03:05 c3)" "$(row 10:03:10 c3)"; fi
if row 10:02:05 c2 | grep -q '"changes":\["state","customer","message"\].*"surname":"林"' &&
  row 10:02:15 c2 | grep -q '"id":"complaint.simple","reason":"state","text":"很抱歉,林小姐,多谢您反映的意见'; then
  ok "a name the customer writes (我是林小姐) is used in the promise"; else not_ok "surname from the message"; diag "$(row 10:02:05 c2)" "$(row 10:02:15 c2)"; fi
if row 10:03:10 c3 | grep -q '"text":"很抱歉,多谢您反映的意见' && ! grep -q '先生/女士' "$TMP/out"; then
  ok "no surname: the neutral form, never 先生/女士"; else not_ok "先生/女士 sent"; diag "$(grep '先生/女士' "$TMP/out" | head -2)"; fi
if row 10:03:25 c3 | grep -q '"changes":\["ladder"\].*"suggestions":\[{"id":"closing.still_there"' &&
  ! grep '"conv":"c3"' "$TMP/out" | grep -q '"ts":"2026-11-23T10:03:\(2[6-9]\|3[0-2]\)[^"]*","conv":"c3","changes":\["ladder"' &&
  row 10:03:33 c3 | grep -q '"changes":\["ladder"\].*"ladder_end":true'; then
  ok "the closing goodbye comes 5 s after the agent asked 还有什么可以帮您 (in own words), never before"; else not_ok "closing ladder paced by the agent"; diag "$(grep '"conv":"c3"' "$TMP/out" | cut -c1-160)"; fi
if ! grep '"conv":"u4"' "$TMP/out" | grep -q '"changes":\["ladder"' &&
  row 10:04:10 u4 | grep -qv '"state":"unclear"'; then
  ok "can't hear: answered, the customer speaks normally, the ladder stops"; else not_ok "unclear ladder went on"; diag "$(grep '"conv":"u4"' "$TMP/out" | cut -c1-160)"; fi
if grep -q '"conv":"c3","changes":\["ladder"\],"state":"closing",.*"ladder_end":true,"suggestions":\[{"id":"closing.bye_chat","reason":"ladder","text":"感谢您的咨询' "$TMP/out" &&
  ! grep -q '"conv":"c3".*感谢您的来电' "$TMP/out"; then
  ok "chat wording in a chat: no 感谢您的来电"; else not_ok "phone wording in a chat"; diag "$(grep '"conv":"c3"' "$TMP/out" | tail -2)"; fi
zones=$(grep '"conv":"z5"' "$TMP/out" | grep -o '"promised_by":"[^"]*"' | sort -u)
if [ "$zones" = '"promised_by":"2026-11-24T00:40:24.000+08:00"' ]; then
  ok "the promised-by time in one zone (the run's first record's) for the whole run"; else not_ok "promised-by zones"; diag "$zones"; fi
run_huashu replay --top 9 "$TESTDATA/replay/first-line.jsonl"
if ! grep -q '本公司\|001号' "$TMP/out" && grep -q '"missing":\["company","agent_no"\]' "$TMP/out"; then
  ok "no config: never 本公司 or 001号, the values are asked for in place"; else not_ok "made-up company or agent number"; diag "$(grep -o '.\{20\}\(本公司\|001号\).\{10\}' "$TMP/out" | head -3)"; fi
if row 11:00:09 l6 | grep -q '"changes":\["values"\].*"suggestions":\[{"id":"shipping.status","reason":"state","text":"您的订单目前处于处理中状态' &&
  ! row 11:00:09 l6 | grep -q 'shipping.sent' && row 11:00:05 l6 | grep -q 'shipping.sent'; then
  ok "lookup results decide: no 已经发货 line for an order 处理中, its status line first"; else not_ok "lookup contradicts"; diag "$(row 11:00:09 l6 | cut -c1-400)"; fi
if row 11:01:09 l7 | grep -q '"changes":\["values"\].*"suggestions":\[{"id":"stock.qty","reason":"state","text":"您好,这件宝贝(BT-500)有现货,目前库存12件' &&
  ! row 11:01:09 l7 | grep -q '"state":"stock"'; then
  ok "a stock lookup made in another state surfaces its answer line"; else not_ok "lookup answer line"; diag "$(row 11:01:09 l7 | cut -c1-400)"; fi

corpus="${SHARED:-}/corpus/taobao-ecd.jsonl"
if [ -f "$corpus" ]; then
  run_huashu replay "$corpus"
  convs=$(grep -c '"changes":\["open"' "$TMP/out")
  if [ "$rc" -eq 0 ] && [ "$convs" -eq 177 ] && [ ! -s "$TMP/err" ]; then ok "corpus replays: 177 conversations, no bad lines"; else not_ok "corpus replay rc=$rc convs=$convs"; diag "$(head -5 "$TMP/err")"; fi
  # every chat: until the agent greeted, the greeting is first
  before=$(grep -c '"greeted":false' "$TMP/out")
  greeting=$(grep '"greeted":false' "$TMP/out" | grep -c '"suggestions":\[{"id":"greeting\.')
  chats=$(grep '"greeted":false' "$TMP/out" | sed 's/.*"conv":"\([^"]*\)".*/\1/' | sort -u | wc -l)
  if [ "$before" -gt 0 ] && [ "$greeting" -eq "$before" ] && [ "$chats" -eq 177 ]; then
    ok "corpus: the greeting first in all 177 chats until the agent greeted ($before rows)"; else not_ok "corpus greeting first: $greeting of $before rows, $chats chats"; fi
else
  skip "corpus replay: $corpus not found"
  skip "corpus greeting first: $corpus not found"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
