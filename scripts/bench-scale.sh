#!/usr/bin/env bash
# Scale benchmark (BENCHMARKS.md, "Scale"): one cheap scenario (a new
# patient starts signing in; one POST, one mail) repeated as N rows of one
# Scenario Outline, run against the embedded reference with reports
# written. Sizes are interleaved within each repetition so that a change in
# the machine's load touches every size alike; the medians are printed.
#
#   scripts/bench-scale.sh                 # sizes 100 1000 3000 10000, 3 repetitions
#   SIZES="1 1000" REPS=5 scripts/bench-scale.sh
#   BIN=/elsewhere/authconform scripts/bench-scale.sh   # another build, to compare
#
# The copied reference profile sets the SMTP sink's relay latency to 0: at
# its default (20 ms a mail, there for the timing checks) this scenario
# measures the sink's wait, not the harness.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"100 1000 3000 10000"}
reps=${REPS:-3}
bin=${BIN:-target/release/authconform}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source scripts/bench-lib.sh
make_suite "$work/suite"
sed -i 's|^\(    listen: ${AUTHCONFORM_SMTP:-127.0.0.1:2525}\)$|\1\n    latency: 0s|' "$work/suite/scenarios/targets/reference.yaml"
grep -q "latency: 0s" "$work/suite/scenarios/targets/reference.yaml" || { echo "could not set the sink's latency" >&2; exit 2; }

results="$work/results"
for ((rep = 1; rep <= reps; rep++)); do
    for n in $sizes; do
        feature "$n" >"$work/suite/features/bench.feature"
        rm -rf "$work/reports"
        /usr/bin/time -f "%e %U %M" -o "$work/time" "$bin" run --root "$work/suite" --report-dir "$work/reports" >/dev/null 2>"$work/err" || {
            echo "run of $n rows failed:" >&2
            tail -5 "$work/err" >&2
            exit 1
        }
        read -r wall user rss <"$work/time"
        size=$(du -sk "$work/reports" | cut -f1)
        echo "$n $wall $user $rss $size" >>"$results"
        echo "rep $rep, $n rows: ${wall} s wall, ${user} s user, $((rss / 1024)) MB peak, reports $((size / 1024)) MB" >&2
    done
done

printf '\n| rows | wall (median) | CPU user | peak RSS | reports | wall per 1,000 rows |\n|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
    wall=$(awk -v n="$n" '$1 == n { print $2 }' "$results" | median)
    user=$(awk -v n="$n" '$1 == n { print $3 }' "$results" | median)
    rss=$(awk -v n="$n" '$1 == n { print $4 }' "$results" | median)
    size=$(awk -v n="$n" '$1 == n { print $5 }' "$results" | median)
    awk -v n="$n" -v w="$wall" -v u="$user" -v r="$rss" -v s="$size" \
        'BEGIN { printf "| %d | %.2f s | %.2f s | %d MB | %.1f MB | %.2f s |\n", n, w, u, r / 1024, s / 1024, w * 1000 / n }'
done
