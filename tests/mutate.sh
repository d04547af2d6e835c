#!/usr/bin/env bash
# The mutation check (`make mutate`, not part of `make check`): each mutant in
# tests/mutants.txt is a deliberate bug; it is applied to a scratch copy of the tree, built,
# and the suites it names are run until one fails. A mutant no suite notices is a hole in
# the tests. Debian packages no mutation tool for C (mull, dextool: not packaged), hence
# this script.
#
#   tests/mutate.sh [--dry] [--no-baseline] [--keep] [--build DIR] [ID...]
#
#   ID...          only these mutants (default: all)
#   --dry          apply and build each mutant, run nothing: checks that the list still fits
#                  the code (each original occurs once, each mutant compiles)
#   --no-baseline  do not run each suite once on the unmutated copy before it judges a
#                  mutant (that run makes sure a kill is the bug's, not a suite failing anyway)
#   --keep         leave the scratch copy in place and say where
#   --build DIR    the build directory copied along, so that only the mutated file is
#                  compiled again (default build; built first when missing)
#
# Prints "mutant | bug | result | killing case" per mutant, then "N killed, N survived"
# (and the broken ones). Exit status 0 only when every mutant was killed. A mutant that no
# longer applies or does not compile is BROKEN: a defect of the list, not a kill; so is
# one whose suite was stopped twice by a signal from outside (run it again).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIST=$ROOT/tests/mutants.txt
BUILD=build
DRY=0
BASELINE=1
KEEP=0
SUITE_TIMEOUT=${MUTATE_TIMEOUT:-1800}   # seconds per suite: a mutant that hangs a test is killed
ids=()
while [ $# -gt 0 ]; do
        case $1 in
        --dry) DRY=1 ;;
        --no-baseline) BASELINE=0 ;;
        --keep) KEEP=1 ;;
        --build) BUILD=$2; shift ;;
        -h | --help) sed -n '2,/^set /p' "$0" | sed '$d'; exit 0 ;;
        -*) echo "mutate: unknown option $1" >&2; exit 2 ;;
        *) ids+=("$1") ;;
        esac
        shift
done

# mutants_py list|apply ...: the list's parser, in one place. `list` checks every mutant
# against the tree (the original exactly once) and prints ID<TAB>FILE<TAB>SUITES<TAB>BUG;
# `apply ID TREE` writes the mutated file into TREE.
mutants_py() {
        python3 - "$LIST" "$@" <<'PY'
import sys
path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
mutants, cur = [], None
for n, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
    if line.startswith("== "):
        parts = [p.strip() for p in line[3:].split("|")]
        if len(parts) != 4 or not all(parts):
            sys.exit(f"{path}:{n}: want '== ID | FILE | SUITES | bug'")
        cur = {"id": parts[0], "file": parts[1], "suites": parts[2], "bug": parts[3],
               "old": [], "new": [], "line": n}
        mutants.append(cur)
    elif line.startswith("-") and cur is not None:
        cur["old"].append(line[1:])
    elif line.startswith("+") and cur is not None:
        cur["new"].append(line[1:])
    elif line.strip() and not line.startswith("#"):
        sys.exit(f"{path}:{n}: neither '== ', '-', '+' nor a comment: {line!r}")
seen = set()
for m in mutants:
    if m["id"] in seen:
        sys.exit(f"{path}:{m['line']}: mutant {m['id']} twice")
    seen.add(m["id"])
    if not m["old"]:
        sys.exit(f"{path}:{m['line']}: mutant {m['id']} has no '-' line")
    m["old"], m["new"] = "\n".join(m["old"]), "\n".join(m["new"])

def source(tree, m):
    try:
        text = open(f"{tree}/{m['file']}", encoding="utf-8").read()
    except OSError as e:
        sys.exit(f"{path}:{m['line']}: mutant {m['id']}: {e}")
    count = text.count(m["old"])
    if count != 1:
        sys.exit(f"{path}:{m['line']}: mutant {m['id']}: its original occurs {count} times in "
                 f"{m['file']}, not once (the code changed: fix the mutant)")
    return text

SECTIONS = "unit rules compile golden fuzz load views export report systemd daemon".split()
if cmd == "list":
    import os
    for m in mutants:
        source(args[0], m)
        for s in m["suites"].split():
            if s not in SECTIONS and not (s.startswith("unit/") and
                                          os.path.exists(f"{args[0]}/tests/unit/{s[5:]}.c")):
                sys.exit(f"{path}:{m['line']}: mutant {m['id']}: no suite {s} "
                         f"(a tests/run.sh section, or unit/NAME for tests/unit/NAME.c)")
        print("\t".join([m["id"], m["file"], m["suites"], m["bug"]]))
elif cmd == "apply":
    m = next((m for m in mutants if m["id"] == args[0]), None)
    if m is None:
        sys.exit(f"no mutant {args[0]} in {path}")
    text = source(args[1], m)
    open(f"{args[1]}/{m['file']}", "w", encoding="utf-8").write(text.replace(m["old"], m["new"]))
PY
}

