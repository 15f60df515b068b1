/*
 * long_limits.c — the hard limits, reached for real (make check-limits; a plain build, as they need
 * gigabytes and minutes under a sanitizer): the 2^28th record of a store and the one after it, store
 * ids going round all 2^20 values with a handle and a store pointer of the first store checked at
 * every turn, every store id in use at once, and a million types defined without taking store ids.
 */
#include "harness.h"

#include <stdint.h>
#include <stdio.h>

#define MAX_RECORDS (1u << 28)
#define MAX_STORES ((1u << 20) - 1)

static slots_type *def(const char *fields) {
    slots_type *t = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Limit"), fields, NULL, 0, &t), SLOTS_OK);
    return t;
}

static void test_records_per_store(void) {
    slots_type *t = def("b: bool");
    slots_store *s;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    slots_obj first = 0, o = 0;
    int rc = SLOTS_OK;
    for (uint32_t i = 0; i < MAX_RECORDS && rc == SLOTS_OK; i++) {
        rc = slots_store_append(s, &o);
        if (i == 0) first = o;
    }
    ASSERT_OK(rc);
    slots_obj last = o;
    ASSERT_STATUS(slots_store_append(s, &o), SLOTS_ERANGE);
    ASSERT_MSG("at most 268435456 records");
    CU_ASSERT_NOT_EQUAL(first, last);
    ASSERT_OK(slots_set_bool(last, 0, 1));
    int v = -1;
    ASSERT_STATUS(slots_get_bool(first, 0, &v), SLOTS_EUNSET); /* the last record is not the first */
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, MAX_RECORDS);
    ASSERT_OK(slots_free(first)); /* a freed slot is reused: one more fits */
    ASSERT_OK(slots_store_append(s, &o));
    ASSERT_STATUS(slots_store_append(s, &o), SLOTS_ERANGE);
    ASSERT_OK(slots_store_drop(s));
}

static void test_store_ids_wrap(void) {
    slots_type *t = def("x: i64");
    slots_store *first, *s;
    slots_obj h, o;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &first), SLOTS_OK);
    ASSERT_OK(slots_store_append(first, &h));
    ASSERT_OK(slots_set_i64(h, 0, 42));
    ASSERT_OK(slots_store_drop(first));
    int revived = 0, acted = 0, failed = 0;
    for (uint32_t i = 0; i < MAX_STORES + 2; i++) { /* every id at least once more */
        if (slots_store_new(t, &s) != SLOTS_OK || slots_store_append(s, &o) != SLOTS_OK) failed++;
        int64_t v;
        size_t n;
        if (slots_get_i64(h, 0, &v) != SLOTS_ESTALE || slots_set_i64(h, 0, 1) != SLOTS_ESTALE) revived++;
        if (slots_store_len(first, &n) != SLOTS_ESTALE) acted++;
        if (slots_store_drop(s) != SLOTS_OK) failed++;
    }
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(revived, 0);
    CU_ASSERT_EQUAL(acted, 0);
}

static slots_store *live[MAX_STORES];

static void test_all_ids_in_use(void) {
    slots_type *t = def("x: i64");
    uint32_t made = 0;
    int rc = SLOTS_OK;
    while (made < MAX_STORES && (rc = slots_store_new(t, &live[made])) == SLOTS_OK) made++;
    CU_ASSERT_TRUE(made > MAX_STORES - 64); /* the types' default stores made so far hold a few */
    slots_store *extra;
    ASSERT_STATUS(slots_store_new(t, &extra), SLOTS_ERANGE);
    ASSERT_MSG("too many stores");
    ASSERT_OK(slots_store_drop(live[0]));
    ASSERT_OK(slots_store_new(t, &live[0])); /* an id given back is taken again */
    for (uint32_t i = 0; i < made; i++) ASSERT_OK(slots_store_drop(live[i]));
}

static void test_many_types(void) {
    char fields[64];
    slots_type *t = NULL;
    int failed = 0;
    for (int i = 0; i < 1100000; i++) {
        snprintf(fields, sizeof fields, "a: i64 = %d", i);
        if (slots_type_define("ManyTypes", fields, NULL, 0, &t) != SLOTS_OK) failed++;
    }
    CU_ASSERT_EQUAL(failed, 0);
    slots_store *s;
    slots_obj o;
    ASSERT_OK(slots_store_new(t, &s)); /* defining types took no store ids */
    ASSERT_OK(slots_new(t, &o));
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, 1099999);
    ASSERT_OK(slots_store_drop(s));
}

int main(void) {
    CU_TestInfo tests[] = {
        {"2^28 records in a store, then SLOTS_ERANGE", test_records_per_store},
        {"store ids wrap: old handles and pointers stay stale", test_store_ids_wrap},
        {"every store id in use: SLOTS_ERANGE", test_all_ids_in_use},
        {"a million types take no store ids", test_many_types},
        CU_TEST_INFO_NULL,
    };
    return run_suite("limits", tests);
}
