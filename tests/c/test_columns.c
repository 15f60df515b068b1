/*
 * test_columns.c — columns and aggregates (column.c): a numeric field of every live record, in
 * position order, copied out and back in (all or nothing), and count / sum / min / max in C,
 * over stores that span several slabs and have holes, with unset and null cells, every kind.
 */
#include "harness.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS 1000 /* several slabs (64, 128, 256, 512, ...) */

static slots_store *store_of(const char *fields, slots_type **type) {
    slots_type *t;
    slots_store *s;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Col"), fields, NULL, 0, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    if (type) *type = t;
    return s;
}

/* ROWS records: id i, price i + 0.5 (unset when i % 10 == 9), qty i % 7 (null when i % 10 == 8),
 * flag i % 2; then every third record removed. Returns how many remain. */
static size_t fill(slots_store *s) {
    slots_obj keep[ROWS];
    for (int i = 0; i < ROWS; i++) {
        ASSERT_OK(slots_store_append(s, &keep[i]));
        ASSERT_OK(slots_set_i64(keep[i], 0, i));
        if (i % 10 != 9) ASSERT_OK(slots_set_f64(keep[i], 1, i + 0.5));
        ASSERT_OK(i % 10 == 8 ? slots_set_null(keep[i], 2) : slots_set_i64(keep[i], 2, i % 7));
        ASSERT_OK(slots_set_bool(keep[i], 3, i % 2));
    }
    size_t left = ROWS;
    for (int i = 0; i < ROWS; i += 3, left--) ASSERT_OK(slots_store_remove(s, keep[i]));
    return left;
}

static const char *FIELDS = "id: i64 key, price: f64, qty: i32 optional, flag: bool";

