#!/bin/sh
# bench/forget.sh: engine memory on an endless stream of short conversations, for
# bench/RESULTS.md. N conversations (default 1,000,000), each a new id: open, a customer line,
# an agent line, close, one conversation starting every second of event time. `huashu feed -`
# runs them through the engine and the session log and reports its peak RSS (--stats); with
# closed conversations forgotten after 10 minutes it must stay flat whatever N is.
# usage: bench/forget.sh [BUILD_DIR] [N]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
n=${2:-1000000}
huashu="$build/src/huashu"
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
out="$top/bench/out/forget"
mkdir -p "$out"
export HUASHU_DATA="$top/data" XDG_CONFIG_HOME="$out/config" XDG_STATE_HOME="$out/state" LC_ALL=C.UTF-8
rm -rf "$out/state"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for count in $((n / 10)) "$n"; do
  python3 - "$count" <<'PY' | "$huashu" feed --stats --quiet --no-log --exit-on-end - 2>&1 >/dev/null | grep -E 'events in|RSS'
import sys, time
n = int(sys.argv[1])
t0 = 1795399200  # 2026-11-23T02:00:00Z
out = sys.stdout
def ts(s, ms=0):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % ms
for i in range(n):
    s = t0 + i
    c = "c%d" % i
    out.write('{"ts":"%s","conv":"%s","type":"open"}\n' % (ts(s), c))
    out.write('{"ts":"%s","conv":"%s","type":"message","from":"customer","text":"在吗"}\n' % (ts(s, 100), c))
    out.write('{"ts":"%s","conv":"%s","type":"message","from":"agent","text":"您好,请问有什么可以帮您?"}\n' % (ts(s, 200), c))
    out.write('{"ts":"%s","conv":"%s","type":"close"}\n' % (ts(s, 900), c))
PY
done
