/*
 * test_records.c — records as whole objects: creation (slots_new, slots_new_blank,
 * slots_fill_defaults), freeing, handle validation (0, random, forged, freed, reused slots) across
 * every function that takes a handle, slots_type_of/slots_isinstance, and slots_copy, slots_equal,
 * slots_compare and slots_hash.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>

static _Alignas(16) unsigned char not_a_type[4096];
#define FORGED ((const slots_type *)(const void *)not_a_type)

static slots_type *def_flags(const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("R"), fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}
static slots_type *def(const char *fields) { return def_flags(fields, 0); }

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    CU_ASSERT_NOT_EQUAL_FATAL(o, 0);
    return o;
}

/* Every function that takes a record handle refuses `h` with SLOTS_ESTALE and leaves its outputs;
 * `live` is a valid record of the same type (fields b i u f s y r, dynamic) for the two-record calls. */
static void check_all_stale(slots_obj h, slots_obj live) {
    int iv = 77, kind = 77;
    int64_t i64 = 77;
    uint64_t u64 = 77, hash = 77;
    double f = 77.0;
    const char *s = "untouched";
    const void *p = "untouched";
    size_t n = 77;
    slots_obj r = 77, cp = 77;
    const slots_type *ty = FORGED, *live_type = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_of(live, &live_type), SLOTS_OK);

    ASSERT_STATUS(slots_fill_defaults(h), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ESTALE);
    CU_ASSERT_NOT_EQUAL(slots_errmsg()[0], '\0');
    ASSERT_STATUS(slots_type_of(h, &ty), SLOTS_ESTALE);
    ASSERT_STATUS(slots_isinstance(h, live_type), SLOTS_ESTALE);
    ASSERT_STATUS(slots_copy(h, &cp), SLOTS_ESTALE);
    ASSERT_STATUS(slots_equal(h, live), SLOTS_ESTALE);
    ASSERT_STATUS(slots_equal(live, h), SLOTS_ESTALE);
    ASSERT_STATUS(slots_equal(h, h), SLOTS_ESTALE);
    ASSERT_STATUS(slots_compare(h, live, &iv), SLOTS_ESTALE);
    ASSERT_STATUS(slots_compare(live, h, &iv), SLOTS_ESTALE);
    ASSERT_STATUS(slots_hash(h, &hash), SLOTS_ESTALE);

    ASSERT_STATUS(slots_set_bool(h, 0, 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_bool(h, 0, &iv), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_i64(h, 1, 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_i64(h, 1, &i64), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_u64(h, 2, 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_u64(h, 2, &u64), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_f64(h, 3, 1.0), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_f64(h, 3, &f), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_str(h, 4, "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_str(h, 4, &s, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_bytes(h, 5, "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_bytes(h, 5, &p, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_ref(h, 6, live), SLOTS_ESTALE);
    ASSERT_STATUS(slots_get_ref(h, 6, &r), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_null(h, 6), SLOTS_ESTALE);
    ASSERT_STATUS(slots_del(h, 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_is_set(h, 1), SLOTS_ESTALE);
    /* as a ref target */
    ASSERT_STATUS(slots_set_ref(live, 6, h), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_ref(live, "target", h), SLOTS_ESTALE);

    ASSERT_STATUS(slots_extra_set_bool(h, "e", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_i64(h, "e", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_u64(h, "e", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_f64(h, "e", 1.0), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_str(h, "e", "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_bytes(h, "e", "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_ref(h, "e", live), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_set_null(h, "e"), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_kind(h, "e", &kind), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_bool(h, "e", &iv), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_i64(h, "e", &i64), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_u64(h, "e", &u64), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_f64(h, "e", &f), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_str(h, "e", &s, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_bytes(h, "e", &p, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_get_ref(h, "e", &r), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_del(h, "e"), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_count(h, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_extra_name(h, 0, &s), SLOTS_ESTALE);
    ASSERT_STATUS(slots_free(h), SLOTS_ESTALE);

    CU_ASSERT_EQUAL(iv, 77);
    CU_ASSERT_EQUAL(kind, 77);
    CU_ASSERT_EQUAL(i64, 77);
    CU_ASSERT_EQUAL(u64, 77);
    CU_ASSERT_EQUAL(hash, 77);
    CU_ASSERT_EQUAL(f, 77.0);
    CU_ASSERT_STRING_EQUAL(s, "untouched");
    CU_ASSERT_STRING_EQUAL((const char *)p, "untouched");
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_EQUAL(r, 77);
    CU_ASSERT_EQUAL(cp, 77);
    CU_ASSERT_PTR_EQUAL(ty, FORGED);
    /* the live record was not changed by the refused calls */
    CU_ASSERT_EQUAL(slots_is_set(live, 6), 0);
    CU_ASSERT_EQUAL(slots_extra_count(live, &n), SLOTS_OK);
    CU_ASSERT_EQUAL(n, 0);
}

#define STALE_FIELDS "b: bool, i: i64, u: u64, f: f64, s: str, y: bytes, r: ref optional"

/* Runs first, while this is the process's only live record, so that no forged handle can by chance
 * name another live record. */
static void test_forged_neighbours(void) {
    slots_type *t = def_flags(STALE_FIELDS, SLOTS_DYNAMIC);
    slots_obj live = make(t);
    slots_obj other = make(t);
    ASSERT_OK(slots_free(other));
    /* `live` is the only live record now */
    int accepted = 0;
    for (int bit = 0; bit < 64; bit++) {
        slots_obj h = live ^ (1ull << bit);
        if (slots_is_set(h, 1) != SLOTS_ESTALE) {
            fprintf(stderr, "\n  handle 0x%llx (bit %d of 0x%llx flipped) accepted\n", (unsigned long long)h,
                    bit, (unsigned long long)live);
            accepted++;
        }
    }
    CU_ASSERT_EQUAL(accepted, 0);
    check_all_stale(live + 1, live);
    check_all_stale(live - 1, live);
    check_all_stale(~live, live);
    ASSERT_OK(slots_free(live));
}

static void test_zero_and_random_handles(void) {
    slots_type *t = def_flags(STALE_FIELDS, SLOTS_DYNAMIC);
    slots_obj live = make(t);
    check_all_stale(0, live);
    check_all_stale(UINT64_MAX, live);
    check_all_stale(0x0123456789abcdefull, live);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x == live) continue;
        const slots_type *ty = NULL;
        if (slots_type_of(x, &ty) != SLOTS_ESTALE) accepted++;
        if (slots_set_i64(x, 1, 5) != SLOTS_ESTALE) accepted++;
    }
    CU_ASSERT_EQUAL(accepted, 0);
    ASSERT_OK(slots_free(live));
}

static void test_freed_and_reused_handles(void) {
    slots_type *t = def_flags(STALE_FIELDS, SLOTS_DYNAMIC);
    slots_obj live = make(t);
    slots_obj h = make(t);
    ASSERT_OK(slots_set_i64(h, 1, 5));
    ASSERT_OK(slots_set_str(h, 4, "a string long enough to live out of line", 40));
    ASSERT_OK(slots_extra_set_i64(h, "e", 1));
    ASSERT_OK(slots_free(h));
    check_all_stale(h, live);
    /* the slot is reused: the new handle differs and the old one stays stale */
    slots_obj h2 = make(t);
    CU_ASSERT_NOT_EQUAL(h2, h);
    check_all_stale(h, live);
    CU_ASSERT_EQUAL(slots_is_set(h2, 1), 0); /* a reused slot starts blank */
    CU_ASSERT_EQUAL(slots_is_set(h2, 4), 0);
    size_t n = 9;
    ASSERT_OK(slots_extra_count(h2, &n));
    CU_ASSERT_EQUAL(n, 0);
    ASSERT_OK(slots_set_i64(h2, 1, 6));
    ASSERT_OK(slots_free(h2));
    check_all_stale(h2, live);
    check_all_stale(h, live);
    ASSERT_OK(slots_free(live));
}

/* A slot freed and reused many times must never hand an old handle back to life (the header: after
 * slots_free every call with the handle returns SLOTS_ESTALE). */
static void test_reuse_never_revives_old_handle(void) {
    slots_type *t = def("v: i64");
    slots_obj first = make(t);
    ASSERT_OK(slots_free(first));
    long revived = 0, repeats = 0;
    slots_obj prev = first;
    for (long i = 0; i < 70000; i++) {
        slots_obj h = 0;
        if (slots_new(t, &h) != SLOTS_OK) {
            CU_FAIL("slots_new failed");
            break;
        }
        if (h == first || slots_is_set(first, 0) != SLOTS_ESTALE) revived++;
        if (h == prev) repeats++;
        prev = h;
        slots_free(h);
    }
    if (revived) fprintf(stderr, "\n  an old handle came back to life %ld times\n", revived);
    CU_ASSERT_EQUAL(revived, 0);
    CU_ASSERT_EQUAL(repeats, 0);
    size_t n = 1;
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, 0);
}

static void test_new_and_blank(void) {
    slots_type *t = def("id: i64, name: str = 'anon', price: f64 = 2.5, tag: str = null optional,"
                        " note: str optional");
    slots_obj o = make(t), b = 0;
    ASSERT_OK(slots_new_blank(t, &b));
    CU_ASSERT_NOT_EQUAL(b, 0);
    CU_ASSERT_NOT_EQUAL(b, o);
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 1);
    CU_ASSERT_EQUAL(slots_is_set(o, 2), 1);
    CU_ASSERT_EQUAL(slots_is_set(o, 3), 1);
    CU_ASSERT_EQUAL(slots_is_set(o, 4), 0);
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(slots_is_set(b, i), 0);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 4);
    if (n == 4) CU_ASSERT_EQUAL(memcmp(s, "anon", 4), 0);
    ASSERT_STATUS(slots_get_str(o, 3, &s, &n), SLOTS_NULL);
    double d = 0;
    ASSERT_STATUS(slots_get_f64(b, 2, &d), SLOTS_EUNSET);

    /* fill_defaults sets only still-unset defaulted fields */
    ASSERT_OK(slots_set_f64(b, 2, 7.0));
    ASSERT_OK(slots_fill_defaults(b));
    ASSERT_OK(slots_get_f64(b, 2, &d));
    CU_ASSERT_EQUAL(d, 7.0);
    ASSERT_OK(slots_get_str(b, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 4);
    ASSERT_STATUS(slots_get_str(b, 3, &s, &n), SLOTS_NULL);
    CU_ASSERT_EQUAL(slots_is_set(b, 0), 0);
    CU_ASSERT_EQUAL(slots_is_set(b, 4), 0);
    ASSERT_OK(slots_fill_defaults(b)); /* idempotent */
    ASSERT_OK(slots_get_f64(b, 2, &d));
    CU_ASSERT_EQUAL(d, 7.0);
    CU_ASSERT_EQUAL(slots_equal(o, b), 0);
    ASSERT_OK(slots_set_f64(b, 2, 2.5));
    CU_ASSERT_EQUAL(slots_equal(o, b), 1);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(b));
}

static void test_readonly_constructor_pattern(void) {
    slots_type *t = def("id: i64 readonly, created: f64 = 1.0 readonly, name: str = 'x'");
    slots_obj b = 0;
    ASSERT_OK(slots_new_blank(t, &b));
    ASSERT_OK(slots_set_i64(b, 0, 10));
    ASSERT_OK(slots_set_f64(b, 1, 99.0)); /* the constructor assigns the readonly once */
    ASSERT_OK(slots_fill_defaults(b));
    double d = 0;
    ASSERT_OK(slots_get_f64(b, 1, &d));
    CU_ASSERT_EQUAL(d, 99.0);
    ASSERT_STATUS(slots_set_f64(b, 1, 3.0), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_i64(b, 0, 11), SLOTS_EREADONLY);
    /* slots_new already set the defaulted readonly */
    slots_obj o = make(t);
    ASSERT_STATUS(slots_set_f64(o, 1, 3.0), SLOTS_EREADONLY);
    ASSERT_OK(slots_get_f64(o, 1, &d));
    CU_ASSERT_EQUAL(d, 1.0);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(b));
}

static void test_new_errors(void) {
    slots_obj o = 42;
    ASSERT_STATUS(slots_new(NULL, &o), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
    ASSERT_STATUS(slots_new(FORGED, &o), SLOTS_EINVAL);
    ASSERT_STATUS(slots_new_blank(NULL, &o), SLOTS_EINVAL);
    ASSERT_STATUS(slots_new_blank(FORGED, &o), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(o, 42);
    slots_type *t = def("a: i64");
    size_t before = 99, after = 99;
    ASSERT_OK(slots_type_count(t, &before));
    ASSERT_STATUS(slots_new(t, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_new_blank(t, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_type_count(t, &after));
    CU_ASSERT_EQUAL(before, 0);
    CU_ASSERT_EQUAL(after, 0);
}

static void test_free_and_count(void) {
    slots_type *t = def("a: i64, s: str");
    enum { N = 1000 };
    static slots_obj h[N];
    for (int i = 0; i < N; i++) {
        h[i] = make(t);
        ASSERT_OK(slots_set_i64(h[i], 0, i));
    }
    size_t n = 0;
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, N);
    int dups = 0;
    for (int i = 1; i < N; i++)
        for (int j = 0; j < i; j++)
            if (h[i] == h[j]) dups++;
    CU_ASSERT_EQUAL(dups, 0);
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        int64_t v = -1;
        if (slots_get_i64(h[i], 0, &v) != SLOTS_OK || v != i) wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    for (int i = 0; i < N; i += 2) ASSERT_OK(slots_free(h[i]));
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, N / 2);
    for (int i = 1; i < N; i += 2) {
        int64_t v = -1;
        ASSERT_OK(slots_get_i64(h[i], 0, &v));
        CU_ASSERT_EQUAL(v, i);
        ASSERT_STATUS(slots_get_i64(h[i - 1], 0, &v), SLOTS_ESTALE);
    }
    ASSERT_STATUS(slots_free(h[0]), SLOTS_ESTALE);
    for (int i = 1; i < N; i += 2) ASSERT_OK(slots_free(h[i]));
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, 0);
}

static void test_type_of_and_isinstance(void) {
    slots_type *a = def("x: i64");
    slots_type *b = def("x: i64");
    slots_obj oa = make(a), ob = make(b);
    const slots_type *ty = NULL;
    ASSERT_OK(slots_type_of(oa, &ty));
    CU_ASSERT_PTR_EQUAL(ty, a);
    ASSERT_OK(slots_type_of(ob, &ty));
    CU_ASSERT_PTR_EQUAL(ty, b);
    CU_ASSERT_EQUAL(slots_isinstance(oa, a), 1);
    CU_ASSERT_EQUAL(slots_isinstance(oa, b), 0);
    CU_ASSERT_EQUAL(slots_isinstance(ob, a), 0);
    ASSERT_STATUS(slots_isinstance(oa, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_isinstance(oa, FORGED), SLOTS_EINVAL);
    ASSERT_OK(slots_free(oa));
    ASSERT_OK(slots_free(ob));
}

/* ---- copy, equal, compare, hash -------------------------------------------------------------- */

#define LONG_A "a string that is certainly longer than twenty-three bytes"

static void test_copy_is_deep(void) {
    slots_type *t = def_flags("id: i64, name: str, blob: bytes, price: f64, p: ref optional,"
                              " note: str optional, unset: i64, ro: i64 readonly",
                              SLOTS_DYNAMIC);
    slots_obj target = make(t);
    slots_obj o = make(t);
    ASSERT_OK(slots_set_i64(o, 0, 5));
    ASSERT_OK(slots_set_str(o, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_bytes(o, 2, "\x00\x01\x02", 3));
    ASSERT_OK(slots_set_f64(o, 3, 1.25));
    ASSERT_OK(slots_set_ref(o, 4, target));
    ASSERT_OK(slots_set_null(o, 5));
    ASSERT_OK(slots_set_i64(o, 7, 9));
    ASSERT_OK(slots_extra_set_str(o, "memo", LONG_A, strlen(LONG_A)));
    size_t before = 0;
    ASSERT_OK(slots_type_count(t, &before));

    slots_obj c = 7;
    ASSERT_OK(slots_copy(o, &c));
    CU_ASSERT_NOT_EQUAL(c, 7);
    CU_ASSERT_NOT_EQUAL(c, o);
    size_t after = 0;
    ASSERT_OK(slots_type_count(t, &after));
    CU_ASSERT_EQUAL(after, before + 1);
    const slots_type *ty = NULL;
    ASSERT_OK(slots_type_of(c, &ty));
    CU_ASSERT_PTR_EQUAL(ty, t);
    CU_ASSERT_EQUAL(slots_equal(o, c), 1);

    const char *s1 = NULL, *s2 = NULL;
    size_t n1 = 0, n2 = 0;
    ASSERT_OK(slots_get_str(o, 1, &s1, &n1));
    ASSERT_OK(slots_get_str(c, 1, &s2, &n2));
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT_EQUAL(memcmp(s1, s2, n1), 0); /* that the copy is deep is checked below */
    slots_obj r = 0;
    ASSERT_OK(slots_get_ref(c, 4, &r));
    CU_ASSERT_EQUAL(r, target); /* refs are copied as handles */
    ASSERT_STATUS(slots_get_str(c, 5, &s2, &n2), SLOTS_NULL);
    CU_ASSERT_EQUAL(slots_is_set(c, 6), 0);
    ASSERT_STATUS(slots_set_i64(c, 7, 10), SLOTS_EREADONLY); /* the readonly copy is set */

    /* changing the copy leaves the original */
    ASSERT_OK(slots_set_str(c, 1, "short", 5));
    ASSERT_OK(slots_set_bytes(c, 2, "zz", 2));
    ASSERT_OK(slots_get_str(o, 1, &s1, &n1));
    CU_ASSERT_EQUAL(n1, strlen(LONG_A));
    if (n1 == strlen(LONG_A)) CU_ASSERT_EQUAL(memcmp(s1, LONG_A, n1), 0);
    const void *p = NULL;
    ASSERT_OK(slots_get_bytes(o, 2, &p, &n1));
    CU_ASSERT_EQUAL(n1, 3);
    CU_ASSERT_EQUAL(slots_equal(o, c), 0);
    /* extras are duplicated, not shared */
    ASSERT_OK(slots_extra_get_str(c, "memo", &s2, &n2));
    CU_ASSERT_EQUAL(n2, strlen(LONG_A));
    ASSERT_OK(slots_extra_set_str(c, "memo", "x", 1));
    ASSERT_OK(slots_extra_get_str(o, "memo", &s1, &n1));
    CU_ASSERT_EQUAL(n1, strlen(LONG_A));
    /* freeing the original leaves the copy intact */
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_get_str(c, 1, &s2, &n2));
    CU_ASSERT_EQUAL(n2, 5);
    ASSERT_OK(slots_free(c));
    ASSERT_OK(slots_free(target));
    slots_obj x = 3;
    ASSERT_STATUS(slots_copy(c, &x), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(x, 3);
}

static void test_equal(void) {
    slots_type *t = def_flags("a: i64, s: str, f: f64, o: str optional", SLOTS_DYNAMIC);
    slots_type *u = def("a: i64, s: str, f: f64, o: str optional");
    slots_obj x = make(t), y = make(t), z = make(u);
    CU_ASSERT_EQUAL(slots_equal(x, y), 1); /* both blank */
    CU_ASSERT_EQUAL(slots_equal(x, x), 1);
    ASSERT_OK(slots_set_i64(x, 0, 1));
    CU_ASSERT_EQUAL(slots_equal(x, y), 0); /* set-ness differs */
    ASSERT_OK(slots_set_i64(y, 0, 1));
    CU_ASSERT_EQUAL(slots_equal(x, y), 1);
    ASSERT_OK(slots_set_str(x, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_str(y, 1, LONG_A, strlen(LONG_A)));
    CU_ASSERT_EQUAL(slots_equal(x, y), 1); /* compared by content, not pointer */
    ASSERT_OK(slots_set_str(y, 1, LONG_A, strlen(LONG_A) - 1));
    CU_ASSERT_EQUAL(slots_equal(x, y), 0);
    ASSERT_OK(slots_set_str(y, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_null(x, 3));
    CU_ASSERT_EQUAL(slots_equal(x, y), 0); /* null is not unset */
    ASSERT_OK(slots_set_str(y, 3, "", 0));
    CU_ASSERT_EQUAL(slots_equal(x, y), 0); /* null is not "" */
    ASSERT_OK(slots_set_null(y, 3));
    CU_ASSERT_EQUAL(slots_equal(x, y), 1);
    ASSERT_OK(slots_set_f64(x, 2, 0.0));
    ASSERT_OK(slots_set_f64(y, 2, -0.0));
    CU_ASSERT_EQUAL(slots_equal(x, y), 1); /* 0.0 == -0.0 */
    ASSERT_OK(slots_set_f64(x, 2, NAN));
    ASSERT_OK(slots_set_f64(y, 2, NAN));
    CU_ASSERT_EQUAL(slots_equal(x, y), 0); /* NaN is unequal to itself */
    ASSERT_OK(slots_set_f64(x, 2, 1.0));
    ASSERT_OK(slots_set_f64(y, 2, 1.0));
    ASSERT_OK(slots_extra_set_i64(x, "only_x", 1));
    CU_ASSERT_EQUAL(slots_equal(x, y), 1); /* extras are not compared */
    /* the same values in another type are not equal */
    ASSERT_OK(slots_set_i64(z, 0, 1));
    ASSERT_OK(slots_set_str(z, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_f64(z, 2, 1.0));
    ASSERT_OK(slots_set_null(z, 3));
    CU_ASSERT_EQUAL(slots_equal(x, z), 0);
    CU_ASSERT_EQUAL(slots_equal(z, x), 0);
    ASSERT_OK(slots_free(x));
    ASSERT_OK(slots_free(y));
    ASSERT_OK(slots_free(z));
}

static int cmp(slots_obj a, slots_obj b) {
    int out = 99;
    int rc = slots_compare(a, b, &out);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    return rc == SLOTS_OK ? out : 99;
}

static void test_compare(void) {
    slots_type *t = def("a: i64, s: str, u: u64, f: f64, o: i64 optional");
    slots_obj x = make(t), y = make(t);
    ASSERT_OK(slots_set_i64(x, 0, 1));
    ASSERT_OK(slots_set_i64(y, 0, 1));
    ASSERT_OK(slots_set_str(x, 1, "ab", 2));
    ASSERT_OK(slots_set_str(y, 1, "ab", 2));
    ASSERT_OK(slots_set_u64(x, 2, 5));
    ASSERT_OK(slots_set_u64(y, 2, 5));
    ASSERT_OK(slots_set_f64(x, 3, 1.5));
    ASSERT_OK(slots_set_f64(y, 3, 1.5));
    ASSERT_OK(slots_set_i64(x, 4, 0));
    ASSERT_OK(slots_set_i64(y, 4, 0));
    CU_ASSERT_EQUAL(cmp(x, y), 0);
    CU_ASSERT_EQUAL(cmp(x, x), 0);

    /* the first field decides before later ones */
    ASSERT_OK(slots_set_i64(x, 0, -5));
    ASSERT_OK(slots_set_str(x, 1, "zz", 2));
    CU_ASSERT_EQUAL(cmp(x, y), -1);
    CU_ASSERT_EQUAL(cmp(y, x), 1);
    ASSERT_OK(slots_set_i64(x, 0, 1));
    CU_ASSERT_EQUAL(cmp(x, y), 1); /* "zz" > "ab" */
    ASSERT_OK(slots_set_str(x, 1, "abc", 3));
    CU_ASSERT_EQUAL(cmp(x, y), 1); /* a prefix sorts first */
    CU_ASSERT_EQUAL(cmp(y, x), -1);
    ASSERT_OK(slots_set_str(x, 1, "a\xc3\xa9", 3)); /* U+00E9 > 'b' */
    CU_ASSERT_EQUAL(cmp(x, y), 1);
    ASSERT_OK(slots_set_str(x, 1, "ab", 2));
    ASSERT_OK(slots_set_u64(x, 2, UINT64_MAX));
    CU_ASSERT_EQUAL(cmp(x, y), 1); /* unsigned, not two's complement */
    ASSERT_OK(slots_set_u64(x, 2, 5));
    ASSERT_OK(slots_set_f64(x, 3, -2.0));
    CU_ASSERT_EQUAL(cmp(x, y), -1);
    ASSERT_OK(slots_set_f64(x, 3, 1.5));
    ASSERT_OK(slots_set_i64(x, 4, -1));
    CU_ASSERT_EQUAL(cmp(x, y), -1);
    ASSERT_OK(slots_set_null(x, 4));
    ASSERT_OK(slots_set_null(y, 4));
    CU_ASSERT_EQUAL(cmp(x, y), 0); /* None == None */

    /* null against a value */
    int out = 99;
    ASSERT_OK(slots_set_i64(y, 4, 3));
    ASSERT_STATUS(slots_compare(x, y, &out), SLOTS_ETYPE);
    ASSERT_STATUS(slots_compare(y, x, &out), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(out, 99);
    /* an unset compared field */
    ASSERT_OK(slots_set_null(y, 4));
    ASSERT_OK(slots_del(x, 0));
    ASSERT_STATUS(slots_compare(x, y, &out), SLOTS_EUNSET);
    ASSERT_STATUS(slots_compare(y, x, &out), SLOTS_EUNSET);
    CU_ASSERT_EQUAL(out, 99);
    /* different types */
    slots_type *u = def("a: i64, s: str, u: u64, f: f64, o: i64 optional");
    slots_obj z = make(u);
    ASSERT_OK(slots_set_i64(x, 0, 1));
    ASSERT_OK(slots_set_i64(z, 0, 1));
    ASSERT_STATUS(slots_compare(x, z, &out), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(out, 99);
    ASSERT_STATUS(slots_compare(x, y, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_free(x));
    ASSERT_OK(slots_free(y));
    ASSERT_OK(slots_free(z));
}

static uint64_t hash_of(slots_obj o) {
    uint64_t h = 0;
    ASSERT_OK(slots_hash(o, &h));
    return h;
}

static void test_hash(void) {
    slots_type *t = def_flags("a: i64, s: str, f: f64, b: bytes, o: i64 optional", SLOTS_DYNAMIC);
    slots_obj x = make(t), y = make(t);
    CU_ASSERT_EQUAL(hash_of(x), hash_of(y));
    ASSERT_OK(slots_set_i64(x, 0, 12345));
    ASSERT_OK(slots_set_i64(y, 0, 12345));
    ASSERT_OK(slots_set_str(x, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_str(y, 1, LONG_A, strlen(LONG_A)));
    ASSERT_OK(slots_set_bytes(x, 3, "\x00\xff", 2));
    ASSERT_OK(slots_set_bytes(y, 3, "\x00\xff", 2));
    ASSERT_OK(slots_set_null(x, 4));
    ASSERT_OK(slots_set_null(y, 4));
    ASSERT_OK(slots_set_f64(x, 2, 0.0));
    ASSERT_OK(slots_set_f64(y, 2, -0.0));
    CU_ASSERT_EQUAL_FATAL(slots_equal(x, y), 1);
    CU_ASSERT_EQUAL(hash_of(x), hash_of(y)); /* 0.0 and -0.0 are equal, so hash alike */
    ASSERT_OK(slots_extra_set_i64(x, "e", 1));
    CU_ASSERT_EQUAL(hash_of(x), hash_of(y)); /* extras are not part of equality */
    uint64_t h1 = hash_of(x);
    CU_ASSERT_EQUAL(hash_of(x), h1); /* stable */
    slots_obj c = 0;
    ASSERT_OK(slots_copy(x, &c));
    CU_ASSERT_EQUAL(hash_of(c), h1);

    /* distinct values spread: 200 records, almost all hashes distinct */
    enum { N = 200 };
    uint64_t hs[N];
    slots_obj o[N];
    for (int i = 0; i < N; i++) {
        o[i] = make(t);
        ASSERT_OK(slots_set_i64(o[i], 0, i));
        hs[i] = hash_of(o[i]);
    }
    int same = 0;
    for (int i = 1; i < N; i++)
        for (int j = 0; j < i; j++) same += hs[i] == hs[j];
    CU_ASSERT_TRUE(same < 5);
    for (int i = 0; i < N; i++) ASSERT_OK(slots_free(o[i]));
    uint64_t keep = 42;
    ASSERT_STATUS(slots_hash(x, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_free(x));
    ASSERT_STATUS(slots_hash(x, &keep), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(keep, 42);
    ASSERT_OK(slots_free(y));
    ASSERT_OK(slots_free(c));
}

static CU_TestInfo tests[] = {
    {"forged neighbours of a live handle", test_forged_neighbours},
    {"zero and random handles", test_zero_and_random_handles},
    {"freed and reused handles", test_freed_and_reused_handles},
    {"reuse never revives an old handle", test_reuse_never_revives_old_handle},
    {"new and new_blank", test_new_and_blank},
    {"readonly constructor pattern", test_readonly_constructor_pattern},
    {"new errors", test_new_errors},
    {"free and count", test_free_and_count},
    {"type_of and isinstance", test_type_of_and_isinstance},
    {"copy is deep", test_copy_is_deep},
    {"equal", test_equal},
    {"compare", test_compare},
    {"hash", test_hash},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("records", tests); }
