/*
 * test_kinds_time.c — the textual kinds (timestamp, date, uuid, decimal(P,S)) through the public
 * API: field lists and defaults, every setter and getter they take or refuse (with the message),
 * the range edges, leap days and offsets, JSON, JSON Lines and CSV round trips, all-or-nothing
 * loads, repr, equality, hash, compare and copy.
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

__extension__ typedef __int128 i128;
#define DECIMAL_OF(p, s) (SLOTS_DECIMAL | (p) << SLOTS_DECIMAL_PRECISION_SHIFT | (s) << SLOTS_DECIMAL_SCALE_SHIFT)
#define TS_MIN_US (-62135596800000000LL) /* 0001-01-01T00:00:00Z */
#define TS_MAX_US (253402300799999999LL) /* 9999-12-31T23:59:59.999999Z */
#define DAYS_MIN (-719162)               /* 0001-01-01 */
#define DAYS_MAX 2932896                 /* 9999-12-31 */

static const char *FIELDS = "created: timestamp, born: date, id: uuid, price: decimal(10,2), big: decimal(38,4) optional";

static slots_type *define(const char *fields) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("K"), fields, NULL, 0, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return t;
}

static slots_obj blank(slots_type *t) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_new_blank(t, &o), SLOTS_OK);
    return o;
}

static int set_text(slots_obj o, int i, const char *s) { return slots_set_str(o, i, s, strlen(s)); }

/* Sets text, expects OK, and reads back `want`. */
static void text_round(slots_obj o, int i, const char *in, const char *want) {
    int rc = set_text(o, i, in);
    if (rc) fprintf(stderr, "\n  set \"%s\": %d %s\n", in, rc, slots_errmsg());
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, i, &s, &n));
    if (s && strcmp(s, want)) fprintf(stderr, "\n  \"%s\" read back \"%s\", want \"%s\"\n", in, s, want);
    CU_ASSERT_STRING_EQUAL(s, want);
    CU_ASSERT_EQUAL(n, strlen(want));
}

static void refused(slots_obj o, int i, const char *in, int code, const char *needle) {
    int rc = set_text(o, i, in);
    CU_ASSERT_EQUAL(rc, code);
    if (!errmsg_has(needle)) fprintf(stderr, "\n  \"%s\": message \"%s\", want \"%s\"\n", in, slots_errmsg(), needle);
    ASSERT_MSG(needle);
}

static void test_field_list_and_introspection(void) {
    slots_type *t = define(FIELDS);
    CU_ASSERT_EQUAL(slots_field_kind(t, 0), SLOTS_TIMESTAMP);
    CU_ASSERT_EQUAL(slots_field_kind(t, 1), SLOTS_DATE);
    CU_ASSERT_EQUAL(slots_field_kind(t, 2), SLOTS_UUID);
    CU_ASSERT_EQUAL(slots_field_kind(t, 3), SLOTS_DECIMAL);
    CU_ASSERT_STRING_EQUAL(slots_kind_name(SLOTS_TIMESTAMP), "timestamp");
    CU_ASSERT_STRING_EQUAL(slots_kind_name(SLOTS_DECIMAL), "decimal");
    CU_ASSERT_EQUAL(slots_field_size(t, 0), 8);
    CU_ASSERT_EQUAL(slots_field_size(t, 1), 4);
    CU_ASSERT_EQUAL(slots_field_size(t, 2), 16);
    CU_ASSERT_EQUAL(slots_field_size(t, 3), 8);
    CU_ASSERT_EQUAL(slots_field_size(t, 4), 16);
    int p = 0, s = 0;
    ASSERT_OK(slots_field_decimal(t, 3, &p, &s));
    CU_ASSERT_EQUAL(p, 10);
    CU_ASSERT_EQUAL(s, 2);
    ASSERT_OK(slots_field_decimal(t, 4, &p, &s));
    CU_ASSERT_EQUAL(p, 38);
    CU_ASSERT_EQUAL(s, 4);
    ASSERT_STATUS(slots_field_decimal(t, 0, &p, &s), SLOTS_ETYPE);
    ASSERT_MSG("is timestamp, not decimal");
    ASSERT_STATUS(slots_field_decimal(t, 9, &p, &s), SLOTS_EINVAL);
    /* malformed decimal kinds */
    slots_type *bad = NULL;
    const char *wrong[] = {"x: decimal", "x: decimal(39,2)", "x: decimal(5,6)", "x: decimal(0,0)", "x: decimal(5 2)",
                           "x: decimal(5,2", "x: decimal(,2)"};
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        ASSERT_STATUS(slots_type_define(unique_name("Bad"), wrong[i], NULL, 0, &bad), SLOTS_EPARSE);
        ASSERT_MSG("decimal(P,S)");
    }
    /* through specs: P and S in the kind */
    slots_field_spec specs[] = {{"amount", DECIMAL_OF(20, 3), 0, "\"1.5\"", NULL}};
    ASSERT_OK(slots_type_define_specs(unique_name("Spec"), specs, 1, NULL, 0, &bad));
    ASSERT_OK(slots_field_decimal(bad, 0, &p, &s));
    CU_ASSERT_EQUAL(p, 20);
    CU_ASSERT_EQUAL(s, 3);
    CU_ASSERT_EQUAL(slots_field_size(bad, 0), 16);
    CU_ASSERT_STRING_EQUAL(slots_field_default(bad, 0), "'1.500'");
    slots_field_spec plain[] = {{"amount", SLOTS_DECIMAL, 0, NULL, NULL}};
    ASSERT_STATUS(slots_type_define_specs(unique_name("Spec"), plain, 1, NULL, 0, &bad), SLOTS_EINVAL);
    slots_field_spec odd[] = {{"amount", SLOTS_I64 | (3 << 8), 0, NULL, NULL}};
    ASSERT_STATUS(slots_type_define_specs(unique_name("Spec"), odd, 1, NULL, 0, &bad), SLOTS_EINVAL);
    /* a textual kind cannot be a key */
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "id: uuid key", NULL, 0, &bad), SLOTS_ELAYOUT);
}

