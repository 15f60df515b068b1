#!/bin/sh
# make check-typing: mypy and pyright (pinned, $MYPY and $PYRIGHT) over the typed examples, against
# slots/__init__.pyi.
#   example.py  mypy --strict and pyright strict (pyrightconfig.json): zero errors; then it runs (the
#               typed code works at run time too)
#   errors.py   each checker must report an error on every line marked `# E:` and on no other line,
#               so the check proves it sees the records' types (an Any would pass example.py silently)
# Needs SLOTS_LIBRARY (the built library) for the run; MYPY, PYRIGHT (with its PYRIGHT_PYTHON_*
# environment), TYPING_VENV_PYTHON and PYTHON from the make fragment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
pkg=$(cd "$here/../.." && pwd)
cache=${MYPY_CACHE_DIR:-$pkg/../../build/mypy-cache}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
mypy() { MYPYPATH="$pkg" "$MYPY" --strict --cache-dir "$cache" --no-error-summary "$@" 2>&1; }

out=$(cd "$pkg" && mypy tests/typing/example.py); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "example.py: mypy --strict, no errors"
else printf '%s\n' "$out"; bad "example.py: mypy --strict (exit $rc)"; fi

if out=$(cd "$pkg" && PYTHONPATH="$pkg" "${PYTHON:-python3}" tests/typing/example.py 2>&1); then ok "example.py runs"
else printf '%s\n' "$out"; bad "example.py runs"; fi

out=$(cd "$pkg" && mypy tests/typing/errors.py)
want=$(grep -n '  # E: ' "$here/errors.py" | cut -d: -f1)
got=$(printf '%s\n' "$out" | sed -nE 's|^tests/typing/errors\.py:([0-9]+): error:.*|\1|p' | sort -un)
for n in $want; do
    if printf '%s\n' "$got" | grep -qx "$n"; then ok "errors.py:$n reported: $(sed -n "${n}s/.*# E: //p" "$here/errors.py")"
    else bad "errors.py:$n: mypy reported no error"; fi
done
extra=$(printf '%s\n' "$out" | grep ': error:' | grep -v '^tests/typing/errors\.py:' ; \
        for n in $got; do printf '%s\n' "$want" | grep -qx "$n" || echo "errors.py:$n: unexpected error"; done)
if [ -z "$extra" ]; then ok "errors.py: no error on an unmarked line, none in the stub"
else printf '%s\n' "$extra"; bad "errors.py: unexpected errors"; fi

# pyright, strict, run from here (pyrightconfig.json puts the package on its path), resolving
# imports in the typing venv. Its JSON output: the lines of errors.py it reports, and any other error.
pyright_lines() {  # file -> "line" per error in that file, "other: ..." per error elsewhere
    (cd "$here" && "$PYRIGHT" -p pyrightconfig.json --pythonpath "$TYPING_VENV_PYTHON" --outputjson "$1" 2>&1) |
        "${PYTHON:-python3}" -c 'import json, sys
d = json.load(sys.stdin)
for g in d["generalDiagnostics"]:
    if g["severity"] == "error":
        line = g["range"]["start"]["line"] + 1
        print(line if g["file"].endswith("/" + sys.argv[1]) else "other: %s:%d %s" % (g["file"], line, g["message"]))
' "$1" || echo "other: pyright did not run"
}
out=$(pyright_lines example.py)
if [ -z "$out" ]; then ok "example.py: pyright strict, no errors"
else printf '%s\n' "$out"; bad "example.py: pyright strict"; fi
out=$(pyright_lines errors.py)
got=$(printf '%s\n' "$out" | grep -E '^[0-9]+$' | sort -un)
for n in $want; do
    if printf '%s\n' "$got" | grep -qx "$n"; then ok "errors.py:$n reported by pyright"
    else bad "errors.py:$n: pyright reported no error"; fi
done
extra=$(printf '%s\n' "$out" | grep '^other: ' ; \
        for n in $got; do printf '%s\n' "$want" | grep -qx "$n" || echo "errors.py:$n: unexpected pyright error"; done)
if [ -z "$extra" ]; then ok "errors.py: pyright, no error on an unmarked line, none in the stub"
else printf '%s\n' "$extra"; bad "errors.py: unexpected pyright errors"; fi

# The installed package is typed too: py.typed and __init__.pyi are package data (pyproject.toml).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slots-typing.XXXXXX")
if PIP_NO_INDEX=1 SLOTS_BUILD_CFFI_EXT=0 SLOTS_BUNDLE_LIBRARY=0 "${PYTHON:-python3}" -m pip install \
        --no-build-isolation --no-deps --quiet --target "$tmp/site" "$pkg" >"$tmp/pip.log" 2>&1 \
    && [ -f "$tmp/site/slots/py.typed" ] && [ -f "$tmp/site/slots/__init__.pyi" ] \
    && out=$(cd "$tmp" && MYPYPATH="$tmp/site" "$MYPY" --strict --cache-dir "$tmp/cache" \
                 --no-error-summary "$here/example.py" 2>&1) && [ -z "$out" ]; then
    ok "pip-installed package: py.typed and __init__.pyi shipped, example.py checks against it"
else
    cat "$tmp/pip.log"; printf '%s\n' "${out:-}"; bad "pip-installed package is typed"
fi
rm -rf "$tmp"

echo "typing: $pass passed, $fail failed ($("$MYPY" --version), pyright $("$PYRIGHT" --version 2>/dev/null | sed -n 's/^pyright //p'))"
[ $fail -eq 0 ]
