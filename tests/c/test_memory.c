/*
 * test_memory.c — memory accounting: slots_memory_used, slots_type_memory and slots_type_count
 * follow records, out-of-line strings and extras exactly, return to their earlier values after frees,
 * and a failed allocation (injected through the library's test hook) changes nothing.
 */
#include "harness.h"

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>

/* The allocator's test hook (libslots/base.h): the k-th allocation from now fails; 0 disarms.
 * Weak, so the suite still links (and skips those tests) against a library without it. */
extern void mem_fail_at(long k) __attribute__((weak));

static slots_type *def_flags(const char *fields, const slots_type *base, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("M"), fields, base, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}
static slots_type *def(const char *fields) { return def_flags(fields, NULL, 0); }

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    return o;
}

static size_t strings_of(const slots_type *t) {
    size_t s = 12345;
    ASSERT_OK(slots_type_memory(t, NULL, &s, NULL));
    return s;
}
static size_t records_of(const slots_type *t) {
    size_t r = 12345;
    ASSERT_OK(slots_type_memory(t, &r, NULL, NULL));
    return r;
}
static size_t extras_of(const slots_type *t) {
    size_t e = 12345;
    ASSERT_OK(slots_type_memory(t, NULL, NULL, &e));
    return e;
}
static size_t count_of(const slots_type *t) {
    size_t n = 12345;
    ASSERT_OK(slots_type_count(t, &n));
    return n;
}

static char big[5000];

static void test_types_cost_memory(void) {
    size_t m0 = slots_memory_used();
    def("id: i64, name: str, price: f64");
    size_t m1 = slots_memory_used();
    CU_ASSERT_TRUE(m1 > m0);
    def("a: i64, b: i64, c: i64, d: i64, e: i64, f: i64, g: i64, h: i64, i: i64, j: i64");
    CU_ASSERT_TRUE(slots_memory_used() > m1);
}

static void test_record_size_product(void) {
    slots_type *t = def("id: i64, name: str, price: f64");
    CU_ASSERT_TRUE(slots_type_record_size(t) <= 48);
    CU_ASSERT_TRUE(slots_type_record_size(t) >= 17);
}

