/*
 * format.c — the text of values as Python's repr() writes them (floats, str, bytes, None, refs)
 * and slots_repr(), which joins them into "Type(a=1, b='x')".
 * Floats print as the shortest decimal that reads back to the same value (floatfmt.c), so a repr
 * is exact.
 */
#include "records.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- numbers: floatfmt.c writes them ----------------------------------------------------------- */
void format_double(strbuf *b, double d) {
    char text[FMT_NUMBER_MAX];
    sb_put(b, text, fmt_double(text, d));
}

/* An f32 field's value arrives widened to double; its shortest text is the one that reads back as
 * the same float (0.1, not 0.10000000149011612). A value that is not a float falls back to double. */
static void format_float32(strbuf *b, double d) {
    char text[FMT_NUMBER_MAX];
    sb_put(b, text, isfinite(d) && (double)(float)d == d ? fmt_float32(text, (float)d) : fmt_double(text, d));
}

static void format_i64(strbuf *b, int64_t v) {
    char text[FMT_NUMBER_MAX];
    sb_put(b, text, fmt_i64(text, v));
}

static void format_u64(strbuf *b, uint64_t v) {
    char text[FMT_NUMBER_MAX];
    sb_put(b, text, fmt_u64(text, v));
}

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
    case SLOTS_I64: format_i64(b, v->as.i); break;
    case SLOTS_U64: format_u64(b, v->as.u); break;
    case SLOTS_F64:
        if (f && f->kind == SLOTS_F32) format_float32(b, v->as.f);
        else format_double(b, v->as.f);
        break;
    case SLOTS_STR: format_str_repr(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_BYTES: format_bytes_repr(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_REF:
        sb_printf(b, "<%s at 0x%" PRIx64 ">", f && f->ref_type ? f->ref_type : "record", v->as.ref);
        break;
    default: {
        char text[KIND_TEXT_MAX];
        value t;
        /* timestamp, date, uuid, decimal: their text quoted, which a field-list default reads back */
        if (f && kind_is_textual(v->kind) && textual_text(f, v, &t, text) == SLOTS_OK) format_str_repr(b, t.as.s.p, t.as.s.len);
        else sb_printf(b, "<value of kind %d>", v->kind);
        break;
    }
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
