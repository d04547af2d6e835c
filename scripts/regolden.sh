#!/usr/bin/env bash
# Rewrites the expected files of the golden tests from the current binary. Run it only
# after a deliberate change of output, and read the diff (git diff tests/golden) before
# committing: the golden files are the reviewed truth.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
for d in tests/golden/*/; do
        read -r -a args <"$d/args"
        expanded=()
        # @HTML@: the report is not golden (it holds times), its CSV beside it is.
        for a in "${args[@]}"; do a=${a//@OUT@/$d/expected.csv}; expanded+=("${a//@HTML@/$d/expected.html}"); done
        rm -f "$d/expected.csv" "$d/expected.err"
        status=0
        "$BUILD/plausid" "${expanded[@]}" >"$d/expected.out" 2>"$d/expected.err" || status=$?
        echo "$status" >"$d/status"
        [ -s "$d/expected.err" ] || rm -f "$d/expected.err"
        rm -f "$d/expected.html"
        echo "$(basename "$d"): exit $status"
done
