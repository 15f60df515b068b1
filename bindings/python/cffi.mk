# bindings/python/cffi.mk — the compiled Python backend, built by `make` (lib), included by the Makefile.
# bindings/python/slots/_slots_cffi*.so is the cffi API-mode extension with the C record types of
# _records.c: the fast path `import slots` picks first. It is built for $(PYTHON) when cffi, a C
# compiler and the Python headers are there (python3-cffi, python3-dev: make deps); otherwise a note
# says so and Python runs on the cffi ABI / ctypes backends (no compiler needed). The builder keeps a
# stamp of its sources, so a run with nothing changed does nothing.
PY_CFFI_STAMP := bindings/python/slots/_slots_cffi.stamp
PY_CFFI_SRC := bindings/python/slots/_build_cffi.py bindings/python/slots/_records.c \
               bindings/python/slots/_cdef.py ffi/slots.cdef include/slots.h

.PHONY: python-ext
lib: python-ext
python-ext: $(PY_CFFI_STAMP)

$(PY_CFFI_STAMP): $(PY_CFFI_SRC)
	@$(PYTHON) bindings/python/slots/_build_cffi.py --if-stale

.PHONY: clean-python-ext
clean: clean-python-ext
clean-python-ext:
	rm -f bindings/python/slots/_slots_cffi*.so $(PY_CFFI_STAMP)
