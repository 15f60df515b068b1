#!/usr/bin/env bash
# make check: runs each stage in turn (its own make), keeps going after a failure, and ends with one
# table: stage, result, seconds, and the stage's closing line (its count of tests). Exit 1 if any
# stage failed. Usage: run-check.sh MAKE STAGE...
set -u
make_cmd=$1; shift
mkdir -p build
rows=() failed=0 total_pass=0 total_fail=0
# CPU seconds the stages' processes used so far (user + system, from bash's `times`): unlike the
# wall-clock seconds, a busy machine does not inflate them.
# `times` runs in this shell (a command substitution would be a child with children of its own).
times_file=build/.check-times
cpu_now() { times > "$times_file"; cpu=$(tail -1 "$times_file" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%d", s }'); }
for stage in "$@"; do
    start=$(date +%s)
    cpu_now; cpu0=$cpu
    log=build/check-$stage.log
    $make_cmd --no-print-directory "$stage" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    secs=$(( $(date +%s) - start ))
    # the stage's closing line: "... N passed, M failed", pytest's "N passed ...", node's "# pass N"
    line=$(grep -E '([0-9]+ passed|# pass [0-9]+)' "$log" | tail -1 | sed -E 's/^[[:space:]]+//' | cut -c1-60)
    # counted: every closing line but the per-suite ones a suites' total line adds up already
    counted=$(grep -E '([0-9]+ passed|# pass [0-9]+)' "$log" | grep -vE '^suite ')
    p=$(printf '%s\n' "$counted" | grep -oE '[0-9]+ passed|# pass [0-9]+' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
    f=$(printf '%s\n' "$counted" | grep -oE '[0-9]+ failed|# fail [0-9]+' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
    if [ "$rc" -eq 0 ]; then res=ok; else res=FAILED; failed=1; [ "${f:-0}" -gt 0 ] || f=1; fi
    total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${f:-0}))
    cpu_now
    rows+=("$(printf '%-16s %-7s %5ss %5ss  %s' "$stage" "$res" "$secs" "$(( cpu - cpu0 ))" "$line")")
done
echo
echo "make check summary (the last closing line of each stage; full logs in build/check-STAGE.log;"
echo "time: wall-clock seconds; cpu: user + system seconds of the stage's processes)"
printf '%-16s %-7s %6s %6s  %s\n' stage result time cpu "closing line"
for r in "${rows[@]}"; do echo "$r"; done
[ $failed -eq 0 ] && echo "make check: all stages passed" || echo "make check: FAILED"
echo "total: $total_pass passed, $total_fail failed"
exit $failed