static void test_read_columns(void) {
    slots_store *s = store_of(FIELDS, NULL);
    size_t n = fill(s), count = 0, k = 0;
    double *price = malloc(n * sizeof *price);
    int32_t *qty = malloc(n * sizeof *qty);
    int8_t *flag = malloc(n);
    ASSERT_OK(slots_store_column_read(s, 1, price, n * sizeof *price, &count));
    CU_ASSERT_EQUAL(count, n);
    ASSERT_OK(slots_store_column_read(s, 2, qty, n * sizeof *qty, NULL));
    ASSERT_OK(slots_store_column_read(s, 3, flag, n, NULL));
    for (int i = 0; i < ROWS; i++) { /* position order: the survivors, in slot order */
        if (i % 3 == 0) continue;
        CU_ASSERT_TRUE(i % 10 == 9 ? isnan(price[k]) : price[k] == i + 0.5);
        CU_ASSERT_EQUAL(qty[k], i % 10 == 8 ? 0 : i % 7);
        CU_ASSERT_EQUAL(flag[k], i % 2);
        k++;
    }
    CU_ASSERT_EQUAL(k, n);
    /* a buffer one value short, a str field, a bad index: refused */
    ASSERT_STATUS(slots_store_column_read(s, 1, price, (n - 1) * sizeof *price, NULL), SLOTS_EINVAL);
    ASSERT_MSG("too small");
    ASSERT_STATUS(slots_store_column_read(s, 1, NULL, 0, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_column_read(s, 9, price, n * sizeof *price, NULL), SLOTS_EINVAL);
    free(price);
    free(qty);
    free(flag);
    slots_store_drop(s);
}

static void test_aggregates(void) {
    slots_store *s = store_of(FIELDS, NULL);
    fill(s);
    double sum = 0, want_sum = 0, lo = 0, hi = 0;
    size_t count = 0, want = 0;
    int64_t isum = 0, want_isum = 0;
    for (int i = 0; i < ROWS; i++) {
        if (i % 3 == 0) continue;
        if (i % 10 != 9) want_sum += i + 0.5, want++;
        if (i % 10 != 8) want_isum += i % 7;
    }
    ASSERT_OK(slots_store_aggregate(s, 1, &count, &sum, &lo, &hi));
    CU_ASSERT_EQUAL(count, want); /* unset cells do not count */
    CU_ASSERT_DOUBLE_EQUAL(sum, want_sum, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(lo, 1.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(hi, 998.5, 0);
    ASSERT_OK(slots_store_sum_i64(s, 2, &isum)); /* nulls do not count */
    CU_ASSERT_EQUAL(isum, want_isum);
    ASSERT_OK(slots_store_aggregate(s, 2, &count, NULL, &lo, &hi));
    CU_ASSERT_TRUE(lo == 0 && hi == 6);
    ASSERT_STATUS(slots_store_sum_i64(s, 1, &isum), SLOTS_ETYPE); /* f64 */
    ASSERT_STATUS(slots_store_aggregate(s, 9, NULL, NULL, NULL, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_store_clear(s));
    ASSERT_OK(slots_store_aggregate(s, 1, &count, &sum, &lo, &hi)); /* empty: count 0, no min or max */
    CU_ASSERT_TRUE(count == 0 && sum == 0 && isnan(lo) && isnan(hi));
    slots_store_drop(s);
}

static void test_aggregate_edges(void) {
    slots_store *s = store_of("a: i64, b: f64, c: u64, d: str", NULL);
    slots_obj o;
    const int64_t big[] = {INT64_MAX, 1, -5};
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(slots_store_append(s, &o));
        ASSERT_OK(slots_set_i64(o, 0, big[i]));
        ASSERT_OK(slots_set_f64(o, 1, i == 1 ? NAN : 1.0));
        ASSERT_OK(slots_set_u64(o, 2, i == 0 ? UINT64_MAX : 1));
    }
    int64_t isum = 0;
    ASSERT_STATUS(slots_store_sum_i64(s, 0, &isum), SLOTS_ERANGE); /* INT64_MAX + 1 */
    ASSERT_STATUS(slots_store_sum_i64(s, 2, &isum), SLOTS_ERANGE); /* a u64 beyond i64 */
    double sum = 0, lo = 0, hi = 0;
    ASSERT_OK(slots_store_aggregate(s, 1, NULL, &sum, &lo, &hi));
    CU_ASSERT_TRUE(isnan(sum) && lo == 1.0 && hi == 1.0); /* NaN poisons the sum, not the bounds */
    ASSERT_OK(slots_store_aggregate(s, 2, NULL, NULL, NULL, &hi));
    CU_ASSERT_DOUBLE_EQUAL(hi, (double)UINT64_MAX, 0);
    ASSERT_STATUS(slots_store_aggregate(s, 3, NULL, NULL, NULL, NULL), SLOTS_ETYPE); /* str */
    ASSERT_MSG("not a numeric field");
    slots_store_drop(s);
}

static void test_write_column(void) {
    slots_store *s = store_of(FIELDS, NULL);
    size_t n = fill(s);
    double *price = malloc(n * sizeof *price), *back = malloc(n * sizeof *back);
    for (size_t k = 0; k < n; k++) price[k] = (double)k * 2;
    ASSERT_OK(slots_store_column_write(s, 1, price, n * sizeof *price));
    ASSERT_OK(slots_store_column_read(s, 1, back, n * sizeof *back, NULL));
    CU_ASSERT_EQUAL(memcmp(price, back, n * sizeof *price), 0);
    /* all or nothing: a value out of range for i32 near the end changes no cell */
    int64_t *wide = calloc(n, sizeof *wide);
    int32_t *qty = malloc(n * sizeof *qty), *qty_after = malloc(n * sizeof *qty);
    ASSERT_OK(slots_store_column_read(s, 2, qty, n * sizeof *qty, NULL));
    ASSERT_STATUS(slots_store_column_write(s, 2, wide, n * sizeof *wide), SLOTS_EINVAL); /* wrong size */
    int8_t *flags = calloc(n, 1);
    flags[n - 1] = 2; /* a bool that is neither 0 nor 1 */
    ASSERT_STATUS(slots_store_column_write(s, 3, flags, n), SLOTS_ERANGE);
    ASSERT_STATUS(slots_store_column_write(s, 0, wide, n * sizeof *wide), SLOTS_EINVAL); /* the key */
    ASSERT_OK(slots_store_column_read(s, 2, qty_after, n * sizeof *qty, NULL));
    CU_ASSERT_EQUAL(memcmp(qty, qty_after, n * sizeof *qty), 0);
    free(price);
    free(back);
    free(wide);
    free(qty);
    free(qty_after);
    free(flags);
    slots_store_drop(s);
}

/* Every numeric kind, optional: row i holds 0 (i % 3 == 0), null (1) or nothing (2), then every
 * fifth row is removed. The validity bits tell the real zeros from the rest; values read 0 / NaN. */
static const char *KINDS = "b: bool optional, i1: i8 optional, i2: i16 optional, i4: i32 optional, "
                           "i8: i64 optional, u1: u8 optional, u2: u16 optional, u4: u32 optional, "
                           "u8: u64 optional, f4: f32 optional, f8: f64 optional";
#define NKINDS 11
#define VROWS 151 /* three slabs; 121 records survive, so the last bitmap byte has spare bits */

static size_t fill_validity(slots_store *s, int want[VROWS]) {
    size_t n = 0;
    for (int i = 0; i < VROWS; i++) {
        slots_obj o;
        ASSERT_OK(slots_store_append(s, &o));
        for (int f = 0; f < NKINDS; f++) {
            int rc = SLOTS_OK;
            if (i % 3 == 1) rc = slots_set_null(o, f);
            if (i % 3 == 0) rc = f == 0 ? slots_set_bool(o, f, 0) : f >= 9 ? slots_set_f64(o, f, 0.0) : slots_set_i64(o, f, 0);
            ASSERT_OK(rc);
        }
        if (i % 5 == 4) {
            ASSERT_OK(slots_store_remove(s, o));
        } else {
            want[n++] = i % 3 == 0;
        }
    }
    return n;
}

static void test_validity_bitmap(void) {
    slots_type *t;
    slots_store *s = store_of(KINDS, &t);
    int want[VROWS];
    size_t n = fill_validity(s, want), nvalid = 0;
    for (size_t k = 0; k < n; k++) nvalid += (size_t)want[k];
    for (int f = 0; f < NKINDS; f++) {
        size_t size = (size_t)slots_field_size(t, f), count = 0, nulls = 0;
        unsigned char bits[VROWS / 8 + 2], *vals = malloc(n * size);
        memset(bits, 0xff, sizeof bits);
        ASSERT_OK(slots_store_column_read_validity(s, f, vals, n * size, bits, (n + 7) / 8, &count, &nulls));
        CU_ASSERT_EQUAL(count, n);
        CU_ASSERT_EQUAL(nulls, n - nvalid);
        for (size_t k = 0; k < n; k++) {
            CU_ASSERT_EQUAL((bits[k / 8] >> (k % 8)) & 1, want[k]);
            if (f >= 9) { /* f32, f64: a real 0 reads 0, the others NaN */
                bool nan = f == 9 ? isnan(((float *)(void *)vals)[k]) : isnan(((double *)(void *)vals)[k]);
                CU_ASSERT_EQUAL(nan, !want[k]);
            } else {
                for (size_t b = 0; b < size; b++) CU_ASSERT_EQUAL(vals[k * size + b], 0);
            }
        }
        if (n % 8) CU_ASSERT_EQUAL(bits[n / 8] >> (n % 8), 0); /* the last byte's spare bits are 0 */
        CU_ASSERT_EQUAL(bits[(n + 7) / 8], 0xff);     /* and nothing past it is written */
        /* the bits alone, or the counts alone */
        unsigned char again[VROWS / 8 + 2];
        ASSERT_OK(slots_store_column_read_validity(s, f, NULL, 0, again, sizeof again, NULL, NULL));
        CU_ASSERT_EQUAL(memcmp(again, bits, (n + 7) / 8), 0);
        nulls = 0;
        ASSERT_OK(slots_store_column_read_validity(s, f, NULL, 0, NULL, 0, &count, &nulls));
        CU_ASSERT_EQUAL(nulls, n - nvalid);
        free(vals);
    }
    /* a bitmap one byte short: refused, nothing written */
    unsigned char small[VROWS / 8 + 2];
    memset(small, 0xaa, sizeof small);
    size_t count = 7;
    ASSERT_STATUS(slots_store_column_read_validity(s, 0, NULL, 0, small, (n + 7) / 8 - 1, &count, NULL), SLOTS_EINVAL);
    ASSERT_MSG("validity bitmap of");
    CU_ASSERT_EQUAL(small[0], 0xaa);
    CU_ASSERT_EQUAL(count, 7);
    slots_store_drop(s);
    /* a str field has no column; an empty store reads nothing */
    s = store_of("id: i64, name: str", NULL);
    ASSERT_STATUS(slots_store_column_read_validity(s, 1, NULL, 0, small, sizeof small, NULL, NULL), SLOTS_ETYPE);
    ASSERT_OK(slots_store_column_read_validity(s, 0, NULL, 0, NULL, 0, &count, NULL));
    CU_ASSERT_EQUAL(count, 0);
    ASSERT_STATUS(slots_store_column_read_validity(NULL, 0, NULL, 0, NULL, 0, NULL, NULL), SLOTS_EINVAL);
    slots_store_drop(s);
}

static CU_TestInfo tests[] = {
    {"validity bitmap: null and unset apart from 0, every kind", test_validity_bitmap},
    {"read columns over slabs, holes, unset and null", test_read_columns},
    {"aggregates", test_aggregates},
    {"aggregate edges: overflow, NaN, u64, str", test_aggregate_edges},
    {"write a column, all or nothing", test_write_column},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("columns", tests); }
