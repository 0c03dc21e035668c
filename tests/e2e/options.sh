#!/bin/sh
# Every documented option of every command: each option of huashu(1)'s SYNOPSIS is in the
# command's --help (one table makes both the parser and the help), every option of every
# --help is accepted, and the shared ones (--config, --playbook, --set) and the cheap ones do
# what they say, huashu --config FILE in the console included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 24

MAN="$TESTDATA/../../man/huashu.1"
# every_command: the commands, one a line ("console" for huashu itself).
every_command() {
  printf '%s\n' console check replay lint audit lookup feed eval drill "drill run" "drill report" "drill from-log"
}

# options CMD: the options listed by huashu CMD --help, one a line ("--feed SPEC", "--manual");
# asked once per command (every run is slow under valgrind).
options() {
  kept="$TMP/options-$(echo "$1" | tr ' ' _)"
  if [ ! -f "$kept" ]; then
    if [ "$1" = console ]; then set --; else set -- $1; fi # split "drill run"
    huashu_run "$@" --help | cut -c1-26 | sed -n 's/^  \(-[a-z], \)\{0,1\}\(--[a-z0-9-]*\)/\2/p' |
      sed 's/ *$//' | grep -v -- '^--help' >"$kept"
  fi
  cat "$kept"
}

# The SYNOPSIS of huashu(1): "command option" for every option it shows.
awk '/^\.SH SYNOPSIS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN" |
  awk '/^\.B huashu/ { cmd = $0; sub(/^\.B huashu ?/, "", cmd); gsub(/\\-/, "-", cmd)
                       if (cmd == "") cmd = "console" }
       { line = $0; gsub(/\\-/, "-", line)
         while (match(line, /--[a-z0-9-]+/)) {
           print cmd "|" substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH) } }' \
  >"$TMP/synopsis"
missing=""
every_command | while read -r cmd; do
  options "$cmd" >"$TMP/help-options"
  grep "^$cmd|" "$TMP/synopsis" | cut -d'|' -f2 | sort -u | while read -r opt; do
    cut -d' ' -f1 "$TMP/help-options" | grep -qx -- "$opt" || echo "$cmd $opt"
  done >>"$TMP/missing"
done
if [ -s "$TMP/synopsis" ] && [ ! -s "$TMP/missing" ]; then
  ok "every option of huashu(1)'s SYNOPSIS ($(wc -l <"$TMP/synopsis") in all) is in its command's --help"
else
  not_ok "options in huashu(1) but not in --help"; diag "$(cat "$TMP/missing")"
fi

# value OPTION: a valid value for an option that takes one.
value() {
  case $1 in
  --format) echo json ;; --set | --ui) echo company=x ;; --target) echo 85/15 ;;
  --fail-under) echo clean=1 ;; --start | --until) echo 2026-11-23T10:00:00+08:00 ;;
  --by) echo agent,day ;; --since) echo 2026-11-23 ;;
  --ambiguous-width) echo 2 ;; *) echo 1 ;;
  esac
}

# Every option of every --help is taken: all of a command's options (with a valid value each)
# then --help print the help, status 0; a refused one would be named with status 2.
: >"$TMP/refused"
count=0
every_command >"$TMP/commands"
while read -r cmd; do
  if [ "$cmd" = console ]; then set --; else set -- $cmd; fi
  options "$cmd" >"$TMP/help-options"
  while read -r opt word; do
    count=$((count + 1))
    set -- "$@" "$opt"
    [ -z "$word" ] || set -- "$@" "$(value "$opt")"
  done <"$TMP/help-options"
  huashu_run "$@" --help >"$TMP/out" 2>"$TMP/err"
  st=$?
  [ "$st" = 0 ] && contains "$TMP/out" "usage:" || echo "$*: status $st $(cat "$TMP/err")" >>"$TMP/refused"
  cat "$TMP/err" >>"$TMP/stderr.all"
done <"$TMP/commands"
if [ "$count" -gt 60 ] && [ ! -s "$TMP/refused" ]; then
  ok "all $count options of the commands' --help are accepted"
