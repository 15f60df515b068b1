/*
 * test_extras.c — extra (undeclared) attributes of SLOTS_DYNAMIC records: every value kind, kind
 * queries, wrong-kind reads, deletion, counting and insertion order, names that are fields or not
 * identifiers, non-dynamic and frozen types, copies, and release with the record.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>

static slots_type *def_named(const char *name, const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(name, fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}
static slots_type *dyn(const char *fields) { return def_named(unique_name("Dyn"), fields, SLOTS_DYNAMIC); }

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    return o;
}

static int kind_of(slots_obj o, const char *name) {
    int k = 77;
    int rc = slots_extra_kind(o, name, &k);
    return rc == SLOTS_OK ? k : rc;
}

#define LONG_S "an extra string value that is longer than any inline buffer"

static void test_every_kind(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t), target = make(t);
    ASSERT_OK(slots_extra_set_bool(o, "b", 1));
    ASSERT_OK(slots_extra_set_i64(o, "i", INT64_MIN));
    ASSERT_OK(slots_extra_set_u64(o, "u", UINT64_MAX));
    ASSERT_OK(slots_extra_set_f64(o, "f", -2.5));
    ASSERT_OK(slots_extra_set_str(o, "s", "h\xc3\xa9llo", 6));
    ASSERT_OK(slots_extra_set_str(o, "ls", LONG_S, strlen(LONG_S)));
    ASSERT_OK(slots_extra_set_bytes(o, "y", "\x00\xff\x01", 3));
    ASSERT_OK(slots_extra_set_ref(o, "r", target));
    ASSERT_OK(slots_extra_set_null(o, "n"));
    ASSERT_OK(slots_extra_set_str(o, "empty", NULL, 0));

    CU_ASSERT_EQUAL(kind_of(o, "b"), SLOTS_BOOL);
    CU_ASSERT_EQUAL(kind_of(o, "i"), SLOTS_I64);
    CU_ASSERT_EQUAL(kind_of(o, "u"), SLOTS_U64);
    CU_ASSERT_EQUAL(kind_of(o, "f"), SLOTS_F64);
    CU_ASSERT_EQUAL(kind_of(o, "s"), SLOTS_STR);
    CU_ASSERT_EQUAL(kind_of(o, "ls"), SLOTS_STR);
    CU_ASSERT_EQUAL(kind_of(o, "y"), SLOTS_BYTES);
    CU_ASSERT_EQUAL(kind_of(o, "r"), SLOTS_REF);
    CU_ASSERT_EQUAL(kind_of(o, "n"), 0);

    int b = 0;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
    const char *s = NULL;
    const void *p = NULL;
    size_t n = 0;
    slots_obj r = 0;
    ASSERT_OK(slots_extra_get_bool(o, "b", &b));
    CU_ASSERT_EQUAL(b, 1);
    ASSERT_OK(slots_extra_get_i64(o, "i", &i));
    CU_ASSERT_EQUAL(i, INT64_MIN);
    ASSERT_OK(slots_extra_get_u64(o, "u", &u));
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    ASSERT_OK(slots_extra_get_f64(o, "f", &f));
    CU_ASSERT_EQUAL(f, -2.5);
    ASSERT_OK(slots_extra_get_str(o, "s", &s, &n));
    CU_ASSERT_TRUE(n == 6 && memcmp(s, "h\xc3\xa9llo", 6) == 0);
    ASSERT_OK(slots_extra_get_str(o, "ls", &s, &n));
    CU_ASSERT_TRUE(n == strlen(LONG_S) && memcmp(s, LONG_S, n) == 0);
    ASSERT_OK(slots_extra_get_bytes(o, "y", &p, &n));
    CU_ASSERT_TRUE(n == 3 && memcmp(p, "\x00\xff\x01", 3) == 0);
    ASSERT_OK(slots_extra_get_ref(o, "r", &r));
    CU_ASSERT_EQUAL(r, target);
    ASSERT_OK(slots_extra_get_str(o, "empty", &s, &n));
    CU_ASSERT_EQUAL(n, 0);

    /* null reads as SLOTS_NULL with the output untouched, from every getter */
    i = 77;
    s = "u";
    n = 77;
    ASSERT_STATUS(slots_extra_get_i64(o, "n", &i), SLOTS_NULL);
    ASSERT_STATUS(slots_extra_get_str(o, "n", &s, &n), SLOTS_NULL);
    ASSERT_STATUS(slots_extra_get_bool(o, "n", &b), SLOTS_NULL);
    ASSERT_STATUS(slots_extra_get_ref(o, "n", &r), SLOTS_NULL);
    CU_ASSERT_EQUAL(i, 77);
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_STRING_EQUAL(s, "u");

    /* the declared field is untouched by extras */
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(target));
}

