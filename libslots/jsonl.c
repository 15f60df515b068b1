/*
 * jsonl.c — JSON Lines into and out of a store: each non-blank line is decoded straight into a
 * fresh record by json.c's schema-directed decoder (all-or-nothing loads through bulk.c, on every
 * core; skipping loads row by row); dumps write one slots_to_json object per line.
 */
#include "io.h"

/* A reader of the non-blank lines of buf[pos, end): the rows of JSON Lines. */
typedef struct lines {
    const char *buf;
    size_t pos, end;
    size_t line;      /* the number of the line at pos */
    const char *text; /* the current line, without its '\n' */
    size_t len;
} lines;

static bool blank(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

static int next_line(void *reader, size_t *line) {
    lines *r = reader;
    while (r->pos < r->end) {
        const char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
        size_t stop = nl ? (size_t)(nl - r->buf) : r->end;
        r->text = r->buf + r->pos, r->len = stop - r->pos;
        r->pos = stop + 1;
        *line = r->line++;
        if (!blank(r->text, r->len)) return 1;
    }
    return 0;
}

static int decode_line(const recref *r, void *reader) {
    const lines *l = reader;
    size_t pos = 0;
    int rc = json_decode_object(r, l->text, l->len, &pos);
    return rc == SLOTS_OK ? json_check_end(l->text, l->len, pos) : rc;
}

static void *open_lines(const void *ctx, const char *buf, size_t from, size_t to, size_t line) {
    (void)ctx;
    lines *r = mem_alloc(sizeof *r, NULL);
    if (r) *r = (lines){buf, from, to, line, NULL, 0};
    return r;
}

static void close_lines(void *reader) { mem_free(reader, sizeof(lines), NULL); }

const row_format jsonl_rows = {open_lines, next_line, decode_line, NULL, close_lines};

int slots_store_load_jsonl(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    if (flags & SLOTS_LOAD_UPSERT) return stage_load_text(s, SLOTS_FORMAT_JSONL, buf, len, flags, loaded, skipped);
    loader L;
    int rc = loader_begin(&L, s, flags, buf, len);
    if (rc == SLOTS_OK && !buf && len) rc = err_set(SLOTS_EINVAL, "buffer must not be NULL");
    if (rc == SLOTS_OK) rc = loader_rows(&L, buf, 0, len, 1, &jsonl_rows, NULL);
    return loader_end(&L, rc, loaded, skipped);
}

int slots_store_load_jsonl_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped) {
    GUARDED;
    return load_file(s, path, flags, loaded, skipped, slots_store_load_jsonl);
}

typedef struct jsonl_dump {
    strbuf *b;
    unsigned flags; /* SLOTS_DUMP_* */
} jsonl_dump;

/* One record's line; a record that cannot be written is named by its position. */
static int dump_record(const recref *r, size_t pos, void *ctx) {
    const jsonl_dump *d = ctx;
    int rc = json_encode_record(d->b, r, d->flags);
    sb_putc(d->b, '\n');
    if (rc != SLOTS_OK) return rc == SLOTS_ENOMEM ? rc : err_prefix("record at position %zu: ", pos);
    return d->b->failed ? err_nomem() : SLOTS_OK;
}

/* Appends every record of s as a JSON line to b. */
static int dump_with(const slots_store *s, strbuf *b, unsigned flags) {
    jsonl_dump d = {b, flags};
    return store_each(s, dump_record, &d);
}

/* The dumps load.c runs, one per set of flags. */
static int dump(const slots_store *s, strbuf *b) { return dump_with(s, b, 0); }
static int dump_allow_nan(const slots_store *s, strbuf *b) { return dump_with(s, b, SLOTS_DUMP_ALLOW_NAN); }

static store_dumper dumper(unsigned flags) { return flags & SLOTS_DUMP_ALLOW_NAN ? dump_allow_nan : dump; }

int slots_store_dump_jsonl(const slots_store *s, const char **out, size_t *len) {
    return slots_store_dump_jsonl_flags(s, 0, out, len);
}

int slots_store_dump_jsonl_file(const slots_store *s, const char *path) {
    return slots_store_dump_jsonl_file_flags(s, path, 0);
}

int slots_store_dump_jsonl_flags(const slots_store *s, unsigned flags, const char **out, size_t *len) {
    GUARDED;
    int rc = json_check_dump_flags(flags);
    return rc != SLOTS_OK ? rc : dump_to_scratch(s, dumper(flags), out, len);
}

int slots_store_dump_jsonl_file_flags(const slots_store *s, const char *path, unsigned flags) {
    GUARDED;
    int rc = json_check_dump_flags(flags);
    return rc != SLOTS_OK ? rc : dump_to_file(s, dumper(flags), path);
}
