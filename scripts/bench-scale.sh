#!/usr/bin/env bash
# End-to-end scale bench of `evstudy run` (not part of the test run): for each size, generate
# the synthetic benchmark panel once, run the study RUNS times and print, per size, the median
# wall time, the median CPU time (user + system) and the largest peak memory, plus the phase
# split of the median run.
#
#   bash scripts/bench-scale.sh                 # 50k and 500k events
#   SIZES="50k 500k 2m" RUNS=3 bash scripts/bench-scale.sh
#   EVSTUDY=target/release/evstudy BENCH_DIR=/tmp/evstudy-bench bash scripts/bench-scale.sh
#
# Sizes (5,000 securities; market model; windows −1:1, −5:5, 0:20; Parquet out; no report):
#   50k  = 50,000 events on 2,520 days      500k = 500,000 events on 5,040 days
#   2m   = 2,000,000 events on 5,040 days
# Needs GNU time (/usr/bin/time) for CPU and peak memory; the panels take 0.1 GB (50k) to
# 0.2 GB (500k, 2m) of disk each under BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"50k 500k"}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-target/bench-scale}
if [ -z "${EVSTUDY:-}" ]; then
  # The test build makes the binary with the same features as the test run (one build).
  cargo test --release --no-run --quiet
  EVSTUDY="${CARGO_TARGET_DIR:-target}/release/evstudy"
fi
[ -x /usr/bin/time ] || { echo "bench-scale: GNU time (/usr/bin/time) is required" >&2; exit 1; }

spec() { # size → "days events"
  case "$1" in
    50k) echo "2520 50000" ;;
    500k) echo "5040 500000" ;;
    2m) echo "5040 2000000" ;;
    *) echo "bench-scale: unknown size '$1' (50k, 500k, 2m)" >&2; exit 1 ;;
  esac
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

printf '| size | days | events | runs | wall median (s) | CPU median (s) | peak memory (MB) |\n'
printf '|---|---|---|---|---|---|---|\n'
for size in $SIZES; do
  read -r days events <<<"$(spec "$size")"
  panel="$BENCH_DIR/panel-$size"
  if [ ! -f "$panel/study.toml" ]; then
    "$EVSTUDY" demo --out "$panel" --bench-securities 5000 --bench-days "$days" \
      --bench-events "$events" >/dev/null
  fi
  walls=() cpus=() peak=0
  for run in $(seq "$RUNS"); do
    log="$BENCH_DIR/run-$size-$run.log"
    /usr/bin/time -f 'TIME %e %U %S %M' "$EVSTUDY" run --config "$panel/study.toml" \
      --out "$BENCH_DIR/out-$size" --format parquet --no-report --timings >"$log" 2>&1
    read -r wall user sys kb <<<"$(grep '^TIME' "$log" | tail -1 | cut -d' ' -f2-)"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  wall_med=$(printf '%s\n' "${walls[@]}" | median)
  cpu_med=$(printf '%s\n' "${cpus[@]}" | median)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$size" "$days" "$events" "$RUNS" \
    "$wall_med" "$cpu_med" "$((peak / 1024))"
done
echo
echo "Phase split of the last run of each size: $BENCH_DIR/run-<size>-$RUNS.log (lines 'timing …')."
