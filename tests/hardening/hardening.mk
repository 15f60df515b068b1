# tests/hardening/hardening.mk — allocation-failure sweep, thread stress, valgrind and the ABI check
# (included by the main Makefile).
#   make check-oom        tests/hardening/test_oom.c against the ASan+UBSan archive (LeakSanitizer on)
#   make check-stress     the thread stress test, plain build
#   make check-tsan       the thread stress test with the library built under ThreadSanitizer, plus the plain one
#   make check-valgrind   the C suites with small inputs under valgrind memcheck (see VALGRIND_TESTS)
#   make check-limits     2^28 records in a store, store ids wrapping, every id in use, a million types
#   make abi-check        abidiff of build/libslots.so.1.0.0 against abi/libslots.so.1.abi
#   make abi-baseline     regenerate that baseline on purpose (an ABI change you mean to ship)
#   make deps-hardening   the Debian packages these need
HARD_PKGS := clang libclang-rt-14-dev valgrind abigail-tools libcunit1-dev
STRESS_THREADS ?= 4
STRESS_OPS ?= 20000
TSAN_CC ?= clang
TSAN_OBJ := $(patsubst %.c,$(B)/tsan/obj/%.o,$(notdir $(SRC)))
ABI_BASELINE := abi/libslots.so.1.abi
vpath %.c libslots ffi

.PHONY: check-oom check-stress check-tsan check-limits check-valgrind abi-check abi-baseline deps-hardening
.SECONDARY: $(TSAN_OBJ)

# ---- allocation failures ----
$(B)/asan/tests/test_oom: tests/hardening/test_oom.c $(B)/asan/tests/harness.o $(SAN_STATIC) tests/c/harness.h
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) $(SAN) -Itests/c $< $(B)/asan/tests/harness.o $(SAN_STATIC) \
	    $(CUNIT_LIBS) $(LDLIBS) -o $@

check-oom: $(B)/asan/tests/test_oom
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/run-suites.sh "allocation-failure sweep (ASan+UBSan+LSan)" $<

# ---- threads ----
$(B)/hardening/stress_threads: tests/hardening/stress_threads.c $(STATIC)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) $< $(STATIC) $(LDLIBS) -o $@

$(B)/tsan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)$(TSAN_CC) $(LIB_CFLAGS) -fsanitize=thread -O1 -g $(DEPFLAGS) -c $< -o $@
-include $(TSAN_OBJ:.o=.d)

$(B)/tsan/stress_threads: tests/hardening/stress_threads.c $(TSAN_OBJ)
	@mkdir -p $(dir $@)
	$(call say,CC)$(TSAN_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=thread $< $(TSAN_OBJ) $(LDLIBS) -o $@

check-stress: $(B)/hardening/stress_threads
	$< $(STRESS_THREADS) $(STRESS_OPS)

# TSan on this kernel: clang 14's runtime copes with 28 bits of mmap randomisation most of the time
# but not always; running with ASLR off (setarch -R) makes it deterministic.
$(B)/tsan/test_safety: tests/c/test_safety.c tests/c/harness.c tests/c/harness.h $(TSAN_OBJ)
	@mkdir -p $(dir $@)
	$(call say,CC)$(TSAN_CC) $(BASE_CFLAGS) -O1 -g -fsanitize=thread -Itests/c $< tests/c/harness.c $(TSAN_OBJ) \
	    $(CUNIT_LIBS) $(LDLIBS) -o $@

TSAN_RUN = TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
    $(shell setarch $(shell uname -m) -R true 2>/dev/null && echo setarch $(shell uname -m) -R)

check-tsan: $(B)/tsan/stress_threads $(B)/tsan/test_safety check-stress
	$(TSAN_RUN) $< $(STRESS_THREADS) $$(( $(STRESS_OPS) / 4 ))
	@$(TSAN_RUN) tests/run-suites.sh "safety suite (ThreadSanitizer)" $(B)/tsan/test_safety

# ---- hard limits, reached for real (gigabytes and seconds: plain build) ----
$(B)/hardening/long_limits: tests/hardening/long_limits.c $(B)/tests/harness.o $(STATIC)
	@mkdir -p $(dir $@)
	$(call say,CC)$(CC) $(BASE_CFLAGS) $(OPT) -Itests/c $< $(B)/tests/harness.o $(STATIC) $(CUNIT_LIBS) $(LDLIBS) -o $@

check-limits: $(B)/hardening/long_limits
	@tests/run-suites.sh "hard limits" $<

# ---- memcheck ----
# Valgrind repeats what ASan+UBSan+LSan (check-asan, every suite) already run, to add what they
# cannot see: reads of uninitialised bytes, in the plain optimised build. It runs the suites whose
# inputs are small. Left out, as ASan+LSan run them in full: the safety suite, whose threads race
# on purpose (valgrind's one-at-a-time scheduler makes that slow and rare; TSan runs it too); the
# suites built on big loads, megabytes of text decoded on several threads (bulk, and the load's
# cancellation, error lists and progress: their rows go through the same decoders the JSON and
# CSV suites run here), which took most of make check's minutes under valgrind (cancel 84 s,
# loaderrors 102 s, progress 47 s of 4 minutes, on a busy machine); the capacity suite
# (accounting over stores of 300,000 records); and the kind-text suite (every day of years
# 1..9999 through pure functions on the stack: 42 s under valgrind).
VALGRIND_TESTS := $(filter-out %/test_safety %/test_bulk %/test_cancel %/test_loaderrors %/test_progress \
                               %/test_capacity %/test_kindtext,$(TESTS))
check-valgrind: $(VALGRIND_TESTS)
	@tests/hardening/run-valgrind.sh $(VALGRIND_TESTS)

# ---- ABI ----
abi-check: $(SHARED)
	@tests/hardening/abi-check.sh $(SHARED) $(ABI_BASELINE)

abi-baseline: $(SHARED)
	@mkdir -p abi
	abidw --headers-dir include --no-corpus-path --out-file $(ABI_BASELINE) $(SHARED)
	@echo "abi-baseline: wrote $(ABI_BASELINE) (SONAME $$(objdump -p $(SHARED) | awk '/SONAME/{print $$2}'))"

deps-hardening:
	@missing=""; for p in $(HARD_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "make deps-hardening: installing$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "make deps-hardening: all present"; fi

EXTRA_CHECKS += check-oom check-tsan check-valgrind check-limits abi-check
