#!/usr/bin/env bash
# The Lua binding as a user gets it, outside the repository: `make install install-lua` into a
# temporary prefix, then `require("slots")` from another directory with no SLOTS_* variables. The
# module finds slots.cdef through the install it is part of ($PREFIX/share/libslots/) and loads
# libslots.so.1 by soname. A temporary prefix is not on the loader's path, so LD_LIBRARY_PATH names
# its lib/ (a real /usr/local or /usr install needs neither LD_LIBRARY_PATH nor LUA_PATH: make install
# runs ldconfig, and LuaJIT's default path has $PREFIX/share/lua/5.1: checked too, as root, in a
# private mount namespace). With luarocks installed, also lints the rockspec and installs it into a
# tree. Closing line "lua install: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
repo=$PWD
LUAJIT=${LUAJIT:-luajit}
. tests/checks.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slots-lua.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/usr/local
luadir=$prefix/share/lua/5.1
app=$tmp/app
mkdir -p "$app"
printf '{"id": 1, "name": "a", "price": 1.5}\n{"id": 2, "name": "b"}\n' > "$app/items.jsonl"

echo "lua install: make install install-lua PREFIX=$prefix"
if make -s install install-lua PREFIX="$prefix" >"$tmp/install.log" 2>&1; then ok "make install install-lua"
else bad "make install install-lua"; cat "$tmp/install.log"; fi
check "share/lua/5.1/slots.lua is the module" cmp -s bindings/lua/slots.lua "$luadir/slots.lua"
check "share/libslots/slots.cdef is there for it" test -f "$prefix/share/libslots/slots.cdef"

# What a user's script does; prints "PASS <what>" or "FAIL <what>" per check.
cat > "$app/use.lua" <<'LUA'
local prefix = arg[1]
local slots = require("slots")
local function say(cond, what) print((cond and "PASS " or "FAIL ") .. what) end
say(package.searchpath("slots", package.path) == prefix .. "/share/lua/5.1/./slots.lua"
    or package.searchpath("slots", package.path) == prefix .. "/share/lua/5.1/slots.lua",
    "require found the installed module: " .. tostring(package.searchpath("slots", package.path)))
say(slots.cdef_path == prefix .. "/share/lua/5.1/../../libslots/slots.cdef",
    "the cdef of its own install: " .. slots.cdef_path)
say(slots.library_path == "libslots.so.1", "the library by soname: " .. slots.library_path)
local maps = io.open("/proc/self/maps"):read("*a")
say(maps:find(prefix .. "/lib/libslots.so.1", 1, true) ~= nil, "the loaded libslots is the prefix's")
local Product = slots.define("Product", "id: i64 key, name: str, price: f64 = 0")
local p, q = Product(7, "seven"), Product{ id = 8, name = "eight", price = 2 }
say(p.id == 7 and p.price == 0 and q.price == 2 and tostring(p) == "Product(id=7, name='seven', price=0.0)",
    "defines a type and creates records: " .. tostring(p))
local s = slots.Store(Product)
local loaded = s:load_jsonl_file("items.jsonl")
s:load_jsonl('{"id": 3, "name": "c"}\n')
local names = {}
for i, rec in ipairs(s) do names[i] = rec.name end
say(loaded == 2 and #s == 3 and s[1].price == 1.5 and s:find(3).name == "c" and table.concat(names) == "abc",
    "loads JSON Lines (a file and text): " .. table.concat(names, ","))
LUA

# Counts the PASS/FAIL lines of use.lua's output ($2), each labelled with $1.
count_lines() {
    local label=$1 out=$2 line
    while IFS= read -r line; do
        case $line in
            PASS\ *) ok "$label${line#PASS }" ;;
            FAIL\ *) bad "$label${line#FAIL }" ;;
            *) bad "${label}unexpected output: $line" ;;
        esac
    done <<<"$out"
    grep -q '^PASS' <<<"$out" || bad "${label}the script ran (no checks printed)"
}

run_app() { # $1: LUA_PATH
    count_lines "" "$(cd "$app" && env -u SLOTS_LIBRARY -u SLOTS_CDEF LUA_PATH="$1" LD_LIBRARY_PATH="$prefix/lib" \
                      "$LUAJIT" use.lua "$prefix" 2>&1)"
}
echo "lua install: luajit use.lua from $app, LUA_PATH=$luadir/?.lua;; LD_LIBRARY_PATH=$prefix/lib"
run_app "$luadir/?.lua;;"

