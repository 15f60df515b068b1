#!/usr/bin/env bash
# Runs C suite binaries, shows their output, adds up their closing lines and fails if any failed.
set -u
label=$1; shift
passed=0; failed=0; broken=0
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^(suite |  Test:.*FAILED|.*ERROR|.*runtime error|.*Sanitizer)' || true
    line=$(printf '%s\n' "$out" | grep -E '^suite .*: [0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | tail -40
        echo "$t: exit $rc"; broken=$((broken + 1))
    fi
    p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "$label: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $broken -eq 0 ]
