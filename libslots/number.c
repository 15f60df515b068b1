/*
 * number.c — numbers in text for every decoder that reads them: JSON's grammar (RFC 8259) for JSON,
 * and the spellings Python's int() and float() accept for CSV cells. Integers come out exactly as
 * I64 or U64, everything else as a correctly rounded double. A float literal beyond the double
 * range reads as ±inf and one below it as ±0.0, as Python's float() and json.loads() read them;
 * only an *integer* literal can be out of range (SLOTS_ERANGE).
 */
#include "base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Where a literal's parts are, as the grammar splits it. Python's spellings may put '_' between
 * digits: the ranges then hold those too, and every reader of them skips it. */
typedef struct numparts {
    size_t int_start, int_end;   /* integer digits */
    size_t frac_start, frac_end; /* fraction digits (empty when none) */
    size_t frac_digits;          /* digits among them ('_' not counted) */
    long long exp;               /* the exponent literal's value, saturated at +-1e9 */
    bool neg, is_int;
} numparts;

/* The grammars: JSON's number, or the text Python's int() or float() takes (base 10). */
enum { GRAMMAR_JSON, GRAMMAR_INT, GRAMMAR_FLOAT };

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The end of the digits at p[i]: plain digits for JSON; for Python, single '_' between digits
 * too ("1_000", not "1__0", "_1" or "1_"). */
static inline size_t digits(const char *p, size_t len, size_t i, int grammar) {
    for (;;) {
        while (i < len && is_digit(p[i])) i++;
        if (grammar == GRAMMAR_JSON || i + 1 >= len || p[i] != '_' || i == 0 || !is_digit(p[i - 1]) ||
            !is_digit(p[i + 1]))
            return i;
        i++;
    }
}

static size_t count_digits(const char *p, size_t from, size_t to) {
    size_t n = 0;
    for (size_t i = from; i < to; i++) n += is_digit(p[i]);
    return n;
}

/* The integer part at p[i]: JSON wants at least one digit and no leading zero ("01" is
 * malformed); Python takes leading zeros, and float() an empty part before a fraction (".5"). */
static bool integer_part(const char *p, size_t len, size_t i, int grammar, numparts *n) {
    n->int_start = i;
    if (grammar == GRAMMAR_JSON && i < len && p[i] == '0') n->int_end = i + 1;
    else n->int_end = digits(p, len, i, grammar);
    return n->int_end > i || (grammar == GRAMMAR_FLOAT && i + 1 < len && p[i] == '.' && is_digit(p[i + 1]));
}

/* Splits p[0..len) into its parts by the grammar; false unless all of it is one number. */
static bool split(const char *p, size_t len, int grammar, numparts *n) {
    memset(n, 0, sizeof *n);
    size_t i = 0;
    n->neg = len > 0 && p[0] == '-';
    if (len > 0 && (p[0] == '-' || (p[0] == '+' && grammar != GRAMMAR_JSON))) i = 1;
    if (!integer_part(p, len, i, grammar, n)) return false;
    i = n->frac_start = n->frac_end = n->int_end;
    if (i < len && p[i] == '.' && grammar != GRAMMAR_INT) {
        n->frac_start = ++i;
        i = n->frac_end = digits(p, len, i, grammar);
        /* "1." is malformed JSON; float() takes it */
        if (n->frac_end == n->frac_start && grammar == GRAMMAR_JSON) return false;
    }
    n->frac_digits = grammar == GRAMMAR_JSON ? n->frac_end - n->frac_start : count_digits(p, n->frac_start, n->frac_end);
    n->is_int = n->frac_start == n->frac_end && (i == n->int_end);
    if (i < len && (p[i] == 'e' || p[i] == 'E') && grammar != GRAMMAR_INT) {
        bool eneg = ++i < len && p[i] == '-';
        if (i < len && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= len || !is_digit(p[i])) return false; /* "1e", "1e+" */
        size_t end = digits(p, len, i, grammar);
        for (; i < end; i++)
            if (is_digit(p[i]) && n->exp < 1000000000LL) n->exp = n->exp * 10 + (p[i] - '0');
        if (eneg) n->exp = -n->exp;
        n->is_int = false;
    }
    return i == len;
}

