#!/bin/sh
# Someone else's files: a config anyone may write to, or that another user owns, is refused
# (above all one with an exec: feed) and `huashu check` says the same; without HOME the
# password database's home is used, never /tmp.
. "$(dirname "$0")/lib.sh"
plan 5

echo '{"ts":"2026-11-23T10:00:00Z","conv":"a","type":"open"}' >"$TMP/ev.jsonl"
CFG="$TMP/cfg/config.yaml"
mkdir -p "$TMP/cfg"
printf 'feed: "exec:touch %s/pwned"\n' "$TMP" >"$CFG"
chmod 666 "$CFG"
run_huashu feed --playbook "$TESTDATA/playbooks/mini.yaml" --config "$CFG" --no-log --exit-on-end --once --quiet <"$TMP/ev.jsonl"
if [ ! -e "$TMP/pwned" ] && contains "$TMP/err" "refused: anyone may write to it (mode 0666)" &&
   contains "$TMP/err" "chmod o-w $CFG"; then
  ok "a world-writable config with an exec: feed is refused, with why and how to fix it"
else not_ok "world-writable config (rc=$rc)"; diag "$(cat "$TMP/err")"; fi

run_huashu check "$CFG"
if [ "$rc" = 1 ] && contains "$TMP/err" "refused: anyone may write to it"; then ok "huashu check says the same"; else not_ok "check (rc=$rc)"; diag "$(cat "$TMP/out" "$TMP/err")"; fi

chmod 644 "$CFG"
if [ "$(id -u)" = 0 ] && chown 65534 "$CFG" 2>/dev/null; then
  run_huashu feed --playbook "$TESTDATA/playbooks/mini.yaml" --config "$CFG" --no-log --exit-on-end --once --quiet <"$TMP/ev.jsonl"
  if [ ! -e "$TMP/pwned" ] && contains "$TMP/err" "refused: it belongs to another user (uid 65534)"; then
    ok "a config another user owns is refused"
  else not_ok "config of another user (rc=$rc)"; diag "$(cat "$TMP/err")"; fi
  chown 0 "$CFG"
else
  skip "a config another user owns: needs root to chown"
fi

# HOME unset: a config planted in /tmp/.config must not be read (only when /tmp/.config is free)
if [ ! -e /tmp/.config ] && [ ! -e /tmp/.local ] && mkdir -p /tmp/.config/huashu 2>/dev/null; then
  printf 'feed: "exec:touch %s/pwned-tmp"\n' "$TMP" >/tmp/.config/huashu/config.yaml
  env -u HOME -u XDG_CONFIG_HOME -u XDG_STATE_HOME $HUASHU_RUN "$HUASHU" feed --playbook "$TESTDATA/playbooks/mini.yaml" --no-log --exit-on-end --once --quiet <"$TMP/ev.jsonl" >/dev/null 2>"$TMP/err.home" || true
  rm -rf /tmp/.config /tmp/.local
  if [ ! -e "$TMP/pwned-tmp" ]; then ok "without HOME, a config in /tmp/.config is never read"; else not_ok "HOME unset read /tmp/.config"; fi
else
  skip "HOME unset: /tmp/.config exists already"
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
