/*
 * jsonl.c — JSON Lines into and out of a store: each line is decoded straight into a fresh record
 * by json.c's schema-directed decoder (all-or-nothing loads through bulk.c, on every core; skipping
 * loads row by row); dumps write one slots_to_json object per line.
 */
#include "internal.h"

static int decode_line(const recref *r, void *ctx) {
    const text_line *l = ctx;
    size_t pos = 0;
    int rc = json_decode_object(r, l->text, l->len, &pos);
    while (rc == SLOTS_OK && pos < l->len && strchr(" \t\r", l->text[pos])) pos++;
    if (rc == SLOTS_OK && pos < l->len)
        rc = err_set(SLOTS_EPARSE, "Extra data: line 1 column %zu (char %zu)", pos + 1, pos);
    return rc;
}

int slots_store_load_jsonl(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped) {
    loader L;
    int rc = loader_begin(&L, s, flags);
    if (rc == SLOTS_OK && !buf && len) rc = err_set(SLOTS_EINVAL, "buffer must not be NULL");
    if (rc == SLOTS_OK && !(flags & SLOTS_LOAD_SKIP_BAD)) /* all or nothing: on every core */
        return loader_end(&L, bulk_load_lines(&L, buf, len, decode_line), loaded, skipped);
    if (rc == SLOTS_OK) rc = loader_reserve(&L, buf, len);
    size_t pos = 0, lineno = 0;
    while (rc == SLOTS_OK && pos < len) { /* skipping bad lines: row by row */
        text_line l = line_next(buf, len, &pos);
        lineno++;
        if (!line_blank(&l)) rc = loader_row(&L, lineno, decode_line, &l);
    }
    return loader_end(&L, rc, loaded, skipped);
}

int slots_store_load_jsonl_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped) {
    char *buf;
    size_t len;
    int rc = registry_check_store(s);
    if (rc == SLOTS_OK) rc = file_read(path, &buf, &len);
    if (rc != SLOTS_OK) return rc;
    rc = slots_store_load_jsonl(s, buf, len, flags, loaded, skipped);
    mem_free(buf, len + 1, NULL);
    return rc;
}

static int dump_record(const recref *r, size_t pos, void *ctx) {
    (void)pos;
    strbuf *b = ctx;
    int rc = json_encode_record(b, r);
    sb_putc(b, '\n');
    return rc != SLOTS_OK ? rc : b->failed ? err_nomem() : SLOTS_OK;
}

/* Appends every record of s as a JSON line to b. */
static int dump(const slots_store *s, strbuf *b) {
    int rc = registry_check_store(s);
    return rc != SLOTS_OK ? rc : store_each(s, dump_record, b);
}

int slots_store_dump_jsonl(const slots_store *s, const char **out, size_t *len) {
    return dump_to_scratch(s, dump, out, len);
}

int slots_store_dump_jsonl_file(const slots_store *s, const char *path) { return dump_to_file(s, dump, path); }
