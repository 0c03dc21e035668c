#!/bin/sh
# bench/run.sh: huashu's speed and memory goals (issue "Speed"), each row measured side by side
# with its anchor in the same invocation and printed as a ratio. Record the output, with how
# loaded the machine was (the load average is printed), in bench/RESULTS.md.
# usage: bench/run.sh [BUILD_DIR]
#   SIZE_MB=1024   audit input size          EVENTS=1000000  replay input size
#   LIVE_S=30      seconds of the console-under-load row (0 skips it)
# Nothing here is asserted: tests never time anything.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
[ -n "$build" ] || { [ -x "$top/src/huashu" ] && build=$top || build=$top/build; }
huashu="$build/src/huashu"
corpus="$top/../shared/corpus/taobao-ecd.jsonl"
out="$top/bench/out"
size_mb=${SIZE_MB:-1024}
events=${EVENTS:-1000000}
live_s=${LIVE_S:-30}
mkdir -p "$out"
export HUASHU_DATA="$top/data" LC_ALL=C.UTF-8 TZ=UTC
export XDG_STATE_HOME="$out/state" XDG_CONFIG_HOME="$out/config" XDG_CACHE_HOME="$out/cache"
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
if [ ! -f "$corpus" ]; then echo "bench: $corpus not found: skipping"; exit 0; fi

# best SECONDS and its peak RSS KiB of 3 runs of a command (output to $out/stdout: GNU grep
# stops at the first match when its output is /dev/null)
best_of_3() {
  best="" rss=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr"
    t=$(tail -n 1 "$out/time" | cut -d' ' -f1)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then
      best=$t rss=$(tail -n 1 "$out/time" | cut -d' ' -f2)
    fi
  done
  echo "$best $rss"
}

# best wall-clock milliseconds of 20 starts of a short command
best_ms() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(20):
    t0 = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = (time.perf_counter() - t0) * 1000
    best = t if best is None or t < best else best
print("%.2f" % best)
PY
}

