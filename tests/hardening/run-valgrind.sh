#!/usr/bin/env bash
# Runs each C suite binary under valgrind memcheck: any error or definite/indirect leak fails it.
# Suites run two at a time (the machine has two cores). Logs: build/valgrind/<suite>.log
#   run-valgrind.sh binary...
set -u
mkdir -p build/valgrind
run_one() {
    t=$1; log=build/valgrind/$(basename "$t").log
    start=$(date +%s)
    valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --track-origins=no --log-file="$log" "$t" >"$log.out" 2>&1
    rc=$?
    line=$(grep -E '^suite .*passed' "$log.out" | tail -1)
    printf 'valgrind %-28s %3ss  exit %s  %s\n' "$(basename "$t")" "$(( $(date +%s) - start ))" "$rc" "$line"
    if [ $rc -ne 0 ]; then head -40 "$log"; tail -20 "$log.out"; return 1; fi
}
export -f run_one
printf '%s\n' "$@" | xargs -P 2 -I{} bash -c 'run_one {}'
rc=$?
[ $rc -eq 0 ] && echo "valgrind: $# suites, 0 errors, 0 leaks" || echo "valgrind: FAILED"
exit $rc
