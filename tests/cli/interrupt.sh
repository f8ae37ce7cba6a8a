# Ctrl-C (SIGINT) and SIGTERM stop a national run within a second, exit 130,
# and leave the output as it was (no partial directory, no temporary); a
# second signal ends the process at once; a background job that inherited
# SIGINT as ignored keeps running, as background jobs should.
source "$(dirname "$0")/lib.sh"
NATIONAL=$SCEN/historical/us_2008_2011.yaml   # ~8 s per replication
C=$SCEN/counties/cook.yaml

# Runs "$@" in the background with SIGINT at its default (a script's background
# jobs inherit it ignored); its pid in $pid, its output in bg.stdout/bg.stderr.
start() {
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$@" > bg.stdout 2> bg.stderr &
  pid=$!
}
# Waits until the simulation is under way: the output's claim exists (or, with no output, a moment).
underway() {
  if [[ -n ${1:-} ]]; then
    for _ in $(seq 400); do [[ -e $1 ]] && break; sleep 0.05; done
    [[ -e $1 ]] || fail "the run never claimed its output: $(cat bg.stderr)"
  fi
  sleep 1.5
}
# stop SIGNAL: sends it to $pid and checks the process ends within a second with exit 130.
stop() {
  local t0 rc=0
  t0=$(date +%s%N)
  kill -"$1" "$pid"
  wait "$pid" || rc=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  cp bg.stdout "$OUT"; cp bg.stderr "$ERR"
  [[ $rc -eq 130 ]] || fail "SIG$1: expected exit code 130, got $rc"
  (( ms < 1000 )) || fail "SIG$1: the process took $ms ms to stop"
  last_err_has "interrupted"
  echo "SIG$1 stopped '$2' in $ms ms"
}

# An old output, then a national run writing over it, interrupted: the old one stays, whole.
run "$SCSIM" run "$C" -r 1 -q -o keep
expect_rc 0; complete_output keep run results.sqlite report.html
before=$(cat keep/.scsim-output)
for sig in INT TERM; do
  start "$SCSIM" run "$NATIONAL" -r 2 -t 2 -q -o keep --force
  underway .keep.scsim-tmp
  stop "$sig" "run (2 threads) over an existing output"
  [[ $(cat keep/.scsim-output) == "$before" ]] || fail "SIG$sig: the old output was replaced"
  complete_output keep run results.sqlite report.html
  [[ $(sql keep/results.sqlite "PRAGMA integrity_check") == ok ]] || fail "SIG$sig: results.sqlite damaged"
done
# ... and a new output never appears.
start "$SCSIM" run "$NATIONAL" -r 1 -q -o fresh
underway .fresh.scsim-tmp
stop INT "run into a new output"
nothing_written fresh

# A filtered national trace and a comparison stop as quickly.
start "$SCSIM" trace "$NATIONAL" --filter 'held,!removed' -n 100000000
underway
stop INT "trace --filter"
start "$SCSIM" compare "$NATIONAL" "$NATIONAL" -r 1 -q -o cmp
underway .cmp.scsim-tmp
stop TERM "compare"
nothing_written cmp

# A second Ctrl-C while the first is being handled ends the process at once
# (the default action); the claim it strands is removed by the next writer.
start "$SCSIM" run "$NATIONAL" -r 1 -q -o twice
underway .twice.scsim-tmp
kill -INT "$pid"; kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[[ $rc -eq 130 ]] || fail "two Ctrl-C: expected 130 (exit or SIGINT), got $rc"
absent twice
run "$SCSIM" run "$C" -r 1 -q -o twice
expect_rc 0; complete_output twice run results.sqlite

# A script's background job inherits SIGINT ignored: Ctrl-C in the terminal is not for it.
"$SCSIM" run "$C" -r 6 -t 1 -q -o ignored > /dev/null 2> bg.stderr & pid=$!
sleep 0.2
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || fail "a background run with SIGINT ignored stopped (exit $rc): $(cat bg.stderr)"
complete_output ignored run results.sqlite
echo "interrupt: ok"
