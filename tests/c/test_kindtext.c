/*
 * test_kindtext.c — the text of the time, uuid and decimal kinds (timetext.c, uuidtext.c,
 * dectext.c): every day of years 1..9999 both ways, RFC 3339 offsets normalized to UTC, the edges
 * of Python's datetime range, every spelling uuid.UUID reads, and decimals that are exact or
 * refused, never rounded.
 */
#include "harness.h"
#include "base.h"

#include <stdio.h>

static int64_t ts(const char *s) {
    int64_t v = 0;
    int rc = timestamp_parse(s, strlen(s), &v);
    if (rc) fprintf(stderr, "\n  timestamp \"%s\": %d\n", s, rc);
    CU_ASSERT_EQUAL(rc, SLOTS_OK);
    return v;
}

static int ts_rc(const char *s) {
    int64_t v = 12345;
    int rc = timestamp_parse(s, strlen(s), &v);
    CU_ASSERT_EQUAL(v, 12345); /* untouched on failure */
    return rc;
}

static void check_ts_text(int64_t us, const char *want) {
    char out[TIMESTAMP_TEXT_MAX];
    size_t n = timestamp_format(us, out);
    if (strcmp(out, want)) fprintf(stderr, "\n  %lld -> \"%s\", want \"%s\"\n", (long long)us, out, want);
    CU_ASSERT_STRING_EQUAL(out, want);
    CU_ASSERT_EQUAL(n, strlen(want));
}

static void test_every_day_round_trips(void) {
    int32_t prev = 0;
    int bad = 0;
    for (int64_t y = 1; y <= 9999; y++)
        for (unsigned m = 1; m <= 12; m++)
            for (unsigned d = 1; d <= 31; d++) {
                char text[32], out[DATE_TEXT_MAX];
                snprintf(text, sizeof text, "%04lld-%02u-%02u", (long long)y, m, d);
                int32_t days;
                int rc = date_parse(text, 10, &days);
                if (rc == SLOTS_ERANGE) continue; /* 02-30, 04-31, 1900-02-29 ... */
                if (rc || (y > 1 || m > 1 || d > 1 ? days != prev + 1 : 0)) bad++;
                date_format(days, out);
                if (strcmp(out, text)) bad++;
                prev = days;
            }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(prev, 2932896); /* 9999-12-31 */
    CU_ASSERT_TRUE(date_in_range(prev));
    CU_ASSERT_FALSE(date_in_range(prev + 1));
}

static void test_leap_days(void) {
    int32_t d;
    ASSERT_OK(date_parse("2024-02-29", 10, &d));
    ASSERT_OK(date_parse("2000-02-29", 10, &d));
    ASSERT_STATUS(date_parse("1900-02-29", 10, &d), SLOTS_ERANGE);
    ASSERT_STATUS(date_parse("2023-02-29", 10, &d), SLOTS_ERANGE);
    ASSERT_STATUS(date_parse("0000-01-01", 10, &d), SLOTS_ERANGE);
    ASSERT_STATUS(date_parse("2024-13-01", 10, &d), SLOTS_ERANGE);
    ASSERT_STATUS(date_parse("2024-1-01", 9, &d), SLOTS_EPARSE);
    ASSERT_STATUS(date_parse("2024-01-01x", 11, &d), SLOTS_EPARSE);
    ASSERT_STATUS(date_parse("", 0, &d), SLOTS_EPARSE);
    ASSERT_OK(date_parse("1970-01-01", 10, &d));
    CU_ASSERT_EQUAL(d, 0);
    ASSERT_OK(date_parse("1969-12-31", 10, &d));
    CU_ASSERT_EQUAL(d, -1);
}

