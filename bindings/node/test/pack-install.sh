#!/bin/sh
# The npm package as a user gets it (issue 14): `npm pack` this directory, install libslots with
# `make install` into a temporary PREFIX, install the tarball into a fresh app, and run a script that
# defines a type, makes records, loads JSON Lines and reads fields against the installed library.
#
# The PREFIX is not a system path, so the loader is pointed at it with LD_LIBRARY_PATH here, in the
# test only (a real install into /usr/local runs ldconfig and needs nothing). SLOTS_LIBRARY and
# SLOTS_CDEF are unset: the package must find the library by its soname and the cdef installed with
# it. Nothing here touches the repository's node_modules; npm uses its cache first (--prefer-offline:
# koffi is there after `npm ci`) and the registry otherwise.
# Run by `make check-node`; by hand: sh bindings/node/test/pack-install.sh
set -eu
NPM=${NPM:-npm}
NODE=${NODE:-node}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slots-pack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "pack-install: $*" >&2; exit 1; }

${MAKE:-make} -s -C "$root" install PREFIX="$tmp/prefix" DESTDIR= >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "make install failed"; }
[ -f "$tmp/prefix/share/libslots/slots.cdef" ] || fail "make install did not install share/libslots/slots.cdef"

tgz=$(cd "$here" && "$NPM" pack --silent --pack-destination "$tmp") || fail "npm pack failed"
tgz=$(echo "$tgz" | tail -n 1)
[ ! -e "$here/slots.cdef" ] || fail "npm pack left slots.cdef in $here"
tar tzf "$tmp/$tgz" | sort >"$tmp/contents"
for f in package/package.json package/index.js package/index.d.ts package/lib/cdef.js package/lib/arrow.js package/slots.cdef \
         package/README.md; do
    grep -qx "$f" "$tmp/contents" || fail "$tgz lacks $f"
done
if grep -q '^package/test/\|^package/node_modules/\|^package/scripts/' "$tmp/contents"; then
    fail "$tgz ships tests, scripts or node_modules: $(tr '\n' ' ' <"$tmp/contents")"
fi

mkdir "$tmp/app"
cd "$tmp/app"
printf '{ "name": "slots-app", "version": "0.0.0", "private": true }\n' >package.json
"$NPM" install --silent --no-audit --no-fund --prefer-offline "$tmp/$tgz" >"$tmp/npm.log" 2>&1 ||
    { cat "$tmp/npm.log" >&2; fail "npm install $tgz failed"; }

cat >app.js <<'JS'
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const slots = require('libslots');
const prefix = process.argv[2];
const expectCdef = process.argv[3];
assert.equal(require.resolve('libslots'), `${process.cwd()}/node_modules/libslots/index.js`);
assert.equal(slots.libraryPath, 'libslots.so.1'); // by soname, through the system loader
assert.equal(fs.realpathSync(slots.libraryFile), fs.realpathSync(`${prefix}/lib/libslots.so.1`));
assert.equal(slots.cdefPath, expectCdef);
const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0');
const p = new Product(1, 'Widget', { price: 9.5 });
assert.deepEqual({ ...p }, { id: 1, name: 'Widget', price: 9.5 });
const s = new slots.Store(Product);
fs.writeFileSync('products.jsonl', '{"id": 2, "name": "Gadget", "price": 5}\n{"id": 3, "name": "Gizmo"}\n');
assert.deepEqual(s.loadJsonlFile('products.jsonl'), { loaded: 2, skipped: 0 });
s.loadJsonl('{"id": 4, "name": "Doohickey", "price": 1.5}\n');
assert.equal(s.length, 3);
assert.equal(s.get(2).name, 'Gadget');
assert.equal(s[2].price, 1.5);
assert.equal(s.sum('price'), 6.5);
assert.deepEqual(s.column('price'), new Float64Array([5, 0, 1.5]));
console.log(`pack-install: ok (${slots.version} from ${slots.libraryFile}, cdef ${slots.cdefPath})`);
JS
[ -f node_modules/libslots/index.d.ts ] || fail "index.d.ts not installed"

run() { env -u SLOTS_LIBRARY -u SLOTS_CDEF LD_LIBRARY_PATH="$tmp/prefix/lib" "$NODE" app.js "$tmp/prefix" "$1"; }
# the cdef installed next to the library that was loaded
run "$tmp/prefix/share/libslots/slots.cdef"
# a library installed without its cdef (a runtime-only package): a system copy, else the shipped one
rm "$tmp/prefix/share/libslots/slots.cdef"
fallback=$tmp/app/node_modules/libslots/slots.cdef
for d in /usr/local/share/libslots /usr/share/libslots; do
    if [ -f "$d/slots.cdef" ]; then fallback=$d/slots.cdef; break; fi
done
run "$fallback"
