# Outputs that cannot destroy (app/output.hpp): every command that writes
# makes its output the same way (a claim beside it, then an atomic rename),
# replaces only what scsim wrote and only with --force, recovers what a kill -9
# left, and lets one of two concurrent writers win while the other is refused.
source "$(dirname "$0")/lib.sh"
S=$FIX/costs_county.yaml
RUN_FILES=(summary.csv monthly.csv flows.csv scenario.resolved.yaml results.sqlite report.html)

# Every command that writes a directory: the marker naming the command, its files, nothing beside it.
run "$SCSIM" run "$S" -r 1 -o out/run
expect_rc 0; complete_output out/run run "${RUN_FILES[@]}"
[[ $(sql out/run/results.sqlite "PRAGMA integrity_check") == ok ]] || fail "results.sqlite is not intact"
run "$SCSIM" analyze "$S" -o out/analyze
expect_rc 0; complete_output out/analyze analyze analytic_flows.csv analytic_end_states.csv analytic_stages.csv analytic_monthly.csv
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2011 -r 1 -o out/budget
expect_rc 0; complete_output out/budget budget budget.csv budget.md results.sqlite
run "$SCSIM" compare "$S" "$FIX/costs_county_trust.yaml" -r 1 -o out/compare
expect_rc 0; complete_output out/compare compare compare.csv results.sqlite
run "$SCSIM" sweep "$S" --set pipeline.lesc_analysts=5,10 -r 1 -o out/sweep
expect_rc 0; complete_output out/sweep sweep sweep.csv results.sqlite
# check-targets --out makes its directory like run --out (it used to require an existing one).
printf 'metric,scope,as_of,value,tolerance,source\nbookings,national,2011-06-30,1,1%%,impossible\n' > missed.csv
run "$SCSIM" check-targets "$S" missed.csv -r 1 -o out/check/deeper
expect_rc 4; complete_output out/check/deeper check-targets targets_check.csv
file_has out/check/deeper/targets_check.csv "bookings,national,2011-06-30,1,"

# A command that fails after claiming its output removes the claim and the
# parent directories it made for it.
run "$SCSIM" analyze "$S" --from 2030-01-01 -o new/deeper/out
expect_rc 2; nothing_written new

# An output of scsim's is kept without --force and replaced whole with it.
echo mine > out/run/added-by-hand.txt
run "$SCSIM" run "$S" -r 1 -o out/run
expect_rc 2; last_err_has "output directory 'out/run' already exists; use --force to replace it"
exists out/run/added-by-hand.txt
run "$SCSIM" run "$S" -r 1 -s 99 -o out/run --force
expect_rc 0; complete_output out/run run "${RUN_FILES[@]}"; absent out/run/added-by-hand.txt
[[ $(sql out/run/results.sqlite "SELECT seed FROM runs") == 99 ]] || fail "out/run does not hold the new run"
# An empty directory is filled without --force: nothing is lost.
mkdir empty
run "$SCSIM" run "$S" -r 1 -o empty
expect_rc 0; complete_output empty run "${RUN_FILES[@]}"

# What scsim did not write is refused, --force or not, before any simulation:
# a home directory (-o ~ --force), a plain file, a symbolic link, the root.
mkdir home && echo precious > home/notes.txt
run env HOME="$WORK/home" bash -c '"$0" run "$1" -r 1 -o ~ --force' "$SCSIM" "$S"
expect_rc 2; last_err_has "exists and was not written by scsim"; last_err_has "not replace it, even with --force"
[[ $(cat home/notes.txt) == precious && $(ls -A home | wc -l) -eq 1 ]] || fail "-o ~ --force touched the home directory"
[[ ! -s $OUT ]] || fail "a refused output still ran the simulation"
echo text > plain
run "$SCSIM" run "$S" -r 1 -o plain --force
expect_rc 2; last_err_has "'plain' exists and is not a directory"; [[ $(cat plain) == text ]] || fail "plain changed"
ln -s out/run link
run "$SCSIM" run "$S" -r 1 -o link --force
expect_rc 2; last_err_has "is a symbolic link"; complete_output out/run run "${RUN_FILES[@]}"
run "$SCSIM" run "$S" -r 1 -o / --force
expect_rc 2; last_err_has "cannot be an output path"
run "$SCSIM" run "$S" -r 1 -o . --force
expect_rc 2; last_err_has "was not written by scsim"; exists plain

