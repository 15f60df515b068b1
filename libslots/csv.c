/*
 * csv.c — CSV (RFC 4180) into and out of a store. A header row names the columns; each later row is
 * decoded straight into a fresh record through load.c's frame, its cells parsed by their field's
 * kind and stored through field_set(), which owns every kind, range, readonly and key check.
 * Dumps write a header of every field, then one row per record.
 *
 * Beyond RFC 4180, as Python's csv module reads it: LF alone ends a line as well as CRLF, a quote
 * inside an unquoted cell is an ordinary character, and empty lines are skipped. Text after a
 * closing quote ("ab"c) is refused, since it means the quoting is broken.
 */
#include "internal.h"

#include <inttypes.h>
#include <math.h>

/* ============================================================================================== */
/* Scanning rows into cells                                                                       */
/* ============================================================================================== */
typedef struct cell {
    size_t start;    /* where the cell starts in the input (its quote, if quoted), for errors */
    size_t off, len; /* where the text is: in the input, or in the scanner's `text` when copied */
    bool quoted, copied;
    const char *p;   /* the text, resolved once the whole row is scanned */
} cell;

enum { ROW_OK, ROW_UNTERMINATED, ROW_AFTER_QUOTE };

typedef struct scanner {
    const char *s;
    size_t len, pos;
    size_t line;       /* the physical line at pos, from 1 */
    strbuf text;       /* unescaped quoted cells ("" -> ") of the current row */
    cell *cells;       /* the row's first `limit` cells */
    size_t cap, limit;
    size_t n;          /* cells in the row, counted past the limit too */
    int bad;           /* ROW_*: the first syntax error of the row */
    size_t bad_cell;   /* its cell, from 0 */
} scanner;

static size_t count_lines(const char *s, size_t from, size_t to) {
    size_t n = 0;
    const char *p = s + from, *end = s + to;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) n++, p++;
    return n;
}

/* Skips empty lines (LF, CRLF, or a CR that ends the input); false at the end of the input. */
static bool next_row(scanner *sc) {
    while (sc->pos < sc->len) {
        const char *c = sc->s + sc->pos;
        size_t left = sc->len - sc->pos;
        if (c[0] == '\n') sc->pos += 1;
        else if (c[0] == '\r' && left >= 2 && c[1] == '\n') sc->pos += 2;
        else if (c[0] == '\r' && left == 1) return sc->pos += 1, false;
        else return true;
        sc->line++;
    }
    return false;
}

static void row_error(scanner *sc, int what) {
    if (sc->bad != ROW_OK) return;
    sc->bad = what;
    sc->bad_cell = sc->n;
}

/* A quoted cell whose opening quote is at sc->pos; leaves pos after the closing quote. Without ""
 * escapes the cell is a slice of the input; with them its text is copied, unescaped, to sc->text. */
static void quoted_cell(scanner *sc, cell *c) {
    const char *s = sc->s;
    size_t begin = sc->pos + 1, i = begin;
    c->quoted = true;
    for (;;) {
        const char *q = i < sc->len ? memchr(s + i, '"', sc->len - i) : NULL;
        size_t at = q ? (size_t)(q - s) : sc->len;
        if (!q) row_error(sc, ROW_UNTERMINATED);
        if (q && at + 1 < sc->len && s[at + 1] == '"') { /* "" stands for one quote */
            if (!c->copied) c->copied = true, c->off = sc->text.len;
            sb_put(&sc->text, s + i, at + 1 - i);
            i = at + 2;
            continue;
        }
        if (c->copied) {
            sb_put(&sc->text, s + i, at - i);
            c->len = sc->text.len - c->off;
        } else {
            c->off = begin, c->len = at - begin;
        }
        sc->line += count_lines(s, begin, at);
        sc->pos = q ? at + 1 : sc->len;
        return;
    }
}

/* After a closing quote only a comma or a line end may follow; anything else spoils the row, and
 * is skipped up to the next comma or line end so the scan goes on. */
static void after_quote(scanner *sc) {
    const char *s = sc->s;
    if (sc->pos < sc->len && s[sc->pos] == '\r' && (sc->pos + 1 == sc->len || s[sc->pos + 1] == '\n')) sc->pos++;
    if (sc->pos >= sc->len || s[sc->pos] == ',' || s[sc->pos] == '\n') return;
    row_error(sc, ROW_AFTER_QUOTE);
    while (sc->pos < sc->len && s[sc->pos] != ',' && s[sc->pos] != '\n') sc->pos++;
}

