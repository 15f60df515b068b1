/*
 * test_json.c — records to and from JSON: encoding of every kind (escapes, base64, refs, floats,
 * extras), decoding straight into fields (escapes, surrogate pairs, numbers, defaults, extras; leniently:
 * missing fields are test_loaderrors.c's), every
 * malformed-JSON message, the field errors field_set reports through it, and that a failed decode
 * creates nothing and leaks nothing, out-of-memory included. The decode plan (json.c) decodes as the
 * generic path does, at every 8/16/32-byte block edge of the string scanner (jscan.c).
 */
#include "harness.h"
#include "io.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LIT(s) s, sizeof(s) - 1 /* a literal and its length, NULs included */

/* The type under test, with its name copied (unique_name() reuses its buffers). */
typedef struct fixture {
    char name[64];
    slots_type *t;
} fixture;

static fixture def(const char *prefix, const char *fields, unsigned flags) {
    fixture fx;
    snprintf(fx.name, sizeof fx.name, "%s", unique_name(prefix));
    fx.t = NULL;
    int rc = slots_type_define(fx.name, fields, NULL, flags, &fx.t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define %s \"%s\": %d %s\n", fx.name, fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return fx;
}

static slots_obj make(const slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    return o;
}

static size_t live(const slots_type *t) {
    size_t n = 0;
    CU_ASSERT_EQUAL(slots_type_count(t, &n), SLOTS_OK);
    return n;
}

static void expect_json(slots_obj o, const char *want) {
    const char *s = NULL;
    size_t n = 0;
    int rc = slots_to_json(o, &s, &n);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  slots_to_json: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(n, strlen(want));
    if (strcmp(s, want) != 0) fprintf(stderr, "\n  json: want %s\n        got  %s\n", want, s);
    CU_ASSERT_STRING_EQUAL(s, want);
}

/* Decodes leniently: these suites are about decoding; strictness (missing fields) is test_loaderrors'. */
static slots_obj from_ok(const slots_type *t, const char *json) {
    slots_obj o = 0;
    int rc = slots_from_json_flags(t, json, strlen(json), SLOTS_LOAD_LENIENT, &o);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  from_json %s: %d %s\n", json, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return o;
}

/* Decoding fails with `code` and a message containing `msg`, and no record is left behind. */
static void from_fails_n(const slots_type *t, const char *json, size_t len, int code, const char *msg) {
    size_t before = live(t);
    slots_obj o = 0x77;
    int rc = slots_from_json_flags(t, json, len, SLOTS_LOAD_LENIENT, &o);
    if (rc != code)
        fprintf(stderr, "\n  from_json %.*s: want %d, got %d %s\n", (int)len, json, code, rc, slots_errmsg());
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(o, 0x77);
    if (msg) ASSERT_MSG(msg);
    CU_ASSERT_EQUAL(live(t), before);
}

static void from_fails(const slots_type *t, const char *json, int code, const char *msg) {
    from_fails_n(t, json, strlen(json), code, msg);
}

static void get_str_is(slots_obj o, int idx, const char *want, size_t wlen) {
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, idx, &s, &n));
    if (n != wlen)
        fprintf(stderr, "\n  str: want %zu bytes \"%.*s\", got %zu \"%.*s\"\n", wlen, (int)wlen, want, n, (int)n, s);
    CU_ASSERT_EQUAL(n, wlen);
    CU_ASSERT_TRUE(n == wlen && memcmp(s, want, n) == 0);
}

/* ---- encoding ---------------------------------------------------------------------------------- */
static void test_to_json_basic(void) {
    fixture fx = def("Product", "id: i64, name: str, price: f64, ok: bool, tag: str optional, n: u64", 0);
    slots_obj o = make(fx.t);
    expect_json(o, "{}");
    ASSERT_OK(slots_set_i64(o, 0, 1));
    ASSERT_OK(slots_set_str(o, 1, "Widget", 6));
    ASSERT_OK(slots_set_f64(o, 2, 9.99));
    expect_json(o, "{\"id\":1,\"name\":\"Widget\",\"price\":9.99}");
    ASSERT_OK(slots_set_bool(o, 3, 1));
    ASSERT_OK(slots_set_null(o, 4));
    ASSERT_OK(slots_set_u64(o, 5, UINT64_MAX));
    ASSERT_OK(slots_set_i64(o, 0, INT64_MIN));
    expect_json(o, "{\"id\":-9223372036854775808,\"name\":\"Widget\",\"price\":9.99,\"ok\":true,\"tag\":null,"
                   "\"n\":18446744073709551615}");
    ASSERT_OK(slots_del(o, 1));
    ASSERT_OK(slots_set_bool(o, 3, 0));
    expect_json(o, "{\"id\":-9223372036854775808,\"price\":9.99,\"ok\":false,\"tag\":null,\"n\":18446744073709551615}");
    ASSERT_OK(slots_free(o));
}

static void test_to_json_strings(void) {
    fixture fx = def("S", "s: str", 0);
    slots_obj o = make(fx.t);
    static const struct {
        const char *s;
        size_t n;
        const char *want;
    } cases[] = {
        {"", 0, "{\"s\":\"\"}"},
        {"a\"b\\c", 5, "{\"s\":\"a\\\"b\\\\c\"}"},
        {"\n\r\t\b\f", 5, "{\"s\":\"\\n\\r\\t\\b\\f\"}"},
        {"\x01\x1f\0", 3, "{\"s\":\"\\u0001\\u001f\\u0000\"}"},
        {"/\x7f", 2, "{\"s\":\"/\x7f\"}"},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_OK(slots_set_str(o, 0, cases[i].s, cases[i].n));
        expect_json(o, cases[i].want);
    }
    ASSERT_OK(slots_free(o));
}

