/*
 * test_number.c — number_parse(): the RFC 8259 grammar edge by edge, integers to I64/U64 and their
 * range limits, Python's int()/float() spellings (number_parse_text), floats correctly rounded on both the fast path and the strtod path (stack and heap
 * copies), overflow to inf, that failures leave *out and the thread's message alone, and ENOMEM.
 */
#include "harness.h"
#include "base.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int parse(const char *text, value *v) { return number_parse(text, strlen(text), false, v); }

static void int_is(const char *text, int64_t want) {
    value v = {0};
    int rc = parse(text, &v);
    if (rc != SLOTS_OK || v.kind != SLOTS_I64 || v.as.i != want)
        fprintf(stderr, "\n  %s: rc %d kind %d i %lld\n", text, rc, v.kind, (long long)v.as.i);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(v.kind, SLOTS_I64);
    CU_ASSERT_EQUAL(v.as.i, want);
}

static void u64_is(const char *text, uint64_t want) {
    value v = {0};
    ASSERT_OK(parse(text, &v));
    CU_ASSERT_EQUAL(v.kind, SLOTS_U64);
    CU_ASSERT_EQUAL(v.as.u, want);
}

/* The text reads as an F64 bit-identical to `want`. */
static void f64_is_n(const char *text, size_t len, double want) {
    value v = {0};
    int rc = number_parse(text, len, false, &v);
    if (rc != SLOTS_OK || v.kind != SLOTS_F64 || memcmp(&v.as.f, &want, sizeof want) != 0)
        fprintf(stderr, "\n  %.*s: rc %d kind %d f %.17g want %.17g\n", (int)len, text, rc, v.kind, v.as.f, want);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(v.kind, SLOTS_F64);
    CU_ASSERT_TRUE(memcmp(&v.as.f, &want, sizeof want) == 0);
}

static void f64_is(const char *text, double want) { f64_is_n(text, strlen(text), want); }

/* Fails with `code`, leaves *out untouched and sets no message. */
static void fails_n(const char *text, size_t len, int code) {
    CU_ASSERT_PTR_NULL(slots_type_find("NoSuchTypeForNumberTests")); /* a known last error */
    value v = {.kind = 77};
    v.as.i = 12345;
    int rc = number_parse(text, len, false, &v);
    if (rc != code) fprintf(stderr, "\n  '%.*s': want %d, got %d\n", (int)len, text ? text : "", code, rc);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(v.kind, 77);
    CU_ASSERT_EQUAL(v.as.i, 12345);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    ASSERT_MSG("NoSuchTypeForNumberTests");
}

static void fails(const char *text, int code) { fails_n(text, strlen(text), code); }

static void test_integers(void) {
    int_is("0", 0);
    int_is("-0", 0);
    int_is("7", 7);
    int_is("-7", -7);
    int_is("1234567890", 1234567890);
    int_is("9007199254740993", 9007199254740993LL); /* not a double: stays exact */
    int_is("9223372036854775807", INT64_MAX);
    int_is("-9223372036854775807", -INT64_MAX);
    int_is("-9223372036854775808", INT64_MIN);
    u64_is("9223372036854775808", (uint64_t)INT64_MAX + 1u);
    u64_is("18446744073709551615", UINT64_MAX);
}

static void test_integer_range(void) {
    fails("18446744073709551616", SLOTS_ERANGE);
    fails("18446744073709551620", SLOTS_ERANGE);
    fails("99999999999999999999999999", SLOTS_ERANGE);
    fails("-9223372036854775809", SLOTS_ERANGE);
    fails("-18446744073709551615", SLOTS_ERANGE);
    fails("-18446744073709551616", SLOTS_ERANGE);
}

