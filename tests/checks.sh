# tests/checks.sh — the small check helpers the shell checks share (sourced, from the repo root):
# ok/bad print a result and count it, check runs a command and says ok or FAIL. The caller prints
# its closing line "<name>: $passed passed, $failed failed".
passed=0; failed=0
ok()   { echo "  ok   $1"; passed=$((passed + 1)); }
bad()  { echo "  FAIL $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
