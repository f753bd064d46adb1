#!/usr/bin/env bash
# The harness beside Hurl on the same requests (BENCHMARKS.md, "Beside Hurl"):
# N scenarios, each one POST that starts a sign-in (answered 200), against one
# standalone reference started with --smtp none (so neither side waits on
# mail); the harness writes its reports, Hurl runs N files with `--test`, and
# once more writing its HTML report. The three are interleaved in each
# repetition; medians are printed.
#
#   HURL=/path/to/hurl scripts/bench-hurl.sh            # N=1000 and N=1, 5 repetitions
#   SIZES="1000" REPS=3 HURL=... scripts/bench-hurl.sh
#
# Hurl: `cargo install hurl --version 8.0.1 --locked` (needs libcurl's and
# libxml2's development files, e.g. Debian's libcurl4-openssl-dev and
# libxml2-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"1000 1"}
reps=${REPS:-5}
hurl=${HURL:-hurl}
command -v "$hurl" >/dev/null || { echo "no hurl at '$hurl': set HURL (see the comment above)" >&2; exit 2; }
bin=$PWD/target/release/authconform
cargo build --release --quiet
work=$(mktemp -d)
port=18080
"$bin" reference --listen 127.0.0.1:$port --smtp none >"$work/reference.log" 2>&1 &
reference=$!
trap 'kill $reference 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

source scripts/bench-lib.sh
make_suite "$work/suite"


hurl_files() {
    rm -rf "$work/hurl" && mkdir -p "$work/hurl"
    for ((i = 0; i < $1; i++)); do
        id=$(cat /proc/sys/kernel/random/uuid)
        cat >"$work/hurl/$i.hurl" <<EOF
POST http://127.0.0.1:$port/msggw/ic/process/patient-email/$id
Content-Type: application/json
{"email":"p$i.$id@conformance.test","firstName":"P$i","from":"p$i.$id@conformance.test","g-recaptcha-response":"conformance-captcha","hcpId":"5a1c0d3e-0000-4000-8000-00000000a11c","lastName":"Conformance","mobilePhone":""}
HTTP 200
EOF
    done
}

timed() { # label n command...
    local label=$1 n=$2
    shift 2
    /usr/bin/time -f "%e %U" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { echo "$label failed:" >&2; tail -5 "$work/err" >&2; exit 1; }
    read -r wall user <"$work/time"
    echo "$label $n $wall $user" >>"$work/results"
    echo "$label, $n: ${wall} s wall, ${user} s user" >&2
}

export AUTHCONFORM_BASE_URL=http://127.0.0.1:$port AUTHCONFORM_SMTP=127.0.0.1:12525 AUTHCONFORM_SMS=127.0.0.1:12526
for ((rep = 1; rep <= reps; rep++)); do
    for n in $sizes; do
        feature "$n" >"$work/suite/features/bench.feature"
        rm -rf "$work/reports"
        timed authconform "$n" "$bin" run --root "$work/suite" --target "$work/suite/scenarios/targets/reference.yaml" --report-dir "$work/reports"
        hurl_files "$n"
        timed hurl "$n" "$hurl" --test "$work"/hurl/*.hurl
        hurl_files "$n"
        rm -rf "$work/hurl-report"
        timed hurl-html "$n" "$hurl" --test --report-html "$work/hurl-report" "$work"/hurl/*.hurl
    done
done

printf '\n| scenarios | tool | wall (median) | CPU user (median) |\n|---:|---|---:|---:|\n'
for n in $sizes; do
    for tool in authconform hurl hurl-html; do
        wall=$(awk -v t="$tool" -v n="$n" '$1 == t && $2 == n { print $3 }' "$work/results" | median)
        user=$(awk -v t="$tool" -v n="$n" '$1 == t && $2 == n { print $4 }' "$work/results" | median)
        printf '| %d | %s | %.3f s | %.3f s |\n' "$n" "$tool" "$wall" "$user"
    done
done
