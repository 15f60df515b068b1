#!/usr/bin/env bash
# The one ABI description (ffi/slots.cdef) must declare exactly the functions the library exports:
# a symbol missing from it, or a declaration the library does not export, fails.
set -u
lib=$1 cdef=$2
passed=0 failed=0
exported=$(nm -D --defined-only "$lib" | awk '$3 ~ /^slots_/ {sub(/@.*/, "", $3); print $3}' | sort -u)
declared=$(grep -oE '\bslots_[A-Za-z0-9_]+[[:space:]]*\(' "$cdef" | sed -E 's/[[:space:]]*\($//' | sort -u)
for f in $exported; do
    if grep -qx "$f" <<<"$declared"; then passed=$((passed + 1)); else echo "  FAIL exported but not in $cdef: $f"; failed=$((failed + 1)); fi
done
for f in $declared; do
    grep -qx "$f" <<<"$exported" || { echo "  FAIL declared in $cdef but not exported: $f"; failed=$((failed + 1)); }
done
[ -n "$exported" ] || { echo "  FAIL no slots_ symbols exported by $lib"; failed=$((failed + 1)); }
echo "cdef: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