else
  not_ok "options refused"; diag "count=$count" "$(cat "$TMP/refused")"
fi

run_huashu --help
if [ "$rc" = 0 ] && contains "$TMP/out" "--feed SPEC" && contains "$TMP/out" "--config FILE" &&
  contains "$TMP/out" "--time-scale X" && contains "$TMP/out" "huashu drill"; then
  ok "huashu --help lists the commands and the console's options"
else
  not_ok "huashu --help"; diag "$(cat "$TMP/out")"
fi
run_huashu feed --max-events
if [ "$rc" = 2 ] && contains "$TMP/err" "huashu feed: --max-events needs a value"; then
  ok "an option without its value: named, status 2"
else
  not_ok "missing value"; diag "rc=$rc" "$(cat "$TMP/err")"
fi
run_huashu replay --frobnicate x.jsonl
if [ "$rc" = 2 ] && contains "$TMP/err" 'unknown option "--frobnicate"' && contains "$TMP/err" "usage: huashu replay"; then
  ok "an unknown option: named, usage, status 2"
else
  not_ok "unknown option"; diag "rc=$rc" "$(cat "$TMP/err")"
fi

# --config FILE, --playbook and --set on the commands that run the engine.
printf 'agent: {company: 配置小店, agent_no: "077"}\nplaybook: en\n' >"$TMP/shop.yaml"
printf 'agent: {company: 配置小店, agent_no: "077"}\n' >"$TMP/agent.yaml"
EV="$TESTDATA/replay/two.jsonl"
run_huashu replay --config "$TMP/agent.yaml" "$EV"
if [ "$rc" = 0 ] && contains "$TMP/out" "配置小店客服077号"; then ok "replay --config FILE: its agent: values"; else not_ok "replay --config"; diag "$(head -3 "$TMP/out")"; fi
run_huashu replay --config "$TMP/shop.yaml" "$EV"
if [ "$rc" = 0 ] && contains "$TMP/out" "Hello" && ! contains "$TMP/out" "您好"; then ok "replay --config FILE: its playbook:"; else not_ok "replay --config playbook"; diag "$(head -3 "$TMP/out")"; fi
run_huashu replay --config "$TMP/shop.yaml" --playbook zh_CN --set company=命令行 "$EV"
if [ "$rc" = 0 ] && contains "$TMP/out" "命令行客服077号"; then ok "replay: --playbook over the config's, --set over its agent:"; else not_ok "replay --playbook/--set"; diag "$(head -3 "$TMP/out")"; fi
run_huashu replay --top 0 "$EV"
if [ "$rc" = 0 ] && ! contains "$TMP/out" '"id"'; then ok "replay --top 0: no suggestions"; else not_ok "replay --top"; diag "$(head -3 "$TMP/out")"; fi
printf '%s\n' '{"ts":"2026-11-23T10:00:00+08:00","conv":"u","type":"open"}' \
  '{"ts":"2026-11-23T10:00:01+08:00","conv":"u","type":"message","from":"customer","text":"在吗"}' >"$TMP/wait.jsonl"
run_huashu replay --until 2026-11-23T10:01:00+08:00 "$TMP/wait.jsonl"
if [ "$rc" = 0 ] && contains "$TMP/out" '"ts":"2026-11-23T10:00:31.000+08:00","conv":"u","changes":["urgent"]' &&
  [ "$(grep -c . "$TMP/out")" = 3 ]; then
  ok "replay --until: the clock runs on to TIME (urgent 30 s after the message)"
else
  not_ok "replay --until"; diag "$(cat "$TMP/out")"
fi

run_huashu feed --config "$TMP/shop.yaml" --no-log --stats - <"$EV"
if [ "$rc" = 0 ] && [ "$(wc -l <"$TMP/out")" = "$(wc -l <"$EV")" ] && contains "$TMP/err" "events in"; then
  ok "feed --config FILE --stats: runs, counts on standard error"
else
  not_ok "feed --config --stats"; diag "rc=$rc" "$(cat "$TMP/err")"
