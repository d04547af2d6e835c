# Shared by the integration suites (tests/*/run.sh): the case counters, check, and the
# closing line "N passed, M failed" that tests/run.sh reads. Source it, then:
#
#   check NAME EXPECTED ACTUAL   one case: passes when the two strings are equal
#   pass / fail NAME [WHY]       a case decided by the caller (fail reports it on stderr)
#   summary                      prints the failed cases and the counts; its status is 0
#                                only when nothing failed (end the script with it)
passed=0
failed=0
failures=()

pass() { passed=$((passed + 1)); }

fail() {
        failed=$((failed + 1))
        failures+=("$1")
        echo "FAIL: $1${2:+: $2}" >&2
}

check() { # check NAME EXPECTED ACTUAL
        if [ "$2" == "$3" ]; then
                pass
        else
                fail "$1"
                printf '  expected: %s\n  actual:   %s\n' "$2" "$3" >&2
        fi
}

summary() {
        echo
        if [ "$failed" -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
        echo "$passed passed, $failed failed"
        [ "$failed" -eq 0 ]
}
