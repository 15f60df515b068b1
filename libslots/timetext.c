/*
 * timetext.c — the text of the time kinds: RFC 3339 timestamps, dates and times of day, read and
 * written without the C library's time functions (which depend on the process's time zone and
 * stop at 1970 or 2038 on some systems). Proleptic Gregorian calendar, years 1 to 9999 as Python's
 * datetime has them, microseconds as Python's datetime and PostgreSQL keep them.
 */
#include "base.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)
#define DAYS_0001_TO_1970 INT64_C(719162)  /* days from 0001-01-01 to 1970-01-01 */
#define DAYS_1970_TO_10000 INT64_C(2932897) /* days from 1970-01-01 to 10000-01-01 */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil: eras of 400 years). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The civil date of a day number (the inverse of days_from_civil). */
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_days(int64_t y, unsigned m) {
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Reads exactly `n` ASCII digits at *p, advancing it; false if any is not a digit. */
static bool digits(const char **p, const char *end, int n, unsigned *out) {
    if (end - *p < n) return false;
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (unsigned)(c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* "YYYY-MM-DD" at *p: a real day of years 1..9999. */
static int read_date(const char **p, const char *end, int64_t *days) {
    unsigned y, m, d;
    if (!digits(p, end, 4, &y) || *p == end || *(*p)++ != '-' || !digits(p, end, 2, &m) || *p == end ||
        *(*p)++ != '-' || !digits(p, end, 2, &d))
        return SLOTS_EPARSE;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return SLOTS_ERANGE;
    *days = days_from_civil(y, m, d);
    return SLOTS_OK;
}

/* "HH:MM:SS" with an optional fraction of up to 9 digits (digits past the sixth must be zeros:
 * a nanosecond would be lost, and losing data silently is what this library refuses). */
static int read_time(const char **p, const char *end, int64_t *us) {
    unsigned h, mi, s, frac = 0;
    if (!digits(p, end, 2, &h) || *p == end || *(*p)++ != ':' || !digits(p, end, 2, &mi) || *p == end ||
        *(*p)++ != ':' || !digits(p, end, 2, &s))
        return SLOTS_EPARSE;
    if (h > 23 || mi > 59 || s > 59) return SLOTS_ERANGE; /* no leap seconds: Python has none */
    if (*p < end && **p == '.') {
        (*p)++;
        int n = 0;
        while (*p < end && **p >= '0' && **p <= '9' && n < 9) {
            unsigned dgt = (unsigned)(*(*p)++ - '0');
            if (n < 6) frac = frac * 10 + dgt;
            else if (dgt) return SLOTS_ERANGE;
            n++;
        }
        if (n == 0) return SLOTS_EPARSE;
        for (; n < 6; n++) frac *= 10;
    }
    *us = ((int64_t)h * 3600 + mi * 60 + s) * US_PER_SEC + frac;
    return SLOTS_OK;
}

/* "Z", "z" or "+HH:MM"/"-HH:MM": the offset from UTC in microseconds. */
static int read_offset(const char **p, const char *end, int64_t *off_us) {
    if (*p == end) return SLOTS_EPARSE;
    char c = *(*p)++;
    if (c == 'Z' || c == 'z') return *off_us = 0, SLOTS_OK;
    if (c != '+' && c != '-') return SLOTS_EPARSE;
    unsigned h, m;
    if (!digits(p, end, 2, &h) || *p == end || *(*p)++ != ':' || !digits(p, end, 2, &m)) return SLOTS_EPARSE;
    if (h > 23 || m > 59) return SLOTS_ERANGE;
    *off_us = ((int64_t)h * 60 + m) * 60 * US_PER_SEC * (c == '-' ? -1 : 1);
    return SLOTS_OK;
}

int date_parse(const char *s, size_t n, int32_t *days) {
    const char *p = s, *end = s + n;
    int64_t d;
    int rc = read_date(&p, end, &d);
    if (rc) return rc;
    if (p != end) return SLOTS_EPARSE;
    *days = (int32_t)d;
    return SLOTS_OK;
}

int time_parse(const char *s, size_t n, int64_t *us) {
    const char *p = s, *end = s + n;
    int rc = read_time(&p, end, us);
    return rc ? rc : p == end ? SLOTS_OK : SLOTS_EPARSE;
}

/* Smallest and largest instants Python's aware datetime can hold in UTC. */
#define TS_MIN (-DAYS_0001_TO_1970 * US_PER_DAY)
#define TS_MAX (DAYS_1970_TO_10000 * US_PER_DAY - 1) /* 9999-12-31T23:59:59.999999 */

int timestamp_parse(const char *s, size_t n, int64_t *us) {
    const char *p = s, *end = s + n;
    int64_t days, tod, off;
    int rc = read_date(&p, end, &days);
    if (rc) return rc;
    if (p == end || (*p != 'T' && *p != 't' && *p != ' ')) return SLOTS_EPARSE;
    p++;
    if ((rc = read_time(&p, end, &tod)) || (rc = read_offset(&p, end, &off))) return rc;
    if (p != end) return SLOTS_EPARSE;
    int64_t v = days * US_PER_DAY + tod - off;
    if (v < TS_MIN || v > TS_MAX) return SLOTS_ERANGE;
    *us = v;
    return SLOTS_OK;
}

/* `width` decimal digits of v, zero-padded (v < 10^width). */
static size_t put_digits(char *out, uint64_t v, int width) {
    for (int i = width - 1; i >= 0; i--, v /= 10) out[i] = (char)('0' + v % 10);
    return (size_t)width;
}

static size_t put_date(char *out, int64_t days) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    put_digits(out, (uint64_t)y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 0;
    return 10;
}

/* "HH:MM:SS", then ".ffffff" only when the microseconds are not zero (as Python's isoformat()). */
static size_t put_time(char *out, int64_t us) {
    unsigned frac = (unsigned)(us % US_PER_SEC), secs = (unsigned)(us / US_PER_SEC);
    size_t n = put_digits(out, secs / 3600, 2);
    out[n++] = ':';
    n += put_digits(out + n, secs / 60 % 60, 2);
    out[n++] = ':';
    n += put_digits(out + n, secs % 60, 2);
    if (frac) out[n++] = '.', n += put_digits(out + n, frac, 6);
    out[n] = 0;
    return n;
}

size_t date_format(int32_t days, char out[DATE_TEXT_MAX]) { return put_date(out, days); }

size_t time_format(int64_t us, char out[TIME_TEXT_MAX]) { return put_time(out, us); }

size_t timestamp_format(int64_t us, char out[TIMESTAMP_TEXT_MAX]) {
    int64_t days = us / US_PER_DAY, tod = us % US_PER_DAY;
    if (tod < 0) tod += US_PER_DAY, days--; /* floor division: instants before 1970 */
    size_t n = put_date(out, days);
    out[n++] = 'T';
    n += put_time(out + n, tod);
    out[n++] = 'Z';
    out[n] = 0;
    return n;
}

bool timestamp_in_range(int64_t us) { return us >= TS_MIN && us <= TS_MAX; }

bool date_in_range(int64_t days) { return days >= -DAYS_0001_TO_1970 && days < DAYS_1970_TO_10000; }
