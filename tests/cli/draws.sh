# `scsim compare --draws` and `scsim budget --draws` (docs/uncertainty.md, "What-ifs and budgets"):
# the files, the same bytes on 1 and 2 threads, the difference collapsing where no drawn parameter
# reaches it, byte-identical outputs without --draws, and bad input (exit 2, nothing written).
source "$(dirname "$0")/lib.sh"
U=$FIX/uncertain_county.yaml
T=$FIX/uncertain_county_trust.yaml

# ---- compare --draws
run "$SCSIM" compare "$U" "$T" --draws 8 -t 1 -o c1 --scope alpha_ca
expect_rc 0
complete_output c1 compare difference_draws.csv draws.csv
stdout_has "COMPARISON UNDER PARAMETER UNCERTAINTY, scope alpha_ca"
stdout_has "8 draws (lhs) of 3 uncertain parameters, 2 replications each, seed 11"
stdout_has "90% of parameter sets"
[[ $(head -1 c1/difference_draws.csv) == "scope,metric,alt,base_mean,alt_mean,diff_mean,diff_p05,diff_p50,diff_p95,diff_mc_half_width,draws,replications" ]] ||
  fail "difference_draws.csv header: $(head -1 c1/difference_draws.csv)"
python3 - c1 <<'PY' || fail "compare --draws tables"
import csv, sys
rows = list(csv.DictReader(open(f"{sys.argv[1]}/difference_draws.csv")))
draws = list(csv.DictReader(open(f"{sys.argv[1]}/draws.csv")))
assert len(draws) == 8 and list(draws[0])[:4] == ["draw", "jurisdictions[alpha_ca].jail_cost_per_day",
    "costs.ice_per_diem", "pipeline.pickup_probability"], list(draws[0])
get = lambda scope, metric: next(r for r in rows if r["scope"] == scope and r["metric"] == metric)
for r in rows:
    f = {k: float(r[k]) for k in ("diff_p05", "diff_p50", "diff_p95")}
    assert f["diff_p05"] <= f["diff_p50"] <= f["diff_p95"], r
    assert r["draws"] == "8" and r["replications"] == "2", r
# What the policy does not touch is identical in every draw (common random numbers and draws).
b = get("national", "bookings")
assert float(b["diff_p05"]) == float(b["diff_p95"]) == 0, b
# Texas has no TRUST rule: no difference whatever the parameters.
t = get("gamma_tx", "net_detainer_cost_usd")
assert float(t["diff_p05"]) == float(t["diff_p95"]) == 0, t
# Alpha's saving scales with its drawn bed-day price: it spreads well beyond the noise.
c = get("alpha_ca", "net_detainer_cost_usd")
assert float(c["diff_p95"]) < 0, c
assert float(c["diff_p95"]) - float(c["diff_p05"]) > 2 * float(c["diff_mc_half_width"]), c
# The mean difference is the difference of the means.
assert abs(float(c["diff_mean"]) - (float(c["alt_mean"]) - float(c["base_mean"]))) < 1e-6 * abs(float(c["diff_mean"]))
PY
run "$SCSIM" compare "$U" "$T" --draws 8 -t 2 -o c2 --scope alpha_ca
expect_rc 0
for f in difference_draws.csv draws.csv; do cmp -s c1/$f c2/$f || fail "compare --draws: c1/$f and c2/$f differ (-t 1 vs -t 2)"; done
run "$SCSIM" compare "$U" "$T" --draws 8 -t 2 -o c3 --format csv --sampler sobol
expect_rc 0
stdout_has "scope,metric,alt,base_mean,alt_mean,diff_mean,diff_p05"
cmp -s "$OUT" c3/difference_draws.csv || fail "--format csv output differs from difference_draws.csv"

# Without --draws, compare is what it always was.
run "$SCSIM" compare "$U" "$T" -o plain
expect_rc 0
complete_output plain compare compare.csv results.sqlite
absent plain/difference_draws.csv

# Bad input: exit 2, nothing written.
for bad in 0 -3 abc 2.5; do
  run "$SCSIM" compare "$U" "$T" --draws "$bad" -o bad
  expect_rc 2
  nothing_written bad
