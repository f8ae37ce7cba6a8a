# Bad input: each mistake is a clear error naming the offending value, exit
# code 2, and nothing written (no output directory, no temporary left behind).
source "$(dirname "$0")/lib.sh"
S=$FIX/costs_county.yaml   # 2010-07-01 to 2012-01-31, fiscal years from July

# Unknown jurisdiction.
run "$SCSIM" budget "$S" --jurisdiction nowhere_xx --fiscal-year 2011 -r 1 -o o1
expect_rc 2; stderr_has "unknown jurisdiction 'nowhere_xx'"; stderr_has "alpha_ca"; nothing_written o1
# A fiscal year outside the period, one only partly inside, a calendar year outside.
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2015 -r 1 -o o2
expect_rc 2; stderr_has "FY2015"; stderr_has "outside the scenario period 2010-07-01 to 2012-01-31"; stderr_has "FY2011"
nothing_written o2
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2012 -r 1 -o o3
expect_rc 2; stderr_has "FY2012"; stderr_has "only partly inside"; stderr_has "--allow-partial"; nothing_written o3
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --year 2009 -r 1 -o o4
expect_rc 2; stderr_has "calendar year 2009"; nothing_written o4
# ... and a partial year on request, marked as such.
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2012 --allow-partial -r 1 -o o5
expect_rc 0; stdout_has "PARTIAL: 7 of 12 months simulated"; file_has o5/budget.md "partial"
# Neither or both of --fiscal-year and --year.
run "$SCSIM" budget "$S" --jurisdiction alpha_ca -r 1 -o o6
expect_rc 2; stderr_has "exactly one of --fiscal-year and --year"; nothing_written o6

# Scenarios that cannot be compared.
run "$SCSIM" compare "$S" "$FIX/costs_other_period.yaml" -r 1 -o c1
expect_rc 2; stderr_has "different periods"; stderr_has "2010-07-01 to 2011-06-30"; nothing_written c1
run "$SCSIM" compare "$S" "$FIX/costs_other_county.yaml" -r 1 -o c2
expect_rc 2; stderr_has "jurisdiction 'delta_ny'"; nothing_written c2
run "$SCSIM" compare "$S" -r 1 -o c3
expect_rc 2; stderr_has "at least one alternative"; nothing_written c3
run "$SCSIM" compare "$S" "$FIX/costs_county_trust.yaml" -r 1 -o c4 --scope atlantis
expect_rc 2; stderr_has "unknown scope 'atlantis'"; nothing_written c4

# Sweeps of unknown keys or malformed --set.
run "$SCSIM" sweep "$S" --set pipeline.lesc_analyst=5,10 -r 1 -o s1
expect_rc 2; stderr_has "lesc_analyst"; stderr_has "did you mean"; nothing_written s1
run "$SCSIM" sweep "$S" --set pipeline.lesc_analysts -r 1 -o s2
expect_rc 2; stderr_has "expected key=value"; nothing_written s2
run "$SCSIM" sweep "$S" --set "pipeline.lesc_analysts=5,,10" -r 1 -o s3
expect_rc 2; stderr_has "empty value"; nothing_written s3
run "$SCSIM" sweep "$S" --set pipeline.lesc_analysts=5,-3 -r 1 -o s4
expect_rc 2; stderr_has "lesc_analysts"; nothing_written s4

# Unwritable output directories: under a regular file, and in /proc (not writable even by root).
touch plainfile
run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2011 -r 1 -o plainfile/out
expect_rc 2; stderr_has "plainfile"; absent plainfile/out
run "$SCSIM" compare "$S" "$FIX/costs_county_trust.yaml" -r 1 -o /proc/scsim-test-out
expect_rc 2; stderr_has "/proc"; absent /proc/scsim-test-out
run "$SCSIM" run "$S" -r 1 -o /proc/scsim-test-out
expect_rc 2; stderr_has "/proc"

# A directory scsim did not write is never replaced, not even with --force
# (tests/cli/outputs.sh has the rest of the rules).
mkdir existing && echo keep > existing/mine.txt
for cmd in "budget $S --jurisdiction alpha_ca --fiscal-year 2011" "compare $S $FIX/costs_county_trust.yaml" \
           "sweep $S --set pipeline.lesc_analysts=5,10" "run $S"; do
  for force in "" --force; do
    # shellcheck disable=SC2086
    run "$SCSIM" $cmd -r 1 -o existing $force
    expect_rc 2; last_err_has "'existing' exists and was not written by scsim"
    [[ $(cat existing/mine.txt) == keep && $(ls -A existing | wc -l) -eq 1 ]] || fail "'$cmd $force' touched an existing directory"
    no_leftovers existing
  done
done
echo "bad input: ok"
