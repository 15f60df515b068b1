/*
 * number.c — numbers in text, by JSON's grammar (RFC 8259), for every decoder that reads them (JSON
 * and CSV): integers exactly as I64 or U64, everything else as a correctly rounded double.
 * A float literal beyond the double range reads as ±inf and one below it as ±0.0, as Python's
 * float() and json.loads() read them; only an *integer* literal can be out of range (SLOTS_ERANGE).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Where a literal's parts are, as the grammar splits it. */
typedef struct numparts {
    size_t int_start, int_end;   /* integer digits */
    size_t frac_start, frac_end; /* fraction digits (empty when none) */
    long long exp;               /* the exponent literal's value, saturated at +-1e9 */
    bool neg, is_int;
} numparts;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static size_t digits(const char *p, size_t len, size_t i) {
    while (i < len && is_digit(p[i])) i++;
    return i;
}

/* Splits p[0..len) into its parts; false unless all of it is one number. */
static bool split(const char *p, size_t len, numparts *n) {
    size_t i = 0;
    memset(n, 0, sizeof *n);
    n->neg = len > 0 && p[0] == '-';
    i = n->neg;
    if (i >= len || !is_digit(p[i])) return false;
    n->int_start = i;
    i = p[i] == '0' ? i + 1 : digits(p, len, i); /* no leading zeros: "01" is malformed */
    n->int_end = n->frac_start = n->frac_end = i;
    if (i < len && p[i] == '.') {
        n->frac_start = ++i;
        i = n->frac_end = digits(p, len, i);
        if (n->frac_end == n->frac_start) return false; /* "1." */
    }
    n->is_int = n->frac_start == n->frac_end;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        bool eneg = ++i < len && p[i] == '-';
        if (i < len && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= len || !is_digit(p[i])) return false; /* "1e", "1e+" */
        for (; i < len && is_digit(p[i]); i++)
            if (n->exp < 1000000000LL) n->exp = n->exp * 10 + (p[i] - '0');
        if (eneg) n->exp = -n->exp;
        n->is_int = false;
    }
    return i == len;
}

/* An integer literal: I64, U64 above INT64_MAX, or SLOTS_ERANGE beyond both. */
static int parse_int(const char *p, const numparts *n, value *out) {
    uint64_t m = 0;
    bool may_overflow = n->int_end - n->int_start > 19; /* 19 digits always fit in 64 bits */
    for (size_t i = n->int_start; i < n->int_end; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (may_overflow && m > (UINT64_MAX - d) / 10) return SLOTS_ERANGE;
        m = m * 10 + d;
    }
    if (!n->neg && m <= (uint64_t)INT64_MAX) {
        out->kind = SLOTS_I64;
        out->as.i = (int64_t)m;
    } else if (!n->neg) {
        out->kind = SLOTS_U64;
        out->as.u = m;
    } else if (m <= (uint64_t)INT64_MAX + 1u) {
        out->kind = SLOTS_I64;
        out->as.i = m == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)m;
    } else {
        return SLOTS_ERANGE;
    }
    return SLOTS_OK;
}

/* Adds the digits p[from..to) to a mantissa, leading zeros skipped; false past 15 digits. */
static bool add_digits(const char *p, size_t from, size_t to, uint64_t *m, int *sig) {
    for (size_t i = from; i < to; i++) {
        if (*m == 0 && p[i] == '0') continue;
        if (++*sig > 15) return false;
        *m = *m * 10 + (uint64_t)(p[i] - '0');
    }
    return true;
}

/* Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both exact doubles,
 * so one IEEE multiplication or division rounds correctly. False when it does not apply. */
static bool float_fast(const char *p, const numparts *n, double *out) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int sig = 0;
    if (!add_digits(p, n->int_start, n->int_end, &m, &sig)) return false;
    if (!add_digits(p, n->frac_start, n->frac_end, &m, &sig)) return false;
    long long e = n->exp - (long long)(n->frac_end - n->frac_start);
    if (m != 0 && (m >= (1ull << 53) || e < -22 || e > 22)) return false;
    double x = (double)m; /* a zero mantissa is zero whatever the exponent */
    if (m != 0) x = e >= 0 ? x * pow10[e] : x / pow10[-e];
    *out = n->neg ? -x : x;
    return true;
}

/* Every other float goes through strtod, on a NUL-terminated copy written as "DIGITSeEXP" without a
 * decimal point, so the C locale's idea of the point cannot change the result. */
static int float_slow(const char *p, const numparts *n, double *out) {
    size_t ni = n->int_end - n->int_start, nf = n->frac_end - n->frac_start;
    long long e = n->exp - (long long)(nf < 1000000000u ? nf : 1000000000u);
    char local[128];
    size_t need = ni + nf + 32; /* sign, 'e', the exponent and the NUL */
    char *buf = need <= sizeof local ? local : mem_alloc(need, NULL);
    if (!buf) return err_nomem();
    size_t k = 0;
    if (n->neg) buf[k++] = '-';
    memcpy(buf + k, p + n->int_start, ni);
    k += ni;
    memcpy(buf + k, p + n->frac_start, nf);
    k += nf;
    snprintf(buf + k, need - k, "e%lld", e);
    *out = strtod(buf, NULL); /* overflow gives HUGE_VAL (inf), underflow 0: both what Python gives */
    if (buf != local) mem_free(buf, need, NULL);
    return SLOTS_OK;
}

int number_parse(const char *p, size_t len, bool as_float, value *out) {
    numparts n;
    if (!p || !split(p, len, &n)) return SLOTS_EPARSE;
    if (n.is_int && !as_float) return parse_int(p, &n, out);
    double d = 0;
    if (!float_fast(p, &n, &d)) {
        int rc = float_slow(p, &n, &d);
        if (rc != SLOTS_OK) return rc;
    }
    out->kind = SLOTS_F64;
    out->as.f = d;
    return SLOTS_OK;
}
