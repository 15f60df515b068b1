/*
 * test_access.c — typed field access: every setter and getter on every kind, range checks at the
 * exact boundaries, kind mismatches, unset/null/readonly/frozen fields, slots_del and slots_is_set,
 * strings (UTF-8 validation, inline and out-of-line lengths, pointer validity), bytes and refs, and
 * that a refused call changes nothing.
 */
#include "harness.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static slots_type *def_named(const char *name, const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(name, fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}
static slots_type *def(const char *fields) { return def_named(unique_name("A"), fields, 0); }

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    return o;
}

static int64_t geti(slots_obj o, int f) {
    int64_t v = 0x5a5a;
    ASSERT_OK(slots_get_i64(o, f, &v));
    return v;
}
static uint64_t getu(slots_obj o, int f) {
    uint64_t v = 0x5a5a;
    ASSERT_OK(slots_get_u64(o, f, &v));
    return v;
}
static double getf(slots_obj o, int f) {
    double v = -12345.0;
    ASSERT_OK(slots_get_f64(o, f, &v));
    return v;
}

/* ---- integers --------------------------------------------------------------------------------- */

static void check_signed(slots_obj o, int f, int64_t lo, int64_t hi) {
    ASSERT_OK(slots_set_i64(o, f, lo));
    CU_ASSERT_EQUAL(geti(o, f), lo);
    ASSERT_OK(slots_set_i64(o, f, hi));
    CU_ASSERT_EQUAL(geti(o, f), hi);
    ASSERT_OK(slots_set_u64(o, f, (uint64_t)hi));
    CU_ASSERT_EQUAL(geti(o, f), hi);
    if (lo != INT64_MIN) {
        ASSERT_STATUS(slots_set_i64(o, f, lo - 1), SLOTS_ERANGE);
        CU_ASSERT_EQUAL(geti(o, f), hi); /* unchanged */
    }
    ASSERT_STATUS(slots_set_u64(o, f, (uint64_t)hi + 1), SLOTS_ERANGE);
    if (hi != INT64_MAX) ASSERT_STATUS(slots_set_i64(o, f, hi + 1), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_u64(o, f, UINT64_MAX), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(geti(o, f), hi);
    ASSERT_OK(slots_set_i64(o, f, -1));
    uint64_t u = 77;
    ASSERT_STATUS(slots_get_u64(o, f, &u), SLOTS_ERANGE); /* a negative does not read as u64 */
    CU_ASSERT_EQUAL(u, 77);
    ASSERT_OK(slots_set_i64(o, f, 0));
    CU_ASSERT_EQUAL(getu(o, f), 0);
    ASSERT_OK(slots_set_i64(o, f, hi));
    CU_ASSERT_EQUAL(getu(o, f), (uint64_t)hi);
}

static void test_signed_ranges(void) {
    slots_type *t = def("a: i8, b: i16, c: i32, d: i64");
    slots_obj o = make(t);
    check_signed(o, 0, INT8_MIN, INT8_MAX);
    check_signed(o, 1, INT16_MIN, INT16_MAX);
    check_signed(o, 2, INT32_MIN, INT32_MAX);
    check_signed(o, 3, INT64_MIN, INT64_MAX);
    ASSERT_OK(slots_free(o));
}

static void check_unsigned(slots_obj o, int f, uint64_t hi) {
    ASSERT_OK(slots_set_u64(o, f, 0));
    CU_ASSERT_EQUAL(getu(o, f), 0);
    ASSERT_OK(slots_set_u64(o, f, hi));
    CU_ASSERT_EQUAL(getu(o, f), hi);
    if (hi <= INT64_MAX) {
        ASSERT_OK(slots_set_i64(o, f, (int64_t)hi));
        CU_ASSERT_EQUAL(geti(o, f), (int64_t)hi);
        ASSERT_STATUS(slots_set_i64(o, f, (int64_t)hi + 1), SLOTS_ERANGE);
        ASSERT_STATUS(slots_set_u64(o, f, hi + 1), SLOTS_ERANGE);
    }
    ASSERT_STATUS(slots_set_i64(o, f, -1), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_i64(o, f, INT64_MIN), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(getu(o, f), hi); /* unchanged */
}

static void test_unsigned_ranges(void) {
    slots_type *t = def("a: u8, b: u16, c: u32, d: u64");
    slots_obj o = make(t);
    check_unsigned(o, 0, UINT8_MAX);
    check_unsigned(o, 1, UINT16_MAX);
    check_unsigned(o, 2, UINT32_MAX);
    check_unsigned(o, 3, UINT64_MAX);
    /* u64 above INT64_MAX does not read as i64 */
    int64_t v = 77;
    ASSERT_OK(slots_set_u64(o, 3, (uint64_t)INT64_MAX + 1));
    ASSERT_STATUS(slots_get_i64(o, 3, &v), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(v, 77);
    ASSERT_OK(slots_set_u64(o, 3, (uint64_t)INT64_MAX));
    CU_ASSERT_EQUAL(geti(o, 3), INT64_MAX);
    ASSERT_OK(slots_free(o));
}

static void test_range_message(void) {
    slots_type *t = def("x: u8, y: i8");
    slots_obj o = make(t);
    ASSERT_OK(slots_set_i64(o, 0, 7));
    ASSERT_STATUS(slots_set_i64(o, 0, 300), SLOTS_ERANGE);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "value 300 out of range for field 'x' (u8)");
    CU_ASSERT_EQUAL(geti(o, 0), 7);
    ASSERT_STATUS(slots_set_i64(o, 1, -129), SLOTS_ERANGE);
    ASSERT_MSG("-129");
    ASSERT_MSG("'y'");
    ASSERT_MSG("(i8)");
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0); /* still unset */
    ASSERT_OK(slots_free(o));
}

/* ---- floats ----------------------------------------------------------------------------------- */

static void test_floats(void) {
    slots_type *t = def("f: f32, d: f64, i: i64");
    slots_obj o = make(t);
    ASSERT_OK(slots_set_f64(o, 1, 0.1));
    CU_ASSERT_EQUAL(getf(o, 1), 0.1);
    ASSERT_OK(slots_set_f64(o, 1, DBL_MAX));
    CU_ASSERT_EQUAL(getf(o, 1), DBL_MAX);
    ASSERT_OK(slots_set_f64(o, 1, -INFINITY));
    CU_ASSERT_TRUE(isinf(getf(o, 1)));
    ASSERT_OK(slots_set_f64(o, 1, NAN));
    CU_ASSERT_TRUE(isnan(getf(o, 1)));
    ASSERT_OK(slots_set_f64(o, 1, -0.0));
    CU_ASSERT_TRUE(signbit(getf(o, 1)));

    /* f32 keeps float precision and range */
    ASSERT_OK(slots_set_f64(o, 0, 0.1));
    CU_ASSERT_EQUAL(getf(o, 0), (double)0.1f);
    ASSERT_OK(slots_set_f64(o, 0, FLT_MAX));
    CU_ASSERT_EQUAL(getf(o, 0), (double)FLT_MAX);
    ASSERT_OK(slots_set_f64(o, 0, -FLT_MAX));
    ASSERT_STATUS(slots_set_f64(o, 0, 1e39), SLOTS_ERANGE);
    ASSERT_MSG("'f'");
    ASSERT_STATUS(slots_set_f64(o, 0, -1e39), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_f64(o, 0, DBL_MAX), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(getf(o, 0), -(double)FLT_MAX); /* unchanged */
    ASSERT_OK(slots_set_f64(o, 0, INFINITY)); /* infinities are not "finite values beyond range" */
    CU_ASSERT_TRUE(isinf(getf(o, 0)) && getf(o, 0) > 0);
    ASSERT_OK(slots_set_f64(o, 0, NAN));
    CU_ASSERT_TRUE(isnan(getf(o, 0)));

    /* integer setters serve float fields */
    ASSERT_OK(slots_set_i64(o, 1, -42));
    CU_ASSERT_EQUAL(getf(o, 1), -42.0);
    ASSERT_OK(slots_set_u64(o, 1, 1ull << 60));
    CU_ASSERT_EQUAL(getf(o, 1), 1152921504606846976.0);
    ASSERT_OK(slots_set_i64(o, 0, 3));
    CU_ASSERT_EQUAL(getf(o, 0), 3.0);
    ASSERT_OK(slots_set_u64(o, 0, 16777216));
    CU_ASSERT_EQUAL(getf(o, 0), 16777216.0);

    /* but floats do not go into or come out of integer fields */
    ASSERT_OK(slots_set_i64(o, 2, 5));
    ASSERT_STATUS(slots_set_f64(o, 2, 1.0), SLOTS_ETYPE);
    double d = 77;
    ASSERT_STATUS(slots_get_f64(o, 2, &d), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(d, 77);
    int64_t i = 77;
    ASSERT_STATUS(slots_get_i64(o, 1, &i), SLOTS_ETYPE);
    uint64_t u = 77;
    ASSERT_STATUS(slots_get_u64(o, 0, &u), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(i, 77);
    CU_ASSERT_EQUAL(u, 77);
    CU_ASSERT_EQUAL(geti(o, 2), 5);
    ASSERT_OK(slots_free(o));
}

/* ---- bool and kind mismatches ---------------------------------------------------------------- */

static void test_bool(void) {
    slots_type *t = def("b: bool, i: i64");
    slots_obj o = make(t);
    int v = 77;
    ASSERT_OK(slots_set_bool(o, 0, 1));
    ASSERT_OK(slots_get_bool(o, 0, &v));
    CU_ASSERT_EQUAL(v, 1);
    ASSERT_OK(slots_set_bool(o, 0, 0));
    ASSERT_OK(slots_get_bool(o, 0, &v));
    CU_ASSERT_EQUAL(v, 0);
    int rc = slots_set_bool(o, 0, 5);
    if (rc == SLOTS_OK) {
        ASSERT_OK(slots_get_bool(o, 0, &v));
        CU_ASSERT_EQUAL(v, 1); /* read as 0/1 */
    } else {
        CU_ASSERT_TRUE(rc == SLOTS_ERANGE || rc == SLOTS_EINVAL);
    }
    ASSERT_STATUS(slots_set_bool(o, 1, 1), SLOTS_ETYPE); /* set_bool serves bool only */
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0);
    ASSERT_OK(slots_set_i64(o, 1, 1));
    v = 77;
    ASSERT_STATUS(slots_get_bool(o, 1, &v), SLOTS_ETYPE); /* get_bool reads bool only */
    CU_ASSERT_EQUAL(v, 77);
    ASSERT_STATUS(slots_set_f64(o, 0, 1.0), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_str(o, 0, "true", 4), SLOTS_ETYPE);
    ASSERT_OK(slots_free(o));
}

static void test_wrong_kinds(void) {
    slots_type *t = def("i: i64, s: str, y: bytes, r: ref, f: f64, b: bool");
    slots_obj o = make(t), other = make(t);
    ASSERT_OK(slots_set_i64(o, 0, 1));
    ASSERT_OK(slots_set_str(o, 1, "s", 1));
    ASSERT_OK(slots_set_bytes(o, 2, "y", 1));
    ASSERT_OK(slots_set_ref(o, 3, other));
    ASSERT_OK(slots_set_f64(o, 4, 1.0));
    ASSERT_OK(slots_set_bool(o, 5, 1));
    const char *s = "u";
    const void *p = "u";
    size_t n = 77;
    slots_obj r = 77;
    int64_t i = 77;

    ASSERT_STATUS(slots_set_str(o, 0, "1", 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_bytes(o, 0, "1", 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_ref(o, 0, other), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_str(o, 0, &s, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_ref(o, 0, &r), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_i64(o, 1, 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_u64(o, 1, 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_bytes(o, 1, "b", 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_i64(o, 1, &i), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_bytes(o, 1, &p, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_str(o, 2, "s", 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_str(o, 2, &s, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_i64(o, 3, 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_u64(o, 3, other), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_i64(o, 3, &i), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_str(o, 3, &s, &n), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_str(o, 4, "1.0", 3), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_ref(o, 4, other), SLOTS_ETYPE);
    ASSERT_STATUS(slots_get_ref(o, 5, &r), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ETYPE);
    CU_ASSERT_STRING_EQUAL(s, "u");
    CU_ASSERT_STRING_EQUAL((const char *)p, "u");
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_EQUAL(r, 77);
    CU_ASSERT_EQUAL(i, 77);
    /* nothing changed */
    CU_ASSERT_EQUAL(geti(o, 0), 1);
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_TRUE(n == 1 && s[0] == 's');
    ASSERT_OK(slots_get_bytes(o, 2, &p, &n));
    CU_ASSERT_TRUE(n == 1 && ((const char *)p)[0] == 'y');
    ASSERT_OK(slots_get_ref(o, 3, &r));
    CU_ASSERT_EQUAL(r, other);
    CU_ASSERT_EQUAL(getf(o, 4), 1.0);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(other));
}

static void test_integer_getters_read_every_integer_kind(void) {
    slots_type *t = def("a: i8, b: i16, c: i32, d: u8, e: u16, f: u32, g: u64");
    slots_obj o = make(t);
    ASSERT_OK(slots_set_i64(o, 0, -7));
    ASSERT_OK(slots_set_i64(o, 1, -300));
    ASSERT_OK(slots_set_i64(o, 2, -70000));
    ASSERT_OK(slots_set_u64(o, 3, 200));
    ASSERT_OK(slots_set_u64(o, 4, 60000));
    ASSERT_OK(slots_set_u64(o, 5, 4000000000u));
    ASSERT_OK(slots_set_u64(o, 6, 5));
    CU_ASSERT_EQUAL(geti(o, 0), -7);
    CU_ASSERT_EQUAL(geti(o, 1), -300);
    CU_ASSERT_EQUAL(geti(o, 2), -70000);
    CU_ASSERT_EQUAL(geti(o, 3), 200);
    CU_ASSERT_EQUAL(geti(o, 4), 60000);
    CU_ASSERT_EQUAL(geti(o, 5), 4000000000);
    CU_ASSERT_EQUAL(geti(o, 6), 5);
    CU_ASSERT_EQUAL(getu(o, 3), 200);
    CU_ASSERT_EQUAL(getu(o, 5), 4000000000u);
    uint64_t u = 77;
    ASSERT_STATUS(slots_get_u64(o, 0, &u), SLOTS_ERANGE);
    ASSERT_STATUS(slots_get_u64(o, 2, &u), SLOTS_ERANGE);
    CU_ASSERT_EQUAL(u, 77);
    ASSERT_OK(slots_free(o));
}

/* ---- unset, null, del, is_set ------------------------------------------------------------------ */

static void test_unset_read_message(void) {
    slots_type *t = def_named("Product", "id: i64, name: str, price: f64, ok: bool, r: ref, u: u64, y: bytes", 0);
    slots_obj o = make(t);
    double d = 77;
    ASSERT_STATUS(slots_get_f64(o, 2, &d), SLOTS_EUNSET);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'price'");
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EUNSET);
    CU_ASSERT_EQUAL(d, 77);
    int64_t i = 77;
    ASSERT_STATUS(slots_get_i64(o, 0, &i), SLOTS_EUNSET);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'id'");
    const char *s = "u";
    size_t n = 77;
    ASSERT_STATUS(slots_get_str(o, 1, &s, &n), SLOTS_EUNSET);
    int b = 77;
    ASSERT_STATUS(slots_get_bool(o, 3, &b), SLOTS_EUNSET);
    slots_obj r = 77;
    ASSERT_STATUS(slots_get_ref(o, 4, &r), SLOTS_EUNSET);
    uint64_t u = 77;
    ASSERT_STATUS(slots_get_u64(o, 5, &u), SLOTS_EUNSET);
    const void *p = "u";
    ASSERT_STATUS(slots_get_bytes(o, 6, &p, &n), SLOTS_EUNSET);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'y'");
    CU_ASSERT_EQUAL(i, 77);
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_EQUAL(b, 77);
    CU_ASSERT_EQUAL(r, 77);
    CU_ASSERT_EQUAL(u, 77);
    /* a success does not clear the message */
    ASSERT_OK(slots_set_f64(o, 2, 1.0));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EUNSET);
    ASSERT_OK(slots_free(o));
}

static void test_null(void) {
    slots_type *t = def("i: i64 optional, s: str optional, f: f64 optional, b: bool optional,"
                        " r: ref optional, y: bytes optional, u: u8 optional, plain: i64, ps: str");
    slots_obj o = make(t);
    for (int f = 0; f < 7; f++) {
        ASSERT_OK(slots_set_null(o, f));
        CU_ASSERT_EQUAL(slots_is_set(o, f), 1);
    }
    int64_t i = 77;
    uint64_t u = 77;
    double d = 77;
    int b = 77;
    slots_obj r = 77;
    const char *s = "u";
    const void *p = "u";
    size_t n = 77;
    ASSERT_STATUS(slots_get_i64(o, 0, &i), SLOTS_NULL);
    ASSERT_STATUS(slots_get_str(o, 1, &s, &n), SLOTS_NULL);
    ASSERT_STATUS(slots_get_f64(o, 2, &d), SLOTS_NULL);
    ASSERT_STATUS(slots_get_bool(o, 3, &b), SLOTS_NULL);
    ASSERT_STATUS(slots_get_ref(o, 4, &r), SLOTS_NULL);
    ASSERT_STATUS(slots_get_bytes(o, 5, &p, &n), SLOTS_NULL);
    ASSERT_STATUS(slots_get_u64(o, 6, &u), SLOTS_NULL);
    CU_ASSERT_EQUAL(i, 77);
    CU_ASSERT_EQUAL(u, 77);
    CU_ASSERT_EQUAL(d, 77);
    CU_ASSERT_EQUAL(b, 77);
    CU_ASSERT_EQUAL(r, 77);
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_STRING_EQUAL(s, "u");
    CU_ASSERT_STRING_EQUAL((const char *)p, "u");
    /* a value replaces null and null replaces a value */
    ASSERT_OK(slots_set_i64(o, 0, 3));
    CU_ASSERT_EQUAL(geti(o, 0), 3);
    ASSERT_OK(slots_set_str(o, 1, "a string long enough to be stored out of line", 45));
    ASSERT_OK(slots_set_null(o, 1));
    ASSERT_STATUS(slots_get_str(o, 1, &s, &n), SLOTS_NULL);
    /* del returns a null field to unset */
    ASSERT_OK(slots_del(o, 2));
    CU_ASSERT_EQUAL(slots_is_set(o, 2), 0);
    ASSERT_STATUS(slots_get_f64(o, 2, &d), SLOTS_EUNSET);
    /* not optional */
    ASSERT_OK(slots_set_i64(o, 7, 9));
    ASSERT_STATUS(slots_set_null(o, 7), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(geti(o, 7), 9);
    ASSERT_STATUS(slots_set_null(o, 8), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(slots_is_set(o, 8), 0);
    ASSERT_STATUS(slots_set_null(o, 9), SLOTS_EINVAL);
    ASSERT_STATUS(slots_set_null(o, -1), SLOTS_EINVAL);
    ASSERT_OK(slots_free(o));
}

static void test_del_and_is_set(void) {
    slots_type *t = def("a: i64, s: str, ro: i64 readonly, d: f64 = 1.5");
    slots_obj o = make(t);
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    CU_ASSERT_EQUAL(slots_is_set(o, 3), 1);
    ASSERT_STATUS(slots_del(o, 0), SLOTS_EUNSET);
    ASSERT_OK(slots_set_i64(o, 0, 4));
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 1);
    ASSERT_OK(slots_del(o, 0));
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    int64_t v = 77;
    ASSERT_STATUS(slots_get_i64(o, 0, &v), SLOTS_EUNSET);
    ASSERT_STATUS(slots_del(o, 0), SLOTS_EUNSET);
    ASSERT_OK(slots_set_i64(o, 0, 5)); /* can be set again */
    CU_ASSERT_EQUAL(geti(o, 0), 5);
    ASSERT_OK(slots_set_str(o, 1, "a string long enough to be stored out of line", 45));
    ASSERT_OK(slots_del(o, 1));
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0);
    ASSERT_OK(slots_del(o, 3)); /* a defaulted field can be deleted; fill_defaults restores it */
    CU_ASSERT_EQUAL(slots_is_set(o, 3), 0);
    ASSERT_OK(slots_fill_defaults(o));
    CU_ASSERT_EQUAL(getf(o, 3), 1.5);
    /* readonly: unset deletes as EUNSET, set refuses */
    ASSERT_STATUS(slots_del(o, 2), SLOTS_EUNSET);
    ASSERT_OK(slots_set_i64(o, 2, 1));
    ASSERT_STATUS(slots_del(o, 2), SLOTS_EREADONLY);
    CU_ASSERT_EQUAL(geti(o, 2), 1);
    /* bad indices */
    ASSERT_STATUS(slots_del(o, 4), SLOTS_EINVAL);
    ASSERT_STATUS(slots_del(o, -1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_is_set(o, 4), SLOTS_EINVAL);
    ASSERT_STATUS(slots_is_set(o, -1), SLOTS_EINVAL);
    ASSERT_OK(slots_free(o));
}

static void test_bad_indices(void) {
    slots_type *t = def("a: i64, s: str");
    slots_obj o = make(t), other = make(t);
    int bad[] = {-1, 2, 100, INT32_MIN};
    for (int k = 0; k < 4; k++) {
        int f = bad[k];
        int64_t i = 77;
        uint64_t u = 77;
        double d = 77;
        int b = 77;
        slots_obj r = 77;
        const char *s = "u";
        const void *p = "u";
        size_t n = 77;
        ASSERT_STATUS(slots_set_bool(o, f, 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_bool(o, f, &b), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_i64(o, f, 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_i64(o, f, &i), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_u64(o, f, 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_u64(o, f, &u), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_f64(o, f, 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_f64(o, f, &d), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_str(o, f, "x", 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_str(o, f, &s, &n), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_bytes(o, f, "x", 1), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_bytes(o, f, &p, &n), SLOTS_EINVAL);
        ASSERT_STATUS(slots_set_ref(o, f, other), SLOTS_EINVAL);
        ASSERT_STATUS(slots_get_ref(o, f, &r), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_TRUE(i == 77 && u == 77 && d == 77 && b == 77 && r == 77 && n == 77);
    }
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(other));
}

/* ---- readonly and frozen ----------------------------------------------------------------------- */

static void test_readonly(void) {
    slots_type *t = def("id: u8 readonly, name: str readonly, o: i64 optional readonly");
    slots_obj o = make(t);
    ASSERT_STATUS(slots_set_i64(o, 0, 300), SLOTS_ERANGE); /* a refused set does not use up the once */
    ASSERT_OK(slots_set_i64(o, 0, 5));
    ASSERT_STATUS(slots_set_i64(o, 0, 6), SLOTS_EREADONLY);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_u64(o, 0, 5), SLOTS_EREADONLY); /* even to the same value */
    CU_ASSERT_EQUAL(geti(o, 0), 5);
    ASSERT_OK(slots_set_str(o, 1, "first", 5));
    ASSERT_STATUS(slots_set_str(o, 1, "second", 6), SLOTS_EREADONLY);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_TRUE(n == 5 && memcmp(s, "first", 5) == 0);
    ASSERT_OK(slots_set_null(o, 2));
    ASSERT_STATUS(slots_set_i64(o, 2, 1), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_null(o, 2), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_del(o, 2), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_del(o, 1), SLOTS_EREADONLY);
    CU_ASSERT_EQUAL(slots_is_set(o, 2), 1);
    ASSERT_OK(slots_free(o));
}

static void test_frozen(void) {
    slots_type *t = def_named(unique_name("Frozen"), "a: i64, s: str, d: f64 = 2.0, o: i64 optional", SLOTS_FROZEN);
    slots_obj o = 0;
    ASSERT_OK(slots_new_blank(t, &o));
    ASSERT_OK(slots_set_i64(o, 0, 1));
    ASSERT_OK(slots_set_str(o, 1, "x", 1));
    ASSERT_OK(slots_set_null(o, 3));
    ASSERT_OK(slots_fill_defaults(o));
    ASSERT_STATUS(slots_set_i64(o, 0, 2), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_str(o, 1, "y", 1), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_f64(o, 2, 3.0), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_i64(o, 3, 1), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_del(o, 0), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_del(o, 3), SLOTS_EREADONLY);
    CU_ASSERT_EQUAL(geti(o, 0), 1);
    CU_ASSERT_EQUAL(getf(o, 2), 2.0);
    slots_obj n = make(t);
    ASSERT_STATUS(slots_set_f64(n, 2, 3.0), SLOTS_EREADONLY); /* the default counts as the one set */
    ASSERT_OK(slots_set_i64(n, 0, 1));                       /* an unset field still takes one value */
    ASSERT_STATUS(slots_set_i64(n, 0, 1), SLOTS_EREADONLY);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(n));
}

/* ---- strings and bytes ------------------------------------------------------------------------- */

static void check_str(slots_obj o, int f, const char *want, size_t want_len) {
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, f, &s, &n));
    CU_ASSERT_EQUAL(n, want_len);
    if (s && n == want_len) CU_ASSERT_EQUAL(memcmp(s, want, n), 0);
}

static void test_string_lengths(void) {
    slots_type *t = def("s: str, y: bytes, n: i64");
    slots_obj o = make(t);
    size_t lens[] = {0, 1, 7, 15, 16, 22, 23, 24, 25, 31, 32, 100, 4096, 1 << 20};
    char *buf = malloc((1 << 20) + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        for (size_t i = 0; i < len; i++) buf[i] = (char)('a' + (i * 7 + k) % 26);
        buf[len] = '!';
        ASSERT_OK(slots_set_str(o, 0, buf, len));
        ASSERT_OK(slots_set_bytes(o, 1, buf, len));
        ASSERT_OK(slots_set_i64(o, 2, (int64_t)len)); /* a neighbouring write leaves the string */
        char first = len ? buf[0] : 0;
        if (len) buf[0] = '#'; /* the record holds its own copy */
        const char *s = NULL;
        size_t n = 0;
        ASSERT_OK(slots_get_str(o, 0, &s, &n));
        CU_ASSERT_EQUAL(n, len);
        if (len) buf[0] = first;
        if (n == len) CU_ASSERT_EQUAL(memcmp(s, buf, len), 0);
        const void *p = NULL;
        ASSERT_OK(slots_get_bytes(o, 1, &p, &n));
        CU_ASSERT_EQUAL(n, len);
        if (n == len) CU_ASSERT_EQUAL(memcmp(p, buf, len), 0);
        /* reading again gives the same bytes */
        const char *s2 = NULL;
        ASSERT_OK(slots_get_str(o, 0, &s2, &n));
        CU_ASSERT_EQUAL(n, len);
        if (n == len) CU_ASSERT_EQUAL(memcmp(s2, buf, len), 0);
    }
    /* long -> short -> long -> empty, in place */
    check_str(o, 0, buf, 1 << 20);
    ASSERT_OK(slots_set_str(o, 0, "tiny", 4));
    check_str(o, 0, "tiny", 4);
    ASSERT_OK(slots_set_str(o, 0, "exactly twenty-three b.", 23));
    check_str(o, 0, "exactly twenty-three b.", 23);
    ASSERT_OK(slots_set_str(o, 0, "exactly twenty-four by..", 24));
    check_str(o, 0, "exactly twenty-four by..", 24);
    ASSERT_OK(slots_set_str(o, 0, "", 0));
    check_str(o, 0, "", 0);
    ASSERT_OK(slots_set_str(o, 0, NULL, 0)); /* NULL with length 0 is the empty string */
    check_str(o, 0, "", 0);
    ASSERT_OK(slots_set_bytes(o, 1, NULL, 0));
    free(buf);
    ASSERT_OK(slots_free(o));
}

/* A text getter hands out a copy that stays valid until the thread's next call has returned, so it
 * can be passed straight into that call, whatever that call reads itself. */
static void test_string_pointers_per_record(void) {
    slots_type *t = def("a: str, b: str");
    slots_obj x = make(t), y = make(t);
    const char *long_x = "a long string for record x, out of line";
    ASSERT_OK(slots_set_str(x, 0, "short x", 7));
    ASSERT_OK(slots_set_str(y, 0, "short y", 7));
    ASSERT_OK(slots_set_str(x, 1, long_x, 39));
    ASSERT_OK(slots_set_str(y, 1, "a long string for record y, out of line", 39));
    const char *xa, *xb, *yb;
    size_t n;
    ASSERT_OK(slots_get_str(x, 1, &xb, &n));
    ASSERT_OK(slots_set_str(x, 1, xb, 39)); /* setting a field from its own current value */
    check_str(x, 1, long_x, 39);
    ASSERT_OK(slots_get_str(x, 1, &xb, &n));
    ASSERT_OK(slots_get_str(y, 1, &yb, &n)); /* a call that reads text: xb still holds */
    CU_ASSERT_EQUAL(memcmp(xb, long_x, 39), 0);
    CU_ASSERT_EQUAL(memcmp(yb, "a long string for record y, out of line", 39), 0);
    ASSERT_OK(slots_set_str(y, 0, yb, 39)); /* field b of y into field a of y */
    check_str(y, 0, "a long string for record y, out of line", 39);
    ASSERT_OK(slots_get_str(x, 0, &xa, &n));
    ASSERT_OK(slots_set_str(x, 0, xa + 2, 5)); /* an inline value from its own bytes */
    check_str(x, 0, "ort x", 5);
    /* the copy does not change when the field does */
    ASSERT_OK(slots_get_str(x, 0, &xa, &n));
    ASSERT_OK(slots_set_str(x, 0, "other", 5));
    CU_ASSERT_EQUAL(memcmp(xa, "ort x", 5), 0);
    ASSERT_OK(slots_free(x));
    ASSERT_OK(slots_free(y));
}

#define S(lit) {lit, sizeof lit - 1}
static void test_utf8(void) {
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        S("\xff"),             S("\x80"),             S("abc\xc3"),          /* truncated */
        S("\xc3\x28"),         S("\xc0\x80"),         S("\xc1\xbf"),         /* overlong */
        S("\xe0\x80\x80"),     S("\xed\xa0\x80"),     S("\xed\xbf\xbf"),     /* surrogates */
        S("\xf4\x90\x80\x80"), S("\xf5\x80\x80\x80"), S("\xf0\x80\x80\x80"), /* > U+10FFFF, overlong */
        S("\xe2\x82"),         S("ok\xfe"),
        S("a long prefix that is out of line \xff"),
    };
    static const struct {
        const char *s;
        size_t n;
    } good[] = {
        S("plain"), S("\xc3\xa9"), S("\xe2\x82\xac"), S("\xf0\x9f\x98\x80"),
        S("\xf4\x8f\xbf\xbf"), S("a\0b"), S("\xed\x9f\xbf"), S("\xee\x80\x80"),
        S("\x7f"),
    };
    slots_type *t = def("s: str, y: bytes");
    slots_obj o = make(t);
    ASSERT_OK(slots_set_str(o, 0, "before", 6));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = slots_set_str(o, 0, bad[i].s, bad[i].n);
        if (rc != SLOTS_EINVAL) fprintf(stderr, "\n  bad UTF-8 #%zu gave %d\n", i, rc);
        CU_ASSERT_EQUAL(rc, SLOTS_EINVAL);
        check_str(o, 0, "before", 6);
        ASSERT_OK(slots_set_bytes(o, 1, bad[i].s, bad[i].n)); /* bytes take anything */
        const void *p = NULL;
        size_t n = 0;
        ASSERT_OK(slots_get_bytes(o, 1, &p, &n));
        CU_ASSERT_TRUE(n == bad[i].n && memcmp(p, bad[i].s, n) == 0);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int rc = slots_set_str(o, 0, good[i].s, good[i].n);
        if (rc != SLOTS_OK) fprintf(stderr, "\n  good UTF-8 #%zu gave %d\n", i, rc);
        CU_ASSERT_EQUAL(rc, SLOTS_OK);
        check_str(o, 0, good[i].s, good[i].n);
    }
    /* only `len` bytes are read: a bad byte just past the end does not count */
    ASSERT_OK(slots_set_str(o, 0, "ok\xff", 2));
    check_str(o, 0, "ok", 2);
    ASSERT_STATUS(slots_set_str(o, 0, NULL, 3), SLOTS_EINVAL);
    ASSERT_STATUS(slots_set_bytes(o, 1, NULL, 3), SLOTS_EINVAL);
    check_str(o, 0, "ok", 2);
    ASSERT_OK(slots_set_str(o, 0, "8 bytes!\xff", 8)); /* eight ASCII bytes are checked at once */
    /* after runs of ASCII, and across 8-byte boundaries, the bad byte's offset is exact */
    ASSERT_STATUS(slots_set_str(o, 0, "abcdefgh\xff", 9), SLOTS_EINVAL);
    ASSERT_MSG("at byte 8");
    ASSERT_STATUS(slots_set_str(o, 0, "abcdefghij\xffklmnopqrstuv", 22), SLOTS_EINVAL); /* inside a word */
    ASSERT_MSG("at byte 10");
    ASSERT_STATUS(slots_set_str(o, 0, "abcdefghijklmnopq\xc3\x28", 19), SLOTS_EINVAL);
    ASSERT_MSG("at byte 17");
    ASSERT_OK(slots_set_str(o, 0, "abcdefg\xc3\xa9hijklmnop\xe2\x82\xacqrstuvw", 28));
    check_str(o, 0, "abcdefg\xc3\xa9hijklmnop\xe2\x82\xacqrstuvw", 28);
    ASSERT_OK(slots_free(o));
}

/* ---- refs ------------------------------------------------------------------------------------- */

static void test_refs(void) {
    const char *node_name = unique_name("Node");
    char nn[64], fields[160];
    snprintf(nn, sizeof nn, "%s", node_name);
    snprintf(fields, sizeof fields, "v: i64, next: ref %s optional, any: ref", nn);
    slots_type *node = def_named(nn, fields, 0);
    slots_type *other = def("x: i64");
    slots_obj a = make(node), b = make(node), x = make(other), got = 0;
    ASSERT_OK(slots_set_ref(a, 1, b));
    ASSERT_OK(slots_get_ref(a, 1, &got));
    CU_ASSERT_EQUAL(got, b);
    ASSERT_OK(slots_set_ref(a, 2, x)); /* untyped: any record */
    ASSERT_OK(slots_get_ref(a, 2, &got));
    CU_ASSERT_EQUAL(got, x);
    ASSERT_STATUS(slots_set_ref(a, 1, x), SLOTS_ETYPE);
    ASSERT_OK(slots_get_ref(a, 1, &got));
    CU_ASSERT_EQUAL(got, b); /* unchanged */
    ASSERT_STATUS(slots_set_ref(a, 1, 0), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_ref(a, 2, 0x1234567890ull), SLOTS_ESTALE);
    /* a freed target is refused when set ... */
    slots_obj dead = make(node);
    ASSERT_OK(slots_free(dead));
    ASSERT_STATUS(slots_set_ref(a, 1, dead), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_ref(b, 2, dead), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(slots_is_set(b, 2), 0);
    /* ... and found out on use when it dies later */
    ASSERT_OK(slots_free(b));
    ASSERT_OK(slots_get_ref(a, 1, &got));
    CU_ASSERT_EQUAL(got, b);
    int64_t v = 77;
    ASSERT_STATUS(slots_get_i64(got, 0, &v), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(v, 77);
    /* a ref to itself */
    ASSERT_OK(slots_set_ref(a, 1, a));
    ASSERT_OK(slots_get_ref(a, 1, &got));
    CU_ASSERT_EQUAL(got, a);
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(x));
}

/* ---- a refused call changes nothing ------------------------------------------------------------ */

static void test_failures_change_nothing(void) {
    slots_type *t = def("u: u8, s: str, f: f32, b: bool, r: ref");
    slots_obj o = make(t);
    ASSERT_OK(slots_set_u64(o, 0, 200));
    ASSERT_OK(slots_set_str(o, 1, "a string long enough to be stored out of line", 45));
    ASSERT_OK(slots_set_f64(o, 2, 1.5));
    ASSERT_OK(slots_set_bool(o, 3, 1));
    uint64_t h0 = 0, h1 = 0;
    ASSERT_OK(slots_hash(o, &h0));
    slots_obj c = 0;
    ASSERT_OK(slots_copy(o, &c));

    ASSERT_STATUS(slots_set_u64(o, 0, 256), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_i64(o, 0, -1), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_f64(o, 0, 1.0), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_str(o, 1, "\xff\xfe", 2), SLOTS_EINVAL);
    ASSERT_STATUS(slots_set_i64(o, 1, 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_f64(o, 2, 1e300), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_bool(o, 2, 1), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_null(o, 3), SLOTS_ETYPE);
    ASSERT_STATUS(slots_set_ref(o, 4, 0), SLOTS_ESTALE);
    ASSERT_STATUS(slots_set_null(o, 4), SLOTS_ETYPE);
    ASSERT_STATUS(slots_del(o, 4), SLOTS_EUNSET);
    ASSERT_OK(slots_hash(o, &h1));
    CU_ASSERT_EQUAL(h0, h1);
    CU_ASSERT_EQUAL(slots_equal(o, c), 1);
    CU_ASSERT_EQUAL(getu(o, 0), 200);
    CU_ASSERT_EQUAL(getf(o, 2), 1.5);
    CU_ASSERT_EQUAL(slots_is_set(o, 4), 0);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(c));
}

/* A typed ref keeps the type its name meant when the field was defined: redefining the name
 * must neither lock out records of the old type nor let the new one in. */
static void test_ref_survives_redefinition(void) {
    const char *name = unique_name("Node");
    slots_type *a = NULL, *b = NULL;
    char fields[128];
    snprintf(fields, sizeof fields, "v: i64, nxt: ref %s optional", name);
    ASSERT_OK(slots_type_define(name, fields, NULL, 0, &a));
    ASSERT_OK(slots_type_define(name, fields, NULL, 0, &b));
    slots_obj a1 = 0, a2 = 0, b1 = 0;
    ASSERT_OK(slots_new(a, &a1));
    ASSERT_OK(slots_new(a, &a2));
    ASSERT_OK(slots_new(b, &b1));
    ASSERT_OK(slots_set_ref(a1, 1, a2));
    ASSERT_STATUS(slots_set_ref(a1, 1, b1), SLOTS_ETYPE);
    ASSERT_OK(slots_set_ref(b1, 1, b1));
    ASSERT_STATUS(slots_set_ref(b1, 1, a1), SLOTS_ETYPE);
    slots_free(a1), slots_free(a2), slots_free(b1);
}

static CU_TestInfo tests[] = {
    {"signed ranges", test_signed_ranges},
    {"unsigned ranges", test_unsigned_ranges},
    {"range message", test_range_message},
    {"floats", test_floats},
    {"bool", test_bool},
    {"wrong kinds", test_wrong_kinds},
    {"integer getters read every integer kind", test_integer_getters_read_every_integer_kind},
    {"unset read message", test_unset_read_message},
    {"null", test_null},
    {"del and is_set", test_del_and_is_set},
    {"bad indices", test_bad_indices},
    {"readonly", test_readonly},
    {"frozen", test_frozen},
    {"string lengths", test_string_lengths},
    {"string pointers per record", test_string_pointers_per_record},
    {"utf8", test_utf8},
    {"refs", test_refs},
    {"failures change nothing", test_failures_change_nothing},
    {"ref survives redefinition", test_ref_survives_redefinition},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("access", tests); }
