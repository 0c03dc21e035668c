#!/bin/sh
# A long paste in the compose line (on a pty, see tests/tools/pty_paste.py): pasted text holding
# a paste end marker and a line break stays text, nothing is lost, the next key shows at once,
# and SIGTERM ends the console within a second whatever the compose line holds.
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
  echo "1..0 # SKIP python3 not found"
  exit 0
fi
plan 5

PB="$TESTDATA/playbooks/mini.yaml"
# shellcheck disable=SC2086
python3 "$TESTDATA/../tools/pty_paste.py" --bytes 65536 --scale "$WAIT_SCALE" -- \
  env LC_ALL=C.UTF-8 TZ=UTC $HUASHU_RUN "$HUASHU" --demo "$TESTDATA/console/chats.jsonl" --playbook "$PB" \
  --start 2026-11-23T15:00:00+08:00 >"$TMP/result" 2>"$TMP/stderr"
diag "$(cat "$TMP/result")"
echo_ms=$(sed -n 's/^echo_ms //p' "$TMP/result")
exit_ms=$(sed -n 's/^exit_ms //p' "$TMP/result")
status=$(sed -n 's/^status //p' "$TMP/result")
sent=$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null | grep -F '"from":"agent"')

if [ "$(printf '%s\n' "$sent" | grep -c .)" = 1 ] && printf '%s' "$sent" | grep -q 'END@"' &&
   ! printf '%s' "$sent" | grep -qF '201~'; then
  ok "a 64 KiB paste holding a paste end marker and Enter is one line, sent only by the real Enter"
else not_ok "paste with an end marker inside"; diag "$(printf '%s' "$sent" | cut -c1-300)"; fi
n=$(printf '%s' "$sent" | python3 -c 'import json,sys; print(len(json.loads(sys.stdin.read())["text"]))' 2>/dev/null)
want=$(python3 -c 'print(len("您好 order 1001 ") * (65536 // len("您好 order 1001 ".encode())) + 1 + 3 + 1)')
if [ "${n:-0}" = "$want" ]; then ok "nothing of the paste was lost ($n characters)"; else not_ok "paste length ${n:-none}, want $want"; fi
if [ "${echo_ms:--1}" -ge 0 ] && [ "$echo_ms" -lt $((2000 * WAIT_SCALE)) ]; then
  ok "a key after the paste shows at once ($echo_ms ms)"
else not_ok "key after a long paste (${echo_ms:-none} ms)"; fi
if [ "${exit_ms:--1}" -ge 0 ] && [ "$exit_ms" -lt $((1000 * WAIT_SCALE)) ] && [ "$status" -gt 128 ]; then
  ok "SIGTERM with 64 KiB in the compose line: gone in $exit_ms ms (status $status)"
else not_ok "SIGTERM with a long compose line (${exit_ms:-none} ms, status ${status:-none})"; fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
