# `scsim compare`: paired differences of alternatives against a baseline with
# common random numbers; compare.csv, results.sqlite; on fixtures and on the
# shipped Los Angeles TRUST Act what-if.
source "$(dirname "$0")/lib.sh"

run "$SCSIM" compare "$FIX/costs_county.yaml" "$FIX/costs_county_trust.yaml" "$FIX/costs_county_optout.yaml" -r 3 -o c
expect_rc 0
stdout_has "COMPARISON, scope national"
stdout_has "(common random numbers)"
stdout_has "alt:  costs_county_trust"
stdout_has "alt:  costs_county_optout"
exists c/compare.csv; exists c/results.sqlite
[[ $(head -1 c/compare.csv) == "scope,metric,base_mean,alt,alt_mean,diff_mean,diff_ci95_low,diff_ci95_high,rel_change" ]] ||
  fail "compare.csv header: $(head -1 c/compare.csv)"
python3 - c/compare.csv <<'PY' || fail "compare.csv content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
alts = {r["alt"] for r in rows}
assert alts == {"costs_county_trust", "costs_county_optout"}, alts
scopes = {r["scope"] for r in rows}
assert scopes == {"national", "alpha_ca", "beta_ca", "gamma_tx", "CA"}, scopes
per_alt = len(rows) // 2
assert per_alt % 5 == 0 and per_alt >= 5 * 40, len(rows)
get = lambda alt, scope, metric: next(r for r in rows if r["alt"] == alt and r["scope"] == scope and r["metric"] == metric)
# Level 1 holds only in CA: fewer holds in CA (certainly), none of it in TX.
h = get("costs_county_trust", "CA", "detainers_honored")
assert float(h["diff_ci95_high"]) < 0, h
assert abs(float(h["diff_mean"]) - (float(h["alt_mean"]) - float(h["base_mean"]))) < 1e-6 * float(h["base_mean"])
assert abs(float(h["rel_change"]) - float(h["diff_mean"]) / float(h["base_mean"])) < 1e-9
t = get("costs_county_trust", "gamma_tx", "detainer_cost_usd")
assert float(t["diff_mean"]) == 0 and float(t["diff_ci95_low"]) == 0 and float(t["diff_ci95_high"]) == 0, t
# Bookings never depend on these policies: identical under common random numbers.
b = get("costs_county_optout", "national", "bookings")
assert float(b["diff_mean"]) == 0 and float(b["diff_ci95_high"]) == 0, b
PY
[[ $(sql c/results.sqlite "select count(*) from runs") == 3 ]] || fail "results.sqlite: 3 runs expected"
[[ $(sql c/results.sqlite "select count(distinct alt_run_id) from comparisons") == 2 ]] || fail "results.sqlite: comparisons"
[[ $(sql c/results.sqlite "select count(*) from comparisons") == $(( $(wc -l < c/compare.csv) - 1 )) ]] ||
  fail "results.sqlite: comparisons rows differ from compare.csv"

# Without common random numbers the same comparison has wider intervals.
run "$SCSIM" compare "$FIX/costs_county.yaml" "$FIX/costs_county_optout.yaml" -r 3 -o ind --independent-seeds --format csv
expect_rc 0
stdout_has "scope,metric,base_mean,alt,alt_mean"
python3 - c/compare.csv ind/compare.csv <<'PY' || fail "independent seeds did not widen the bookings interval"
import csv, sys
def width(path):
    r = next(r for r in csv.DictReader(open(path))
             if r["alt"] == "costs_county_optout" and r["scope"] == "national" and r["metric"] == "bookings")
    return float(r["diff_ci95_high"]) - float(r["diff_ci95_low"])
assert width(sys.argv[1]) == 0 and width(sys.argv[2]) > 0
PY

# The shipped Los Angeles scenario against its TRUST Act what-if.
run "$SCSIM" compare "$SCEN/counties/los_angeles.yaml" "$SCEN/whatif/trust_act.yaml" -r 2 -o la --scope los_angeles_ca
expect_rc 0
stdout_has "alt:  trust_act"
python3 - la/compare.csv <<'PY' || fail "TRUST Act did not cut Los Angeles' detainer costs"
import csv, sys
r = next(r for r in csv.DictReader(open(sys.argv[1])) if r["scope"] == "los_angeles_ca" and r["metric"] == "net_detainer_cost_usd")
assert float(r["diff_mean"]) < 0 and float(r["rel_change"]) < -0.3, r
PY
# Two scenarios whose files share a name (counties/ and uncertainty/los_angeles.yaml): the second
# is labelled "los_angeles#2" everywhere, so its rows never merge with the baseline's name.
run "$SCSIM" compare "$SCEN/counties/los_angeles.yaml" "$SCEN/uncertainty/los_angeles.yaml" "$SCEN/whatif/trust_act.yaml" \
  -r 1 -o same --scope los_angeles_ca
expect_rc 0
stdout_has "base: los_angeles "
stdout_has "alt:  los_angeles#2 "
stdout_has "alt:  trust_act "
python3 - same/compare.csv <<'PY' || fail "compare.csv: the same file name twice"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
alts = {r["alt"] for r in rows}
assert alts == {"los_angeles#2", "trust_act"}, alts
# The uncertain file runs the county's own values without --draws: no difference at all.
d = next(r for r in rows if r["alt"] == "los_angeles#2" and r["metric"] == "net_detainer_cost_usd")
assert float(d["diff_mean"]) == 0, d
PY
echo "compare: ok"
