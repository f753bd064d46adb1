#!/usr/bin/env bash
# The suite against a slow target (BENCHMARKS.md, "A slow target"): a
# standalone reference behind examples/latency_proxy.rs, which delays every
# answer by DELAY ms (default 20), run with each --concurrency of CONCURRENCY;
# and the critical path: the longest scenario's chain of requests times DELAY,
# plus its mails times the SMTP sink's latency (20 ms, the profile's default:
# the reference sends each code mail before it answers, so a relay's latency
# is in the chain as much as the proxy's).
# Each run is made twice, interleaved: with keys generated in the run
# (--fresh-keys) and with a key stock filled before it, outside the timing.
#
#   bash scripts/bench-slow-target.sh
#   DELAY=50 CONCURRENCY="16 64" REPS=3 KEYS="stock" bash scripts/bench-slow-target.sh
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${DELAY:-20}
concurrency=${CONCURRENCY:-"16 32 64"}
reps=${REPS:-3}
modes=${KEYS:-"fresh stock"}
cargo build --release --quiet --bin authconform --example latency_proxy
bin=$PWD/target/release/authconform
proxy=$PWD/target/release/examples/latency_proxy
source scripts/bench-lib.sh
work=$(mktemp -d)
"$bin" reference --listen 127.0.0.1:18090 --smtp 127.0.0.1:12525 --sms-webhook http://127.0.0.1:12526/sms >"$work/reference.log" 2>&1 &
reference=$!
"$proxy" 127.0.0.1:18091 127.0.0.1:18090 "$delay" &
proxied=$!
trap 'kill $reference $proxied 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5

export AUTHCONFORM_BASE_URL=http://127.0.0.1:18091 AUTHCONFORM_SMTP=127.0.0.1:12525 AUTHCONFORM_SMS=127.0.0.1:12526
for ((rep = 1; rep <= reps; rep++)); do
    for c in $concurrency; do
        for mode in $modes; do
            rm -rf "$work/reports"
            if [ "$mode" = stock ]; then
                "$bin" keys fill --dir "$work/stock" --count 80 >/dev/null
                keys=(--key-stock "$work/stock")
            else
                keys=(--fresh-keys)
            fi
            /usr/bin/time -f "%e" -o "$work/time" "$bin" run --target scenarios/targets/reference.yaml "${keys[@]}" \
                --concurrency "$c" --report-dir "$work/reports" >"$work/out" 2>&1 || { tail -5 "$work/out" >&2; exit 1; }
            wall=$(cat "$work/time")
            # The critical path: the most requests one scenario makes, one after another.
            longest=$(grep '"kind":"http"' "$work"/reports/*/evidence.jsonl |
                sed -E 's/.*"file":"([^"]*)".*"line":([0-9]+).*/\1:\2/' | sort | uniq -c | sort -n | tail -1 | awk '{ print $1, $2 }')
            requests=$(grep -c '"kind":"http"' "$work"/reports/*/evidence.jsonl)
            place=${longest#* }
            mails=$(grep '"kind":"mail"' "$work"/reports/*/evidence.jsonl |
                grep -c "\"file\":\"${place%:*}\".*\"line\":${place##*:}," || true)
            echo "$mode $c $wall ${longest%% *} $mails" >>"$work/results"
            echo "rep $rep, --concurrency $c, $mode keys: ${wall} s; $requests requests; longest chain: $longest, $mails mails" >&2
        done
    done
done

printf '\n| keys | --concurrency | wall (median) | critical path (requests x %s ms + mails x 20 ms) | ratio |\n|---|---:|---:|---:|---:|\n' "$delay"
for mode in $modes; do
    for c in $concurrency; do
        wall=$(awk -v m="$mode" -v c="$c" '$1 == m && $2 == c { print $3 }' "$work/results" | median)
        chain=$(awk -v m="$mode" -v c="$c" '$1 == m && $2 == c { print $4 }' "$work/results" | median)
        mails=$(awk -v m="$mode" -v c="$c" '$1 == m && $2 == c { print $5 }' "$work/results" | median)
        awk -v m="$mode" -v c="$c" -v w="$wall" -v n="$chain" -v k="$mails" -v d="$delay" \
            'BEGIN { p = (n * d + k * 20) / 1000; printf "| %s | %d | %.2f s | %d x %d + %d x 20 ms = %.2f s | %.2f |\n", m, c, w, n, d, k, p, w / p }'
    done
done
