#!/usr/bin/env bash
# run-bench.sh — make bench's runner: the C benches, the languages' field read, then each Python
# script with the bench venv's python, one at a time (two cores: benches in parallel would measure
# each other). Prints which Python backend the scripts run on, each bench's seconds, and keeps
# the whole output in BUILD/bench/bench.log. Exit 1 if any bench failed (the others still run).
# Usage: run-bench.sh BUILD "C BENCHES" SCRIPT...   (env: BENCH_PYTHON, SLOTS_LIBRARY, BENCH_ONLY, MAKE)
set -u
B=$1 c_benches=$2; shift 2
log=$B/bench/bench.log
mkdir -p "$B/bench"
: > "$log"
failed=0 summary=()
wanted() { [ -z "${BENCH_ONLY:-}" ] || [[ $1 == *"$BENCH_ONLY"* ]]; }
run() { # NAME COMMAND...
    local name=$1 start rc; shift
    wanted "$name" || return 0
    echo "==== $name" | tee -a "$log"
    start=$(date +%s)
    "$@" 2>&1 | tee -a "$log"
    rc=${PIPESTATUS[0]}
    summary+=("$(printf '%-28s %-7s %5ss' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" $(( $(date +%s) - start )))")
    [ "$rc" -eq 0 ] || failed=1
}
{
    echo "make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$BENCH_PYTHON" -c 'import sys; sys.path.insert(0, "bindings/python"); import slots, platform
print("Python %s (%s), slots backend: %s %s" % (platform.python_version(), sys.executable, slots.backend,
      getattr(slots, "backend_mode", "") or ""))' 2>&1
} | tee -a "$log"
for c in $c_benches; do run "$c" "$B/bench/$c"; done
run bench-langs ${MAKE:-make} --no-print-directory bench-langs
for script in "$@"; do run "$(basename "$script" .py)" "$BENCH_PYTHON" "$script"; done
echo
echo "make bench summary (full output in $log)"
for r in "${summary[@]}"; do echo "$r"; done
exit $failed