calc() { echo "scale=2; $1" | bc; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
row "what" "huashu" "anchor" "ratio" "goal"
row "---" "---" "---" "---" "---"

# ---- audit against grep -F over the same bytes ------------------------------------------------
# the corpus replicated, every copy with its own conversation ids
audit_in="$out/events-${size_mb}m.jsonl"
if [ ! -f "$audit_in" ] || [ "$(stat -c %s "$audit_in")" -lt $((size_mb * 1048576)) ]; then
  copies=$(((size_mb * 1048576 + $(stat -c %s "$corpus") - 1) / $(stat -c %s "$corpus")))
  awk -v n="$copies" '{ line[NR] = $0 } END {
      for (r = 0; r < n; r++) for (i = 1; i <= NR; i++) {
        s = line[i]; sub(/"conv": *"/, "&r" r "-", s); print s } }' "$corpus" >"$audit_in"
fi
grep -o 'phrase: "[^"]*"' "$top/data/playbooks/zh_CN.yaml" | sed 's/^phrase: "//; s/"$//' \
  >"$out/phrases.txt"
mb=$(calc "$(stat -c %s "$audit_in") / 1048576")
set -- $(best_of_3 "$huashu" audit --format json "$audit_in")
audit_s=$1 audit_rss=$2
set -- $(best_of_3 grep -F -c -f "$out/phrases.txt" "$audit_in")
grep_s=$1
row "audit --format json, $mb MB, unique ids (RSS ${audit_rss} KiB)" \
  "$(calc "$mb / $audit_s") MB/s" "grep -F -c -f ($(wc -l <"$out/phrases.txt") phrases) $(calc "$mb / $grep_s") MB/s" \
  "$(calc "$grep_s / $audit_s")" ">= 0.5 now, 1 as the aim"

# ---- replay: 1 M events over 1,000 ids, then the same over 100,000 live conversations ----------
replay_in="$out/events-1m.jsonl"
[ -f "$replay_in" ] || python3 "$top/bench/gen-events.py" "$corpus" "$events" 1000 >"$replay_in"
live_in="$out/events-1m-100k-live.jsonl"
[ -f "$live_in" ] || python3 "$top/bench/gen-events.py" "$corpus" "$events" 100000 0 >"$live_in"
set -- $(best_of_3 "$huashu" replay "$replay_in")
replay_s=$1 replay_rss=$2
rate=$(calc "$events / $replay_s")
row "replay, $events events, 1,000 ids, 3 suggestions (RSS $replay_rss KiB)" "$rate events/s" \
  "the goal, 1,000,000 events/s" "$(calc "$rate / 1000000")" ">= 1"
set -- $(best_of_3 "$huashu" replay "$live_in")
live_s_taken=$1
row "replay, $events events, 100,000 ids all opened at once (RSS $2 KiB)" \
  "$(calc "$live_s_taken * 1000000000 / $events") ns/event" \
  "1,000 ids: $(calc "$replay_s * 1000000000 / $events") ns/event" \
  "$(calc "$live_s_taken / $replay_s")" "<= 1.2"

# ---- start-up --------------------------------------------------------------------------------
true_ms=$(best_ms true)
row "huashu --version, whole process" "$(best_ms "$huashu" --version) ms" "true $true_ms ms" \
  "-" "< 5 ms"
row "huashu lint x, whole process" "$(best_ms "$huashu" lint x) ms" "true $true_ms ms" "-" "< 10 ms"
# the playbook's parsed YAML is kept in $XDG_CACHE_HOME after the first run: without it
row "huashu lint x, no playbook cache (a first run)" \
  "$(export XDG_CACHE_HOME=/dev/null/none; best_ms "$huashu" lint x) ms" "true $true_ms ms" "-" "-"
frame=$(python3 "$top/bench/exec-frame.py" 7 "$huashu" --no-bell)
row "exec to the first full frame on a 100x30 pty (demo, median of 7)" "$frame ms" \
  "true $true_ms ms" "-" "< 20 ms"

best=""
for _ in $(seq 20); do
  s=$(date +%s%N); "$huashu" check "$top"/data/playbooks/*.yaml >/dev/null; e=$(date +%s%N)
  t=$(((e - s) / 1000)); if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
row "huashu check, the 3 bundled playbooks (load, train, validate; best of 20)" \
  "$(calc "$best / 1000") ms" "true $true_ms ms" "-" "training < 50 ms"

# ---- engine memory: 1 M short conversations, each opened and closed --------------------------
short_in="$out/short-1m.jsonl"
[ -f "$short_in" ] || python3 - >"$short_in" <<'PY'
# one conversation a second (a busy floor, 11.6 days), each opened and closed
import datetime, sys
w = sys.stdout.write
t0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
for i in range(1000000):
    ts = (t0 + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    c = "s%07d" % i
    w('{"ts":"%s","conv":"%s","type":"open"}\n' % (ts, c))
    w('{"ts":"%s","conv":"%s","type":"close"}\n' % (ts, c))
PY
set -- $(best_of_3 "$huashu" replay --top 0 "$short_in")
row "replay of 1 M conversations opened and closed, one a second: peak RSS" "$(calc "$2 / 1024") MiB" \
  "1,000 ids replay: $(calc "$replay_rss / 1024") MiB" "$(calc "$2 / $replay_rss")" "< 20 MiB, flat"

# ---- the console under load: key to screen and RSS (bench/keylat.py) ---------------------------
if [ "$live_s" -gt 0 ]; then
  rm -rf "$XDG_STATE_HOME"
  result=$(python3 "$top/bench/keylat.py" --keys $(((live_s - 3) * 4)) -- \
    "$huashu" --feed "exec:python3 $top/bench/feed-gen.py --convs 1000 --rate 10000")
  row "console, 1,000 chats x 10,000 events/s for $live_s s, default settings" "$result" \
    "-" "-" "key p99 < 5 ms; RSS < 64 MB"
fi