/* A magnitude and sign as I64, U64 above INT64_MAX, or SLOTS_ERANGE beyond both. */
static inline int int_value(uint64_t m, bool neg, value *out) {
    if (!neg && m <= (uint64_t)INT64_MAX) {
        out->kind = SLOTS_I64;
        out->as.i = (int64_t)m;
    } else if (!neg) {
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

/* An integer literal: I64, U64 above INT64_MAX, or SLOTS_ERANGE beyond both. */
static int parse_int(const char *p, const numparts *n, value *out) {
    uint64_t m = 0;
    bool may_overflow = n->int_end - n->int_start > 19; /* 19 digits always fit in 64 bits */
    for (size_t i = n->int_start; i < n->int_end; i++) {
        if (p[i] == '_') continue;
        unsigned d = (unsigned)(p[i] - '0');
        if (may_overflow && m > (UINT64_MAX - d) / 10) return SLOTS_ERANGE;
        m = m * 10 + d;
    }
    return int_value(m, n->neg, out);
}

/* Adds the digits p[from..to) to a mantissa, leading zeros skipped; false past 15 digits. */
static inline bool add_digits(const char *p, size_t from, size_t to, uint64_t *m, int *sig) {
    for (size_t i = from; i < to; i++) {
        if ((*m == 0 && p[i] == '0') || p[i] == '_') continue;
        if (++*sig > 15) return false;
        *m = *m * 10 + (uint64_t)(p[i] - '0');
    }
    return true;
}

/* Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both exact doubles,
 * so one IEEE multiplication or division rounds correctly. False when it does not apply. */
static inline bool clinger(uint64_t m, long long e, bool neg, double *out) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (m != 0 && (m >= (1ull << 53) || e < -22 || e > 22)) return false;
    double x = (double)m; /* a zero mantissa is zero whatever the exponent */
    if (m != 0) x = e >= 0 ? x * pow10[e] : x / pow10[-e];
    *out = neg ? -x : x;
    return true;
}

static bool float_fast(const char *p, const numparts *n, double *out) {
    uint64_t m = 0;
    int sig = 0;
    if (!add_digits(p, n->int_start, n->int_end, &m, &sig)) return false;
    if (!add_digits(p, n->frac_start, n->frac_end, &m, &sig)) return false;
    return clinger(m, n->exp - (long long)n->frac_digits, n->neg, out);
}

/* Copies the digits of p[from..to) to buf, '_' left out; returns how many. */
static size_t copy_digits(char *buf, const char *p, size_t from, size_t to) {
    size_t k = 0;
    for (size_t i = from; i < to; i++)
        if (p[i] != '_') buf[k++] = p[i];
    return k;
}

/* Every other float goes through strtod, on a NUL-terminated copy written as "DIGITSeEXP" without a
 * decimal point, so the C locale's idea of the point cannot change the result. */
static int float_slow(const char *p, const numparts *n, double *out) {
    size_t ni = n->int_end - n->int_start, nf = n->frac_end - n->frac_start;
    long long e = n->exp - (long long)(n->frac_digits < 1000000000u ? n->frac_digits : 1000000000u);
    char local[128];
    size_t need = ni + nf + 32; /* sign, 'e', the exponent and the NUL */
    char *buf = need <= sizeof local ? local : mem_alloc(need, NULL);
    if (!buf) return err_nomem();
    size_t k = 0;
    if (n->neg) buf[k++] = '-';
    k += copy_digits(buf + k, p, n->int_start, n->int_end);
    if (k == (size_t)n->neg) buf[k++] = '0'; /* ".5": no integer digits */
    k += copy_digits(buf + k, p, n->frac_start, n->frac_end);
    snprintf(buf + k, need - k, "e%lld", e);
    *out = strtod(buf, NULL); /* overflow gives HUGE_VAL (inf), underflow 0: both what Python gives */
    if (buf != local) mem_free(buf, need, NULL);
    return SLOTS_OK;
}

/* p[0..len) by the grammar: an integer literal as I64/U64 unless as_float, else F64. */
static int parse(const char *p, size_t len, int grammar, bool as_float, value *out) {
    numparts n;
    if (!p || !split(p, len, grammar, &n)) return SLOTS_EPARSE;
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

int number_parse(const char *p, size_t len, bool as_float, value *out) {
    return parse(p, len, GRAMMAR_JSON, as_float, out);
}

/* The digits at p[i..len): their value added to *m (exact while there are at most 19 in all). */
static inline size_t scan_digits(const char *p, size_t len, size_t i, uint64_t *m) {
    for (; i < len && is_digit(p[i]); i++) *m = *m * 10 + (uint64_t)(p[i] - '0');
    return i;
}

int number_scan_json(const char *p, size_t len, bool as_float, value *out, size_t *end) {
    size_t i = p && len && p[0] == '-';
    bool neg = i == 1;
    if (i >= len || !is_digit(p[i])) return SLOTS_EPARSE;
    uint64_t m = 0;
    size_t int_start = i;
    i = p[i] == '0' ? i + 1 : scan_digits(p, len, i, &m); /* "01" is 0, then extra text */
    size_t ndigits = i - int_start, frac_start = i;
    if (i + 1 < len && p[i] == '.' && is_digit(p[i + 1])) i = scan_digits(p, len, i + 1, &m);
    size_t frac_digits = i > frac_start ? i - frac_start - 1 : 0;
    ndigits += frac_digits;
    long long e = 0;
    bool is_int = i == frac_start;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) { /* "1e" and "1e+" end before the 'e' */
        size_t j = i + 1;
        bool eneg = j < len && p[j] == '-';
        if (j < len && (p[j] == '+' || p[j] == '-')) j++;
        if (j < len && is_digit(p[j])) {
            for (; j < len && is_digit(p[j]); j++)
                if (e < 1000000000LL) e = e * 10 + (p[j] - '0');
            e = eneg ? -e : e;
            i = j;
            is_int = false;
        }
    }
    *end = i;
    if (ndigits > 19) return number_parse(p, i, as_float, out); /* the mantissa overflowed: the long way */
    if (is_int && !as_float) return int_value(m, neg, out);
    out->kind = SLOTS_F64;
    return clinger(m, e - (long long)frac_digits, neg, &out->as.f) ? SLOTS_OK : number_parse(p, i, true, out);
}

bool ascii_word_is(const char *p, size_t n, const char *word) {
    if (strlen(word) != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]) != word[i]) return false;
    return true;
}

