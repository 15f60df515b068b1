#!/usr/bin/env bash
# `pip install bindings/python` works: offline into a scratch directory (no index, no build
# isolation), and plainly into a fresh virtual environment (build isolation: pip fetches setuptools
# from the package index); each installed copy is then imported from elsewhere and used.
set -u
cd "$(dirname "$0")/../.." || exit 2
python=${PYTHON:-/usr/bin/python3}
root=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slots-pip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
if PIP_NO_INDEX=1 "$python" -m pip install --no-build-isolation --no-deps --quiet --target "$tmp/site" \
        bindings/python >"$tmp/pip.log" 2>&1; then
    echo "  ok   pip install --no-index bindings/python"; passed=$((passed + 1))
else
    echo "  FAIL pip install --no-index bindings/python"; cat "$tmp/pip.log"; failed=$((failed + 1))
fi
out=$(cd "$tmp" && env -u SLOTS_LIBRARY PYTHONPATH="$tmp/site" "$python" -c '
import slots, sys
assert slots.__file__.startswith(sys.argv[1]), slots.__file__
P = slots.define("PipProduct", "id: i64, name: str, price: f64 = 0")
p = P(1, "Widget", 9.99)
try:
    p.age = 3
except AttributeError as e:
    print(slots.backend, repr(p), e)
' "$tmp/site" 2>&1)
if [ $? -eq 0 ] && grep -q "has no attribute 'age'" <<<"$out"; then
    echo "  ok   the installed package imports and works: $out"; passed=$((passed + 1))
else
    echo "  FAIL the installed package: $out"; failed=$((failed + 1))
fi
# A fresh virtual environment and a plain `pip install`, as a user runs it (needs the package index
# for the isolated build's setuptools; said and skipped when it cannot be reached).
if "$python" -m venv "$tmp/venv" >"$tmp/venv.log" 2>&1; then
    if "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --timeout 30 bindings/python >"$tmp/pip2.log" 2>&1; then
        echo "  ok   plain pip install bindings/python in a fresh venv"; passed=$((passed + 1))
        out=$(cd "$tmp" && env SLOTS_LIBRARY="$root/build/libslots.so.1" "$tmp/venv/bin/python" -c '
import slots
P = slots.define("VenvProduct", "id: i64, name: str")
print(slots.backend, P(1, "a"))' 2>&1)
        if [ $? -eq 0 ] && grep -q "VenvProduct(id=1, name='a')" <<<"$out"; then
            echo "  ok   the venv's copy works: $out"; passed=$((passed + 1))
        else echo "  FAIL the venv's copy: $out"; failed=$((failed + 1)); fi
    elif grep -qiE "connection|resolve|network|timed out|No matching distribution" "$tmp/pip2.log"; then
        echo "  skip plain pip install in a venv: the package index cannot be reached"
    else
        echo "  FAIL plain pip install bindings/python in a fresh venv"; cat "$tmp/pip2.log"; failed=$((failed + 1))
    fi
else
    echo "  skip plain pip install: python3 -m venv is not available"
fi
echo "pip: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
