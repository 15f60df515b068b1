/*
 * progress.c — telling a caller how a long load goes: a function the store was given
 * (slots_store_set_load_progress), called on the loading thread with the rows decoded since its
 * last call, so a progress bar's update(n) fits it as it is. It may also stop the load.
 */
#include "io.h"

int slots_store_set_load_progress(slots_store *ref, slots_progress_fn fn, void *ctx, size_t every_rows) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    s->progress = fn, s->progress_ctx = fn ? ctx : NULL, s->progress_every = every_rows ? every_rows : 65536;
    store_unlock(s);
    return SLOTS_OK;
}

int loader_progress(loader *L, size_t rows, bool final) {
    if (!L->progress || rows < L->reported || (!final && rows - L->reported < L->progress_every)) return SLOTS_OK;
    if (final && rows == L->reported) return SLOTS_OK;
    size_t more = rows - L->reported;
    L->reported = rows;
    /* The final call comes once every row is in: too late to stop, so its answer is not asked. */
    if (L->progress((uint64_t)more, L->progress_ctx) == 0 || final) return SLOTS_OK;
    /* the other decoding threads stop too (a staged load's watch is its store's) */
    slots_store_cancel_load(L->cancel_key ? (slots_store *)L->cancel_key : store_ref(L->store));
    return err_cancelled();
}