/* An unquoted cell at sc->pos, up to the next comma or line end (the CR of a CRLF excluded). */
static void plain_cell(scanner *sc, cell *c) {
    const char *s = sc->s;
    size_t i = sc->pos;
    while (i < sc->len && s[i] != ',' && s[i] != '\n') i++;
    size_t end = i;
    if (end > sc->pos && s[end - 1] == '\r' && (end == sc->len || s[end] == '\n')) end--;
    c->off = sc->pos, c->len = end - sc->pos;
    sc->pos = i;
}

static int keep(scanner *sc, const cell *c) {
    if (sc->n < sc->limit) {
        if (sc->n == sc->cap) {
            size_t cap = sc->cap ? sc->cap * 2 : 16;
            cell *p = mem_realloc(sc->cells, sc->cap * sizeof *p, cap * sizeof *p, NULL);
            if (!p) return err_nomem();
            sc->cells = p, sc->cap = cap;
        }
        sc->cells[sc->n] = *c;
    }
    sc->n++;
    return SLOTS_OK;
}

/* Scans the row at sc->pos (not an empty line) and the line end after it. SLOTS_ENOMEM only: a
 * syntax error is kept in sc->bad for the row's decoder to report. */
static int scan_row(scanner *sc) {
    sc->n = 0;
    sc->text.len = 0;
    sc->bad = ROW_OK;
    for (;;) {
        cell c = {.start = sc->pos};
        if (sc->pos < sc->len && sc->s[sc->pos] == '"') {
            quoted_cell(sc, &c);
            after_quote(sc);
        } else {
            plain_cell(sc, &c);
        }
        int rc = keep(sc, &c);
        if (rc != SLOTS_OK) return rc;
        if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
            sc->pos++;
            continue;
        }
        if (sc->pos < sc->len) sc->pos++, sc->line++; /* the '\n' */
        break;
    }
    if (sc->text.failed) return err_nomem();
    size_t kept = sc->n < sc->limit ? sc->n : sc->limit;
    for (size_t i = 0; i < kept; i++) {
        cell *c = &sc->cells[i];
        c->p = c->copied ? sc->text.p + c->off : sc->s + c->off;
    }
    return SLOTS_OK;
}

/* ============================================================================================== */
/* Loading                                                                                        */
/* ============================================================================================== */
typedef struct column {
    int field;        /* the field the column fills, or -1 for an extra attribute (dynamic types) */
    const char *name; /* the header's text, in the input or in csv_load.names */
    size_t len;
} column;

typedef struct csv_load {
    const slots_type *t;
    scanner sc;
    column *cols;
    size_t ncols;
    strbuf names; /* unescaped header names */
    strbuf bin;   /* a bytes cell, decoded */
    strbuf tmp;   /* scratch for messages and number retries */
} csv_load;

static void csv_free(csv_load *c) {
    sb_free(&c->sc.text);
    mem_free(c->sc.cells, c->sc.cap * sizeof *c->sc.cells, NULL);
    mem_free(c->cols, c->ncols * sizeof *c->cols, NULL);
    sb_free(&c->names);
    sb_free(&c->bin);
    sb_free(&c->tmp);
}

static int syntax_error(const scanner *sc) {
    bool kept = sc->bad_cell < sc->n && sc->bad_cell < sc->limit;
    load_note_place(kept ? sc->s + sc->cells[sc->bad_cell].start : NULL, sc->bad_cell + 1);
    if (sc->bad == ROW_UNTERMINATED)
        return err_set(SLOTS_EPARSE, "unterminated quoted cell %zu (no closing quote)", sc->bad_cell + 1);
    return err_set(SLOTS_EPARSE, "text after the closing quote of cell %zu", sc->bad_cell + 1);
}

/* The column a header cell names; SLOTS_ENOATTR for an unknown name on a type without extras. */
static int add_column(csv_load *c, size_t k, const char *name, size_t len) {
    if (!len) return err_set(SLOTS_EPARSE, "header cell %zu is empty", k + 1);
    int f = type_find_field(c->t, name, len);
    if (f < 0 && !(c->t->flags & SLOTS_DYNAMIC)) return err_no_attr(c->t, name, len);
    for (size_t j = 0; j < k; j++) {
        const column *o = &c->cols[j];
        bool same = f >= 0 ? o->field == f : o->field < 0 && o->len == len && memcmp(o->name, name, len) == 0;
        if (same) return err_set(SLOTS_EPARSE, "column '%.*s' appears twice in the header", (int)len, name);
    }
    c->cols[k] = (column){f, name, len};
    return SLOTS_OK;
}

