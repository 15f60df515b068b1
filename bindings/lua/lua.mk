# bindings/lua/lua.mk — the LuaJIT binding (its built-in ffi over ffi/slots.cdef), included by the
# main Makefile.
#   make check-lua      run bindings/lua/test_slots.lua against the build tree's library, then
#                       bindings/lua/check-install.sh (install into a temporary prefix, require from
#                       elsewhere; luarocks lint/make when luarocks is installed)
#   make install-lua    install slots.lua into $(LUADIR) (default $(PREFIX)/share/lua/5.1, on
#                       LuaJIT's default package.path for /usr/local and /usr); DESTDIR-aware
#   make uninstall-lua  remove it
# luajit is required (Debian package `luajit`): a machine without it fails here, loudly.
LUAJIT ?= luajit
LUADIR ?= $(DATADIR)/lua/5.1

.PHONY: check-lua install-lua uninstall-lua

check-lua: lib
	@command -v $(LUAJIT) >/dev/null 2>&1 || { echo "check-lua: '$(LUAJIT)' not found: install it (Debian: apt-get install luajit)" >&2; exit 1; }
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) SLOTS_CDEF=$(abspath ffi/slots.cdef) $(LUAJIT) bindings/lua/test_slots.lua
	LUAJIT=$(LUAJIT) bindings/lua/check-install.sh

# The module only: the library and its slots.cdef come from `make install` (or the packages).
install-lua:
	install -d $(DESTDIR)$(LUADIR)
	install -m 0644 bindings/lua/slots.lua $(DESTDIR)$(LUADIR)/

uninstall-lua:
	rm -f $(DESTDIR)$(LUADIR)/slots.lua

EXTRA_CHECKS += check-lua