static void test_wrong_kind_and_missing(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    ASSERT_OK(slots_extra_set_i64(o, "i", 5));
    ASSERT_OK(slots_extra_set_str(o, "s", "x", 1));
    ASSERT_OK(slots_extra_set_bool(o, "b", 0));
    ASSERT_OK(slots_extra_set_f64(o, "f", 1.0));
    ASSERT_OK(slots_extra_set_bytes(o, "y", "x", 1));
    int b = 77;
    int64_t i = 77;
    double f = 77;
    const char *s = "u";
    const void *p = "u";
    size_t n = 77;
    slots_obj r = 77;
    ASSERT_STATUS(slots_extra_get_str(o, "i", &s, &n), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_f64(o, "i", &f), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_bool(o, "i", &b), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_ref(o, "i", &r), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_i64(o, "s", &i), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_bytes(o, "s", &p, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_str(o, "y", &s, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_i64(o, "b", &i), SLOTS_ETYPE);
    ASSERT_STATUS(slots_extra_get_i64(o, "f", &i), SLOTS_ETYPE);
    CU_ASSERT_TRUE(b == 77 && i == 77 && f == 77 && n == 77 && r == 77);
    CU_ASSERT_STRING_EQUAL(s, "u");

    ASSERT_STATUS(slots_extra_get_i64(o, "missing", &i), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    ASSERT_MSG("missing");
    ASSERT_STATUS(slots_extra_get_str(o, "missing", &s, &n), SLOTS_ENOATTR);
    int k = 77;
    ASSERT_STATUS(slots_extra_kind(o, "missing", &k), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(k, 77);
    ASSERT_STATUS(slots_extra_del(o, "missing"), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_get_i64(o, "I", &i), SLOTS_ENOATTR); /* case-sensitive */

    /* a new value of another kind replaces the old one */
    ASSERT_OK(slots_extra_set_str(o, "i", "now text", 8));
    CU_ASSERT_EQUAL(kind_of(o, "i"), SLOTS_STR);
    ASSERT_STATUS(slots_extra_get_i64(o, "i", &i), SLOTS_ETYPE);
    ASSERT_OK(slots_free(o));
}

static void names_are(slots_obj o, const char **want, size_t nwant) {
    size_t n = 99;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, nwant);
    for (size_t i = 0; i < nwant && i < n; i++) {
        const char *name = NULL;
        ASSERT_OK(slots_extra_name(o, i, &name));
        if (name) {
            if (strcmp(name, want[i]) != 0) fprintf(stderr, "\n  extra %zu: want %s, got %s\n", i, want[i], name);
            CU_ASSERT_STRING_EQUAL(name, want[i]);
        }
    }
    const char *keep = "keep";
    ASSERT_STATUS(slots_extra_name(o, n, &keep), SLOTS_EINDEX);
    ASSERT_STATUS(slots_extra_name(o, (size_t)-1, &keep), SLOTS_EINDEX);
    CU_ASSERT_STRING_EQUAL(keep, "keep");
}

static void test_count_order_del(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    names_are(o, NULL, 0);
    ASSERT_OK(slots_extra_set_i64(o, "zeta", 1));
    ASSERT_OK(slots_extra_set_i64(o, "alpha", 2));
    ASSERT_OK(slots_extra_set_i64(o, "mid", 3));
    const char *w1[] = {"zeta", "alpha", "mid"};
    names_are(o, w1, 3);
    /* reassigning keeps the place, as a Python dict does */
    ASSERT_OK(slots_extra_set_str(o, "zeta", "z", 1));
    names_are(o, w1, 3);
    ASSERT_OK(slots_extra_del(o, "alpha"));
    const char *w2[] = {"zeta", "mid"};
    names_are(o, w2, 2);
    int64_t v = 0;
    ASSERT_STATUS(slots_extra_get_i64(o, "alpha", &v), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_del(o, "alpha"), SLOTS_ENOATTR);
    ASSERT_OK(slots_extra_get_i64(o, "mid", &v));
    CU_ASSERT_EQUAL(v, 3);
    /* re-adding goes to the end */
    ASSERT_OK(slots_extra_set_i64(o, "alpha", 4));
    const char *w3[] = {"zeta", "mid", "alpha"};
    names_are(o, w3, 3);
    ASSERT_OK(slots_extra_del(o, "zeta"));
    ASSERT_OK(slots_extra_del(o, "mid"));
    ASSERT_OK(slots_extra_del(o, "alpha"));
    names_are(o, NULL, 0);
    /* many extras */
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "x%d", i);
        ASSERT_OK(slots_extra_set_i64(o, name, i));
    }
    size_t n = 0;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 200);
    int wrong = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "x%d", i);
        const char *got = NULL;
        if (slots_extra_get_i64(o, name, &v) != SLOTS_OK || v != i) wrong++;
        if (slots_extra_name(o, (size_t)i, &got) != SLOTS_OK || !got || strcmp(got, name) != 0) wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    ASSERT_OK(slots_free(o));
}

