#!/usr/bin/env bash
# `pip install bindings/python` works offline: install into a scratch directory with no index and no
# build isolation, then import the installed package from elsewhere (not the source tree) and use it.
set -u
cd "$(dirname "$0")/../.." || exit 2
python=${PYTHON:-/usr/bin/python3}
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
echo "pip: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
