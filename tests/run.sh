#!/usr/bin/env bash
# The test suite: runs every kind of test against the binaries in BUILD and ends with the
# line "N passed, N failed". Exit status 0 only when nothing failed.
#
#   unit      cmocka tests in BUILD/tests/test_*
#   rules     plausid rules test on every pack in rules/; docs/PACK-katalog.md must be what
#             plausid rules doc writes for the pack (scripts/katalog.sh rewrites them)
#   compile   tests/compile/*.yaml must fail to compile with exactly the diagnostics in *.err
#   golden    tests/golden/*/: a plausid run whose stdout, rejects CSV and exit status are
#             compared with the expected files (diff -u); @OUT@ in args is the CSV,
#             @HTML@ an HTML report (its CSV beside it is the one compared), which must be
#             self-contained and hold every line of html.contains
#             (scripts/regolden.sh shows how they would change; --write writes them)
#   fuzz      each fuzz target replays its corpus in tests/fuzz/corpus/NAME
#   load      tests/load/run.sh: plausid load against a PostgreSQL of its own
#   views     tests/views/run.sh: the dashboard views on hand-computed fixtures, likewise
#   export    tests/export/run.sh: plausid export of views to CSV files, likewise
#   report    tests/report/run.sh: reports from the database (load, report --delivery,
#             --since, --strategiekarte), likewise, rendered in headless Chromium
#   systemd   tests/systemd/run.sh: the unit (verify, exposure), make install, sysusers.d,
#             tmpfiles.d and the man pages
#   daemon    tests/daemon/run.sh: plausid run on real directories with a PostgreSQL and a
#             NOTIFY_SOCKET of its own (drops, crashes, outages, signals, notify protocol)
#
#   tests/run.sh [BUILD [SECTION...]]   only the named sections (tests/mutate.sh runs the
#                                       narrowest that kill a mutant); none: every section
set -uo pipefail
BUILD=${1:-build}
shift $(($# > 0 ? 1 : 0))
SECTIONS=(unit rules compile golden fuzz load views export report systemd daemon)
if [ $# -gt 0 ]; then
        for s in "$@"; do
                [[ " ${SECTIONS[*]} " == *" $s "* ]] || { echo "tests/run.sh: unknown section $s (one of: ${SECTIONS[*]})" >&2; exit 2; }
        done
        SECTIONS=("$@")
fi
chosen() { [[ " ${SECTIONS[*]} " == *" $1 "* ]]; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PLAUSID=$BUILD/plausid
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

passed=0
failed=0
failures=()
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { passed=$((passed + 1)); }
bad() {
        failed=$((failed + 1))
        failures+=("$1")
        echo "FAIL: $1" >&2
}

# ---- unit tests ----
# A missing unit-test binary must fail the run, not shrink it: every tests/unit/*.c has to
# have been built (make check-suite builds them; plain make does not).
chosen unit && for src in tests/unit/test_*.c; do
        t=$BUILD/tests/$(basename "${src%.c}")
        if [ ! -x "$t" ]; then bad "unit $(basename "$t"): not built"; continue; fi
        if "$t" >"$TMP/unit.log" 2>&1; then ok; else cat "$TMP/unit.log" >&2; bad "unit $(basename "$t")"; fi
done

# ---- rule packs: their own examples ----
chosen rules && for pack in rules/*.yaml; do
        if "$PLAUSID" rules test "$pack" >"$TMP/rules.log" 2>&1; then ok; else cat "$TMP/rules.log" >&2; bad "rules test $pack"; fi
done

# ---- rule packs: their catalogue in docs/ is the pack's, rule for rule ----
# The document is generated; a pack changed without regenerating it differs here. Apart
# from the generator, every rule id of the pack must head a section and stand in the index
# with the severity the pack gives it, so that a generator that dropped rules fails too.
for pack in rules/*.yaml; do
        doc=docs/$(basename "$pack" .yaml)-katalog.md
        regen="regenerate with scripts/katalog.sh $BUILD, read the diff, commit $doc"
        if [ ! -f "$doc" ]; then bad "katalog $doc: missing; $regen"; continue; fi
        if ! "$PLAUSID" rules doc "$pack" >"$TMP/katalog.md" 2>"$TMP/katalog.err"; then
                cat "$TMP/katalog.err" >&2
                bad "katalog $pack: plausid rules doc failed"
                continue
        fi
        if ! diff -u "$doc" "$TMP/katalog.md" >&2; then bad "katalog $doc differs from $pack; $regen"; continue; fi
        awk '/^  - id:/ { id = $3 } /^    severity:/ && id != "" { print id, $2; id = "" }' "$pack" |
                sed 's/ error$/ Fehler/; s/ warning$/ Warnung/; s/ file$/ Datei/' >"$TMP/katalog.ids"
        missing=""
        while read -r id sev; do
                grep -q "^### $id – " "$doc" && grep -qF "| [$id](#$id) | $sev |" "$doc" || missing="$missing $id($sev)"
        done <"$TMP/katalog.ids"
        if [ ! -s "$TMP/katalog.ids" ] || [ "$(wc -l <"$TMP/katalog.ids")" -ne "$(grep -c '^  - id:' "$pack")" ]; then
                bad "katalog $pack: cannot read every rule's id and severity (\"  - id:\" then \"    severity:\")"
        elif [ -n "$missing" ]; then bad "katalog $doc: rules missing or with another severity:$missing"
        else ok; fi
done

# ---- packs that must not compile, with their exact diagnostics ----
chosen compile && for y in tests/compile/*.yaml; do
        [ -e "$y" ] || continue
        name=${y%.yaml}
        "$PLAUSID" check --rules "$y" /dev/null >/dev/null 2>"$TMP/compile.err"
        status=$?
        if [ "$status" -ne 2 ]; then
                bad "compile $y: exit $status, expected 2"
        elif ! diff -u "$name.err" "$TMP/compile.err" >&2; then
                bad "compile $y: diagnostics differ"
        else
                ok
        fi
done

# ---- golden runs of the command line ----
chosen golden && for dir in tests/golden/*/; do
        [ -f "$dir/args" ] || continue
        name=$(basename "$dir")
        read -r -a args <"$dir/args"
        expanded=()
        for a in "${args[@]}"; do a=${a//@OUT@/$TMP/$name.csv}; expanded+=("${a//@HTML@/$TMP/$name.html}"); done
        rm -f "$TMP/$name.csv" "$TMP/$name.html"
        "$PLAUSID" "${expanded[@]}" >"$TMP/$name.out" 2>"$TMP/$name.err"
        status=$?
        good=1
        want_status=$(cat "$dir/status" 2>/dev/null || echo 0)
        if [ "$status" != "$want_status" ]; then
                echo "golden $name: exit $status, expected $want_status" >&2
                cat "$TMP/$name.err" >&2
                good=0
        fi
        for kind in out err csv; do
                [ -f "$dir/expected.$kind" ] || continue
                diff -u "$dir/expected.$kind" "$TMP/$name.$kind" >&2 || good=0
        done
        if [ -f "$dir/html.contains" ]; then
                while IFS= read -r want; do
                        grep -qF -- "$want" "$TMP/$name.html" 2>/dev/null || { echo "golden $name: HTML lacks: $want" >&2; good=0; }
                done <"$dir/html.contains"
                # Self-contained: nothing fetched from anywhere, no script at all.
                if grep -niE 'https?:|<link|<script|<iframe|<object|<embed|@import|url\(' "$TMP/$name.html" >&2 ||
                   grep -oiE 'src=[^ >]*' "$TMP/$name.html" | grep -viE "^src=[\"']?data:" >&2; then
                        echo "golden $name: the HTML refers to something outside itself" >&2
                        good=0
                fi
        fi
        if [ $good = 1 ]; then ok; else bad "golden $name"; fi
done

# ---- fuzz corpora ----
chosen fuzz && for src in tests/fuzz/fuzz_*.c; do
        [ -e "$src" ] || continue
        n=$(basename "${src%.c}")
        f=$BUILD/fuzz/$n
        if [ ! -x "$f" ]; then bad "fuzz replay $n: not built"; continue; fi
        corpus=tests/fuzz/corpus/${n#fuzz_}
        if "$f" -runs=0 "$corpus" >"$TMP/fuzz.log" 2>&1; then ok; else tail -40 "$TMP/fuzz.log" >&2; bad "fuzz replay $n"; fi
done

# ---- the integration suites: each ends with "N passed, M failed", and its cases count
#      one by one ----
suite() { # suite NAME: runs tests/NAME/run.sh, when NAME is a chosen section
        chosen "$1" || return 0
        local log=$TMP/$1.log status counts
        tests/$1/run.sh "$BUILD" >"$log" 2>&1
        status=$?
        counts=$(tail -1 "$log")
        if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
                passed=$((passed + BASH_REMATCH[1]))
                if [ "${BASH_REMATCH[2]}" -gt 0 ] || [ $status -ne 0 ]; then
                        cat "$log" >&2
                        bad "$1: ${BASH_REMATCH[2]} cases"
                fi
        else
                cat "$log" >&2
                bad "$1: did not run to the end"
        fi
}
suite load      # plausid load into a real PostgreSQL
suite views     # the dashboard views over loaded data
suite export    # views into CSV files for Excel
suite report    # reports from the database, and in a browser
suite systemd   # the unit, make install, users and directories, man pages
suite daemon    # the drop-directory daemon: real processes and directories

echo
if [ $failed -gt 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
