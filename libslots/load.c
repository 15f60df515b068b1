/*
 * load.c — what every bulk load and dump shares: rows decoded straight into fresh records of a
 * store, all-or-nothing by default (a failed load frees what it added, so the store is as it was)
 * or skipping bad rows with a count and the first errors; dumps to memory or a file (the file
 * itself is fileio.c's).
 */
#include "internal.h"

#include <stdio.h>

#define MAX_KEPT_ERRORS 10

int loader_begin(loader *L, slots_store *ref, unsigned flags) {
    memset(L, 0, sizeof *L);
    slots_store *s = NULL;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK) rc = store_check_not_loading(s);
    if (rc == SLOTS_OK && (flags & ~SLOTS_LOAD_SKIP_BAD)) rc = err_set(SLOTS_EINVAL, "unknown load flags 0x%x", flags);
    if (rc == SLOTS_OK) rc = store_lock_live(s); /* one lock for the whole load, not per row */
    if (rc != SLOTS_OK) return rc;
    L->store = s, L->flags = flags, L->locked = true;
    store_set_loading(s, true); /* the loading thread's own validators may not change the store */
    return rc;
}

/* Counts '\n' bytes sixteen at a time with the compiler's vector extension (SSE2 on x86-64, NEON
 * on arm64): a compare gives -1 per newline, which is subtracted from 16 byte-wide counters that
 * are summed before they can overflow. A per-line memchr costs more than the lines are long. */
typedef unsigned char bytes16 __attribute__((vector_size(16)));
size_t count_newlines(const char *buf, size_t len) {
    size_t n = 0, i = 0;
    while (i + 16 <= len) {
        bytes16 counts = {0};
        size_t stop = len - i > 16 * 255 ? i + 16 * 255 : len;
        for (; i + 16 <= stop; i += 16) {
            bytes16 v;
            memcpy(&v, buf + i, sizeof v);
            counts -= (bytes16)(v == (unsigned char)'\n');
        }
        for (int k = 0; k < 16; k++) n += counts[k];
    }
    for (; i < len; i++) n += buf[i] == '\n';
    return n;
}

/* Lines in buf: counted for small buffers, estimated for large ones from three 64 KiB windows
 * (start, middle, end: ids and names grow along a file), since a full count would stream the
 * whole text from memory once more before decoding it. */
static size_t estimate_lines(const char *buf, size_t len) {
    const size_t window = 64 * 1024;
    if (len <= 3 * window) return 1 + count_newlines(buf, len);
    size_t seen = count_newlines(buf, window) + count_newlines(buf + len / 2, window) +
                  count_newlines(buf + len - window, window);
    return (size_t)((double)seen * ((double)len / (double)(3 * window))) + 1;
}

/* Makes room in the key index for the rows to come, so it is not rebuilt again and again as it
 * fills. Slabs need no such help: they grow without moving anything. An estimate that falls
 * short only means one more rebuild. */
static int loader_reserve(loader *L, const char *buf, size_t len) {
    slots_store *s = L->store;
    return len && s->index ? index_reserve(s, s->index, estimate_lines(buf, len)) : SLOTS_OK;
}

static int remember(loader *L, slots_obj h) {
    if (L->nadded == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 1024;
        slots_obj *p = mem_realloc(L->added, L->cap * sizeof *p, cap * sizeof *p, NULL);
        if (!p) return err_nomem();
        L->added = p, L->cap = cap;
    }
    L->added[L->nadded++] = h;
    return SLOTS_OK;
}

/* Counts a skipped row and keeps its message; a list that cannot be kept fails the load. */
static int keep_error(loader *L) {
    L->skipped++;
    if (L->nerrors++ >= MAX_KEPT_ERRORS) return SLOTS_OK;
    sb_puts(&L->errors, slots_errmsg());
    sb_putc(&L->errors, '\n');
    return L->errors.failed ? err_nomem() : SLOTS_OK;
}

int row_index_key(const recref *r, const uint64_t *hash, bool *keyed) {
    const slots_type *t = r->type;
    *keyed = false;
    if (!r->store->index || (!hash && !rec_is_set(t, r->rec, t->key_field))) return SLOTS_OK;
    long holder = index_add(r->store, r->store->index, r->index, hash ? *hash : index_hash(r->store, r->index));
    if (holder < 0) return *keyed = true, SLOTS_OK;
    value key;
    read_slot(t, &t->fields[t->key_field], r->rec + t->fields[t->key_field].offset, &key);
    return index_err_exists(t, &key);
}

int row_fill(recref *r, row_decoder decode, void *ctx) {
    r->defer_key = true;
    int rc = decode(r, ctx);
    return rc == SLOTS_OK ? fill_defaults(r) : rc;
}

