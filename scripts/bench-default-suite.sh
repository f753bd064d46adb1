#!/usr/bin/env bash
# The default suite against the embedded reference (BENCHMARKS.md, "The
# default suite"), run REPS times with every key pair generated in the run
# (--fresh-keys) and, interleaved, with a key stock filled before the run,
# outside the timing (`authconform keys fill`). Prints the medians.
#
#   bash scripts/bench-default-suite.sh
#   REPS=9 bash scripts/bench-default-suite.sh
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${REPS:-5}
cargo build --release --quiet --bin authconform
bin=$PWD/target/release/authconform
source scripts/bench-lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for ((rep = 1; rep <= reps; rep++)); do
    for mode in fresh stock; do
        if [ "$mode" = stock ]; then
            "$bin" keys fill --dir "$work/stock" --count 60 >/dev/null
            keys=(--key-stock "$work/stock")
        else
            keys=(--fresh-keys)
        fi
        rm -rf "$work/reports"
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" run "${keys[@]}" --report-dir "$work/reports" \
            >"$work/out" 2>&1 || { tail -5 "$work/out" >&2; exit 1; }
        read -r wall user sys rss <"$work/time"
        echo "$mode $wall $user $sys $rss" >>"$work/results"
        echo "rep $rep, $mode keys: ${wall} s wall, ${user} s user, ${sys} s system, $((rss / 1024)) MB; $(grep '^scenarios:' "$work/out")" >&2
    done
done

printf '\n| keys | wall (median) | CPU user | CPU system | peak RSS |\n|---|---:|---:|---:|---:|\n'
for mode in fresh stock; do
    col() { awk -v m="$mode" -v c="$1" '$1 == m { print $c }' "$work/results" | median; }
    printf '| %s | %.2f s | %.2f s | %.2f s | %d MB |\n' "$mode" "$(col 2)" "$(col 3)" "$(col 4)" "$(($(col 5 | cut -d. -f1) / 1024))"
done
