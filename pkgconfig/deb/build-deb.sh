#!/usr/bin/env bash
# Builds the Debian packages from the tree (make deb): libslots1 (the shared library) and
# libslots-dev (header, static library, .so link, pkg-config file, the ABI description slots.cdef).
# Plain dpkg-deb, no debhelper: the metadata is written here. Usage: build-deb.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/deb}
version=$(sed -n 's/^VERSION := //p' Makefile)
major=${version%%.*}
debver=$version-1
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
maint="libslots maintainers <maintainers@libslots.invalid>"
stage=$out/stage
rm -rf "$out" && mkdir -p "$out"

make -s install DESTDIR="$PWD/$stage" PREFIX=/usr LIBDIR="/usr/lib/$triplet" >/dev/null

# Files every package carries: copyright, and a changelog (gzip -n: the same bytes on every build).
docs() {
    local pkg=$1 dir=$2/usr/share/doc/$1
    mkdir -p "$dir"
    { printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n'
      printf 'Upstream-Name: libslots\n\nFiles: *\nCopyright: 2026 The libslots authors\nLicense: Expat\n'
      sed -e '1,4d' -e 's/^$/./' -e 's/^/ /' LICENSE; } >"$dir/copyright"
    printf '%s (%s) unstable; urgency=medium\n\n  * Built from the libslots tree (make deb).\n\n -- %s  %s\n' \
        "libslots" "$debver" "$maint" "$(date -R -d @0)" | gzip -9n >"$dir/changelog.Debian.gz"
    chmod 0644 "$dir/copyright" "$dir/changelog.Debian.gz"
    # The one lintian tag left, explained: these packages are built from the tree, not uploaded to
    # Debian, so their changelog closes no ITP bug.
    mkdir -p "$2/usr/share/lintian/overrides"
    printf '# Built from the libslots tree (make deb), not a Debian upload: no ITP bug to close.\n%s: initial-upload-closes-no-bugs\n' \
        "$pkg" >"$2/usr/share/lintian/overrides/$pkg"
    chmod 0644 "$2/usr/share/lintian/overrides/$pkg"
}

# ---- libslots1: the shared library ---------------------------------------------------------------
run=$out/libslots$major
mkdir -p "$run/DEBIAN" "$run/usr/lib/$triplet"
cp -a "$stage/usr/lib/$triplet/libslots.so.$version" "$stage/usr/lib/$triplet/libslots.so.$major" "$run/usr/lib/$triplet/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$run/usr/lib/$triplet/libslots.so.$version"
chmod 0644 "$run/usr/lib/$triplet/libslots.so.$version" # Debian policy: shared libraries are not executable
docs "libslots$major" "$run"
# What the library needs at run time, as dpkg-shlibdeps works it out (it wants a debian/control).
tmp=$(mktemp -d); mkdir "$tmp/debian"; : >"$tmp/debian/control"
depends=$(cd "$tmp" && dpkg-shlibdeps -O "$OLDPWD/$run/usr/lib/$triplet/libslots.so.$version" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$tmp"
# The symbols file: every exported function, available since this version, so a program built
# against it depends on libslots1 (>= the version that first had what it uses).
{ echo "libslots.so.$major libslots$major #MINVER#"
  nm -D --defined-only "$run/usr/lib/$triplet/libslots.so.$version" | awk '$2 == "T" {print $3}' | sort |
      sed "s/.*/ &@Base $version/"; } >"$run/DEBIAN/symbols"
echo "libslots $major libslots$major (>= $version)" >"$run/DEBIAN/shlibs"
echo "activate-noawait ldconfig" >"$run/DEBIAN/triggers"
cat >"$run/DEBIAN/control" <<CONTROL
Package: libslots$major
Source: libslots
Version: $debver
Architecture: $arch
Maintainer: $maint
Installed-Size: $(du -sk "$run/usr" | cut -f1)
Depends: $depends
Section: libs
Priority: optional
Multi-Arch: same
Homepage: https://libslots.invalid/
Description: compact, schema-defined records for every language
 libslots gives C and every language that can load a C library compact
 records with Python __slots__ semantics: types are defined at run time
 from a field list, records have exactly those fields, unboxed, in a
 fixed layout. This package holds the shared library.
CONTROL

# ---- libslots-dev: what building against it needs -------------------------------------------------
dev=$out/libslots-dev
mkdir -p "$dev/DEBIAN" "$dev/usr/lib/$triplet/pkgconfig" "$dev/usr/include" "$dev/usr/share/libslots"
cp -a "$stage/usr/lib/$triplet/libslots.so" "$stage/usr/lib/$triplet/libslots.a" "$dev/usr/lib/$triplet/"
strip --strip-debug "$dev/usr/lib/$triplet/libslots.a"
cp -a "$stage/usr/lib/$triplet/pkgconfig/libslots.pc" "$dev/usr/lib/$triplet/pkgconfig/"
cp -a "$stage/usr/include/slots.h" "$dev/usr/include/"
cp -a "$stage/usr/share/libslots/slots.cdef" "$dev/usr/share/libslots/"
docs libslots-dev "$dev"
cat >"$dev/DEBIAN/control" <<CONTROL
Package: libslots-dev
Source: libslots
Version: $debver
Architecture: $arch
Maintainer: $maint
Installed-Size: $(du -sk "$dev/usr" | cut -f1)
Depends: libslots$major (= $debver), libffi-dev
Section: libdevel
Priority: optional
Multi-Arch: same
Homepage: https://libslots.invalid/
Description: compact, schema-defined records for every language (development files)
 libslots gives C and every language that can load a C library compact
 records with Python __slots__ semantics. This package holds the header,
 the static library, the pkg-config file and slots.cdef, the ABI
 description that FFIs (cffi, LuaJIT, koffi) read.
CONTROL

for p in "$run" "$dev"; do
    find "$p" -type d -exec chmod 0755 {} +
    chmod 0644 "$p/DEBIAN/control" "$p"/DEBIAN/symbols "$p"/DEBIAN/shlibs "$p"/DEBIAN/triggers 2>/dev/null || true
    dpkg-deb --root-owner-group -Zxz --build "$p" "$out" >/dev/null
done
rm -rf "$stage"
ls "$out"/*.deb