/* Reads the header row, if there is one (an input of empty lines has none and loads nothing). */
static int read_header(csv_load *c) {
    scanner *sc = &c->sc;
    if (!next_row(sc)) return SLOTS_OK;
    size_t line = sc->line;
    sc->limit = SIZE_MAX;
    int rc = scan_row(sc);
    if (rc != SLOTS_OK) return rc;
    if (sc->bad != ROW_OK) {
        syntax_error(sc);
        return load_error_line(line);
    }
    sb_put(&c->names, sc->text.p, sc->text.len); /* the row's text is reused by the rows after */
    c->cols = mem_alloc(sc->n * sizeof *c->cols, NULL);
    if (!c->cols) return err_nomem();
    c->ncols = sc->n;
    if (c->names.failed) return err_nomem();
    size_t k = 0;
    for (; k < sc->n && rc == SLOTS_OK; k++) {
        const cell *h = &sc->cells[k];
        rc = add_column(c, k, h->copied ? c->names.p + h->off : h->p, h->len);
        if (rc != SLOTS_OK) load_note_field(h->copied ? c->names.p + h->off : h->p, h->len);
    }
    sc->limit = c->ncols;
    if (rc == SLOTS_OK) return rc;
    load_note_place(sc->s + sc->cells[k - 1].start, k);
    return load_error_line(line);
}

/* ---- cells to values ------------------------------------------------------------------------- */
/* A cell's text as messages show it: Python's repr, cut after 40 bytes. */
/* The cell cannot be a value of f's kind; the message shows the cell as it was, blanks included. */
static int not_a(csv_load *c, const field *f, const cell *cl) {
    const char *p = cl->p;
    size_t n = cl->len;
    const char *want = f->kind == SLOTS_REF && f->ref_type ? f->ref_type : slots_kind_name(f->kind);
    /* quoted as written (no escapes): a message must not need an allocation that could fail */
    return err_set(SLOTS_ETYPE, "%s.%s must be %s%s, not '%.*s%s'", c->t->name, f->name, want,
                   (f->flags & SLOTS_FIELD_OPTIONAL) ? " or None" : "", (int)(n > 40 ? 40 : n), p, n > 40 ? "..." : "");
}

static int out_of_range(const field *f, const char *p, size_t n) {
    return err_set(SLOTS_ERANGE, "value %.*s%s out of range for field '%s' (%s)", (int)(n > 40 ? 40 : n), p,
                   n > 40 ? "..." : "", f->name, slots_kind_name(f->kind));
}

/* Case-insensitive comparison of p[0..n) with a lower-case word. */
static bool word_is(const char *p, size_t n, const char *word) {
    if (strlen(word) != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]) != word[i]) return false;
    return true;
}

/* The non-finite floats a dump writes ("inf", "-inf", "nan"), read in any case as Python's float()
 * reads them, so a float column always round-trips. */
static bool special_float(const char *p, size_t n, value *v) {
    bool neg = n && p[0] == '-';
    if (n && (p[0] == '-' || p[0] == '+')) p++, n--;
    if (word_is(p, n, "inf") || word_is(p, n, "infinity")) v->as.f = neg ? -HUGE_VAL : HUGE_VAL;
    else if (word_is(p, n, "nan")) v->as.f = neg ? -NAN : NAN;
    else return false;
    v->kind = SLOTS_F64;
    return true;
}

static int number_cell(csv_load *c, const field *f, const cell *cl, const char *p, size_t n, value *v) {
    int rc = number_parse(p, n, kind_is_float(f->kind), v);
    if (rc == SLOTS_EPARSE && kind_is_float(f->kind) && special_float(p, n, v)) rc = SLOTS_OK;
    if (rc == SLOTS_ERANGE) return out_of_range(f, p, n);
    if (rc == SLOTS_EPARSE) return not_a(c, f, cl);
    if (rc == SLOTS_OK && f->kind == SLOTS_REF) { /* a handle: a non-negative integer */
        if (v->kind == SLOTS_U64) v->as.ref = v->as.u;
        else if (v->kind == SLOTS_I64 && v->as.i >= 0) v->as.ref = (uint64_t)v->as.i;
        else return not_a(c, f, cl);
        v->kind = SLOTS_REF;
    }
    return rc;
}

