#!/usr/bin/env bash
# Shows how the golden tests' expected files would change with the current binary, and
# writes them only with --write. The golden files are the reviewed truth: run this after a
# deliberate change of output, read the diff, and say in the commit (and the issue's
# closing note) why each changed file changed.
#
#   scripts/regolden.sh [--write] [BUILD]
#
# Exit status: 0 when nothing would change (or was written), 1 when something would change
# and --write was not given.
set -euo pipefail
cd "$(dirname "$0")/.."
WRITE=no
if [ "${1:-}" = --write ]; then
        WRITE=yes
        shift
fi
BUILD=${1:-build}
NEW=$(mktemp -d)
trap 'rm -rf "$NEW"' EXIT
changed=0
for d in tests/golden/*/; do
        name=$(basename "$d")
        read -r -a args <"$d/args"
        mkdir -p "$NEW/$name"
        expanded=()
        # @HTML@: the report is not golden (it holds times), its CSV beside it is.
        for a in "${args[@]}"; do a=${a//@OUT@/$NEW/$name/expected.csv}; expanded+=("${a//@HTML@/$NEW/$name/expected.html}"); done
        status=0
        "$BUILD/plausid" "${expanded[@]}" >"$NEW/$name/expected.out" 2>"$NEW/$name/expected.err" || status=$?
        echo "$status" >"$NEW/$name/status"
        [ -s "$NEW/$name/expected.err" ] || rm -f "$NEW/$name/expected.err"
        rm -f "$NEW/$name/expected.html"
        # The CSV names the output path nowhere, but an error message may: the scratch
        # directory stands where the golden directory will be.
        for f in "$NEW/$name"/*; do sed -i "s|$NEW/$name/|$d|g" "$f"; done
        for f in expected.out expected.err expected.csv status; do
                if ! cmp -s "$d/$f" "$NEW/$name/$f" 2>/dev/null && [ -e "$d/$f" -o -e "$NEW/$name/$f" ]; then
                        changed=1
                        old=$d/$f new=$NEW/$name/$f
                        [ -e "$old" ] || old=/dev/null
                        [ -e "$new" ] || new=/dev/null
                        diff -u --label "a/$d$f" --label "b/$d$f" "$old" "$new" || true
                        if [ "$WRITE" = yes ]; then
                                if [ -e "$NEW/$name/$f" ]; then cp "$NEW/$name/$f" "$d/$f"; else rm -f "$d/$f"; fi
                        fi
                fi
        done
done
if [ "$changed" = 1 ] && [ "$WRITE" = no ]; then
        echo "regolden: expected files would change (above); run with --write to write them" >&2
        exit 1
fi
[ "$changed" = 1 ] && echo "regolden: expected files written; review git diff tests/golden" >&2
exit 0
