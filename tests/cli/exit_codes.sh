# The one table of exit codes (app/exit_codes.hpp): shown by --help, and each
# code produced by what it means, with the reason as the last line of stderr.
# 3 (conservation violated) cannot be caused by any input: the Catch test
# "a broken conservation exits 3" maps a real ConservationError; 130 has its
# own script (interrupt.sh).
source "$(dirname "$0")/lib.sh"
S=$FIX/costs_county.yaml

# --help lists every code with its meaning.
run "$SCSIM" --help
expect_rc 0
stdout_has "Exit status (every command):"
for line in "0    success" "1    internal error" "2    bad input: a file, a value or a command-line flag" \
            "3    conservation violated" "4    targets missed or a check failed" "130  interrupted by Ctrl-C or SIGTERM"; do
  stdout_has "  $line"
done
run "$SCSIM" --version
expect_rc 0; stdout_has "scsim "

# 0: success.
run "$SCSIM" validate "$S"
expect_rc 0; stdout_has ": ok"

# 1: internal error: here the machine (a full disk swallows the report).
set +e; "$SCSIM" scenario-reference > /dev/full 2> "$ERR"; RC=$?; set -e
expect_rc 1; last_err_has "internal error: cannot write the standard output"

# 2: bad command-line flags exit like bad files and values: CLI11's reason is
# the last line ("error: ..."), without its "Run with --help" trailer.
bad_flag() {  # bad_flag TEXT ARGS...: exit 2, TEXT on the last line of stderr
  local want=$1; shift
  run "$SCSIM" "$@"
  expect_rc 2
  last_err_has "error: "; last_err_has "$want"
  if grep -q "Run with --help" "$ERR"; then fail "CLI11's trailer is still printed"; fi
}
bad_flag "--no-such-flag" run "$S" --no-such-flag
bad_flag "--replications" run "$S" -r 0
bad_flag "--replications" run "$S" -r many
bad_flag "--format" run "$S" --format yaml
bad_flag "--log-level" --log-level loud validate "$S"
bad_flag "scenario is required" run
bad_flag "File does not exist: no_such.yaml" run no_such.yaml
bad_flag "A subcommand is required" 
bad_flag "nosuchcommand" nosuchcommand
bad_flag "--threads" run "$S" -t -1
bad_flag "--fiscal-year" budget "$S" --jurisdiction alpha_ca --fiscal-year 2011 --year 2011
# ... and bad values and files as before.
run "$SCSIM" run "$S" -r 1 --set pipeline.lesc_analysts=-3 -o o
expect_rc 2; last_err_has "lesc_analysts"; nothing_written o
printf 'name: x\nperiod: {start: 2011-01-01, end: 2010-01-01}\n' > backwards.yaml
run "$SCSIM" validate backwards.yaml
expect_rc 2; last_err_has "scenario file(s) invalid"; stderr_has "backwards.yaml:"

# 4: targets missed (the report and targets_check.csv are complete).
printf 'metric,scope,as_of,value,tolerance,source\nbookings,national,2011-06-30,1,1%%,impossible\n' > missed.csv
run "$SCSIM" check-targets "$S" missed.csv -r 1 -o check
expect_rc 4; last_err_has "error: 1 of 1 targets outside their intervals"; stdout_has "FAIL"
complete_output check check-targets targets_check.csv
# ... and a calibration the confirming simulation does not bear out (the file is written).
cat > cal.yaml <<'YAML'
name: calibration county
period: {start: 2011-01-01, end: 2011-06-30}
seed: 9
jurisdictions:
  - {id: cal_co, state: TX, bookings_per_day: 400, activation: 2010-01-01}
calibrate:
  - {path: pipeline.pickup_probability, lower: 0.3, upper: 1.0}
YAML
printf 'metric,scope,as_of,value,tolerance,source\nice_bookings,national,2011-06-30,3000,0.05%%,too tight\n' > tight.csv
run "$SCSIM" calibrate cal.yaml tight.csv --confirm 2
expect_rc 4; last_err_has "targets outside their intervals in the confirming simulation"; stdout_has "FAIL"
exists cal.calibrated.yaml
echo "exit codes: ok"
