/*
 * test_format.c — Python-style text of values: float repr (shortest round trip, Python's layout,
 * f32 fields), str and bytes repr (quotes and escapes), refs, None, and slots_repr() as a whole with
 * its argument, stale-handle and out-of-memory paths; also the growable buffer underneath (strbuf.c).
 */
#include "harness.h"
#include "schema.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static slots_type *def(const char *name, const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(name, fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define %s \"%s\": %d %s\n", name, fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return t;
}

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    return o;
}

/* The repr of a record, copied so later calls cannot change it. */
static char *repr_of(slots_obj o) {
    static char copy[8192];
    const char *s = NULL;
    size_t n = 0;
    int rc = slots_repr(o, &s, &n);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  slots_repr: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(strlen(s), n);
    snprintf(copy, sizeof copy, "%s", s);
    return copy;
}

/* Checks repr(o) == "NAME(" body ")". */
static void expect_repr(slots_obj o, const char *name, const char *body) {
    char want[8192];
    snprintf(want, sizeof want, "%s(%s)", name, body);
    const char *got = repr_of(o);
    if (strcmp(got, want) != 0) fprintf(stderr, "\n  repr: want %s\n        got  %s\n", want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
}

/* The text format_double() writes for d. */
static const char *repr_double(double d) {
    static char out[64];
    strbuf b = {0};
    format_double(&b, d);
    CU_ASSERT_FALSE(b.failed);
    snprintf(out, sizeof out, "%s", b.p ? b.p : "");
    sb_free(&b);
    return out;
}

/* ---- floats ---------------------------------------------------------------------------------- */
static void check_float_repr(slots_obj o, const char *tname, double d, const char *want) {
    char body[128];
    ASSERT_OK(slots_set_f64(o, 0, d));
    snprintf(body, sizeof body, "x=%s", want);
    expect_repr(o, tname, body);
}

static void test_float_repr_python(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("F"));
    slots_type *t = def(name, "x: f64", 0);
    slots_obj o = make(t);
    static const struct {
        double d;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {1e16, "1e+16"},
        {1e-5, "1e-05"},
        {1.5e-5, "1.5e-05"},
        {123456789.0, "123456789.0"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {1.0 / 3.0, "0.3333333333333333"},
        {1e15, "1000000000000000.0"},
        {9999999999999998.0, "9999999999999998.0"},
        {0.0001, "0.0001"},
        {0.00012, "0.00012"},
        {1e100, "1e+100"},
        {1.234e-300, "1.234e-300"},
        {5e-324, "5e-324"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {9.99, "9.99"},
        {100.0, "100.0"},
        {-2.5, "-2.5"},
        {1234.5, "1234.5"},
        {0.1 + 0.2, "0.30000000000000004"},
        {9007199254740993.0, "9007199254740992.0"},
        {9223372036854775808.0, "9.223372036854776e+18"},
        {1e22, "1e+22"},
        {-1e-7, "-1e-07"},
        {123e-20, "1.23e-18"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_float_repr(o, name, cases[i].d, cases[i].want);
    CU_ASSERT_STRING_EQUAL(repr_double(INFINITY), "inf");
    CU_ASSERT_STRING_EQUAL(repr_double(-INFINITY), "-inf");
    CU_ASSERT_STRING_EQUAL(repr_double(NAN), "nan");
    check_float_repr(o, name, INFINITY, "inf");
    check_float_repr(o, name, -INFINITY, "-inf");
    check_float_repr(o, name, NAN, "nan");
    ASSERT_OK(slots_free(o));
}

/* At a power of two the gap below is half the gap above: the nearest 16-digit decimal can fail to
 * read back while the next one up does, and Python's repr picks that shorter one. */
static void test_float_repr_power_of_two(void) {
    CU_ASSERT_STRING_EQUAL(repr_double(ldexp(1.0, -1017)), "7.120236347223045e-307");
    CU_ASSERT_STRING_EQUAL(repr_double(ldexp(1.0, -1007)), "7.291122019556398e-304");
    CU_ASSERT_STRING_EQUAL(repr_double(ldexp(1.0, 60)), "1.152921504606847e+18");
    CU_ASSERT_STRING_EQUAL(repr_double(ldexp(1.0, -1074)), "5e-324");
}

/* Every repr must read back as the same double, and never be longer than 17 digits. */
static void test_float_repr_round_trips(void) {
    srand(12345);
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++) bits = bits << 16 | (uint64_t)(rand() & 0xffff);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) continue;
        const char *s = repr_double(d);
        double back = strtod(s, NULL);
        if (memcmp(&back, &d, sizeof d) != 0) {
            fprintf(stderr, "\n  %s does not read back as %.17g\n", s, d);
            CU_FAIL("float repr does not round-trip");
            return;
        }
    }
}

static void test_float32_repr(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("F32"));
    slots_type *t = def(name, "x: f32", 0);
    slots_obj o = make(t);
    check_float_repr(o, name, 0.1, "0.1");
    check_float_repr(o, name, 1.0 / 3.0, "0.33333334");
    check_float_repr(o, name, 16777216.0, "16777216.0");
    check_float_repr(o, name, 1.4e-45, "1e-45");
    check_float_repr(o, name, FLT_MAX, "3.4028235e+38");
    check_float_repr(o, name, 1e-10, "1e-10");
    check_float_repr(o, name, -2.5, "-2.5");
    check_float_repr(o, name, -0.0, "-0.0");
    check_float_repr(o, name, INFINITY, "inf");
    /* an f64 field with the same value shows all the digits of the widened float */
    double widened = (double)0.1f;
    CU_ASSERT_STRING_EQUAL(repr_double(widened), "0.10000000149011612");
    ASSERT_OK(slots_free(o));
}