static void test_records_and_count(void) {
    slots_type *t = def("id: i64, name: str, price: f64");
    size_t rs = slots_type_record_size(t);
    CU_ASSERT_EQUAL(count_of(t), 0);
    size_t m0 = slots_memory_used();
    enum { N = 10000 };
    slots_obj *h = calloc(N, sizeof *h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    for (int i = 0; i < N; i++) {
        h[i] = make(t);
        if (i == 0) {
            CU_ASSERT_EQUAL(count_of(t), 1);
            CU_ASSERT_TRUE(records_of(t) >= rs);
        }
    }
    size_t recs = records_of(t);
    CU_ASSERT_EQUAL(count_of(t), N);
    CU_ASSERT_TRUE(recs >= (size_t)N * rs);
    CU_ASSERT_EQUAL(recs % rs, 0);
    CU_ASSERT_TRUE(recs <= (size_t)3 * N * rs); /* capacity is not wildly over-allocated */
    size_t m1 = slots_memory_used();
    CU_ASSERT_TRUE(m1 - m0 >= recs);
    CU_ASSERT_EQUAL(strings_of(t), 0); /* no out-of-line values yet */
    CU_ASSERT_EQUAL(extras_of(t), 0);

    for (int i = 0; i < N; i++) ASSERT_OK(slots_free(h[i]));
    CU_ASSERT_EQUAL(count_of(t), 0);
    size_t m2 = slots_memory_used();
    CU_ASSERT_TRUE(m2 <= m1);
    /* refilling reuses the freed slots: no more slab memory */
    for (int i = 0; i < N; i++) h[i] = make(t);
    CU_ASSERT_EQUAL(records_of(t), recs);
    CU_ASSERT_EQUAL(slots_memory_used(), m2);
    CU_ASSERT_EQUAL(count_of(t), N);
    for (int i = 0; i < N; i++) ASSERT_OK(slots_free(h[i]));
    CU_ASSERT_EQUAL(slots_memory_used(), m2);
    free(h);
}

static void test_count_follows_every_operation(void) {
    slots_type *base = def("id: i64, name: str");
    slots_type *sub = def_flags("extra: i64", base, 0);
    slots_obj a = make(base), b = 0, c = 0, s = make(sub);
    ASSERT_OK(slots_new_blank(base, &b));
    CU_ASSERT_EQUAL(count_of(base), 2);
    CU_ASSERT_EQUAL(count_of(sub), 1); /* exactly the type, not subtypes */
    ASSERT_OK(slots_copy(a, &c));
    CU_ASSERT_EQUAL(count_of(base), 3);
    slots_obj sc = 0;
    ASSERT_OK(slots_copy(s, &sc));
    CU_ASSERT_EQUAL(count_of(sub), 2);
    CU_ASSERT_EQUAL(count_of(base), 3);
    ASSERT_STATUS(slots_free(0), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(count_of(base), 3);
    ASSERT_OK(slots_free(a));
    ASSERT_STATUS(slots_free(a), SLOTS_ESTALE); /* a second free does not count twice */
    CU_ASSERT_EQUAL(count_of(base), 2);
    ASSERT_OK(slots_free(b));
    ASSERT_OK(slots_free(c));
    ASSERT_OK(slots_free(s));
    ASSERT_OK(slots_free(sc));
    CU_ASSERT_EQUAL(count_of(base), 0);
    CU_ASSERT_EQUAL(count_of(sub), 0);
    ASSERT_STATUS(slots_type_count(base, NULL), SLOTS_EINVAL);
}

static void test_strings_exact(void) {
    slots_type *t = def("id: i64, name: str, blob: bytes");
    slots_obj o = make(t); /* the store and its first slab exist from here on */
    size_t m0 = slots_memory_used(), s0 = strings_of(t);
    CU_ASSERT_EQUAL(s0, 0);
    memset(big, 'x', sizeof big);

    ASSERT_OK(slots_set_str(o, 1, big, 100));
    CU_ASSERT_EQUAL(strings_of(t), s0 + 101);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 101);
    ASSERT_OK(slots_set_str(o, 1, big, 1000)); /* a replaced value is released */
    CU_ASSERT_EQUAL(strings_of(t), s0 + 1001);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 1001);
    ASSERT_OK(slots_set_str(o, 1, big, 23)); /* inline: costs nothing extra */
    CU_ASSERT_EQUAL(strings_of(t), s0);
    CU_ASSERT_EQUAL(slots_memory_used(), m0);
    ASSERT_OK(slots_set_str(o, 1, big, 0));
    CU_ASSERT_EQUAL(slots_memory_used(), m0);
    ASSERT_OK(slots_set_str(o, 1, big, 24)); /* the first out-of-line length */
    CU_ASSERT_EQUAL(strings_of(t), s0 + 25);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 25);
    ASSERT_OK(slots_set_bytes(o, 2, big, 4000));
    CU_ASSERT_EQUAL(strings_of(t), s0 + 25 + 4001);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 25 + 4001);

    /* a copy duplicates the out-of-line values */
    slots_obj c = 0;
    ASSERT_OK(slots_copy(o, &c));
    CU_ASSERT_EQUAL(strings_of(t), s0 + 2 * (25 + 4001));
    ASSERT_OK(slots_free(c));
    CU_ASSERT_EQUAL(strings_of(t), s0 + 25 + 4001);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 25 + 4001);

    /* a refused set allocates nothing */
    ASSERT_STATUS(slots_set_str(o, 1, "\xff long invalid utf-8 value ......", 34), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 25 + 4001);

    ASSERT_OK(slots_del(o, 1));
    CU_ASSERT_EQUAL(strings_of(t), s0 + 4001);
    CU_ASSERT_EQUAL(slots_memory_used(), m0 + 4001);
    ASSERT_OK(slots_free(o)); /* freeing releases the rest */
    CU_ASSERT_EQUAL(strings_of(t), s0);
    CU_ASSERT_EQUAL(slots_memory_used(), m0);
}

