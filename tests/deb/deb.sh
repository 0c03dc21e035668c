#!/bin/sh
# deb.sh BUILD_DIR: the Debian package, end to end (a stage of scripts/quickstart test, not of
# make check: it builds the whole package, ~1.5 min). From BUILD_DIR (a configured build tree)
# it makes the release tarball, unpacks it in a scratch directory, runs
#   DEB_BUILD_OPTIONS="nocheck parallel=N" dpkg-buildpackage -b -us -uc
# there (the test suite has run already), checks the result with lintian, unpacks the .deb
# with dpkg -x into a scratch root and runs the installed program from another directory:
# bundled playbooks, drills, demo and sample data found beside it, man pages rendering,
# the zh_CN and zh_TW interface under LANG=zh_CN.UTF-8 / zh_TW.UTF-8, bash completion.
# Nothing is written to the source tree; BUILD_DIR keeps deb.log (the build's output).
# TAP output; exit status 1 when something failed.
set -u
build=$(cd "${1:?usage: tests/deb/deb.sh BUILD_DIR}" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/huashu-deb.XXXXXX")
SOCK="huashu-deb-$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
export TZ=UTC
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check NAME COMMAND...: ok when the command succeeds, else its output as diagnostics.
check() {
  name=$1
  shift
  if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name"; diag "$out"; fi
}
# locale_env LANG: LANG=LANG.UTF-8 when generated here, else LANGUAGE=LANG on C.UTF-8 (run
# with LC_ALL, LC_MESSAGES and LANGUAGE unset: the user's LANG decides).
locale_env() {
  if locale -a 2>/dev/null | grep -qi "^$1.utf-\?8$"; then echo "LANG=$1.UTF-8"; else echo "LANG=C.UTF-8 LANGUAGE=$1"; fi
}
unset LC_ALL LC_MESSAGES LANGUAGE
echo "1..16"

# --- build ------------------------------------------------------------------------------------------
for tool in dpkg-buildpackage dpkg-checkbuilddeps lintian; do
  command -v $tool >/dev/null || { not_ok "$tool not found (scripts/quickstart deps installs it)"; exit 1; }
done
log=$build/deb.log
: >"$log"
deb=""
if ! make -s -C "$build" dist >>"$log" 2>&1; then
  not_ok "make dist"; diag "$(tail -20 "$log")"
else
  tarball=$(ls -t "$build"/huashu-*.tar.gz | head -1)
  mkdir -p "$TMP/src" && tar -xzf "$tarball" -C "$TMP/src" && rm -f "$tarball"
  src=$(ls -d "$TMP"/src/huashu-*/)
  if ! (cd "$src" && dpkg-checkbuilddeps) >>"$log" 2>&1; then
    not_ok "build dependencies installed"; diag "$(tail -5 "$log")"
  elif (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -b -us -uc) >>"$log" 2>&1; then
    deb=$(ls "$TMP"/src/huashu_*_*.deb 2>/dev/null | head -1)
  fi
fi
if [ -n "$deb" ]; then ok "dpkg-buildpackage -b -us -uc builds ${deb##*/}"; else
  not_ok "dpkg-buildpackage"; diag "$(tail -30 "$log")"; echo "# see $log"; exit 1; fi

# lintian: no error or warning (its informational tags are explained in debian/README.Debian)
changes=$(ls "$TMP"/src/huashu_*.changes | head -1)
lintian "$changes" >"$TMP/lintian" 2>&1
if grep -qE '^[EW]: ' "$TMP/lintian"; then not_ok "lintian clean"; diag "$(grep -E '^[EW]: ' "$TMP/lintian")"; else
  ok "lintian clean (no error or warning)"; fi

# libcurl is loaded with dlopen (lookups, the Chatwoot feed), so shlibs cannot see it
depends=$(dpkg-deb -f "$deb" Depends)
if printf '%s' "$depends" | grep -q 'libcurl4 (>= 7.68.0) | libcurl4t64'; then
  ok "the package depends on libcurl4, which huashu loads on first use"; else
  not_ok "Depends: libcurl4"; diag "Depends: $depends"; fi

root=$TMP/root
dpkg -x "$deb" "$root"
for f in usr/bin/huashu usr/share/huashu/playbooks/zh_CN.yaml usr/share/huashu/drills/zh_CN/silent_call.yaml \
  usr/share/huashu/demo/shift.jsonl usr/share/man/man1/huashu.1.gz usr/share/locale/zh_CN/LC_MESSAGES/huashu.mo \
  usr/share/locale/zh_TW/LC_MESSAGES/huashu.mo usr/share/bash-completion/completions/huashu \
  usr/share/doc/huashu/README.Debian usr/share/doc/huashu/copyright \
  usr/share/doc/huashu/examples/http_json_bridge.py; do
  [ -e "$root/$f" ] || missing="${missing:-} $f"
done
if [ -z "${missing:-}" ]; then ok "the package holds the program, data, man pages, catalogues, completion, README.Debian, the example bridge"; else
  not_ok "package contents"; diag "missing:$missing"; fi

# --- the installed program, run from elsewhere, nothing pointing at a source tree ---------------------
mkdir -p "$TMP/home" "$TMP/elsewhere"
installed() {
  (cd "$TMP/elsewhere" && env -u HUASHU_DATA -u HUASHU_LOCALEDIR HOME="$TMP/home" XDG_DATA_DIRS=/nonexistent \
    XDG_CONFIG_HOME="$TMP/home/config" XDG_STATE_HOME="$TMP/home/state" XDG_DATA_HOME="$TMP/home/data" \
    "$root/usr/bin/huashu" "$@")
}
installed check >"$TMP/out" 2>&1
if [ "$(grep -c "^$root/usr/share/huashu/playbooks/.*: ok" "$TMP/out")" = 3 ]; then
  ok "huashu check finds the three bundled playbooks under the scratch root"; else
  not_ok "bundled playbooks"; diag "$(cat "$TMP/out")"; fi
check "huashu lookup --demo reads the bundled sample orders" sh -c \
  "$(printf '%s' "cd '$TMP/elsewhere' && env -u HUASHU_DATA XDG_DATA_DIRS=/nonexistent '$root/usr/bin/huashu' lookup --demo order 1001")"
printf '%s\n' '{"ts":"2026-11-23T10:00:06+08:00","conv":"drill","type":"message","from":"agent","text":"您好"}' >"$TMP/answers.jsonl"
installed drill run zh_CN/silent_call --answers "$TMP/answers.jsonl" >"$TMP/out" 2>&1
if grep -q "^Drill silent_call: .*(playbook zh_CN)" "$TMP/out"; then ok "a bundled drill runs by name (zh_CN/silent_call)"; else
  not_ok "bundled drill"; diag "$(cat "$TMP/out")"; fi
check "huashu --version" installed --version

# man pages render without warnings, found through MANPATH like an installed page
for page in 1:huashu 5:huashu-playbook 5:huashu-config 5:huashu-drill; do
  sec=${page%%:*} name=${page#*:}
  out=$(MANPATH="$root/usr/share/man" LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings "$sec" "$name" 2>"$TMP/manerr")
  if printf '%s' "$out" | grep -q "^NAME" && [ ! -s "$TMP/manerr" ]; then ok "man $sec $name renders"; else
    not_ok "man $sec $name"; diag "$(cat "$TMP/manerr")" "$(printf '%s' "$out" | head -5)"; fi
done

# the interface in zh_CN and zh_TW: a message without a terminal, then the console in tmux
for l in zh_CN:控制台需要终端 zh_TW:主控台需要終端機; do
  lang=${l%%:*} want=${l#*:}
  # shellcheck disable=SC2046
  out=$(export $(locale_env "$lang"); installed </dev/null 2>&1)
  if printf '%s' "$out" | grep -qF "$want"; then ok "$lang message under $(locale_env "$lang")"; else
    not_ok "$lang message"; diag "$out"; fi
done
if command -v tmux >/dev/null; then
  cat >"$TMP/console.sh" <<RUN
#!/bin/sh
cd "$TMP/elsewhere" && exec env -u HUASHU_DATA -u HUASHU_LOCALEDIR -u LC_ALL $(locale_env zh_CN) TERM=xterm-256color HOME="$TMP/home" \
  XDG_DATA_DIRS=/nonexistent XDG_CONFIG_HOME="$TMP/home/config" XDG_STATE_HOME="$TMP/home/state" \
  XDG_DATA_HOME="$TMP/home/data" "$root/usr/bin/huashu"
RUN
  tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 "sh $TMP/console.sh"
  i=0
  while [ $i -lt 100 ] && ! tmux -L "$SOCK" capture-pane -p -t t | grep -q "接入聊天"; do sleep 0.1; i=$((i + 1)); done
  screen=$(tmux -L "$SOCK" capture-pane -p -t t)
  if printf '%s' "$screen" | grep -q "队列" && printf '%s' "$screen" | grep -q "接入聊天"; then
    ok "the console in zh_CN on the bundled demo, with its connect hint"; else
    not_ok "the console in zh_CN"; diag "$screen"; fi
  tmux -L "$SOCK" kill-server >/dev/null 2>&1
else
  echo "ok $((n = n + 1)) - the console in zh_CN # SKIP no tmux"
fi

# bash completion as installed: huashu from the scratch root, its playbooks found beside it
got=$(cd "$TMP/elsewhere" && env -u HUASHU_DATA PATH="$root/usr/bin:$PATH" XDG_DATA_DIRS=/nonexistent \
  XDG_DATA_HOME="$TMP/home/data" bash -c '. "$1"; COMP_WORDS=(huashu --playbook ""); COMP_CWORD=2
    _huashu; printf "%s " "${COMPREPLY[@]}"' _ "$root/usr/share/bash-completion/completions/huashu" 2>&1)
if [ "$got" = "en zh_CN zh_TW " ]; then ok "bash completion offers the installed playbooks"; else
  not_ok "bash completion"; diag "got: [$got]"; fi
done_deb=$failed
exit $((done_deb > 0))