static void test_defaults(void) {
    slots_type *t = define("at: timestamp = \"2024-01-01T01:00:00+01:00\", d: date = '2024-02-29', "
                           "u: uuid = \"{12345678-1234-5678-1234-567812345678}\", p: decimal(6,2) = 12.5, "
                           "q: decimal(6,2) = '-0.01', n: timestamp = 0, o: date = null optional");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 0), "'2024-01-01T00:00:00Z'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 1), "'2024-02-29'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 2), "'12345678-1234-5678-1234-567812345678'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 3), "'12.50'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 4), "'-0.01'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 5), "'1970-01-01T00:00:00Z'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 6), "None");
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    const char *s;
    size_t n;
    ASSERT_OK(slots_get_str(o, 0, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "2024-01-01T00:00:00Z");
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 1, &v));
    CU_ASSERT_EQUAL(v, 19782);
    /* a default's canonical text defines the same type again */
    slots_type *bad = NULL;
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "d: date = '2023-02-30'", NULL, 0, &bad), SLOTS_ERANGE);
    ASSERT_MSG("default of ");
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "d: date = 'soon'", NULL, 0, &bad), SLOTS_EPARSE);
    ASSERT_MSG("invalid date for ");
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "p: decimal(4,1) = 1.25", NULL, 0, &bad), SLOTS_ERANGE);
    ASSERT_MSG("has more than 1 digits after the point");
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "p: decimal(4,1) = 1000", NULL, 0, &bad), SLOTS_ERANGE);
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "d: date = true", NULL, 0, &bad), SLOTS_ETYPE);
    ASSERT_MSG("must be date, not bool");
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "u: uuid = 5", NULL, 0, &bad), SLOTS_ETYPE);
    ASSERT_STATUS(slots_type_define(unique_name("Bad"), "d: date = null", NULL, 0, &bad), SLOTS_ETYPE);
}

static void test_timestamp_access(void) {
    slots_type *t = define(FIELDS);
    slots_obj o = blank(t);
    text_round(o, 0, "2024-02-29T12:00:00+02:00", "2024-02-29T10:00:00Z");
    text_round(o, 0, "2024-03-01T00:30:00-01:00", "2024-03-01T01:30:00Z");
    text_round(o, 0, "2024-02-29 23:59:59.5z", "2024-02-29T23:59:59.500000Z");
    text_round(o, 0, "1970-01-01T00:00:00.000001Z", "1970-01-01T00:00:00.000001Z");
    text_round(o, 0, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z");
    text_round(o, 0, "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z");
    text_round(o, 0, "1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z");
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, -1);
    ASSERT_OK(slots_set_i64(o, 0, TS_MAX_US));
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, TS_MAX_US);
    ASSERT_OK(slots_set_i64(o, 0, TS_MIN_US));
    ASSERT_STATUS(slots_set_i64(o, 0, TS_MAX_US + 1), SLOTS_ERANGE);
    ASSERT_MSG("out of range for field 'created' (timestamp)");
    ASSERT_STATUS(slots_set_i64(o, 0, TS_MIN_US - 1), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_u64(o, 0, UINT64_MAX), SLOTS_ERANGE);
    ASSERT_OK(slots_set_u64(o, 0, 86400000000ULL));
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, 86400000000LL); /* nothing changed by the refusals before */
    refused(o, 0, "9999-12-31T23:59:59-00:01", SLOTS_ERANGE, "out of range for field 'created' (timestamp)");
    refused(o, 0, "0001-01-01T00:00:00+00:01", SLOTS_ERANGE, "out of range");
    refused(o, 0, "2023-02-29T00:00:00Z", SLOTS_ERANGE, "value '2023-02-29T00:00:00Z' out of range for field 'created' (timestamp)");
    refused(o, 0, "2024-02-29T00:00:00", SLOTS_EPARSE, "invalid timestamp for "); /* no offset: not an instant */
    refused(o, 0, "yesterday", SLOTS_EPARSE, "'yesterday' (RFC 3339");
    refused(o, 0, "", SLOTS_EPARSE, "invalid timestamp");
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, 86400000000LL);
    double d;
    ASSERT_STATUS(slots_get_f64(o, 0, &d), SLOTS_ETYPE);
    ASSERT_MSG("is timestamp, not a float");
    ASSERT_STATUS(slots_set_f64(o, 0, 1.5), SLOTS_ETYPE);
    ASSERT_MSG("must be timestamp, not float");
    ASSERT_STATUS(slots_set_bool(o, 0, 1), SLOTS_ETYPE);
    const void *p;
    size_t n;
    ASSERT_STATUS(slots_get_bytes(o, 0, &p, &n), SLOTS_ETYPE);
    slots_free(o);
}

