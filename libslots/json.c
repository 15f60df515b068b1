/*
 * json.c — records to and from one JSON object (RFC 8259). Decoding is directed by the record's
 * type: each key is looked up as a field and its value goes straight into it through field_set(),
 * which owns every kind, range and readonly check; there is no tree in between. Syntax errors are
 * worded as Python's json module words them, with line, column and byte offset.
 */
#include "io.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ============================================================================================== */
/* Decoding                                                                                       */
/* ============================================================================================== */
typedef struct jdec {
    const recref *r;
    const char *s;
    size_t len, pos;
    int next;             /* the field expected next */
    bool bufs_ready;      /* bufs are set up (zeroed when first needed: most rows never need them) */
    strbuf bufs[3];       /* an unescaped key, an unescaped string value, decoded base64 */
} jdec;

enum { JKEY, JVAL, JBIN };

static strbuf *jbuf(jdec *d, int which) {
    if (!d->bufs_ready) {
        memset(d->bufs, 0, sizeof d->bufs);
        d->bufs_ready = true;
    }
    return &d->bufs[which];
}

static int parse_error(const char *s, size_t len, size_t at, const char *what) {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at && i < len; i++) {
        if (s[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    return err_set(SLOTS_EPARSE, "%s: line %zu column %zu (char %zu)", what, line, at - line_start + 1, at);
}

static int jerr(const jdec *d, size_t at, const char *what) {
    load_note_place(d->s + at, 0); /* for a load's slots_load_error */
    return parse_error(d->s, d->len, at, what);
}

static bool at_char(const jdec *d, char c) { return d->pos < d->len && d->s[d->pos] == c; }

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static size_t skip_ws(const char *s, size_t len, size_t pos) {
    while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) pos++;
    return pos;
}

static void ws(jdec *d) { d->pos = skip_ws(d->s, d->len, d->pos); }

/* ---- strings --------------------------------------------------------------------------------- */
static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits at s[at..at+4) as a code unit, or -1. */
static long hex4(const jdec *d, size_t at) {
    if (at > d->len || d->len - at < 4) return -1;
    long u = 0;
    for (size_t i = at; i < at + 4; i++) {
        int h = hex_value(d->s[i]);
        if (h < 0) return -1;
        u = u * 16 + h;
    }
    return u;
}

static void put_utf8(strbuf *b, uint32_t c) {
    char o[4];
    size_t n;
    if (c < 0x80) {
        o[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        o[0] = (char)(0xc0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        o[0] = (char)(0xe0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        o[0] = (char)(0xf0 | (c >> 18));
        o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    sb_put(b, o, n);
}

/* A \uXXXX escape at s[at] (the backslash), joining a surrogate pair; a surrogate without its
 * partner cannot become UTF-8, so it is refused rather than passed on. */
static int unicode_escape(jdec *d, strbuf *b, size_t at, size_t *next) {
    long u = hex4(d, at + 2);
    if (u < 0) return jerr(d, at + 1, "Invalid \\uXXXX escape");
    *next = at + 6;
    if (u >= 0xdc00 && u <= 0xdfff) return jerr(d, at, "Invalid \\uXXXX escape: lone surrogate");
    if (u >= 0xd800 && u <= 0xdbff) {
        long lo = -1;
        if (at + 7 < d->len && d->s[at + 6] == '\\' && d->s[at + 7] == 'u') lo = hex4(d, at + 8);
        if (lo < 0xdc00 || lo > 0xdfff) return jerr(d, at, "Invalid \\uXXXX escape: lone surrogate");
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        *next = at + 12;
    }
    put_utf8(b, (uint32_t)u);
    return SLOTS_OK;
}

/* One escape at s[at] (the backslash) of the string opened at `begin`; *next = the byte after it. */
static int escape(jdec *d, strbuf *b, size_t begin, size_t at, size_t *next) {
    if (at + 1 >= d->len) return jerr(d, begin, "Unterminated string starting at");
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = d->s[at + 1];
    const char *hit = c ? strchr(from, c) : NULL;
    if (hit) {
        sb_putc(b, to[hit - from]);
        *next = at + 2;
        return SLOTS_OK;
    }
    if (c == 'u') return unicode_escape(d, b, at, next);
    return jerr(d, at, "Invalid \\escape");
}

/* The string at d->pos (its opening quote). Without escapes *p points into the text; with them the
 * unescaped bytes go to buffer `which` and *p points there (valid until it is reused). *high: whether a byte
 * >= 0x80 may be in it (an escape counts as one), so all-ASCII text can skip the UTF-8 check. Plain
 * runs are found many bytes at a time (jscan.c). */
static int parse_string(jdec *d, int which, const char **p, size_t *n, bool *high) {
    size_t begin = d->pos, i = begin + 1, run = i;
    strbuf *b = NULL; /* set at the first escape */
    for (;;) {
        i += jscan_string(d->s + i, d->len - i, high);
        if (i >= d->len) return jerr(d, begin, "Unterminated string starting at");
        unsigned char c = (unsigned char)d->s[i];
        if (c == '"') break;
        if (c < 0x20) return jerr(d, i, "Invalid control character at");
        if (!b) b = jbuf(d, which), b->len = 0;
        sb_put(b, d->s + run, i - run);
        *high = true;
        int rc = escape(d, b, begin, i, &i);
        if (rc != SLOTS_OK) return rc;
        run = i;
    }
    if (b) {
        sb_put(b, d->s + run, i - run);
        if (b->failed) return err_nomem();
        *p = b->p;
        *n = b->len;
    } else {
        *p = d->s + begin + 1;
        *n = i - begin - 1;
    }
    d->pos = i + 1;
    return SLOTS_OK;
}

/* ---- numbers --------------------------------------------------------------------------------- */
static int out_of_range(const jdec *d, size_t start, size_t end, const field *f, const char *name, size_t nlen) {
    int shown = end - start > 40 ? 40 : (int)(end - start);
    const char *more = end - start > 40 ? "..." : "";
    if (f)
        return err_set(SLOTS_ERANGE, "value %.*s%s out of range for field '%s' (%s)", shown, d->s + start, more,
                       f->name, slots_kind_name(f->kind));
    return err_set(SLOTS_ERANGE, "value %.*s%s out of range for attribute '%.*s'", shown, d->s + start, more,
                   (int)nlen, name);
}

/* An integer literal becomes I64, or U64 above INT64_MAX; any number bound for a float field F64.
 * The number is scanned and read in one pass (number.c), by Python's json grammar ("01" reads as 0
 * followed by extra data, as there). */
static int parse_number(jdec *d, const field *f, const char *name, size_t nlen, value *v) {
    size_t start = d->pos, end = 0;
    int rc = number_scan_json(d->s + start, d->len - start, f && kind_is_float(f->kind), v, &end);
    if (rc == SLOTS_EPARSE) return jerr(d, start, "Expecting value");
    d->pos = start + end;
    if (rc == SLOTS_ERANGE) return out_of_range(d, start, start + end, f, name, nlen);
    return rc;
}

/* ---- values and members ---------------------------------------------------------------------- */
static bool literal(jdec *d, const char *word) {
    size_t n = strlen(word);
    if (d->len - d->pos < n || memcmp(d->s + d->pos, word, n) != 0) return false;
    d->pos += n;
    return true;
}

/* NaN, Infinity or -Infinity at d->pos: not RFC 8259, but what Python's json writes and reads. */
static bool non_finite(jdec *d, value *v) {
    bool nan = literal(d, "NaN"), inf = !nan && literal(d, "Infinity");
    if (!nan && !inf && !literal(d, "-Infinity")) return false;
    v->kind = SLOTS_F64;
    v->as.f = nan ? NAN : inf ? HUGE_VAL : -HUGE_VAL;
    return true;
}

static int nested_value(const field *f, const char *name, size_t nlen, char open) {
    const char *what = open == '{' ? "object" : "array";
    if (f)
        return err_set(SLOTS_ETYPE, "field '%s' (%s) cannot hold a JSON %s", f->name, slots_kind_name(f->kind), what);
    return err_set(SLOTS_ETYPE, "attribute '%.*s' cannot hold a JSON %s", (int)nlen, name, what);
}

static int string_value(jdec *d, const field *f, value *v) {
    const char *p;
    size_t n;
    bool high = false;
    int rc = parse_string(d, JVAL, &p, &n, &high);
    if (rc != SLOTS_OK) return rc;
    v->kind = SLOTS_STR;
    v->as.s.p = p;
    v->as.s.len = n;
    if (!f || f->kind != SLOTS_BYTES) return SLOTS_OK;
    /* JSON has no bytes: a bytes field's text is its base64 */
    strbuf *bin = jbuf(d, JBIN);
    if (!base64_decode(p, n, bin)) return err_set(SLOTS_EINVAL, "invalid base64 text for field '%s' (bytes)", f->name);
    if (bin->failed) return err_nomem();
    v->kind = SLOTS_BYTES;
    v->as.s.p = bin->p ? bin->p : "";
    v->as.s.len = bin->len;
    return SLOTS_OK;
}

/* A ref field's JSON form is the target's handle number; a negative one stays an integer, which
 * field_set refuses as the wrong kind. */
static void number_to_ref(value *v) {
    if (v->kind == SLOTS_U64) v->as.ref = v->as.u;
    else if (v->kind == SLOTS_I64 && v->as.i >= 0) v->as.ref = (uint64_t)v->as.i;
    else return;
    v->kind = SLOTS_REF;
}

/* A number for a decimal field: its text, which the field reads exactly (kindvalue.c), as a float
 * would not. */
static int decimal_number(jdec *d, value *v) {
    size_t start = d->pos, end = 0;
    value scratch;
    int rc = number_scan_json(d->s + start, d->len - start, true, &scratch, &end);
    if (rc == SLOTS_EPARSE) return jerr(d, start, "Expecting value");
    d->pos = start + end;
    v->kind = SLOTS_STR, v->as.s.p = d->s + start, v->as.s.len = end;
    return SLOTS_OK;
}

/* The value at d->pos for field f (NULL for an extra called name). */
static int parse_value(jdec *d, const field *f, const char *name, size_t nlen, value *v) {
    if (d->pos >= d->len) return jerr(d, d->pos, "Expecting value");
    char c = d->s[d->pos];
    if (c == '"') return string_value(d, f, v);
    if (c == '{' || c == '[') return nested_value(f, name, nlen, c);
    bool sign = c == '-' && d->pos + 1 < d->len && d->s[d->pos + 1] == 'I';
    if ((c == 'N' || c == 'I' || sign) && non_finite(d, v)) return SLOTS_OK;
    if ((c == '-' || is_digit(c)) && f && f->kind == SLOTS_DECIMAL) return decimal_number(d, v);
    if (c == '-' || is_digit(c)) {
        int rc = parse_number(d, f, name, nlen, v);
        if (rc == SLOTS_OK && f && f->kind == SLOTS_REF) number_to_ref(v);
        return rc;
    }
    bool yes = literal(d, "true");
    if (yes || literal(d, "false")) {
        v->kind = SLOTS_BOOL;
        v->as.i = yes;
        return SLOTS_OK;
    }
    if (literal(d, "null")) {
        v->kind = VAL_NULL;
        return SLOTS_OK;
    }
    return jerr(d, d->pos, "Expecting value");
}

/* Whether n bytes at a and b are equal, for short names: two loads that may overlap compare 4 to
 * 16 bytes, reading nothing outside either (a byte loop's exit branch mispredicts on names of
 * different lengths, and a memcmp call costs more than the compare). */
static bool same_bytes(const char *a, const char *b, size_t n) {
    if (n > 16) return memcmp(a, b, n) == 0;
    if (n >= 8) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a, 8), memcpy(&a1, a + n - 8, 8), memcpy(&b0, b, 8), memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4) {
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, a, 4), memcpy(&a1, a + n - 4, 4), memcpy(&b0, b, 4), memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Whether a field is called key[0..klen). */
static bool same_name(const field *f, const char *key, size_t klen) {
    return f->name_len == klen && same_bytes(f->name, key, klen);
}

/* A member's error, noted for a load's slots_load_error: its key, and where its value (or the key
 * itself, for an unknown one) starts unless a parse error noted a place already. */
static int member_error(const jdec *d, const char *key, size_t klen, size_t at, int rc) {
    load_note_field(key, klen);
    load_note_place(d->s + at, 0);
    return rc;
}

/* One "key": value pair, starting at the key's opening quote. */
static int decode_member(jdec *d) {
    const char *key;
    size_t klen, key_at = d->pos;
    bool high = false;
    int rc = parse_string(d, JKEY, &key, &klen, &high);
    if (rc != SLOTS_OK) return rc;
    ws(d);
    if (!at_char(d, ':')) return jerr(d, d->pos, "Expecting ':' delimiter");
    d->pos++;
    ws(d);
    const slots_type *t = d->r->type;
    /* Keys usually come in field order: try the field after the last one first. */
    const field *guess = d->next < t->nfields ? &t->fields[d->next] : NULL;
    int idx = guess && same_name(guess, key, klen) ? d->next : type_find_field(t, key, klen);
    d->next = idx + 1;
    if (idx < 0 && !(t->flags & SLOTS_DYNAMIC)) return member_error(d, key, klen, key_at, err_no_attr(t, key, klen));
    const field *f = idx >= 0 ? &t->fields[idx] : NULL;
    value v = {0}; /* whole union defined, whatever the kind reads */
    size_t value_at = d->pos;
    rc = parse_value(d, f, key, klen, &v);
    if (rc == SLOTS_OK) rc = f ? field_set(d->r, idx, &v) : extra_set(d->r, key, klen, &v);
    return rc == SLOTS_OK ? rc : member_error(d, key, klen, value_at, rc);
}

/* ---- the decode plan of a member: straight into the field it names ---------------------------
 * Most members are the field after the last one, its name spelled plainly (field names are
 * identifiers, type.c, so their JSON spelling is their bytes), and a plain number for
 * a number field or a plain string for a str field. Those are read here with one look at each
 * byte (the key compared in place, the number read as it is scanned, the string's end found many
 * bytes at a time) and written with field_set_known, which runs every check of field_set; only the
 * UTF-8 pass is skipped for text the scan found to be ASCII. Anything else (another key, escapes,
 * other kinds, a number that is malformed or out of range) is left to decode_member: FAST_NO,
 * with nothing read or changed, so every message stays the one decode_member gives. */
#define FAST_NO 1

/* Tests turn the plan off to check that it decodes exactly as decode_member does (tests/fuzz). */
static bool plan_on = true;
void json_plan_enable(bool on) { __atomic_store_n(&plan_on, on, __ATOMIC_RELAXED); }

/* The value at s[p] for field f, if it is one the plan reads: *end = where it ends. */
static bool plan_value(const jdec *d, const field *f, size_t p, value *v, unsigned *known, size_t *end) {
    const char *s = d->s;
    char c = s[p];
    if ((kind_is_int(f->kind) || kind_is_float(f->kind)) && (c == '-' || is_digit(c))) {
        size_t n;
        if (number_scan_json(s + p, d->len - p, kind_is_float(f->kind), v, &n) != SLOTS_OK) return false;
        *end = p + n;
        return true;
    }
    if (f->kind != SLOTS_STR || c != '"') return false;
    bool high = false;
    size_t n = jscan_string(s + p + 1, d->len - p - 1, &high);
    if (p + 1 + n >= d->len || s[p + 1 + n] != '"') return false; /* an escape, a control byte, the end */
    v->kind = SLOTS_STR;
    v->as.s.p = s + p + 1;
    v->as.s.len = n;
    *known = high ? 0 : VALUE_KNOWN_ASCII;
    *end = p + n + 2;
    return true;
}

static int decode_member_fast(jdec *d) {
    const slots_type *t = d->r->type;
    if (d->next >= t->nfields) return FAST_NO;
    const field *f = &t->fields[d->next];
    const char *s = d->s;
    size_t nlen = f->name_len, p = d->pos + 1 + nlen;
    if (p >= d->len || s[p] != '"' || !same_bytes(s + d->pos + 1, f->name, nlen)) return FAST_NO;
    p = skip_ws(s, d->len, p + 1);
    if (p >= d->len || s[p] != ':') return FAST_NO;
    p = skip_ws(s, d->len, p + 1);
    value v = {0};
    unsigned known = 0;
    size_t end;
    if (p >= d->len || !plan_value(d, f, p, &v, &known, &end)) return FAST_NO;
    int rc = field_put_building(d->r, d->next, &v, known);
    if (rc != SLOTS_OK) return member_error(d, f->name, nlen, p, rc);
    d->pos = end;
    d->next++;
    return SLOTS_OK;
}

static int decode_members(jdec *d) {
    ws(d);
    if (d->pos >= d->len) return jerr(d, d->pos, "Expecting value");
    if (!at_char(d, '{')) return jerr(d, d->pos, "Expecting object");
    d->pos++;
    ws(d);
    if (at_char(d, '}')) {
        d->pos++;
        return SLOTS_OK;
    }
    for (;;) {
        if (!at_char(d, '"')) return jerr(d, d->pos, "Expecting property name enclosed in double quotes");
        int rc = __atomic_load_n(&plan_on, __ATOMIC_RELAXED) ? decode_member_fast(d) : FAST_NO;
        if (rc == FAST_NO) rc = decode_member(d);
        if (rc != SLOTS_OK) return rc;
        ws(d);
        if (at_char(d, '}')) {
            d->pos++;
            return SLOTS_OK;
        }
        if (!at_char(d, ',')) return jerr(d, d->pos, "Expecting ',' delimiter");
        d->pos++;
        ws(d);
    }
}

int json_decode_object(const recref *r, const char *text, size_t len, size_t *pos) {
    if (!r || !text || !pos) return err_set(SLOTS_EINVAL, "json_decode_object: arguments must not be NULL");
    if (*pos > len)
        return err_set(SLOTS_EINVAL, "json_decode_object: position %zu beyond the text (%zu bytes)", *pos, len);
    jdec d; /* not zeroed whole: its buffers only when a row needs them (jbuf) */
    d.r = r, d.s = text, d.len = len, d.pos = *pos, d.next = 0, d.bufs_ready = false;
    int rc = decode_members(&d);
    for (int k = 0; d.bufs_ready && k < 3; k++)
        if (d.bufs[k].p) sb_free(&d.bufs[k]);
    if (rc == SLOTS_OK) *pos = d.pos;
    return rc;
}

int json_check_end(const char *text, size_t len, size_t pos) {
    pos = skip_ws(text, len, pos);
    return pos < len ? parse_error(text, len, pos, "Extra data") : SLOTS_OK;
}

int slots_from_json(const slots_type *t, const char *json, size_t len, slots_obj *out) {
    return slots_from_json_flags(t, json, len, 0, out);
}

int slots_from_json_flags(const slots_type *t, const char *json, size_t len, unsigned flags, slots_obj *out) {
    GUARDED;
    if (!json) return err_set(SLOTS_EINVAL, "slots_from_json: json must not be NULL");
    if (!out) return err_set(SLOTS_EINVAL, "slots_from_json: out must not be NULL");
    if (flags & ~SLOTS_LOAD_LENIENT) return err_set(SLOTS_EINVAL, "slots_from_json: unknown flags 0x%x", flags);
    int rc = registry_check_type(t);
    if (rc != SLOTS_OK) return rc;
    slots_store *s;
    if ((rc = type_default_store(t, &s)) != SLOTS_OK) return rc;
    recref r;
    slots_obj h;
    rc = store_alloc_record(s, &r, &h);
    if (rc != SLOTS_OK) return rc;
    size_t pos = 0;
    rc = json_decode_object(&r, json, len, &pos);
    if (rc == SLOTS_OK) rc = json_check_end(json, len, pos);
    if (rc == SLOTS_OK) rc = fill_defaults(&r);
    if (rc == SLOTS_OK) rc = row_check_required(&r, flags); /* as a constructor: no field missing */
    if (rc != SLOTS_OK) {
        store_release_record(s, &r);
        return rc;
    }
    *out = h;
    return SLOTS_OK;
}

/* ============================================================================================== */
/* Encoding                                                                                       */
/* ============================================================================================== */
/* The escape of one byte jscan stops at ('"', '\\' or a control byte) into o; returns its length. */
static size_t escape_byte(char *o, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    o[0] = '\\';
    switch (c) {
    case '"': o[1] = '"'; return 2;
    case '\\': o[1] = '\\'; return 2;
    case '\n': o[1] = 'n'; return 2;
    case '\r': o[1] = 'r'; return 2;
    case '\t': o[1] = 't'; return 2;
    case '\b': o[1] = 'b'; return 2;
    case '\f': o[1] = 'f'; return 2;
    default: memcpy(o + 1, "u00", 3), o[4] = hex[c >> 4], o[5] = hex[c & 15]; return 6;
    }
}

/* A JSON string: the runs between bytes that need an escape go whole (found by jscan), into room
 * reserved once for the worst case (every byte a six-byte \u escape). */
static void put_json_string(strbuf *b, const char *p, size_t n) {
    char *o = sb_room(b, n <= (SIZE_MAX - 2) / 6 ? 6 * n + 2 : SIZE_MAX);
    if (!o) return;
    size_t k = 0, i = 0;
    o[k++] = '"';
    for (;;) {
        bool high = false;
        size_t run = jscan_string(p + i, n - i, &high);
        memcpy(o + k, p + i, run);
        k += run, i += run;
        if (i == n) break;
        k += escape_byte(o + k, (unsigned char)p[i++]);
    }
    o[k++] = '"';
    sb_wrote(b, k);
}

/* A number's text straight into b. */
static void put_number(strbuf *b, size_t (*fmt)(char *, double), double d) {
    char *o = sb_room(b, FMT_NUMBER_MAX);
    if (o) sb_wrote(b, fmt(o, d));
}

static void put_int(strbuf *b, const value *v) {
    char *o = sb_room(b, FMT_NUMBER_MAX);
    if (!o) return;
    sb_wrote(b, v->kind == SLOTS_I64 ? fmt_i64(o, v->as.i) : fmt_u64(o, v->kind == SLOTS_U64 ? v->as.u : v->as.ref));
}

static size_t fmt_f32_value(char *o, double d) {
    return isfinite(d) && (double)(float)d == d ? fmt_float32(o, (float)d) : fmt_double(o, d);
}

/* One value; f is the field it came from (NULL for an extra) so an f32 prints as a float. A
 * non-finite float is written as Python's json writes it (the caller has checked it may be). */
static int put_json_value(strbuf *b, const value *v, const field *f) {
    switch (v->kind) {
    case VAL_NULL: sb_put(b, "null", 4); break;
    case SLOTS_BOOL: v->as.i ? sb_put(b, "true", 4) : sb_put(b, "false", 5); break;
    case SLOTS_I64: case SLOTS_U64: case SLOTS_REF: put_int(b, v); break;
    case SLOTS_STR: put_json_string(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_BYTES:
        sb_putc(b, '"');
        base64_encode(b, (const unsigned char *)v->as.s.p, v->as.s.len);
        sb_putc(b, '"');
        break;
    case SLOTS_F64:
        if (isnan(v->as.f)) sb_puts(b, "NaN");
        else if (isinf(v->as.f)) sb_puts(b, v->as.f < 0 ? "-Infinity" : "Infinity");
        /* Python's float repr is valid JSON and keeps a float a float ("1.0", "1e+16") */
        else put_number(b, f && f->kind == SLOTS_F32 ? fmt_f32_value : fmt_double, v->as.f);
        break;
    default: {
        char text[KIND_TEXT_MAX];
        value t;
        if (!f || !kind_is_textual(v->kind)) return err_set(SLOTS_EINVAL, "a value of kind %d has no JSON form", v->kind);
        textual_text(f, v, &t, text); /* timestamp, date, uuid, decimal: a string of their text */
        put_json_string(b, t.as.s.p, t.as.s.len);
        break;
    }
    }
    return SLOTS_OK;
}

/* ',' unless first, then "name": (escaped as any JSON string). */
static void put_name(strbuf *b, bool *first, const char *name, size_t len) {
    if (!*first) sb_putc(b, ',');
    *first = false;
    put_json_string(b, name, len);
    sb_putc(b, ':');
}

/* The same for field f into o (room for its name + 4), in one copy: field names are identifiers
 * (type.c), which need no escape. Returns the bytes written. */
static size_t field_name_into(char *o, bool *first, const field *f) {
    size_t k = 0;
    if (!*first) o[k++] = ',';
    *first = false;
    o[k++] = '"';
    memcpy(o + k, f->name, f->name_len);
    k += f->name_len;
    o[k++] = '"';
    o[k++] = ':';
    return k;
}

static void put_field_name(strbuf *b, bool *first, const slots_type *t, int i) {
    const field *f = &t->fields[i];
    char *o = sb_room(b, f->name_len + 4);
    if (o) sb_wrote(b, field_name_into(o, first, f));
}

/* A set, non-null i64 or f64 field, read straight from its slot, its name and number written into
 * one reservation: the plan of the common member. False for a non-finite float, which put_member
 * refuses or spells as Python's json does. */
static bool put_plain_number(strbuf *b, bool *first, const recref *r, const field *f) {
    union {
        int64_t i;
        double d;
    } x;
    scalar_load(r->rec + f->offset, 8, &x);
    if (f->kind == SLOTS_F64 && !isfinite(x.d)) return false;
    char *o = sb_room(b, f->name_len + 4 + FMT_NUMBER_MAX);
    if (!o) return true; /* b has failed: the caller reports it */
    size_t k = field_name_into(o, first, f);
    k += f->kind == SLOTS_I64 ? fmt_i64(o + k, x.i) : fmt_double(o + k, x.d);
    sb_wrote(b, k);
    return true;
}

/* One "name": value member of a record of type t; a non-finite float only with SLOTS_DUMP_ALLOW_NAN,
 * as Python's json.dumps(allow_nan=...). */
static int put_member(strbuf *b, bool *first, const slots_type *t, const char *name, size_t len, const value *v,
                      const field *f, unsigned flags) {
    if (v->kind == SLOTS_F64 && !isfinite(v->as.f) && !(flags & SLOTS_DUMP_ALLOW_NAN))
        return err_set(SLOTS_EINVAL, "Out of range float values are not JSON compliant: %s (%s.%s)",
                       isnan(v->as.f) ? "nan" : v->as.f < 0 ? "-inf" : "inf", t->name, name);
    if (f) put_field_name(b, first, t, (int)(f - t->fields));
    else put_name(b, first, name, len);
    return put_json_value(b, v, f);
}

/* A str field's value as field_get reads it (bits and bytes under the slot's lock), but a short one
 * (inline in its slot, as names and codes are) copied to `local` rather than to the read arena. */
static int get_text(const recref *r, int i, char local[STR_SLOT], value *v) {
    const slots_type *t = r->type;
    const char *slot = r->rec + t->fields[i].offset, *p;
    size_t n;
    bool small = !(t->flags & SLOTS_CLAYOUT), set, null;
    text_lock(slot);
    set = rec_is_set(t, r->rec, i), null = rec_is_null(t, r->rec, i);
    if (small) {
        str_slot_peek(slot, false, &p, &n);
        small = n <= STR_INLINE_MAX;
        if (small) memcpy(local, p, n);
    }
    text_unlock(slot);
    if (!small) return field_get(r, i, v);
    if (!set) return SLOTS_EUNSET;
    if (null) return SLOTS_NULL;
    v->kind = SLOTS_STR, v->as.s.p = local, v->as.s.len = n;
    return SLOTS_OK;
}

/* A number or bool field's value as field_get reads it, without its checks of the index and its
 * message for an unset field (the caller looked at the bit; a racing delete reads as unset). Other
 * kinds: field_get. */
static int get_scalar(const recref *r, int i, value *v) {
    const slots_type *t = r->type;
    const field *f = &t->fields[i];
    if (!kind_is_int(f->kind) && !kind_is_float(f->kind) && f->kind != SLOTS_BOOL) return field_get(r, i, v);
    if (!rec_is_set(t, r->rec, i)) return SLOTS_EUNSET;
    if (rec_is_null(t, r->rec, i)) return SLOTS_NULL;
    read_slot(t, f, r->rec + f->offset, v);
    return SLOTS_OK;
}

int json_encode_record(strbuf *b, const recref *r, unsigned flags) {
    if (!b || !r) return err_set(SLOTS_EINVAL, "json_encode_record: arguments must not be NULL");
    const slots_type *t = r->type;
    bool first = true;
    sb_putc(b, '{');
    for (int i = 0; i < t->nfields; i++) {
        if (!rec_is_set(t, r->rec, i)) continue; /* unset fields are absent, and field_get stays quiet */
        const field *f = &t->fields[i];
        if ((f->kind == SLOTS_I64 || f->kind == SLOTS_F64) && !rec_is_null(t, r->rec, i) &&
            put_plain_number(b, &first, r, f))
            continue;
        value v;
        char local[STR_SLOT];
        int rc = f->kind == SLOTS_STR ? get_text(r, i, local, &v) : get_scalar(r, i, &v);
        if (rc == SLOTS_EUNSET) continue;
        if (rc < 0) return rc;
        if (rc == SLOTS_NULL) v.kind = VAL_NULL;
        rc = put_member(b, &first, t, f->name, f->name_len, &v, f, flags);
        if (rc != SLOTS_OK) return rc;
    }
    size_t n = 0;
    const extra_entry *ex = NULL;
    int rc = t->flags & SLOTS_DYNAMIC ? extras_list(r, &ex, &n) : SLOTS_OK; /* only they have extras */
    for (size_t i = 0; i < n && rc == SLOTS_OK; i++)
        rc = put_member(b, &first, t, ex[i].name, strlen(ex[i].name), &ex[i].v, NULL, flags);
    if (rc != SLOTS_OK) return rc;
    sb_putc(b, '}');
    return b->failed ? err_nomem() : SLOTS_OK;
}

int slots_to_json(slots_obj o, const char **out, size_t *len) { return slots_to_json_flags(o, 0, out, len); }

int json_check_dump_flags(unsigned flags) {
    return flags & ~SLOTS_DUMP_ALLOW_NAN ? err_set(SLOTS_EINVAL, "unknown dump flags 0x%x", flags) : SLOTS_OK;
}

int slots_to_json_flags(slots_obj o, unsigned flags, const char **out, size_t *len) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "slots_to_json: out must not be NULL");
    int rc = json_check_dump_flags(flags);
    if (rc != SLOTS_OK) return rc;
    recref r;
    rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    strbuf *b = sb_scratch();
    rc = json_encode_record(b, &r, flags);
    if (rc != SLOTS_OK) return rc;
    *out = b->p;
    if (len) *len = b->len;
    return SLOTS_OK;
}
