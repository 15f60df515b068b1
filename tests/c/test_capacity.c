/*
 * test_capacity.c — how much a store holds for its records as it grows: slots_store_memory equals
 * what the slab plan and the key index's sizing rule give for N records, after appends and after a
 * bulk load, and the spare capacity stays under 10% of the records' bytes from 10,000 records on
 * (slabs come in levels of 1024 << k records cut in 16; the index is made 5/8 full, grows past 3/4).
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Records a store has room for once it holds n: whole slabs of levels 1024 << k, 16 each. */
static size_t capacity_for(size_t n) {
    size_t cap = 0;
    for (unsigned k = 0; cap < n; k++) {
        size_t slab = (size_t)64 << k;
        for (int j = 0; j < 16 && cap < n; j++) cap += slab;
    }
    return cap;
}

/* Places of a key table made for `need` keys at once (a bulk load's reserve). */
static size_t table_for(size_t need) { return (need * 8 / 5 + 16) / 16 * 16; }

static slots_type *product(bool keyed) {
    slots_type *t = NULL;
    const char *fields = keyed ? "id: i64 key, name: str, price: f64" : "id: i64, name: str, price: f64";
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Cap"), fields, NULL, 0, &t), SLOTS_OK);
    return t;
}

static size_t memory_of(const slots_store *s) {
    size_t m = 0;
    ASSERT_OK(slots_store_memory(s, &m));
    return m;
}

/* Appends records n0+1 .. n (ids n0+1 ...). */
static void append_to(slots_store *s, const slots_type *t, size_t n0, size_t n) {
    int f_id = slots_field_index(t, "id"), f_name = slots_field_index(t, "name"), f_price = slots_field_index(t, "price");
    for (size_t i = n0; i < n; i++) {
        slots_obj o;
        char name[24];
        int len = snprintf(name, sizeof name, "product-%08zu", i + 1);
        CU_ASSERT_EQUAL_FATAL(slots_store_append(s, &o), SLOTS_OK);
        ASSERT_OK(slots_set_i64(o, f_id, (int64_t)i + 1));
        ASSERT_OK(slots_set_str(o, f_name, name, (size_t)len));
        ASSERT_OK(slots_set_f64(o, f_price, 0.25));
    }
}

static const size_t sizes[] = {1, 64, 65, 1024, 1025, 5000, 10000, 15361, 33000, 100000, 300001};

/* Grows a store by appends through the sample sizes. Its memory beyond its empty self is its slabs,
 * exactly the plan's, never more than 10% above the records' bytes once it holds 10,000; keyed,
 * plus a key table of 4-byte places between 5/8 and 3/4 full (give or take a group of 16). */
static void appends(bool keyed) {
    slots_type *t = product(keyed);
    size_t stride = slots_type_record_size(t), n0 = 0;
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    size_t empty = memory_of(s);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        append_to(s, t, n0, sizes[k]);
        n0 = sizes[k];
        size_t slabs = capacity_for(n0) * stride, index = memory_of(s) - empty - slabs, places = index / 4;
        if (n0 >= 10000) CU_ASSERT_TRUE((slabs - n0 * stride) * 10 <= n0 * stride);
        if (!keyed) {
            CU_ASSERT_EQUAL(index, 0);
            continue;
        }
        CU_ASSERT_EQUAL(index % 4, 0);
        CU_ASSERT_TRUE(places * 3 >= n0 * 4);                        /* at most 75% full */
        if (n0 >= 64) CU_ASSERT_TRUE(places * 5 <= n0 * 8 + 16 * 5); /* at least 5/8 */
        if (n0 >= 10000) CU_ASSERT_TRUE(index * 10 <= n0 * 65);      /* a Product: 48 + at most 6.5 B */
    }
    ASSERT_OK(slots_store_drop(s));
}

static void test_appends_unkeyed(void) { appends(false); }
static void test_appends_keyed(void) { appends(true); }

/* JSON Lines text of products first+1 .. first+n (malloc'd). */
static char *lines(size_t first, size_t n, size_t *len) {
    char *text = malloc(n * 64 + 1), *p = text;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t i = first + 1; i <= first + n; i++)
        p += sprintf(p, "{\"id\":%zu,\"name\":\"product-%08zu\",\"price\":%zu.25}\n", i, i, i % 1000);
    *len = (size_t)(p - text);
    return text;
}

/* A bulk load sizes the slabs to its rows and the key table to them at once. */
static void test_bulk_load(void) {
    static const size_t loads[] = {10000, 100000, 250000};
    for (size_t k = 0; k < sizeof loads / sizeof *loads; k++) {
        for (int keyed = 0; keyed <= 1; keyed++) {
            slots_type *t = product(keyed);
            size_t stride = slots_type_record_size(t), n = loads[k], len, loaded = 0;
            slots_store *s = NULL;
            ASSERT_OK(slots_store_new(t, &s));
            size_t empty = memory_of(s);
            char *text = lines(0, n, &len);
            ASSERT_OK(slots_store_load_jsonl(s, text, len, 0, &loaded, NULL));
            CU_ASSERT_EQUAL(loaded, n);
            size_t expect = capacity_for(n) * stride + (keyed ? table_for(n) * 4 : 0);
            CU_ASSERT_EQUAL(memory_of(s) - empty, expect);
            CU_ASSERT_TRUE((capacity_for(n) - n) * stride * 10 <= n * stride);
            /* a second load into the same store grows it by a quarter or more, not by double */
            ASSERT_OK(slots_store_load_jsonl(s, text, 0, 0, &loaded, NULL));
            free(text);
            text = lines(n, n, &len);
            ASSERT_OK(slots_store_load_jsonl(s, text, len, 0, &loaded, NULL));
            free(text);
            expect = capacity_for(2 * n) * stride + (keyed ? table_for(2 * n) * 4 : 0);
            CU_ASSERT_EQUAL(memory_of(s) - empty, expect);
            ASSERT_OK(slots_store_drop(s));
        }
    }
}

/* Records in slot order straddle slab ends unharmed: every one reads back what was written. */
static void test_slab_edges(void) {
    slots_type *t = product(false);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    append_to(s, t, 0, 40000);
    int f_id = slots_field_index(t, "id");
    for (size_t i = 0; i < 40000; i++) {
        slots_obj o;
        int64_t id = 0;
        ASSERT_OK(slots_store_at(s, i, &o));
        ASSERT_OK(slots_get_i64(o, f_id, &id));
        if (id != (int64_t)i + 1) {
            CU_FAIL("record out of place");
            break;
        }
    }
    ASSERT_OK(slots_store_drop(s));
}

static CU_TestInfo tests[] = {
    {"appends, unkeyed: slabs exact, under 10% spare", test_appends_unkeyed},
    {"appends, keyed: key table 60-75% full", test_appends_keyed},
    {"bulk load sizes slabs and key table to the rows", test_bulk_load},
    {"records across slab edges", test_slab_edges},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("capacity", tests); }
