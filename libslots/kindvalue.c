/*
 * kindvalue.c — the values of the textual kinds (timestamp, date, uuid, decimal): the parse and
 * format functions of their rows in kind.c, and the one conversion every setter, default, JSON and
 * CSV value goes through (textual_from), so each path takes text, integers and bytes alike.
 */
#include "schema.h"

#include <stdio.h>

uint32_t field_width(int kind, unsigned precision) {
    if (kind == SLOTS_DECIMAL) return precision <= 18 ? 8 : 16;
    return (uint32_t)kind_size(kind);
}

slots_i128 decimal_of(const value *v) {
    slots_i128 d;
    memcpy(&d, v->as.b16, sizeof d);
    return d;
}

static int timestamp_parse_value(const field *f, const char *s, size_t n, value *out) {
    (void)f;
    out->kind = SLOTS_TIMESTAMP;
    return timestamp_parse(s, n, &out->as.i);
}

static size_t timestamp_format_value(const field *f, const value *v, char out[KIND_TEXT_MAX]) {
    (void)f;
    return timestamp_format(v->as.i, out);
}

static int date_parse_value(const field *f, const char *s, size_t n, value *out) {
    (void)f;
    int32_t days = 0;
    int rc = date_parse(s, n, &days);
    out->kind = SLOTS_DATE, out->as.i = days;
    return rc;
}

static size_t date_format_value(const field *f, const value *v, char out[KIND_TEXT_MAX]) {
    (void)f;
    return date_format((int32_t)v->as.i, out);
}

static int uuid_parse_value(const field *f, const char *s, size_t n, value *out) {
    (void)f;
    out->kind = SLOTS_UUID;
    return uuid_parse(s, n, out->as.b16);
}

static size_t uuid_format_value(const field *f, const value *v, char out[KIND_TEXT_MAX]) {
    (void)f;
    return uuid_format(v->as.b16, out);
}

static int decimal_parse_value(const field *f, const char *s, size_t n, value *out) {
    slots_i128 d = 0;
    int rc = decimal_parse(s, n, f->precision, f->scale, &d);
    out->kind = SLOTS_DECIMAL;
    memcpy(out->as.b16, &d, sizeof d);
    return rc;
}

static size_t decimal_format_value(const field *f, const value *v, char out[KIND_TEXT_MAX]) {
    return decimal_format(decimal_of(v), f->scale, out);
}

const kind_text_fns kind_text_timestamp = {timestamp_parse_value, timestamp_format_value};
const kind_text_fns kind_text_date = {date_parse_value, date_format_value};
const kind_text_fns kind_text_uuid = {uuid_parse_value, uuid_format_value};
const kind_text_fns kind_text_decimal = {decimal_parse_value, decimal_format_value};

/* The kind as messages name it: "timestamp", "decimal(10,2)". */
static const char *kind_words(const field *f, char buf[24]) {
    if (f->kind != SLOTS_DECIMAL) return slots_kind_name(f->kind);
    snprintf(buf, 24, "decimal(%u,%u)", f->precision, f->scale);
    return buf;
}

static int text_refused(const slots_type *t, const field *f, int rc, const char *s, size_t n) {
    char words[24];
    int shown = (int)(n > 60 ? 60 : n);
    const char *more = n > 60 ? "..." : "";
    if (rc == SLOTS_EINVAL) /* decimal_parse: a nonzero digit finer than the scale */
        return err_set(SLOTS_ERANGE, "%s.%s has more than %u digits after the point: '%.*s%s'", t->name, f->name,
                       f->scale, shown, s, more);
    if (rc == SLOTS_ERANGE)
        return err_set(SLOTS_ERANGE, "value '%.*s%s' out of range for field '%s' (%s)", shown, s, more, f->name,
                       kind_words(f, words));
    const char *hint = f->kind == SLOTS_TIMESTAMP ? " (RFC 3339: 2024-01-01T00:00:00Z)"
                       : f->kind == SLOTS_DATE    ? " (YYYY-MM-DD)"
                       : f->kind == SLOTS_UUID    ? " (a hexadecimal UUID)"
                                                  : " (a decimal number)";
    return err_set(SLOTS_EPARSE, "invalid %s for %s.%s: '%.*s%s'%s", kind_words(f, words), t->name, f->name, shown, s,
                   more, hint);
}