int loader_row(loader *L, size_t line, row_decoder decode, void *ctx) {
    recref r;
    slots_obj h;
    bool keyed;
    int rc = L->store->index ? index_reserve(L->store, L->store->index, 1) : SLOTS_OK;
    if (rc == SLOTS_OK) rc = store_alloc_record(L->store, &r, &h);
    if (rc != SLOTS_OK) return err_prefix("line %zu: ", line);
    rc = row_fill(&r, decode, ctx);
    if (rc == SLOTS_OK) rc = row_index_key(&r, NULL, &keyed);
    if (rc == SLOTS_OK && keyed) index_added(L->store->index, 1);
    if (rc == SLOTS_OK) rc = remember(L, h);
    if (rc == SLOTS_OK) return SLOTS_OK;
    store_release_record(L->store, &r);
    err_prefix("line %zu: ", line);
    if (rc == SLOTS_ENOMEM || !(L->flags & SLOTS_LOAD_SKIP_BAD)) return rc;
    return keep_error(L);
}

/* Skipping bad rows: row by row, on this thread. */
static int skip_rows(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
                     const void *ctx) {
    int rc = loader_reserve(L, buf + from, len - from), more;
    void *reader = rc == SLOTS_OK ? fmt->open(ctx, buf, from, len, line) : NULL;
    if (rc == SLOTS_OK && !reader) rc = err_nomem();
    for (size_t rows = 0; rc == SLOTS_OK && (more = fmt->next(reader, &line)) != 0; rows++) {
        rc = more < 0 ? more : loader_row(L, line, fmt->decode, reader);
        if (rc == SLOTS_OK && rows % CANCEL_EVERY == 0 && cancel_requested(L->watch)) rc = err_cancelled();
    }
    if (reader) fmt->close(reader);
    return rc;
}

/* The load can be cancelled while its rows decode (see cancel.c). */
int loader_rows(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
                const void *ctx) {
    int rc = cancel_watch(store_ref(L->store), &L->watch); /* the reference callers hold */
    if (rc == SLOTS_OK && !(L->flags & SLOTS_LOAD_SKIP_BAD)) rc = bulk_load(L, buf, from, len, line, fmt, ctx); /* on every core */
    else if (rc == SLOTS_OK) rc = skip_rows(L, buf, from, len, line, fmt, ctx);
    cancel_unwatch(L->watch);
    L->watch = NULL;
    return rc;
}

/* Replaces the store's kept errors with this load's. */
static int publish_errors(loader *L) {
    slots_store *s = L->store;
    char *fresh = L->errors.len ? mem_strdup(L->errors.p, L->errors.len, NULL) : NULL;
    if (L->errors.len && !fresh) return err_nomem(); /* the old list stays, like everything else */
    if (s->load_errors) mem_free(s->load_errors, strlen(s->load_errors) + 1, NULL);
    s->load_errors = fresh;
    return SLOTS_OK;
}

int loader_end(loader *L, int rc, size_t *loaded, size_t *skipped) {
    if (rc == SLOTS_OK) rc = publish_errors(L);
    if (rc != SLOTS_OK) {
        int code = slots_errcode();
        char msg[512];
        snprintf(msg, sizeof msg, "%s", slots_errmsg());
        for (size_t i = 0; i < L->nadded; i++) {
            recref r;
            if (record_resolve_quiet(L->added[i], &r)) store_release_record(L->store, &r);
        }
        err_set(code, "%s", msg); /* frees never fail here, but keep the load's message regardless */
    } else {
        if (loaded) *loaded = L->nadded + L->bulk_loaded;
        if (skipped) *skipped = L->skipped;
    }
    mem_free(L->added, L->cap * sizeof *L->added, NULL);
    sb_free(&L->errors);
    if (L->locked) store_set_loading(L->store, false), store_unlock(L->store);
    return rc;
}

int load_file(slots_store *ref, const char *path, unsigned flags, size_t *loaded, size_t *skipped, store_loader load) {
    GUARDED;
    char *buf;
    size_t len;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK) rc = file_read(path, &buf, &len);
    if (rc != SLOTS_OK) return rc;
    rc = load(ref, buf, len, flags, loaded, skipped);
    mem_free(buf, len + 1, NULL);
    return rc;
}

const char *slots_store_load_errors(const slots_store *ref) {
    GUARDED;
    slots_store *s;
    if (store_open(ref, &s) != SLOTS_OK || store_lock_live(s) != SLOTS_OK) return NULL;
    const char *copy = arena_copy(s->load_errors ? s->load_errors : "", s->load_errors ? strlen(s->load_errors) : 0);
    store_unlock(s);
    if (!copy) err_nomem();
    return copy; /* a copy: the next load on another thread replaces the store's list */
}

int dump_to_scratch(const slots_store *ref, store_dumper dump, const char **out, size_t *len) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc != SLOTS_OK) return rc;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    strbuf *b = sb_scratch();
    rc = dump(s, b);
    if (rc != SLOTS_OK) return rc;
    *out = b->p ? b->p : "";
    if (len) *len = b->len;
    return SLOTS_OK;
}

int dump_to_file(const slots_store *ref, store_dumper dump, const char *path) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc != SLOTS_OK) return rc;
    strbuf b = {0};
    rc = path ? dump(s, &b) : err_set(SLOTS_EINVAL, "path must not be NULL");
    if (rc == SLOTS_OK) rc = file_write(path, b.p, b.len);
    sb_free(&b);
    return rc;
}
