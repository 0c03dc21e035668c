#!/bin/sh
# The dependency arrows of README's Layout: core/ includes nothing of ui/, console/, net/,
# curses or curl; ui/ (the screen) includes no net/ or console/ header (it reaches them
# through app_ops); net/ nothing of ui/ or console/. Fails naming each include that breaks one.
SRC=${TESTDATA:-$(dirname "$0")/data}/../../src
[ -d "$SRC/core" ] || SRC=$(dirname "$0")/../src
echo "1..4"
n=0
# layer LABEL DIR PATTERN: ok when no file of DIR has an #include matching PATTERN.
layer() {
  n=$((n + 1))
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($3)" "$SRC/$2"/*.c "$SRC/$2"/*.h 2>/dev/null)
  if [ -z "$hits" ] && ls "$SRC/$2"/*.c >/dev/null 2>&1; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    printf '%s\n' "$hits" | sed 's/^/# /'
    failed=1
  fi
}
failed=0
layer "core/ includes no ui/, console/ or net/ header, no curses, no curl" core 'ui/|console/|net/|n?curses|curl/|ncursesw/'
layer "ui/ includes no net/ or console/ header, no curl" ui 'net/|console/|curl/'
layer "net/ includes no ui/ or console/ header, no curses" net 'ui/|console/|n?curses|ncursesw/'
n=$((n + 1))
if grep -q "#include \"ui/app.h\"" "$SRC/ui/app.c" && grep -q "app_ops" "$SRC/ui/app.h"; then
  echo "ok $n - the check looks at the real tree ($SRC)"
else
  echo "not ok $n - sources not found at $SRC"
  failed=1
fi
exit $failed