/* An integer into a timestamp (microseconds), date (days) or decimal (whole units, scaled). */
static int textual_from_int(const field *f, const value *in, value *out) {
    char words[24], text[24];
    slots_i128 n = in->kind == SLOTS_U64 ? (slots_i128)in->as.u : (slots_i128)in->as.i;
    bool ok = false;
    out->kind = f->kind;
    if (f->kind == SLOTS_DECIMAL) {
        slots_i128 scaled = n;
        ok = true;
        for (unsigned i = 0; i < f->scale && ok; i++) /* below 10^37, times 10 cannot overflow */
            if ((ok = decimal_fits(scaled, DECIMAL_MAX_PRECISION - 1))) scaled *= 10;
        ok = ok && decimal_fits(scaled, f->precision);
        memcpy(out->as.b16, &scaled, sizeof scaled);
    } else if (f->kind == SLOTS_UUID) {
        return SLOTS_ETYPE;
    } else if (n <= INT64_MAX) {
        out->as.i = (int64_t)n;
        ok = f->kind == SLOTS_DATE ? date_in_range(out->as.i) : timestamp_in_range(out->as.i);
    }
    if (ok) return SLOTS_OK;
    if (in->kind == SLOTS_U64) snprintf(text, sizeof text, "%llu", (unsigned long long)in->as.u);
    else snprintf(text, sizeof text, "%lld", (long long)in->as.i);
    return err_set(SLOTS_ERANGE, "value %s out of range for field '%s' (%s)", text, f->name, kind_words(f, words));
}

/* Whether a native value is one field f can hold (values made outside kindvalue.c). */
static bool native_in_range(const field *f, const value *v) {
    switch (f->kind) {
    case SLOTS_TIMESTAMP: return timestamp_in_range(v->as.i);
    case SLOTS_DATE: return date_in_range(v->as.i);
    case SLOTS_DECIMAL: return decimal_fits(decimal_of(v), f->precision);
    default: return true;
    }
}

int textual_from(const slots_type *t, const field *f, const value *in, value *out) {
    const kind_info *k = kind_get(f->kind);
    switch (in->kind) {
    case SLOTS_STR: {
        value v;
        memset(&v, 0, sizeof v);
        if (in->as.s.len && !in->as.s.p) return err_set(SLOTS_EINVAL, "%s.%s: NULL pointer with a nonzero length", t->name, f->name);
        int rc = k->text->parse(f, in->as.s.p ? in->as.s.p : "", in->as.s.len, &v);
        if (rc != SLOTS_OK) return text_refused(t, f, rc, in->as.s.p, in->as.s.len);
        *out = v;
        return SLOTS_OK;
    }
    case SLOTS_I64:
    case SLOTS_U64: return textual_from_int(f, in, out);
    case SLOTS_BYTES:
        if (f->kind != SLOTS_UUID) return SLOTS_ETYPE;
        if (in->as.s.len != 16 || !in->as.s.p)
            return err_set(SLOTS_EINVAL, "%s.%s: a uuid is 16 bytes, not %zu", t->name, f->name, in->as.s.len);
        out->kind = SLOTS_UUID;
        memcpy(out->as.b16, in->as.s.p, 16);
        return SLOTS_OK;
    default:
        if (in->kind != f->kind) return SLOTS_ETYPE;
        if (!native_in_range(f, in)) { /* from an Arrow column (arrow_import.c) */
            char text[KIND_TEXT_MAX], words[24];
            if (f->kind == SLOTS_DECIMAL) decimal_format(decimal_of(in), f->scale, text);
            else snprintf(text, sizeof text, "%lld", (long long)in->as.i);
            return err_set(SLOTS_ERANGE, "value %s out of range for field '%s' (%s)", text, f->name, kind_words(f, words));
        }
        *out = *in;
        return SLOTS_OK;
    }
}

int textual_text(const field *f, const value *v, value *out, char buf[KIND_TEXT_MAX]) {
    char local[KIND_TEXT_MAX];
    char *o = buf ? buf : local;
    size_t n = kind_get(f->kind)->text->format(f, v, o);
    const char *p = buf ? buf : arena_copy(local, n);
    if (!p) return err_nomem();
    out->kind = SLOTS_STR, out->as.s.p = p, out->as.s.len = n;
    return SLOTS_OK;
}

int textual_compare(const value *a, const value *b) {
    if (a->kind == SLOTS_UUID) {
        int c = memcmp(a->as.b16, b->as.b16, 16);
        return (c > 0) - (c < 0);
    }
    if (a->kind == SLOTS_DECIMAL) {
        slots_i128 x = decimal_of(a), y = decimal_of(b);
        return (x > y) - (x < y);
    }
    return (a->as.i > b->as.i) - (a->as.i < b->as.i);
}
