# Sourced by the benchmark scripts: the one-scenario suite they run.
#
# make_suite DIR: a copy of scenarios/ under DIR with the benchmark's
# requirement, BENCH-01, added, and an empty DIR/features/.
make_suite() {
    mkdir -p "$1/features"
    cp -r scenarios "$1/"
    cat >>"$1/scenarios/requirements.yaml" <<'REQ'
  BENCH-01:
    title: An unknown login can start signing in (benchmark scenario)
    level: MUST
    source: docs/icure-protocol.md §7
REQ
}

# feature N: one Scenario Outline with N rows, each a new patient who starts
# signing in by e-mail (one POST, answered 200, no key pair).
feature() {
    printf '@needs:otp @needs:email\nFeature: Benchmark\n\n  @req:BENCH-01\n  Scenario Outline: An unknown login starts\n'
    printf '    Given <who> is a new patient\n    When <who> starts signing in by email\n    Then the target accepts the request\n\n'
    printf '    Examples:\n      | who |\n'
    for ((i = 0; i < $1; i++)); do printf '      | P%d |\n' "$i"; done
}

# median: the median of the numbers on stdin, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
