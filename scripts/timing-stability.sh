#!/usr/bin/env bash
# Runs the timing check's test (tests/timing.rs) N times (default 20) and
# counts how often it held: the clean reference not flagged, and each
# timing fault flagged by exactly its requirement. BENCHMARKS.md reports
# the figures; run it on an otherwise idle machine, from the repository root:
#   bash scripts/timing-stability.sh 20
set -euo pipefail
runs="${1:-20}"
cargo test --release --test timing --no-run >/dev/null 2>&1
held=0
times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  if cargo test --release --test timing >/dev/null 2>&1; then
    held=$((held + 1))
    verdict=held
  else
    verdict=FAILED
  fi
  end=$(date +%s.%N)
  took=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  times+=("$took")
  echo "run $i: $verdict in ${took}s"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "held in $held of $runs runs; median wall time ${median}s per run (3 timed runs of 60 samples each, plus start-up)"