static void test_floats(void) {
    f64_is("1e5", 1e5);
    f64_is("1E5", 1e5);
    f64_is("1E+5", 1e5);
    f64_is("1e-5", 1e-5);
    f64_is("0.5", 0.5);
    f64_is("-1.5e-3", -1.5e-3);
    f64_is("0.1", 0.1);
    f64_is("0.0", 0.0);
    f64_is("-0.0", -0.0);
    f64_is("0e0", 0.0);
    f64_is("-0e5", -0.0);
    f64_is("0e999999999999", 0.0);
    f64_is("1.0", 1.0);
    f64_is("123.456e-2", 1.23456);
    f64_is("1e22", 1e22);
    f64_is("1e23", 1e23);
    f64_is("1e308", 1e308);
    f64_is("1.7976931348623157e308", DBL_MAX);
    f64_is("2.2250738585072014e-308", DBL_MIN);
    f64_is("4.9e-324", 4.9e-324);
    f64_is("5e-324", 4.9e-324);
    f64_is("9007199254740993.0", 9007199254740992.0); /* a tie, to even */
    f64_is("9007199254740995.0", 9007199254740996.0);
    f64_is("123456789012345.6", 123456789012345.6);   /* 16 digits: the strtod path */
    f64_is("12345678901234.5", 12345678901234.5);     /* 15 digits: the fast path */
    f64_is("0.000001", 1e-6);
    f64_is("3.141592653589793238462643383279", 3.141592653589793);
    f64_is("1.00000000000000000000000000000000000000001", 1.0);
}

/* Decided: a float literal beyond double's range reads as ±inf (as Python's float() and json.loads()
 * read it), one below it as ±0; neither is an error. */
static void test_float_limits(void) {
    f64_is("1e400", HUGE_VAL);
    f64_is("-1e400", -HUGE_VAL);
    f64_is("1e99999999999999999999", HUGE_VAL); /* the exponent saturates */
    f64_is("1.8e308", HUGE_VAL);
    f64_is("1e-400", 0.0);
    f64_is("-1e-400", -0.0);
    f64_is("1e-99999999999999999999", 0.0);
}

/* Long texts go to strtod through a heap copy; the answer is the same as strtod's. */
static void test_long_texts(void) {
    char text[700];
    memset(text, '1', 600);
    text[0] = '4', text[1] = '.';
    strcpy(text + 600, "e-250");
    f64_is(text, strtod(text, NULL));
    memset(text, '0', 600);
    text[0] = '0', text[1] = '.';
    strcpy(text + 599, "1e300"); /* 0.000...01e300 */
    f64_is(text, strtod(text, NULL));
    /* an integer of 600 digits is out of range, but with a fraction it is a float */
    memset(text, '9', 600);
    text[600] = '\0';
    fails(text, SLOTS_ERANGE);
    strcpy(text + 600, ".5");
    f64_is(text, strtod(text, NULL));
}

/* Every finite double printed with 17 digits comes back bit for bit, whichever path reads it. */
static void test_round_trip(void) {
    srand(4242);
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++) bits = bits << 16 | (uint64_t)(rand() & 0xffff);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) continue;
        char text[64];
        snprintf(text, sizeof text, "%.17e", d);
        f64_is(text, d);
        snprintf(text, sizeof text, "%.6g", d); /* few digits: mostly the fast path */
        if (strchr(text, 'e') || strchr(text, '.')) f64_is(text, strtod(text, NULL));
    }
}