static void test_to_json_floats(void) {
    fixture fx = def("F", "d: f64, f: f32", 0);
    slots_obj o = make(fx.t);
    static const struct {
        double d;
        const char *want;
    } cases[] = {
        {1.0, "{\"d\":1.0}"},     {-0.0, "{\"d\":-0.0}"},   {1e16, "{\"d\":1e+16}"},
        {1e-5, "{\"d\":1e-05}"},  {0.1, "{\"d\":0.1}"},     {123456789.0, "{\"d\":123456789.0}"},
        {DBL_MAX, "{\"d\":1.7976931348623157e+308}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_OK(slots_set_f64(o, 0, cases[i].d));
        expect_json(o, cases[i].want);
    }
    ASSERT_OK(slots_del(o, 0));
    ASSERT_OK(slots_set_f64(o, 1, 0.1));
    expect_json(o, "{\"f\":0.1}"); /* the float's shortest text, not the widened double's */
    ASSERT_OK(slots_free(o));
}

static void test_to_json_non_finite(void) {
    fixture fx = def("NF", "a: i64, d: f64", 0);
    slots_obj o = make(fx.t);
    ASSERT_OK(slots_set_i64(o, 0, 1));
    const char *s = NULL;
    ASSERT_OK(slots_set_f64(o, 1, INFINITY));
    ASSERT_STATUS(slots_to_json(o, &s, NULL), SLOTS_EINVAL);
    ASSERT_MSG("Out of range float values are not JSON compliant: inf");
    char want[128];
    snprintf(want, sizeof want, "not JSON compliant: inf (%s.d)", fx.name); /* names the field */
    ASSERT_MSG(want);
    CU_ASSERT_PTR_NULL(s);
    ASSERT_OK(slots_set_f64(o, 1, -INFINITY));
    ASSERT_STATUS(slots_to_json(o, &s, NULL), SLOTS_EINVAL);
    ASSERT_MSG("not JSON compliant: -inf");
    ASSERT_OK(slots_set_f64(o, 1, NAN));
    ASSERT_STATUS(slots_to_json(o, &s, NULL), SLOTS_EINVAL);
    ASSERT_MSG("not JSON compliant: nan");
    CU_ASSERT_PTR_NULL(s);
    ASSERT_STATUS(slots_to_json_flags(o, 0, &s, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_to_json_flags(o, 0x2, &s, NULL), SLOTS_EINVAL);
    ASSERT_MSG("unknown dump flags 0x2");
    CU_ASSERT_PTR_NULL(s);
    ASSERT_OK(slots_free(o));
}

/* With SLOTS_DUMP_ALLOW_NAN they are written as Python's json writes them, and read back. */
static void test_non_finite_allowed(void) {
    fixture fx = def("NFA", "d: f64, f: f32, o: f64 optional", SLOTS_DYNAMIC);
    slots_obj o = make(fx.t);
    ASSERT_OK(slots_set_f64(o, 0, NAN));
    ASSERT_OK(slots_set_f64(o, 1, INFINITY));
    ASSERT_OK(slots_set_f64(o, 2, -INFINITY));
    ASSERT_OK(slots_extra_set_f64(o, "x", -INFINITY));
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_to_json_flags(o, SLOTS_DUMP_ALLOW_NAN, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "{\"d\":NaN,\"f\":Infinity,\"o\":-Infinity,\"x\":-Infinity}");
    CU_ASSERT_EQUAL(n, strlen(s));
    slots_obj back = from_ok(fx.t, s);
    double d = 0;
    ASSERT_OK(slots_get_f64(back, 0, &d));
    CU_ASSERT_TRUE(isnan(d));
    ASSERT_OK(slots_get_f64(back, 1, &d));
    CU_ASSERT_TRUE(d == HUGE_VAL);
    ASSERT_OK(slots_get_f64(back, 2, &d));
    CU_ASSERT_TRUE(d == -HUGE_VAL);
    ASSERT_OK(slots_extra_get_f64(back, "x", &d));
    CU_ASSERT_TRUE(d == -HUGE_VAL);
    ASSERT_OK(slots_free(back));
    /* with blanks around, in an optional field, and refused by an integer field */
    back = from_ok(fx.t, "{ \"o\" : NaN , \"d\":-Infinity }");
    ASSERT_OK(slots_get_f64(back, 2, &d));
    CU_ASSERT_TRUE(isnan(d));
    ASSERT_OK(slots_free(back));
    ASSERT_OK(slots_free(o));
    fixture ints = def("NFI", "i: i64", 0);
    slots_obj bad = 0x77;
    ASSERT_STATUS(slots_from_json(ints.t, "{\"i\":NaN}", 10, &bad), SLOTS_ETYPE);
    CU_ASSERT_EQUAL(bad, 0x77);
}

/* JSON Lines: text after an object other than blanks is refused, a NUL byte included; dumps refuse
 * non-finite floats naming the record's position and field, unless allowed. */
static void test_jsonl_strict_and_nan(void) {
    fixture fx = def("JL", "id: i64, d: f64", 0);
    slots_store *st = NULL;
    ASSERT_OK(slots_store_new(fx.t, &st));
    size_t loaded = 9;
    ASSERT_STATUS(slots_store_load_jsonl(st, LIT("{\"id\":1}\0\n"), 0, &loaded, NULL), SLOTS_EPARSE);
    ASSERT_MSG("line 1: Extra data: line 1 column 9 (char 8)");
    ASSERT_STATUS(slots_store_load_jsonl(st, LIT("{\"id\":1}\n{\"id\":2} \0 \n"), SLOTS_LOAD_LENIENT, &loaded, NULL), SLOTS_EPARSE);
    ASSERT_MSG("line 2: Extra data: line 1 column 10 (char 9)");
    CU_ASSERT_EQUAL(loaded, 9);
    ASSERT_OK(slots_store_load_jsonl(st, LIT("{\"id\":1, \"d\": 2.5} \t\r\n{\"id\":2,\"d\":NaN}\n"), 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 2);
    const char *out = NULL;
    ASSERT_STATUS(slots_store_dump_jsonl(st, &out, NULL), SLOTS_EINVAL);
    char want[192];
    snprintf(want, sizeof want, "record at position 1: Out of range float values are not JSON compliant: nan (%s.d)",
             fx.name);
    ASSERT_MSG(want);
    ASSERT_STATUS(slots_store_dump_jsonl_file(st, "/tmp/never-written.jsonl"), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_dump_jsonl_flags(st, 0x4, &out, NULL), SLOTS_EINVAL);
    ASSERT_MSG("unknown dump flags");
    ASSERT_OK(slots_store_dump_jsonl_flags(st, SLOTS_DUMP_ALLOW_NAN, &out, NULL));
    CU_ASSERT_STRING_EQUAL(out, "{\"id\":1,\"d\":2.5}\n{\"id\":2,\"d\":NaN}\n");
    char path[] = "/tmp/slots-jsonl-nan-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    close(fd);
    ASSERT_OK(slots_store_dump_jsonl_file_flags(st, path, SLOTS_DUMP_ALLOW_NAN));
    ASSERT_OK(slots_store_clear(st));
    ASSERT_OK(slots_store_load_jsonl_file(st, path, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 2);
    ASSERT_STATUS(slots_store_dump_jsonl_file_flags(st, path, 0x8), SLOTS_EINVAL);
    unlink(path);
    ASSERT_OK(slots_store_drop(st));
}

static void test_to_json_bytes_base64(void) {
    fixture fx = def("B", "b: bytes", 0);
    slots_obj o = make(fx.t);
    static const struct {
        const char *p;
        size_t n;
        const char *want;
    } cases[] = {
        {"", 0, "{\"b\":\"\"}"},           {"f", 1, "{\"b\":\"Zg==\"}"},
        {"fo", 2, "{\"b\":\"Zm8=\"}"},     {"foo", 3, "{\"b\":\"Zm9v\"}"},
        {"foob", 4, "{\"b\":\"Zm9vYg==\"}"}, {"foobar", 6, "{\"b\":\"Zm9vYmFy\"}"},
        {"\x00\xff\xfe", 3, "{\"b\":\"AP/+\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_OK(slots_set_bytes(o, 0, cases[i].p, cases[i].n));
        expect_json(o, cases[i].want);
    }
    ASSERT_OK(slots_free(o));
}

static void test_to_json_refs_and_extras(void) {
    fixture node = def("Node", "v: i64, parent: ref optional", SLOTS_DYNAMIC);
    slots_obj a = make(node.t), b = make(node.t);
    ASSERT_OK(slots_set_i64(b, 0, 2));
    ASSERT_OK(slots_set_ref(b, 1, a));
    ASSERT_OK(slots_extra_set_str(b, "colour", "red", 3));
    ASSERT_OK(slots_extra_set_f64(b, "w", 2.5));
    ASSERT_OK(slots_extra_set_null(b, "z"));
    ASSERT_OK(slots_extra_set_bool(b, "ok", 1));
    ASSERT_OK(slots_extra_set_bytes(b, "raw", "hi", 2));
    ASSERT_OK(slots_extra_set_i64(b, "neg", -3));
    char want[512];
    snprintf(want, sizeof want,
             "{\"v\":2,\"parent\":%llu,\"colour\":\"red\",\"w\":2.5,\"z\":null,\"ok\":true,"
             "\"raw\":\"aGk=\",\"neg\":-3}",
             (unsigned long long)a);
    expect_json(b, want);
    /* a non-finite extra is refused like a field */
    ASSERT_OK(slots_extra_set_f64(b, "w", NAN));
    const char *s;
    ASSERT_STATUS(slots_to_json(b, &s, NULL), SLOTS_EINVAL);
    ASSERT_MSG("not JSON compliant: nan");
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(b));
}

static void test_to_json_errors(void) {
    fixture fx = def("E", "x: i64", 0);
    slots_obj o = make(fx.t);
    const char *s = NULL;
    ASSERT_STATUS(slots_to_json(o, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("must not be NULL");
    ASSERT_STATUS(slots_to_json(0, &s, NULL), SLOTS_ESTALE);
    ASSERT_OK(slots_free(o));
    ASSERT_STATUS(slots_to_json(o, &s, NULL), SLOTS_ESTALE);
    CU_ASSERT_PTR_NULL(s);
    strbuf b = {0};
    ASSERT_STATUS(json_encode_record(&b, NULL, 0), SLOTS_EINVAL);
    ASSERT_STATUS(json_encode_record(NULL, NULL, 0), SLOTS_EINVAL);
}

/* ---- decoding ---------------------------------------------------------------------------------- */
static void test_from_json_basic(void) {
    fixture fx = def("P", "id: i64, name: str, price: f64 = 1.5, ok: bool, n: u64, tag: str optional, q: i32", 0);
    slots_obj o = from_ok(fx.t, " {\"id\": 7, \"name\" : \"Widget\",\n\t\"ok\":true,\r\n \"n\":18446744073709551615,"
                                "\"tag\":null} ");
    int64_t i = 0;
    ASSERT_OK(slots_get_i64(o, 0, &i));
    CU_ASSERT_EQUAL(i, 7);
    get_str_is(o, 1, "Widget", 6);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, 2, &d)); /* missing: the default */
    CU_ASSERT_EQUAL(d, 1.5);
    int bv = 0;
    ASSERT_OK(slots_get_bool(o, 3, &bv));
    CU_ASSERT_EQUAL(bv, 1);
    uint64_t u = 0;
    ASSERT_OK(slots_get_u64(o, 4, &u));
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    const char *s;
    size_t n;
    ASSERT_STATUS(slots_get_str(o, 5, &s, &n), SLOTS_NULL);
    CU_ASSERT_EQUAL(slots_is_set(o, 6), 0); /* missing, no default: unset */
    ASSERT_OK(slots_free(o));

    o = from_ok(fx.t, "{}");
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    CU_ASSERT_EQUAL(slots_is_set(o, 2), 1);
    ASSERT_OK(slots_free(o));
    o = from_ok(fx.t, "{\"ok\":false,\"price\":-2,\"id\":-9223372036854775808}");
    ASSERT_OK(slots_get_bool(o, 3, &bv));
    CU_ASSERT_EQUAL(bv, 0);
    ASSERT_OK(slots_get_f64(o, 2, &d)); /* an integer into a float field */
    CU_ASSERT_EQUAL(d, -2.0);
    ASSERT_OK(slots_get_i64(o, 0, &i));
    CU_ASSERT_EQUAL(i, INT64_MIN);
    ASSERT_OK(slots_free(o));
}

static void test_from_json_string_escapes(void) {
    fixture fx = def("Esc", "s: str", 0);
    slots_obj o = from_ok(fx.t, "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}");
    get_str_is(o, 0, "a\"b\\c/d\b\f\n\r\t", 12);
    ASSERT_OK(slots_free(o));
    o = from_ok(fx.t, "{\"s\":\"\\u0041\\u00e9\\u20AC\"}");
    get_str_is(o, 0, "A\xc3\xa9\xe2\x82\xac", 6);
    ASSERT_OK(slots_free(o));
    /* a surrogate pair is one code point, four UTF-8 bytes */
    o = from_ok(fx.t, "{\"s\":\"x\\ud83d\\ude00y\"}");
    get_str_is(o, 0, "x\xf0\x9f\x98\x80y", 6);
    ASSERT_OK(slots_free(o));
    o = from_ok(fx.t, "{\"s\":\"\\uDBFF\\uDFFF\"}");
    get_str_is(o, 0, "\xf4\x8f\xbf\xbf", 4);
    ASSERT_OK(slots_free(o));
    o = from_ok(fx.t, "{\"s\":\"nul\\u0000in\"}");
    get_str_is(o, 0, "nul\0in", 6);
    ASSERT_OK(slots_free(o));
    /* raw UTF-8 passes through; text long enough to live out of line too */
    o = from_ok(fx.t, "{\"s\":\"caf\xc3\xa9 and a string longer than the inline slot\"}");
    get_str_is(o, 0, "caf\xc3\xa9 and a string longer than the inline slot", 46);
    ASSERT_OK(slots_free(o));
    /* an escaped key names the field too */
    o = from_ok(fx.t, "{\"\\u0073\":\"k\"}");
    get_str_is(o, 0, "k", 1);
    ASSERT_OK(slots_free(o));
}

static void test_from_json_numbers(void) {
    fixture fx = def("Num", "d: f64", 0);
    static const char *texts[] = {
        "0.1", "-0.0", "0", "1e22", "1e23", "1E5", "1e+5", "1e-5", "123.456e-2", "0.000001",
        "9007199254740993.0", "123456789012345678901234567890.5", "2.2250738585072014e-308",
        "4.9e-324", "1.7976931348623157e308", "1e400", "-1e400", "1e-400", "0e999999999999",
        "3.141592653589793238462643383279", "100000000000000000000000", "-5",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"d\":%s}", texts[i]);
        slots_obj o = from_ok(fx.t, json);
        double d = 0, want = strtod(texts[i], NULL);
        ASSERT_OK(slots_get_f64(o, 0, &d));
        if (memcmp(&d, &want, sizeof d) != 0) fprintf(stderr, "\n  %s read as %.17g\n", texts[i], d);
        CU_ASSERT_TRUE(memcmp(&d, &want, sizeof d) == 0);
        ASSERT_OK(slots_free(o));
    }
}

/* Any finite double goes out and comes back bit for bit. */
static void test_float_round_trip(void) {
    fixture fx = def("RT", "d: f64", 0);
    slots_obj o = make(fx.t);
    srand(777);
    for (int i = 0; i < 5000; i++) {
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++) bits = bits << 16 | (uint64_t)(rand() & 0xffff);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) continue;
        ASSERT_OK(slots_set_f64(o, 0, d));
        const char *s = NULL;
        size_t n = 0;
        ASSERT_OK(slots_to_json(o, &s, &n));
        slots_obj back = 0;
        CU_ASSERT_EQUAL_FATAL(slots_from_json(fx.t, s, n, &back), SLOTS_OK);
        double e = 0;
        ASSERT_OK(slots_get_f64(back, 0, &e));
        ASSERT_OK(slots_free(back));
        if (memcmp(&d, &e, sizeof d) != 0) {
            fprintf(stderr, "\n  %.17g came back as %.17g\n", d, e);
            CU_FAIL("float JSON round trip");
            break;
        }
    }
    ASSERT_OK(slots_free(o));
}

static void test_round_trip_record(void) {
    fixture fx = def("Full", "b: bool, i: i16, u: u64, f: f32, d: f64, s: str, y: bytes, o: str optional", 0);
    slots_obj o = make(fx.t);
    ASSERT_OK(slots_set_bool(o, 0, 1));
    ASSERT_OK(slots_set_i64(o, 1, -32768));
    ASSERT_OK(slots_set_u64(o, 2, 12345678901234567890u));
    ASSERT_OK(slots_set_f64(o, 3, 0.1));
    ASSERT_OK(slots_set_f64(o, 4, 1e16));
    ASSERT_OK(slots_set_str(o, 5, "tab\there \"q\" \xe2\x82\xac", 16));
    unsigned char bin[256];
    for (int k = 0; k < 256; k++) bin[k] = (unsigned char)k;
    ASSERT_OK(slots_set_bytes(o, 6, bin, sizeof bin));
    ASSERT_OK(slots_set_null(o, 7));
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_to_json(o, &s, &n));
    char *copy = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, s, n + 1);
    slots_obj back = from_ok(fx.t, copy);
    CU_ASSERT_EQUAL(slots_equal(o, back), 1);
    const void *p = NULL;
    size_t bn = 0;
    ASSERT_OK(slots_get_bytes(back, 6, &p, &bn));
    CU_ASSERT_EQUAL(bn, sizeof bin);
    CU_ASSERT_TRUE(bn == sizeof bin && memcmp(p, bin, bn) == 0);
    /* and the text it writes is the same again */
    ASSERT_OK(slots_to_json(back, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, copy);
    free(copy);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(back));
}