/* ---- str and bytes --------------------------------------------------------------------------- */
static void check_str_repr(slots_obj o, const char *tname, const char *s, size_t n, const char *want) {
    char body[256];
    ASSERT_OK(slots_set_str(o, 0, s, n));
    snprintf(body, sizeof body, "s=%s", want);
    expect_repr(o, tname, body);
}

static void test_str_repr(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("S"));
    slots_type *t = def(name, "s: str", 0);
    slots_obj o = make(t);
    check_str_repr(o, name, "Widget", 6, "'Widget'");
    check_str_repr(o, name, "", 0, "''");
    check_str_repr(o, name, "it's", 4, "\"it's\"");
    check_str_repr(o, name, "say \"hi\"", 8, "'say \"hi\"'");
    check_str_repr(o, name, "it's \"x\"", 8, "'it\\'s \"x\"'");
    check_str_repr(o, name, "a\\b", 3, "'a\\\\b'");
    check_str_repr(o, name, "\n\t\r", 3, "'\\n\\t\\r'");
    check_str_repr(o, name, "\x01\x1f\x7f", 3, "'\\x01\\x1f\\x7f'");
    check_str_repr(o, name, "a\0b", 3, "'a\\x00b'");
    check_str_repr(o, name, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
                   "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80'");
    /* code points Python's isprintable() refuses are escaped like Python does */
    check_str_repr(o, name, "\xc2\x85", 2, "'\\x85'");
    check_str_repr(o, name, "\xc2\xa0", 2, "'\\xa0'");
    check_str_repr(o, name, "\xe2\x80\xa8", 3, "'\\u2028'");
    check_str_repr(o, name, "\xef\xbb\xbf", 3, "'\\ufeff'");
    check_str_repr(o, name, "\xf3\xb0\x80\x80", 4, "'\\U000f0000'");
    ASSERT_OK(slots_free(o));
}

static void test_bytes_repr(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("B"));
    slots_type *t = def(name, "b: bytes", 0);
    slots_obj o = make(t);
    static const struct {
        const char *p;
        size_t n;
        const char *want;
    } cases[] = {
        {"abc", 3, "b=b'abc'"},
        {"", 0, "b=b''"},
        {"\x00\xff\x80", 3, "b=b'\\x00\\xff\\x80'"},
        {"it's", 4, "b=b\"it's\""},
        {"'\"", 2, "b=b'\\'\"'"},
        {"\\\n\r\t\x7f", 5, "b=b'\\\\\\n\\r\\t\\x7f'"},
        {"\xc3\xa9", 2, "b=b'\\xc3\\xa9'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_OK(slots_set_bytes(o, 0, cases[i].p, cases[i].n));
        expect_repr(o, name, cases[i].want);
    }
    ASSERT_OK(slots_free(o));
}

