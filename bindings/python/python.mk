# bindings/python/python.mk — type checking of the Python binding, included by the main Makefile.
#   make check-typing   mypy --strict over bindings/python/tests/typing (a typed example with zero
#                       errors, then run; a file of known errors that mypy must all report), against
#                       slots/__init__.pyi. mypy and its dependencies are pinned in
#                       requirements-typing.txt and installed from the Python package index into
#                       build/venv-typing, made again only when that file changes (a stamp).
# The first run needs the package index; later runs are offline.
TYPING_PYTHON ?= /usr/bin/python3
TYPING_VENV := $(B)/venv-typing
TYPING_REQ := bindings/python/requirements-typing.txt

.PHONY: check-typing deps-typing

# `make deps` runs this too, so the package index is needed there, not in make check.
deps-typing: $(TYPING_VENV)/.stamp
DEPS_EXTRA += deps-typing

$(TYPING_VENV)/.stamp: $(TYPING_REQ)
	rm -rf $(TYPING_VENV)
	$(TYPING_PYTHON) -m venv $(TYPING_VENV)
	$(TYPING_VENV)/bin/pip install -q --disable-pip-version-check -r $(TYPING_REQ)
	@touch $@

check-typing: lib $(TYPING_VENV)/.stamp
	@SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) PYTHON=$(TYPING_PYTHON) MYPY=$(abspath $(TYPING_VENV)/bin/mypy) \
	    MYPY_CACHE_DIR=$(abspath $(B)/mypy-cache) bindings/python/tests/typing/check-typing.sh

EXTRA_CHECKS += check-typing
