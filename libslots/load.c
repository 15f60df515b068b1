/*
 * load.c — the frame every load shares: the store locked and marked for the whole load, rows
 * added all-or-nothing by default (through bulk.c, on every core) or one by one when skipping bad
 * rows (a count and the first errors, kept by loaderror.c), and everything added freed again when
 * the load fails, so the store is as it was. A row itself is row.c's; files are fileio.c's.
 */
#include "io.h"

#include <stdio.h>

int loader_begin(loader *L, slots_store *ref, unsigned flags, const char *buf, size_t len) {
    memset(L, 0, sizeof *L);
    slots_store *s = NULL;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK && (flags & ~(SLOTS_LOAD_SKIP_BAD | SLOTS_LOAD_LENIENT)))
        rc = err_set(SLOTS_EINVAL, "unknown load flags 0x%x", flags);
    load_fault_reset(), load_note_reset(); /* this load's errors only */
    if (rc == SLOTS_OK) rc = store_lock_live(s); /* one lock for the whole load, not per row */
    if (rc != SLOTS_OK) return rc;
    L->store = s, L->flags = flags, L->buf = buf, L->len = buf ? len : 0, L->locked = true;
    L->cursor_line = L->first_line = 1;
    load_row_word("line");
    store_set_loading(s, true); /* the loading thread's own validators may not change the store */
    L->progress = s->progress, L->progress_ctx = s->progress_ctx, L->progress_every = s->progress_every;
    return rc;
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






int loader_lines_reserve(loader *L, size_t n) {
    if (n <= L->nslot_line) return SLOTS_OK;
    size_t cap = L->nslot_line ? L->nslot_line : 1024;
    while (cap < n) cap *= 2;
    size_t *p = mem_realloc(L->slot_line, L->nslot_line * sizeof *p, cap * sizeof *p, NULL);
    if (!p) return err_nomem();
    L->slot_line = p, L->nslot_line = cap;
    return SLOTS_OK;
}

int loader_row(loader *L, size_t line, row_decoder decode, void *ctx) {
    recref r;
    slots_obj h;
    bool keyed;
    int rc = L->store->index ? index_reserve(L->store, L->store->index, 1) : SLOTS_OK;
    if (rc == SLOTS_OK) rc = store_alloc_record(L->store, &r, &h);
    if (rc == SLOTS_OK && L->track_lines && (rc = loader_lines_reserve(L, (size_t)r.index + 1)) != SLOTS_OK)
        store_release_record(L->store, &r);
    if (rc != SLOTS_OK) return load_note_reset(), load_error_line(line);
    if (L->track_lines) L->slot_line[r.index] = line;
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
        if (rc == SLOTS_OK) rc = loader_progress(L, rows + 1, false);
    }
    if (reader) fmt->close(reader);
    return rc;
}

/* The load can be cancelled while its rows decode (see cancel.c). */
int loader_rows(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
                const void *ctx) {
    bool staged = L->cancel_key != NULL; /* a staged load watches from its start to its end */
    int rc = staged ? SLOTS_OK : cancel_watch(store_ref(L->store), &L->watch); /* the reference callers hold */
    if (rc == SLOTS_OK && cancel_requested(L->watch)) rc = err_cancelled();
    if (rc == SLOTS_OK && !(L->flags & SLOTS_LOAD_SKIP_BAD)) rc = bulk_load(L, buf, from, len, line, fmt, ctx); /* on every core */
    else if (rc == SLOTS_OK) rc = skip_rows(L, buf, from, len, line, fmt, ctx);
    if (rc == SLOTS_OK) rc = loader_progress(L, L->nadded + L->skipped + L->bulk_loaded, true); /* the last rows */
    if (!staged) cancel_unwatch(L->watch), L->watch = NULL;
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
    mem_free(L->slot_line, L->nslot_line * sizeof *L->slot_line, NULL);
    loader_drop_kept(L);
    if (L->locked) store_set_loading(L->store, false), store_unlock(L->store);
    return rc;
}
