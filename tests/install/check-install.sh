#!/usr/bin/env bash
# Installs libslots into a temporary prefix with `make install`, checks the files, symlinks, soname
# and exported symbols, builds tests/install/outside.c against the installed copy through pkg-config
# and runs it, then `make uninstall` and checks that everything is gone.
# Prints each check and a closing line "install: N passed, N failed"; exits nonzero on a failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/checks.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slots-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/usr/local
lib=$prefix/lib
vars=(PREFIX="$prefix")
CC=${CC:-cc}

echo "install: make install PREFIX=$prefix"
if make -s install "${vars[@]}" >"$tmp/install.log" 2>&1; then ok "make install"; else bad "make install"; cat "$tmp/install.log"; fi

check "lib/libslots.so.1.0.0 is a regular file" test -f "$lib/libslots.so.1.0.0" -a ! -L "$lib/libslots.so.1.0.0"
check "lib/libslots.so.1 -> libslots.so.1.0.0" test "$(readlink "$lib/libslots.so.1")" = libslots.so.1.0.0
check "lib/libslots.so -> libslots.so.1" test "$(readlink "$lib/libslots.so")" = libslots.so.1
check "lib/libslots.so resolves to the library" test -f "$lib/libslots.so"
check "lib/libslots.a" test -f "$lib/libslots.a"
check "include/slots.h" test -f "$prefix/include/slots.h"
check "include/slots.h is the source header" cmp -s include/slots.h "$prefix/include/slots.h"
check "lib/pkgconfig/libslots.pc" test -f "$lib/pkgconfig/libslots.pc"
check "share/libslots/slots.cdef, the ABI description FFIs read" cmp -s ffi/slots.cdef "$prefix/share/libslots/slots.cdef"
pcprefix=$(sed -n 's/^prefix=//p' "$lib/pkgconfig/libslots.pc" 2>/dev/null)
check "installed libslots.pc says prefix=$prefix (got '$pcprefix')" test "$pcprefix" = "$prefix"

export PKG_CONFIG_PATH=$lib/pkgconfig
check "pkg-config --exists libslots" pkg-config --exists libslots
check "pkg-config version is 1.0.0" test "$(pkg-config --modversion libslots 2>/dev/null)" = 1.0.0
flags=$(pkg-config --cflags --libs libslots 2>/dev/null)
check "pkg-config flags name the prefix" grep -q -- "-I$prefix/include" <<<"$flags"
check "pkg-config flags link -lslots from the prefix" grep -q -- "-L$lib .*-lslots\|-L$lib -lslots" <<<"$flags"

soname=$(readelf -d "$lib/libslots.so.1.0.0" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "soname is libslots.so.1 (got '${soname}')" test "$soname" = libslots.so.1
syms=$(nm -D --defined-only "$lib/libslots.so.1.0.0" 2>/dev/null | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u)
nsyms=$(printf '%s\n' "$syms" | grep -c '^slots_')
others=$(printf '%s\n' "$syms" | grep -v '^slots_' | grep -v '^LIBSLOTS_' | grep -v '^$' | tr '\n' ' ')
check "exports slots_* symbols ($nsyms of them)" test "$nsyms" -gt 50
check "exports nothing else${others:+ (found: $others)}" test -z "$others"
for f in slots_type_define slots_new slots_get_str slots_errmsg slots_memory_used slots_extra_name; do
    check "exports $f" grep -qx "$f" <<<"$syms"
done
check "static archive has the public API" sh -c "nm '$lib/libslots.a' 2>/dev/null | grep -q ' T slots_new$'"

# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror tests/install/outside.c $flags -o "$tmp/outside" 2>"$tmp/cc.log"; then
    ok "outside.c compiles with \$(pkg-config --cflags --libs libslots)"
else
    bad "outside.c compiles with \$(pkg-config --cflags --libs libslots)"; cat "$tmp/cc.log"
fi
if [ -x "$tmp/outside" ]; then
    check "outside needs libslots.so.1" sh -c "readelf -d '$tmp/outside' | grep -q 'NEEDED.*\[libslots.so.1\]'"
    resolved=$(LD_LIBRARY_PATH=$lib ldd "$tmp/outside" 2>/dev/null | awk '/libslots/ {print $3}')
    check "outside loads the installed copy ($resolved)" test "$resolved" = "$lib/libslots.so.1"
    if out=$(LD_LIBRARY_PATH=$lib "$tmp/outside" 2>&1); then ok "outside runs: $out"; else bad "outside runs: $out"; fi
else
    bad "outside runs (not built)"
fi

echo "install: make uninstall PREFIX=$prefix"
if make -s uninstall "${vars[@]}" >"$tmp/uninstall.log" 2>&1; then ok "make uninstall"; else bad "make uninstall"; cat "$tmp/uninstall.log"; fi
for f in lib/libslots.so.1.0.0 lib/libslots.so.1 lib/libslots.so lib/libslots.a include/slots.h \
         lib/pkgconfig/libslots.pc; do
    check "removed $f" test ! -e "$prefix/$f" -a ! -L "$prefix/$f"
done
left=$(find "$prefix" -type f -o -type l 2>/dev/null | tr '\n' ' ')
check "nothing left in the prefix${left:+ (found: $left)}" test -z "$left"

# A staged install, as packagers do it: PREFIX is where the files will live, DESTDIR where they go now.
stage=$tmp/stage
echo "install: make install PREFIX=/usr/local DESTDIR=$stage"
if make -s install PREFIX=/usr/local DESTDIR="$stage" >"$tmp/stage.log" 2>&1; then ok "make install DESTDIR"; else bad "make install DESTDIR"; cat "$tmp/stage.log"; fi
slib=$stage/usr/local/lib
check "staged lib/libslots.so.1 -> libslots.so.1.0.0" test "$(readlink "$slib/libslots.so.1")" = libslots.so.1.0.0
check "staged include/slots.h" test -f "$stage/usr/local/include/slots.h"
check "staged libslots.pc names the final prefix" grep -qx "prefix=/usr/local" "$slib/pkgconfig/libslots.pc"
sflags=$(PKG_CONFIG_PATH=$slib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage pkg-config --cflags --libs libslots 2>/dev/null)
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror tests/install/outside.c $sflags -o "$tmp/outside-staged" 2>"$tmp/cc2.log" &&
   out=$(LD_LIBRARY_PATH=$slib "$tmp/outside-staged" 2>&1); then
    ok "outside.c builds against the staged tree (sysroot pkg-config) and runs: $out"
else
    bad "outside.c against the staged tree"; cat "$tmp/cc2.log"
fi
if make -s uninstall PREFIX=/usr/local DESTDIR="$stage" >"$tmp/unstage.log" 2>&1; then ok "make uninstall DESTDIR"; else bad "make uninstall DESTDIR"; fi
left=$(find "$stage" -type f -o -type l 2>/dev/null | tr '\n' ' ')
check "nothing left in the staged tree${left:+ (found: $left)}" test -z "$left"

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