static void test_name_rules(void) {
    slots_type *t = dyn("id: i64, name: str");
    slots_obj o = make(t);
    ASSERT_STATUS(slots_extra_set_i64(o, "id", 1), SLOTS_EINVAL); /* a field name goes to the field API */
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_str(o, "name", "x", 1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_null(o, "id"), SLOTS_EINVAL);
    int64_t v = 77;
    ASSERT_STATUS(slots_extra_get_i64(o, "id", &v), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_del(o, "id"), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    ASSERT_STATUS(slots_extra_set_i64(o, NULL, 1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_i64(o, "", 1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_i64(o, "\xff", 1), SLOTS_EINVAL); /* names are UTF-8 */
    ASSERT_OK(slots_extra_set_i64(o, "first-name", 1)); /* like setattr(), not only identifiers */
    ASSERT_OK(slots_extra_del(o, "first-name"));
    ASSERT_STATUS(slots_extra_get_i64(o, NULL, &v), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_del(o, NULL), SLOTS_EINVAL);
    int k = 77;
    ASSERT_STATUS(slots_extra_kind(o, NULL, &k), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(k, 77);
    /* bad values */
    ASSERT_STATUS(slots_extra_set_str(o, "s", "\xff", 1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_ref(o, "s", 0), SLOTS_ESTALE);
    slots_obj dead = make(t);
    ASSERT_OK(slots_free(dead));
    ASSERT_STATUS(slots_extra_set_ref(o, "s", dead), SLOTS_ESTALE);
    size_t n = 99;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 0);
    /* a refused set leaves the old extra */
    ASSERT_OK(slots_extra_set_str(o, "s", "old", 3));
    ASSERT_STATUS(slots_extra_set_str(o, "s", "\xc0\x80", 2), SLOTS_EINVAL);
    const char *s = NULL;
    ASSERT_OK(slots_extra_get_str(o, "s", &s, &n));
    CU_ASSERT_TRUE(n == 3 && memcmp(s, "old", 3) == 0);
    /* names are copied */
    char buf[16] = "copied";
    ASSERT_OK(slots_extra_set_i64(o, buf, 9));
    buf[0] = 'X';
    ASSERT_OK(slots_extra_get_i64(o, "copied", &v));
    CU_ASSERT_EQUAL(v, 9);
    ASSERT_OK(slots_free(o));
}

static void test_not_dynamic(void) {
    slots_type *t = def_named("Product", "id: i64, name: str", 0);
    slots_obj o = make(t);
    ASSERT_STATUS(slots_extra_set_i64(o, "age", 3), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'age'");
    ASSERT_STATUS(slots_extra_set_bool(o, "age", 1), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_u64(o, "age", 1), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_f64(o, "age", 1), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_str(o, "age", "x", 1), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_bytes(o, "age", "x", 1), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_ref(o, "age", o), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_set_null(o, "age"), SLOTS_ENOATTR);
    int64_t v = 77;
    ASSERT_STATUS(slots_extra_get_i64(o, "color", &v), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'color'");
    CU_ASSERT_EQUAL(v, 77);
    int k = 77;
    ASSERT_STATUS(slots_extra_kind(o, "age", &k), SLOTS_ENOATTR);
    ASSERT_STATUS(slots_extra_del(o, "age"), SLOTS_ENOATTR);
    size_t n = 99;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 0);
    const char *name = "keep";
    ASSERT_STATUS(slots_extra_name(o, 0, &name), SLOTS_EINDEX);
    ASSERT_OK(slots_free(o));
}

/* A frozen record takes each extra once, like a readonly field, and never changes or loses it. */
static void test_frozen_dynamic(void) {
    slots_type *t = def_named(unique_name("FrozenDyn"), "id: i64", SLOTS_FROZEN | SLOTS_DYNAMIC);
    slots_obj o = make(t);
    ASSERT_OK(slots_extra_set_i64(o, "a", 1));
    ASSERT_STATUS(slots_extra_set_i64(o, "a", 2), SLOTS_EREADONLY);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EREADONLY);
    ASSERT_MSG("cannot assign to field 'a'");
    ASSERT_STATUS(slots_extra_set_bool(o, "a", 1), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_extra_set_str(o, "a", "x", 1), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_extra_set_null(o, "a"), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_extra_del(o, "a"), SLOTS_EREADONLY);
    int64_t v = 77;
    ASSERT_OK(slots_extra_get_i64(o, "a", &v));
    CU_ASSERT_EQUAL(v, 1);
    ASSERT_OK(slots_extra_set_str(o, "b", "x", 1));
    size_t n = 99;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 2);
    ASSERT_OK(slots_free(o));
}

static void test_subtype_inherits_dynamic(void) {
    slots_type *base = dyn("id: i64");
    slots_type *sub = NULL;
    ASSERT_OK(slots_type_define(unique_name("Sub"), "name: str", base, 0, &sub));
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    slots_obj o = make(sub);
    ASSERT_OK(slots_extra_set_i64(o, "extra", 1));
    ASSERT_STATUS(slots_extra_set_i64(o, "id", 1), SLOTS_EINVAL);   /* inherited field */
    ASSERT_STATUS(slots_extra_set_i64(o, "name", 1), SLOTS_EINVAL); /* own field */
    ASSERT_OK(slots_free(o));
}

static void test_copy_and_free(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    ASSERT_OK(slots_extra_set_str(o, "s", LONG_S, strlen(LONG_S)));
    ASSERT_OK(slots_extra_set_i64(o, "i", 1));
    ASSERT_OK(slots_extra_set_bytes(o, "y", LONG_S, strlen(LONG_S)));
    slots_obj c = 0;
    ASSERT_OK(slots_copy(o, &c));
    const char *w[] = {"s", "i", "y"};
    names_are(c, w, 3);
    const char *s1 = NULL, *s2 = NULL;
    size_t n1 = 0, n2 = 0;
    ASSERT_OK(slots_extra_get_str(o, "s", &s1, &n1));
    ASSERT_OK(slots_extra_get_str(c, "s", &s2, &n2));
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT_PTR_NOT_EQUAL(s1, s2);
    ASSERT_OK(slots_extra_del(c, "i"));
    ASSERT_OK(slots_extra_set_str(c, "s", "new", 3));
    int64_t v = 0;
    ASSERT_OK(slots_extra_get_i64(o, "i", &v));
    CU_ASSERT_EQUAL(v, 1);
    ASSERT_OK(slots_extra_get_str(o, "s", &s1, &n1));
    CU_ASSERT_EQUAL(n1, strlen(LONG_S));

    /* a freed record's extras are gone; its reused slot starts without them */
    size_t during = 0, after = 0;
    ASSERT_OK(slots_type_memory(t, NULL, NULL, &during));
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(c));
    ASSERT_OK(slots_type_memory(t, NULL, NULL, &after));
    CU_ASSERT_TRUE(after < during);
    slots_obj again = make(t);
    size_t n = 99;
    ASSERT_OK(slots_extra_count(again, &n));
    CU_ASSERT_EQUAL(n, 0);
    ASSERT_STATUS(slots_extra_get_str(again, "s", &s1, &n1), SLOTS_ENOATTR);
    ASSERT_OK(slots_free(again));
}

/* Text handed out is a copy, valid through the thread's next call: it can be passed straight in. */
static void test_pointer_validity(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    ASSERT_OK(slots_extra_set_str(o, "a", LONG_S, strlen(LONG_S)));
    const char *pa = NULL, *name0 = NULL;
    size_t na = 0;
    ASSERT_OK(slots_extra_get_str(o, "a", &pa, &na));
    ASSERT_OK(slots_extra_set_str(o, "b", pa, na)); /* "a"'s value into "b" */
    ASSERT_OK(slots_extra_name(o, 0, &name0));
    ASSERT_OK(slots_extra_set_i64(o, name0, 5)); /* "a" named by its own name's copy */
    CU_ASSERT_EQUAL(kind_of(o, "a"), SLOTS_I64);
    ASSERT_OK(slots_extra_get_str(o, "b", &pa, &na));
    CU_ASSERT_EQUAL(na, strlen(LONG_S));
    CU_ASSERT_EQUAL(memcmp(pa, LONG_S, na), 0);
    ASSERT_OK(slots_extra_del(o, "b"));
    CU_ASSERT_EQUAL(memcmp(pa, LONG_S, na), 0); /* a copy: deleting the extra does not touch it */
    ASSERT_OK(slots_free(o));
}

/* A record with thousands of extras (a wide row of a dynamic type): lookups through the name index
 * stay right through sets, replacements and deletions that move entries. */
static void test_many_extras(void) {
    enum { N = 5000 };
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    char name[16];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "e%d", i);
        ASSERT_OK(slots_extra_set_i64(o, name, i));
    }
    for (int i = 0; i < N; i += 3) { /* every third goes: later entries move down */
        snprintf(name, sizeof name, "e%d", i);
        ASSERT_OK(slots_extra_del(o, name));
    }
    for (int i = 1; i < N; i += 3) { /* replaced in place */
        snprintf(name, sizeof name, "e%d", i);
        ASSERT_OK(slots_extra_set_i64(o, name, -i));
    }
    int bad = 0;
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "e%d", i);
        int64_t v = 0;
        int rc = slots_extra_get_i64(o, name, &v);
        if (i % 3 == 0) bad += rc != SLOTS_ENOATTR;
        else bad += rc != SLOTS_OK || v != (i % 3 == 1 ? -i : i);
    }
    CU_ASSERT_EQUAL(bad, 0);
    size_t n = 0;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, N - (N + 2) / 3);
    const char *first = NULL;
    ASSERT_OK(slots_extra_name(o, 0, &first));
    CU_ASSERT_STRING_EQUAL(first, "e1"); /* insertion order kept */
    ASSERT_STATUS(slots_extra_get_i64(o, "e", &(int64_t){0}), SLOTS_ENOATTR); /* a prefix is not a name */
    ASSERT_OK(slots_free(o));
}

