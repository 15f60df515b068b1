/*
 * format.c — the text of values as Python's repr() writes them (floats, str, bytes, None, refs)
 * and slots_repr(), which joins them into "Type(a=1, b='x')".
 * Floats print as the shortest decimal that reads back to the same value, so a repr is exact.
 */
#include "records.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- floats ---------------------------------------------------------------------------------- */
/* A positive float as decimal digits d1 d2 ... dn (no trailing zeros) times 10^(exp - n + 1), i.e.
 * d1.d2...dn × 10^exp. */
typedef struct decimal {
    char digits[24];
    int n;
    int exp;
} decimal;

/* Reads printf's "%.*e" text. Only digits, 'e' and the exponent are used, so whatever decimal point
 * the C locale prints does not matter. */
static void decimal_from_e(const char *s, decimal *d) {
    d->n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && d->n < (int)sizeof d->digits - 1) d->digits[d->n++] = *s;
    d->exp = *s ? atoi(s + 1) : 0;
    while (d->n > 1 && d->digits[d->n - 1] == '0') d->n--;
}

/* The value a decimal reads back as, at double or float precision. The text is written without a
 * decimal point ("15e-6") so strtod's locale cannot misread it. */
static double decimal_read(const decimal *d, bool single) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*se%d", d->n, d->digits, d->exp - d->n + 1);
    return single ? (double)strtof(buf, NULL) : strtod(buf, NULL);
}

/* Adds one unit in the last digit (9.99 -> 10.0 carries into the exponent). */
static void decimal_bump(decimal *d) {
    int i = d->n - 1;
    while (i >= 0 && d->digits[i] == '9') d->digits[i--] = '0';
    if (i >= 0) {
        d->digits[i]++;
    } else {
        d->digits[0] = '1';
        d->exp++;
    }
    while (d->n > 1 && d->digits[d->n - 1] == '0') d->n--;
}

/* The shortest digits that read back as x (positive, finite, nonzero), as Python's repr finds them.
 * Correct rounding to p digits is the nearest p-digit decimal; only at a power of two, where the
 * gap below x is half the gap above, can the next decimal up read back when the nearest does not. */
static void decimal_shortest(double x, bool single, decimal *out) {
    int e2;
    bool pow2 = single ? frexpf((float)x, &e2) == 0.5f : frexp(x, &e2) == 0.5;
    int maxp = single ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        char buf[48];
        snprintf(buf, sizeof buf, "%.*e", p - 1, x);
        decimal_from_e(buf, out);
        double back = decimal_read(out, single);
        if (back == x) return;
        if (pow2 && back < x) {
            decimal up = *out;
            decimal_bump(&up);
            if (decimal_read(&up, single) == x) {
                *out = up;
                return;
            }
        }
    }
}

static void put_zeros(strbuf *b, int n) {
    for (; n > 0; n--) sb_putc(b, '0');
}

/* Python's layout: fixed notation with at least one fractional digit for exponents -4..15,
 * otherwise d.ddde+XX with at least two exponent digits. */
static void put_decimal(strbuf *b, bool neg, const decimal *d) {
    if (neg) sb_putc(b, '-');
    if (d->exp < -4 || d->exp >= 16) {
        sb_putc(b, d->digits[0]);
        if (d->n > 1) {
            sb_putc(b, '.');
            sb_put(b, d->digits + 1, (size_t)d->n - 1);
        }
        sb_printf(b, "e%c%02d", d->exp < 0 ? '-' : '+', abs(d->exp));
    } else if (d->exp >= 0) {
        int whole = d->exp + 1;
        if (d->n <= whole) {
            sb_put(b, d->digits, (size_t)d->n);
            put_zeros(b, whole - d->n);
            sb_puts(b, ".0");
        } else {
            sb_put(b, d->digits, (size_t)whole);
            sb_putc(b, '.');
            sb_put(b, d->digits + whole, (size_t)(d->n - whole));
        }
    } else {
        sb_puts(b, "0.");
        put_zeros(b, -d->exp - 1);
        sb_put(b, d->digits, (size_t)d->n);
    }
}

/* Non-finite values and zeros, which have no digits to search; false for every other value. */
static bool put_special(strbuf *b, double d) {
    if (isnan(d)) sb_puts(b, "nan");
    else if (isinf(d)) sb_puts(b, d < 0 ? "-inf" : "inf");
    else if (d == 0) sb_puts(b, signbit(d) ? "-0.0" : "0.0");
    else return false;
    return true;
}

static void format_real(strbuf *b, double d, bool single) {
    if (put_special(b, d)) return;
    decimal dec;
    decimal_shortest(fabs(d), single, &dec);
    put_decimal(b, signbit(d) != 0, &dec);
}

void format_double(strbuf *b, double d) { format_real(b, d, false); }

/* An f32 field's value arrives widened to double; its shortest text is the one that reads back as
 * the same float (0.1, not 0.10000000149011612). A value that is not a float falls back to double. */
static void format_float32(strbuf *b, double d) { format_real(b, d, isfinite(d) && (double)(float)d == d); }

/* ---- str and bytes --------------------------------------------------------------------------- */
/* Python prefers single quotes and switches to double quotes only to avoid escaping a single one. */
static char pick_quote(const char *p, size_t len) {
    return (len && memchr(p, '\'', len) && !memchr(p, '"', len)) ? '"' : '\'';
}

