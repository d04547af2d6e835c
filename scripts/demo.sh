#!/usr/bin/env bash
# make demo: checks the sample exports in samples/ against rules/hze.yaml and shows what a
# controller would get. (Later stages add PostgreSQL and the daemon.)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=$BUILD/demo
mkdir -p "$OUT"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The rule pack compiles and its examples pass"
"$BUILD/plausid" rules test rules/hze.yaml | tail -1

say "plausid check on the sample exports"
echo "\$ plausid check --rules rules/hze.yaml --rejects $OUT/findings.csv samples/*.csv"
"$BUILD/plausid" check --rules rules/hze.yaml --rejects "$OUT/findings.csv" samples/*.csv
status=$?
echo "(exit status $status: 0 = nothing rejected, 1 = records or a file rejected, 2 = could not run)"

say "The findings for the controller: $OUT/findings.csv (UTF-8 with BOM, ';' -- opens in Excel)"
rows=$(($(wc -l <"$OUT/findings.csv") - 1))
echo "$rows findings; the first ones:"
head -n 12 "$OUT/findings.csv" | sed '1s/^\xEF\xBB\xBF//' | cut -c1-220
[ "$status" -le 1 ]