/* ---- whole records ----------------------------------------------------------------------------- */
static void test_repr_record(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("Product"));
    slots_type *t = def(name, "id: i64, name: str, price: f64, ok: bool, tag: str optional, n: u64", 0);
    slots_obj o = make(t);
    expect_repr(o, name, "");
    ASSERT_OK(slots_set_str(o, 1, "Widget", 6));
    expect_repr(o, name, "name='Widget'");
    ASSERT_OK(slots_set_i64(o, 0, 1));
    ASSERT_OK(slots_set_f64(o, 2, 9.99));
    expect_repr(o, name, "id=1, name='Widget', price=9.99");
    ASSERT_OK(slots_set_bool(o, 3, 1));
    ASSERT_OK(slots_set_null(o, 4));
    ASSERT_OK(slots_set_u64(o, 5, UINT64_MAX));
    expect_repr(o, name, "id=1, name='Widget', price=9.99, ok=True, tag=None, n=18446744073709551615");
    ASSERT_OK(slots_set_bool(o, 3, 0));
    ASSERT_OK(slots_set_i64(o, 0, INT64_MIN));
    ASSERT_OK(slots_del(o, 1));
    expect_repr(o, name, "id=-9223372036854775808, price=9.99, ok=False, tag=None, n=18446744073709551615");
    ASSERT_OK(slots_free(o));
}

static void test_repr_small_ints_and_defaults(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("Small"));
    slots_type *t = def(name, "a: i8 = -128, b: u8 = 255, c: i16, d: u32, e: str = 'x'", 0);
    slots_obj o = make(t);
    expect_repr(o, name, "a=-128, b=255, e='x'");
    ASSERT_OK(slots_set_i64(o, 2, -300));
    ASSERT_OK(slots_set_u64(o, 3, 4000000000u));
    expect_repr(o, name, "a=-128, b=255, c=-300, d=4000000000, e='x'");
    ASSERT_OK(slots_free(o));
}

static void test_repr_refs(void) {
    char node[64], holder[64], fields[128];
    snprintf(node, sizeof node, "%s", unique_name("Node"));
    snprintf(fields, sizeof fields, "v: i64, parent: ref %s optional, any: ref", node);
    slots_type *t = def(node, fields, 0);
    snprintf(holder, sizeof holder, "%s", unique_name("Holder"));
    slots_type *h = def(holder, "x: i64", 0);
    slots_obj a = make(t), b = make(t), c = make(h);
    ASSERT_OK(slots_set_ref(b, 1, a));
    ASSERT_OK(slots_set_ref(b, 2, c));
    char body[256];
    snprintf(body, sizeof body, "parent=<%s at 0x%llx>, any=<record at 0x%llx>", node, (unsigned long long)a,
             (unsigned long long)c);
    expect_repr(b, node, body);
    ASSERT_OK(slots_set_null(b, 1));
    snprintf(body, sizeof body, "parent=None, any=<record at 0x%llx>", (unsigned long long)c);
    expect_repr(b, node, body);
    /* an extra's ref has no field to name its type */
    value v = {.kind = SLOTS_REF, .as.ref = 0xabc};
    strbuf sb = {0};
    format_value_repr(&sb, &v, NULL);
    CU_ASSERT_STRING_EQUAL(sb.p, "<record at 0xabc>");
    sb_free(&sb);
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(b));
    ASSERT_OK(slots_free(c));
}

static void test_value_repr_kinds(void) {
    strbuf sb = {0};
    value v = {.kind = VAL_NULL};
    format_value_repr(&sb, &v, NULL);
    v.kind = SLOTS_BOOL, v.as.i = 1;
    sb_putc(&sb, ' ');
    format_value_repr(&sb, &v, NULL);
    v.kind = SLOTS_I64, v.as.i = -42;
    sb_putc(&sb, ' ');
    format_value_repr(&sb, &v, NULL);
    v.kind = SLOTS_F64, v.as.f = 2.0;
    sb_putc(&sb, ' ');
    format_value_repr(&sb, &v, NULL);
    v.kind = SLOTS_STR, v.as.s.p = "q", v.as.s.len = 1;
    sb_putc(&sb, ' ');
    format_value_repr(&sb, &v, NULL);
    v.kind = SLOTS_BYTES;
    sb_putc(&sb, ' ');
    format_value_repr(&sb, &v, NULL);
    CU_ASSERT_STRING_EQUAL(sb.p, "None True -42 2.0 'q' b'q'");
    sb_free(&sb);
}

