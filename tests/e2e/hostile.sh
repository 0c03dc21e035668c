#!/bin/sh
# Hostile input reaching other people's terminals and spreadsheets: escape sequences, C1, bidi
# and tag characters in conversation ids, names and messages come out of audit and replay
# escaped (text, CSV, JSON and stderr diagnostics); CSV fields never start a formula.
. "$(dirname "$0")/lib.sh"
plan 8

MINI="$TESTDATA/playbooks/mini.yaml"
EVIL="$TESTDATA/hostile/escapes.jsonl"
ESC=$(printf '\033')
C1=$(printf '\302\233')  # U+009B, an 8-bit CSI
RLO=$(printf '\342\200\256') # U+202E

# raw FILE: the file holds an ESC, a C1 control or a bidi override.
raw() { grep -q -e "$ESC" -e "$C1" -e "$RLO" "$1"; }

run_huashu audit --playbook "$MINI" "$EVIL"
if [ "$rc" = 0 ] && ! raw "$TMP/out" && contains "$TMP/out" 'b\x1b[2J\u{202E} (' &&
   contains "$TMP/out" '\x1b]2;PWNED\x07\u{202E}\u{0085}'; then
  ok "audit text: controls and bidi in ids and messages escaped"
else not_ok "audit text (rc=$rc)"; diag "$(cat -v "$TMP/out")"; fi

if ! raw "$TMP/err" && contains "$TMP/err" 'unknown type: \x1b]2;PWNED\x07' &&
   contains "$TMP/err" 'unknown state "\x1b]2;X\x07"'; then
  ok "stderr diagnostics escape what the input said"
else not_ok "stderr diagnostics"; diag "$(cat -v "$TMP/err")"; fi

run_huashu audit --playbook "$MINI" --format csv "$EVIL"
if [ "$rc" = 0 ] && ! raw "$TMP/out" && grep -q "^\"'=HYPERLINK(\"\"http://evil\"\")\"," "$TMP/out" &&
   ! grep -q '^=' "$TMP/out"; then
  ok "audit CSV: a field starting with = is quoted with a leading '"
else not_ok "audit CSV (rc=$rc)"; diag "$(cat -v "$TMP/out")"; fi

run_huashu audit --playbook "$MINI" --format json "$EVIL"
if [ "$rc" = 0 ] && ! raw "$TMP/out" && contains "$TMP/out" '"conv":"b\u001b[2J\u202e"' &&
   contains "$TMP/out" '\u0007\u202e\u0085"'; then
  ok "audit JSON: C1 and bidi characters as \\u escapes"
else not_ok "audit JSON (rc=$rc)"; diag "$(cat -v "$TMP/out" | head -c 2000)"; fi

run_huashu replay --playbook "$MINI" "$EVIL"
if [ "$rc" = 0 ] && ! raw "$TMP/out" && ! raw "$TMP/err" && contains "$TMP/out" '"conv":"b\u001b[2J\u202e"'; then
  ok "replay JSON and its diagnostics escaped"
else not_ok "replay (rc=$rc)"; diag "$(cat -v "$TMP/out" "$TMP/err" | head -c 2000)"; fi

printf '{"ts":"2026-11-23T10:00:00Z","conv":"t","type":"message","from":"customer","text":"x\\udb40\\udc01y"}\n' >"$TMP/tag.jsonl"
run_huashu replay --playbook "$MINI" "$TMP/tag.jsonl"
if [ "$rc" = 0 ] && ! grep -q "$(printf '\363\240\200\201')" "$TMP/out"; then
  ok "replay: tag characters never come out raw"
else not_ok "replay tag characters (rc=$rc)"; diag "$(cat -v "$TMP/out" "$TMP/err")"; fi

run_huashu --time-scale nan </dev/null
if [ "$rc" = 2 ] && contains "$TMP/err" "--time-scale wants a number from 0 to 1000"; then
  ok "--time-scale nan is refused"
else not_ok "--time-scale nan (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