done
run "$SCSIM" compare "$U" "$FIX/uncertain_county_redrawn.yaml" --draws 4 -o bad
expect_rc 2
last_err_has "declares uncertain["
nothing_written bad
run "$SCSIM" compare "$FIX/costs_county.yaml" "$FIX/costs_county_trust.yaml" --draws 4 -o bad
expect_rc 2
last_err_has "the scenario declares no uncertain parameters"
nothing_written bad
run "$SCSIM" compare "$U" "$T" --draws 4 --independent-seeds -o bad
expect_rc 2
nothing_written bad
run "$SCSIM" compare "$U" "$T" --sampler sobol -o bad
expect_rc 2
nothing_written bad

# ---- budget --draws
run "$SCSIM" budget "$U" -j alpha_ca --fiscal-year 2011 --draws 10 -t 1 -o b1
expect_rc 0
complete_output b1 budget budget.csv budget.md budget_draws.csv draws.csv
stdout_has "90% of parameter sets"
stdout_has "net cost to the county: 90 % of plausible parameter sets give between \$"
file_has b1/budget.md "## Parameter uncertainty"
file_has b1/budget.md "net cost to the county: 90 % of plausible parameter sets give between \$"
[[ $(head -1 b1/budget_draws.csv) == "scenario,scope,period,section,line,label,unit,mean,p05,p50,p95,mc_half_width,draws,replications" ]] ||
  fail "budget_draws.csv header: $(head -1 b1/budget_draws.csv)"
python3 - b1 <<'PY' || fail "budget --draws tables"
import csv, sys
d = sys.argv[1]
lines = {r["line"]: r for r in csv.DictReader(open(f"{d}/budget_draws.csv"))}
draws = list(csv.DictReader(open(f"{d}/draws.csv")))
assert len(lines) == 16 and len(draws) == 10, (len(lines), len(draws))
net = lines["net_detainer_cost_usd"]
assert float(net["p05"]) < float(net["p50"]) < float(net["p95"]), net
# No count depends on a price: a count the pick-up does not reach is the same for every set.
issued = lines["detainers_issued"]
assert float(issued["p05"]) == float(issued["p95"]), issued
# draws.csv holds each draw's lines; their mean is budget_draws.csv's.
mean = sum(float(r["net_detainer_cost_usd"]) for r in draws) / len(draws)
assert abs(mean - float(net["mean"])) < 1e-6 * abs(mean), (mean, net)
PY
run "$SCSIM" budget "$U" -j alpha_ca --fiscal-year 2011 --draws 10 -t 2 -o b2
expect_rc 0
for f in budget.csv budget.md budget_draws.csv draws.csv; do cmp -s b1/$f b2/$f || fail "budget --draws: b1/$f and b2/$f differ (-t 1 vs -t 2)"; done
# budget.csv is the statement without draws, byte for byte; so is everything without --draws.
run "$SCSIM" budget "$U" -j alpha_ca --fiscal-year 2011 -o b0
expect_rc 0
cmp -s b0/budget.csv b1/budget.csv || fail "budget.csv changed with --draws"
absent b0/budget_draws.csv
run "$SCSIM" budget "$U" -j alpha_ca --fiscal-year 2011 --draws 4 --format json -o bj
expect_rc 0
stdout_has '"parameter_uncertainty":{"draws":4'
for bad in 0 -1 x; do
  run "$SCSIM" budget "$U" -j alpha_ca --fiscal-year 2011 --draws "$bad" -o bad
  expect_rc 2
  nothing_written bad
done
run "$SCSIM" budget "$FIX/costs_county.yaml" -j alpha_ca --fiscal-year 2011 --draws 4 -o bad
expect_rc 2
last_err_has "the scenario declares no uncertain parameters"
nothing_written bad

# The shipped Santa Clara scenario at a tenth of its volume.
run "$SCSIM" budget "$SCEN/uncertainty/santa_clara.yaml" -j santa_clara_ca --fiscal-year 2012 --draws 6 -r 2 \
  --set volume_scale=0.1 -o sc
expect_rc 0
stdout_has "6 plausible sets of the 5 parameters"
complete_output sc budget budget_draws.csv draws.csv
echo "draws: ok"
