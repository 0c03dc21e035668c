#!/bin/sh
# UI labels through gettext: zh_CN and zh_TW chosen from the locale (LANGUAGE here, as the
# test machine may have only C.UTF-8), the catalogues taken from the build tree's po/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 5

build=$(cd "$(dirname "$HUASHU")/.." && pwd)
# gettext writes the catalogues into the source tree's po/ (out-of-tree builds included)
for l in zh_CN zh_TW; do
  for dir in "$build/po" "${top_srcdir:-$build}/po"; do
    if [ -f "$dir/$l.gmo" ] && [ ! -f "$TMP/locale/$l/LC_MESSAGES/huashu.mo" ]; then
      mkdir -p "$TMP/locale/$l/LC_MESSAGES"
      cp "$dir/$l.gmo" "$TMP/locale/$l/LC_MESSAGES/huashu.mo"
    fi
  done
done

run_in() {
  lang=$1
  shift
  if [ ! -f "$TMP/locale/$lang/LC_MESSAGES/huashu.mo" ]; then
    skip "$lang labels: no $lang.gmo (built without NLS?)"
    skip "$lang status line"
    return
  fi
  CONSOLE_ENV="LANGUAGE=$lang HUASHU_LOCALEDIR=$TMP/locale" start 100 30 \
    --demo "$TESTDATA/console/chats.jsonl" --playbook "$TESTDATA/playbooks/mini.yaml"
  screen_check "$lang labels" "$1"
  screen_check "$lang status line" "$2"
  tm kill-session -t t
}

run_in zh_CN "队列" "进行中"
run_in zh_TW "佇列" "進行中"
tm kill-session -t t 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
