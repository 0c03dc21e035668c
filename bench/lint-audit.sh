#!/bin/sh
# bench/lint-audit.sh: throughput of `huashu lint` and `huashu audit`, and audit's peak RSS as
# the input grows, side by side with grep -F -f and jq over the same phrases and input.
# Prints the figures; record them in bench/RESULTS.md. Nothing here is asserted.
# usage: bench/lint-audit.sh [BUILD_DIR]     SIZE_MB=1024 (audit input), OUT=bench/out
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
huashu="$build/src/huashu"
corpus="$top/../shared/corpus/taobao-ecd.jsonl"
out=${OUT:-$top/bench/out}
size_mb=${SIZE_MB:-1024}
export HUASHU_DATA="$top/data" LC_ALL=C.UTF-8
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
[ -r "$corpus" ] || { echo "bench: $corpus not found: skipping the lint and audit benchmarks"; exit 0; }
mkdir -p "$out"

# best of 3: "seconds peak-RSS-KiB" of a command (its output goes to $out/stdout)
measure() {
  best=""
  for _ in 1 2 3; do
    # not /dev/null: GNU grep stops at the first match when its output goes there
    /usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr"
    t=$(tail -n 1 "$out/time" | cut -d' ' -f1)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; rss=$(tail -n 1 "$out/time" | cut -d' ' -f2); fi
  done
  echo "$best $rss"
}

mb() { echo "scale=1; $(stat -c %s "$1") / 1048576" | bc; }
rate() { echo "scale=0; $1 / $2" | bc; }

# N MB of events: the corpus replicated, each copy with its own conversation ids
replicate() {
  file=$1 want=$2
  [ -f "$file" ] && [ "$(stat -c %s "$file")" -ge $((want * 1048576)) ] && return
  bytes=$(stat -c %s "$corpus")
  copies=$(( (want * 1048576 + bytes - 1) / bytes ))
  awk -v n="$copies" '{ line[NR] = $0 } END {
      for (r = 0; r < n; r++) for (i = 1; i <= NR; i++) {
        s = line[i]; sub(/"conv": *"/, "&r" r "-", s); print s } }' "$corpus" >"$file"
}

# the bundled playbook's forbidden phrases, one a line, for grep -F -f and jq
grep -o 'phrase: "[^"]*"' "$top/data/playbooks/zh_CN.yaml" | sed 's/^phrase: "//; s/"$//' >"$out/phrases.txt"
jq_regex=$(sed 's/[][\\.^$*+?(){}|]/\\&/g' "$out/phrases.txt" | paste -sd'|')

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "phrases: $(wc -l <"$out/phrases.txt") forbidden phrases of zh_CN (plus its avoid lines in huashu)"

# ---- lint: agent text only ------------------------------------------------------------------
"$huashu" lint --events --format json "$corpus" >/dev/null 2>&1 # warm up
grep '"from": *"agent"' "$corpus" | sed 's/.*"text": *"\([^"]*\)".*/\1/' >"$out/agent-lines.txt"
lines=$(wc -l <"$out/agent-lines.txt")
copies=$(( 200 * 1048576 / $(stat -c %s "$out/agent-lines.txt") + 1 ))
: >"$out/agent-200m.txt"
i=0; while [ $i -lt "$copies" ]; do cat "$out/agent-lines.txt"; i=$((i + 1)); done >"$out/agent-200m.txt"
total_lines=$((lines * copies))
size=$(mb "$out/agent-200m.txt")
set -- $(measure sh -c "'$huashu' lint <'$out/agent-200m.txt'")
echo "lint: $size MB of agent text ($total_lines lines): $1 s, $(rate "$size" "$1") MB/s, $(rate "$total_lines" "$1") lines/s, peak RSS $2 KiB"

# ---- audit: flat memory as the input grows, then speed against grep and jq -------------------
for n in 100 "$size_mb"; do
  replicate "$out/events-${n}m.jsonl" "$n"
done
for n in 100 "$size_mb"; do
  f="$out/events-${n}m.jsonl"
  events=$(wc -l <"$f")
  set -- $(measure "$huashu" audit --summary "$f")
  echo "audit: $(mb "$f") MB ($events events): $1 s, $(rate "$(mb "$f")" "$1") MB/s, $(rate "$events" "$1") events/s, peak RSS $2 KiB"
  audit_s=$1
done
f="$out/events-${size_mb}m.jsonl"
set -- $(measure grep -c -F -f "$out/phrases.txt" "$f")
grep_s=$1
echo "grep -c -F -f phrases, same file: $grep_s s, $(rate "$(mb "$f")" "$grep_s") MB/s; audit/grep speed ratio $(echo "scale=2; $grep_s / $audit_s" | bc)"
f100="$out/events-100m.jsonl"
set -- $(measure "$huashu" audit --summary "$f100")
a100=$1
set -- $(measure jq -n --arg re "$jq_regex" \
  '[inputs | select(.type == "message" and .from == "agent") | .text | scan($re)] | length' "$f100")
echo "jq counting the same phrases in agent text, 100 MB: $1 s, $(rate "$(mb "$f100")" "$1") MB/s; audit is $(echo "scale=1; $1 / $a100" | bc)x faster"
