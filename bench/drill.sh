#!/bin/sh
# bench/drill.sh: drill figures for bench/RESULTS.md. Run from the top of a built tree:
#   sh bench/drill.sh
# 1. every bundled drill scored with its model and wrong answers (40 processes);
# 2. one long drill (500 steps, 1,500 expectations, 500 answers) scored in one process;
# 3. huashu drill report over 10,000 saved results (about 40 MB of JSON).
# Instruction counts need valgrind (callgrind); without it only wall-clock times are printed.
set -eu
HUASHU=${HUASHU:-src/huashu}
export HUASHU_DATA=${HUASHU_DATA:-data} LC_ALL=C.UTF-8
W=$(mktemp -d "${TMPDIR:-/tmp}/huashu-bench-drill.XXXXXX")
trap 'rm -rf "$W"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

t0=$(now)
for f in "$HUASHU_DATA"/drills/*/*.yaml; do
  loc=$(basename "$(dirname "$f")") name=$(basename "$f" .yaml)
  for kind in model wrong; do
    "$HUASHU" drill run "$f" --answers "tests/data/drills/$loc-$name.$kind.jsonl" >/dev/null || true
  done
done
echo "bundled drills, model and wrong answers: $(elapsed "$t0" "$(now)") s for 40 runs"

python3 - "$W" <<'EOF'
import sys
w = sys.argv[1]
with open(w + "/long.yaml", "w") as f:
    f.write("drill: long\ntitle: long\nplaybook: zh_CN\nlimit: 1h\nsteps:\n")
    for i in range(500):
        f.write("  - id: s%d\n    customer: 第%d个问题,订单还没到?\n    expect:\n"
                "      - {say: 回复%d, within: 20s}\n"
                "      - {line: [hold.ask, inquiry.checking], within: 20s}\n"
                "      - {never: [不知道]}\n" % (i, i, i))
with open(w + "/long.jsonl", "w") as f:
    for i in range(500):
        f.write('{"at":%d,"text":"回复%d,请稍等,我帮您查询一下。","line":"inquiry.checking"}\n'
                % (2 * i + 2, i))
EOF
t0=$(now)
"$HUASHU" drill run "$W/long.yaml" --answers "$W/long.jsonl" --format json >"$W/long.json"
echo "long drill (500 steps, 1,500 expectations): $(elapsed "$t0" "$(now)") s"
if command -v valgrind >/dev/null 2>&1; then
  valgrind --tool=callgrind --callgrind-out-file="$W/cg" "$HUASHU" drill run "$W/long.yaml" \
    --answers "$W/long.jsonl" >/dev/null 2>"$W/cg.err" || true
  echo "  $(grep -o 'refs: *[0-9,]*' "$W/cg.err") instructions"
  valgrind --tool=callgrind --callgrind-out-file="$W/cg2" "$HUASHU" drill run \
    "$HUASHU_DATA/drills/zh_CN/order_hold.yaml" \
    --answers tests/data/drills/zh_CN-order_hold.model.jsonl >/dev/null 2>"$W/cg2.err" || true
  echo "order_hold with its model answers, whole process: $(grep -o 'refs: *[0-9,]*' "$W/cg2.err") instructions"
fi

"$HUASHU" drill run zh_CN/order_hold --answers tests/data/drills/zh_CN-order_hold.model.jsonl \
  --format json >"$W/m.json" || true
"$HUASHU" drill run zh_CN/order_hold --answers tests/data/drills/zh_CN-order_hold.wrong.jsonl \
  --format json >"$W/w.json" || true
mkdir "$W/results"
python3 - "$W" <<'EOF'
import json, random, sys
w = sys.argv[1]
good, bad = open(w + "/m.json").read(), open(w + "/w.json").read()
random.seed(1)
for i in range(10000):
    d = json.loads(good if random.random() < 0.7 else bad)
    d["trainee"] = "t%d" % (i % 200)
    for e in d["expectations"]:
        if e["took_s"] is not None:
            e["took_s"] = round(e["took_s"] * random.uniform(0.5, 1.5), 1)
    open("%s/results/r%05d.json" % (w, i), "w").write(json.dumps(d, ensure_ascii=False))
EOF
/usr/bin/time -f "drill report over 10,000 results ($(du -sh "$W/results" | cut -f1)): %e s, peak RSS %M KiB" \
  "$HUASHU" drill report "$W/results" >/dev/null
