#!/bin/sh
# bench/lookup.sh: HTTP lookups against the loopback test server (tests/tools/httpd.py), side
# by side in the same run with curl fetching the same URLs (record them in bench/RESULTS.md).
# usage: bench/lookup.sh [BUILD_DIR]   N=1000 PARALLEL=32 RUNS=5 by default
#  1. N lookups over PARALLEL connections: huashu lookup order bench-1..N --parallel PARALLEL,
#     and curl --parallel --parallel-max PARALLEL on the same N URLs; median of RUNS each,
#     alternating, and the ratio huashu/curl (target <= 1.2).
#  2. STALL lookups that each wait 1 s on the server, all at once: the wall time shows they
#     run in flight together inside one loop (STALL x 1 s one after another).
#  3. SEQ lookups one after another (--parallel 1): the time per lookup next to curl's.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
[ -n "$build" ] || { [ -x "$top/src/huashu" ] && build=$top || build=$top/build; }
huashu="$build/src/huashu"
N=${N:-1000} PARALLEL=${PARALLEL:-32} RUNS=${RUNS:-5} STALL=${STALL:-200}
[ -x "$huashu" ] || { echo "bench: build huashu first ($huashu)"; exit 2; }
command -v python3 >/dev/null && command -v curl >/dev/null || { echo "bench: needs python3 and curl"; exit 2; }
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8 XDG_CONFIG_HOME="$tmp" HUASHU_DATA="$top/data"

mkfifo "$tmp/ready"
python3 "$top/tests/tools/httpd.py" --ready "$tmp/ready" >/dev/null 2>&1 &
server=$!
read -r port _ <"$tmp/ready"
base="http://127.0.0.1:$port"
cat >"$tmp/config.yaml" <<EOF
lookup:
  protocols: http
  cache_ttl: 0
  retries: 0
  timeout: 60s
  order: {url: "$base/generic/orders/{id}"}
  stock: {url: "$base/slow/1?sku={id}"}
EOF
ids=$(seq -f 'bench-%g' 1 "$N")
: >"$tmp/curl.cfg"
for id in $ids; do printf 'url = "%s/generic/orders/%s"\noutput = "/dev/null"\n' "$base" "$id" >>"$tmp/curl.cfg"; done

ms() { date +%s%N; }
# median of the numbers on stdin
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: tests/tools/httpd.py (python3 ThreadingHTTPServer, HTTP/1.1 keep-alive) on $base"
: >"$tmp/h" && : >"$tmp/c"
for _ in $(seq "$RUNS"); do
  s=$(ms); "$huashu" lookup --config "$tmp/config.yaml" --format json --parallel "$PARALLEL" order $ids >"$tmp/out" 2>"$tmp/err"; rc=$?; e=$(ms)
  ok=$(grep -c '"status":"ok"' "$tmp/out")
  [ "$rc" -eq 0 ] && [ "$ok" -eq "$N" ] || { echo "bench: huashu failed (exit $rc, $ok of $N ok)"; head -3 "$tmp/err"; exit 1; }
  echo $(((e - s) / 1000000)) >>"$tmp/h"
  s=$(ms); curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$tmp/curl.cfg" 2>/dev/null || { echo "bench: curl failed"; exit 1; }; e=$(ms)
  echo $(((e - s) / 1000000)) >>"$tmp/c"
done
h=$(median <"$tmp/h") c=$(median <"$tmp/c")
echo "1. $N lookups over $PARALLEL connections: huashu $h ms, curl --parallel $c ms (median of $RUNS; runs: huashu $(tr '\n' ' ' <"$tmp/h")/ curl $(tr '\n' ' ' <"$tmp/c"))"
echo "   ratio huashu/curl: $(echo "scale=2; $h / $c" | bc) (target <= 1.2); huashu $(echo "$N * 1000 / $h" | bc) lookups/s"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%U %S %M' -o "$tmp/t" "$huashu" lookup --config "$tmp/config.yaml" --format json --parallel "$PARALLEL" order $ids >/dev/null 2>&1
  read -r hu hs hm <"$tmp/t"
  /usr/bin/time -f '%U %S %M' -o "$tmp/t" curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$tmp/curl.cfg" 2>/dev/null
  read -r cu cs cm <"$tmp/t"
  echo "   CPU user+sys: huashu $hu+$hs s (peak RSS $hm KiB, JSON mapping and output included), curl $cu+$cs s (peak RSS $cm KiB)"
fi

sk=$(seq -f 'CUP-%g' 1 "$STALL")
s=$(ms); "$huashu" lookup --config "$tmp/config.yaml" --format json --parallel "$STALL" stock $sk >"$tmp/out" 2>/dev/null; e=$(ms)
echo "2. $STALL lookups each stalled 1 s by the server, all in flight at once: $(((e - s) / 1000000)) ms wall (one after another: $STALL s); $(grep -c '"status":"ok"' "$tmp/out") answered"

# 3. one lookup at a time (--parallel 1, the connection reused), as an agent's key presses
#    come: SEQ lookups in one process next to curl fetching the same URLs one by one
SEQ=${SEQ:-500}
seqids=$(seq -f 'bench-%g' 1 "$SEQ")
: >"$tmp/seq.cfg"
for id in $seqids; do printf 'url = "%s/generic/orders/%s"\noutput = "/dev/null"\n' "$base" "$id" >>"$tmp/seq.cfg"; done
s=$(ms); "$huashu" lookup --config "$tmp/config.yaml" --format json --parallel 1 order $seqids >/dev/null 2>&1; e=$(ms)
s2=$(ms); curl -s -K "$tmp/seq.cfg"; e2=$(ms)
h=$(((e - s) / 1000)) c=$(((e2 - s2) / 1000))
echo "3. $SEQ lookups one after another on one connection: huashu $((h / 1000)) ms ($((h / SEQ)) us each), curl $((c / 1000)) ms ($((c / SEQ)) us each), process start-up included once"
