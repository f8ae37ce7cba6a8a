# report.html renders in headless Chromium with no network: every chart drawn,
# no script error recorded, a screenshot taken. A deliberately broken copy of the
# page must be caught, so the check itself can fail.
source "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[[ -n $CHROMIUM ]] || fail "chromium is not installed (bash scripts/install-deps installs Debian's chromium)"

chrome() {  # chrome OUTPUT_FLAG URL
  local profile
  profile=$(mktemp -d "$WORK/profile.XXXXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions --disable-dev-shm-usage \
    --user-data-dir="$profile" --window-size=1280,2400 --hide-scrollbars --virtual-time-budget=20000 "$@"
}

run "$SCSIM" run "$FIX/costs_county.yaml" -r 2 -o r
expect_rc 0
exists r/report.html; exists r/results.sqlite
page=$WORK/r/report.html
# Self-contained: the library is inlined and nothing is loaded from elsewhere.
[[ $(stat -c %s "$page") -gt 3000000 ]] || fail "report.html is too small to hold plotly.js"
grep -q '<script src=' "$page" && fail "report.html loads a script from elsewhere"
grep -q '<link ' "$page" && fail "report.html links an external resource"
file_has "$page" "window.Plotly"

chrome --dump-dom "file://$page" >dom.html 2>chrome.log || fail "chromium --dump-dom failed: $(tail -5 chrome.log)"
grep -q 'data-render="complete"' dom.html || fail "page did not finish rendering: $(grep -o 'id="render-status">[^<]*' dom.html)"
grep -q 'data-script-errors="0"' dom.html || fail "script errors: $(grep -o 'id="render-status">[^<]*' dom.html)"
grep -q 'data-charts="5"' dom.html || fail "expected 5 charts (Sankey + 4 monthly)"
[[ $(grep -o 'class="sankey"' dom.html | wc -l) -ge 1 ]] || fail "no Sankey diagram in the DOM"
grep -q 'id="cost-table"><tr><th>line</th><th>2010 (6 of 12 months)</th>' dom.html || fail "cost table missing"
grep -q 'net cost to the county' dom.html || fail "cost table lacks the net cost"

chrome --screenshot="$WORK/report.png" "file://$page" >/dev/null 2>>chrome.log || fail "chromium --screenshot failed"
[[ $(stat -c %s report.png) -gt 50000 ]] || fail "screenshot is nearly empty ($(stat -c %s report.png) bytes)"

# The check can fail: a page that throws before drawing must not pass.
sed 's|<script type="application/json" id="scsim-data">|<script>undefined_function_of_a_broken_page();</script>&|' \
  "$page" > broken.html
chrome --dump-dom "file://$WORK/broken.html" >broken_dom.html 2>>chrome.log || true
grep -q 'data-script-errors="0"' broken_dom.html && fail "a script error went unnoticed"
grep -q 'undefined_function_of_a_broken_page' broken_dom.html || fail "the recorded error does not name its cause"

# The uncertainty page (app/uncertainty_report.cpp): a tornado chart and six distributions.
run "$SCSIM" uncertainty "$FIX/uncertain_county.yaml" --draws 12 -r 2 -o u
expect_rc 0
exists u/report.html
grep -q '<script src=' u/report.html && fail "the uncertainty report loads a script from elsewhere"
chrome --dump-dom "file://$WORK/u/report.html" >udom.html 2>>chrome.log || fail "chromium --dump-dom failed (uncertainty)"
grep -q 'data-render="complete"' udom.html || fail "the uncertainty page did not finish rendering"
grep -q 'data-script-errors="0"' udom.html || fail "script errors in the uncertainty page: $(grep -o 'id="render-status">[^<]*' udom.html)"
grep -q 'data-charts="7"' udom.html || fail "expected 7 charts (tornado + 6 distributions) in the uncertainty page"
grep -q 'jurisdictions\[alpha_ca\].jail_cost_per_day</td><td>uniform (60 to 140)</td>' udom.html ||
  fail "the uncertainty page does not list the parameters with their distributions"
echo "report: ok ($(stat -c %s "$page") bytes, screenshot $WORK/report.png)"
