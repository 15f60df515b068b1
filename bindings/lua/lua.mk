# bindings/lua/lua.mk — the LuaJIT binding (its built-in ffi over ffi/slots.cdef), included by the
# main Makefile.
#   make check-lua    run bindings/lua/test_slots.lua against the build tree's library
# luajit is required (Debian package `luajit`): a machine without it fails here, loudly.
LUAJIT ?= luajit

.PHONY: check-lua

check-lua: lib
	@command -v $(LUAJIT) >/dev/null 2>&1 || { echo "check-lua: '$(LUAJIT)' not found: install it (Debian: apt-get install luajit)" >&2; exit 1; }
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) SLOTS_CDEF=$(abspath ffi/slots.cdef) $(LUAJIT) bindings/lua/test_slots.lua

EXTRA_CHECKS += check-lua