static void test_repr_errors(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("E"));
    slots_type *t = def(name, "x: i64", 0);
    slots_obj o = make(t);
    const char *s = NULL;
    ASSERT_STATUS(slots_repr(o, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("must not be NULL");
    ASSERT_STATUS(slots_repr(0, &s, NULL), SLOTS_ESTALE);
    CU_ASSERT_PTR_NULL(s);
    ASSERT_OK(slots_free(o));
    ASSERT_STATUS(slots_repr(o, &s, NULL), SLOTS_ESTALE);
    CU_ASSERT_PTR_NULL(s);
    ASSERT_STATUS(slots_repr(0x123456789abcdefull, &s, NULL), SLOTS_ESTALE);
    /* len may be NULL */
    o = make(t);
    ASSERT_OK(slots_set_i64(o, 0, 7));
    ASSERT_OK(slots_repr(o, &s, NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "(x=7)"));
    ASSERT_OK(slots_free(o));
}

/* A successful repr leaves the thread's last error alone, even with unset fields skipped. */
static void test_repr_keeps_error(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("K"));
    slots_type *t = def(name, "a: i64, b: i64", 0);
    slots_obj o = make(t);
    CU_ASSERT_PTR_NULL(slots_type_find("NoSuchType_for_repr"));
    int code = slots_errcode();
    const char *s;
    ASSERT_OK(slots_repr(o, &s, NULL));
    CU_ASSERT_EQUAL(slots_errcode(), code);
    ASSERT_MSG("NoSuchType_for_repr");
    ASSERT_OK(slots_free(o));
}

/* The result lives in a per-thread buffer that the next call reuses. */
static void test_repr_long_and_reused(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("L"));
    slots_type *t = def(name, "s: str", 0);
    slots_obj o = make(t);
    size_t n = 100000;
    char *big = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'a', n);
    ASSERT_OK(slots_set_str(o, 0, big, n));
    const char *s = NULL;
    size_t len = 0;
    ASSERT_OK(slots_repr(o, &s, &len));
    CU_ASSERT_EQUAL(len, strlen(name) + 2 + 2 + n + 2); /* Name( s= '...' ) */
    CU_ASSERT_EQUAL(s[len], '\0');
    CU_ASSERT_EQUAL(s[len - 2], '\'');
    ASSERT_OK(slots_set_str(o, 0, "z", 1));
    const char *s2 = NULL;
    ASSERT_OK(slots_repr(o, &s2, &len));
    CU_ASSERT_PTR_EQUAL(s, s2);
    CU_ASSERT_EQUAL(len, strlen(s2));
    free(big);
    ASSERT_OK(slots_free(o));
}

/* When the scratch buffer cannot grow, slots_repr says so instead of handing out a partial text. */
static void test_repr_out_of_memory(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("M"));
    slots_type *t = def(name, "s: str", 0);
    slots_obj o = make(t);
    size_t n = 3u << 20; /* above what the scratch buffer keeps between calls */
    char *big = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'b', n);
    ASSERT_OK(slots_set_str(o, 0, big, n));
    const char *s = NULL;
    ASSERT_OK(slots_repr(o, &s, NULL)); /* grows the buffer beyond the size it keeps */
    mem_fail_at(1);
    ASSERT_STATUS(slots_repr(o, &s, NULL), SLOTS_ENOMEM);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOMEM);
    size_t len = 0;
    ASSERT_OK(slots_repr(o, &s, &len));
    CU_ASSERT_EQUAL(len, strlen(name) + 2 + 2 + n + 2);
    ASSERT_OK(slots_set_str(o, 0, "x", 1));
    ASSERT_OK(slots_repr(o, &s, NULL)); /* gives the big buffer back */
    free(big);
    ASSERT_OK(slots_free(o));
}