/* ---- malformed JSON ---------------------------------------------------------------------------- */
static void test_from_json_malformed(void) {
    fixture fx = def("Bad", "a: i64, s: str, d: f64", 0);
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"", "Expecting value: line 1 column 1 (char 0)"},
        {"   ", "Expecting value: line 1 column 4 (char 3)"},
        {"[1]", "Expecting object: line 1 column 1 (char 0)"},
        {"{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
        {"{'a':1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
        {"{a:1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
        {"{\"a\"", "Expecting ':' delimiter: line 1 column 5 (char 4)"},
        {"{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"},
        {"{\"a\":", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":1", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"a\":1 \"s\":\"x\"}", "Expecting ',' delimiter: line 1 column 8 (char 7)"},
        {"{\"a\":1,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"},
        {"{\"a\":1,,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"},
        {"{\"s\":\"x", "Unterminated string starting at: line 1 column 6 (char 5)"},
        {"{\"s", "Unterminated string starting at: line 1 column 2 (char 1)"},
        {"{\"s\":\"x\\", "Unterminated string starting at: line 1 column 6 (char 5)"},
        {"{\"s\":\"\\x\"}", "Invalid \\escape: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\U0041\"}", "Invalid \\escape: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\u12\"}", "Invalid \\uXXXX escape: line 1 column 8 (char 7)"},
        {"{\"s\":\"\\u12g4\"}", "Invalid \\uXXXX escape: line 1 column 8 (char 7)"},
        {"{\"s\":\"\\u", "Invalid \\uXXXX escape: line 1 column 8 (char 7)"},
        {"{\"s\":\"\\ud800\"}", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\udc00\"}", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\ud800\\u0041\"}", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\ud800x\"}", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\ud800\\ud800\"}", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"\\ud800\\", "lone surrogate: line 1 column 7 (char 6)"},
        {"{\"s\":\"a\x01\"}", "Invalid control character at: line 1 column 8 (char 7)"},
        {"{\"s\":\"a\nb\"}", "Invalid control character at: line 1 column 8 (char 7)"},
        {"{\"a\":01}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"a\":-01}", "Expecting ',' delimiter: line 1 column 8 (char 7)"},
        {"{\"a\":+1}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":.5}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":1.}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"d\":1.e5}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"d\":1e}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"d\":1e+}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"a\":-}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":-x}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":nan}", "Expecting value: line 1 column 6 (char 5)"}, /* Python's spellings only */
        {"{\"d\":Infinit}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":-NaN}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":+Infinity}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":inf}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"d\":NaNa}", "Expecting ',' delimiter: line 1 column 9 (char 8)"},
        {"{\"d\":0x10}", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
        {"{\"a\":tru}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":nul", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":True}", "Expecting value: line 1 column 6 (char 5)"},
        {"{\"a\":1} x", "Extra data: line 1 column 9 (char 8)"},
        {"{\"a\":1}{}", "Extra data: line 1 column 8 (char 7)"},
        {"{}\n\n  ,", "Extra data: line 3 column 3 (char 6)"},
        {"{\n  \"a\": 1,\n  \"s\" \"x\"}", "Expecting ':' delimiter: line 3 column 7 (char 18)"},
        {"\xef\xbb\xbf{}", "Expecting object: line 1 column 1 (char 0)"},
        {"{\"a\"\v:1}", "Expecting ':' delimiter: line 1 column 5 (char 4)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        from_fails(fx.t, cases[i].json, SLOTS_EPARSE, cases[i].msg);
    /* a NUL byte inside the given length is just a bad byte, and text beyond `len` is not read */
    from_fails_n(fx.t, "{\"a\":1}\0", 8, SLOTS_EPARSE, "Extra data: line 1 column 8 (char 7)");
    from_fails_n(fx.t, "{\"s\":\"a\0\"}", 10, SLOTS_EPARSE, "Invalid control character at");
    from_fails_n(fx.t, "{\"a\":1}", 6, SLOTS_EPARSE, "Expecting ',' delimiter: line 1 column 7 (char 6)");
    from_fails_n(fx.t, "{\"a\":123", 6, SLOTS_EPARSE, "Expecting ',' delimiter: line 1 column 7 (char 6)");
    from_fails_n(fx.t, "{\"a\":true}", 8, SLOTS_EPARSE, "Expecting value: line 1 column 6 (char 5)");
    from_fails_n(fx.t, "{\"s\":\"\\u0041\"}", 10, SLOTS_EPARSE, "Invalid \\uXXXX escape");
    /* a fragment after a good field still creates nothing */
    from_fails(fx.t, "{\"a\":1,\"s\":\"long enough to be stored out of line, surely\",\"d\":", SLOTS_EPARSE,
               "Expecting value");
}

/* ---- field errors ------------------------------------------------------------------------------ */
static void test_from_json_unknown_key(void) {
    fixture fx = def("Product", "name: str", 0);
    char msg[128];
    snprintf(msg, sizeof msg, "'%s' object has no attribute 'colour'", fx.name);
    from_fails(fx.t, "{\"name\":\"x\",\"colour\":\"red\"}", SLOTS_ENOATTR, msg);
    snprintf(msg, sizeof msg, "'%s' object has no attribute 'na'", fx.name);
    from_fails(fx.t, "{\"na\":\"x\"}", SLOTS_ENOATTR, msg);
    from_fails(fx.t, "{\"names\":\"x\"}", SLOTS_ENOATTR, "no attribute 'names'");
    from_fails(fx.t, "{\"\":1}", SLOTS_ENOATTR, "no attribute ''");
    /* a key with a NUL byte is never a field, even when its start is one */
    from_fails(fx.t, "{\"name\\u0000x\":\"v\"}", SLOTS_ENOATTR, "no attribute");
}

/* Field names of every length from 1 to 20, each with a key that differs from it in one byte at
 * every position: the key is never taken for the field. */
static void test_from_json_names_of_every_length(void) {
    static const char alphabet[] = "abcdefghijklmnopqrst";
    char fields[512] = "", json[1024], key[32];
    size_t used = 0;
    for (int n = 1; n <= 20; n++)
        used += (size_t)snprintf(fields + used, sizeof fields - used, "%s%.*s: i64 = 0", n > 1 ? ", " : "", n, alphabet);
    fixture fx = def("Names", fields, 0);
    for (int n = 1; n <= 20; n++) {
        for (int j = 0; j < n; j++) {
            size_t len = (size_t)snprintf(json, sizeof json, "{");
            for (int k = 1; k < n; k++) len += (size_t)snprintf(json + len, sizeof json - len, "\"%.*s\": %d, ", k, alphabet, k);
            snprintf(key, sizeof key, "%.*s", n, alphabet);
            key[j] = 'X'; /* the field expected next, but for one byte */
            snprintf(json + len, sizeof json - len, "\"%s\": 1}", key);
            slots_obj o = 0;
            ASSERT_STATUS(slots_from_json(fx.t, json, strlen(json), &o), SLOTS_ENOATTR);
        }
        /* and the right name is found */
        snprintf(json, sizeof json, "{\"%.*s\": 7}", n, alphabet);
        slots_obj o = 0;
        int64_t v = 0;
        ASSERT_OK(slots_from_json(fx.t, json, strlen(json), &o));
        ASSERT_OK(slots_get_i64(o, n - 1, &v));
        CU_ASSERT_EQUAL(v, 7);
        ASSERT_OK(slots_free(o));
    }
}

static void test_from_json_wrong_kind(void) {
    fixture fx = def("Kinds", "i: i64, s: str, b: bool, y: bytes, f: f64, r: ref", 0);
    from_fails(fx.t, "{\"i\":\"x\"}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"i\":1.5}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"i\":1e2}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"i\":true}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"s\":1}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"b\":1}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"f\":\"1.5\"}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"y\":5}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"r\":-1}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"r\":\"x\"}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"i\":[1,2]}", SLOTS_ETYPE, "field 'i' (i64) cannot hold a JSON array");
    from_fails(fx.t, "{\"s\":{\"x\":1}}", SLOTS_ETYPE, "field 's' (str) cannot hold a JSON object");
    /* null needs an optional field */
    from_fails(fx.t, "{\"i\":null}", SLOTS_ETYPE, NULL);
    from_fails(fx.t, "{\"s\":null}", SLOTS_ETYPE, NULL);
    /* invalid UTF-8 in a str field is field_set's refusal */
    from_fails(fx.t, "{\"s\":\"\xff\"}", SLOTS_EINVAL, "UTF-8");
}

static void test_from_json_ranges(void) {
    fixture fx = def("R", "x: u8, i: i64, u: u64, s: i8, f: f64, g: f32", 0);
    from_fails(fx.t, "{\"x\":300}", SLOTS_ERANGE, "value 300 out of range for field 'x' (u8)");
    from_fails(fx.t, "{\"x\":-1}", SLOTS_ERANGE, "value -1 out of range for field 'x' (u8)");
    from_fails(fx.t, "{\"s\":-129}", SLOTS_ERANGE, "value -129 out of range for field 's' (i8)");
    from_fails(fx.t, "{\"i\":9223372036854775808}", SLOTS_ERANGE, "out of range for field 'i' (i64)");
    from_fails(fx.t, "{\"i\":-9223372036854775809}", SLOTS_ERANGE,
               "value -9223372036854775809 out of range for field 'i' (i64)");
    from_fails(fx.t, "{\"i\":100000000000000000000000000000}", SLOTS_ERANGE,
               "value 100000000000000000000000000000 out of range for field 'i' (i64)");
    from_fails(fx.t, "{\"u\":18446744073709551616}", SLOTS_ERANGE,
               "value 18446744073709551616 out of range for field 'u' (u64)");
    from_fails(fx.t, "{\"u\":-1}", SLOTS_ERANGE, "out of range for field 'u' (u64)");
    from_fails(fx.t, "{\"g\":1e39}", SLOTS_ERANGE, "out of range for field 'g' (f32)");
    /* the edges fit */
    slots_obj o = from_ok(fx.t, "{\"x\":255,\"s\":-128,\"i\":9223372036854775807,\"u\":18446744073709551615,"
                                "\"f\":100000000000000000000000000000,\"g\":-0.0}");
    uint64_t u = 0;
    ASSERT_OK(slots_get_u64(o, 0, &u));
    CU_ASSERT_EQUAL(u, 255);
    int64_t i = 0;
    ASSERT_OK(slots_get_i64(o, 1, &i));
    CU_ASSERT_EQUAL(i, INT64_MAX);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, 4, &d));
    CU_ASSERT_EQUAL(d, 1e29);
    ASSERT_OK(slots_get_f64(o, 5, &d));
    CU_ASSERT_TRUE(d == 0 && signbit(d));
    ASSERT_OK(slots_free(o));
}

