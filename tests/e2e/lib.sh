# lib.sh: TAP helpers for huashu's end-to-end tests (sourced by tests/e2e/*.sh).
# make check exports HUASHU (the built binary), HUASHU_DATA, TESTDATA and SHARED.
set -u
: "${HUASHU:?run through make check, or set HUASHU to the built binary}"
: "${TESTDATA:=$(cd "$(dirname "$0")/../data" && pwd)}"
export LC_ALL=C.UTF-8
export TZ=UTC
TMP=$(mktemp -d "${TMPDIR:-/tmp}/huashu-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# keep the developer's real config and state out of the tests
export XDG_CONFIG_HOME="$TMP/config" XDG_STATE_HOME="$TMP/state" XDG_DATA_HOME="$TMP/data"
test_count=0
failed=0

plan() { echo "1..$1"; }

ok() { test_count=$((test_count + 1)); echo "ok $test_count - $*"; }

not_ok() {
  test_count=$((test_count + 1))
  failed=$((failed + 1))
  echo "not ok $test_count - $*"
}

skip() { test_count=$((test_count + 1)); echo "ok $test_count - $* # SKIP"; }

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check NAME COMMAND...: ok when the command succeeds; prints its output as diagnostics otherwise.
check() {
  name=$1
  shift
  if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name"; diag "$out"; fi
}

# run_huashu ARGS...: runs the binary, capturing stdout in $TMP/out, stderr in $TMP/err, status in $rc.
run_huashu() {
  rc=0
  "$HUASHU" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

# contains FILE TEXT: the file holds TEXT (fixed string).
contains() { grep -qF -- "$2" "$1"; }

done_testing() { exit $((failed > 0)); }