/* ---- strbuf.c ---------------------------------------------------------------------------------- */
static void test_strbuf_basics(void) {
    strbuf b = {0};
    sb_puts(&b, "abc");
    sb_putc(&b, '-');
    sb_put(&b, "xyz", 2);
    sb_printf(&b, "[%d|%s]", 42, "q");
    CU_ASSERT_STRING_EQUAL(b.p, "abc-xy[42|q]");
    CU_ASSERT_EQUAL(b.len, 12);
    /* a printf larger than the room left grows and formats again */
    char wide[300];
    memset(wide, 'w', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    sb_printf(&b, "%s!", wide);
    CU_ASSERT_EQUAL(b.len, 12 + 299 + 1);
    CU_ASSERT_EQUAL(b.p[b.len - 1], '!');
    CU_ASSERT_EQUAL(b.p[b.len], '\0');
    CU_ASSERT_FALSE(b.failed);
    sb_free(&b);
    CU_ASSERT_PTR_NULL(b.p);
    CU_ASSERT_EQUAL(b.len, 0);
    sb_free(&b); /* twice is harmless */
}

/* A failed allocation marks the buffer and stops it; nothing crashes and nothing more is added. */
static void test_strbuf_failure(void) {
    strbuf b = {0};
    mem_fail_at(1);
    sb_puts(&b, "abc");
    mem_fail_at(0);
    CU_ASSERT_TRUE(b.failed);
    CU_ASSERT_EQUAL(b.len, 0);
    sb_puts(&b, "later");
    sb_printf(&b, "%d", 5);
    CU_ASSERT_EQUAL(b.len, 0);
    sb_free(&b);

    sb_puts(&b, "ok");
    char wide[200];
    memset(wide, 'w', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    mem_fail_at(1);
    sb_printf(&b, "%s", wide);
    mem_fail_at(0);
    CU_ASSERT_TRUE(b.failed);
    CU_ASSERT_STRING_EQUAL(b.p, "ok"); /* the truncated attempt is undone */
    sb_free(&b);
}

static void test_scratch_is_emptied(void) {
    strbuf *a = sb_scratch();
    sb_puts(a, "leftover");
    a->failed = true;
    strbuf *b = sb_scratch();
    CU_ASSERT_PTR_EQUAL(a, b);
    CU_ASSERT_EQUAL(b->len, 0);
    CU_ASSERT_FALSE(b->failed);
    CU_ASSERT_TRUE(b->cap > 0);
    CU_ASSERT_STRING_EQUAL(b->p, "");
}

static void *thread_repr(void *arg) {
    slots_obj o = *(slots_obj *)arg;
    const char *s = NULL;
    int rc = slots_repr(o, &s, NULL);
    return rc == SLOTS_OK && strstr(s, "x=5") ? arg : NULL;
}

/* Each thread has its own scratch buffer, freed when the thread ends. */
static void test_scratch_per_thread(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("Thr"));
    slots_type *t = def(name, "x: i64", 0);
    slots_obj o = make(t);
    ASSERT_OK(slots_set_i64(o, 0, 5));
    const char *mine = NULL;
    ASSERT_OK(slots_repr(o, &mine, NULL));
    size_t before = slots_memory_used();
    for (int i = 0; i < 4; i++) {
        pthread_t th;
        void *res = NULL;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, thread_repr, &o), 0);
        pthread_join(th, &res);
        CU_ASSERT_PTR_EQUAL(res, &o);
    }
    CU_ASSERT_EQUAL(slots_memory_used(), before); /* the threads' buffers were freed */
    CU_ASSERT_PTR_NOT_NULL(strstr(mine, "x=5"));  /* and this thread's was not touched */
    ASSERT_OK(slots_free(o));
}

static CU_TestInfo tests[] = {
    {"float repr as Python", test_float_repr_python},
    {"float repr at powers of two", test_float_repr_power_of_two},
    {"float repr round-trips", test_float_repr_round_trips},
    {"f32 repr", test_float32_repr},
    {"str repr", test_str_repr},
    {"bytes repr", test_bytes_repr},
    {"record repr", test_repr_record},
    {"small ints and defaults", test_repr_small_ints_and_defaults},
    {"ref repr", test_repr_refs},
    {"value repr of each kind", test_value_repr_kinds},
    {"repr errors", test_repr_errors},
    {"repr keeps the last error", test_repr_keeps_error},
    {"long repr, buffer reused", test_repr_long_and_reused},
    {"repr out of memory", test_repr_out_of_memory},
    {"strbuf basics", test_strbuf_basics},
    {"strbuf allocation failure", test_strbuf_failure},
    {"scratch buffer emptied", test_scratch_is_emptied},
    {"scratch buffer per thread", test_scratch_per_thread},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("format", tests); }
