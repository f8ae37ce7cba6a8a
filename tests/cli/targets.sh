# Issue 13 from the command line: targets as their source states them (the
# `kind` column), calibrated parameters against their bounds, policies named by
# id. Exit codes: 0 pass, 2 bad input (file:line:col), 4 a target missed or a
# parameter at a bound.
source "$(dirname "$0")/lib.sh"

cat > county.yaml <<'YAML'
name: targets county
period: {start: 2011-01-01, end: 2011-06-30}
seed: 9
replications: 2
pipeline: {pickup_probability: 0.8}
jurisdictions:
  - {id: cal_co, state: TX, bookings_per_day: 400, activation: 2010-01-01}
policies:
  - {type: arrest_bias, id: traffic_stops, group: removable_known, charge: traffic, multiplier: 2, from: 2011-02-01}
  - {type: ice_priorities, id: memo_2011, from: 2011-03-01, detainer_probability: {level3: 0.3}}
calibrate:
  - {path: "policies[memo_2011].detainer_probability.level3", lower: 0.05, upper: 0.9,
     source: "a test range"}
YAML

# The analytic expectation of the bookings, to write targets around it.
printf 'metric,scope,as_of,value,tolerance,source\nbookings,national,2011-06-30,1000,5%%,x\n' > probe.csv
run "$SCSIM" check-targets county.yaml probe.csv --analytic -o probe
BOOKED=$(awk -F, 'NR == 2 {print $5}' probe/targets_check.csv)
[[ -n $BOOKED ]] || fail "no simulated value in probe/targets_check.csv"
below=$(python3 -c "print($BOOKED / 1.10)")   # the model is 10 % above it
above=$(python3 -c "print($BOOKED / 0.90)")   # the model is 10 % below it

# "More than X" with the model 10 % over X passes (a point ±5 % would not);
# "just over X" does not; the report names each kind and interval.
cat > kinds.csv <<CSV
metric,scope,as_of,value,kind,tolerance,source
bookings,national,2011-06-30,$below,more_than,5%,more than
bookings,national,2011-06-30,$below,just_over,5%,just over
bookings,national,2011-06-30,$below,point,5%,a point
bookings,national,2011-06-30,$above,more_than,5%,more than what it reaches
CSV
run "$SCSIM" check-targets county.yaml kinds.csv --analytic -o kinds
expect_rc 4
stdout_has "more_than ["; stdout_has "just_over ["; stdout_has "point ["; stdout_has "±5%"
[[ $(grep -c " pass$" "$OUT") -eq 1 ]] || fail "expected exactly one passing target"
[[ $(grep -c " FAIL$" "$OUT") -eq 3 ]] || fail "expected three failing targets"
last_err_has "error: 3 of 4 targets outside their intervals"
file_has kinds/targets_check.csv ",more_than,"
file_has kinds/targets_check.csv "kind,interval_low,interval_high,tolerance,pass"

# The same figures without the kind column: every target is a point (older files keep working).
printf 'metric,scope,as_of,value,tolerance,source\nbookings,national,2011-06-30,%s,5%%,x\n' "$below" > legacy.csv
run "$SCSIM" check-targets county.yaml legacy.csv --analytic -o legacy
expect_rc 4; stdout_has "point ["

# A malformed kind: file:line:column, exit 2, nothing written.
printf 'metric,scope,as_of,value,kind,tolerance,source\nbookings,national,2011-06-30,100,over,5%%,x\n' > badkind.csv
run "$SCSIM" check-targets county.yaml badkind.csv --analytic -o badkind
expect_rc 2; last_err_has "badkind.csv:2:34: kind: unknown kind 'over'"; nothing_written badkind
run "$SCSIM" calibrate county.yaml badkind.csv --confirm 0
expect_rc 2; last_err_has "badkind.csv:2:34: kind:"; absent county.calibrated.yaml

# Parameters against their bounds: inside passes, at a bound fails (4), a physical bound passes.
printf 'metric,scope,as_of,value,kind,tolerance,source\nbookings,national,2011-06-30,%s,approx,5%%,x\n' "$BOOKED" > ok.csv
run "$SCSIM" check-targets county.yaml ok.csv --analytic -o ok
expect_rc 0; stdout_has "inside"; stdout_has "range: a test range"
run "$SCSIM" check-targets county.yaml ok.csv --analytic -o at --set "policies[memo_2011].detainer_probability.level3=0.9"
expect_rc 4; stdout_has "AT upper BOUND: FAIL"; last_err_has "1 calibrated parameter at a bound"
sed 's/source: "a test range"}/source: "a test range", physical_bound: upper, reason: "a test"}/' county.yaml > physical.yaml
run "$SCSIM" check-targets physical.yaml ok.csv --analytic -o phys --set "policies[memo_2011].detainer_probability.level3=0.9"
expect_rc 0; stdout_has "at its physical upper bound"; stdout_has "physical bound: a test"
sed 's/source: "a test range"}/source: "a test range", physical_bound: upper}/' county.yaml > noreason.yaml
run "$SCSIM" validate noreason.yaml
expect_rc 2; stderr_has "noreason.yaml:13:"; stderr_has "calibrate[0].reason: physical_bound: upper needs a \`reason\`"

# Policies by id: --set, the resolved JSON, an unknown id, a duplicate id.
run "$SCSIM" resolve county.yaml --format json --set "policies[traffic_stops].multiplier=3"
expect_rc 0; stdout_has '"id": "traffic_stops"'; stdout_has '"id": "memo_2011"'
run "$SCSIM" resolve county.yaml --set "policies[memo_2012].to=2011-05-01"
expect_rc 2; stderr_has "<override>:1:"; stderr_has "no item 'memo_2012' in 'policies'"; stderr_has "did you mean 'memo_2011'"
sed 's/id: traffic_stops/id: memo_2011/' county.yaml > dup.yaml
run "$SCSIM" validate dup.yaml
expect_rc 2; stderr_has "dup.yaml:10:"; stderr_has "policies[1].id: duplicate policy id 'memo_2011' (first at dup.yaml:9)"
echo "targets: ok"