/* Escapes shared by str and bytes; false when `c` needs no escape of this kind. */
static bool put_common_escape(strbuf *b, unsigned char c, char quote) {
    switch (c) {
    case '\\': sb_puts(b, "\\\\"); return true;
    case '\n': sb_puts(b, "\\n"); return true;
    case '\r': sb_puts(b, "\\r"); return true;
    case '\t': sb_puts(b, "\\t"); return true;
    default: break;
    }
    if (c == (unsigned char)quote) {
        sb_putc(b, '\\');
        sb_putc(b, quote);
        return true;
    }
    if (c < 0x20 || c == 0x7f) {
        sb_printf(b, "\\x%02x", c);
        return true;
    }
    return false;
}

/* The length and code point of the UTF-8 sequence at p (at most `len` bytes), or 0 if invalid. */
static size_t utf8_decode(const unsigned char *p, size_t len, uint32_t *cp) {
    size_t n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
    if (n == 0 || n > len || p[0] > 0xf4) return 0;
    uint32_t c = p[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (p[i] & 0x3fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

/* Code points Python's str.isprintable() refuses, so repr escapes them: controls, format
 * characters, separators and spaces other than ' ', private use and noncharacters. Unassigned code
 * points would need Unicode's tables and print as they are. */
static bool unicode_unprintable(uint32_t c) {
    static const uint32_t ranges[][2] = {
        {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},     {0x61c, 0x61c},
        {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x1680, 0x1680},   {0x180e, 0x180e},
        {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x206f},
        {0x3000, 0x3000},   {0xd800, 0xf8ff},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},
        {0xfffe, 0xffff},   {0x110bd, 0x110bd}, {0x1d173, 0x1d17a}, {0xe0001, 0xe007f},
        {0xf0000, 0x10ffff},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1]) return true;
    return false;
}

static void put_codepoint_escape(strbuf *b, uint32_t c) {
    if (c <= 0xff) sb_printf(b, "\\x%02" PRIx32, c);
    else if (c <= 0xffff) sb_printf(b, "\\u%04" PRIx32, c);
    else sb_printf(b, "\\U%08" PRIx32, c);
}

static void format_str_repr(strbuf *b, const char *p, size_t len) {
    const unsigned char *s = (const unsigned char *)p;
    char quote = pick_quote(p, len);
    sb_putc(b, quote);
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            if (!put_common_escape(b, s[i], quote)) sb_putc(b, (char)s[i]);
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) { /* not UTF-8 (str fields never hold this): show the byte */
            sb_printf(b, "\\x%02x", s[i]);
            i++;
        } else {
            if (unicode_unprintable(cp)) put_codepoint_escape(b, cp);
            else sb_put(b, p + i, n);
            i += n;
        }
    }
    sb_putc(b, quote);
}

static void format_bytes_repr(strbuf *b, const char *p, size_t len) {
    const unsigned char *s = (const unsigned char *)p;
    char quote = pick_quote(p, len);
    sb_putc(b, 'b');
    sb_putc(b, quote);
    for (size_t i = 0; i < len; i++) {
        if (put_common_escape(b, s[i], quote)) continue;
        if (s[i] >= 0x80) sb_printf(b, "\\x%02x", s[i]);
        else sb_putc(b, (char)s[i]);
    }
    sb_putc(b, quote);
}

/* ---- values and records ---------------------------------------------------------------------- */
void format_value_repr(strbuf *b, const value *v, const field *f) {
    switch (v->kind) {
    case VAL_NULL: sb_puts(b, "None"); break;
    case SLOTS_BOOL: sb_puts(b, v->as.i ? "True" : "False"); break;
    case SLOTS_I64: sb_printf(b, "%" PRId64, v->as.i); break;
    case SLOTS_U64: sb_printf(b, "%" PRIu64, v->as.u); break;
    case SLOTS_F64:
        if (f && f->kind == SLOTS_F32) format_float32(b, v->as.f);
        else format_double(b, v->as.f);
        break;
    case SLOTS_STR: format_str_repr(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_BYTES: format_bytes_repr(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_REF:
        sb_printf(b, "<%s at 0x%" PRIx64 ">", f && f->ref_type ? f->ref_type : "record", v->as.ref);
        break;
    default: sb_printf(b, "<value of kind %d>", v->kind); break;
    }
}

int slots_repr(slots_obj o, const char **out, size_t *len) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "slots_repr: out must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    const slots_type *t = r.type;
    strbuf *b = sb_scratch();
    sb_puts(b, t->name);
    sb_putc(b, '(');
    bool first = true;
    for (int i = 0; i < t->nfields; i++) {
        /* Checking the bit first keeps field_get from setting an "unset" message during a success. */
        if (!rec_is_set(t, r.rec, i)) continue;
        value v;
        rc = field_get(&r, i, &v);
        if (rc == SLOTS_EUNSET) continue; /* deleted by a racing writer: leave it out */
        if (rc < 0) return rc;
        if (rc == SLOTS_NULL) v.kind = VAL_NULL;
        if (!first) sb_puts(b, ", ");
        first = false;
        sb_puts(b, t->fields[i].name);
        sb_putc(b, '=');
        format_value_repr(b, &v, &t->fields[i]);
    }
    sb_putc(b, ')');
    if (b->failed) return err_nomem();
    *out = b->p;
    if (len) *len = b->len;
    return SLOTS_OK;
}
