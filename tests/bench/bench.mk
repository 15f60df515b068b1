# tests/bench/bench.mk — make bench, included by the main Makefile.
#   make bench         every benchmark: the C benches (BENCH_C), the languages' field read
#                      (bench-langs), then every tests/bench/bench_*.py and every script fragments add
#                      to BENCH_SCRIPTS, each with build/venv-bench's python, one after another
#                      (build/bench/bench.log keeps the whole output). Each script measures its
#                      variants round-robin in fresh processes and prints ratios to an anchor it
#                      measured in the same run.
#   make deps-bench    build/venv-bench from tests/bench/requirements.txt (the anchors: msgspec,
#                      orjson, recordclass, numpy, pyarrow, polars, duckdb, pandas, cffi; pinned).
#                      `make deps` makes it, so `make bench` needs no package index afterwards.
#   BENCH_ONLY=name    run only the benches whose name contains it (make bench BENCH_ONLY=memory)
#   make bench-sources Redis and PostgreSQL into stores (tests/sources/sources.mk): its own venv and
#                      servers, about 10 minutes, so not part of make bench
BENCH_BASE_PYTHON ?= /usr/bin/python3
BENCH_VENV := $(B)/venv-bench
BENCH_REQ := tests/bench/requirements.txt
BENCH_PYTHON := $(BENCH_VENV)/bin/python
BENCH_C := bench_core bench_store bench_ffi bench_json
# Fragments append scripts that live elsewhere (BENCH_SCRIPTS += path/to/bench_x.py).
BENCH_SCRIPTS += $(filter-out tests/bench/bench_sources.py,$(sort $(wildcard tests/bench/bench_*.py)))
BENCH_ONLY ?=

.PHONY: deps-bench bench-run

deps-bench: $(BENCH_VENV)/.stamp
DEPS_EXTRA += deps-bench

$(BENCH_VENV)/.stamp: $(BENCH_REQ)
	rm -rf $(BENCH_VENV)
	$(BENCH_BASE_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check -r $(BENCH_REQ)
	@touch $@

bench-run: lib $(BENCH_VENV)/.stamp $(BENCH_C:%=$(B)/bench/%)
	@BENCH_PYTHON=$(abspath $(BENCH_PYTHON)) SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) BENCH_ONLY="$(BENCH_ONLY)" \
	    MAKE="$(MAKE)" tests/bench/run-bench.sh $(B) "$(BENCH_C)" $(sort $(BENCH_SCRIPTS))
