#!/bin/sh
# bench/soak.sh: the console on a long live feed, for bench/RESULTS.md (needs python3).
#   200 conversations, 100 events/s from a bridge (bench/feed-gen.py via --feed exec:), an agent
#   typing a key every 0.25 s (bench/keylat.py), for SECONDS (default 600): resident memory
#   every 30 s, CPU used, key-to-screen latency, and events generated against events in the
#   session log. Run once with the default scrollback (1,000 messages kept per conversation,
#   not reached in 10 minutes at this rate: memory grows with what is kept) and once with
#   scrollback 100 (reached after about 200 s: from then on memory must stay flat).
# usage: bench/soak.sh [BUILD_DIR] [SECONDS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
secs=${2:-600}
huashu="$build/src/huashu"
gen="$top/bench/feed-gen.py"
out="$top/bench/out/soak"
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
mkdir -p "$out"
export HUASHU_DATA="$top/data" XDG_CONFIG_HOME="$out/config" LC_ALL=C.UTF-8

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
keys=$(((secs - 3) * 4))
for scrollback in 1000 100; do
  export XDG_STATE_HOME="$out/state-$scrollback"
  rm -rf "$XDG_STATE_HOME" "$out/gen-$scrollback.txt"
  result=$(python3 "$top/bench/keylat.py" --keys "$keys" --rss-every 30 -- \
    "$huashu" --ui "scrollback=$scrollback" --no-bell \
    --feed "exec:sh -c 'exec python3 $gen --convs 200 --rate 100 2>$out/gen-$scrollback.txt'")
  sleep 1 # the bridge reports its count when its pipe closes
  generated=$(sed -n 's/^feed-gen: \([0-9]*\) events.*/\1/p' "$out/gen-$scrollback.txt")
  logged=$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | wc -l)
  # every logged event must be the generator's next one: complete, in order, no gap
  check=$(cat "$XDG_STATE_HOME"/huashu/sessions/*.jsonl | python3 -c '
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
bad = 0
for i, line in enumerate(sys.stdin):
    try:
        got, want = json.loads(line), json.loads(gen.event(i, 200))
    except ValueError:
        bad += 1
        continue
    if any(got.get(k) != want.get(k) for k in ("conv", "type", "from", "text")):
        bad += 1
print("%d unparseable or out of order" % bad)' "$gen")
  echo "console, 200 conversations x 100 events/s for $secs s, scrollback $scrollback:" \
    "$result; ${generated:-?} events generated, $logged in the session log ($check)"
done
