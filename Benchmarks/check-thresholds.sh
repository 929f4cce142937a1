#!/bin/sh
# Runs the in-process benchmarks and checks each against its target in Benchmarks/Thresholds.
# ordo-one/benchmark fails the run both when a result is worse than its threshold (a regression)
# and when it is better (an improvement); only a regression, or no result at all, fails here.
set -u
cd "$(dirname "$0")"
output=$(${SWIFT:-swift} package benchmark thresholds check --path Thresholds 2>&1)
status=$?
printf '%s\n' "$output" | grep -av 'ETA:'
[ "$status" -eq 0 ] && exit 0
if printf '%s' "$output" | grep -aq 'benchmarkThresholdImprovement' \
    && ! printf '%s' "$output" | grep -aq 'benchmarkThresholdRegression'; then
    echo "check-thresholds: every benchmark is at or better than its target"
    exit 0
fi
echo "check-thresholds: a benchmark missed its target, or did not run (exit $status)" >&2
exit 1
