/*
 * csv.c — CSV (RFC 4180) into and out of a store. A header row names the columns; each later row is
 * decoded straight into a fresh record through load.c's frame, its cells parsed by their field's
 * kind and stored through field_set(), which owns every kind, range, readonly and key check.
 * Dumps write a header of every field (then every extra's name, on dynamic types), then one row
 * per record.
 *
 * Beyond RFC 4180, as Python's csv module reads it: LF and a lone CR end a line as well as CRLF, a
 * quote inside an unquoted cell is an ordinary character, a UTF-8 BOM before the header is skipped,
 * and empty lines are skipped — except in a one-column CSV, where an empty line is a row whose one
 * cell is empty (so a one-field record with no value survives a round trip). Text after a closing
 * quote ("ab"c) is refused, since it means the quoting is broken.
 */
#include "io.h"

#include <inttypes.h>
#include <math.h>

#define BOM "\xef\xbb\xbf" /* U+FEFF in UTF-8 */

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
    bool keep_empty;   /* an empty line is a row (one-column CSV), not skipped */
    char *mark;        /* when set: a copy of s in which each lone CR that ends a line is made LF */
} scanner;

static size_t count_lines(const char *s, size_t from, size_t to) {
    size_t n = 0;
    const char *p = s + from, *end = s + to;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) n++, p++;
    return n;
}

/* Whether a byte starts a line end: LF, CRLF or a lone CR, as Python's csv reads them. */
static inline bool is_eol(char c) { return c == '\n' || c == '\r'; }

static inline bool is_line_end(const scanner *sc, size_t i) { return i < sc->len && is_eol(sc->s[i]); }

/* The length of the line end at s[i], or 0. */
static inline size_t line_end(const scanner *sc, size_t i) {
    if (!is_line_end(sc, i)) return 0;
    return sc->s[i] == '\r' && i + 1 < sc->len && sc->s[i + 1] == '\n' ? 2 : 1;
}

/* Moves past the line end at sc->pos, if there is one. */
static void take_line_end(scanner *sc) {
    size_t n = line_end(sc, sc->pos);
    if (!n) return;
    if (sc->mark && sc->s[sc->pos] == '\r' && n == 1) sc->mark[sc->pos] = '\n';
    sc->pos += n, sc->line++;
}

