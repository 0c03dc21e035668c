#!/bin/sh
# make fuzz-smoke: runs every libFuzzer target for a fixed number of runs over seed corpora
# built from tests/data, data/playbooks and ../shared/corpus. Prints TAP; a crash leaves its
# input in $FUZZ_OUT and fails the target. Longer runs: FUZZ_RUNS=-1 FUZZ_TIME=600.
set -u
builddir=${1:?usage: smoke.sh BUILDDIR SRCDIR}
srcdir=${2:?usage: smoke.sh BUILDDIR SRCDIR}
runs=${FUZZ_RUNS:-20000}
time_limit=${FUZZ_TIME:-0}
out=${FUZZ_OUT:-$builddir/fuzz-out}
corpus=$out/corpus
shared=$srcdir/../shared/corpus/taobao-ecd.jsonl
mkdir -p "$out"
export HUASHU_DATA="$srcdir/data" LC_ALL=C.UTF-8

# split_lines DIR FILE...: one seed file per input line
split_lines() {
  dir=$1
  shift
  mkdir -p "$dir"
  cat "$@" 2>/dev/null | head -400 | awk -v d="$dir" '{ f = sprintf("%s/l%04d", d, NR); print > f; close(f) }'
}

rm -rf "$corpus"
split_lines "$corpus/event" "$srcdir"/tests/data/replay/*.jsonl "$srcdir"/tests/data/audit/*.jsonl "$shared"
mkdir -p "$corpus/playbook" "$corpus/config"
cp "$srcdir"/tests/data/playbooks/*.yaml "$srcdir"/data/playbooks/*.yaml "$corpus/playbook/"
printf 'playbook: zh_TW\nagent: {company: x, agent_no: "1"}\nui: {bell: false, ambiguous_width: 2, lint_mode: block}\naudit: {response_target: 15s}\n' >"$corpus/config/c1"
printf 'ui:\n  bell: maybe\nfeed: "-"\n' >"$corpus/config/c2"
split_lines "$corpus/text" "$shared" "$srcdir"/tests/data/replay/*.jsonl
if [ -f "$shared" ]; then
  mkdir -p "$corpus/lint"
  sed -n 's/.*"from": *"agent", *"text": *"\([^"]*\)".*/\1/p' "$shared" | head -300 |
    awk -v d="$corpus/lint" '{ f = sprintf("%s/l%04d", d, NR); print > f; close(f) }'
else
  split_lines "$corpus/lint" "$srcdir"/tests/data/replay/*.jsonl
fi

mkdir -p "$corpus/drill" "$corpus/fieldmap" "$corpus/chatwoot"
for f in "$srcdir"/data/drills/*/*.yaml "$srcdir"/tests/data/drills/*.yaml; do
  cp "$f" "$corpus/drill/$(basename "$(dirname "$f")")-$(basename "$f")"
done
for f in "$srcdir"/data/lookup/*/*.json "$srcdir"/tests/data/lookup/*.json; do
  cp "$f" "$corpus/fieldmap/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# fieldmap seeds with a map spec (FIELD KEY VALUE lines, an empty line, the body)
{
  printf '@ record orders[0]\nid path name\nid required true\nstatus path fulfillment_status\n'
  printf 'status default 未发货\nstatus map fulfilled=已发货\ncarrier path fulfillments[-1].tracking_company\n'
  printf 'items each line_items\nitems format {name} ×{quantity}\ntotal format {total_price} {currency}\n\n'
  cat "$srcdir/tests/data/lookup/shopify-order.json"
} >"$corpus/fieldmap/spec-shopify-order"
{
  printf '@ error errors[0].message\nsku path /sku\n'
  printf 'status path inventoryQuantity\nstatus stock true\nstatus required true\n@ low_at 10\n\n'
  cat "$srcdir/tests/data/lookup/shopify-variant.json"
} >"$corpus/fieldmap/spec-shopify-variant"
{
  printf 'sku path sku\nstatus path stock_quantity\nstatus path stock_status\n'
  printf 'status stock true\nstatus map instock=有现货\n@ low_stock 仅剩{n}件\n\n'
  cat "$srcdir/tests/data/lookup/woo-product.json"
} >"$corpus/fieldmap/spec-woo-product"
cp "$srcdir"/tests/data/chatwoot/*.json "$corpus/chatwoot/"
# drill_log seeds: whole session logs and answers files (one conversation each), up to 60 lines
mkdir -p "$corpus/drill_log"
for f in "$srcdir"/tests/data/drills/*.jsonl "$srcdir"/tests/data/replay/*.jsonl \
  "$srcdir"/data/demo/shift.jsonl; do
  head -60 "$f" >"$corpus/drill_log/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# lineedit seeds: a header byte pair, then keys, typed text and pastes holding paste markers
mkdir -p "$corpus/lineedit"
printf '\377\000\013\010hello 王\014\040\033[201~\r\n\342\200\256pasted\005\001\012\016\024' >"$corpus/lineedit/s1"
{ printf '\002\001\015\020'; head -c 256 "$srcdir/tests/data/audit/basic.jsonl"; printf '\016\003\007\006'; } >"$corpus/lineedit/s2"

targets="event playbook config text lint drill fieldmap chatwoot drill_log lineedit"
n=0
echo "1..$(echo $targets | wc -w)"
for t in $targets; do
  n=$((n + 1))
  bin=$builddir/tests/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "not ok $n - fuzz_$t: not built (configure CC=clang --enable-fuzzing)"
    continue
  fi
  mkdir -p "$out/$t-new"
  log=$out/fuzz_$t.log
  if "$bin" -runs="$runs" -max_total_time="$time_limit" -artifact_prefix="$out/$t-" \
    -print_final_stats=1 "$out/$t-new" "$corpus/$t" >"$log" 2>&1; then
    stats=$(grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -1)
    echo "ok $n - fuzz_$t: $stats"
  else
    echo "not ok $n - fuzz_$t: see $log"
    tail -20 "$log" | sed 's/^/# /'
  fi
done
