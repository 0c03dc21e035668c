#!/bin/sh
# huashu audit --format html: one self-contained page, rendered by a real browser (headless
# Chromium, skipped when it is not installed): it renders, its charts carry the JSON report's
# numbers, and it is screenshotted (kept in $AUDIT_SCREENSHOT when set, for a look).
. "$(dirname "$0")/lib.sh"
plan 5

FLOOR="$TESTDATA/audit/floor.jsonl"
run_huashu audit --format html --target 80/30 -o "$TMP/report.html" "$FLOOR"
if [ "$rc" = 0 ] && [ ! -s "$TMP/out" ] && grep -q '^<!DOCTYPE html>' "$TMP/report.html" &&
   ! grep -Eqi '<script|<link|src=|@import|url\(' "$TMP/report.html" &&
   grep -q '&lt;b&gt;急&lt;/b&gt;' "$TMP/report.html"; then
  ok "one self-contained file: no script, no external resource, customer text escaped"
else not_ok "HTML file (rc=$rc)"; diag "$(cat "$TMP/err")"; fi
run_huashu audit --format json --target 80/30 "$FLOOR"
cp "$TMP/out" "$TMP/report.json"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] || ! command -v python3 >/dev/null 2>&1; then
  skip "rendered by Chromium: chromium or python3 not installed"
  skip "charts equal the JSON report: chromium not installed"
  skip "screenshot: chromium not installed"
else
  # no network, no GPU, a throw-away profile; --no-sandbox because CI runs as root
  chrome() {
    profile=$(mktemp -d "$TMP/profile.XXXXXX")
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" "$@" 2>>"$TMP/chromium.err"
  }
  chrome --dump-dom "file://$TMP/report.html" >"$TMP/dom.html"
  brc=$?
  if [ "$brc" = 0 ] && grep -q 'Made by huashu audit' "$TMP/dom.html" &&
     [ "$(grep -c '<svg id="\(sl-day\|sl-hour\|frt\)"' "$TMP/dom.html")" = 3 ]; then
    ok "rendered by Chromium: the whole page and its three charts"
  else not_ok "Chromium render (rc=$brc)"; diag "$(tail -5 "$TMP/chromium.err")"; fi

  if python3 - "$TMP/dom.html" "$TMP/report.json" >"$TMP/compare" 2>&1 <<'PY'
import json, re, sys
dom, report = open(sys.argv[1], encoding="utf-8").read(), json.load(open(sys.argv[2]))
charts, totals = report["charts"], report["totals"]
def attrs(tag_re):
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', m)) for m in re.findall(tag_re, dom)]
bars = attrs(r'<rect class="bar"([^>]*)>')
assert [int(b["data-count"]) for b in bars] == [h["count"] for h in charts["frt_histogram"]], bars
assert [int(b["data-from"]) for b in bars] == [h["from_s"] for h in charts["frt_histogram"]]
def section(chart_id):
    return dom[dom.index('<svg id="%s"' % chart_id):].split("</svg>", 1)[0]
days = re.findall(r'data-day="([^"]+)" data-sl="([^"]+)"', section("sl-day"))
want = [(d["day"], "%.2f" % d["service_level"]) for d in charts["sl_by_day"] if d["service_level"] is not None]
assert days == want, (days, want)
hours = re.findall(r'data-hour="(\d+)" data-sl="([^"]+)"', section("sl-hour"))
want = [(str(h["hour"]), "%.2f" % h["service_level"]) for h in charts["sl_by_hour"] if h["service_level"] is not None]
assert hours == want, (hours, want)
for chart in ("sl-day", "sl-hour"):
    assert 'data-target="%.2f"' % totals["target_percent"] in section(chart), chart
rows = re.findall(r'<tr class="agent" data-label="([^"]+)">', dom)
assert rows == ["%s %s" % (a["agent"], a["agent_name"]) for a in report["agents"]], rows
sl_bars = re.findall(r'<tr class="agent"[^>]*>.*?class="pbar" data-value="([^"]+)"', dom)
assert sl_bars == ["%.2f" % a["service_level"] for a in report["agents"]], sl_bars
worst = re.findall(r'<div class="conv" data-breaches="(\d+)">', dom)
assert [int(w) for w in worst] == [w["breaches"] for w in report["worst"]], worst
print("%d bars, %d days, %d hours, %d agents, %d worst conversations" % (len(bars), len(days), len(hours), len(rows), len(worst)))
PY
  then ok "charts equal the JSON report: $(cat "$TMP/compare")"
  else not_ok "charts against JSON"; diag "$(cat "$TMP/compare")"; fi

  chrome --screenshot="$TMP/report.png" --window-size=1100,2400 "file://$TMP/report.html" >/dev/null
  if [ -s "$TMP/report.png" ] && [ "$(head -c 8 "$TMP/report.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] &&
     [ "$(stat -c %s "$TMP/report.png")" -gt 50000 ]; then
    ok "screenshot: a PNG of the page ($(stat -c %s "$TMP/report.png") bytes)"
    [ -n "${AUDIT_SCREENSHOT:-}" ] && cp "$TMP/report.png" "$AUDIT_SCREENSHOT"
  else not_ok "screenshot"; diag "$(tail -5 "$TMP/chromium.err")"; fi
fi
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
