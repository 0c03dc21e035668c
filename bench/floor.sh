#!/bin/sh
# bench/floor.sh: `huashu audit` over a floor's month of session logs — AGENTS files (one per
# agent, as a floor would collect them), each the Taobao corpus replicated to MB_PER_AGENT MB
# with fresh conversation ids, the days spread over November and the agent on every open
# record — measured once (time, peak RSS, MB/s) for the text report per agent and day and for
# the HTML page. Prints the figures; record them in bench/RESULTS.md. Nothing is asserted.
# usage: bench/floor.sh [BUILD_DIR]      AGENTS=100 MB_PER_AGENT=50 OUT=bench/out/floor
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
huashu="$build/src/huashu"
corpus="$top/../shared/corpus/taobao-ecd.jsonl"
out=${OUT:-$top/bench/out/floor}
agents=${AGENTS:-100}
mb=${MB_PER_AGENT:-50}
export HUASHU_DATA="$top/data" LC_ALL=C.UTF-8
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
[ -r "$corpus" ] || { echo "bench: $corpus not found: skipping"; exit 0; }
mkdir -p "$out"

bytes=$(stat -c %s "$corpus")
copies=$(( (mb * 1048576 + bytes - 1) / bytes ))
i=1
while [ "$i" -le "$agents" ]; do
  f=$(printf '%s/agent-%03d.jsonl' "$out" "$i")
  if [ ! -s "$f" ]; then
    awk -v n="$copies" -v agent="$i" '{ line[NR] = $0 } END {
        id = sprintf("%d", 1000 + agent); name = sprintf("客服%03d", agent)
        for (r = 0; r < n; r++) for (k = 1; k <= NR; k++) {
          s = line[k]; sub(/"conv": *"/, "&a" agent "r" r "-", s)
          sub(/"ts": "2026-11-02T/, sprintf("\"ts\": \"2026-11-%02dT", r % 30 + 1), s)
          sub(/"type": "open"/, "&, \"agent\": \"" id "\", \"agent_name\": \"" name "\"", s)
          print s } }' "$corpus" >"$f"
  fi
  i=$((i + 1))
done
total=$(cat "$out"/agent-*.jsonl | wc -c)
total_mb=$(echo "scale=1; $total / 1048576" | bc)
events=$(cat "$out"/agent-*.jsonl | wc -l)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "input: $agents files, $total_mb MB, $events events"

# one run each: "seconds peak-RSS-KiB cpu-seconds" (user + system: the machine may be shared)
measure() {
  /usr/bin/time -f '%e %M %U %S' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr"
  set -- $(tail -n 1 "$out/time")
  echo "$1 $2 $(echo "$3 + $4" | bc)"
}
set -- $(measure "$huashu" audit --summary --by agent,day "$out"/agent-*.jsonl)
echo "audit --summary --by agent,day: $1 s ($3 s CPU), $(echo "scale=0; $total_mb / $1" | bc) MB/s ($(echo "scale=0; $total_mb / $3" | bc) MB/s of CPU), $(echo "scale=0; $events / $1" | bc) events/s, peak RSS $2 KiB"
grep -E '^  conversations|^  service level' "$out/stdout"
echo "groups: $(grep -c ' · 2026-11-' "$out/stdout")"
set -- $(measure "$huashu" audit --format html -o "$out/report.html" "$out"/agent-*.jsonl)
echo "audit --format html: $1 s ($3 s CPU), peak RSS $2 KiB, page $(stat -c %s "$out/report.html") bytes"
cat "$out"/agent-*.jsonl | /usr/bin/time -f '%e %M %U %S' -o "$out/time" "$huashu" audit --summary - >"$out/stdout" 2>"$out/stderr"
set -- $(tail -n 1 "$out/time")
echo "audit --summary - (the files through a pipe): $1 s ($(echo "$3 + $4" | bc) s CPU), peak RSS $2 KiB"