static void test_malformed(void) {
    static const char *bad[] = {
        "",   "-",    "+1",   "+",    "01",   "-01",  "00",   ".5",   "-.5",  "1.",   "1.e5", "1e",
        "1e+", "1e-", "1E",   "e5",   "--1",  "1-",   "0x10", " 1",   "1 ",   "1.5.", "1e5e", "1e5.0",
        "NaN", "nan", "inf",  "-inf", "Infinity", "1,5", "1_000", "١", "0.", "-0.", "1ee5", "1e+-5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) fails(bad[i], SLOTS_EPARSE);
    fails_n("1\0", 2, SLOTS_EPARSE);
    fails_n(NULL, 0, SLOTS_EPARSE);
}

/* Exactly len bytes are read: what follows does not matter, and need not be a NUL. */
static void test_exact_length(void) {
    value v;
    ASSERT_OK(number_parse("123abc", 3, false, &v));
    CU_ASSERT_EQUAL(v.kind, SLOTS_I64);
    CU_ASSERT_EQUAL(v.as.i, 123);
    f64_is_n("2.5e3xyz", 5, 2.5e3);
    f64_is_n("0.1234567890123456789012", 3, 0.1);
    fails_n("123abc", 4, SLOTS_EPARSE);
    fails_n("1e5", 2, SLOTS_EPARSE);
}

/* A copy too long for the stack buffer is allocated; when that fails, SLOTS_ENOMEM and no leak. */
static void test_out_of_memory(void) {
    char text[300];
    memset(text, '3', 250);
    text[1] = '.';
    text[250] = '\0';
    value v = {.kind = 77};
    mem_fail_at(1);
    int rc = number_parse(text, strlen(text), false, &v);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
    CU_ASSERT_EQUAL(v.kind, 77);
    /* short texts allocate nothing */
    mem_fail_at(1);
    rc = number_parse("1.2345678901234567890", 21, false, &v);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(v.kind, SLOTS_F64);
    CU_ASSERT_DOUBLE_EQUAL(v.as.f, 1.2345678901234567, 0);
    f64_is(text, strtod(text, NULL));
}

/* Bound for a float field, every number is read as a float: big integers round, never overflow. */
static void test_as_float(void) {
    value v;
    ASSERT_OK(number_parse("3", 1, true, &v));
    CU_ASSERT_EQUAL(v.kind, SLOTS_F64);
    CU_ASSERT_EQUAL(v.as.f, 3.0);
    ASSERT_OK(number_parse("18446744073709551616", 20, true, &v));
    CU_ASSERT_EQUAL(v.kind, SLOTS_F64);
    CU_ASSERT_EQUAL(v.as.f, 18446744073709551616.0);
    ASSERT_STATUS(number_parse("18446744073709551616", 20, false, &v), SLOTS_ERANGE);
    ASSERT_STATUS(number_parse("01", 2, true, &v), SLOTS_EPARSE);
}

/* number_parse_text: what Python's int() and float() accept (each case checked against CPython 3.11). */
static void text_int_is(const char *text, int64_t want) {
    value v = {0};
    int rc = number_parse_text(text, strlen(text), false, &v);
    if (rc != SLOTS_OK || v.kind != SLOTS_I64 || v.as.i != want) fprintf(stderr, "\n  int('%s'): rc %d\n", text, rc);
    CU_ASSERT_TRUE(rc == SLOTS_OK && v.kind == SLOTS_I64 && v.as.i == want);
}

static void text_f64_is(const char *text, double want) {
    value v = {0};
    int rc = number_parse_text(text, strlen(text), true, &v);
    bool same = rc == SLOTS_OK && v.kind == SLOTS_F64 &&
                (memcmp(&v.as.f, &want, sizeof want) == 0 || (isnan(v.as.f) && isnan(want)));
    if (!same) fprintf(stderr, "\n  float('%s'): rc %d got %.17g want %.17g\n", text, rc, v.as.f, want);
    CU_ASSERT_TRUE(same);
}

static void text_fails(const char *text, bool as_float) {
    value v = {.kind = 77};
    int rc = number_parse_text(text, strlen(text), as_float, &v);
    if (rc != SLOTS_EPARSE) fprintf(stderr, "\n  %s('%s'): rc %d\n", as_float ? "float" : "int", text, rc);
    CU_ASSERT_EQUAL(rc, SLOTS_EPARSE);
    CU_ASSERT_EQUAL(v.kind, 77);
}

static void test_python_int(void) {
    text_int_is("+1", 1);
    text_int_is(" 42\t", 42);
    text_int_is("007", 7);
    text_int_is("1_000", 1000);
    text_int_is("-0", 0);
    text_int_is("0_0", 0);
    text_int_is("\v\f 5 \r\n", 5);
    text_int_is("-9_223_372_036_854_775_808", INT64_MIN);
    value v = {0};
    ASSERT_OK(number_parse_text("18_446_744_073_709_551_615", 26, false, &v));
    CU_ASSERT_TRUE(v.kind == SLOTS_U64 && v.as.u == UINT64_MAX);
    ASSERT_STATUS(number_parse_text("18_446_744_073_709_551_616", 26, false, &v), SLOTS_ERANGE);
    ASSERT_STATUS(number_parse_text("-9223372036854775809", 20, false, &v), SLOTS_ERANGE);
    static const char *bad[] = {"", " ", "+", "-", "1.0", "1e5", "_1", "1_", "1__0", "0x10", "1 0", "+-1",
                                "inf", "1_000_", "- 1", "\xd9\xa3" /* a non-ASCII digit: not taken */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) text_fails(bad[i], false);
    ASSERT_STATUS(number_parse_text("1\0", 2, false, &v), SLOTS_EPARSE); /* a NUL is no blank */
    ASSERT_STATUS(number_parse_text(NULL, 0, false, &v), SLOTS_EPARSE);
    ASSERT_OK(number_parse_text("12x", 2, false, &v)); /* exactly len bytes */
    CU_ASSERT_EQUAL(v.as.i, 12);
}

static void test_python_float(void) {
    text_f64_is(".5", 0.5);
    text_f64_is("5.", 5.0);
    text_f64_is("-.5e1", -5.0);
    text_f64_is("+1e5", 1e5);
    text_f64_is("1_000.000_1", 1000.0001);
    text_f64_is("1e1_0", 1e10);
    text_f64_is("INF", HUGE_VAL);
    text_f64_is("-Infinity", -HUGE_VAL);
    text_f64_is("+inf", HUGE_VAL);
    text_f64_is("nAn", NAN);
    text_f64_is("  1.5  ", 1.5);
    text_f64_is("00.5", 0.5);
    text_f64_is("1E-3", 1e-3);
    text_f64_is("5.e3", 5e3);
    text_f64_is("-0", -0.0);
    text_f64_is("7", 7.0);
    text_f64_is("1_2.3_4e-1_0", 1.234e-09);
    text_f64_is("1e400", HUGE_VAL);
    text_f64_is("-1e-400", -0.0);
    /* the strtod path, underscores and a missing integer part included */
    text_f64_is("0.1_2345678901234567890123", strtod("0.12345678901234567890123", NULL));
    text_f64_is("-.12345678901234567890123e5", strtod("-.12345678901234567890123e5", NULL));
    text_f64_is("9_007_199_254_740_993.0", 9007199254740992.0);
    static const char *bad[] = {".",  "e5",   ".e5", "1._5", "1_.5", "1e",      "1e+",  "1e_5", "_1.0", "1.5_", "nan1",
                                "in", "infinityy", "--1", "1..2", "0x1p3", "", "+-1", "1e5.0", "infinit", "- 1", "+ inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) text_fails(bad[i], true);
}

static CU_TestInfo tests[] = {
    {"Python's int() spellings", test_python_int},
    {"Python's float() spellings", test_python_float},
    {"integers to I64 and U64", test_integers},
    {"integers out of range", test_integer_range},
    {"floats", test_floats},
    {"float overflow and underflow", test_float_limits},
    {"long texts (heap copy)", test_long_texts},
    {"17-digit round trip", test_round_trip},
    {"malformed numbers", test_malformed},
    {"exactly len bytes", test_exact_length},
    {"allocation failure", test_out_of_memory},
    {"as float", test_as_float},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("number", tests); }
