#!/bin/sh
# bench_langs.sh — one field read (slots_get_f64 of a Product record's price) in ns/op, median of 5
# repeats, from C, Node (koffi) and LuaJIT (ffi), side by side. Run by `make bench-langs`.
# Usage: bench_langs.sh BUILD_DIR       (BUILD_DIR holds libslots.so; the repo root is the cwd)
# Python's figures come from tests/bench/bench_python.py. A language whose runtime is missing is
# reported as such and makes the script exit nonzero after the table.
set -eu
B=${1:?usage: bench_langs.sh BUILD_DIR}
CC=${CC:-cc}
NODE=${NODE:-node}
LUAJIT=${LUAJIT:-luajit}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LIB="$B/libslots.so.1"
OUT="$B/bench"
mkdir -p "$OUT"
rows="$OUT/bench_langs.tsv"
: > "$rows"
missing=0

# C: a tiny driver compiled now, against the shared library (as FFIs call it).
"$CC" -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Wpedantic -I"$ROOT/include" "$HERE/bench_langs.c" \
    -L"$B" -Wl,-rpath,"$B" -lslots -o "$OUT/bench_langs_c"
"$OUT/bench_langs_c" "${C_ITERS:-20000000}" >> "$rows"

if command -v "$NODE" >/dev/null 2>&1; then
    SLOTS_LIBRARY="$LIB" "$NODE" "$HERE/bench_langs.js" "${NODE_ITERS:-2000000}" >> "$rows"
else
    printf 'Node\tmissing (%s not found)\n' "$NODE" >> "$rows"; missing=1
fi

if command -v "$LUAJIT" >/dev/null 2>&1; then
    SLOTS_LIBRARY="$LIB" SLOTS_CDEF="$ROOT/ffi/slots.cdef" "$LUAJIT" "$HERE/bench_langs.lua" \
        "${LUAJIT_ITERS:-20000000}" >> "$rows"
else
    printf 'LuaJIT\tmissing (%s not found)\n' "$LUAJIT" >> "$rows"; missing=1
fi

echo "One field read (slots_get_f64 of Product.price), ns/op, median of 5 repeats"
awk -F '\t' '
    { label[NR] = $1; value[NR] = $2; if (length($1) > w) w = length($1) }
    END {
        printf "%-*s  %10s\n", w, "language (path)", "ns/op"
        for (i = 0; i < w + 12; i++) printf "-"; printf "\n"
        for (i = 1; i <= NR; i++) printf "%-*s  %10s\n", w, label[i], value[i]
    }' "$rows"
exit $missing