static void test_from_json_null_and_readonly(void) {
    fixture fx = def("NR", "id: i64 readonly, tag: str optional, n: i64", 0);
    slots_obj o = from_ok(fx.t, "{\"tag\":null,\"n\":1,\"n\":2}");
    const char *s;
    size_t len;
    ASSERT_STATUS(slots_get_str(o, 1, &s, &len), SLOTS_NULL);
    int64_t i = 0;
    ASSERT_OK(slots_get_i64(o, 2, &i)); /* a repeated key sets the field again */
    CU_ASSERT_EQUAL(i, 2);
    ASSERT_OK(slots_free(o));
    o = from_ok(fx.t, "{\"id\":5}");
    ASSERT_OK(slots_get_i64(o, 0, &i));
    CU_ASSERT_EQUAL(i, 5);
    ASSERT_STATUS(slots_set_i64(o, 0, 6), SLOTS_EREADONLY);
    ASSERT_OK(slots_free(o));
    from_fails(fx.t, "{\"id\":5,\"id\":6}", SLOTS_EREADONLY, NULL);
}

static void test_from_json_base64(void) {
    fixture fx = def("B64", "data: bytes, name: str optional", 0);
    slots_obj o = from_ok(fx.t, "{\"data\":\"AP/+Zm9v\"}");
    const void *p = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_bytes(o, 0, &p, &n));
    CU_ASSERT_EQUAL(n, 6);
    CU_ASSERT_TRUE(n == 6 && memcmp(p, "\x00\xff\xfe" "foo", 6) == 0);
    ASSERT_OK(slots_free(o));
    static const struct {
        const char *b64;
        size_t n;
    } ok[] = {{"", 0}, {"Zg==", 1}, {"Zm8=", 2}, {"Zm9v", 3}, {"Zm9vYg==", 4}, {"Zm9v\\/w==", 4}};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        char json[64];
        snprintf(json, sizeof json, "{\"data\":\"%s\"}", ok[k].b64);
        o = from_ok(fx.t, json);
        ASSERT_OK(slots_get_bytes(o, 0, &p, &n));
        CU_ASSERT_EQUAL(n, ok[k].n);
        ASSERT_OK(slots_free(o));
    }
    static const char *bad[] = {"Zg=", "Zg", "Z===", "====", "Zm9v!A==", "=Zg=", "Zg==Zg==", "Zm=v", "Zm9v\\n"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char json[64];
        snprintf(json, sizeof json, "{\"data\":\"%s\"}", bad[k]);
        from_fails(fx.t, json, SLOTS_EINVAL, "invalid base64 text for field 'data' (bytes)");
    }
    /* a str field takes the same text as text */
    o = from_ok(fx.t, "{\"name\":\"Zg==\"}");
    const char *s;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 4);
    ASSERT_OK(slots_free(o));
}

