#!/usr/bin/env bash
# The Debian packages (make deb), as a system package user gets them: built from the tree, lintian
# clean, installed into this machine with apt, then used by a C program that pkg-config finds and
# that runs with no rpath and no LD_LIBRARY_PATH; removed again at the end (only if they were not
# installed before). Needs root and apt; without them it says why and checks the build and lint
# only. Prints each check and a closing line "deb: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/checks.sh
out=build/deb
if bash pkgconfig/deb/build-deb.sh "$out" >/dev/null 2>build/deb-build.log; then ok "make deb builds libslots1 and libslots-dev"
else bad "make deb"; cat build/deb-build.log; echo "deb: $passed passed, $failed failed"; exit 1; fi
run=$(ls $out/libslots1_*.deb) dev=$(ls $out/libslots-dev_*.deb)
check "libslots1 ships the shared library and a symbols file" sh -c "dpkg-deb -c $run | grep -q 'libslots.so.1.0.0' && dpkg-deb -I $run symbols | grep -q '^ slots_new@Base'"
check "libslots-dev ships slots.h, libslots.a, libslots.pc, slots.cdef" sh -c \
    "dpkg-deb -c $dev | grep -q usr/include/slots.h && dpkg-deb -c $dev | grep -q libslots.a && dpkg-deb -c $dev | grep -q pkgconfig/libslots.pc && dpkg-deb -c $dev | grep -q usr/share/libslots/slots.cdef"
if command -v lintian >/dev/null; then
    tags=$(lintian --tag-display-limit 0 "$run" "$dev" 2>&1 | grep -E '^[EWI]: ')
    if [ -z "$tags" ]; then ok "lintian: no tag (one override, explained in the package)"; else bad "lintian"; echo "$tags"; fi
else
    echo "  skip lintian: not installed (make deps installs it)"
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "  skip apt install: needs root and apt"
    echo "deb: $passed passed, $failed failed"; [ $failed -eq 0 ]; exit
fi
if dpkg-query -W -f='${Status}' libslots1 2>/dev/null | grep -q "install ok installed"; then
    echo "  skip apt install: libslots1 is installed on this machine already; not touching it"
    echo "deb: $passed passed, $failed failed"; [ $failed -eq 0 ]; exit
fi
tmp=$(mktemp -d)
cleanup() { DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq libslots-dev libslots1 >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$PWD/$run" "$PWD/$dev" >"$tmp/apt.log" 2>&1; then
    ok "apt install ./libslots1_*.deb ./libslots-dev_*.deb"
else
    bad "apt install"; cat "$tmp/apt.log"
fi
check "pkg-config --libs libslots is -lslots (a system path)" test "$(pkg-config --libs libslots | xargs)" = "-lslots"
if cc -std=c11 -Wall -Werror tests/install/outside.c $(pkg-config --cflags --libs libslots) -o "$tmp/outside" 2>"$tmp/cc.log"; then
    ok "a C program builds against the installed packages"
else bad "a C program builds against the installed packages"; cat "$tmp/cc.log"; fi
check "it runs with no rpath and no LD_LIBRARY_PATH" env -u LD_LIBRARY_PATH "$tmp/outside"
check "it loaded the packaged library" sh -c "env -u LD_LIBRARY_PATH ldd $tmp/outside | grep -qE 'libslots.so.1 => (/usr)?/lib/'"
cleanup
trap - EXIT
check "apt remove leaves no libslots file" sh -c "! ls /usr/lib/*/libslots* /usr/include/slots.h /usr/share/libslots 2>/dev/null | grep -q ."
echo "deb: $passed passed, $failed failed"
[ $failed -eq 0 ]