static int bool_cell(csv_load *c, const field *f, const cell *cl, const char *p, size_t n, value *v) {
    bool yes = word_is(p, n, "true") || word_is(p, n, "1");
    if (!yes && !word_is(p, n, "false") && !word_is(p, n, "0")) return not_a(c, f, cl);
    v->kind = SLOTS_BOOL;
    v->as.i = yes;
    return SLOTS_OK;
}

static int bytes_cell(csv_load *c, const field *f, const char *p, size_t n, value *v) {
    if (!base64_decode(p, n, &c->bin)) return err_set(SLOTS_EINVAL, "invalid base64 text for field '%s' (bytes)", f->name);
    if (c->bin.failed) return err_nomem();
    v->kind = SLOTS_BYTES;
    v->as.s.p = c->bin.p ? c->bin.p : "";
    v->as.s.len = c->bin.len;
    return SLOTS_OK;
}

static bool blank(char ch) { return ch == ' ' || ch == '\t'; }

/* The value of a (non-empty or quoted) cell for field f. Numbers, bools and refs may have blanks
 * around them, as Python's int() and float() allow; str and bytes are taken as they are. */
static int cell_value(csv_load *c, const field *f, const cell *cl, value *v) {
    const char *p = cl->p;
    size_t n = cl->len;
    if (f->kind == SLOTS_STR) {
        v->kind = SLOTS_STR;
        v->as.s.p = p;
        v->as.s.len = n;
        return SLOTS_OK;
    }
    if (f->kind == SLOTS_BYTES) return bytes_cell(c, f, p, n, v);
    while (n && blank(p[0])) p++, n--;
    while (n && blank(p[n - 1])) n--;
    return f->kind == SLOTS_BOOL ? bool_cell(c, f, cl, p, n, v) : number_cell(c, f, cl, p, n, v);
}

static int set_cell(csv_load *c, const recref *r, const column *col, const cell *cl) {
    value v;
    bool empty = !cl->quoted && cl->len == 0;
    if (col->field < 0) { /* an extra attribute: its text, when there is one */
        if (empty) return SLOTS_OK;
        v.kind = SLOTS_STR;
        v.as.s.p = cl->p;
        v.as.s.len = cl->len;
        return extra_set(r, col->name, col->len, &v);
    }
    const field *f = &c->t->fields[col->field];
    if (empty && !(f->flags & SLOTS_FIELD_OPTIONAL)) return SLOTS_OK; /* unset: its default applies */
    if (empty) v.kind = VAL_NULL;
    int rc = empty ? SLOTS_OK : cell_value(c, f, cl, &v);
    return rc != SLOTS_OK ? rc : field_set(r, col->field, &v);
}

static int decode_row(const recref *r, void *ctx) {
    csv_load *c = ctx;
    const scanner *sc = &c->sc;
    if (sc->bad != ROW_OK) return syntax_error(sc);
    if (sc->n != c->ncols) return err_set(SLOTS_EPARSE, "expected %zu cells, got %zu", c->ncols, sc->n);
    for (size_t k = 0; k < c->ncols; k++) {
        int rc = set_cell(c, r, &c->cols[k], &sc->cells[k]);
        if (rc == SLOTS_OK) continue;
        const column *col = &c->cols[k];
        load_note_field(col->name, col->len); /* the header's name: the field's, or the extra's */
        load_note_place(sc->s + sc->cells[k].start, k + 1);
        return rc;
    }
    return SLOTS_OK;
}

/* ---- readers for bulk.c: one per chunk, sharing the header's columns ----------------------- */
static void *open_rows(const void *ctx, const char *buf, size_t from, size_t to, size_t line) {
    const csv_load *whole = ctx;
    csv_load *c = mem_calloc(sizeof *c, NULL);
    if (!c) return NULL;
    c->t = whole->t, c->cols = whole->cols, c->ncols = whole->ncols; /* borrowed, not freed */
    c->sc.s = buf, c->sc.pos = from, c->sc.len = to, c->sc.line = line, c->sc.limit = whole->ncols;
    return c;
}

/* The next row, scanned into cells (ENOMEM is the only failure: syntax errors are the decoder's). */
static int next_scanned_row(void *reader, size_t *line) {
    csv_load *c = reader;
    if (!next_row(&c->sc)) return 0;
    *line = c->sc.line; /* where the row starts, though a quoted cell may span lines */
    int rc = scan_row(&c->sc);
    return rc == SLOTS_OK ? 1 : rc;
}

