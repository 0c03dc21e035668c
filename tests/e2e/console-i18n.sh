#!/bin/sh
# UI labels through gettext, straight from the build tree: src/huashu under a zh_CN or zh_TW
# locale finds the build's catalogues (locale/, made by make from po/) with no extra
# variable. The locale is LC_ALL=zh_CN.UTF-8 when the machine has it (scripts/quickstart
# generates it), else LANGUAGE on C.UTF-8.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 5
unset HUASHU_LOCALEDIR

build=$(cd "$(dirname "$HUASHU")/.." && pwd)
src=${top_srcdir:-$build/..}

run_in() {
  lang=$1
  shift
  if [ ! -f "$src/po/$lang.gmo" ] && [ ! -f "$build/po/$lang.gmo" ]; then
    skip "$lang labels: no $lang.gmo (built without NLS?)"
    skip "$lang status line"
    return
  fi
  if locale -a 2>/dev/null | grep -qi "^$lang.utf-\?8$"; then
    env="LC_ALL=$lang.UTF-8"
  else
    env="LANGUAGE=$lang"
  fi
  CONSOLE_ENV="$env" start 100 30 \
    --demo "$TESTDATA/console/chats.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml"
  screen_check "$lang labels ($env)" "$1"
  screen_check "$lang status line" "$2"
  tm kill-session -t t
}

run_in zh_CN "队列" "进行中"
run_in zh_TW "佇列" "進行中"
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
