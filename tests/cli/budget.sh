# `scsim budget`: the one-page statement on stdout, budget.csv, budget.md and
# results.sqlite in the output directory, for a jurisdiction, a state and the
# nation, fiscal and calendar years; and on the shipped Los Angeles scenario.
source "$(dirname "$0")/lib.sh"

run "$SCSIM" budget "$FIX/costs_county.yaml" --jurisdiction alpha_ca --fiscal-year 2011 -r 3 -o b
expect_rc 0
stdout_has "BUDGET STATEMENT: Alpha County (alpha_ca), FY2011 (2010-07-01 to 2011-06-30)"
stdout_has "3 replications, seed 11"
for label in "detainers lodged with the jail" "detainer hold days" "extra criminal-custody days" \
             "total extra jail bed-days" "jail cost per bed-day" "staff processing of detainers" \
             "less SCAAP reimbursement" "net cost to the county" "ICE detention cost (federal)"; do
  stdout_has "$label"
done
exists b/budget.csv; exists b/budget.md; exists b/results.sqlite
[[ $(head -1 b/budget.csv) == "scenario,scope,period,first_day,last_day,complete,section,line,label,unit,mean,ci95_low,ci95_high,replications" ]] ||
  fail "budget.csv header: $(head -1 b/budget.csv)"
[[ $(wc -l < b/budget.csv) -eq 17 ]] || fail "budget.csv has $(wc -l < b/budget.csv) lines, expected 17"
file_has b/budget.md "# Detainer budget statement: Alpha County (alpha_ca), FY2011"
file_has b/budget.md "| **net cost to the county** |"
# The statement adds up: net = gross - SCAAP, bed-days = hold + extra, money > 0.
python3 - b/budget.csv <<'PY' || fail "budget.csv does not add up"
import csv, sys
rows = {r["line"]: r for r in csv.DictReader(open(sys.argv[1]))}
m = {k: float(r["mean"]) for k, r in rows.items() if r["mean"]}
assert m["detainer_cost_usd"] > 0 and m["scaap_offset_usd"] > 0, m
assert abs(m["net_detainer_cost_usd"] - (m["detainer_cost_usd"] - m["scaap_offset_usd"])) < 1e-6 * m["detainer_cost_usd"]
assert abs(m["extra_jail_bed_days"] - m["detainer_hold_days"] - m["extra_jail_days_detainer"]) < 1e-6 * m["extra_jail_bed_days"]
for r in rows.values():
    if r["mean"] and r["ci95_low"]:
        assert float(r["ci95_low"]) <= float(r["mean"]) <= float(r["ci95_high"]), r
assert all(r["period"] == "FY2011" and r["complete"] == "1" and r["scope"] == "alpha_ca" for r in rows.values())
PY
[[ $(sql b/results.sqlite "select count(*) from runs") == 1 ]] || fail "results.sqlite: runs"
[[ $(sql b/results.sqlite "select count(*) from costs where scope='alpha_ca' and period='FY2011' and complete=1") -ge 16 ]] ||
  fail "results.sqlite: costs of FY2011"

# --format csv prints what budget.csv holds; a state scope and calendar years work too.
run "$SCSIM" budget "$FIX/costs_county.yaml" --jurisdiction CA --year 2011 -r 2 -o b2 --format csv
expect_rc 0
cmp -s "$OUT" b2/budget.csv || fail "--format csv output differs from budget.csv"
file_has b2/budget.csv ",CA,2011,2011-01-01,2011-12-31,1,"
run "$SCSIM" budget "$FIX/costs_county.yaml" --jurisdiction national --fiscal-year 2011 -r 2 -o b3 --format json
expect_rc 0
stdout_has '"scope":"national","period":"FY2011"'
# The default output directory is named after the jurisdiction and period.
run "$SCSIM" budget "$FIX/costs_county.yaml" --jurisdiction gamma_tx --year 2011 -r 2
expect_rc 0
exists budget-gamma_tx-2011/budget.csv

# The shipped Los Angeles scenario: fiscal 2011 (July 2010 to June 2011).
run "$SCSIM" budget "$SCEN/counties/los_angeles.yaml" --jurisdiction los_angeles_ca --fiscal-year 2011 -r 2 -o la
expect_rc 0
stdout_has "BUDGET STATEMENT: Los Angeles County (los_angeles_ca), FY2011 (2010-07-01 to 2011-06-30)"
exists la/budget.md
echo "budget: ok"
