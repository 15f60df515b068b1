#!/usr/bin/env bash
# Compares the built library's ABI with the committed baseline (abigail-tools). Added functions and
# variables are compatible; a removed or changed one fails the check unless the SONAME's major
# version moved on (then the baseline is simply out of date: `make abi-baseline`).
#   abi-check.sh build/libslots.so.1.0.0 abi/libslots.so.1.abi
set -u
lib=$1; baseline=$2
for tool in abidw abidiff; do
    command -v $tool >/dev/null || { echo "abi-check: $tool missing (Debian package abigail-tools; make deps-hardening)"; exit 2; }
done
[ -f "$baseline" ] || { echo "abi-check: no baseline $baseline (make abi-baseline)"; exit 2; }
mkdir -p build/abi
current=build/abi/current.abi
abidw --headers-dir include --no-corpus-path --out-file "$current" "$lib" || exit 2
old_soname=$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' "$baseline" | head -1)
new_soname=$(sed -n 's/.*soname=.\([^"'"'"']*\).*/\1/p' "$current" | head -1)
abidiff --headers-dir1 include --headers-dir2 include "$baseline" "$current" >build/abi/report.txt 2>&1
rc=$?
# abidiff's exit status is a bit field: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
nfun=$(grep -c "<elf-symbol .*type='func-type'.*is-defined='yes'" "$current")
if [ $((rc & 3)) -ne 0 ]; then cat build/abi/report.txt; echo "abi-check: abidiff failed ($rc)"; exit 2; fi
if [ $((rc & 8)) -ne 0 ] || { [ $((rc & 4)) -ne 0 ] && grep -qE '[1-9][0-9]* (Removed|Changed)' build/abi/report.txt; }; then
    if [ "$old_soname" != "$new_soname" ]; then
        echo "abi-check: incompatible changes, but the SONAME moved $old_soname -> $new_soname: update the baseline (make abi-baseline)"
        exit 0
    fi
    cat build/abi/report.txt
    echo "abi-check: FAILED: incompatible ABI change against $baseline with the same SONAME $new_soname"
    exit 1
fi
added=$(grep -oE '[0-9]+ Added function' build/abi/report.txt | head -1 | awk '{print $1}')
echo "abi-check: $lib ($new_soname, $nfun exported functions) compatible with $baseline${added:+ ($added functions added)}"