static void test_strings_per_type(void) {
    slots_type *base = def("name: str");
    slots_type *sub = def_flags("note: str", base, 0);
    slots_obj b = make(base), s = make(sub);
    memset(big, 'y', sizeof big);
    size_t sb = strings_of(base), ss = strings_of(sub);
    ASSERT_OK(slots_set_str(s, 0, big, 50));
    ASSERT_OK(slots_set_str(s, 1, big, 60));
    CU_ASSERT_EQUAL(strings_of(sub), ss + 51 + 61);
    CU_ASSERT_EQUAL(strings_of(base), sb);
    ASSERT_OK(slots_set_str(b, 0, big, 70));
    CU_ASSERT_EQUAL(strings_of(base), sb + 71);
    CU_ASSERT_EQUAL(strings_of(sub), ss + 51 + 61);
    ASSERT_OK(slots_free(s));
    ASSERT_OK(slots_free(b));
    CU_ASSERT_EQUAL(strings_of(sub), ss);
    CU_ASSERT_EQUAL(strings_of(base), sb);
}

/* One record life with extras: create, add extras of every kind, free. */
static void extras_cycle(const slots_type *t, size_t *peak_extras) {
    slots_obj o = make(t);
    memset(big, 'z', sizeof big);
    ASSERT_OK(slots_extra_set_i64(o, "a", 1));
    ASSERT_OK(slots_extra_set_str(o, "b", big, 300));
    ASSERT_OK(slots_extra_set_bytes(o, "c", big, 10));
    ASSERT_OK(slots_extra_set_f64(o, "d", 1.0));
    ASSERT_OK(slots_extra_set_null(o, "e"));
    ASSERT_OK(slots_extra_set_str(o, "b", big, 400)); /* replace */
    ASSERT_OK(slots_extra_del(o, "c"));
    if (peak_extras) *peak_extras = extras_of(t);
    ASSERT_OK(slots_free(o));
}

static void test_extras_accounting(void) {
    slots_type *t = def_flags("id: i64", NULL, SLOTS_DYNAMIC);
    slots_obj plain = make(t);
    size_t m0 = slots_memory_used();
    CU_ASSERT_EQUAL(extras_of(t), 0); /* records that use no extras cost nothing */
    size_t peak = 0;
    extras_cycle(t, &peak);
    CU_ASSERT_TRUE(peak > 0);
    size_t e1 = extras_of(t), m1 = slots_memory_used();
    CU_ASSERT_TRUE(e1 < peak);
    /* steady state: the same life again leaves exactly the same accounts */
    for (int i = 0; i < 5; i++) extras_cycle(t, NULL);
    CU_ASSERT_EQUAL(extras_of(t), e1);
    CU_ASSERT_EQUAL(slots_memory_used(), m1);
    CU_ASSERT_TRUE(m1 >= m0);
    /* deleting every extra of a live record releases them */
    ASSERT_OK(slots_extra_set_str(plain, "s", big, 1000));
    size_t with = extras_of(t) + strings_of(t);
    ASSERT_OK(slots_extra_del(plain, "s"));
    CU_ASSERT_TRUE(extras_of(t) + strings_of(t) + 1000 <= with);
    ASSERT_OK(slots_free(plain));
}