/* Last in the suite: a library that dereferences the NULL would crash the binary here. */
static void test_null_value_pointer(void) {
    slots_type *t = dyn("id: i64");
    slots_obj o = make(t);
    ASSERT_STATUS(slots_extra_set_str(o, "s", NULL, 2), SLOTS_EINVAL);
    ASSERT_STATUS(slots_extra_set_bytes(o, "y", NULL, 2), SLOTS_EINVAL);
    ASSERT_OK(slots_extra_set_str(o, "s", NULL, 0)); /* NULL with length 0 is the empty string */
    ASSERT_OK(slots_extra_set_bytes(o, "y", NULL, 0));
    size_t n = 99;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 2);
    ASSERT_OK(slots_free(o));
}

static CU_TestInfo tests[] = {
    {"every kind", test_every_kind},
    {"wrong kind and missing", test_wrong_kind_and_missing},
    {"count, order, del", test_count_order_del},
    {"name rules", test_name_rules},
    {"not dynamic", test_not_dynamic},
    {"frozen dynamic", test_frozen_dynamic},
    {"subtype inherits dynamic", test_subtype_inherits_dynamic},
    {"copy and free", test_copy_and_free},
    {"pointer validity", test_pointer_validity},
    {"many extras", test_many_extras},
    {"NULL value pointer", test_null_value_pointer},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("extras", tests); }