table=$(mutants_py list "$ROOT") || exit 2
declare -A FILE SUITES BUG
order=()
while IFS=$'\t' read -r id file suites bug; do
        FILE[$id]=$file SUITES[$id]=$suites BUG[$id]=$bug
        order+=("$id")
done <<<"$table"
if [ ${#ids[@]} -eq 0 ]; then
        ids=("${order[@]}")
else
        for id in "${ids[@]}"; do
                [ -n "${FILE[$id]:-}" ] || { echo "mutate: no mutant $id in tests/mutants.txt" >&2; exit 2; }
        done
fi

# ---- the scratch copy: the tree without .git, with its build directory, mtimes kept ----
S=$(mktemp -d "${TMPDIR:-/tmp}/plausid-mutate.XXXXXX")
if [ $KEEP = 1 ]; then trap 'echo "mutate: scratch copy kept in $S" >&2' EXIT; else trap 'rm -rf "$S"' EXIT; fi
other_build=build-asan; [ "$BUILD" = build-asan ] && other_build=build
tar -C "$ROOT" --exclude=./.git --exclude="./$other_build" -cf - . | tar -C "$S" -xf -
UNIT_ALL=$(cd "$S" && for f in tests/unit/test_*.c; do n=${f##*/}; echo "$BUILD/tests/${n%.c}"; done)
LOG=$S/mutate-logs
mkdir -p "$LOG"

# build ID SUITES: make in the copy; the unit binaries only when a suite needs them.
build() {
        local targets=(all) s
        for s in $2; do
                case $s in
                unit) targets+=($UNIT_ALL) ;;
                unit/*) targets+=("$BUILD/tests/${s#unit/}") ;;
                esac
        done
        nice make -s -C "$S" BUILD="$BUILD" -j2 "${targets[@]}" >"$LOG/$1.build" 2>&1
}

# suite ID SUITE: runs one suite on the copy; sets $killer to its first failed case, or
# leaves it empty. A suite stopped by a signal from outside (TERM, KILL, HUP, INT: someone
# else's doing, not the mutant's crash) is run once more, then marked $interrupted.
suite() {
        interrupted=
        suite_once "$@"
        case $status in 129 | 130 | 137 | 143) echo "mutate: $2 stopped by a signal ($status), once more" >&2; suite_once "$@" ;; esac
        case $status in 129 | 130 | 137 | 143) interrupted="$2: stopped by a signal from outside (exit $status)" killer= ;; esac
}

suite_once() {
        local log=$LOG/$1.${2//\//_}
        killer=
        case $2 in
        unit/*)
                (cd "$S" && timeout "$SUITE_TIMEOUT" "$BUILD/tests/${2#unit/}") >"$log" 2>&1
                status=$?
                [ $status -eq 0 ] && return 0
                killer=$(grep -m1 -E '^\[  FAILED  \] ' "$log" | sed 's/^\[  FAILED  \] //') ;;
        *)
                (cd "$S" && timeout "$SUITE_TIMEOUT" tests/run.sh "$BUILD" "$2") >"$log" 2>&1
                status=$?
                [ $status -eq 0 ] && return 0
                killer=$(grep -m1 -E '^FAIL: |^failed: ' "$log" | sed -E 's/^(FAIL|failed): //') ;;
        esac
        [ $status -eq 124 ] && killer="timed out after ${SUITE_TIMEOUT}s"
        killer="$2: ${killer:-exit $status}"
}

# baseline ID SUITE: the first time SUITE is to judge a mutant, it runs once on the
# unmutated copy (ID's file put back and built, then ID applied again): a suite that fails
# anyway would kill every mutant. Stops the whole run when it fails.
declare -A BASELINED
baseline() {
        [ $BASELINE = 1 ] && [ -z "${BASELINED[$2]:-}" ] || return 0
        echo "mutate: $2 on the unmutated copy first" >&2
        cp "$ROOT/${FILE[$1]}" "$S/${FILE[$1]}"
        build baseline "$2" || { cat "$LOG/baseline.build" >&2; exit 2; }
        suite baseline "$2"
        if [ -n "$killer$interrupted" ]; then
                echo "mutate: the suites fail without a mutant ($killer$interrupted); see $LOG/baseline.*" >&2
                KEEP=1
                trap 'echo "mutate: scratch copy kept in $S" >&2' EXIT
                exit 2
        fi
        BASELINED[$2]=1
        mutants_py apply "$1" "$S" && build "$1" "$2" || exit 2
}

# run_suites ID SUITES: the suites in order until one kills the mutant (sets $killer).
run_suites() {
        local s
        killer=
        for s in $2; do
                baseline "$1" "$s"
                suite "$1" "$s"
                [ -n "$killer$interrupted" ] && return 0
        done
}

echo "mutate: building the unmutated copy in $S" >&2
all_suites=$(for id in "${ids[@]}"; do echo "${SUITES[$id]}"; done | tr ' ' '\n' | sort -u | tr '\n' ' ')
if ! build baseline "$all_suites"; then
        cat "$LOG/baseline.build" >&2
        echo "mutate: the unmutated tree does not build" >&2
        exit 2
fi

killed=0 survived=0 broken=0 interrupted=
results=()
for id in "${ids[@]}"; do
        file=${FILE[$id]}
        echo "mutate: $id ($file) ..." >&2
        if ! mutants_py apply "$id" "$S" >"$LOG/$id.apply" 2>&1; then
                result=BROKEN case="does not apply: $(tail -1 "$LOG/$id.apply")"
        elif ! build "$id" "${SUITES[$id]}"; then
                result=BROKEN case="does not build: $(grep -m1 -E 'error' "$LOG/$id.build")"
        elif [ $DRY = 1 ]; then
                result=BUILDS case=-
        else
                run_suites "$id" "${SUITES[$id]}"
                if [ -n "$interrupted" ]; then result=BROKEN case=$interrupted
                elif [ -n "$killer" ]; then result=KILLED case=$killer
                else result=SURVIVED case="-"; fi
        fi
        # Back to the original, with a new mtime, so that the next build compiles it again.
        cp "$ROOT/$file" "$S/$file"
        case $result in
        KILLED) killed=$((killed + 1)) ;;
        SURVIVED) survived=$((survived + 1)) ;;
        BROKEN) broken=$((broken + 1)) ;;
        esac
        results+=("$id|${BUG[$id]}|$result|$case")
        echo "mutate: $id $result $case" >&2
done

echo
w=3
for r in "${results[@]}"; do
        IFS='|' read -r id bug result case <<<"$r"
        [ ${#bug} -gt $w ] && w=${#bug}
done
printf "%-6s | %-${w}s | %-8s | %s\n" mutant bug result "killing case"
for r in "${results[@]}"; do
        IFS='|' read -r id bug result case <<<"$r"
        printf "%-6s | %-${w}s | %-8s | %s\n" "$id" "$bug" "$result" "$case"
done
echo
if [ $DRY = 1 ]; then
        echo "$((${#ids[@]} - broken)) apply and build, $broken broken"
else
        echo "$killed killed, $survived survived$([ $broken -eq 0 ] || echo ", $broken broken")"
fi
[ $survived -eq 0 ] && [ $broken -eq 0 ]