/* An unterminated quoted cell runs to the end of the reader's range. */
static bool ran_off(const void *reader) { return ((const csv_load *)reader)->sc.bad == ROW_UNTERMINATED; }

static void close_rows(void *reader) {
    csv_load *c = reader;
    c->cols = NULL, c->ncols = 0; /* the whole load's */
    csv_free(c);
    mem_free(c, sizeof *c, NULL);
}

static const row_format csv_rows = {open_rows, next_scanned_row, decode_row, ran_off, close_rows};

int slots_store_load_csv(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    loader L;
    csv_load c;
    memset(&c, 0, sizeof c);
    int rc = loader_begin(&L, s, flags, buf, len);
    if (rc == SLOTS_OK && !buf && len) rc = err_set(SLOTS_EINVAL, "buffer must not be NULL");
    if (rc == SLOTS_OK) {
        c.t = L.store->type;
        c.sc.s = buf, c.sc.len = len, c.sc.line = 1;
        rc = read_header(&c);
    }
    if (rc == SLOTS_OK && c.cols) rc = loader_rows(&L, buf, c.sc.pos, len, c.sc.line, &csv_rows, &c);
    csv_free(&c);
    return loader_end(&L, rc, loaded, skipped);
}

int slots_store_load_csv_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    return load_file(s, path, flags, loaded, skipped, slots_store_load_csv);
}

/* ============================================================================================== */
/* Dumping                                                                                        */
/* ============================================================================================== */
/* Text, quoted only when a reader would misread it bare: a comma, quote, CR or LF inside, blanks
 * at either end, or nothing at all (an empty unquoted cell means unset). */
static void put_text(strbuf *b, const char *p, size_t n) {
    bool quote = n == 0 || blank(p[0]) || blank(p[n - 1]);
    for (size_t i = 0; i < n && !quote; i++) quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
    if (!quote) {
        sb_put(b, p, n);
        return;
    }
    sb_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '"') continue;
        sb_put(b, p + run, i + 1 - run); /* through the quote, which is then written again */
        run = i;
    }
    sb_put(b, p + run, n - run);
    sb_putc(b, '"');
}

/* One cell: empty for an unset or null field. */
static void put_cell(strbuf *b, const recref *r, int i) {
    const field *f = &r->type->fields[i];
    value v;
    if (!rec_is_set(r->type, r->rec, i) || field_get(r, i, &v) != SLOTS_OK) return;
    switch (f->kind) {
    case SLOTS_BOOL: sb_puts(b, v.as.i ? "true" : "false"); break;
    case SLOTS_STR: put_text(b, v.as.s.p, v.as.s.len); break;
    case SLOTS_BYTES:
        if (v.as.s.len) base64_encode(b, (const unsigned char *)v.as.s.p, v.as.s.len);
        else sb_puts(b, "\"\""); /* empty bytes, not unset */
        break;
    case SLOTS_REF: sb_printf(b, "%" PRIu64, v.as.ref); break;
    case SLOTS_F32:
    case SLOTS_F64: format_value_repr(b, &v, f); break; /* Python's repr: reads back to the same float */
    default:
        if (v.kind == SLOTS_U64) sb_printf(b, "%" PRIu64, v.as.u);
        else sb_printf(b, "%" PRId64, v.as.i);
        break;
    }
}

static int dump_record(const recref *r, size_t pos, void *ctx) {
    (void)pos;
    strbuf *b = ctx;
    for (int i = 0; i < r->type->nfields; i++) {
        if (i) sb_putc(b, ',');
        put_cell(b, r, i);
    }
    sb_putc(b, '\n');
    return b->failed ? err_nomem() : SLOTS_OK;
}

/* Appends the header and every record of s as CSV to b. */
static int dump(const slots_store *s, strbuf *b) {
    const slots_type *t = s->type;
    for (int i = 0; i < t->nfields; i++) {
        if (i) sb_putc(b, ',');
        put_text(b, t->fields[i].name, strlen(t->fields[i].name));
    }
    sb_putc(b, '\n');
    int rc = store_each(s, dump_record, b);
    return rc == SLOTS_OK && b->failed ? err_nomem() : rc;
}

int slots_store_dump_csv(const slots_store *s, const char **out, size_t *len) {
    GUARDED;
    return dump_to_scratch(s, dump, out, len);
}

int slots_store_dump_csv_file(const slots_store *s, const char *path) {
    GUARDED;
    return dump_to_file(s, dump, path);
}
