# tests/floatfmt/floatfmt.mk — the float formatter (libslots/floatfmt.c) against Python's repr(float)
# on ~2M doubles, and its table of powers of ten against the generator. Part of `make check`.
FLOATFMT_N ?= 2000000
$(B)/floatfmt/floatfmt_cli: tests/floatfmt/floatfmt_cli.c $(STATIC)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) -O2 $< $(STATIC) $(LDLIBS) -o $@

.PHONY: check-floatfmt
check-floatfmt: $(B)/floatfmt/floatfmt_cli
	@$(PYTHON) tests/floatfmt/gen_pow10.py --check
	@$(PYTHON) tests/floatfmt/check_repr.py $(B)/floatfmt/floatfmt_cli $(FLOATFMT_N)

EXTRA_CHECKS += check-floatfmt
