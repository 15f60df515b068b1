/*
 * harness.h — the small frame every CUnit suite binary shares: each tests/c/test_NAME.c lists its
 * tests in a CU_TestInfo array and its main() calls run_suite(); helpers for the common assertions.
 */
#ifndef SLOTS_TEST_HARNESS_H
#define SLOTS_TEST_HARNESS_H

#include <CUnit/CUnit.h>
#include <string.h>

#include "slots.h"

/* Runs one suite with CUnit's basic interface; returns the process exit status (0: all passed). */
int run_suite(const char *name, CU_TestInfo *tests);

/* 1 if the thread's last error message contains `needle`. */
int errmsg_has(const char *needle);

/* A type name unique within the process, so tests never collide in the registry. */
const char *unique_name(const char *prefix);

#define ASSERT_OK(call) CU_ASSERT_EQUAL((call), SLOTS_OK)
#define ASSERT_STATUS(call, code) CU_ASSERT_EQUAL((call), (code))
#define ASSERT_MSG(needle) CU_ASSERT_TRUE(errmsg_has(needle))

#endif
