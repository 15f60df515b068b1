/*
 * values.c — a load from many values (a Redis MGET reply, rows of a JSON column): each value one
 * JSON object, decoded as a JSON Lines row is. Row N is value N: bulk.c cuts and counts rows at
 * '\n' bytes, so the load runs over a stand-in text of one '\n' per value, which gives every
 * value its own "line" and lets the values decode on every core like the lines of a text.
 */
#include "io.h"

typedef struct values {
    const char *const *p;
    const size_t *lens;
} values;

typedef struct values_reader {
    const values *v;
    size_t pos, end; /* the values [pos, end) still to read */
    const char *text;
    size_t len;
} values_reader;

static void *open_values(const void *ctx, const char *buf, size_t from, size_t to, size_t line) {
    (void)buf, (void)line; /* value i is line i + 1 */
    values_reader *r = mem_alloc(sizeof *r, NULL);
    if (r) *r = (values_reader){ctx, from, to, NULL, 0};
    return r;
}

/* The next value; a NULL one (a missing key) is no row. */
static int next_value(void *reader, size_t *line) {
    values_reader *r = reader;
    while (r->pos < r->end) {
        size_t i = r->pos++;
        if (!r->v->p[i]) continue;
        r->text = r->v->p[i], r->len = r->v->lens[i];
        *line = i + 1;
        return 1;
    }
    return 0;
}

static int decode_value(const recref *rec, void *reader) {
    const values_reader *r = reader;
    size_t pos = 0;
    int rc = json_decode_object(rec, r->text, r->len, &pos);
    return rc == SLOTS_OK ? json_check_end(r->text, r->len, pos) : rc;
}

static void close_values(void *reader) { mem_free(reader, sizeof(values_reader), NULL); }

static const row_format values_rows = {open_values, next_value, decode_value, NULL, close_values};

int values_piece(loader *L, void *ctx, const char *buf, size_t len, size_t line) {
    const values *v = ctx;
    L->values = v->p, L->value_lens = v->lens, L->text_bytes = 1;
    for (size_t i = 0; i < len; i++) L->text_bytes += v->p[i] ? v->lens[i] : 0;
    load_row_word("value");
    return loader_rows(L, buf, 0, len, line, &values_rows, v);
}

/* The stand-in text: one '\n' per value (freed with mem_free(*text, n + 1, NULL)). */
static int stand_in(size_t n, char **text) {
    *text = mem_alloc(n + 1, NULL);
    if (!*text) return err_nomem();
    memset(*text, '\n', n);
    (*text)[n] = '\0';
    return SLOTS_OK;
}

static int load_staged(slots_store *s, const values *v, const char *text, size_t n, unsigned flags, size_t *loaded,
                       size_t *skipped) {
    stage g;
    int rc = stage_begin(&g, s, flags);
    if (rc == SLOTS_OK) rc = stage_piece(&g, text, n, 1, 0, values_piece, (void *)v);
    if (rc != SLOTS_OK) return g.st ? stage_end(&g, rc) : rc;
    return stage_commit(&g, loaded, skipped);
}

int slots_store_load_json_values(slots_store *s, const char *const *p, const size_t *lens, size_t n, unsigned flags,
                                 size_t *loaded, size_t *skipped) {
    GUARDED;
    values v = {p, lens};
    char *text = NULL;
    int rc = n && (!p || !lens) ? err_set(SLOTS_EINVAL, "values and lens must not be NULL") : SLOTS_OK;
    if (rc == SLOTS_OK) rc = stand_in(n, &text);
    if (rc == SLOTS_OK && (flags & SLOTS_LOAD_UPSERT)) {
        rc = load_staged(s, &v, text, n, flags, loaded, skipped);
    } else if (rc == SLOTS_OK) {
        loader L;
        rc = loader_begin(&L, s, flags, text, n);
        if (rc == SLOTS_OK) rc = values_piece(&L, &v, text, n, 1);
        rc = loader_end(&L, rc, loaded, skipped);
    }
    if (text) mem_free(text, n + 1, NULL);
    return rc;
}
