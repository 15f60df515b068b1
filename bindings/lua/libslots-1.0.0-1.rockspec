-- LuaRocks package of the LuaJIT binding: installs the module `slots` (bindings/lua/slots.lua).
-- The C library is not built here: install it first (`make install`, or the libslots1 and
-- libslots-dev packages), which puts libslots.so.1 where the loader finds it and the ABI
-- description in $PREFIX/share/libslots/slots.cdef, where the module looks for it.
--   luarocks make bindings/lua/libslots-1.0.0-1.rockspec        (from a checkout)
rockspec_format = "3.0"
package = "libslots"
version = "1.0.0-1"
source = {
   -- The release tarball (as `git archive --prefix=libslots-1.0.0/ v1.0.0` makes it); `luarocks
   -- make` builds from the checkout it is run in and never fetches this.
   url = "file://libslots-1.0.0.tar.gz",
   dir = "libslots-1.0.0",
}
description = {
   summary = "Compact, schema-defined records whose fields live in C (LuaJIT binding)",
   detailed = [[
libslots stores records of a declared schema compactly in C (Python's __slots__, done once in C).
This is its LuaJIT binding, through LuaJIT's built-in ffi: record classes, typed and range-checked
fields, stores that read as Lua sequences (#s, s[i], ipairs), keyed lookups, JSON Lines and CSV loads.
Needs LuaJIT 2.1 and the libslots C library (libslots.so.1).]],
   license = "MIT",
   labels = { "ffi", "luajit", "records", "jsonl", "csv" },
}
supported_platforms = { "linux" }
dependencies = {
   "lua >= 5.1, < 5.2", -- LuaJIT reports 5.1; the module needs its ffi (no plain Lua 5.1)
}
external_dependencies = {
   LIBSLOTS = { library = "slots" }, -- libslots.so (LIBSLOTS_DIR=$PREFIX for a prefix of your own)
}
build = {
   type = "builtin",
   modules = {
      slots = "bindings/lua/slots.lua",
   },
}
