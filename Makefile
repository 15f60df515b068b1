# libslots — build, test, install.
#   make            library (build/libslots.so.1.0.0 + symlinks, build/libslots.a)
#   make check      every test: C suites (plain and ASan+UBSan), install + pkg-config, dlopen, Python
#   make bench      benchmarks          make demo    the 1,000,000-record demo
#   make install PREFIX=/usr/local DESTDIR=...      make uninstall      make deps (Debian packages)

VERSION_MAJOR := 1
VERSION := 1.0.0
SONAME := libslots.so.$(VERSION_MAJOR)
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
DESTDIR ?=

CC ?= cc
# Quiet builds: one short line per file built; `make V=1 ...` shows the whole commands.
ifeq ($(V),1)
say =
else
say = @printf '  %-5s %s\n' $(1) $@;
endif
PYTHON ?= /usr/bin/python3
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
FFI_CFLAGS := $(shell pkg-config --cflags libffi 2>/dev/null)
FFI_LIBS := $(shell pkg-config --libs libffi 2>/dev/null || echo -lffi)
BASE_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ilibslots -Iffi $(FFI_CFLAGS) $(WARN)
OPT ?= -O2 -g
CFLAGS ?=
LIB_CFLAGS := $(BASE_CFLAGS) $(OPT) -fPIC -fvisibility=hidden -DSLOTS_BUILDING $(CFLAGS)
LDLIBS := $(FFI_LIBS) -ldl -lpthread

B := build
# Two layers: the core (libslots/, needs only libc) and the ffi bridge above it (ffi/, libffi). The
# core never calls up: check-layers links its objects alone with -z defs and without libffi.
CORE_SRC := $(sort $(wildcard libslots/*.c))
FFI_SRC := $(sort $(wildcard ffi/*.c))
SRC := $(CORE_SRC) $(FFI_SRC)
CORE_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(CORE_SRC)))
OBJ := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(SRC)))
# Objects depend on the headers they include, as the compiler lists them (-MMD).
DEPFLAGS = -MMD -MP
vpath %.c libslots ffi
SHARED := $(B)/libslots.so.$(VERSION)
STATIC := $(B)/libslots.a

# Sanitizer build of the same sources, for the C suites.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_OBJ := $(patsubst %.c,$(B)/asan/obj/%.o,$(notdir $(SRC)))
SAN_STATIC := $(B)/asan/libslots.a

TEST_SRC := $(sort $(wildcard tests/c/test_*.c))
TESTS := $(TEST_SRC:tests/c/%.c=$(B)/tests/%)
SAN_TESTS := $(TEST_SRC:tests/c/%.c=$(B)/asan/tests/%)
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

.PHONY: all lib check check-layers check-c check-asan check-install check-dlopen check-cdef check-python bench demo \
        install uninstall deps clean

all: lib
lib: $(SHARED) $(B)/$(SONAME) $(B)/libslots.so $(STATIC) ffi/slots.cdef

# The one ABI description every FFI reads (cffi, LuaJIT, koffi), generated from the header.
ffi/slots.cdef: include/slots.h ffi/gen_cdef.py
	$(call say,GEN)$(PYTHON) ffi/gen_cdef.py include/slots.h -o $@

# TLS descriptors where the compiler has them: a thread-local read from the shared library is then a
# short call, not __tls_get_addr (every call reads one, for its epoch guard).
TLS_DIALECT := $(shell $(CC) -mtls-dialect=gnu2 -fPIC -x c -c -o /dev/null /dev/null 2>/dev/null && echo -mtls-dialect=gnu2)
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(LIB_CFLAGS) $(TLS_DIALECT) $(DEPFLAGS) -c $< -o $@

# -z nodelete: dlclose never unmaps the library. Each thread that calls it gets clean-up that runs
# when the thread exits (pthread keys); a thread still exiting after the last dlclose (Python tears
# its modules down while joined threads finish) would otherwise jump into unmapped code.
$(SHARED): $(OBJ) ffi/libslots.map
	$(call say,CC)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=ffi/libslots.map -Wl,-z,defs \
	    -Wl,-z,nodelete -o $@ $(OBJ) $(LDLIBS)

$(B)/$(SONAME): $(SHARED)
	$(call say,LN)ln -sf libslots.so.$(VERSION) $@
$(B)/libslots.so: $(B)/$(SONAME)
	$(call say,LN)ln -sf $(SONAME) $@

$(STATIC): $(OBJ)
	@rm -f $@
	$(call say,AR)ar rcs $@ $(OBJ)

# ---- tests ---------------------------------------------------------------------------------------
$(B)/tests/harness.o: tests/c/harness.c tests/c/harness.h
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) -Itests/c -c $< -o $@

$(B)/tests/test_%: tests/c/test_%.c $(B)/tests/harness.o $(STATIC) tests/c/harness.h
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) -Itests/c $< $(B)/tests/harness.o $(STATIC) $(CUNIT_LIBS) $(LDLIBS) -o $@

$(B)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(LIB_CFLAGS) $(SAN) $(DEPFLAGS) -c $< -o $@

$(SAN_STATIC): $(SAN_OBJ)
	@rm -f $@
	$(call say,AR)ar rcs $@ $(SAN_OBJ)

$(B)/asan/tests/harness.o: tests/c/harness.c tests/c/harness.h
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) $(SAN) -Itests/c -c $< -o $@

$(B)/asan/tests/test_%: tests/c/test_%.c $(B)/asan/tests/harness.o $(SAN_STATIC) tests/c/harness.h
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) $(SAN) -Itests/c $< $(B)/asan/tests/harness.o $(SAN_STATIC) \
	    $(CUNIT_LIBS) $(LDLIBS) -o $@

# Fragments add their own targets and append to EXTRA_CHECKS (run by `make check`) and to
# DEPS_EXTRA (run by `make deps`).
EXTRA_CHECKS :=
DEPS_EXTRA :=
-include $(sort $(wildcard tests/*/*.mk ffi/*.mk bindings/*/*.mk))

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d)