# Outside the repository, without the install's cdef and the system's, the module says what it needs.
mv "$prefix/share/libslots" "$tmp/moved"
out=$(cd "$app" && env -u SLOTS_LIBRARY -u SLOTS_CDEF LUA_PATH="$luadir/?.lua;;" LD_LIBRARY_PATH="$prefix/lib" \
      "$LUAJIT" -e 'require("slots")' 2>&1)
if [ -e /usr/local/share/libslots/slots.cdef ] || [ -e /usr/share/libslots/slots.cdef ]; then
    echo "  skip no-cdef message: this machine has a system slots.cdef"
else
    check "no slots.cdef anywhere: the error says so and what to do" grep -q "slots.cdef was not found (install libslots" <<<"$out"
fi
mv "$tmp/moved" "$prefix/share/libslots"

# The documented system path, with no LUA_PATH and no LD_LIBRARY_PATH: a real `make install
# install-lua` into /usr/local (which runs ldconfig), seen only by a private mount namespace in which
# /usr/local is an empty tmpfs and /etc an overlay (the machine's own /usr/local and loader cache are
# untouched). Needs root and unshare; skipped otherwise.
sys_probe() { unshare -m --propagation private sh -c "mount -t tmpfs tmpfs /usr/local && mkdir -p $tmp/up $tmp/work && mount -t overlay overlay -o lowerdir=/etc,upperdir=$tmp/up,workdir=$tmp/work /etc"; }
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && sys_probe >/dev/null 2>&1; then
    rm -rf "$tmp/up" "$tmp/work"; mkdir -p "$tmp/up" "$tmp/work"
    out=$(unshare -m --propagation private sh -c "
        mount -t tmpfs tmpfs /usr/local && mount -t overlay overlay -o lowerdir=/etc,upperdir=$tmp/up,workdir=$tmp/work /etc &&
        make -s install install-lua >/dev/null && cd '$app' &&
        env -u SLOTS_LIBRARY -u SLOTS_CDEF -u LUA_PATH -u LD_LIBRARY_PATH '$LUAJIT' use.lua /usr/local" 2>&1)
    count_lines "/usr/local, no LUA_PATH or LD_LIBRARY_PATH: " "$out"
else
    echo "  skip /usr/local without LUA_PATH: needs root and a private mount namespace (unshare -m)"
fi

stage=$tmp/stage
make -s install-lua DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check "install-lua honours DESTDIR (usr/share/lua/5.1/slots.lua)" test -f "$stage/usr/share/lua/5.1/slots.lua"
make -s uninstall-lua DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check "uninstall-lua removes it" test ! -e "$stage/usr/share/lua/5.1/slots.lua"

rockspec=bindings/lua/libslots-1.0.0-1.rockspec
if command -v luarocks >/dev/null 2>&1; then
    check "luarocks lint $rockspec" luarocks lint "$rockspec"
    tree=$tmp/rocks
    if luarocks make --tree="$tree" LIBSLOTS_DIR="$prefix" "$rockspec" >"$tmp/rocks.log" 2>&1; then
        ok "luarocks make --tree (LIBSLOTS_DIR=$prefix)"
    else
        bad "luarocks make --tree (LIBSLOTS_DIR=$prefix)"; cat "$tmp/rocks.log"
    fi
    check "the rock installed share/lua/5.1/slots.lua" cmp -s bindings/lua/slots.lua "$tree/share/lua/5.1/slots.lua"
    # The rock's tree holds no cdef: the module finds the installed library's through the system
    # places only; here the temporary prefix's, given by SLOTS_CDEF.
    out=$(cd "$app" && env -u SLOTS_LIBRARY SLOTS_CDEF="$prefix/share/libslots/slots.cdef" \
          LUA_PATH="$tree/share/lua/5.1/?.lua;;" LD_LIBRARY_PATH="$prefix/lib" \
          "$LUAJIT" -e 'local s = require("slots"); local T = s.define("T", "id: i64 key"); local st = s.Store(T)
                        st:load_jsonl("{\"id\": 4}\n"); print(#st == 1 and st[1].id == 4 and "PASS" or "FAIL")' 2>&1)
    check "require(\"slots\") from the rock's tree works [$out]" test "$out" = PASS
else
    echo "  skip luarocks lint/make: luarocks is not installed (Debian: apt-get install luarocks)"
fi

make -s uninstall uninstall-lua PREFIX="$prefix" >/dev/null 2>&1
check "make uninstall uninstall-lua leaves no module" test ! -e "$luadir/slots.lua"

echo "lua install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
