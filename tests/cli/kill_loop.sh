# kill -9 at random moments: `scsim run COUNTY -o out --force`, writing over
# an existing output, is killed 20 times; after each kill `out` must hold a
# complete result, the old one or the new one (every file there, the marker,
# results.sqlite intact and agreeing with summary.csv, report.html whole),
# never neither and never a mix. What a kill strands beside `out` is removed
# by the next run.
source "$(dirname "$0")/lib.sh"
C=$SCEN/counties/cook.yaml
KILLS=20

# Prints the pid in out's marker if out is a complete output of `scsim run`; fails otherwise.
check_complete() {
  python3 - "$1" <<'PY' || fail "after kill $2: '$1' is not a complete output"
import os, re, sqlite3, sys
d = sys.argv[1]
want = {".scsim-output", "summary.csv", "monthly.csv", "flows.csv", "scenario.resolved.yaml", "results.sqlite", "report.html"}
have = set(os.listdir(d))
assert have == want, f"files {sorted(have)}"
marker = open(os.path.join(d, ".scsim-output")).read()
assert "command: run" in marker, marker
db = sqlite3.connect(f"file:{os.path.join(d, 'results.sqlite')}?mode=ro", uri=True)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
(seed,) = db.execute("SELECT seed FROM runs").fetchone()
rows = db.execute("SELECT COUNT(*) FROM summary").fetchone()[0]
lines = open(os.path.join(d, "summary.csv")).read().splitlines()
assert len(lines) == rows + 1 and rows > 0, (len(lines), rows)
assert open(os.path.join(d, "report.html"), "rb").read().rstrip().endswith(b"</html>")
print(re.search(r"^pid: (\d+)$", marker, re.M).group(1), seed)
PY
}

run "$SCSIM" run "$C" -r 3 -t 1 -q -o out
expect_rc 0
read -r current _ < <(check_complete out 0)
# How long one replacing run takes here, so that the kills spread over all of it.
t0=$(date +%s%N)
run "$SCSIM" run "$C" -r 3 -t 1 -q -o out --force
expect_rc 0
span_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
read -r current _ < <(check_complete out 0)

old=0 new=0
for i in $(seq "$KILLS"); do
  "$SCSIM" run "$C" -r 3 -t 1 -s "$i" -q -o out --force > /dev/null 2>&1 & pid=$!
  # Odd kills anywhere in the run, even ones in its last quarter, where the files are written and swapped.
  sleep "$(awk -v r="$RANDOM" -v t="$span_ms" -v i="$i" \
           'BEGIN { u = r / 32767; printf "%.3f", (i % 2 ? u * 1.1 : 0.8 + u * 0.3) * t / 1000 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  read -r owner seed < <(check_complete out "$i")
  if [[ $owner == "$pid" ]]; then
    [[ $seed == "$i" ]] || fail "after kill $i: the new marker with another run's results (seed $seed)"
    new=$((new + 1)); current=$pid
  else
    [[ $owner == "$current" ]] || fail "after kill $i: out is neither the old ($current) nor the new ($pid) result but $owner's"
    old=$((old + 1))
  fi
done

run "$SCSIM" run "$C" -r 3 -t 1 -q -o out --force
expect_rc 0
check_complete out final > /dev/null
no_leftovers out
echo "kill loop: ok ($KILLS kills over ${span_ms} ms runs: the old result kept $old times, the new one $new times)"
