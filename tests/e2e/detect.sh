#!/bin/sh
# State detection through huashu replay (bundled zh_CN): each rule of huashu-playbook(5)
# DETECTION on a conversation of tests/data/detect/rules.jsonl; the floor reached on the
# labelled sets (tests/data/intent, ../shared/eval) through huashu eval --min-f1.
. "$(dirname "$0")/lib.sh"
plan 20

run_huashu replay "$TESTDATA/detect/rules.jsonl"
[ "$rc" -eq 0 ] || { not_ok "replay exit $rc"; diag "$(cat "$TMP/err")"; }
# state after the customer message at TIME in CONV: "state prev"
after() { grep "\"ts\":\"2026-11-23T$1.000+08:00\",\"conv\":\"$2\"" "$TMP/out" | grep '"message"' | head -1; }
expect() { # NAME TIME CONV PATTERN
  if after "$2" "$3" | grep -q "$4"; then ok "$1"; else not_ok "$1"; diag "$(after "$2" "$3")"; fi
}
expect "a hail keeps greeting" 10:00:05 hail '"changes":\["message"\],"state":"greeting"'
expect "Traditional script matches the Simplified playbook (有貨嗎 -> stock)" 10:00:09 hail '"state":"stock","prev":"greeting"'
expect "an order card alone is noise: nothing changes" 10:01:05 card '"changes":\["message"\],"state":"greeting"'
expect "an order card before a question: the question decides (单号 in 订单号 does not)" 10:01:09 card '"state":"shipping"'
expect "好 answering the agent's transfer offer (no line id) is consent" 10:02:30 offer '"state":"transfer_confirm"'
expect "不好意思…可以转 is consent, not the refusal 不好" 10:03:20 concede '"state":"transfer_confirm","prev":"transfer"'
expect "transfer lets a new topic through" 10:04:20 through '"state":"shipping","prev":"transfer"'
expect "没啦 answering the closing question is closing" 10:05:30 close '"state":"closing","prev":"price"'
expect "a complaint beats its topic word (快递 in anger)" 10:06:05 angry '"state":"complaint"'
expect "negation: 不是投诉…几号能发货 is a shipping question" 10:07:05 neg '"state":"shipping"'
expect "leaving unclear returns to where it was" 10:08:25 loud '"state":"shipping","urgent"'
expect "personal call (找一下你们那边的小刘)" 10:09:05 who '"state":"personal_call"'
expect "out of scope (交电费)" 10:10:05 oos '"state":"out_of_scope"'
expect "wrong number (是人民医院吗)" 10:11:05 wrong '"state":"wrong_number"'
expect "the question beats the background (付好了,有赠品吗 -> price)" 10:14:05 bg '"state":"price"'
expect "thanks with a new question is no closing (谢谢,还有个问题,这个有黑色吗 -> stock)" 10:15:05 bg2 '"state":"stock"'
expect "unsure: the state stays and the runner-ups are named" 10:13:05 unsure '"state":"greeting".*"unsure":\["[a-z_]*"'

# the floor reached: detection can only get better (exit 1 below it)
SET="$TESTDATA/intent"
run_huashu eval --playbook zh_CN --min-f1 0.92 "$SET/tune.tsv" "$SET/tune.jsonl"
t=$rc
run_huashu eval --playbook zh_CN --min-f1 0.78 "$SET/holdout.tsv" "$SET/holdout.jsonl"
h=$rc
if [ "$t" -eq 0 ] && [ "$h" -eq 0 ]; then ok "tune and holdout sets at or above their macro-F1 floor"
else not_ok "macro-F1 floor: tune exit $t, holdout exit $h"; diag "$(cat "$TMP/err")"; fi
shared="${SHARED:-}/eval"
if [ -f "$shared/ecd-intent.tsv" ]; then
  run_huashu eval --playbook zh_CN --min-f1 0.90 "$shared/ecd-intent.tsv" "$shared/ecd-intent.jsonl"
  if [ "$rc" -eq 0 ] && tail -3 "$TMP/out" | head -1 | grep -q '^accuracy 0\.9'; then
    ok "../shared/eval: accuracy >= 0.90, macro-F1 above its floor"; else not_ok "shared eval floor ($rc)"; diag "$(tail -3 "$TMP/out")"; fi
else
  skip "shared eval floor: $shared not found"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
