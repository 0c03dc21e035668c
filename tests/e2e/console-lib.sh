# console-lib.sh: what the console's tmux tests share (sourced after lib.sh).
# Each test runs the real binary in a private tmux server (tmux -L huashu-test-PID) with a
# fixed TERM and size, types with send-keys and reads the screen with capture-pane -p.
# Time-dependent behaviour runs on an honest fast clock: --time-scale N makes huashu's whole
# clock (timers, ladders, the demo feed) run N times faster; nothing sleeps 25 s.
# HUASHU_WRAPPER (e.g. "valgrind -q --error-exitcode=99") runs the binary under a tool; its
# reports go to the session's stderr ($TMP/stderr), which no_sanitizer_reports (lib.sh) reads.
# CONSOLE_WAIT scales every wait (WAIT_SCALE, lib.sh; default 1; raise it under valgrind).
# CONSOLE_SETUP (e.g. "ulimit -f 8") is a shell line run just before huashu starts.

if ! command -v tmux >/dev/null 2>&1 || ! command -v bash >/dev/null 2>&1; then
  echo "1..0 # SKIP tmux (or bash) not found"
  exit 0
fi

SOCK="huashu-test-$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

# start WIDTH HEIGHT ARGS...: starts huashu in a new tmux session "t" (one at a time).
start() {
  w=$1
  h=$2
  shift 2
  : >"$TMP/exit"
  [ -f "$TMP/stderr" ] && cat "$TMP/stderr" >>"$TMP/stderr.all" # earlier sessions' reports
  printf '%s\n' "$@" >"$TMP/args"
  cat >"$TMP/run.sh" <<RUN
#!/bin/bash
# Like a shell user with job control: a stopped huashu is looked at, then brought back (fg).
set -m
stty -g >"$TMP/stty.before"
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done <"$TMP/args"
${CONSOLE_SETUP:-}
${HUASHU_WRAPPER:-} "$HUASHU" "\$@" 2>"$TMP/stderr"
st=\$?
while [ \$st -eq 148 ]; do
  stty -g >"$TMP/stty.stopped"
  : >"$TMP/stopped"
  while [ ! -e "$TMP/resume" ]; do sleep 0.1; done
  rm -f "$TMP/resume" "$TMP/stopped"
  fg >/dev/null
  st=\$?
done
echo "EXITED \$st" >"$TMP/exit"
stty -g >"$TMP/stty.after"
echo "huashu exited"
exec sleep 600
RUN
  tm new-session -d -s t -x "$w" -y "$h" \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color TZ=UTC ${CONSOLE_ENV:-} bash $TMP/run.sh"
  tm set-option -g set-clipboard on >/dev/null
}

screen() { tm capture-pane -p -t t; }

keys() { tm send-keys -t t "$@"; }

# wait_for TEXT [SECONDS]: true once the screen shows TEXT.
wait_for() {
  limit=$(((${2:-20} * WAIT_SCALE) * 10))
  i=0
  while [ $i -lt $limit ]; do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# wait_gone TEXT [SECONDS]: true once the screen no longer shows TEXT.
wait_gone() {
  limit=$(((${2:-20} * WAIT_SCALE) * 10))
  i=0
  while [ $i -lt $limit ]; do
    screen | grep -qF -- "$1" || return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# wait_exit [SECONDS]: true once huashu has exited; $status holds its exit status.
wait_exit() {
  limit=$(((${1:-20} * WAIT_SCALE) * 10))
  i=0
  while [ $i -lt $limit ]; do
    if [ -s "$TMP/exit" ]; then
      status=$(sed 's/EXITED //' "$TMP/exit")
      return 0
    fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# screen_check NAME TEXT: ok when the screen shows TEXT (waiting a little), else the screen.
screen_check() {
  if wait_for "$2" "${3:-20}"; then ok "$1"; else not_ok "$1"; diag "wanted: $2" "$(screen)"; fi
}

# pid of huashu in the session
huashu_pid() { pgrep -f "$HUASHU" -P "$(tm display -p -t t '#{pane_pid}')" | head -1; }

# queue_row NAME: the screen row (1-based) of NAME in the queue column, 0 when not there.
queue_row() { screen | grep -n "^[ >]$1 " | head -1 | cut -d: -f1 | grep . || echo 0; }

# bell_rang: tmux saw a bell in the session's window.
bell_rang() { [ "$(tm display -p -t t '#{window_bell_flag}')" = 1 ]; }

# suggestion_number TEXT: the key number (1-9, 0 for the ladder's line) of the suggestion
# holding TEXT, empty if none.
suggestion_number() {
  screen | grep -F -- "$1" | sed -n 's/^.*| \([0-9]\)[ *!>+] .*$/\1/p; s/^ \([0-9]\)[ *!>+] .*$/\1/p' | head -1
}

# compose_text: what the compose line holds ("> " prompt and trailing blanks removed).
compose_text() { screen | grep '^> ' | tail -1 | sed -e 's/^> //' -e 's/ *$//'; }

# Session log of this run.
session_log() { cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl 2>/dev/null; }

# session_log_whole: every line of this run's session logs is a whole JSON object, newline-ended
# (nothing torn by a crash, a signal or a full disk).
session_log_whole() {
  set -- "$XDG_STATE_HOME"/huashu/sessions/*.jsonl
  [ -f "$1" ] && python3 -c 'import json, sys
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.endswith("\n") or not isinstance(json.loads(line), dict):
            sys.exit("%s:%d: not a whole line" % (path, n))' "$@"
}
