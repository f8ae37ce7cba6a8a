# `scsim uncertainty`: the three tables, the same bytes on 1 and 2 threads, a Saltelli design,
# --set fixing an uncertain key, kill -9 then --resume giving the bytes of an uninterrupted run,
# the checkpoint's guards, and bad `uncertain:` entries (file:line, exit 2, nothing written).
source "$(dirname "$0")/lib.sh"
U=$FIX/uncertain_county.yaml
BROKEN=$SRC/tests/fixtures/broken
CSVS=(uncertainty.csv draws.csv sensitivity.csv)
same_tables() {  # same_tables DIR1 DIR2
  local f
  for f in "${CSVS[@]}"; do cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ"; done
}

run "$SCSIM" uncertainty "$U" --draws 24 -t 1 -o t1
expect_rc 0
complete_output t1 uncertainty "${CSVS[@]}" report.html scenario.resolved.yaml
absent t1.checkpoint
stdout_has "UNCERTAINTY of uncertain test counties, scope national: 24 draws (lhs) x 2 replications"
stdout_has "what drives net_detainer_cost_usd (partial rank correlation"
[[ $(head -1 t1/uncertainty.csv) == "scope,metric,mean,p05,p50,p95,mc_half_width,draws,replications" ]] ||
  fail "uncertainty.csv header: $(head -1 t1/uncertainty.csv)"
[[ $(head -1 t1/sensitivity.csv) == "scope,metric,parameter,index,estimate,ci95_low,ci95_high,method,draws" ]] ||
  fail "sensitivity.csv header: $(head -1 t1/sensitivity.csv)"
python3 - t1 <<'PY' || fail "uncertainty tables"
import csv, sys
d = sys.argv[1]
unc = list(csv.DictReader(open(f"{d}/uncertainty.csv")))
draws = list(csv.DictReader(open(f"{d}/draws.csv")))
sens = list(csv.DictReader(open(f"{d}/sensitivity.csv")))
price = "jurisdictions[alpha_ca].jail_cost_per_day"
assert len(draws) == 24, len(draws)
assert list(draws[0])[:4] == ["draw", price, "costs.ice_per_diem", "pipeline.pickup_probability"], list(draws[0])
assert all(60 <= float(r[price]) <= 140 and 0 <= float(r["pipeline.pickup_probability"]) <= 1 for r in draws)
# One draw per stratum of the price's range (Latin hypercube).
assert sorted(int((float(r[price]) - 60) / 80 * 24) for r in draws) == list(range(24))
cost = next(r for r in unc if r["scope"] == "national" and r["metric"] == "net_detainer_cost_usd")
assert float(cost["p05"]) < float(cost["p50"]) < float(cost["p95"]), cost
assert float(cost["mc_half_width"]) > 0 and cost["draws"] == "24" and cost["replications"] == "2", cost
# The parameter uncertainty of the cost is far wider than its Monte Carlo noise here.
assert float(cost["p95"]) - float(cost["p05"]) > 2 * float(cost["mc_half_width"]), cost
prcc = {r["parameter"]: float(r["estimate"]) for r in sens
        if r["metric"] == "net_detainer_cost_usd" and r["scope"] == "national"}
assert prcc[price] > 0.9, prcc
assert {r["method"] for r in sens} == {"prcc_fisher_z"}
PY

# Threads change nothing.
run "$SCSIM" uncertainty "$U" --draws 24 -t 2 -o t2
expect_rc 0
same_tables t1 t2

# A Saltelli design: N (k + 2) draws, first-order and total indices.
run "$SCSIM" uncertainty "$U" --draws 8 --sensitivity sobol --sampler sobol -r 1 -o sob
expect_rc 0
stdout_has "40 draws (sobol, Saltelli design of 8 base rows)"
python3 - sob <<'PY' || fail "Saltelli design"
import csv, sys
draws = list(csv.DictReader(open(f"{sys.argv[1]}/draws.csv")))
sens = list(csv.DictReader(open(f"{sys.argv[1]}/sensitivity.csv")))
blocks = [r["block"] for r in draws]
assert blocks[:16] == ["A"] * 8 + ["B"] * 8 and len(blocks) == 40, blocks
assert {r["index"] for r in sens} == {"first_order", "total"}
assert {r["method"] for r in sens} == {"saltelli2010_bootstrap", "jansen1999_bootstrap"}
PY

# --set on an uncertain key fixes it: not drawn, named in the table.
run "$SCSIM" uncertainty "$U" --draws 24 --set pipeline.pickup_probability=0.7 -o fixed
expect_rc 0
stdout_has "fixed by --set: pipeline.pickup_probability"
[[ $(head -1 fixed/draws.csv) != *pipeline.pickup_probability* ]] || fail "a fixed key is still drawn"

# kill -9 in the middle of a run, then --resume: the same bytes as a run never interrupted.
JOB=(uncertainty "$U" --draws 100 -t 2)
run "$SCSIM" "${JOB[@]}" -o ref
expect_rc 0
"$SCSIM" "${JOB[@]}" -o killed -q >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do  # until some tasks are in the journal (a record is a few KiB)
  size=$(stat -c %s killed.checkpoint/journal 2>/dev/null || echo 0)
  ((size > 40000)) && break
  sleep 0.01
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
absent killed
exists killed.checkpoint/journal
# Without --resume the checkpoint is not thrown away.
run "$SCSIM" "${JOB[@]}" -o killed
expect_rc 2
last_err_has "killed.checkpoint holds"
last_err_has "add --resume to continue it, or --force to discard it"
# Another job does not resume it.
run "$SCSIM" uncertainty "$U" --draws 101 -o killed --resume
expect_rc 2
last_err_has "of another job"
run "$SCSIM" "${JOB[@]}" -o killed --resume
expect_rc 0
stderr_has "tasks were done"
grep -qE "resuming from killed.checkpoint: [1-9][0-9]* of 200 tasks were done" "$ERR" || fail "resume did not say what it found"
same_tables ref killed
complete_output killed uncertainty "${CSVS[@]}"
absent killed.checkpoint

# Bad `uncertain:` entries: file:line:col on the last line of stderr, exit 2, nothing written.
for f in uncertain_normal_probability:6:47 uncertain_unknown_key:6:69 uncertain_wrong_param:9:5; do
  name=${f%%:*}
  run "$SCSIM" uncertainty "$BROKEN/$name.yaml" --draws 10 -o bad
  expect_rc 2
  last_err_has "$name.yaml:${f#*:}: uncertain[0]"
  nothing_written bad
  absent bad.checkpoint
done
# Nothing to draw, or too few draws for the method: bad input too.
run "$SCSIM" uncertainty "$FIX/costs_county.yaml" --draws 10 -o none
expect_rc 2
last_err_has "the scenario declares no uncertain parameters"
run "$SCSIM" uncertainty "$U" --draws 5 -o few
expect_rc 2
last_err_has "partial rank correlations of 3 parameters need at least 6 draws"
nothing_written few
