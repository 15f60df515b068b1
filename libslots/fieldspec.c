/*
 * fieldspec.c — the field-list text ("id: i64 key, name: str = 'x' optional") turned into the same
 * slots_field_spec array that slots_type_define_specs() takes, so both ways in share one type
 * builder; and default literals turned into values.
 */
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

typedef struct cursor {
    const char *text;
    size_t pos;
} cursor;

static char peek(const cursor *c) { return c->text[c->pos]; }

/* Skips blanks and, when `newlines` is set, line breaks and # comments too. */
static void skip_space(cursor *c, bool newlines) {
    for (;;) {
        char ch = peek(c);
        if (ch == ' ' || ch == '\t' || ch == '\r') c->pos++;
        else if (newlines && ch == '\n') c->pos++;
        else if (ch == '#') while (peek(c) && peek(c) != '\n') c->pos++;
        else return;
    }
}

static int parse_error(const cursor *c, const char *what) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < c->pos; i++) {
        if (c->text[i] == '\n') line++, col = 1;
        else col++;
    }
    return err_set(SLOTS_EPARSE, "invalid field list: %s at line %zu, column %zu", what, line, col);
}

static bool ident_start(char ch) { return isalpha((unsigned char)ch) || ch == '_'; }
static bool ident_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* Reads an identifier; returns its length (0 if there is none). */
static size_t read_ident(cursor *c, const char **start) {
    *start = c->text + c->pos;
    if (!ident_start(peek(c))) return 0;
    size_t n = 0;
    while (ident_char(peek(c))) c->pos++, n++;
    return n;
}

/* Reads a default literal's raw text: a quoted string (escapes kept) or a bare token. */
static size_t read_literal(cursor *c, const char **start) {
    *start = c->text + c->pos;
    size_t begin = c->pos;
    if (peek(c) == 'b' && (c->text[c->pos + 1] == '\'' || c->text[c->pos + 1] == '"')) c->pos++; /* b'..' */
    char q = peek(c);
    if (q == '\'' || q == '"') {
        c->pos++;
        while (peek(c) && peek(c) != q && peek(c) != '\n') c->pos += (peek(c) == '\\' && c->text[c->pos + 1]) ? 2 : 1;
        if (peek(c) != q) return 0;
        c->pos++;
    } else {
        while (peek(c) && !strchr(" \t\r\n,#", peek(c))) c->pos++;
    }
    return c->pos - begin;
}

static bool word_is(const char *s, size_t n, const char *w) { return strlen(w) == n && !memcmp(s, w, n); }

static int set_flag(cursor *c, slots_field_spec *spec, const char *w, size_t n) {
    unsigned flag = word_is(w, n, "optional") ? SLOTS_FIELD_OPTIONAL
                    : word_is(w, n, "readonly") ? SLOTS_FIELD_READONLY
                    : word_is(w, n, "key")      ? SLOTS_FIELD_KEY
                                                : 0;
    if (!flag) return parse_error(c, "unknown modifier (expected optional, readonly or key)");
    spec->flags |= flag;
    return SLOTS_OK;
}

static char *dup_or_null(const char *s, size_t n, int *rc) {
    char *p = mem_strdup(s, n, NULL);
    if (!p) *rc = err_nomem();
    return p;
}

static bool read_small(cursor *c, unsigned *out) {
    unsigned v = 0, n = 0;
    for (; isdigit((unsigned char)peek(c)) && n < 3; n++, c->pos++) v = v * 10 + (unsigned)(peek(c) - '0');
    *out = v;
    return n > 0 && !isdigit((unsigned char)peek(c));
}

/* `(P,S)` after decimal, into the spec's kind (slots.h: SLOTS_DECIMAL_PRECISION_SHIFT); type.c checks the ranges. */
static int parse_decimal_args(cursor *c, slots_field_spec *spec) {
    unsigned p = 0, s = 0;
    if (peek(c) != '(') return parse_error(c, "expected decimal(P,S), precision P and scale S");
    c->pos++, skip_space(c, false);
    if (!read_small(c, &p)) return parse_error(c, "expected the precision of decimal(P,S)");
    skip_space(c, false);
    if (peek(c) != ',') return parse_error(c, "expected ',' and the scale of decimal(P,S)");
    c->pos++, skip_space(c, false);
    if (!read_small(c, &s)) return parse_error(c, "expected the scale of decimal(P,S)");
    skip_space(c, false);
    if (peek(c) != ')') return parse_error(c, "expected ')' after decimal(P,S)");
    c->pos++;
    if (p < 1 || p > DECIMAL_MAX_PRECISION || s > p)
        return parse_error(c, "decimal(P,S) needs 1 <= P <= 38 and 0 <= S <= P");
    spec->kind = SLOTS_DECIMAL | (int)(p << SLOTS_DECIMAL_PRECISION_SHIFT | s << SLOTS_DECIMAL_SCALE_SHIFT);
    return SLOTS_OK;
}

