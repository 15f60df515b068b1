# tests/arrow/arrow.mk — Arrow through real consumers, included by the main Makefile.
#   make check-arrow   bindings/python/tests/test_arrow.py (pyarrow, Polars, DuckDB, pandas read and
#                      write stores, value by value and null by null, pyarrow's validate(full=True)
#                      on every export) on every Python backend — ctypes, cffi ABI, cffi API — with
#                      the pinned packages of tests/arrow/requirements.txt in build/venv-arrow (made by
#                      make deps, again only when that file changes). A skipped test fails the stage:
#                      here every consumer and every backend must be there.
# The venv's Python is the system's (3.11), so the cffi API-mode extension built for it loads.
ARROW_PYTHON ?= /usr/bin/python3
ARROW_VENV := $(B)/venv-arrow
ARROW_REQ := tests/arrow/requirements.txt

.PHONY: check-arrow deps-arrow

deps-arrow: $(ARROW_VENV)/.stamp
DEPS_EXTRA += deps-arrow

$(ARROW_VENV)/.stamp: $(ARROW_REQ)
	rm -rf $(ARROW_VENV)
	$(ARROW_PYTHON) -m venv $(ARROW_VENV)
	$(ARROW_VENV)/bin/pip install -q --disable-pip-version-check -r $(ARROW_REQ)
	@touch $@

check-arrow: lib $(ARROW_VENV)/.stamp
	@out=$$(SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) SLOTS_REQUIRE_ARROW=1 $(ARROW_VENV)/bin/python -m pytest -q -rs \
	    -p no:cacheprovider bindings/python/tests/test_arrow.py 2>&1); rc=$$?; echo "$$out"; \
	if [ $$rc = 0 ] && echo "$$out" | grep -q "skipped"; then echo "check-arrow: tests were skipped"; exit 1; fi; \
	exit $$rc

EXTRA_CHECKS += check-arrow
