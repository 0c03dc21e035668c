#!/bin/sh
# bench/run.sh: prints huashu's speed and memory figures (record them in bench/RESULTS.md).
# usage: bench/run.sh [BUILD_DIR]   (default: the source tree's own build, or build/)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
[ -n "$build" ] || { [ -x "$top/src/huashu" ] && build=$top || build=$top/build; }
huashu="$build/src/huashu"
corpus="$top/../shared/corpus/taobao-ecd.jsonl"
out="$top/bench/out"
mkdir -p "$out"
export HUASHU_DATA="$top/data" LC_ALL=C.UTF-8
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
if [ ! -f "$corpus" ]; then echo "bench: $corpus not found: skipping corpus benchmarks"; exit 0; fi

# seconds elapsed for a command, with its peak RSS (KiB) from GNU time when available
measure() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %M' -o "$out/time" "$@" >/dev/null 2>"$out/stderr"
    cat "$out/time"
  else
    s=$(date +%s.%N); "$@" >/dev/null 2>"$out/stderr"; e=$(date +%s.%N)
    echo "$(echo "$e - $s" | bc) ?"
  fi
}

events=1000000
[ -f "$out/events-1m.jsonl" ] || python3 "$top/bench/gen-events.py" "$corpus" $events 1000 >"$out/events-1m.jsonl"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

set -- $(measure "$huashu" replay "$out/events-1m.jsonl")
echo "replay 1,000,000 events / 1,000 conversations: $1 s, $(echo "$events / $1" | bc) events/s, peak RSS $2 KiB"
set -- $(measure "$huashu" replay --top 0 "$out/events-1m.jsonl")
echo "replay, no suggestions (--top 0):               $1 s, $(echo "$events / $1" | bc) events/s"

# huashu check on the three bundled playbooks: best of 20 runs
best=""
for _ in $(seq 20); do
  s=$(date +%s%N); "$huashu" check "$top"/data/playbooks/*.yaml >/dev/null; e=$(date +%s%N)
  t=$(( (e - s) / 1000 )); if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
echo "huashu check, 3 bundled playbooks (whole process, best of 20): $best us"
