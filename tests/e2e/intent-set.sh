#!/bin/sh
# The labelled development set for state detection (tests/data/intent): well-formed events,
# every label a known state, no text on both sides of the split or in ../shared/eval, and
# every state with enough messages. The validator itself is checked on a broken copy.
. "$(dirname "$0")/lib.sh"
plan 2

CHECK="python3 ${top_srcdir:-$(dirname "$0")/../..}/tests/tools/check_intent_set.py"
SET="$TESTDATA/intent"

check "tune and holdout are valid, disjoint, >= 15 messages per state" \
  $CHECK --shared-eval "${SHARED:-/nonexistent}/eval" --min-per-state 15 "$SET/tune" "$SET/holdout"

# a broken copy: an unknown label, a holdout text in tune, a bad JSONL line
sed '2s/\t[a-z_]*\t/\tnot_a_state\t/' "$SET/tune.tsv" >"$TMP/bad.tsv"
sed -n 2p "$SET/holdout.tsv" >>"$TMP/bad.tsv"
cat "$SET/tune.jsonl" "$SET/holdout.jsonl" >"$TMP/bad.jsonl"
echo '{"conv":' >>"$TMP/bad.jsonl"
rc=0; $CHECK "$TMP/bad" "$SET/holdout" >"$TMP/out" 2>"$TMP/err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'bad.tsv:2: unknown label "not_a_state"' "$TMP/err" &&
   grep -q 'also in' "$TMP/err" && grep -q 'bad.jsonl:[0-9]*: not JSON' "$TMP/err"; then
  ok "the validator reports a bad label, a text on both sides and a bad line"
else not_ok "validator on a broken copy (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

done_testing