static void test_type_memory_arguments(void) {
    slots_type *t = def("a: i64");
    ASSERT_OK(slots_type_memory(t, NULL, NULL, NULL));
    size_t r = 7, s = 7, e = 7;
    ASSERT_OK(slots_type_memory(t, &r, &s, &e));
    CU_ASSERT_EQUAL(s, 0);
    CU_ASSERT_EQUAL(e, 0);
    size_t keep = 99;
    ASSERT_STATUS(slots_type_memory(NULL, &keep, NULL, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_count(NULL, &keep), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(keep, 99);
}

/* ---- injected allocation failures ----------------------------------------------------------- */

#define HAVE_HOOK (mem_fail_at != NULL)

static void test_enomem_set_str(void) {
    if (!HAVE_HOOK) return;
    slots_type *t = def("name: str");
    slots_obj o = make(t);
    memset(big, 'q', sizeof big);
    ASSERT_OK(slots_set_str(o, 0, big, 200));
    size_t m0 = slots_memory_used();
    mem_fail_at(1);
    int rc = slots_set_str(o, 0, big + 1, 300);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOMEM);
    CU_ASSERT_EQUAL(slots_memory_used(), m0);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 0, &s, &n));
    CU_ASSERT_EQUAL(n, 200); /* the old value stays */
    /* inline values need no allocation */
    mem_fail_at(1);
    rc = slots_set_str(o, 0, "short", 5);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    ASSERT_OK(slots_free(o));
}

static void test_enomem_define_and_new(void) {
    if (!HAVE_HOOK) return;
    const char *name = unique_name("OOM");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", name);
    int failures = 0, rc = SLOTS_ENOMEM;
    slots_type *t = NULL;
    for (long k = 1; k < 200 && rc == SLOTS_ENOMEM; k++) {
        size_t m0 = slots_memory_used();
        mem_fail_at(k);
        rc = slots_type_define(saved, "id: i64 key, name: str = 'abc', price: f64 = 0", NULL, 0, &t);
        mem_fail_at(0);
        if (rc == SLOTS_ENOMEM) {
            failures++;
            CU_ASSERT_EQUAL(slots_memory_used(), m0);
            CU_ASSERT_PTR_NULL(slots_type_find(saved));
            CU_ASSERT_PTR_NULL(t);
        }
    }
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_TRUE(failures > 0);
    CU_ASSERT_PTR_EQUAL(slots_type_find(saved), t);

    /* the first record of a type (store and slab made on demand; a store made by a call that then
     * failed stays, like reserved capacity) */
    slots_obj o = 0;
    failures = 0;
    rc = SLOTS_ENOMEM;
    bool store_kept = false;
    for (long k = 1; k < 200 && rc == SLOTS_ENOMEM; k++) {
        size_t m0 = slots_memory_used();
        mem_fail_at(k);
        rc = slots_new(t, &o);
        mem_fail_at(0);
        if (rc == SLOTS_ENOMEM) {
            failures++;
            if (slots_memory_used() != m0) { /* only the once: the store, kept */
                CU_ASSERT_FALSE(store_kept);
                store_kept = true;
            }
            CU_ASSERT_EQUAL(count_of(t), 0);
            CU_ASSERT_EQUAL(o, 0);
        }
    }
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(count_of(t), 1);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 3);

    /* a deep copy with long values */
    memset(big, 'c', sizeof big);
    ASSERT_OK(slots_set_str(o, 1, big, 500));
    slots_obj c = 0;
    rc = SLOTS_ENOMEM;
    for (long k = 1; k < 50 && rc == SLOTS_ENOMEM; k++) {
        size_t m0 = slots_memory_used();
        mem_fail_at(k);
        rc = slots_copy(o, &c);
        mem_fail_at(0);
        if (rc == SLOTS_ENOMEM) {
            CU_ASSERT_EQUAL(slots_memory_used(), m0);
            CU_ASSERT_EQUAL(count_of(t), 1);
            CU_ASSERT_EQUAL(c, 0);
        }
    }
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(slots_equal(o, c), 1);
    ASSERT_OK(slots_free(o));
    if (rc == SLOTS_OK) ASSERT_OK(slots_free(c));
}