static void test_date_access(void) {
    slots_type *t = define(FIELDS);
    slots_obj o = blank(t);
    text_round(o, 1, "2024-02-29", "2024-02-29");
    text_round(o, 1, "2000-02-29", "2000-02-29");
    text_round(o, 1, "0001-01-01", "0001-01-01");
    text_round(o, 1, "9999-12-31", "9999-12-31");
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 1, &v));
    CU_ASSERT_EQUAL(v, DAYS_MAX);
    ASSERT_OK(slots_set_i64(o, 1, DAYS_MIN));
    const char *s;
    size_t n;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "0001-01-01");
    ASSERT_OK(slots_set_i64(o, 1, 0));
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "1970-01-01");
    ASSERT_STATUS(slots_set_i64(o, 1, DAYS_MAX + 1), SLOTS_ERANGE);
    ASSERT_MSG("value 2932897 out of range for field 'born' (date)");
    ASSERT_STATUS(slots_set_i64(o, 1, DAYS_MIN - 1), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_i64(o, 1, INT64_MAX), SLOTS_ERANGE);
    refused(o, 1, "1900-02-29", SLOTS_ERANGE, "out of range for field 'born' (date)");
    refused(o, 1, "2024-02-29T00:00:00Z", SLOTS_EPARSE, "invalid date for ");
    refused(o, 1, "2024-13-01", SLOTS_ERANGE, "value '2024-13-01' out of range for field 'born' (date)");
    refused(o, 1, "2024-1-01", SLOTS_EPARSE, "(YYYY-MM-DD)");
    refused(o, 1, "0000-12-31", SLOTS_ERANGE, "out of range");
    ASSERT_OK(slots_get_i64(o, 1, &v));
    CU_ASSERT_EQUAL(v, 0);
    slots_free(o);
}