# What a kill -9 strands beside an output (a claim, a staging directory, both
# carrying the marker and unlocked) is removed by the next writer; what a
# stranger put there under that name is left alone, and the output refused.
mkdir .stale.scsim-tmp .stale.scsim-new-0123456789abcdef
cp out/run/.scsim-output .stale.scsim-tmp/; echo half > .stale.scsim-tmp/summary.csv
cp out/run/.scsim-output .stale.scsim-new-0123456789abcdef/
run "$SCSIM" run "$S" -r 1 -o stale
expect_rc 0; complete_output stale run "${RUN_FILES[@]}"   # no leftovers
mkdir .was-empty.scsim-tmp   # an empty directory that was being replaced when the kill came
run "$SCSIM" run "$S" -r 1 -o was-empty
expect_rc 0; complete_output was-empty run "${RUN_FILES[@]}"
mkdir .strange.scsim-tmp && echo theirs > .strange.scsim-tmp/data.txt
run "$SCSIM" run "$S" -r 1 -o strange
expect_rc 2; last_err_has "is in the way"; [[ $(cat .strange.scsim-tmp/data.txt) == theirs ]] || fail "a stranger's file changed"
absent strange

# Two processes writing one output: the second is refused at once (exit 2:
# the output is taken, as an existing one without --force would be) and the
# first completes; nothing is mixed. Then the same over an existing output.
for force in "" --force; do
  # shellcheck disable=SC2086
  "$SCSIM" run "$SCEN/counties/cook.yaml" -r 30 -t 1 -q -o race $force > race.stdout 2> race.stderr & first=$!
  for _ in $(seq 200); do [[ -e .race.scsim-tmp ]] && break; sleep 0.05; done
  [[ -e .race.scsim-tmp ]] || fail "the first writer never claimed 'race'"
  run "$SCSIM" run "$S" -r 1 -o race --force
  expect_rc 2; last_err_has "another scsim process (pid $first) is writing 'race'"
  wait $first || fail "the first writer failed: $(cat race.stderr)"
  complete_output race run "${RUN_FILES[@]}"
  file_has race/.scsim-output "pid: $first"
  [[ $(sql race/results.sqlite "SELECT replications FROM runs") == 30 ]] || fail "race holds another run than the winner's"
done

# Single files (graph -o, check-targets' targets_check.csv): new ones appear
# whole; an existing one is replaced only with --force and only if scsim wrote it.
run "$SCSIM" graph "$S" -o g.dot
expect_rc 0; file_has g.dot 'label="booking"'; no_leftovers g.dot
run "$SCSIM" graph "$S" -o g.dot
expect_rc 2; last_err_has "output file 'g.dot' already exists; use --force"
run "$SCSIM" graph "$S" -o g.dot --no-probabilities --force
expect_rc 0; no_leftovers g.dot
echo "my own drawing" > mine.dot
run "$SCSIM" graph "$S" -o mine.dot --force
expect_rc 2; last_err_has "'mine.dot' exists and was not written by scsim"; [[ $(cat mine.dot) == "my own drawing" ]] || fail "mine.dot changed"
# calibrate -o: the same rules for the calibrated scenario.
cat > cal.yaml <<'YAML'
name: calibration county
period: {start: 2011-01-01, end: 2011-06-30}
seed: 9
jurisdictions:
  - {id: cal_co, state: TX, bookings_per_day: 400, activation: 2010-01-01}
calibrate:
  - {path: pipeline.pickup_probability, lower: 0.3, upper: 1.0}
YAML
printf 'metric,scope,as_of,value,tolerance,source\nice_bookings,national,2011-06-30,3000,5%%,x\n' > cal.csv
run "$SCSIM" calibrate cal.yaml cal.csv --confirm 0
expect_rc 0; file_has cal.calibrated.yaml "written by \`scsim calibrate\`"; no_leftovers cal.calibrated.yaml
run "$SCSIM" calibrate cal.yaml cal.csv --confirm 0
expect_rc 2; last_err_has "output file 'cal.calibrated.yaml' already exists; use --force"
run "$SCSIM" calibrate cal.yaml cal.csv --confirm 0 --force
expect_rc 0; no_leftovers cal.calibrated.yaml
echo "# my scenario" > mine.yaml
run "$SCSIM" calibrate cal.yaml cal.csv --confirm 0 -o mine.yaml --force
expect_rc 2; last_err_has "'mine.yaml' exists and was not written by scsim"; file_has mine.yaml "# my scenario"
no_leftovers mine.yaml

mkdir ct && cd ct
echo "metric,my,own,table" > targets_check.csv
run "$SCSIM" check-targets "$S" ../missed.csv -r 1 --force
expect_rc 2; last_err_has "'targets_check.csv' exists and was not written by scsim"; file_has targets_check.csv "my,own"
rm targets_check.csv
run "$SCSIM" check-targets "$S" ../missed.csv -r 1
expect_rc 4; file_has targets_check.csv "relative_error"; no_leftovers targets_check.csv
run "$SCSIM" check-targets "$S" ../missed.csv -r 1
expect_rc 2; last_err_has "already exists; use --force"
run "$SCSIM" check-targets "$S" ../missed.csv -r 1 --force
expect_rc 4; file_has targets_check.csv "relative_error"
cd ..
echo "outputs: ok"
