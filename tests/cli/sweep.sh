# `scsim sweep`: a grid of variants, one tidy sweep.csv with a column per swept
# key; flow values with commas inside; results.sqlite; and a shipped scenario.
source "$(dirname "$0")/lib.sh"

run "$SCSIM" sweep "$FIX/costs_county.yaml" --set detainers.rule=require_judicial_warrant \
    --set detainers.share_honored=0.2,0.6,1 --set pipeline.lesc_analysts=5,40 -r 2 -o s
expect_rc 0
stdout_has "SWEEP of costs test counties, scope national: 6 points"
exists s/sweep.csv; exists s/results.sqlite
[[ $(head -1 s/sweep.csv) == "detainers.rule,detainers.share_honored,pipeline.lesc_analysts,scope,metric,mean,ci95_low,ci95_high,replications" ]] ||
  fail "sweep.csv header: $(head -1 s/sweep.csv)"
python3 - s/sweep.csv <<'PY' || fail "sweep.csv content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
points = {(r["detainers.share_honored"], r["pipeline.lesc_analysts"]) for r in rows}
assert points == {(s, a) for s in ("0.2", "0.6", "1") for a in ("5", "40")}, points
assert {r["detainers.rule"] for r in rows} == {"require_judicial_warrant"}
per_point = len(rows) // 6
assert len(rows) == 6 * per_point and per_point == 5 * len({r["metric"] for r in rows})
honored = {r["detainers.share_honored"]: float(r["mean"]) for r in rows
           if r["scope"] == "national" and r["metric"] == "detainers_honored" and r["pipeline.lesc_analysts"] == "40"}
assert honored["0.2"] < honored["0.6"] < honored["1"], honored
wait = {r["pipeline.lesc_analysts"]: float(r["mean"]) for r in rows
        if r["scope"] == "national" and r["metric"] == "lesc_wait_hours" and r["detainers.share_honored"] == "1"}
assert wait["5"] > wait["40"], wait
PY
[[ $(sql s/results.sqlite "select count(*) from runs") == 6 ]] || fail "results.sqlite: 6 runs expected"
[[ $(sql s/results.sqlite "select count(*) from sweep_points") == 18 ]] || fail "results.sqlite: sweep_points"

# A flow value holding commas is one value, not three.
run "$SCSIM" sweep "$FIX/costs_county.yaml" \
    --set "pipeline.pickup_delay={dist: fixed, value: 2h},{dist: fixed, value: 40h}" -r 1 -o flow --format csv
expect_rc 0
python3 - flow/sweep.csv <<'PY' || fail "flow values were split"
import csv, sys
vals = {r["pipeline.pickup_delay"] for r in csv.DictReader(open(sys.argv[1]))}
assert vals == {"{dist: fixed, value: 2h}", "{dist: fixed, value: 40h}"}, vals
PY

# A shipped scenario: Los Angeles' bed-day price, which changes money and no count.
run "$SCSIM" sweep "$SCEN/counties/los_angeles.yaml" --set "jurisdictions[los_angeles_ca].jail_cost_per_day=64,128" \
    -r 1 -o la --scope los_angeles_ca
expect_rc 0
python3 - la/sweep.csv <<'PY' || fail "Los Angeles price sweep"
import csv, sys
k = "jurisdictions[los_angeles_ca].jail_cost_per_day"
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["scope"] == "los_angeles_ca"]
v = lambda price, m: float(next(r["mean"] for r in rows if r[k] == price and r["metric"] == m))
assert v("64", "detainers_honored") == v("128", "detainers_honored")
assert abs(v("128", "extra_jail_cost_usd") - 2 * v("64", "extra_jail_cost_usd")) < 1e-6 * v("128", "extra_jail_cost_usd")
PY
echo "sweep: ok"