/* Parses `kind [ref-type] [= default] {modifier}` after the colon. */
static int parse_field_rest(cursor *c, slots_field_spec *spec) {
    const char *w;
    int rc = SLOTS_OK;
    skip_space(c, false);
    size_t n = read_ident(c, &w);
    if (!n || !(spec->kind = kind_from_name(w, n))) return parse_error(c, "expected a kind (i64, str, f64, ...)");
    if (spec->kind == SLOTS_DECIMAL && (rc = parse_decimal_args(c, spec)) != SLOTS_OK) return rc;
    skip_space(c, false);
    if (spec->kind == SLOTS_REF && (n = read_ident(c, &w)) && !word_is(w, n, "optional") &&
        !word_is(w, n, "readonly") && !word_is(w, n, "key")) {
        if (!(spec->ref_type = dup_or_null(w, n, &rc))) return rc;
        skip_space(c, false);
    } else if (spec->kind == SLOTS_REF) {
        c->pos = (size_t)(w - c->text); /* a modifier, not a type name: read it again below */
    }
    if (peek(c) == '=') {
        c->pos++;
        skip_space(c, false);
        if (!(n = read_literal(c, &w))) return parse_error(c, "expected a default value");
        if (!(spec->default_value = dup_or_null(w, n, &rc))) return rc;
        skip_space(c, false);
    }
    while ((n = read_ident(c, &w))) {
        if ((rc = set_flag(c, spec, w, n)) != SLOTS_OK) return rc;
        skip_space(c, false);
    }
    return SLOTS_OK;
}

static int parse_field(cursor *c, slots_field_spec *spec) {
    const char *w;
    int rc = SLOTS_OK;
    size_t n = read_ident(c, &w);
    if (!n) return parse_error(c, "expected a field name");
    if (!(spec->name = dup_or_null(w, n, &rc))) return rc;
    skip_space(c, false);
    if (peek(c) != ':') return parse_error(c, "expected ':' after the field name");
    c->pos++;
    return parse_field_rest(c, spec);
}

static int grow_specs(slots_field_spec **specs, size_t *cap, size_t n) {
    if (n < *cap) return SLOTS_OK;
    size_t ncap = *cap ? *cap * 2 : 8;
    slots_field_spec *p = mem_realloc(*specs, *cap * sizeof *p, ncap * sizeof *p, NULL);
    if (!p) return err_nomem();
    *specs = p, *cap = ncap;
    return SLOTS_OK;
}

int fieldspec_parse(const char *text, slots_field_spec **out, size_t *nout) {
    cursor c = {text, 0};
    slots_field_spec *specs = NULL;
    size_t n = 0, cap = 0;
    int rc = SLOTS_OK;
    skip_space(&c, true);
    while (rc == SLOTS_OK && peek(&c)) {
        if ((rc = grow_specs(&specs, &cap, n)) != SLOTS_OK) break;
        memset(&specs[n], 0, sizeof specs[n]);
        rc = parse_field(&c, &specs[n++]);
        if (rc != SLOTS_OK) break;
        if (peek(&c) == ',' || peek(&c) == '\n') c.pos++;
        else if (peek(&c)) rc = parse_error(&c, "expected ',' or a new line between fields");
        skip_space(&c, true);
    }
    if (rc == SLOTS_OK && n < cap) { /* shrink to exactly n, the size fieldspec_free() releases */
        slots_field_spec *exact = n ? mem_realloc(specs, cap * sizeof *specs, n * sizeof *specs, NULL) : NULL;
        if (n && !exact) rc = err_nomem();
        else if (!n) mem_free(specs, cap * sizeof *specs, NULL), specs = NULL, cap = 0;
        else specs = exact, cap = n;
    }
    if (rc != SLOTS_OK) {
        for (size_t i = n; i < cap; i++) memset(&specs[i], 0, sizeof specs[i]);
        fieldspec_free(specs, cap);
        return rc;
    }
    *out = specs, *nout = n;
    return SLOTS_OK;
}

void fieldspec_free(slots_field_spec *specs, size_t n) {
    if (!specs) return;
    for (size_t i = 0; i < n; i++) {
        char *name = (char *)specs[i].name, *def = (char *)specs[i].default_value, *ref = (char *)specs[i].ref_type;
        if (name) mem_free(name, strlen(name) + 1, NULL);
        if (def) mem_free(def, strlen(def) + 1, NULL);
        if (ref) mem_free(ref, strlen(ref) + 1, NULL);
    }
    mem_free(specs, n * sizeof *specs, NULL);
}

