# tests/sources/sources.mk — Redis and PostgreSQL into stores, against real servers (included by the
# main Makefile).
#   make deps-sources    Debian's redis-server, postgresql, libhiredis-dev, libpq-dev when missing (no
#                        default server left running or enabled), and build/venv-sources from the
#                        pinned tests/sources/requirements.txt (redis-py, psycopg 3, pytest, cffi),
#                        made again only when that file changes. Part of `make deps`.
#   make check-sources   the C examples (hiredis, libpq) as CUnit suites, then the Python ones (pytest,
#                        redis-py and psycopg), each against throwaway servers that
#                        tests/sources/servers.py starts on loopback and free ports and always stops.
#                        Part of `make check`.
#   make bench-sources   tests/bench/bench_sources.py: Redis -> store and PostgreSQL -> store for
#                        SLOTS_BENCH_ROWS (1,000,000) rows against redis-py + json.loads + dataclass
#                        and psycopg + dataclass (measured, not asserted; a few minutes).
# The clients are linked into these test programs only, never into the library.
SOURCES_PYTHON ?= /usr/bin/python3
SOURCES_VENV := $(B)/venv-sources
SOURCES_REQ := tests/sources/requirements.txt
SOURCES_C := $(B)/sources/sources_redis $(B)/sources/sources_pg
SOURCES_C_DEPS := tests/sources/sources_util.c tests/sources/sources_util.h $(B)/tests/harness.o $(STATIC)
SOURCES_CFLAGS := $(BASE_CFLAGS) $(OPT) -Itests/c -Itests/sources
PQ_CFLAGS = $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
PQ_LIBS = $(shell pkg-config --libs libpq 2>/dev/null || echo -lpq)
HIREDIS_CFLAGS = $(shell pkg-config --cflags hiredis 2>/dev/null)
HIREDIS_LIBS = $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)

.PHONY: deps-sources check-sources bench-sources

deps-sources:
	@tests/sources/deps.sh
	@$(MAKE) --no-print-directory $(SOURCES_VENV)/.stamp
DEPS_EXTRA += deps-sources

$(SOURCES_VENV)/.stamp: $(SOURCES_REQ)
	rm -rf $(SOURCES_VENV)
	$(SOURCES_PYTHON) -m venv $(SOURCES_VENV)
	$(SOURCES_VENV)/bin/pip install -q --disable-pip-version-check -r $(SOURCES_REQ)
	@touch $@

$(B)/sources/sources_redis: tests/sources/sources_redis.c $(SOURCES_C_DEPS)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(SOURCES_CFLAGS) $(HIREDIS_CFLAGS) $< tests/sources/sources_util.c $(B)/tests/harness.o \
	    $(STATIC) $(HIREDIS_LIBS) $(CUNIT_LIBS) $(LDLIBS) -o $@

$(B)/sources/sources_pg: tests/sources/sources_pg.c $(SOURCES_C_DEPS)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(SOURCES_CFLAGS) $(PQ_CFLAGS) $< tests/sources/sources_util.c $(B)/tests/harness.o \
	    $(STATIC) $(PQ_LIBS) $(CUNIT_LIBS) $(LDLIBS) -o $@

check-sources: lib $(SOURCES_C) $(SOURCES_VENV)/.stamp
	@$(SOURCES_PYTHON) tests/sources/servers.py --redis --pg -- tests/run-suites.sh "sources C (hiredis, libpq)" $(SOURCES_C)
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(SOURCES_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/sources

EXTRA_CHECKS += check-sources

bench-sources: lib $(SOURCES_VENV)/.stamp
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(SOURCES_VENV)/bin/python tests/bench/bench_sources.py