/* Skips empty lines (unless they are rows); false at the end of the input. */
static bool next_row(scanner *sc) {
    while (!sc->keep_empty && is_line_end(sc, sc->pos)) take_line_end(sc);
    return sc->pos < sc->len;
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
static inline bool ends_cell(const scanner *sc, size_t i) {
    return i >= sc->len || sc->s[i] == ',' || is_eol(sc->s[i]);
}

static void after_quote(scanner *sc) {
    if (ends_cell(sc, sc->pos)) return;
    row_error(sc, ROW_AFTER_QUOTE);
    while (!ends_cell(sc, sc->pos)) sc->pos++;
}

/* An unquoted cell at sc->pos, up to the next comma or line end. */
static void plain_cell(scanner *sc, cell *c) {
    size_t i = sc->pos;
    while (!ends_cell(sc, i)) i++;
    c->off = sc->pos, c->len = i - sc->pos;
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
        take_line_end(sc);
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
    const char *name; /* an extra's name: len bytes in csv_load.extras (while the header is read,
                         len holds its number there instead) */
    size_t len;
} column;

typedef struct csv_load {
    const slots_type *t;
    unsigned flags;
    scanner sc;
    column *cols;
    size_t ncols;
    nameset extras; /* the header's extra columns, found by hash */
    strbuf bin;     /* a bytes cell, decoded */
    strbuf tmp;     /* scratch for messages */
    bool started;   /* a piece was read (a BOM is looked for in the first only) */
    char *copy;     /* the last piece with LF for lone CRs, kept while its errors may be placed */
    size_t copy_len;
    size_t lines;   /* the lines of the last piece (lone CRs that end lines counted) */
} csv_load;

static void csv_free(csv_load *c) {
    if (c->copy) mem_free(c->copy, c->copy_len + 1, NULL);
    c->copy = NULL;
    sb_free(&c->sc.text);
    mem_free(c->sc.cells, c->sc.cap * sizeof *c->sc.cells, NULL);
    mem_free(c->cols, c->ncols * sizeof *c->cols, NULL);
    nameset_free(&c->extras);
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

static bool blank(char ch) { return ch == ' ' || ch == '\t'; }

/* Python's repr of text, the first 40 bytes of it when longer (then followed by "..."), into the
 * load's scratch buffer; NULL when out of memory. */
static const char *repr_text(csv_load *c, const char *p, size_t n) {
    size_t cut = n;
    if (cut > 40) /* at a character's start, so a cut never splits UTF-8 */
        for (cut = 40; cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80; cut--) {}
    value v = {.kind = SLOTS_STR};
    v.as.s.p = p, v.as.s.len = cut;
    c->tmp.len = 0;
    format_value_repr(&c->tmp, &v, NULL);
    if (cut < n) sb_puts(&c->tmp, "...");
    return c->tmp.failed ? NULL : c->tmp.p;
}

/* A header name with blanks around it: trimmed when the load asks for it; else an error when
 * unquoted (`id, name` is a slip), and kept as written when quoted (`" name"` is meant so: the
 * dump of an extra called " name" writes it so). */
static int header_blanks(csv_load *c, const char **name, size_t *len, bool quoted) {
    const char *p = *name;
    size_t n = *len;
    while (n && blank(p[0])) p++, n--;
    while (n && blank(p[n - 1])) n--;
    if (n == *len) return SLOTS_OK;
    if (c->flags & SLOTS_LOAD_TRIM_HEADER) return *name = p, *len = n, SLOTS_OK;
    if (quoted) return SLOTS_OK;
    const char *shown = repr_text(c, *name, *len);
    if (!shown) return err_nomem();
    return err_set(SLOTS_EPARSE, "column name %s has blanks around it (trim header names to accept it)", shown);
}

/* The column a header cell names; SLOTS_ENOATTR for an unknown name on a type without extras.
 * Fields seen already are flagged in `seen`, extra names are kept in c->extras: both by hash. */
static int add_column(csv_load *c, size_t k, const cell *h, bool *seen) {
    const char *name = h->p;
    size_t len = h->len;
    int rc = header_blanks(c, &name, &len, h->quoted);
    if (rc != SLOTS_OK) return rc;
    if (!len) return err_set(SLOTS_EPARSE, "header cell %zu is empty", k + 1);
    int f = type_find_field(c->t, name, len);
    if (f < 0 && !(c->t->flags & SLOTS_DYNAMIC)) return err_no_attr(c->t, name, len);
    size_t extra = 0;
    rc = f >= 0 ? (seen[f] ? SLOTS_EEXIST : SLOTS_OK) : nameset_add(&c->extras, name, len, &extra);
    if (rc == SLOTS_EEXIST) return err_set(SLOTS_EPARSE, "column '%.*s' appears twice in the header", (int)len, name);
    if (rc != SLOTS_OK) return rc;
    if (f >= 0) seen[f] = true;
    c->cols[k] = (column){f, NULL, extra}; /* an extra's name is found once the set stops growing */
    return SLOTS_OK;
}

/* Adds every header cell as a column; on a bad one, *bad is its index. */
static int add_columns(csv_load *c, size_t *bad) {
    const scanner *sc = &c->sc;
    bool *seen = mem_calloc((size_t)c->t->nfields + 1, NULL);
    int rc = seen ? SLOTS_OK : err_nomem();
    for (size_t k = 0; k < c->ncols && rc == SLOTS_OK; k++)
        if ((rc = add_column(c, k, &sc->cells[k], seen)) != SLOTS_OK) *bad = k;
    mem_free(seen, (size_t)c->t->nfields + 1, NULL);
    for (size_t k = 0; k < c->ncols && rc == SLOTS_OK; k++)
        if (c->cols[k].field < 0) c->cols[k].name = nameset_name(&c->extras, c->cols[k].len, &c->cols[k].len);
    return rc;
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
    c->cols = mem_alloc(sc->n * sizeof *c->cols, NULL);
    if (!c->cols) return err_nomem();
    c->ncols = sc->n;
    size_t bad = 0;
    rc = add_columns(c, &bad);
    sc->limit = c->ncols;
    sc->keep_empty = c->ncols == 1;
    if (rc == SLOTS_OK || rc == SLOTS_ENOMEM) return rc;
    const cell *h = &sc->cells[bad];
    load_note_field(h->p, h->len);
    load_note_place(sc->s + h->start, bad + 1);
    return load_error_line(line);
}

/* ---- cells to values ------------------------------------------------------------------------- */
/* The cell is not a literal of f's kind: a ValueError in the words of Python's int() or float(),
 * showing the cell as it was (blanks included), then the field. */
static int bad_literal(csv_load *c, const field *f, const cell *cl) {
    const char *shown = repr_text(c, cl->p, cl->len);
    if (!shown) return err_nomem();
    const char *what = kind_is_float(f->kind)    ? "could not convert string to float:"
                       : f->kind == SLOTS_BOOL   ? "invalid literal for bool (true, false, t, f, 1 or 0):"
                       : f->kind == SLOTS_REF    ? "invalid literal for a ref (a record handle, a non-negative int):"
                                                 : "invalid literal for int() with base 10:";
    return err_set(SLOTS_EPARSE, "%s %s (%s.%s)", what, shown, c->t->name, f->name);
}

static int out_of_range(const field *f, const char *p, size_t n) {
    while (n && blank(p[0])) p++, n--;
    while (n && blank(p[n - 1])) n--;
    return err_set(SLOTS_ERANGE, "value %.*s%s out of range for field '%s' (%s)", (int)(n > 40 ? 40 : n), p,
                   n > 40 ? "..." : "", f->name, slots_kind_name(f->kind));
}

/* Numbers as int() reads them for integer and ref fields, as float() reads them for float fields. */
static int number_cell(csv_load *c, const field *f, const cell *cl, value *v) {
    int rc = number_parse_text(cl->p, cl->len, kind_is_float(f->kind), v);
    if (rc == SLOTS_ERANGE) return out_of_range(f, cl->p, cl->len);
    if (rc == SLOTS_EPARSE) return bad_literal(c, f, cl);
    if (rc == SLOTS_OK && f->kind == SLOTS_REF) { /* a handle: a non-negative integer */
        if (v->kind == SLOTS_U64) v->as.ref = v->as.u;
        else if (v->as.i >= 0) v->as.ref = (uint64_t)v->as.i;
        else return bad_literal(c, f, cl);
        v->kind = SLOTS_REF;
    }
    return rc;
}

static int bool_cell(csv_load *c, const field *f, const cell *cl, value *v) {
    const char *p = cl->p;
    size_t n = cl->len;
    while (n && blank(p[0])) p++, n--;
    while (n && blank(p[n - 1])) n--;
    /* t and f: PostgreSQL's COPY writes booleans so */
    bool yes = ascii_word_is(p, n, "true") || ascii_word_is(p, n, "t") || ascii_word_is(p, n, "1");
    if (!yes && !ascii_word_is(p, n, "false") && !ascii_word_is(p, n, "f") && !ascii_word_is(p, n, "0"))
        return bad_literal(c, f, cl);
    v->kind = SLOTS_BOOL;
    v->as.i = yes;
    return SLOTS_OK;
}

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* PostgreSQL's bytea hex form, "\x" then two hex digits a byte, into out; false on bad text. */
static bool bytea_hex_decode(const char *p, size_t n, strbuf *out) {
    out->len = 0;
    if (n % 2) return false;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit(p[i]), lo = hex_digit(p[i + 1]);
        if (hi < 0 || lo < 0) return false;
        sb_putc(out, (char)(hi << 4 | lo));
    }
    return true;
}

/* Bytes as base64, or as bytea hex when the cell starts with \x (a backslash is never base64). */
static int bytes_cell(csv_load *c, const field *f, const char *p, size_t n, value *v) {
    bool hex = n >= 2 && p[0] == '\\' && p[1] == 'x';
    if (hex && !bytea_hex_decode(p + 2, n - 2, &c->bin))
        return err_set(SLOTS_EINVAL, "invalid bytea hex text (\\x and pairs of hex digits) for field '%s' (bytes)", f->name);
    if (!hex && !base64_decode(p, n, &c->bin)) return err_set(SLOTS_EINVAL, "invalid base64 text for field '%s' (bytes)", f->name);
    if (c->bin.failed) return err_nomem();
    v->kind = SLOTS_BYTES;
    v->as.s.p = c->bin.p ? c->bin.p : "";
    v->as.s.len = c->bin.len;
    return SLOTS_OK;
}

/* The value of a (non-empty or quoted) cell for field f. Numbers, bools and refs may have blanks
 * around them, as Python's int() and float() allow; str and bytes are taken as they are. */
static int cell_value(csv_load *c, const field *f, const cell *cl, value *v) {
    if (f->kind == SLOTS_STR || kind_is_textual(f->kind)) { /* textual kinds: field_set reads the text */
        v->kind = SLOTS_STR;
        v->as.s.p = cl->p;
        v->as.s.len = cl->len;
        return SLOTS_OK;
    }
    if (f->kind == SLOTS_BYTES) return bytes_cell(c, f, cl->p, cl->len, v);
    return f->kind == SLOTS_BOOL ? bool_cell(c, f, cl, v) : number_cell(c, f, cl, v);
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
        if (col->field >= 0) load_note_field(c->t->fields[col->field].name, c->t->fields[col->field].name_len);
        else load_note_field(col->name, col->len); /* the extra's name, from the header */
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
    c->sc.keep_empty = whole->sc.keep_empty;
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

/* Whether a lone CR (not followed by LF) is in the text: one may end a line there. */
static bool has_lone_cr(const char *s, size_t len) {
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
        if (p + 1 == end || p[1] != '\n') return true;
    return false;
}

/* A copy of the text in which every lone CR that ends a line (not one inside a quoted cell) is LF,
 * for *copy to free with mem_free(*copy, len + 1, NULL). The bulk loader cuts text and counts
 * rows at LF; with this copy, old Mac line ends cost one scan more but need nothing of it. */
static int lf_copy(const char *buf, size_t len, char **copy) {
    char *m = mem_alloc(len + 1, NULL);
    if (!m) return err_nomem();
    memcpy(m, buf, len);
    m[len] = '\0';
    scanner sc = {.s = buf, .len = len, .line = 1, .mark = m};
    int rc = SLOTS_OK;
    while (rc == SLOTS_OK && next_row(&sc)) rc = scan_row(&sc);
    sb_free(&sc.text);
    mem_free(sc.cells, sc.cap * sizeof *sc.cells, NULL);
    if (rc != SLOTS_OK) return mem_free(m, len + 1, NULL), rc;
    *copy = m;
    return SLOTS_OK;
}

/* A piece of whole rows, buf[0, len), whose first line is `line`: the header first, while there
 * is none yet (a BOM before it skipped, as Python's utf-8-sig reads it), then every row. Lone CRs
 * that end lines are made LF in a copy first, as bulk.c cuts at LF. */
int csv_piece(loader *L, void *ctx, const char *buf, size_t len, size_t line) {
    csv_load *c = ctx;
    if (c->copy) mem_free(c->copy, c->copy_len + 1, NULL);
    c->copy = NULL;
    int rc = len && has_lone_cr(buf, len) ? lf_copy(buf, len, &c->copy) : SLOTS_OK;
    if (rc != SLOTS_OK) return rc;
    c->copy_len = len;
    const char *text = c->copy ? c->copy : buf;
    L->buf = text; /* where the rows' errors are noted */
    c->sc.s = text, c->sc.len = len, c->sc.line = line, c->sc.pos = 0;
    if (!c->started && len >= 3 && memcmp(text, BOM, 3) == 0) c->sc.pos = 3;
    c->started = c->started || len > 0;
    c->lines = count_newlines(text, len);
    if (!c->cols) rc = read_header(c);
    if (rc == SLOTS_OK && c->cols) rc = loader_rows(L, text, c->sc.pos, len, c->sc.line, &csv_rows, c);
    return rc;
}

int csv_stream_new(const slots_type *t, unsigned flags, csv_load **out) {
    csv_load *c = mem_calloc(sizeof *c, NULL);
    if (!c) return err_nomem();
    c->t = t, c->flags = flags;
    *out = c;
    return SLOTS_OK;
}

size_t csv_piece_lines(const csv_load *c) { return c->lines; }

void csv_stream_free(csv_load *c) {
    if (!c) return;
    csv_free(c);
    mem_free(c, sizeof *c, NULL);
}

int slots_store_load_csv(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    if (flags & SLOTS_LOAD_UPSERT) return stage_load_text(s, SLOTS_FORMAT_CSV, buf, len, flags, loaded, skipped);
    loader L;
    csv_load c;
    memset(&c, 0, sizeof c);
    int rc = loader_begin(&L, s, flags & ~SLOTS_LOAD_TRIM_HEADER, buf, len); /* the frame does not know CSV's flag */
    if (rc == SLOTS_OK && !buf && len) rc = err_set(SLOTS_EINVAL, "buffer must not be NULL");
    if (rc == SLOTS_OK) {
        c.t = L.store->type, c.flags = flags;
        rc = csv_piece(&L, &c, buf, len, 1);
    }
    rc = loader_end(&L, rc, loaded, skipped); /* its error is placed in c's text */
    csv_free(&c);
    return rc;
}

/* ---- where a stream's whole rows end ------------------------------------------------------------ */
enum { CUT_START, CUT_PLAIN, CUT_QUOTED, CUT_QUOTE, CUT_AFTER };

size_t csv_whole_rows(csv_cut *k, const char *buf, size_t len) {
    if (!k->started) { /* a BOM opening the stream is no cell text (a quote after it opens a cell) */
        if (len < 3 && memcmp(buf, BOM, len) == 0) return 0;
        k->started = true;
        if (memcmp(buf, BOM, 3) == 0) k->scanned = 3;
    }
    size_t last = 0, i = k->scanned;
    int st = k->state;
    for (; i < len; i++) {
        char ch = buf[i];
        if (st == CUT_QUOTED) { /* the quoted text runs to the next quote */
            const char *q = memchr(buf + i, '"', len - i);
            if (!q) { i = len; break; }
            i = (size_t)(q - buf), st = CUT_QUOTE;
            continue;
        }
        if (st == CUT_QUOTE) { /* "" is a quote in the text; anything else closed the cell */
            if (ch == '"') { st = CUT_QUOTED; continue; }
            st = CUT_AFTER;
        }
        if (ch == '"' && st == CUT_START) st = CUT_QUOTED;
        else if (ch == ',') st = CUT_START;
        else if (ch == '\n') last = i + 1, st = CUT_START;
        else if (ch == '\r') { /* CRLF or a lone CR: which, the next byte says */
            if (i + 1 == len) break;
            last = buf[i + 1] == '\n' ? i + 2 : i + 1, i = last - 1, st = CUT_START;
        } else if (st == CUT_START) st = CUT_PLAIN;
    }
    k->state = st, k->scanned = i;
    return last;
}

int slots_store_load_csv_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    return load_file(s, path, flags, loaded, skipped, slots_store_load_csv);
}

/* ============================================================================================== */
/* Dumping                                                                                        */
/* ============================================================================================== */
/* Text, quoted only when a reader would misread it bare: a comma, quote, CR or LF inside, blanks
 * at either end, nothing at all (an empty unquoted cell means unset), or a BOM first (one that
 * opened the file would be skipped). */
static void put_text(strbuf *b, const char *p, size_t n) {
    bool quote = n == 0 || blank(p[0]) || blank(p[n - 1]) || (n >= 3 && memcmp(p, BOM, 3) == 0);
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

/* One value as a cell: empty for null; floats as Python's repr, which reads back to the same float
 * (nan and inf included); bytes as base64, with "" for empty bytes (an empty cell is no value). */
static void put_value(strbuf *b, const value *v, const field *f) {
    switch (v->kind) {
    case VAL_NULL: break;
    case SLOTS_BOOL: sb_puts(b, v->as.i ? "true" : "false"); break;
    case SLOTS_STR: put_text(b, v->as.s.p, v->as.s.len); break;
    case SLOTS_BYTES:
        if (v->as.s.len) base64_encode(b, (const unsigned char *)v->as.s.p, v->as.s.len);
        else sb_puts(b, "\"\"");
        break;
    case SLOTS_REF: sb_printf(b, "%" PRIu64, v->as.ref); break;
    case SLOTS_F64: format_value_repr(b, v, f); break;
    default:
        if (f && kind_is_textual(v->kind)) { /* timestamp, date, uuid, decimal: their text */
            char text[KIND_TEXT_MAX];
            value t;
            textual_text(f, v, &t, text);
            put_text(b, t.as.s.p, t.as.s.len);
        } else {
            format_value_repr(b, v, f); /* integers: their digits (floatfmt.c) */
        }
        break;
    }
}

/* A dump's state: the text, and on dynamic types the extras' names (columns after the fields, in
 * the order first seen) and one record's extras by column. */
typedef struct csv_dump {
    strbuf *b;
    nameset extras;
    const value **row;
} csv_dump;

static int collect_extras(const recref *r, size_t pos, void *ctx) {
    (void)pos;
    csv_dump *d = ctx;
    size_t n, k;
    const extra_entry *ex;
    int rc = extras_list(r, &ex, &n);
    for (size_t i = 0; i < n && rc == SLOTS_OK; i++) {
        rc = nameset_add(&d->extras, ex[i].name, strlen(ex[i].name), &k);
        if (rc == SLOTS_EEXIST) rc = SLOTS_OK;
    }
    return rc;
}

/* The record's extras, each in its column of d->row (the others NULL: empty cells). */
static int place_extras(csv_dump *d, const recref *r) {
    size_t n;
    const extra_entry *ex;
    int rc = extras_list(r, &ex, &n); /* a copy in the arena, kept until this record is written */
    if (rc != SLOTS_OK) return rc;
    memset(d->row, 0, d->extras.n * sizeof *d->row);
    for (size_t i = 0; i < n; i++) {
        long k = nameset_find(&d->extras, ex[i].name, strlen(ex[i].name));
        if (k < 0) return err_set(SLOTS_EINVAL, "an extra attribute was added during the CSV dump");
        d->row[k] = &ex[i].v;
    }
    return SLOTS_OK;
}

static int dump_record(const recref *r, size_t pos, void *ctx) {
    (void)pos;
    csv_dump *d = ctx;
    strbuf *b = d->b;
    for (int i = 0; i < r->type->nfields; i++) {
        value v;
        if (i) sb_putc(b, ',');
        if (rec_is_set(r->type, r->rec, i) && field_get(r, i, &v) == SLOTS_OK) /* unset, null: empty */
            put_value(b, &v, &r->type->fields[i]);
    }
    int rc = d->extras.n ? place_extras(d, r) : SLOTS_OK;
    for (size_t k = 0; k < d->extras.n && rc == SLOTS_OK; k++) {
        if (k || r->type->nfields) sb_putc(b, ',');
        if (d->row[k]) put_value(b, d->row[k], NULL);
    }
    sb_putc(b, '\n');
    return rc != SLOTS_OK ? rc : b->failed ? err_nomem() : SLOTS_OK;
}

/* The header: every field's name, then every extra's. */
static int put_header(csv_dump *d, const slots_store *s) {
    const slots_type *t = s->type;
    int rc = t->flags & SLOTS_DYNAMIC ? store_each(s, collect_extras, d) : SLOTS_OK;
    if (rc != SLOTS_OK) return rc;
    if (!t->nfields && !d->extras.n && s->live)
        return err_set(SLOTS_EINVAL, "'%s' records have no fields: a CSV row cannot hold them", t->name);
    for (int i = 0; i < t->nfields; i++) {
        if (i) sb_putc(d->b, ',');
        put_text(d->b, t->fields[i].name, strlen(t->fields[i].name));
    }
    for (size_t k = 0; k < d->extras.n; k++) {
        size_t n;
        const char *name = nameset_name(&d->extras, k, &n);
        if (k || t->nfields) sb_putc(d->b, ',');
        put_text(d->b, name, n);
    }
    sb_putc(d->b, '\n');
    d->row = d->extras.n ? mem_calloc(d->extras.n * sizeof *d->row, NULL) : NULL;
    return d->extras.n && !d->row ? err_nomem() : SLOTS_OK;
}

/* Appends the header and every record of s as CSV to b. */
static int dump(const slots_store *s, strbuf *b) {
    csv_dump d = {.b = b};
    int rc = put_header(&d, s);
    if (rc == SLOTS_OK) rc = store_each(s, dump_record, &d);
    if (d.row) mem_free(d.row, d.extras.n * sizeof *d.row, NULL);
    nameset_free(&d.extras);
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
