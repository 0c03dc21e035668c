#!/bin/sh
# bench/feed.sh: live-feed figures for bench/RESULTS.md (its "Live feeds" section).
#  1. events/s through a feed into the engine and the session log (huashu feed, no terminal);
#  2. memory of huashu feed at 200 conversations x 100 events/s and 1,000 x 10,000;
#  3. the console under 1,000 conversations at 10,000 events/s: key-to-screen latency of a
#     typed character, and RSS over the run; the same at 200 conversations x 100/s.
# usage: bench/feed.sh [BUILD_DIR] [SECONDS]   (SECONDS of each live run, default 30)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
secs=${2:-30}
[ -n "$build" ] || { [ -x "$top/src/huashu" ] && build=$top || build=$top/build; }
huashu="$build/src/huashu"
[ -x "$huashu" ] || huashu="$build/huashu"
[ -x "$huashu" ] || { echo "bench: build huashu first"; exit 2; }
gen="python3 $top/bench/feed-gen.py"
work=$(mktemp -d "${TMPDIR:-/tmp}/huashu-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HUASHU_DATA="$top/data"
export LC_ALL=C.UTF-8 TZ=UTC
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# --- 1. throughput ------------------------------------------------------------------------
$gen --convs 1000 --count 1000000 >"$work/1m.jsonl" 2>/dev/null
for mode in "" "--no-log"; do
  "$huashu" feed --quiet --stats $mode - <"$work/1m.jsonl" 2>&1 | grep -o '[0-9]* events in .*/s)' |
    sed "s/^/feed - ${mode:-(session log on)}: /"
done
"$huashu" feed --quiet --stats --once --no-log "exec:sh -c 'cat $work/1m.jsonl'" 2>&1 |
  grep -o '[0-9]* events in .*/s)' | sed 's/^/feed exec:cat (pipe from a bridge, no log): /'

# rss_kib PID: resident memory now
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# --- 2. huashu feed under a live load: memory over time --------------------------------------
for load in "200 100" "1000 10000"; do
  set -- $load
  rm -rf "$XDG_STATE_HOME"
  "$huashu" feed --quiet "exec:$gen --convs $1 --rate $2 --seconds $((secs + 5))" 2>/dev/null &
  hp=$!
  samples=""
  for t in $(seq 5 5 "$secs"); do sleep 5; samples="$samples $(rss_kib $hp)"; done
  kill $hp
  wait $hp 2>/dev/null
  logged=$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | wc -l)
  echo "huashu feed, $1 conversations x $2 events/s for ${secs} s: RSS KiB every 5 s:$samples;" \
    "$logged events logged"
done

# --- 3. the console under load, on a pseudo-terminal (bench/keylat.py) ----------------------
keys=$(( (secs - 3) * 4 ))
for load in "1000 10000 1000" "1000 10000 100" "200 100 1000"; do
  set -- $load
  rm -rf "$XDG_STATE_HOME"
  result=$(python3 "$top/bench/keylat.py" --keys "$keys" -- \
    "$huashu" --ui "scrollback=$3" --feed "exec:$gen --convs $1 --rate $2")
  logged=$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | wc -l)
  echo "console, $1 conversations x $2 events/s for ${secs} s, scrollback $3:" \
    "$result; $logged events logged"
done
