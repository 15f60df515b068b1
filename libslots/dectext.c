/*
 * dectext.c — the text of decimal(P,S) fields: exact scaled integers (value × 10^S), read from
 * JSON numbers and decimal strings without passing through binary floating point, and written with
 * exactly S digits after the point, as Python's Decimal quantized to the scale prints.
 */
#include "base.h"

#define EXP_LIMIT 100000 /* exponents beyond this are out of range of any decimal(38,S) anyway */

/* The digits of a decimal number: significant digits (no leading zeros) and the power of ten of the
 * last one. */
typedef struct digits {
    char d[DECIMAL_MAX_PRECISION + 1];
    int n;       /* digits kept (after leading zeros) */
    long exp;    /* value = d × 10^exp */
    bool neg;
    bool excess;  /* a nonzero fractional digit past the digits kept */
    bool too_big; /* a nonzero integer digit past the digits kept */
} digits;

static void push_digit(digits *g, char c, bool fractional) {
    if (g->n == 0 && c == '0') { /* a leading zero: only its place counts */
        if (fractional) g->exp--;
        return;
    }
    if (g->n < DECIMAL_MAX_PRECISION + 1) {
        g->d[g->n++] = c;
        if (fractional) g->exp--;
    } else if (c != '0') {
        if (fractional) g->excess = true; /* a digit too fine for any scale we keep */
        else g->too_big = true;
    } else if (!fractional) {
        g->exp++; /* an integer part's zero beyond the digits kept still scales the value */
    }
}

/* Reads [+-]digits[.digits][(e|E)[+-]digits] exactly: JSON's grammar plus what Decimal(str) takes
 * for finite numbers ("+1", ".5", "5."). */
static int read_digits(const char *s, size_t n, digits *g) {
    const char *p = s, *end = s + n;
    memset(g, 0, sizeof *g);
    if (p < end && (*p == '-' || *p == '+')) g->neg = *p++ == '-';
    size_t seen = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++, seen++) push_digit(g, *p, false);
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, seen++) push_digit(g, *p, true);
    if (!seen) return SLOTS_EPARSE;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = p < end && *p == '-';
        if (p < end && (*p == '-' || *p == '+')) p++;
        if (p == end || *p < '0' || *p > '9') return SLOTS_EPARSE;
        long e = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < EXP_LIMIT) e = e * 10 + (*p - '0');
        g->exp += eneg ? -e : e;
    }
    return p == end ? SLOTS_OK : SLOTS_EPARSE;
}

int decimal_parse(const char *s, size_t n, unsigned precision, unsigned scale, slots_i128 *out) {
    digits g;
    int rc = read_digits(s, n, &g);
    if (rc) return rc;
    while (g.n > 0 && g.d[g.n - 1] == '0') g.n--, g.exp++; /* 1.500 is 1.5 */
    if (g.too_big) return SLOTS_ERANGE;
    if (g.excess) return SLOTS_EINVAL;
    if (g.n == 0) return *out = 0, SLOTS_OK;
    long shift = g.exp + (long)scale; /* value × 10^scale = d × 10^shift */
    if (shift < 0) return SLOTS_EINVAL; /* a nonzero digit beyond the scale */
    if ((long)g.n + shift > (long)precision) return SLOTS_ERANGE;
    slots_i128 v = 0;
    for (int i = 0; i < g.n; i++) v = v * 10 + (g.d[i] - '0');
    for (long i = 0; i < shift; i++) v *= 10;
    *out = g.neg ? -v : v;
    return SLOTS_OK;
}

bool decimal_fits(slots_i128 v, unsigned precision) {
    slots_i128 limit = 1;
    for (unsigned i = 0; i < precision; i++) limit *= 10;
    return v < limit && v > -limit;
}

size_t decimal_format(slots_i128 v, unsigned scale, char out[DECIMAL_TEXT_MAX]) {
    char rev[DECIMAL_MAX_PRECISION + 2];
    int n = 0;
    bool neg = v < 0;
    slots_u128 u = neg ? -(slots_u128)v : (slots_u128)v;
    do rev[n++] = (char)('0' + (int)(u % 10)), u /= 10;
    while (u);
    while (n <= (int)scale) rev[n++] = '0'; /* at least one digit before the point */
    size_t k = 0;
    if (neg) out[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[k++] = rev[i];
        if (i == (int)scale && scale) out[k++] = '.';
    }
    out[k] = 0;
    return k;
}