fi
if ! ls "$XDG_STATE_HOME"/huashu/sessions/*.jsonl >/dev/null 2>&1; then ok "feed --no-log: no session log"; else not_ok "feed --no-log wrote a log"; fi
printf 'feed: "-"\n' >"$TMP/feed.yaml"
run_huashu feed --config "$TMP/feed.yaml" --quiet <"$EV"
if [ "$rc" = 0 ] && [ ! -s "$TMP/out" ] && [ "$(session_log | grep -c .)" = "$(grep -c . "$EV")" ]; then
  ok "feed --config FILE: its feed:; --quiet prints nothing; the session log is written"
else
  not_ok "feed --config feed: / --quiet"; diag "rc=$rc" "$(cat "$TMP/err")"
fi
run_huashu feed --max-events 2 --no-log - <"$EV"
if [ "$rc" = 0 ] && [ "$(grep -c . "$TMP/out")" = 2 ]; then ok "feed --max-events 2: two events, though all came in one read"; else not_ok "feed --max-events"; diag "$(cat "$TMP/out")"; fi
run_huashu feed --playbook nowhere --no-log - <"$EV"
if [ "$rc" = 2 ] && contains "$TMP/err" "nowhere"; then ok "feed --playbook: the one named is loaded"; else not_ok "feed --playbook"; diag "rc=$rc" "$(cat "$TMP/err")"; fi

printf 'ui: {bell: false}\n' >"$TMP/nolookup.yaml"
run_huashu lookup --config "$TMP/nolookup.yaml" order 1001
if [ "$rc" = 2 ] && contains "$TMP/err" "no order lookup in $TMP/nolookup.yaml"; then ok "lookup --config FILE: that file's lookup: section"; else not_ok "lookup --config"; diag "rc=$rc" "$(cat "$TMP/err")"; fi
run_huashu lookup --demo --event c-9 --parallel 1 -v order 1001
if [ "$rc" = 0 ] && contains "$TMP/out" '"conv":"c-9","type":"lookup"' && [ -s "$TMP/err" ]; then
  ok "lookup --event CONV: a lookup event; -v logs the request"
else
  not_ok "lookup --event -v"; diag "rc=$rc" "$(cat "$TMP/out" "$TMP/err")"
fi
run_huashu lookup --demo --json --refresh order 1001
if [ "$rc" = 0 ] && contains "$TMP/out" '"status":"ok","cached":false'; then ok "lookup --json --refresh: JSON, not from the cache"; else not_ok "lookup --json"; diag "$(cat "$TMP/out")"; fi

SC=zh_CN/silent_call
ANS="$TESTDATA/drills/zh_CN-silent_call.model.jsonl"
run_huashu drill run "$SC" --answers "$ANS" --format json --trainee 小李 --config "$TMP/missing.yaml"
if [ "$rc" = 0 ] && contains "$TMP/out" '"trainee":"小李"'; then ok "drill run --trainee: the result names the trainee"; else not_ok "drill run --trainee"; diag "rc=$rc" "$(cat "$TMP/err")"; fi
if contains "$TMP/err" "$TMP/missing.yaml"; then ok "drill run --config FILE: that file is read"; else not_ok "drill run --config missing"; diag "$(cat "$TMP/err")"; fi
run_huashu drill run "$SC" --answers "$ANS" --save
if [ "$rc" = 0 ] && ls "$XDG_STATE_HOME"/huashu/drills/*.json >/dev/null 2>&1; then ok "drill run --save: a result file"; else not_ok "drill run --save"; diag "$(cat "$TMP/err")"; fi
run_huashu drill report --format json
if [ "$rc" = 0 ] && contains "$TMP/out" '"drills"'; then ok "drill report --format json"; else not_ok "drill report"; diag "rc=$rc" "$(cat "$TMP/out" "$TMP/err")"; fi

# The console: huashu --config FILE (the documented option that used to be refused).
start 100 30 --config "$TMP/agent.yaml" --demo "$TESTDATA/console/chats.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml" --time-scale 10
screen_check "huashu --config FILE: the console runs with that file's agent: values" "配置小店客服077号"
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
