#!/bin/sh
# huashu lint: text and JSON output, exit status, stdin lines, --events, and precision on the
# real agent lines of ../shared/corpus against hand labels (tests/data/lint/corpus-labels.tsv).
. "$(dirname "$0")/lib.sh"
plan 19

MINI="$TESTDATA/playbooks/mini.yaml"

run_huashu lint --playbook "$MINI" "您好,这款迷你的很好用"
if [ "$rc" = 0 ] && [ ! -s "$TMP/out" ]; then ok "clean text exits 0, prints nothing"; else not_ok "clean text exits 0 (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

run_huashu lint --playbook "$MINI" "我不知道你要哪个"
if [ "$rc" = 1 ] && contains "$TMP/out" "1:2: forbidden: 不知道 -> 我帮您确认一下" &&
   contains "$TMP/out" "1:5: forbidden: 你 -> 您"; then
  ok "hits print column in characters, phrase and better wording; exit 1"
else not_ok "hits (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

run_huashu lint --playbook "$MINI" --bogus
if [ "$rc" = 2 ] && contains "$TMP/err" "usage:"; then ok "unknown option: usage, exit 2"; else not_ok "unknown option (rc=$rc)"; fi

run_huashu lint --playbook "$TMP/nope.yaml" "x"
if [ "$rc" = 2 ]; then ok "missing playbook: exit 2"; else not_ok "missing playbook (rc=$rc)"; fi

run_huashu lint --format xml "x"
if [ "$rc" = 2 ]; then ok "unknown format: exit 2"; else not_ok "unknown format (rc=$rc)"; fi

printf '第一行没问题\n\n你好\n' >"$TMP/in"
rc=0; huashu_run lint --playbook "$MINI" <"$TMP/in" >"$TMP/out" 2>"$TMP/err" || rc=$?
if [ "$rc" = 1 ] && [ "$(cat "$TMP/out")" = "3:1: forbidden: 你 -> 您" ]; then
  ok "stdin: each line checked, hits named line:column"
else not_ok "stdin lines (rc=$rc)"; diag "$(cat "$TMP/out")"; fi

# every case line of the fixture: expected column:match pairs from the JSON output
fails=0
grep -v '^#' "$TESTDATA/lint/cases.txt" | while IFS='	' read -r text want; do
  got=$(huashu_run lint --format json -- "$text" |
        sed -n 's/.*"column":\([0-9]*\),.*"match":"\([^"]*\)".*/\1:\2/p' | tr '\n' ' ' | sed 's/ $//')
  [ -n "$got" ] || got=-
  if [ "$got" != "$want" ]; then echo "$text: want [$want] got [$got]"; fi
done >"$TMP/cases"
if [ ! -s "$TMP/cases" ]; then ok "bundled playbook: every case of tests/data/lint/cases.txt"; else not_ok "cases"; diag "$(cat "$TMP/cases")"; fi

cat >"$TMP/events.jsonl" <<'JSONL'
{"ts":"2026-11-23T10:00:00+08:00","conv":"c1","type":"message","from":"customer","text":"你们怎么回事,我不知道"}
{"ts":"2026-11-23T10:00:05+08:00","conv":"c1","type":"message","from":"agent","text":"您好,我帮你看看"}
not json
JSONL
run_huashu lint --playbook "$MINI" --events "$TMP/events.jsonl"
if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/out")" = 1 ] && contains "$TMP/out" "events.jsonl:2:6: forbidden: 你 -> 您" &&
   contains "$TMP/err" "events.jsonl:3: skipped"; then
  ok "--events: only the agent's text is linted; bad lines named file:line and skipped"
else not_ok "--events (rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

run_huashu lint --playbook "$MINI" --format json "{surname}你好"
if [ "$rc" = 1 ] && contains "$TMP/out" '"kind":"placeholder","match":"{surname}"' &&
   contains "$TMP/out" '"column":10,"offset":9,"length":3,"kind":"forbidden","match":"你","phrase":"你","better":"您"'; then
  ok "JSON: one record per hit with offsets, placeholders flagged"
else not_ok "JSON output"; diag "$(cat "$TMP/out")"; fi

# ---- the parsed playbook kept between runs in $XDG_CACHE_HOME/huashu/playbooks ------------
rm -rf "$XDG_CACHE_HOME"
cp "$MINI" "$TMP/own.yaml"
run_huashu lint --playbook "$TMP/own.yaml" "我不知道"
images=$(find "$XDG_CACHE_HOME/huashu/playbooks" -name '*.yc' 2>/dev/null | wc -l)
run_huashu lint --playbook "$TMP/own.yaml" "我不知道"
if [ "$images" = 1 ] && [ "$rc" = 1 ] && contains "$TMP/out" "1:2: forbidden: 不知道"; then
  ok "the playbook's parsed YAML is kept in the XDG cache, and read from it"
else not_ok "cache image (images=$images rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
sed 's/不知道/不清楚/' "$MINI" >"$TMP/own.yaml"
run_huashu lint --playbook "$TMP/own.yaml" "我不知道,不清楚"
if [ "$rc" = 1 ] && [ "$(cat "$TMP/out")" = "1:6: forbidden: 不清楚 -> 我帮您确认一下" ]; then
  ok "a changed playbook is read anew, never from the image of its old text"
