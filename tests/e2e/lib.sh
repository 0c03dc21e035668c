# lib.sh: TAP helpers for huashu's end-to-end tests (sourced by tests/e2e/*.sh).
# make check exports HUASHU (the built binary), HUASHU_DATA, TESTDATA and SHARED.
# HUASHU_WRAPPER (e.g. "valgrind -q --error-exitcode=99 --leak-check=full") runs every
# invocation of the binary under a tool: the tests run it through huashu_run, huashu_exec or
# run_huashu (the tmux tests through console-lib.sh's start), never "$HUASHU" directly. Here a
# valgrind wrapper writes its reports to $VG_LOGS/PID.log, out of the stderr the tests read;
# each test ends with a check of no_sanitizer_reports, which reads them. In an ASan+UBSan
# build the sanitizers' reports go to $SAN_LOGS/asan.PID and ubsan.PID (log_path) for the same
# reason: a run whose stderr a test throws away, or whose status 1 a test expects, still counts.
# CONSOLE_WAIT scales every wait and time limit (default 1; raise it under valgrind).
set -u
: "${HUASHU:?run through make check, or set HUASHU to the built binary}"
: "${TESTDATA:=$(cd "$(dirname "$0")/../data" && pwd)}"
export LC_ALL=C.UTF-8
export TZ=UTC
TMP=$(mktemp -d "${TMPDIR:-/tmp}/huashu-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# keep the developer's real config and state out of the tests
export XDG_CONFIG_HOME="$TMP/config" XDG_STATE_HOME="$TMP/state" XDG_DATA_HOME="$TMP/data"
export XDG_CACHE_HOME="$TMP/cache"
test_count=0
failed=0
WAIT_SCALE=${CONSOLE_WAIT:-1}
VG_LOGS="$TMP/valgrind"
HUASHU_RUN=${HUASHU_WRAPPER:-}
case $HUASHU_RUN in
*valgrind*)
  mkdir -p "$VG_LOGS"
  HUASHU_RUN="$HUASHU_RUN --log-file=$VG_LOGS/%p.log"
  ;;
esac

SAN_LOGS="$TMP/sanitizer"
mkdir -p "$SAN_LOGS"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$SAN_LOGS/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$SAN_LOGS/ubsan"

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

# huashu_run ARGS...: runs the binary (through HUASHU_WRAPPER); stdin, stdout, stderr and the
# exit status are the program's own.
# shellcheck disable=SC2086
huashu_run() { $HUASHU_RUN "$HUASHU" "$@"; }

# huashu_exec ARGS...: the same in place of the shell, for a background process whose pid ($!)
# must be the program's: bg huashu_exec feed ..., or (huashu_exec ARGS) &.
# shellcheck disable=SC2086
huashu_exec() { exec $HUASHU_RUN "$HUASHU" "$@"; }

# run_huashu ARGS...: runs the binary, capturing stdout in $TMP/out, stderr in $TMP/err, status in $rc.
# Every run's stderr is kept in $TMP/stderr.all for no_sanitizer_reports.
run_huashu() {
  rc=0
  huashu_run "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/err" >>"$TMP/stderr.all"
}

# no_sanitizer_reports: no AddressSanitizer, LeakSanitizer, UBSan or valgrind report in the
# stderr this test kept ($TMP/*err*) nor in the sanitizers' or valgrind's logs; prints them
# otherwise.
no_sanitizer_reports() {
  sleep 0.5 # a process just ended may still be writing its report
  ! cat "$TMP"/*err* "$SAN_LOGS"/* "$VG_LOGS"/*.log 2>/dev/null |
    grep -E 'AddressSanitizer|LeakSanitizer|runtime error|^==[0-9]+== '
}

# contains FILE TEXT: the file holds TEXT (fixed string).
contains() { grep -qF -- "$2" "$1"; }

done_testing() { exit $((failed > 0)); }
