#!/usr/bin/env bash
# Runs libFuzzer targets one after the other. Per target:
#  1. regression: every committed seed in tests/fuzz/corpus/<target>/ is run once; a seed that
#     crashes (a saved crash whose bug is not fixed yet) fails the run and is named;
#  2. fuzzing for SECONDS with a working corpus WORKDIR/corpus/<target>/ (seeded with the committed
#     seeds that pass), printing executions and corpus size. Crashes and leaks are saved as
#     WORKDIR/crashes/<target>-*; to keep one, copy it into tests/fuzz/corpus/<target>/.
#   run-fuzz.sh SECONDS WORKDIR BINDIR target...      (FRESH=1: start each working corpus afresh)
set -u
secs=$1; work=$2; bindir=$3; shift 3
mkdir -p "$work/crashes"
failed=""
for t in "$@"; do
    bin="$bindir/fuzz_$t"; seeds="tests/fuzz/corpus/$t"; corpus="$work/corpus/$t"
    [ "${FRESH:-0}" = 1 ] && rm -rf "$corpus"
    mkdir -p "$corpus"
    # 1. regression over the committed seeds
    bad=""
    if ! "$bin" -runs=0 "$seeds"/* >"$work/$t.regress.log" 2>&1; then
        for f in "$seeds"/*; do
            "$bin" "$f" >"$work/$t.seed.log" 2>&1 && { cp "$f" "$corpus/"; continue; }
            bad="$bad $(basename "$f")"
            grep -m3 -E 'FUZZ INVARIANT|ERROR: |SUMMARY|^  ' "$work/$t.seed.log" | sed "s|^|    $t/$(basename "$f"): |"
        done
    else
        cp "$seeds"/* "$corpus/"
    fi
    [ -n "$bad" ] && { echo "fuzz $t: committed seeds still failing:$bad"; failed="$failed $t"; }
    # 2. fuzzing
    log="$work/$t.log"
    # -rss_limit_mb: the field-list target defines a type per accepted input, and types are immortal
    "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2560 -max_len=4096 -timeout=20 \
        -artifact_prefix="$work/crashes/$t-" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    files=$(find "$corpus" -type f | wc -l)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' | awk '{print $2}')
    printf 'fuzz %-10s %4ss  %10s execs  corpus %5s inputs  cov %5s  exit %s\n' "$t" "$secs" "${execs:-?}" \
        "$files" "${cov:-?}" "$rc"
    if [ $rc -ne 0 ]; then
        grep -E 'FUZZ INVARIANT|ERROR: |SUMMARY|runtime error|Test unit written|^  ' "$log" | head -12
        [ -n "$bad" ] || failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then echo "fuzz: FAILED:$failed (logs in $work/)"; exit 1; fi
echo "fuzz: all targets ran clean"
