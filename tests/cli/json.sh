# --format json of run, budget, compare and sweep, and the data of report.html:
# strict JSON (no NaN, no raw control characters) whatever the scenario's name
# or a swept value holds, with the keys in the documented order; an undefined
# number (a relative change from zero) is null.
source "$(dirname "$0")/lib.sh"
S=$FIX/costs_county.yaml
NAME=$(printf 'Q"uote \\ back\ttab </script> & more')

# strict FILE [PYTHON...]: parses FILE as JSON, refusing NaN and Infinity and
# raw control characters, then runs the Python lines with the document as `d`.
strict() {
  local file=$1; shift
  python3 - "$file" "$NAME" "$@" <<'PY' || fail "$file: not the JSON expected"
import json, sys
def refuse(c): raise ValueError("not JSON: " + c)
d = json.loads(open(sys.argv[1]).read(), parse_constant=refuse)
name = sys.argv[2]
for check in sys.argv[3:]:
    assert eval(check), check
PY
}

run "$SCSIM" run "$S" -r 2 --format json --set "name=$NAME"
expect_rc 0
strict "$OUT" 'd["scenario"] == name' 'list(d) == ["scenario", "seed", "replications", "scopes"]' \
  'list(d["scopes"])[0] == "national"' 'list(d["scopes"]["national"]["bookings"]) == ["mean", "ci95_low", "ci95_high"]' \
  'd["scopes"]["national"]["bookings"]["ci95_low"] <= d["scopes"]["national"]["bookings"]["mean"]'

run "$SCSIM" budget "$S" --jurisdiction alpha_ca --fiscal-year 2011 -r 2 -o b --format json --set "name=$NAME"
expect_rc 0
strict "$OUT" 'd["scenario"] == name' 'd["complete"] is True and d["period"] == "FY2011"' \
  'list(d)[:3] == ["scenario", "scope", "period"]' 'len(d["lines"]) == 16' \
  'list(d["lines"][0]) == ["line", "label", "unit", "section", "mean", "ci95_low", "ci95_high"]'

# Counties the trust act leaves alone change nothing: their relative changes
# from zero are undefined, and null.
run "$SCSIM" compare "$S" "$FIX/costs_county_trust.yaml" -r 2 -o c --format json
expect_rc 0
strict "$OUT" 'len(d) == int(open("c/compare.csv").read().count("\n")) - 1' \
  'list(d[0]) == ["scope", "metric", "base_mean", "alt", "alt_mean", "diff_mean", "diff_ci95_low", "diff_ci95_high", "rel_change"]' \
  'any(r["rel_change"] is None and r["base_mean"] == 0 for r in d)' \
  'all(r["rel_change"] is not None for r in d if r["base_mean"] != 0)'

# A swept value with quotes and a backslash is one string, as given.
run "$SCSIM" sweep "$S" --set 'pipeline.pickup_delay={dist: fixed, value: "2h"},{dist: fixed, value: 40h}' \
  -r 1 -o s --format json --scope CA
expect_rc 0
strict "$OUT" 'len(d) == 2' 'd[0]["pipeline.pickup_delay"] == "{dist: fixed, value: \"2h\"}"' \
  'list(d[0])[:2] == ["pipeline.pickup_delay", "scope"] and d[0]["scope"] == "CA"' \
  'list(d[0]["bookings"]) == ["mean", "ci95_low", "ci95_high"]'

# report.html: the data no text can break out of, and it reads back as the name.
run "$SCSIM" run "$S" -r 2 -o r --set "name=$NAME"
expect_rc 0
python3 - r/report.html > report.json <<'PY' || fail "report.html has no data element"
import re, sys
page = open(sys.argv[1]).read()
m = re.search(r'<script type="application/json" id="scsim-data">(.*?)</script>', page, re.S)
assert m and not re.search(r"[<>&]", m.group(1)), "raw <, > or & in the data"
print(m.group(1))
PY
strict report.json 'd["meta"]["name"] == name' \
  'list(d) == ["meta", "months", "scopes", "series", "sankey", "costs", "settings"]' \
  'all(len(repr(x).replace("-", "").replace(".", "").lstrip("0")) <= 8 for x in d["series"]["national"]["bookings"][1] if x)'
echo "json: ok"
