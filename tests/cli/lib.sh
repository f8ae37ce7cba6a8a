# Shared by the CLI tests (tests/cli/*.sh): each test script is called by ctest as
#   bash tests/cli/NAME.sh SCSIM_BINARY SOURCE_DIR WORK_DIR
# and sources this file. A failed expectation prints what was expected, what
# happened, and the command's output, then exits 1.
set -euo pipefail
SCSIM=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$3
FIX=$SRC/tests/fixtures/valid
SCEN=$SRC/scenarios
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

OUT=$WORK/last.stdout
ERR=$WORK/last.stderr
RC=0

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout (last command) ---" >&2; head -c 4000 "$OUT" >&2 || true
  echo "--- stderr (last command) ---" >&2; head -c 4000 "$ERR" >&2 || true
  exit 1
}

# run CMD...: runs it with stdout/stderr captured; its exit code is in $RC.
run() {
  set +e
  "$@" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  set -e
}

expect_rc() { [[ $RC -eq $1 ]] || fail "expected exit code $1, got $RC"; }
stdout_has() { grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
stderr_has() { grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
file_has() { grep -qF -- "$2" "$1" || fail "$1 lacks '$2'"; }
exists() { [[ -e $1 ]] || fail "$1 was not written"; }
absent() { [[ ! -e $1 ]] || fail "$1 exists but must not"; }
# No hidden claim or staging sibling of an output (app/output_dir.cpp names them .NAME.scsim-*).
no_leftovers() {
  local parent base
  parent=$(dirname "$1"); base=$(basename "$1")
  if compgen -G "$parent/.$base.scsim-*" >/dev/null; then fail "a temporary of $1 was left behind: $(ls -a "$parent")"; fi
}
# No output directory and no hidden temporary sibling of it.
nothing_written() {
  absent "$1"
  no_leftovers "$1"
}
# The last line of stderr (where every command puts the reason it failed).
last_err_line() { tail -n 1 "$ERR"; }
last_err_has() { last_err_line | grep -qF -- "$1" || fail "the last line of stderr lacks '$1': '$(last_err_line)'"; }
# A complete output directory of scsim's: the marker naming COMMAND, and FILES...
complete_output() {
  local dir=$1 command=$2; shift 2
  [[ -d $dir ]] || fail "$dir is not a directory"
  file_has "$dir/.scsim-output" "command: $command"
  local f
  for f in "$@"; do [[ -s $dir/$f ]] || fail "$dir/$f is missing or empty"; done
  no_leftovers "$dir"
}
# sql DB QUERY: prints the rows (|-separated) through Python's sqlite3 module.
sql() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