static void test_from_json_refs(void) {
    fixture node = def("Node", "v: i64, parent: ref optional", 0);
    slots_obj a = make(node.t);
    char json[128];
    snprintf(json, sizeof json, "{\"v\":1,\"parent\":%llu}", (unsigned long long)a);
    slots_obj b = from_ok(node.t, json);
    slots_obj r = 0;
    ASSERT_OK(slots_get_ref(b, 1, &r));
    CU_ASSERT_EQUAL(r, a);
    /* what to_json writes reads back as the same reference */
    const char *s;
    size_t n;
    ASSERT_OK(slots_to_json(b, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, json);
    ASSERT_OK(slots_free(b));
    ASSERT_OK(slots_free(a));
    from_fails(node.t, json, SLOTS_ESTALE, NULL); /* the target is gone */
    from_fails(node.t, "{\"parent\":12345}", SLOTS_ESTALE, NULL);
    b = from_ok(node.t, "{\"parent\":null}");
    ASSERT_STATUS(slots_get_ref(b, 1, &r), SLOTS_NULL);
    ASSERT_OK(slots_free(b));
}

static void test_from_json_extras(void) {
    fixture fx = def("Dyn", "id: i64", SLOTS_DYNAMIC);
    slots_obj o = from_ok(fx.t, "{\"id\":1,\"colour\":\"red\",\"n\":5,\"big\":18446744073709551615,\"f\":1.5,"
                                "\"b\":true,\"z\":null,\"e\\u0073c\":\"\\n\"}");
    size_t n = 0;
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 7);
    int kind = -1;
    ASSERT_OK(slots_extra_kind(o, "colour", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_STR);
    ASSERT_OK(slots_extra_kind(o, "n", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_I64);
    ASSERT_OK(slots_extra_kind(o, "big", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_U64);
    ASSERT_OK(slots_extra_kind(o, "f", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_F64);
    ASSERT_OK(slots_extra_kind(o, "b", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_BOOL);
    ASSERT_OK(slots_extra_kind(o, "z", &kind));
    CU_ASSERT_EQUAL(kind, 0);
    const char *s = NULL;
    size_t len = 0;
    ASSERT_OK(slots_extra_get_str(o, "esc", &s, &len));
    CU_ASSERT_TRUE(len == 1 && s[0] == '\n');
    int64_t i = 0;
    ASSERT_OK(slots_get_i64(o, 0, &i));
    CU_ASSERT_EQUAL(i, 1);
    /* and back out, extras after the fields, in insertion order */
    ASSERT_OK(slots_to_json(o, &s, &len));
    CU_ASSERT_STRING_EQUAL(s, "{\"id\":1,\"colour\":\"red\",\"n\":5,\"big\":18446744073709551615,\"f\":1.5,\"b\":true,"
                              "\"z\":null,\"esc\":\"\\n\"}");
    ASSERT_OK(slots_free(o));
    from_fails(fx.t, "{\"tags\":[1]}", SLOTS_ETYPE, "attribute 'tags' cannot hold a JSON array");
    from_fails(fx.t, "{\"obj\":{}}", SLOTS_ETYPE, "attribute 'obj' cannot hold a JSON object");
    from_fails(fx.t, "{\"huge\":123456789012345678901234567890}", SLOTS_ERANGE,
               "value 123456789012345678901234567890 out of range for attribute 'huge'");
    from_fails(fx.t, "{\"id\":\"x\"}", SLOTS_ETYPE, NULL); /* a field is still a field */
}

static void test_from_json_arguments(void) {
    fixture fx = def("Arg", "a: i64", 0);
    slots_obj o = 0;
    ASSERT_STATUS(slots_from_json(fx.t, NULL, 0, &o), SLOTS_EINVAL);
    ASSERT_MSG("must not be NULL");
    ASSERT_STATUS(slots_from_json(fx.t, "{}", 2, NULL), SLOTS_EINVAL);
    ASSERT_MSG("must not be NULL");
    ASSERT_STATUS(slots_from_json(NULL, "{}", 2, &o), SLOTS_EINVAL);
    static _Alignas(16) unsigned char not_a_type[4096];
    ASSERT_STATUS(slots_from_json((const slots_type *)(const void *)not_a_type, "{}", 2, &o), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(o, 0);
    /* the text need not be NUL-terminated: only len bytes are read */
    char exact[7];
    memcpy(exact, "{\"a\":9}", 7);
    ASSERT_OK(slots_from_json(fx.t, exact, sizeof exact, &o));
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, 9);
    ASSERT_OK(slots_free(o));
}

/* json_decode_object stops after the object and leaves what follows to its caller. */
static void test_decode_object_position(void) {
    fixture fx = def("Pos", "a: i64", 0);
    slots_obj h = 0;
    ASSERT_OK(slots_new_blank(fx.t, &h));
    recref r;
    ASSERT_OK(record_resolve(h, &r));
    const char *text = "xx {\"a\":3} rest";
    size_t pos = 2;
    ASSERT_OK(json_decode_object(&r, text, strlen(text), &pos));
    CU_ASSERT_EQUAL(pos, 10);
    pos = 40;
    ASSERT_STATUS(json_decode_object(&r, text, strlen(text), &pos), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(pos, 40);
    pos = 11;
    ASSERT_STATUS(json_decode_object(&r, text, strlen(text), &pos), SLOTS_EPARSE);
    ASSERT_MSG("Expecting object: line 1 column 12 (char 11)"); /* offsets count from the text's start */
    CU_ASSERT_EQUAL(pos, 11);
    ASSERT_STATUS(json_decode_object(NULL, text, 1, &pos), SLOTS_EINVAL);
    ASSERT_STATUS(json_decode_object(&r, NULL, 1, &pos), SLOTS_EINVAL);
    ASSERT_STATUS(json_decode_object(&r, text, 1, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_free(h));
}

/* Every allocation a decode makes can fail; each failure is reported and leaves nothing behind. */
static void test_from_json_out_of_memory(void) {
    fixture fx = def("Mem", "s: str, y: bytes, t: str = 'a default long enough to go out of line'", SLOTS_DYNAMIC);
    const char *json = "{\"s\":\"escaped \\u00e9 text that is long enough to be stored out of line\","
                       "\"y\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\",\"extra\":\"v\",\"k\\u0065y\":1.5e300}";
    size_t before = live(fx.t);
    int failures = 0;
    bool done = false;
    for (long k = 1; k < 200 && !done; k++) {
        slots_obj o = 0;
        mem_fail_at(k);
        int rc = slots_from_json(fx.t, json, strlen(json), &o);
        mem_fail_at(0);
        if (rc == SLOTS_OK) {
            size_t n = 0;
            ASSERT_OK(slots_extra_count(o, &n));
            CU_ASSERT_EQUAL(n, 2);
            ASSERT_OK(slots_free(o));
            done = true;
            continue;
        }
        failures++;
        CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
        CU_ASSERT_EQUAL(live(fx.t), before);
    }
    CU_ASSERT_TRUE(done);
    CU_ASSERT_TRUE(failures > 0);
}

/* A frozen type's fields are readonly, yet JSON gives each its first value. */
static void test_from_json_frozen(void) {
    fixture fx = def("Frozen", "a: i64, s: str", SLOTS_FROZEN);
    slots_obj o = from_ok(fx.t, "{\"a\":1,\"s\":\"x\"}");
    int64_t i = 0;
    ASSERT_OK(slots_get_i64(o, 0, &i));
    CU_ASSERT_EQUAL(i, 1);
    ASSERT_STATUS(slots_set_i64(o, 0, 2), SLOTS_EREADONLY);
    ASSERT_OK(slots_free(o));
    from_fails(fx.t, "{\"a\":1,\"a\":2}", SLOTS_EREADONLY, NULL);
}


/* ---- the decode plan (json.c) and the string scanner (jscan.c) at 8/16/32-byte block edges -------- */
/* Loads one JSON Lines text into a fresh store of t, with the decode plan or without it: the status,
 * and the message or the store's dump, into out (a failed load's message; an empty dump for none). */
static int load_text(const slots_type *t, const char *text, size_t len, bool plan, char *out, size_t cap) {
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    json_plan_enable(plan);
    int rc = slots_store_load_jsonl(s, text, len, 0, NULL, NULL);
    json_plan_enable(true);
    const char *dump = NULL;
    size_t n = 0;
    if (rc != SLOTS_OK) snprintf(out, cap, "%s", slots_errmsg());
    else if (slots_store_dump_jsonl(s, &dump, &n) == SLOTS_OK) snprintf(out, cap, "%s", dump);
    else snprintf(out, cap, "dump failed: %s", slots_errmsg());
    CU_ASSERT_EQUAL(slots_store_drop(s), SLOTS_OK);
    return rc;
}

/* The same text with and without the plan: the same status and message or records. */
static int load_both_ways(const slots_type *t, const char *text, size_t len, char *out, size_t cap) {
    char without[4096];
    int rc = load_text(t, text, len, true, out, cap), rc2 = load_text(t, text, len, false, without, sizeof without);
    CU_ASSERT_EQUAL(rc, rc2);
    if (strcmp(out, without) != 0) fprintf(stderr, "\n  %.*s\n  plan: %s\n  none: %s\n", (int)len, text, out, without);
    CU_ASSERT_STRING_EQUAL(out, without);
    return rc;
}

/* A name of every length 0..70 ending in each of: a plain byte, an escape, a \u escape, a byte
 * >= 0x80 of valid UTF-8, a cut UTF-8 sequence, a bad byte, a control byte; the plan and the
 * generic decoder agree, and the bad ones are refused with the place of the bad byte. */
static void test_plan_block_edges(void) {
    fixture fx = def("Edge", "id: i64 key, name: str, price: f64", 0);
    static const char *tails[] = {"x", "\\n", "\\u00e9", "\xc3\xa9", "\xc3", "\xff", "\x01", "\\\"", "\\"};
    char text[256], out[4096], name[128];
    for (size_t len = 0; len <= 70; len++)
        for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
            memset(name, 'a', len);
            name[len] = '\0';
            int n = snprintf(text, sizeof text, "{\"id\":7,\"name\":\"%s%s\",\"price\":0.25}\n", name, tails[k]);
            int rc = load_both_ways(fx.t, text, (size_t)n, out, sizeof out);
            if (k < 4) {
                CU_ASSERT_EQUAL(rc, SLOTS_OK);
            } else if (k == 4 || k == 5) {
                char want[96];
                snprintf(want, sizeof want, "invalid UTF-8 in value for field 'name' at byte %zu", len);
                CU_ASSERT_EQUAL(rc, SLOTS_EINVAL);
                CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
            } else if (k == 6) {
                char want[96];
                snprintf(want, sizeof want, "Invalid control character at: line 1 column %zu", 17 + len);
                CU_ASSERT_EQUAL(rc, SLOTS_EPARSE);
                CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
            }
        }
}

/* Numbers the plan reads in one pass, and the ones it leaves to the generic decoder: the same. */
static void test_plan_numbers(void) {
    fixture fx = def("PlanNum", "id: i64 key, q: i32 = 0, price: f64", 0);
    static const char *lines[] = {
        "{\"id\":1,\"price\":1}",        "{\"id\":-0,\"price\":-0}",   "{\"id\":01,\"price\":1}",
        "{\"id\":1,\"price\":1.}",       "{\"id\":1,\"price\":1e}",    "{\"id\":1,\"price\":.5}",
        "{\"id\":9223372036854775807,\"price\":1e400}", "{\"id\":9223372036854775808,\"price\":1}",
        "{\"id\":-9223372036854775808,\"price\":2.5e-330}", "{\"id\":1.5,\"price\":1}",
        "{\"id\":12345678901234567890123,\"price\":1}", "{\"id\":1,\"price\":123456789012345678901234567890}",
        "{\"id\":1,\"q\":2147483648,\"price\":1}", "{\"id\":1,\"price\":0.1e1,\"price\":2}",
        "{\"id\":1,\"price\":-}", "{\"id\":1 , \"price\" : 1 }", "{\"id\":1,\"price\":1E+2}",
        "{\"id\":2,\"price\":4}\n{\"id\":2,\"price\":5}", "{\"id\":1,\"price\":\"1\"}",
    };
    char out[4096];
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) load_both_ways(fx.t, lines[k], strlen(lines[k]), out, sizeof out);
    CU_ASSERT_EQUAL(load_both_ways(fx.t, LIT("{\"id\":1,\"price\":1}\n{\"id\":-3,\"price\":2.75}\n"), out, sizeof out), SLOTS_OK);
    CU_ASSERT_STRING_EQUAL(out, "{\"id\":1,\"q\":0,\"price\":1.0}\n{\"id\":-3,\"q\":0,\"price\":2.75}\n");
}

/* Dumps write names of every length with escapes at every block edge, and load them back. */
static void test_dump_block_edges(void) {
    fixture fx = def("DumpEdge", "id: i64 key, name: str", 0);
    slots_store *s = NULL, *back = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(fx.t, &s), SLOTS_OK);
    char name[80];
    for (int len = 0; len < 70; len++) {
        memset(name, 'b', (size_t)len);
        if (len) name[len - 1] = len % 3 == 0 ? '"' : len % 3 == 1 ? '\n' : '\x1f';
        slots_obj o;
        CU_ASSERT_EQUAL_FATAL(slots_store_append(s, &o), SLOTS_OK);
        CU_ASSERT_EQUAL(slots_set_i64(o, 0, len), SLOTS_OK);
        CU_ASSERT_EQUAL(slots_set_str(o, 1, name, (size_t)len), SLOTS_OK);
    }
    const char *dump = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(slots_store_dump_jsonl(s, &dump, &n), SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "\"name\":\"b\\u001f\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dump, "\"name\":\"bbbbbbbbbbbbbb\\\"\"}")); /* 15: a quote last */
    char *copy = strndup(dump, n);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(fx.t, &back), SLOTS_OK);
    CU_ASSERT_EQUAL(slots_store_load_jsonl(back, copy, n, 0, NULL, NULL), SLOTS_OK);
    CU_ASSERT_EQUAL(slots_store_dump_jsonl(back, &dump, &n), SLOTS_OK);
    CU_ASSERT_STRING_EQUAL(dump, copy);
    free(copy);
    CU_ASSERT_EQUAL(slots_store_drop(s), SLOTS_OK);
    CU_ASSERT_EQUAL(slots_store_drop(back), SLOTS_OK);
}

static CU_TestInfo tests[] = {
    {"from_json field names of every length", test_from_json_names_of_every_length},
    {"to_json basics", test_to_json_basic},
    {"to_json string escapes", test_to_json_strings},
    {"to_json floats", test_to_json_floats},
    {"to_json refuses non-finite floats", test_to_json_non_finite},
    {"NaN and Infinity when allowed, read back", test_non_finite_allowed},
    {"JSON Lines: extra data, NaN dumps", test_jsonl_strict_and_nan},
    {"to_json bytes as base64", test_to_json_bytes_base64},
    {"to_json refs and extras", test_to_json_refs_and_extras},
    {"to_json errors", test_to_json_errors},
    {"from_json basics and defaults", test_from_json_basic},
    {"from_json string escapes", test_from_json_string_escapes},
    {"from_json numbers", test_from_json_numbers},
    {"float round trip", test_float_round_trip},
    {"record round trip", test_round_trip_record},
    {"malformed JSON", test_from_json_malformed},
    {"unknown key", test_from_json_unknown_key},
    {"wrong kind", test_from_json_wrong_kind},
    {"ranges", test_from_json_ranges},
    {"null and readonly", test_from_json_null_and_readonly},
    {"base64 bytes", test_from_json_base64},
    {"refs", test_from_json_refs},
    {"dynamic extras", test_from_json_extras},
    {"from_json arguments", test_from_json_arguments},
    {"decode position", test_decode_object_position},
    {"from_json out of memory", test_from_json_out_of_memory},
    {"from_json frozen type", test_from_json_frozen},
    {"decode plan: strings at block edges", test_plan_block_edges},
    {"decode plan: numbers", test_plan_numbers},
    {"dump: escapes at block edges", test_dump_block_edges},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("json", tests); }
