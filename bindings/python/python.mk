# bindings/python/python.mk — type checking of the Python binding, included by the main Makefile.
#   make check-typing   mypy --strict and pyright (strict) over bindings/python/tests/typing (a typed
#                       example with zero errors, then run; a file of known errors that each checker
#                       must all report), against slots/__init__.pyi. mypy, pyright and their
#                       dependencies are pinned in requirements-typing.txt and installed from the
#                       Python package index into build/venv-typing, made again only when that file
#                       changes (a stamp).
# pyright's PyPI package is a wrapper: the pyright npm package comes inside its wheel (nothing is
# fetched while the versions agree), and it runs under node. PYRIGHT_ENV makes it use the system's
# node (PATH) and keep anything it would cache (a node it installs with nodeenv when none is on PATH,
# an npm package for another version) under build/pyright-cache, and never ask the index whether a
# newer pyright exists. deps-typing runs it once, so a missing node is fetched there, not in make check.
# `make deps` needs the package index; make check-typing then runs offline.
TYPING_PYTHON ?= /usr/bin/python3
TYPING_VENV := $(B)/venv-typing
TYPING_REQ := bindings/python/requirements-typing.txt
PYRIGHT_CACHE := $(abspath $(B)/pyright-cache)
PYRIGHT_ENV := PYRIGHT_PYTHON_GLOBAL_NODE=1 PYRIGHT_PYTHON_CACHE_DIR=$(PYRIGHT_CACHE) \
    PYRIGHT_PYTHON_ENV_DIR=$(PYRIGHT_CACHE)/nodeenv PYRIGHT_PYTHON_IGNORE_WARNINGS=1

.PHONY: check-typing deps-typing

# `make deps` runs this too, so the package index is needed there, not in make check.
deps-typing: $(TYPING_VENV)/.stamp
DEPS_EXTRA += deps-typing

$(TYPING_VENV)/.stamp: $(TYPING_REQ)
	rm -rf $(TYPING_VENV)
	$(TYPING_PYTHON) -m venv $(TYPING_VENV)
	$(TYPING_VENV)/bin/pip install -q --disable-pip-version-check -r $(TYPING_REQ)
	$(PYRIGHT_ENV) $(TYPING_VENV)/bin/pyright --version
	@touch $@

check-typing: lib $(TYPING_VENV)/.stamp
	@SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) PYTHON=$(TYPING_PYTHON) MYPY=$(abspath $(TYPING_VENV)/bin/mypy) \
	    MYPY_CACHE_DIR=$(abspath $(B)/mypy-cache) PYRIGHT=$(abspath $(TYPING_VENV)/bin/pyright) \
	    TYPING_VENV_PYTHON=$(abspath $(TYPING_VENV)/bin/python) $(PYRIGHT_ENV) \
	    bindings/python/tests/typing/check-typing.sh

EXTRA_CHECKS += check-typing