else not_ok "changed playbook (rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi
for f in "$XDG_CACHE_HOME"/huashu/playbooks/*.yc; do head -c 100 "$MINI" >"$f"; done
run_huashu lint --playbook "$TMP/own.yaml" "我不知道,不清楚"
cp "$TMP/out" "$TMP/out.damaged"
rc_damaged=$rc
cache=$XDG_CACHE_HOME
export XDG_CACHE_HOME=/dev/null/cache
run_huashu lint --playbook "$TMP/own.yaml" "我不知道,不清楚"
export XDG_CACHE_HOME="$cache"
if [ "$rc_damaged" = 1 ] && [ "$rc" = 1 ] && cmp -s "$TMP/out" "$TMP/out.damaged" &&
   [ ! -s "$TMP/err" ]; then
  ok "a damaged image, or a cache that cannot be written, changes nothing"
else not_ok "damaged image (rc=$rc_damaged, $rc)"; diag "$(cat "$TMP/out.damaged" "$TMP/out" "$TMP/err")"; fi

# lint reads agent text only: it never trains the customer-message detector, the bulk of a
# playbook's start-up (OpenCC's dictionaries and the classifier); replay does (the control).
# strace runs the binary itself: which files it opens is the point, not memory errors.
# (LeakSanitizer cannot run under ptrace: an ASan build's leak check is off for these two runs.)
opened() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -e trace=openat -o "$TMP/trace" "$HUASHU" "$@" >/dev/null 2>&1
  grep -c 'opencc/' "$TMP/trace"
}
printf '%s\n' '{"ts":"2026-11-23T10:00:00Z","conv":"c","type":"message","from":"customer","text":"在吗"}' >"$TMP/one.jsonl"
if command -v strace >/dev/null; then
  if [ "$(opened replay "$TMP/one.jsonl")" -gt 0 ]; then ok "replay trains the detector (reads OpenCC's dictionaries)"; else not_ok "replay opened no OpenCC dictionary"; fi
  if [ "$(opened lint "x")" = 0 ]; then ok "lint does not train the detector"; else not_ok "lint trained the detector"; diag "$(grep opencc/ "$TMP/trace")"; fi
else
  skip "strace not installed"
  skip "strace not installed"
fi

# ---- the real corpus ----------------------------------------------------------------------
CORPUS="$SHARED/corpus/taobao-ecd.jsonl"
LABELS="$TESTDATA/lint/corpus-labels.tsv"
if [ ! -r "$CORPUS" ]; then
  for t in "corpus: real hits" "corpus: precision" "corpus: labelled hits still found" "corpus: customer text never linted"; do
    skip "$t: $CORPUS is absent"
  done
  check "no sanitizer or valgrind reports" no_sanitizer_reports
  done_testing
fi

huashu_run lint --events --format json "$CORPUS" >"$TMP/corpus.json" 2>"$TMP/err"
sed -n 's/.*"line":\([0-9]*\),"conv":"[^"]*","column":\([0-9]*\),.*"phrase":"\([^"]*\)".*/\1	\2	\3/p' \
  "$TMP/corpus.json" >"$TMP/hits.tsv"
hits=$(wc -l <"$TMP/hits.tsv")
if [ "$hits" -ge 10 ]; then ok "corpus: $hits real hits in the agents' lines"; else not_ok "corpus: only $hits hits"; fi

# precision over the labelled hits the lint still reports; unlabelled ones are listed
grep -v '^#' "$LABELS" | cut -f1-4 >"$TMP/labels.tsv"
awk -F'\t' 'NR == FNR { label[$1 "\t" $2 "\t" $3] = $4; next }
  { k = $1 "\t" $2 "\t" $3; if (k in label) { n++; if (label[k] == "tp") tp++ } else new++ ; seen[k] = 1 }
  END { for (k in label) { total++; if (!(k in seen) && label[k] == "tp") lost++ }
        printf "%d %d %d %d %d\n", n, tp + 0, new + 0, total, lost + 0 }' \
  "$TMP/labels.tsv" "$TMP/hits.tsv" >"$TMP/score"
read -r labelled tp new total lost <"$TMP/score"
# Threshold 0.85: the labelled sample scores 15/16 = 0.94; 0.85 allows one more false
# positive among these hits (14/16 = 0.875) but fails on a systematic regression (partial
# characters, a broken allowlist, customer text linted), each of which adds several.
if [ "$labelled" -gt 0 ] && [ $((tp * 100)) -ge $((labelled * 85)) ]; then
  ok "corpus: precision $tp/$labelled on the hand-labelled hits (>= 0.85)"
else not_ok "corpus: precision $tp/$labelled below 0.85"; fi
[ "$new" = 0 ] || diag "$new hits are not labelled yet: add them to tests/data/lint/corpus-labels.tsv"
if [ $((lost * 10)) -le "$total" ]; then ok "corpus: $((total - lost))/$total labelled hits still found"; else not_ok "corpus: $lost labelled true hits lost"; fi
if grep -q '"conv":"[^"]*"' "$TMP/corpus.json" && ! grep -q '"from":"customer"' "$TMP/corpus.json"; then
  # every reported line number must be an agent line of the corpus
  bad=$(cut -f1 "$TMP/hits.tsv" | sort -u | while read -r n; do sed -n "${n}p" "$CORPUS" | grep -q '"from": *"agent"' || echo "$n"; done)
  if [ -z "$bad" ]; then ok "corpus: customer text never linted"; else not_ok "corpus: customer lines linted: $bad"; fi
else not_ok "corpus: unexpected JSON"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