static void test_timestamps_normalize_offsets(void) {
    CU_ASSERT_EQUAL(ts("1970-01-01T00:00:00Z"), 0);
    CU_ASSERT_EQUAL(ts("1970-01-01T01:00:00+01:00"), 0);
    CU_ASSERT_EQUAL(ts("1969-12-31T19:00:00-05:00"), 0);
    CU_ASSERT_EQUAL(ts("1970-01-01 00:00:00.000001z"), 1);
    CU_ASSERT_EQUAL(ts("1970-01-01t00:00:00.5Z"), 500000);
    CU_ASSERT_EQUAL(ts("1970-01-01T00:00:00.123456000Z"), 123456);
    CU_ASSERT_EQUAL(ts("1969-12-31T23:59:59.999999Z"), -1);
    check_ts_text(0, "1970-01-01T00:00:00Z");
    check_ts_text(-1, "1969-12-31T23:59:59.999999Z");
    check_ts_text(ts("2024-02-29T23:30:00-01:00"), "2024-03-01T00:30:00Z");
    check_ts_text(ts("2026-11-29T15:19:14.25+05:30"), "2026-11-29T09:49:14.250000Z");
    check_ts_text(ts("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
    check_ts_text(ts("9999-12-31T23:59:59.999999Z"), "9999-12-31T23:59:59.999999Z");
}

static void test_timestamps_refused(void) {
    ASSERT_STATUS(ts_rc("0001-01-01T00:00:00+00:01"), SLOTS_ERANGE); /* before year 1 in UTC */
    ASSERT_STATUS(ts_rc("9999-12-31T23:59:59-00:01"), SLOTS_ERANGE);
    ASSERT_STATUS(ts_rc("2024-01-01T23:59:60Z"), SLOTS_ERANGE); /* leap second */
    ASSERT_STATUS(ts_rc("2024-01-01T24:00:00Z"), SLOTS_ERANGE);
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00.0000001Z"), SLOTS_ERANGE); /* a nanosecond lost */
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00"), SLOTS_EPARSE); /* naive: no offset */
    ASSERT_STATUS(ts_rc("2024-01-01"), SLOTS_EPARSE);
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00.Z"), SLOTS_EPARSE);
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00+0100"), SLOTS_EPARSE);
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00Z "), SLOTS_EPARSE);
    ASSERT_STATUS(ts_rc("2024-01-01T00:00:00+24:00"), SLOTS_ERANGE);
}

static void test_times_of_day(void) {
    int64_t us;
    char out[TIME_TEXT_MAX];
    ASSERT_OK(time_parse("23:59:59.999999", 15, &us));
    CU_ASSERT_EQUAL(us, INT64_C(86399999999));
    time_format(us, out);
    CU_ASSERT_STRING_EQUAL(out, "23:59:59.999999");
    ASSERT_OK(time_parse("00:00:00", 8, &us));
    time_format(us, out);
    CU_ASSERT_STRING_EQUAL(out, "00:00:00");
    ASSERT_STATUS(time_parse("24:00:00", 8, &us), SLOTS_ERANGE);
    ASSERT_STATUS(time_parse("1:00:00", 7, &us), SLOTS_EPARSE);
}

static void check_uuid(const char *in, int want_rc) {
    uint8_t u[16];
    int rc = uuid_parse(in, strlen(in), u);
    if (rc != want_rc) fprintf(stderr, "\n  uuid \"%s\": %d\n", in, rc);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (rc) return;
    char out[UUID_TEXT_MAX];
    CU_ASSERT_EQUAL(uuid_format(u, out), 36);
    CU_ASSERT_STRING_EQUAL(out, "12345678-9abc-def0-1234-56789abcdef0");
}

static void test_uuid_spellings(void) {
    check_uuid("12345678-9abc-def0-1234-56789abcdef0", SLOTS_OK);
    check_uuid("12345678-9ABC-DEF0-1234-56789ABCDEF0", SLOTS_OK);
    check_uuid("123456789abcdef0123456789abcdef0", SLOTS_OK);
    check_uuid("{12345678-9abc-def0-1234-56789abcdef0}", SLOTS_OK);
    check_uuid("urn:uuid:12345678-9abc-def0-1234-56789abcdef0", SLOTS_OK);
    check_uuid("12345678-9abc-def0-1234-56789abcdef", SLOTS_EPARSE);
    check_uuid("12345678-9abc-def0-1234-56789abcdefg", SLOTS_EPARSE);
    check_uuid("123456789-abc-def0-1234-56789abcdef0", SLOTS_EPARSE);
    check_uuid("", SLOTS_EPARSE);
}

static slots_i128 dec(const char *s, unsigned p, unsigned sc, int want_rc) {
    slots_i128 v = 7;
    int rc = decimal_parse(s, strlen(s), p, sc, &v);
    if (rc != want_rc) fprintf(stderr, "\n  decimal(%u,%u) \"%s\": %d\n", p, sc, s, rc);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (rc) CU_ASSERT_TRUE(v == 7);
    return v;
}

static void check_dec_text(const char *in, unsigned p, unsigned sc, const char *want) {
    char out[DECIMAL_TEXT_MAX];
    decimal_format(dec(in, p, sc, SLOTS_OK), sc, out);
    if (strcmp(out, want)) fprintf(stderr, "\n  \"%s\" -> \"%s\", want \"%s\"\n", in, out, want);
    CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_decimals_exact(void) {
    CU_ASSERT_TRUE(dec("12.34", 10, 2, SLOTS_OK) == 1234);
    CU_ASSERT_TRUE(dec("-0.05", 10, 2, SLOTS_OK) == -5);
    CU_ASSERT_TRUE(dec("1.50000000000000000000000000000000000000000000", 10, 1, SLOTS_OK) == 15);
    CU_ASSERT_TRUE(dec("1e2", 5, 2, SLOTS_OK) == 10000);
    CU_ASSERT_TRUE(dec("12345E-2", 5, 2, SLOTS_OK) == 12345);
    CU_ASSERT_TRUE(dec("+.5", 3, 1, SLOTS_OK) == 5);
    CU_ASSERT_TRUE(dec("5.", 3, 0, SLOTS_OK) == 5);
    CU_ASSERT_TRUE(dec("0.000", 1, 0, SLOTS_OK) == 0);
    CU_ASSERT_TRUE(dec("000123", 3, 0, SLOTS_OK) == 123);
    check_dec_text("12.3", 10, 2, "12.30");
    check_dec_text("-0.05", 10, 2, "-0.05");
    check_dec_text("0", 10, 2, "0.00");
    check_dec_text("42", 5, 0, "42");
    check_dec_text("99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999");
    check_dec_text("-9999999999999999999999999999.9999999999", 38, 10, "-9999999999999999999999999999.9999999999");
    check_dec_text("0.00000000000000000000000000000000000001", 38, 38, "0.00000000000000000000000000000000000001");
}

static void test_decimals_refused(void) {
    dec("12.345", 10, 2, SLOTS_EINVAL); /* would round */
    dec("1e-3", 10, 2, SLOTS_EINVAL);
    dec("123.4", 4, 2, SLOTS_ERANGE);     /* 5 digits in decimal(4,2) */
    dec("1e40", 38, 0, SLOTS_ERANGE);
    dec("100000000000000000000000000000000000000000001", 38, 0, SLOTS_ERANGE);
    dec("1e99999999999999999999", 38, 0, SLOTS_ERANGE);
    dec("0.1000000000000000000000000000000000000000001", 38, 2, SLOTS_EINVAL);
    dec("", 5, 2, SLOTS_EPARSE);
    dec("-", 5, 2, SLOTS_EPARSE);
    dec(".", 5, 2, SLOTS_EPARSE);
    dec("1e", 5, 2, SLOTS_EPARSE);
    dec("1.2.3", 5, 2, SLOTS_EPARSE);
    dec("NaN", 5, 2, SLOTS_EPARSE);
    dec("Infinity", 5, 2, SLOTS_EPARSE);
    dec(" 1", 5, 2, SLOTS_EPARSE);
    CU_ASSERT_TRUE(decimal_fits(99999, 5));
    CU_ASSERT_FALSE(decimal_fits(100000, 5));
    CU_ASSERT_FALSE(decimal_fits(-100000, 5));
}

int main(void) {
    CU_TestInfo tests[] = {
        {"every day of years 1..9999 round-trips", test_every_day_round_trips},
        {"leap days and malformed dates", test_leap_days},
        {"RFC 3339 offsets are normalized to UTC", test_timestamps_normalize_offsets},
        {"timestamps out of range or malformed are refused", test_timestamps_refused},
        {"times of day", test_times_of_day},
        {"uuid spellings Python reads", test_uuid_spellings},
        {"decimals are exact", test_decimals_exact},
        {"decimals that would round or overflow are refused", test_decimals_refused},
        CU_TEST_INFO_NULL,
    };
    return run_suite("kind text", tests);
}
