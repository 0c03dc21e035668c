#!/bin/sh
# What an install gives a desk: bash completion (subcommands, options from huashu's own
# --help, playbook names, drill names, files), and a program that finds its data and
# translations beside it when its install is moved (a .deb unpacked with dpkg -x into a
# scratch root, a copied prefix) - run from another directory, nothing pointing at the
# source tree. INSTALL_BINDIR, INSTALL_PKGDATADIR and INSTALL_LOCALEDIR come from make check.
. "$(dirname "$0")/lib.sh"
plan 16

top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "$(dirname "$HUASHU")/.." && pwd)

# --- bash completion ------------------------------------------------------------------------------
if ! command -v bash >/dev/null 2>&1; then
  for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "completion: no bash"; done
else
  # huashu on PATH runs the binary under test (through HUASHU_WRAPPER, like huashu_run); the
  # completion only asks for --help texts, each kept after its first run (valgrind is slow)
  mkdir -p "$TMP/bin" "$TMP/work" "$TMP/help"
  cat >"$TMP/bin/huashu" <<WRAP
#!/bin/sh
key=\$(printf '%s_' "\$@" | tr -c 'a-zA-Z0-9_-' _)
[ -f "$TMP/help/\$key" ] || $HUASHU_RUN "$HUASHU" "\$@" >"$TMP/help/\$key" 2>>"$TMP/err.help"
cat "$TMP/help/\$key"
WRAP
  chmod +x "$TMP/bin/huashu"
  : >"$TMP/work/shop.yaml"
  : >"$TMP/work/shift.jsonl"
  # complete WORD...: what the completion offers for the last word, sorted, on one line.
  complete_words() {
    (cd "$TMP/work" && PATH="$TMP/bin:$PATH" bash -c '
      . "$1/completion/bash/huashu"
      shift
      COMP_WORDS=("$@")
      COMP_CWORD=$(($# - 1))
      COMP_LINE="$*"
      _huashu
      printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$top" "$@")
  }
  # offers NAME WANTED WORD...: ok when the offer is exactly WANTED.
  offers() {
    name=$1 want=$2
    shift 2
    got=$(complete_words "$@")
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name"; diag "wanted: [$want]" "got:    [$got]"; fi
  }
  offers "completion: subcommands" "check " huashu ch
  offers "completion: the console's options, from huashu --help" "--playbook " huashu --pl
  offers "completion: a subcommand's options, from its --help" "--no-hints " huashu drill --no-h
  offers "completion: an option's values, as its --help spells them" "json text " huashu lint --format ""
  offers "completion: the console's --ambiguous-width values, from its --help" "1 2 " huashu --ambiguous-width ""
  offers "completion: bundled playbook names, and playbook files" "en shop.yaml zh_CN zh_TW " \
    huashu replay --playbook ""
  offers "completion: a value is skipped when finding the subcommand" "--top " \
    huashu replay --playbook zh_CN --to
  offers "completion: bundled drills by name" "zh_CN/silent_call " huashu drill zh_CN/si
  offers "completion: drill run takes drill names" "zh_TW/silent_call " huashu drill run zh_TW/si
  offers "completion: and drill files (.yaml, not other files)" "shop.yaml " huashu drill run sh
  offers "completion: --answers takes event files" "shift.jsonl " huashu drill run zh_CN/stock --answers s
  offers "completion: feed specs" "- chatwoot: exec: file: unix: " huashu --feed ""
fi

# --- an install moved along with its program ---------------------------------------------------------
root=$TMP/root
mkdir -p "$root$INSTALL_BINDIR" "$root$INSTALL_PKGDATADIR" "$TMP/elsewhere"
cp "$HUASHU" "$root$INSTALL_BINDIR/huashu"
cp -R "$HUASHU_DATA/playbooks" "$root$INSTALL_PKGDATADIR/playbooks"
for l in zh_CN zh_TW; do
  if [ -f "$build/locale/$l/LC_MESSAGES/huashu.mo" ]; then
    mkdir -p "$root$INSTALL_LOCALEDIR/$l/LC_MESSAGES"
    cp "$build/locale/$l/LC_MESSAGES/huashu.mo" "$root$INSTALL_LOCALEDIR/$l/LC_MESSAGES/"
  fi
done
moved() {
  # shellcheck disable=SC2086
  (cd "$TMP/elsewhere" && env -u HUASHU_DATA -u HUASHU_LOCALEDIR XDG_DATA_DIRS=/nonexistent \
    $HUASHU_RUN "$root$INSTALL_BINDIR/huashu" "$@")
}
moved check >"$TMP/out" 2>"$TMP/err"
if [ "$(grep -c "^$root$INSTALL_PKGDATADIR/playbooks/[a-zA-Z_]*\.yaml: ok" "$TMP/out")" = 3 ]; then
  ok "moved install: huashu check finds the three bundled playbooks beside the program"
else
  not_ok "moved install: bundled playbooks"; diag "$(cat "$TMP/out" "$TMP/err")"
fi
for l in zh_CN:控制台需要终端 zh_TW:主控台需要終端機; do
  lang=${l%%:*} want=${l#*:}
  if [ ! -f "$root$INSTALL_LOCALEDIR/$lang/LC_MESSAGES/huashu.mo" ]; then
    skip "moved install: $lang translations (built without NLS?)"
    continue
  fi
  if locale -a 2>/dev/null | grep -qi "^$lang.utf-\?8$"; then env="LC_ALL=$lang.UTF-8"; else env="LANGUAGE=$lang"; fi
  (export $env; moved) </dev/null >"$TMP/out" 2>>"$TMP/err.moved" || true
  if grep -qF "$want" "$TMP/err.moved"; then ok "moved install: $lang messages ($env)"; else
    not_ok "moved install: $lang messages ($env)"; diag "$(cat "$TMP/err.moved")"; fi
  : >"$TMP/err.moved"
done
cat "$TMP/err" "$TMP/err.help" >>"$TMP/stderr.all" 2>/dev/null
check "no sanitizer or valgrind reports" no_sanitizer_reports
done_testing