static const unsigned char UUID_BYTES[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                                             0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

static void test_uuid_access(void) {
    slots_type *t = define(FIELDS);
    slots_obj o = blank(t);
    const char *canon = "12345678-9abc-def0-1234-56789abcdef0";
    text_round(o, 2, "12345678-9ABC-DEF0-1234-56789ABCDEF0", canon);
    text_round(o, 2, "{123456789abcdef0123456789abcdef0}", canon);
    text_round(o, 2, "urn:uuid:12345678-9abc-def0-1234-56789abcdef0", canon);
    const void *p = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_bytes(o, 2, &p, &n));
    CU_ASSERT_EQUAL(n, 16);
    CU_ASSERT_EQUAL(memcmp(p, UUID_BYTES, 16), 0);
    unsigned char zero[16] = {0};
    ASSERT_OK(slots_set_bytes(o, 2, zero, 16));
    const char *s;
    ASSERT_OK(slots_get_str(o, 2, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "00000000-0000-0000-0000-000000000000");
    ASSERT_OK(slots_set_bytes(o, 2, UUID_BYTES, 16));
    ASSERT_STATUS(slots_set_bytes(o, 2, UUID_BYTES, 15), SLOTS_EINVAL);
    ASSERT_MSG("a uuid is 16 bytes, not 15");
    ASSERT_STATUS(slots_set_bytes(o, 2, NULL, 16), SLOTS_EINVAL);
    refused(o, 2, "12345678-9abc-def0-1234-56789abcdef", SLOTS_EPARSE, "invalid uuid for ");
    refused(o, 2, "not a uuid", SLOTS_EPARSE, "(a hexadecimal UUID)");
    ASSERT_STATUS(slots_set_i64(o, 2, 1), SLOTS_ETYPE);
    ASSERT_MSG("must be uuid, not int");
    int64_t v;
    ASSERT_STATUS(slots_get_i64(o, 2, &v), SLOTS_ETYPE);
    ASSERT_MSG("is uuid, not an integer");
    ASSERT_OK(slots_get_str(o, 2, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, canon);
    slots_free(o);
}

static void test_decimal_access(void) {
    slots_type *t = define(FIELDS);
    slots_obj o = blank(t);
    text_round(o, 3, "12.5", "12.50");
    text_round(o, 3, "-0.01", "-0.01");
    text_round(o, 3, "1.500", "1.50");
    text_round(o, 3, "1e3", "1000.00");
    text_round(o, 3, "99999999.99", "99999999.99");
    text_round(o, 3, "-99999999.99", "-99999999.99");
    text_round(o, 3, "0", "0.00");
    refused(o, 3, "1.234", SLOTS_ERANGE, ".price has more than 2 digits after the point: '1.234'");
    refused(o, 3, "100000000", SLOTS_ERANGE, "out of range for field 'price' (decimal(10,2))");
    refused(o, 3, "1.2.3", SLOTS_EPARSE, "invalid decimal(10,2) for ");
    refused(o, 3, "NaN", SLOTS_EPARSE, "(a decimal number)");
    ASSERT_OK(slots_set_i64(o, 3, 42));
    const char *s;
    size_t n;
    ASSERT_OK(slots_get_str(o, 3, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "42.00");
    ASSERT_OK(slots_set_i64(o, 3, -99999999));
    ASSERT_STATUS(slots_set_i64(o, 3, 100000000), SLOTS_ERANGE);
    ASSERT_MSG("value 100000000 out of range for field 'price' (decimal(10,2))");
    ASSERT_STATUS(slots_set_i64(o, 3, INT64_MIN), SLOTS_ERANGE);
    ASSERT_STATUS(slots_set_f64(o, 3, 1.5), SLOTS_ETYPE);
    ASSERT_MSG("must be decimal, not float");
    double d;
    ASSERT_STATUS(slots_get_f64(o, 3, &d), SLOTS_ETYPE);
    int64_t v;
    ASSERT_STATUS(slots_get_i64(o, 3, &v), SLOTS_ETYPE);
    ASSERT_OK(slots_get_str(o, 3, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "-99999999.00");
    /* 38 digits, 16 bytes */
    text_round(o, 4, "9999999999999999999999999999999999.9999", "9999999999999999999999999999999999.9999");
    text_round(o, 4, "-9999999999999999999999999999999999.9999", "-9999999999999999999999999999999999.9999");
    refused(o, 4, "10000000000000000000000000000000000", SLOTS_ERANGE, "(decimal(38,4))");
    ASSERT_OK(slots_set_i64(o, 4, INT64_MIN));
    ASSERT_OK(slots_get_str(o, 4, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "-9223372036854775808.0000");
    ASSERT_OK(slots_set_u64(o, 4, UINT64_MAX));
    ASSERT_OK(slots_get_str(o, 4, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "18446744073709551615.0000");
    ASSERT_OK(slots_set_null(o, 4));
    ASSERT_STATUS(slots_get_str(o, 4, &s, &n), SLOTS_NULL);
    ASSERT_STATUS(slots_set_null(o, 3), SLOTS_ETYPE);
    ASSERT_MSG("must be decimal, not None");
    slots_free(o);
}

/* A record with every field set, from JSON. */
static const char *JSON_IN = "{\"created\":\"2024-02-29T12:00:00.25+05:30\",\"born\":\"2000-02-29\","
                             "\"id\":\"{12345678-9ABC-DEF0-1234-56789ABCDEF0}\",\"price\":1234.5,"
                             "\"big\":\"-12345678901234567890123.4567\"}";
static const char *JSON_OUT = "{\"created\":\"2024-02-29T06:30:00.250000Z\",\"born\":\"2000-02-29\","
                              "\"id\":\"12345678-9abc-def0-1234-56789abcdef0\",\"price\":\"1234.50\","
                              "\"big\":\"-12345678901234567890123.4567\"}";

static void test_json(void) {
    slots_type *t = define(FIELDS);
    slots_obj o = 0, back = 0;
    int rc = slots_from_json(t, JSON_IN, strlen(JSON_IN), &o);
    if (rc) fprintf(stderr, "\n  from_json: %s\n", slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    const char *out;
    size_t n;
    ASSERT_OK(slots_to_json(o, &out, &n));
    CU_ASSERT_STRING_EQUAL(out, JSON_OUT);
    char *copy = strdup(out);
    ASSERT_OK(slots_from_json(t, copy, strlen(copy), &back));
    CU_ASSERT_EQUAL(slots_equal(o, back), 1);
    free(copy);
    /* numbers: a timestamp's microseconds, a date's days, a decimal exactly */
    const char *nums = "{\"created\":0,\"born\":-1,\"id\":\"00000000000000000000000000000000\",\"price\":-0.10,"
                       "\"big\":1E+30}";
    slots_obj m = 0;
    ASSERT_OK(slots_from_json(t, nums, strlen(nums), &m));
    ASSERT_OK(slots_to_json(m, &out, &n));
    CU_ASSERT_STRING_EQUAL(out, "{\"created\":\"1970-01-01T00:00:00Z\",\"born\":\"1969-12-31\","
                                "\"id\":\"00000000-0000-0000-0000-000000000000\",\"price\":\"-0.10\","
                                "\"big\":\"1000000000000000000000000000000.0000\"}");
    const char *fine = "{\"created\":0,\"born\":0,\"id\":\"00000000000000000000000000000000\",\"price\":0.001}";
    ASSERT_STATUS(slots_from_json(t, fine, strlen(fine), &m), SLOTS_ERANGE);
    ASSERT_MSG("has more than 2 digits after the point: '0.001'");
    const char *flt = "{\"created\":1.5,\"born\":0,\"id\":\"00000000000000000000000000000000\",\"price\":0}";
    ASSERT_STATUS(slots_from_json(t, flt, strlen(flt), &m), SLOTS_ETYPE);
    ASSERT_MSG("must be timestamp, not float");
    const char *obj = "{\"created\":0,\"born\":0,\"id\":[],\"price\":0}";
    ASSERT_STATUS(slots_from_json(t, obj, strlen(obj), &m), SLOTS_ETYPE);
}

static void test_repr_equal_hash_compare_copy(void) {
    slots_type *t = define(FIELDS);
    slots_obj a = 0, b = 0, c = 0;
    ASSERT_OK(slots_from_json(t, JSON_IN, strlen(JSON_IN), &a));
    const char *out;
    size_t n;
    ASSERT_OK(slots_repr(a, &out, &n));
    char want[512];
    snprintf(want, sizeof want,
             "%s(created='2024-02-29T06:30:00.250000Z', born='2000-02-29', id='12345678-9abc-def0-1234-56789abcdef0', "
             "price='1234.50', big='-12345678901234567890123.4567')",
             slots_type_name(t));
    if (strcmp(out, want)) fprintf(stderr, "\n  repr %s\n", out);
    CU_ASSERT_STRING_EQUAL(out, want);
    ASSERT_OK(slots_copy(a, &b));
    CU_ASSERT_EQUAL(slots_equal(a, b), 1);
    uint64_t ha = 0, hb = 1;
    ASSERT_OK(slots_hash(a, &ha));
    ASSERT_OK(slots_hash(b, &hb));
    CU_ASSERT_EQUAL(ha, hb);
    int cmp = 9;
    ASSERT_OK(slots_compare(a, b, &cmp));
    CU_ASSERT_EQUAL(cmp, 0);
    /* each field orders by value, not by text */
    ASSERT_OK(set_text(b, 0, "2024-02-29T06:30:00Z")); /* earlier than .25 */
    ASSERT_OK(slots_compare(a, b, &cmp));
    CU_ASSERT_EQUAL(cmp, 1);
    CU_ASSERT_EQUAL(slots_equal(a, b), 0);
    ASSERT_OK(slots_copy(a, &c));
    ASSERT_OK(set_text(c, 4, "-12345678901234567890124")); /* smaller */
    ASSERT_OK(slots_compare(a, c, &cmp));
    CU_ASSERT_EQUAL(cmp, 1);
    ASSERT_OK(slots_hash(c, &hb));
    CU_ASSERT_NOT_EQUAL(ha, hb);
    ASSERT_OK(set_text(c, 4, "-12345678901234567890123.4567"));
    ASSERT_OK(set_text(c, 3, "-1"));
    ASSERT_OK(slots_compare(a, c, &cmp));
    CU_ASSERT_EQUAL(cmp, 1);
    ASSERT_OK(set_text(c, 3, "1234.5"));
    ASSERT_OK(set_text(c, 2, "ffffffff-0000-0000-0000-000000000000"));
    ASSERT_OK(slots_compare(a, c, &cmp));
    CU_ASSERT_EQUAL(cmp, -1);
    slots_free(a);
    slots_free(b);
    slots_free(c);
}

static slots_store *store_of(slots_type *t) {
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    return s;
}

static size_t count(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

static const char *LINES =
    "{\"created\":\"0001-01-01T00:00:00Z\",\"born\":\"0001-01-01\",\"id\":\"00000000-0000-0000-0000-000000000000\",\"price\":\"-99999999.99\",\"big\":null}\n"
    "{\"created\":\"9999-12-31T23:59:59.999999Z\",\"born\":\"9999-12-31\",\"id\":\"ffffffff-ffff-ffff-ffff-ffffffffffff\",\"price\":\"99999999.99\",\"big\":\"99999999999999999999999999999999.9999\"}\n"
    "{\"created\":\"2024-02-29T00:00:00Z\",\"born\":\"2024-02-29\",\"id\":\"12345678-9abc-def0-1234-56789abcdef0\",\"price\":\"0.00\",\"big\":\"0.0000\"}\n";

static void test_jsonl_round_trip_and_all_or_nothing(void) {
    slots_type *t = define(FIELDS);
    slots_store *s = store_of(t);
    size_t loaded = 0, skipped = 0;
    int rc = slots_store_load_jsonl(s, LINES, strlen(LINES), 0, &loaded, &skipped);
    if (rc) fprintf(stderr, "\n  load: %s\n", slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, 3);
    const char *out;
    size_t n;
    ASSERT_OK(slots_store_dump_jsonl(s, &out, &n));
    CU_ASSERT_STRING_EQUAL(out, LINES);
    /* a bad value on line 3 (a leap day that is not one): nothing is loaded */
    slots_store *s2 = store_of(t);
    const char *bad = "{\"created\":0,\"born\":0,\"id\":\"00000000000000000000000000000000\",\"price\":1,\"big\":null}\n"
                      "{\"created\":0,\"born\":1,\"id\":\"00000000000000000000000000000000\",\"price\":2,\"big\":null}\n"
                      "{\"created\":0,\"born\":\"2023-02-29\",\"id\":\"00000000000000000000000000000000\",\"price\":3,\"big\":null}\n";
    ASSERT_STATUS(slots_store_load_jsonl(s2, bad, strlen(bad), 0, &loaded, &skipped), SLOTS_ERANGE);
    ASSERT_MSG("line 3: value '2023-02-29' out of range for field 'born' (date)");
    CU_ASSERT_EQUAL(count(s2), 0);
    const char *fine = "{\"created\":0,\"born\":0,\"id\":\"00000000000000000000000000000000\",\"price\":1,\"big\":null}\n"
                       "{\"created\":0,\"born\":0,\"id\":\"00000000000000000000000000000000\",\"price\":1.005,\"big\":null}\n";
    ASSERT_STATUS(slots_store_load_jsonl(s2, fine, strlen(fine), 0, &loaded, &skipped), SLOTS_ERANGE);
    ASSERT_MSG("line 2");
    ASSERT_MSG("has more than 2 digits after the point");
    CU_ASSERT_EQUAL(count(s2), 0);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(s2));
}

static void test_csv_round_trip_and_all_or_nothing(void) {
    slots_type *t = define(FIELDS);
    slots_store *s = store_of(t);
    size_t loaded = 0, skipped = 0;
    const char *csv = "created,born,id,price,big\n"
                      "2024-02-29T12:00:00+02:00,2024-02-29,{12345678-9ABC-DEF0-1234-56789ABCDEF0},1.5,\n"
                      "0001-01-01 00:00:00Z,0001-01-01,00000000000000000000000000000000,-0.01,1e-4\n";
    int rc = slots_store_load_csv(s, csv, strlen(csv), 0, &loaded, &skipped);
    if (rc) fprintf(stderr, "\n  load_csv: %s\n", slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    const char *out;
    size_t n;
    ASSERT_OK(slots_store_dump_csv(s, &out, &n));
    const char *want = "created,born,id,price,big\n"
                       "2024-02-29T10:00:00Z,2024-02-29,12345678-9abc-def0-1234-56789abcdef0,1.50,\n"
                       "0001-01-01T00:00:00Z,0001-01-01,00000000-0000-0000-0000-000000000000,-0.01,0.0001\n";
    if (strcmp(out, want)) fprintf(stderr, "\n  csv dump:\n%s\n", out);
    CU_ASSERT_STRING_EQUAL(out, want);
    /* the dump loads back to equal records */
    char *copy = strdup(out);
    slots_store *s2 = store_of(t);
    ASSERT_OK(slots_store_load_csv(s2, copy, strlen(copy), 0, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 2);
    for (size_t i = 0; i < 2; i++) {
        slots_obj a = 0, b = 0;
        ASSERT_OK(slots_store_at(s, i, &a));
        ASSERT_OK(slots_store_at(s2, i, &b));
        CU_ASSERT_EQUAL(slots_equal(a, b), 1);
    }
    free(copy);
    /* a bad uuid on line 3: nothing loaded */
    slots_store *s3 = store_of(t);
    const char *bad = "created,born,id,price,big\n"
                      "2024-01-01T00:00:00Z,2024-01-01,00000000000000000000000000000000,1,\n"
                      "2024-01-01T00:00:00Z,2024-01-01,0000000000000000000000000000000g,1,\n";
    ASSERT_STATUS(slots_store_load_csv(s3, bad, strlen(bad), 0, &loaded, &skipped), SLOTS_EPARSE);
    ASSERT_MSG("line 3");
    ASSERT_MSG("invalid uuid for ");
    CU_ASSERT_EQUAL(count(s3), 0);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(s2));
    ASSERT_OK(slots_store_drop(s3));
}

static char seen_text[64];
static int seen_kind;

/* Refuses prices below zero; remembers what it was given. */
static int no_negative(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)self, (void)field, (void)ctx;
    seen_kind = v->kind;
    snprintf(seen_text, sizeof seen_text, "%.*s", (int)v->len, v->s ? v->s : "");
    if (v->kind == SLOTS_STR && v->len && v->s[0] == '-') return snprintf(msg, cap, "no negative prices"), 1;
    return 0;
}

static void test_validator_gets_text(void) {
    slots_type *t = define(FIELDS);
    ASSERT_OK(slots_field_set_validator(t, 3, no_negative, NULL));
    slots_obj o = blank(t);
    ASSERT_OK(slots_set_i64(o, 3, 12));
    CU_ASSERT_EQUAL(seen_kind, SLOTS_STR);
    CU_ASSERT_STRING_EQUAL(seen_text, "12.00");
    refused(o, 3, "-1.5", SLOTS_EINVAL, ".price: no negative prices");
    const char *s;
    size_t n;
    ASSERT_OK(slots_get_str(o, 3, &s, &n));
    CU_ASSERT_STRING_EQUAL(s, "12.00");
    slots_free(o);
}

/* The n pairs of an Arrow metadata blob, key i at kv[2i]: true when they are exactly these. */
static bool metadata_pairs_are(const char *m, int n, const char *const *kv) {
    int32_t count, len;
    if (!m) return false;
    memcpy(&count, m, 4), m += 4;
    if (count != n) return false;
    for (int i = 0; i < 2 * n; i++) {
        memcpy(&len, m, 4), m += 4;
        if ((size_t)len != strlen(kv[i]) || memcmp(m, kv[i], (size_t)len) != 0) return false;
        m += len;
    }
    return true;
}

static void test_arrow_export(void) {
    slots_type *t = define(FIELDS);
    slots_store *s = store_of(t);
    size_t loaded = 0, skipped = 0;
    ASSERT_OK(slots_store_load_jsonl(s, LINES, strlen(LINES), 0, &loaded, &skipped));
    struct ArrowSchema schema;
    struct ArrowArray array;
    ASSERT_OK(slots_store_export_array(s, 0, &schema, &array));
    CU_ASSERT_EQUAL_FATAL(schema.n_children, 5);
    CU_ASSERT_STRING_EQUAL(schema.children[0]->format, "tsu:UTC");
    CU_ASSERT_STRING_EQUAL(schema.children[1]->format, "tdD");
    CU_ASSERT_STRING_EQUAL(schema.children[2]->format, "w:16");
    CU_ASSERT_STRING_EQUAL(schema.children[3]->format, "d:10,2");
    CU_ASSERT_STRING_EQUAL(schema.children[4]->format, "d:38,4");
    static const char *const uuid_meta[] = {"ARROW:extension:name", "arrow.uuid", "ARROW:extension:metadata", ""};
    CU_ASSERT_TRUE(metadata_pairs_are(schema.children[2]->metadata, 2, uuid_meta));
    CU_ASSERT_PTR_NULL(schema.children[0]->metadata);
    CU_ASSERT_EQUAL_FATAL(array.length, 3);
    int64_t ts[3];
    memcpy(ts, array.children[0]->buffers[1], sizeof ts);
    CU_ASSERT_EQUAL(ts[0], TS_MIN_US);
    CU_ASSERT_EQUAL(ts[1], TS_MAX_US);
    CU_ASSERT_EQUAL(ts[2], 1709164800000000LL);
    int32_t days[3];
    memcpy(days, array.children[1]->buffers[1], sizeof days);
    CU_ASSERT_EQUAL(days[0], DAYS_MIN);
    CU_ASSERT_EQUAL(days[1], DAYS_MAX);
    CU_ASSERT_EQUAL(days[2], 19782);
    const unsigned char *u = array.children[2]->buffers[1];
    CU_ASSERT_EQUAL(u[0], 0x00);
    CU_ASSERT_EQUAL(u[16], 0xff);
    CU_ASSERT_EQUAL(memcmp(u + 32, UUID_BYTES, 16), 0);
    /* decimal128 little-endian, the 8-byte field widened with its sign */
    i128 d[3];
    memcpy(d, array.children[3]->buffers[1], sizeof d);
    CU_ASSERT_TRUE(d[0] == -9999999999LL);
    CU_ASSERT_TRUE(d[1] == 9999999999LL);
    CU_ASSERT_TRUE(d[2] == 0);
    memcpy(d, array.children[4]->buffers[1], sizeof d);
    i128 max38 = 1;
    for (int i = 0; i < 36; i++) max38 *= 10; /* 99999999999999999999999999999999.9999 = 10^36 - 1 */
    CU_ASSERT_TRUE(d[1] == max38 - 1);
    CU_ASSERT_EQUAL(array.children[4]->null_count, 1);
    array.release(&array);
    schema.release(&schema);
    ASSERT_OK(slots_store_drop(s));
}

static void test_arrow_round_trip(void) {
    slots_type *t = define(FIELDS);
    slots_store *s = store_of(t), *copy = store_of(t);
    size_t loaded = 0, skipped = 0;
    ASSERT_OK(slots_store_load_jsonl(s, LINES, strlen(LINES), 0, &loaded, &skipped));
    struct ArrowArrayStream st;
    ASSERT_OK(slots_store_export_stream(s, 2, 0, &st));
    int rc = slots_store_import_stream(copy, &st, 0, &loaded);
    if (rc) fprintf(stderr, "\n  import: %s\n", slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, 3);
    const char *out;
    size_t n;
    ASSERT_OK(slots_store_dump_jsonl(copy, &out, &n));
    CU_ASSERT_STRING_EQUAL(out, LINES);
    /* into narrower fields: the decimal(38,4) column into decimal(6,1) refuses 9999...9.9999; the
     * import changes nothing */
    slots_type *narrow = define("created: timestamp, born: date, id: uuid, price: decimal(12,3), big: decimal(6,1) optional");
    slots_store *small = store_of(narrow);
    ASSERT_OK(slots_store_export_stream(s, 2, 0, &st));
    ASSERT_STATUS(slots_store_import_stream(small, &st, 0, &loaded), SLOTS_ERANGE);
    ASSERT_MSG("batch 0, row 1: ");
    ASSERT_MSG(".big has more than 1 digits after the point");
    CU_ASSERT_EQUAL(count(small), 0);
    /* a scale too coarse for the column's digits: refused, not rounded */
    slots_type *coarse = define("created: timestamp, born: date, id: uuid, price: decimal(12,1), big: decimal(38,4) optional");
    slots_store *cs = store_of(coarse);
    ASSERT_OK(slots_store_export_stream(s, 2, 0, &st));
    ASSERT_STATUS(slots_store_import_stream(cs, &st, 0, &loaded), SLOTS_ERANGE);
    ASSERT_MSG("has more than 1 digits after the point: '-99999999.99'");
    CU_ASSERT_EQUAL(count(cs), 0);
    /* a wider scale takes them exactly */
    slots_type *wide = define("created: timestamp, born: date, id: uuid, price: decimal(20,5), big: decimal(38,4) optional");
    slots_store *ws = store_of(wide);
    ASSERT_OK(slots_store_export_stream(s, 2, 0, &st));
    ASSERT_OK(slots_store_import_stream(ws, &st, 0, &loaded));
    slots_obj o = 0;
    ASSERT_OK(slots_store_at(ws, 0, &o));
    ASSERT_OK(slots_get_str(o, 3, &out, &n));
    CU_ASSERT_STRING_EQUAL(out, "-99999999.99000");
    /* a timestamp column does not go into an i64 field */
    slots_type *ints = define("created: i64, born: date, id: uuid, price: decimal(12,3), big: decimal(38,4) optional");
    slots_store *is = store_of(ints);
    ASSERT_OK(slots_store_export_stream(s, 2, 0, &st));
    ASSERT_STATUS(slots_store_import_stream(is, &st, 0, &loaded), SLOTS_ETYPE);
    ASSERT_MSG("must be i64, not timestamp");
    slots_store *stores[] = {s, copy, small, cs, ws, is};
    for (size_t i = 0; i < sizeof stores / sizeof *stores; i++) ASSERT_OK(slots_store_drop(stores[i]));
}

int main(void) {
    CU_TestInfo tests[] = {
        {"field lists, specs and slots_field_decimal", test_field_list_and_introspection},
        {"defaults in field lists", test_defaults},
        {"timestamp: text, offsets, micros, range, refusals", test_timestamp_access},
        {"date: text, leap days, days, range, refusals", test_date_access},
        {"uuid: spellings, 16 bytes, refusals", test_uuid_access},
        {"decimal: exact, scaled integers, 8 and 16 bytes, refusals", test_decimal_access},
        {"JSON: strings and numbers in, strings out", test_json},
        {"repr, equality, hash, compare and copy", test_repr_equal_hash_compare_copy},
        {"JSON Lines round trip; a bad line N loads nothing", test_jsonl_round_trip_and_all_or_nothing},
        {"CSV round trip; a bad line N loads nothing", test_csv_round_trip_and_all_or_nothing},
        {"a validator gets the canonical text", test_validator_gets_text},
        {"Arrow export: tsu:UTC, tdD, w:16 arrow.uuid, d:P,S", test_arrow_export},
        {"Arrow import: round trip, other scales, refusals", test_arrow_round_trip},
        CU_TEST_INFO_NULL,
    };
    return run_suite("textual kinds", tests);
}
