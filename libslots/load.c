/*
 * load.c — what every bulk load and dump shares: rows decoded straight into fresh records of a
 * store, all-or-nothing by default (a failed load frees what it added, so the store is as it was)
 * or skipping bad rows with a count and the first errors (kept by loaderror.c); strict rows (no
 * required field missing) unless SLOTS_LOAD_LENIENT; dumps to memory or a file (the file itself is
 * fileio.c's).
 */
#include "io.h"

#include <stdio.h>

int loader_begin(loader *L, slots_store *ref, unsigned flags, const char *buf, size_t len) {
    memset(L, 0, sizeof *L);
    slots_store *s = NULL;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK) rc = store_check_not_loading(s);
    if (rc == SLOTS_OK && (flags & ~(SLOTS_LOAD_SKIP_BAD | SLOTS_LOAD_LENIENT)))
        rc = err_set(SLOTS_EINVAL, "unknown load flags 0x%x", flags);
    load_fault_reset(), load_note_reset(); /* this load's errors only */
    if (rc == SLOTS_OK) rc = store_lock_live(s); /* one lock for the whole load, not per row */
    if (rc != SLOTS_OK) return rc;
    L->store = s, L->flags = flags, L->buf = buf, L->len = buf ? len : 0, L->locked = true;
    L->cursor_line = 1;
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

int row_index_key(const recref *r, const uint64_t *hash, bool *keyed) {
    const slots_type *t = r->type;
    *keyed = false;
    if (!r->store->index || (!hash && !rec_is_set(t, r->rec, t->key_field))) return SLOTS_OK;
    long holder = index_add(r->store, r->store->index, r->index, hash ? *hash : index_hash(r->store, r->index));
    if (holder < 0) return *keyed = true, SLOTS_OK;
    const field *kf = &t->fields[t->key_field];
    value key;
    read_slot(t, kf, r->rec + kf->offset, &key);
    load_note_reset(); /* a duplicate is about the row's key, not where its decoding stopped */
    load_note_field(kf->name, kf->name_len);
    return index_err_exists(t, &key);
}

/* The first unset field of the record at or after field `from`, or -1: a byte of presence bits at a
 * time, as nearly every row has them all. */
static int next_unset(const slots_type *t, const char *rec, int from) {
    const unsigned char *bits = (const unsigned char *)rec + t->set_offset;
    for (int i = from; i < t->nfields; i = (i / 8 + 1) * 8) {
        unsigned missing = ~(unsigned)bits[i / 8] & (0xffu << (i % 8)) & 0xffu;
        if (t->nfields - i / 8 * 8 < 8) missing &= (1u << (t->nfields % 8)) - 1u; /* the last byte's tail */
        if (missing) return i / 8 * 8 + __builtin_ctz(missing);
    }
    return -1;
}

/* "missing field 'a'", "missing 2 fields: 'a' and 'b'", "missing 3 fields: 'a', 'b', and 'c'": the
 * list as Python words a call's missing arguments. Fields from `first` on, or `first` alone. */
static int err_missing(const slots_type *t, const char *rec, int first, bool alone) {
    int n = 0;
    for (int i = first; i >= 0 && !(alone && n); i = next_unset(t, rec, i + 1)) n++;
    load_note_field(t->fields[first].name, t->fields[first].name_len);
    if (n == 1) return err_set(SLOTS_ETYPE, "missing field '%s'", t->fields[first].name);
    char text[FAULT_MESSAGE_MAX]; /* a message is cut at this length anyway */
    size_t len = (size_t)snprintf(text, sizeof text, "missing %d fields: ", n);
    int k = 0;
    for (int i = first; i >= 0 && len < sizeof text; i = next_unset(t, rec, i + 1), k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s'%s'",
                                k == 0 ? "" : n == 2 ? " and " : k == n - 1 ? ", and " : ", ", t->fields[i].name);
    return err_set(SLOTS_ETYPE, "%s", text);
}

int row_check_required(const recref *r, unsigned flags) {
    const slots_type *t = r->type;
    if (flags & SLOTS_LOAD_LENIENT) {
        if (t->key_field < 0 || rec_is_set(t, r->rec, t->key_field)) return SLOTS_OK;
        return err_missing(t, r->rec, t->key_field, true);
    }
    int first = next_unset(t, r->rec, 0); /* defaults are filled: what is unset has none */
    return first < 0 ? SLOTS_OK : err_missing(t, r->rec, first, false);
}

int row_fill(recref *r, row_decoder decode, void *ctx, unsigned flags) {
    r->defer_key = true;
    load_note_reset();
    int rc = decode(r, ctx);
    if (rc == SLOTS_OK) rc = fill_defaults(r);
    return rc == SLOTS_OK ? row_check_required(r, flags) : rc;
}

int loader_row(loader *L, size_t line, row_decoder decode, void *ctx) {
    recref r;
    slots_obj h;
    bool keyed;
    int rc = L->store->index ? index_reserve(L->store, L->store->index, 1) : SLOTS_OK;
    if (rc == SLOTS_OK) rc = store_alloc_record(L->store, &r, &h);
    if (rc != SLOTS_OK) return load_note_reset(), load_error_line(line);
    rc = row_fill(&r, decode, ctx, L->flags);
    if (rc == SLOTS_OK) rc = row_index_key(&r, NULL, &keyed);
    if (rc == SLOTS_OK && keyed) index_added(L->store->index, 1);
    if (rc == SLOTS_OK) rc = remember(L, h);
    if (rc == SLOTS_OK) return SLOTS_OK;
    store_release_record(L->store, &r);
    load_error_line(line);
    if (rc == SLOTS_ENOMEM || !(L->flags & SLOTS_LOAD_SKIP_BAD)) return rc;
    L->skipped++;
    rc = loader_keep_fault(L); /* a list that cannot be kept fails the load */
    load_fault_reset();        /* this row's fault is kept: a later failure is not about it */
    return rc;
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

int loader_end(loader *L, int rc, size_t *loaded, size_t *skipped) {
    if (rc == SLOTS_OK) rc = loader_publish_kept(L);
    if (rc != SLOTS_OK) {
        if (L->locked) loader_publish_fault(L); /* the store was checked: its list takes the error */
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
    loader_drop_kept(L);
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