static void test_enomem_extras(void) {
    if (!HAVE_HOOK) return;
    slots_type *t = def_flags("id: i64", NULL, SLOTS_DYNAMIC);
    slots_obj o = make(t);
    memset(big, 'e', sizeof big);
    int rc = SLOTS_ENOMEM, failures = 0;
    for (long k = 1; k < 50 && rc == SLOTS_ENOMEM; k++) {
        size_t m0 = slots_memory_used();
        mem_fail_at(k);
        rc = slots_extra_set_str(o, "note", big, 100);
        mem_fail_at(0);
        if (rc == SLOTS_ENOMEM) {
            failures++;
            size_t n = 9;
            CU_ASSERT_EQUAL(slots_memory_used(), m0);
            ASSERT_OK(slots_extra_count(o, &n));
            CU_ASSERT_EQUAL(n, 0);
        }
    }
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    CU_ASSERT_TRUE(failures > 0);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_extra_get_str(o, "note", &s, &n));
    CU_ASSERT_EQUAL(n, 100);
    ASSERT_OK(slots_free(o));
}

/* Dropping a store gives back every byte its records held: long and short strings and bytes,
 * null and unset fields, extras; for the C-layout string form too. */
static void drop_store_of(unsigned flags) {
    int c_layout = (flags & SLOTS_CLAYOUT) != 0; /* no bytes fields there */
    slots_type *t = def_flags(c_layout ? "name: str, data: str, note: str optional"
                                       : "name: str, data: bytes, note: str optional", NULL, flags);
    slots_store *s;
    ASSERT_OK(slots_store_new(t, &s)); /* a first store may grow the table of stores for good */
    ASSERT_OK(slots_store_drop(s));
    size_t m0 = slots_memory_used(), s0 = strings_of(t), e0 = extras_of(t);
    ASSERT_OK(slots_store_new(t, &s));
    for (int i = 0; i < 100; i++) {
        slots_obj o;
        ASSERT_OK(slots_store_append(s, &o));
        ASSERT_OK(slots_set_str(o, 0, big, (size_t)(i % 3 ? 5 : 40 + i))); /* short, or out of line */
        if (i % 2) ASSERT_OK(c_layout ? slots_set_str(o, 1, big, 30) : slots_set_bytes(o, 1, big, 30));
        ASSERT_OK(i % 5 ? slots_set_null(o, 2) : slots_set_str(o, 2, big, 200));
        if ((flags & SLOTS_DYNAMIC) && i % 4 == 0) ASSERT_OK(slots_extra_set_str(o, "tag", big, 64));
    }
    CU_ASSERT_TRUE(strings_of(t) > s0);
    ASSERT_OK(slots_store_drop(s));
    CU_ASSERT_EQUAL(strings_of(t), s0);
    CU_ASSERT_EQUAL(extras_of(t), e0);
    CU_ASSERT_EQUAL(count_of(t), 0);
    CU_ASSERT_EQUAL(slots_memory_used(), m0);
}

static void test_store_drop_releases_all(void) {
    memset(big, 'x', sizeof big - 1);
    drop_store_of(0);
    drop_store_of(SLOTS_DYNAMIC);
    drop_store_of(SLOTS_CLAYOUT);
}

static CU_TestInfo tests[] = {
    {"types cost memory", test_types_cost_memory},
    {"record size of Product", test_record_size_product},
    {"records and count", test_records_and_count},
    {"count follows every operation", test_count_follows_every_operation},
    {"strings exact", test_strings_exact},
    {"strings per type", test_strings_per_type},
    {"extras accounting", test_extras_accounting},
    {"store drop releases everything", test_store_drop_releases_all},
    {"type_memory arguments", test_type_memory_arguments},
    {"ENOMEM in set_str", test_enomem_set_str},
    {"ENOMEM in define, new and copy", test_enomem_define_and_new},
    {"ENOMEM in extras", test_enomem_extras},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("memory", tests); }