/* The non-finite values float() reads: inf, infinity and nan in any case, with a sign or not. */
static bool special_float(const char *p, size_t n, value *v) {
    bool neg = n && p[0] == '-';
    if (n && (p[0] == '-' || p[0] == '+')) p++, n--;
    if (ascii_word_is(p, n, "inf") || ascii_word_is(p, n, "infinity")) v->as.f = neg ? -HUGE_VAL : HUGE_VAL;
    else if (ascii_word_is(p, n, "nan")) v->as.f = neg ? -NAN : NAN;
    else return false;
    v->kind = SLOTS_F64;
    return true;
}

static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int number_parse_text(const char *p, size_t len, bool as_float, value *out) {
    if (!p) return SLOTS_EPARSE;
    while (len && is_space(p[0])) p++, len--; /* int(" 5 ") == 5 */
    while (len && is_space(p[len - 1])) len--;
    /* Most cells are JSON numbers, which both functions read alike: that grammar is the fast one.
     * int() refuses a fraction or an exponent, which JSON reads as a float. */
    value v;
    int rc = parse(p, len, GRAMMAR_JSON, as_float, &v);
    if (rc == SLOTS_OK && !as_float && v.kind == SLOTS_F64) return SLOTS_EPARSE;
    if (rc == SLOTS_EPARSE) rc = parse(p, len, as_float ? GRAMMAR_FLOAT : GRAMMAR_INT, as_float, &v);
    if (rc == SLOTS_EPARSE && as_float && special_float(p, len, &v)) rc = SLOTS_OK;
    if (rc == SLOTS_OK) *out = v;
    return rc;
}