CHECK_STAGES = check-layers check-c check-asan check-install check-dlopen check-cdef check-python $(EXTRA_CHECKS)
check: lib
	@tests/run-check.sh "$(MAKE)" $(CHECK_STAGES)

# The core links on its own (no undefined symbol, no libffi), and its layer headers stack in one
# order: base.h <- schema.h <- records.h <- io.h, each including only the one below.
check-layers: $(CORE_OBJ)
	@$(CC) -shared -Wl,-z,defs -o $(B)/core-only.so $(CORE_OBJ) -ldl -lpthread
	@tests/layers/check-layers.sh
	@echo "layers: 2 passed, 0 failed (libslots/ links alone: $(words $(CORE_OBJ)) objects, no libffi; headers stack)"

check-c: $(TESTS)
	@tests/run-suites.sh "C suites" $(TESTS)

check-asan: $(SAN_TESTS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/run-suites.sh "C suites (ASan+UBSan)" $(SAN_TESTS)

check-install: lib
	@tests/install/check-install.sh

check-dlopen: lib
	@mkdir -p $(B)/tests
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) tests/dlopen/dlopen_test.c -ldl -lpthread -o $(B)/tests/dlopen_test
	$(B)/tests/dlopen_test $(abspath $(B)/$(SONAME))

check-cdef: lib
	@tests/abi/check-cdef.sh $(SHARED) ffi/slots.cdef

check-python: lib
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(PYTHON) -m pytest -q bindings/python/tests
	PYTHON=$(PYTHON) tests/python/check-pip-install.sh

# ---- install -------------------------------------------------------------------------------------
# The .pc file is written at install time: its paths are this install's PREFIX and LIBDIR.
install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DATADIR)/libslots
	install -m 0755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libslots.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libslots.so
	install -m 0644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 0644 include/slots.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    pkgconfig/libslots.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libslots.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libslots.pc
	install -m 0644 ffi/slots.cdef $(DESTDIR)$(DATADIR)/libslots/  # the ABI description FFIs read
	@# A real install (no DESTDIR) as root refreshes the loader's cache, as system libraries do, so
	@# programs find libslots.so.1 with no rpath or LD_LIBRARY_PATH (when LIBDIR is a system one).
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libslots.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libslots.so $(DESTDIR)$(LIBDIR)/libslots.a \
	    $(DESTDIR)$(INCLUDEDIR)/slots.h $(DESTDIR)$(PKGCONFIGDIR)/libslots.pc $(DESTDIR)$(DATADIR)/libslots/slots.cdef
	-rmdir $(DESTDIR)$(DATADIR)/libslots 2>/dev/null

# ---- benchmarks ----------------------------------------------------------------------------------
$(B)/bench/%: tests/bench/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) -O2 $< $(STATIC) $(LDLIBS) -o $@

bench: lib  # the runner and its venv: tests/bench/bench.mk
	@$(MAKE) --no-print-directory bench-run

# ---- the demo: 1,000,000 products, dataclasses + json against a libslots store ---------------------
demo: lib
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(PYTHON) tests/demo/demo.py

# ---- dependencies --------------------------------------------------------------------------------
DEB_PKGS := gcc make libffi-dev libcunit1-dev pkg-config python3 python3-pytest python3-cffi python3-setuptools python3-pip python3-venv python3-wheel \
            python3-dev clang libclang-rt-14-dev valgrind abigail-tools luajit luarocks lintian
# Node.js may come from elsewhere than Debian (a newer build): install Debian's only if none is there.
NODE_PKGS := $(if $(shell command -v node 2>/dev/null),,nodejs)$(if $(shell command -v npm 2>/dev/null),, npm)

deps:
	@missing="$(NODE_PKGS)"; for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "make deps: all present"; fi
	@# What the fragments need besides Debian packages (a pinned virtual environment, ...).
	@$(if $(DEPS_EXTRA),$(MAKE) --no-print-directory $(DEPS_EXTRA))

clean:
	rm -rf $(B)
