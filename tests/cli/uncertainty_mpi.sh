# `mpirun -n N scsim uncertainty` (and sweep): the same bytes for 1 and 2 ranks as without MPI, tasks
# spread over the ranks, a bad input reported once with every rank exiting 2, kill -9 of rank 0 then
# --resume giving the bytes of an uninterrupted run, and a command that does not use ranks run by rank 0.
source "$(dirname "$0")/lib.sh"
if [[ ${SCSIM_HAVE_MPI:-OFF} != ON ]]; then
  echo "SKIP: scsim was built without MPI (OpenMPI and Boost.MPI not found at configure time)"
  exit 77
fi
MPIRUN=("${SCSIM_MPIEXEC:-mpirun}" --oversubscribe --allow-run-as-root)
U=$FIX/uncertain_county.yaml
CSVS=(uncertainty.csv draws.csv sensitivity.csv)
same_tables() {
  local f
  for f in "${CSVS[@]}"; do cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ"; done
}

run "$SCSIM" uncertainty "$U" --draws 24 -o plain
expect_rc 0
run "${MPIRUN[@]}" -n 1 "$SCSIM" uncertainty "$U" --draws 24 -o n1 --log-level info
expect_rc 0
stderr_has "1 rank"
run "${MPIRUN[@]}" -n 2 "$SCSIM" uncertainty "$U" --draws 24 -o n2 --log-level info
expect_rc 0
stderr_has "2 ranks"
grep -qE "[0-9]+ here, [1-9][0-9]* on other ranks" "$ERR" || fail "no task ran on rank 1"
complete_output n2 uncertainty "${CSVS[@]}"
same_tables plain n1
same_tables n1 n2
# A Saltelli design too, with two threads on each rank.
run "$SCSIM" uncertainty "$U" --draws 8 --sensitivity sobol -r 1 -o sob1
expect_rc 0
run "${MPIRUN[@]}" -n 2 "$SCSIM" uncertainty "$U" --draws 8 --sensitivity sobol -r 1 -t 2 -o sob2
expect_rc 0
same_tables sob1 sob2

# A bad input is reported once, by rank 0; every rank exits 2.
run "${MPIRUN[@]}" -n 2 "$SCSIM" uncertainty "$SRC/tests/fixtures/broken/uncertain_normal_probability.yaml" \
    --draws 10 -o bad
expect_rc 2
[[ $(grep -c "uncertain_normal_probability.yaml:6:47" "$ERR") == 1 ]] || fail "the error was not reported once"
nothing_written bad

# kill -9 of rank 0 (OpenMPI then stops the job), then --resume on two ranks: the same bytes.
JOB=(uncertainty "$U" --draws 100)
run "$SCSIM" "${JOB[@]}" -o ref
expect_rc 0
"${MPIRUN[@]}" -n 2 "$SCSIM" "${JOB[@]}" -o killed -q >/dev/null 2>&1 &
job=$!
for _ in $(seq 1 3000); do
  size=$(stat -c %s killed.checkpoint/journal 2>/dev/null || echo 0)
  ((size > 40000)) && break
  sleep 0.01
done
rank0=""
for p in $(pgrep -f "scsim uncertainty $U --draws 100" || true); do
  if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=0"; then rank0=$p; fi
done
[[ -n $rank0 ]] || fail "rank 0 not found"
kill -9 "$rank0"
wait "$job" 2>/dev/null || true
absent killed
exists killed.checkpoint/journal
run "${MPIRUN[@]}" -n 2 "$SCSIM" "${JOB[@]}" -o killed --resume
expect_rc 0
grep -qE "resuming from killed.checkpoint: [1-9][0-9]* of 200 tasks were done" "$ERR" || fail "resume did not say what it found"
same_tables ref killed
absent killed.checkpoint

# sweep: the replications of every point spread over the ranks; the same sweep.csv.
SW=(sweep "$FIX/costs_county.yaml" --set detainers.rule=require_judicial_warrant --set detainers.share_honored=0.2,1
    --set pipeline.lesc_analysts=5,40 -r 3 --format csv)
run "$SCSIM" "${SW[@]}" -o sw1
expect_rc 0
cp "$OUT" sw1.stdout
run "${MPIRUN[@]}" -n 2 "$SCSIM" "${SW[@]}" -o sw2 --log-level info
expect_rc 0
grep -qE "[0-9]+ here, [1-9][0-9]* on other ranks" "$ERR" || fail "no replication of the sweep ran on rank 1"
cmp -s sw1/sweep.csv sw2/sweep.csv || fail "sweep.csv differs between 1 process and 2 ranks"
cmp -s sw1.stdout "$OUT" || fail "the sweep's stdout differs between 1 process and 2 ranks"

# A command that does not spread over ranks: rank 0 runs it, the others leave.
run "${MPIRUN[@]}" -n 2 "$SCSIM" run "$U" -r 1 --format csv
expect_rc 0
stderr_has "does not spread over MPI ranks: rank 0 runs it alone"
[[ $(grep -c "^national,bookings," "$OUT") == 1 ]] || fail "the summary was not printed once"
