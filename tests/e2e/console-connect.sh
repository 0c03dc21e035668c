#!/bin/sh
# The first screen says how to connect a chat: on the bundled demo a hint line names --feed
# and the config's feed:, and the help overlay (F1) ends with a "connect your chat" section
# saying where a sent line goes for the feed in use (the chat, or the clipboard) and what
# tmux needs to pass OSC 52 on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/console-lib.sh"
plan 10

# help_bottom: opens the help overlay and scrolls to its end.
help_bottom() {
  keys F1
  wait_for "Esc closes" 10
  keys NPage NPage NPage NPage
}

run_huashu --help
check "huashu --help says how to connect a chat and where a sent line goes" sh -c \
  "grep -q 'connect a chat: --feed SPEC, or feed: SPEC in ~/.config/huashu/config.yaml' '$TMP/out' &&
   grep -q 'inside tmux: set -g set-clipboard on' '$TMP/out'"

# --- the bundled demo: no --demo, no --feed ----------------------------------------------------------
start 100 30 --no-bell # (no arguments at all: console-lib would pass one empty one)
screen_check "demo: the hint line names --feed and the config's feed:" \
  "Connect a chat: --feed SPEC, or feed: in config.yaml"
help_bottom
screen_check "demo: the help says where a sent line goes now" \
  "demo: a sent line stays in the transcript and session log"
screen_check "demo: the help names the feed specs" "file:PATH  unix:PATH  exec:COMMAND  chatwoot:"
screen_check "demo: the help says how tmux passes OSC 52 on" \
  "set -g set-clipboard on (~/.tmux.conf)"
tm kill-session -t t

# --- a read-only feed: replies go to the clipboard, no demo hint ----------------------------------
printf '%s\n' '{"ts":"2026-11-23T10:00:00.000+08:00","conv":"f-1","type":"message","from":"customer","text":"在吗"}' \
  >"$TMP/chat.jsonl"
start 100 30 --feed "file:$TMP/chat.jsonl"
wait_for "FEED file"
help_bottom
screen_check "file: the help says a sent line is copied to the clipboard" \
  "file: read-only, a sent line is copied to the clipboard"
if screen | grep -qF "Connect a chat:"; then not_ok "file: no demo hint"; diag "$(screen)"; else ok "file: no demo hint"; fi
# tmux's default set-clipboard (external) keeps OSC 52 from the desktop: the copy says so
keys Escape
tm set-option -g set-clipboard external
wait_for "在吗"
# a line with no value to ask for (the greeting asks for the company when none is set)
n=$(suggestion_number "您好,请问有什么可以帮助您?")
keys "${n:-1}"
wait_for "> 您好,请问有什么可以帮助您?" 5
keys Enter
screen_check "file: under tmux's set-clipboard external, a copy says how to let it through" \
  "tmux drops the copy: set -g set-clipboard on"
tm kill-session -t t

# --- a bridge: replies go to the chat ------------------------------------------------------------
start 100 30 --feed "exec:sleep 600"
wait_for "FEED exec"
help_bottom
screen_check "exec: the help says a sent line goes to the chat" "exec: a sent line goes to the chat"
tm kill-session -t t 2>/dev/null

check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
