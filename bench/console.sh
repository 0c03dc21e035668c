#!/bin/sh
# bench/console.sh: the console's figures for bench/RESULTS.md (needs tmux and python3).
#   first frame: from the start of the console to its first doupdate() (target < 30 ms)
#   redraw: every pane redrawn with 200 conversations, diffed by curses (target < 2 ms);
#     repaint: the same with the whole screen sent again (clearok)
#   memory: peak RSS with 1,000 conversations x 50 messages (target < 64 MB)
#   idle: CPU and bytes written per second with 30 chats whose timers tick every second
# usage: bench/console.sh [BUILD_DIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
huashu="$build/src/huashu"
out="$top/bench/out/console"
mkdir -p "$out"
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
command -v tmux >/dev/null || { echo "bench: tmux not found"; exit 0; }
sock="huashu-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null' EXIT
export HUASHU_DATA="$top/data" XDG_STATE_HOME="$out/state" XDG_CONFIG_HOME="$out/config"

# gen CONVS MESSAGES FILE: a demo file of CONVS chats with MESSAGES customer lines each, all at
# the start (so --bench measures with everything in).
gen() {
  python3 - "$1" "$2" >"$3" <<'PY'
import json, sys
convs, msgs = int(sys.argv[1]), int(sys.argv[2])
lines = ["我的快递怎么还没到?", "这件衣服有货吗?M码还有吗", "能便宜点吗?买两件包邮吗?",
         "已付款了,地址没变,麻烦核对一下", "收到的杯子盖子有裂缝,可以换货吗?"]
for c in range(convs):
    conv = "b-%04d" % c
    print(json.dumps({"ts": "2026-11-23T10:00:00.000+08:00", "conv": conv, "type": "open",
                      "customer": {"name": "客户%d" % c}}, ensure_ascii=False))
    for m in range(msgs):
        print(json.dumps({"ts": "2026-11-23T10:00:00.000+08:00", "conv": conv, "type": "message",
                          "from": "customer", "text": lines[(c + m) % len(lines)]},
                         ensure_ascii=False))
PY
}

# run W H ARGS...: huashu in a detached tmux pane; waits for it to exit; its stderr in $out/err
run() {
  w=$1 h=$2
  shift 2
  rm -f "$out/done"
  tmux -L "$sock" -f /dev/null new-session -d -x "$w" -y "$h" \
    "env LC_ALL=C.UTF-8 TERM=xterm-256color $huashu $* 2>$out/err; touch $out/done"
  i=0
  while [ ! -e "$out/done" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
gen 1 1 "$out/one.jsonl"
for i in 1 2 3 4 5; do
  run 100 30 --demo "$out/one.jsonl" --bench 1
  sed -n 's/.*first_frame_ms=\([0-9.]*\).*/\1/p' "$out/err"
done | sort -n | sed -n 3p | sed 's/^/first frame (ms, median of 5, 100x30, zh_CN playbook): /'

# exec_to_frame: ms from fork+exec to the first frame's status line on a 100x30 pty (includes
# the dynamic loader and everything before main), median of 5
echo "exec to first frame (ms, median of 5, pty 100x30): $(python3 "$top/bench/exec-frame.py" 5 "$huashu" --demo "$out/one.jsonl" --no-bell)"

gen 200 3 "$out/c200.jsonl"
run 100 30 --demo "$out/c200.jsonl" --bench 1000
echo "200 conversations, 100x30: $(cat "$out/err")"
run 200 60 --demo "$out/c200.jsonl" --bench 1000
echo "200 conversations, 200x60: $(cat "$out/err")"

gen 1000 50 "$out/c1000x50.jsonl"
run 100 30 --demo "$out/c1000x50.jsonl" --bench 10
echo "1,000 conversations x 50 messages: $(cat "$out/err")"

gen 30 1 "$out/c30.jsonl"
rm -f "$out/done"
tmux -L "$sock" -f /dev/null new-session -d -s idle -x 100 -y 30 \
  "env LC_ALL=C.UTF-8 TERM=xterm-256color $huashu --demo $out/c30.jsonl 2>$out/err; touch $out/done"
sleep 2
pid=$(pgrep -f "^$huashu --demo $out/c30.jsonl" | head -1)
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat") w0=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
sleep 20
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat") w1=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
echo "30 chats ticking, 20 s: CPU $(echo "scale=2; ($t1 - $t0) * 100 / $hz / 20" | bc)%," \
  "$(( (w1 - w0) / 20 )) bytes/s to the terminal"
tmux -L "$sock" send-keys -t idle C-q y
