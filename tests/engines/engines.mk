# tests/engines/engines.mk — libslots inside engines that speak the Arrow C Data Interface, included
# by the main Makefile.
#   make deps-engines   (part of make deps) a Java runtime for Spark from Debian, only when no `java`
#                       is on PATH; build/venv-engines from the pinned tests/engines/requirements.txt
#                       (pyspark, pyarrow, pandas, dask[distributed], pytest, cffi), made again only
#                       when that file changes; build/duckdb-VERSION/libduckdb.so from the npm package
#                       @duckdb/node-bindings-linux-x64 (DuckDB's own build, as its Node binding ships it)
#   make check-engines  DuckDB's C API scans a libslots stream (tests/engines/duckdb_scan.c, built
#                       with ASan so a leaked schema or batch fails it), then pytest over
#                       tests/engines: Spark (local[2]) and a Dask LocalCluster load JSON Lines
#                       partitions into stores and aggregate the Arrow batches they export.
#   make bench-arrow    tests/bench/bench_arrow.py with build/venv-engines's pyarrow and pandas (1M
#                       Products to a pyarrow Table and to pandas, against Python-side copies)
# The first run needs the package indexes (PyPI, npm); make check itself runs offline.
ENGINES_PYTHON ?= /usr/bin/python3
ENGINES_VENV := $(B)/venv-engines
ENGINES_REQ := tests/engines/requirements.txt
DUCKDB_VERSION := 1.5.6-r.1
DUCKDB_NPM := @duckdb/node-bindings-linux-x64@$(DUCKDB_VERSION)
# One directory per version: a new version is fetched by make deps, nothing else fetches again.
DUCKDB_DIR := $(B)/duckdb-$(DUCKDB_VERSION)
# Spark 4 runs on Java 17 or 21; Debian 12's default-jre-headless is OpenJDK 17.
ENGINES_JAVA_PKG := $(if $(shell command -v java 2>/dev/null),,default-jre-headless)

.PHONY: deps-engines check-engines bench-arrow

deps-engines: $(ENGINES_VENV)/.stamp $(DUCKDB_DIR)/libduckdb.so
	@if [ -n "$(ENGINES_JAVA_PKG)" ]; then \
	    echo "deps-engines: installing $(ENGINES_JAVA_PKG)"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(ENGINES_JAVA_PKG); \
	fi
DEPS_EXTRA += deps-engines

$(ENGINES_VENV)/.stamp: $(ENGINES_REQ)
	rm -rf $(ENGINES_VENV)
	$(ENGINES_PYTHON) -m venv $(ENGINES_VENV)
	$(ENGINES_VENV)/bin/pip install -q --disable-pip-version-check -r $(ENGINES_REQ)
	@touch $@

# npm pack checks the tarball against the registry's integrity hash; only the library is kept.
$(DUCKDB_DIR)/libduckdb.so:
	@command -v npm >/dev/null 2>&1 || { echo "deps-engines: npm not found (Debian: npm)" >&2; exit 1; }
	rm -rf $(DUCKDB_DIR) && mkdir -p $(DUCKDB_DIR)
	cd $(DUCKDB_DIR) && npm pack --silent $(DUCKDB_NPM) >/dev/null && tar xzf *.tgz package/libduckdb.so package/LICENSE
	mv $(DUCKDB_DIR)/package/libduckdb.so $(DUCKDB_DIR)/package/LICENSE $(DUCKDB_DIR)/ && rm -rf $(DUCKDB_DIR)/package $(DUCKDB_DIR)/*.tgz
	@touch $@  # the tarball's files are dated 1985: make must see this one as new

# The C consumer: libslots's ASan build, DuckDB's library as shipped (rpath, nothing installed).
$(B)/engines/duckdb_scan: tests/engines/duckdb_scan.c tests/engines/duckdb_min.h $(SAN_STATIC) $(DUCKDB_DIR)/libduckdb.so
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) $(SAN) -Itests/engines $< $(SAN_STATIC) \
	    -L$(DUCKDB_DIR) -Wl,-rpath,$(abspath $(DUCKDB_DIR)) -lduckdb $(LDLIBS) -o $@

check-engines: lib $(B)/engines/duckdb_scan $(ENGINES_VENV)/.stamp
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(B)/engines/duckdb_scan
	cd tests/engines && PYTHONPATH=$(abspath bindings/python) SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) \
	    $(abspath $(ENGINES_VENV)/bin/python) -m pytest -q -p no:cacheprovider .

EXTRA_CHECKS += check-engines

bench-arrow: lib $(ENGINES_VENV)/.stamp
	SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(ENGINES_VENV)/bin/python tests/bench/bench_arrow.py