/* ---- default literals ----------------------------------------------------------------------- */

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decodes one escape at s[*i] (just after the backslash) into *byte. */
static bool unescape_one(const char *s, size_t *i, char *byte) {
    static const char from[] = "\\'\"ntr0", to[] = "\\'\"\n\t\r\0";
    const char *hit = s[*i] ? strchr(from, s[*i]) : NULL;
    if (hit) {
        *byte = to[hit - from], (*i)++;
        return true;
    }
    if (s[*i] == 'x' && hex_digit(s[*i + 1]) >= 0 && hex_digit(s[*i + 2]) >= 0) {
        *byte = (char)(hex_digit(s[*i + 1]) * 16 + hex_digit(s[*i + 2])), *i += 3;
        return true;
    }
    return false;
}

static int parse_quoted(const char *text, int kind, value *out, char **owned, size_t *owned_len) {
    size_t n = strlen(text);
    char *buf = mem_alloc(n, NULL), q = text[0];
    if (!buf) return err_nomem();
    size_t len = 0, i = 1;
    while (i < n - 1) {
        char byte;
        if (text[i] != '\\') {
            buf[len++] = text[i++];
        } else if (i++, !unescape_one(text, &i, &byte)) {
            mem_free(buf, n, NULL);
            return err_set(SLOTS_EPARSE, "invalid escape in default %s", text);
        } else if (kind != SLOTS_BYTES && (unsigned char)byte >= 0x80) { /* U+0080..U+00FF in UTF-8 */
            buf[len++] = (char)(0xc0 | ((unsigned char)byte >> 6));
            buf[len++] = (char)(0x80 | ((unsigned char)byte & 0x3f));
        } else {
            buf[len++] = byte;
        }
    }
    if (n < 2 || i != n - 1 || text[n - 1] != q) {
        mem_free(buf, n, NULL);
        return err_set(SLOTS_EPARSE, "unterminated string in default %s", text);
    }
    out->kind = kind == SLOTS_BYTES ? SLOTS_BYTES : SLOTS_STR;
    out->as.s.p = buf, out->as.s.len = len;
    *owned = buf, *owned_len = n;
    return SLOTS_OK;
}

static bool parse_integer(const char *text, value *out) {
    char *end;
    errno = 0;
    if (text[0] != '-') {
        unsigned long long u = strtoull(text, &end, 10);
        if (errno || *end || end == text || !isdigit((unsigned char)text[0])) return false;
        if (u <= INT64_MAX) out->kind = SLOTS_I64, out->as.i = (int64_t)u;
        else out->kind = SLOTS_U64, out->as.u = u;
        return true;
    }
    long long v = strtoll(text, &end, 10);
    if (errno || *end || !isdigit((unsigned char)text[1])) return false;
    out->kind = SLOTS_I64, out->as.i = v;
    return true;
}

static bool parse_float(const char *text, value *out) {
    char *end;
    if (!strpbrk(text, ".eEin")) return false;
    double d = strtod(text, &end);
    if (*end || end == text || isspace((unsigned char)text[0])) return false;
    out->kind = SLOTS_F64, out->as.f = d;
    return true;
}

int literal_parse(const char *text, int kind, value *out, char **owned, size_t *owned_len) {
    *owned = NULL, *owned_len = 0;
    if (text[0] == '\'' || text[0] == '"') return parse_quoted(text, kind, out, owned, owned_len);
    if (text[0] == 'b' && (text[1] == '\'' || text[1] == '"')) { /* Python's bytes literal, as defaults print */
        if (kind != SLOTS_BYTES) return err_set(SLOTS_ETYPE, "a bytes default b%s needs a bytes field", text + 1);
        return parse_quoted(text + 1, kind, out, owned, owned_len);
    }
    if (!strcmp(text, "null") || !strcmp(text, "None")) return out->kind = VAL_NULL, SLOTS_OK;
    if (!strcmp(text, "true") || !strcmp(text, "True")) return out->kind = SLOTS_BOOL, out->as.i = 1, SLOTS_OK;
    if (!strcmp(text, "false") || !strcmp(text, "False")) return out->kind = SLOTS_BOOL, out->as.i = 0, SLOTS_OK;
    if (kind == SLOTS_DECIMAL) /* a number read exactly by the field's own parser (kindvalue.c), never a float */
        return out->kind = SLOTS_STR, out->as.s.p = text, out->as.s.len = strlen(text), SLOTS_OK;
    if (parse_integer(text, out) || parse_float(text, out)) return SLOTS_OK;
    return err_set(SLOTS_EPARSE, "invalid default value %s", text);
}
