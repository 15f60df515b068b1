/*
 * dump_select.c — the API response path: a chosen set of a store's records (by handle, by key, or
 * a range of positions) as one JSON array or JSON Lines text, each object written by json.c's
 * record writer into the thread's scratch buffer, under the store's lock so the selection is one
 * consistent view.
 */
#include "io.h"

#include <inttypes.h>

/* Where the selected records come from: each call of `pick` resolves the i-th one. */
typedef struct selection {
    int (*pick)(const struct selection *sel, slots_store *s, size_t i, recref *out);
    size_t n;
    const slots_obj *handles;
    const int64_t *ikeys;
    const char *const *skeys;
    const size_t *slens;
} selection;

static int pick_handle(const selection *sel, slots_store *s, size_t i, recref *out) {
    slots_obj h = sel->handles[i];
    int rc = record_resolve(h, out);
    if (rc == SLOTS_OK && out->store != s) rc = err_set(SLOTS_EINVAL, "record 0x%" PRIx64 " is not in this store", h);
    return rc;
}

static int pick_key(slots_store *s, const value *k, recref *out) {
    uint32_t slot;
    int rc = store_key_slot(s, k, &slot);
    if (rc == SLOTS_OK) *out = (recref){s, s->type, store_slot_address(s, slot), slot, false};
    return rc;
}

static int pick_ikey(const selection *sel, slots_store *s, size_t i, recref *out) {
    value k = {.kind = SLOTS_I64, .as.i = sel->ikeys[i]};
    return pick_key(s, &k, out);
}

static int pick_skey(const selection *sel, slots_store *s, size_t i, recref *out) {
    if (!sel->skeys[i] && sel->slens[i]) return err_set(SLOTS_EINVAL, "key must not be NULL");
    value k = {.kind = SLOTS_STR, .as.s = {sel->skeys[i] ? sel->skeys[i] : "", sel->slens[i]}};
    return pick_key(s, &k, out);
}

/* Writes the selection into b, one record at a time (the arena rewound after each). */
static int write_selection(slots_store *s, const selection *sel, unsigned flags, strbuf *b) {
    bool array = flags & SLOTS_DUMP_ARRAY;
    unsigned enc = flags & ~SLOTS_DUMP_ARRAY;
    arena_mark mark = arena_save();
    if (array) sb_putc(b, '[');
    for (size_t i = 0; i < sel->n; i++) {
        recref r;
        int rc = sel->pick(sel, s, i, &r);
        if (rc == SLOTS_OK && array && i) sb_putc(b, ',');
        if (rc == SLOTS_OK) rc = json_encode_record(b, &r, enc);
        arena_rewind(mark);
        if (rc != SLOTS_OK) return rc == SLOTS_ENOMEM || rc == SLOTS_ENOKEY || rc == SLOTS_ETYPE ? rc : err_prefix("record %zu: ", i);
        if (!array) sb_putc(b, '\n');
    }
    if (array) sb_putc(b, ']');
    return b->failed ? err_nomem() : SLOTS_OK;
}

/* Checks the arguments, locks the store and runs the selection into the scratch buffer. */
static int dump_selection(const slots_store *ref, selection *sel, unsigned flags, const char **out, size_t *len) {
    GUARDED;
    slots_store *s;
    int rc = json_check_dump_flags(flags & ~SLOTS_DUMP_ARRAY);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK && sel->n && !(sel->handles || sel->ikeys || sel->skeys))
        rc = err_set(SLOTS_EINVAL, "the selection must not be NULL");
    if (rc == SLOTS_OK && sel->skeys && !sel->slens) rc = err_set(SLOTS_EINVAL, "lens must not be NULL");
    if (rc == SLOTS_OK) rc = store_open_locked(ref, &s);
    if (rc != SLOTS_OK) return rc;
    strbuf *b = sb_scratch();
    rc = write_selection(s, sel, flags, b);
    store_unlock(s);
    if (rc != SLOTS_OK) return rc;
    *out = b->p ? b->p : "";
    if (len) *len = b->len;
    return SLOTS_OK;
}

int slots_store_dump_json_select(const slots_store *s, const slots_obj *records, size_t n, unsigned flags,
                                 const char **out, size_t *len) {
    selection sel = {.pick = pick_handle, .n = n, .handles = records};
    return dump_selection(s, &sel, flags, out, len);
}

int slots_store_dump_json_keys_i64(const slots_store *s, const int64_t *keys, size_t n, unsigned flags,
                                   const char **out, size_t *len) {
    selection sel = {.pick = pick_ikey, .n = n, .ikeys = keys};
    return dump_selection(s, &sel, flags, out, len);
}

int slots_store_dump_json_keys_str(const slots_store *s, const char *const *keys, const size_t *lens, size_t n,
                                   unsigned flags, const char **out, size_t *len) {
    selection sel = {.pick = pick_skey, .n = n, .skeys = keys, .slens = lens};
    return dump_selection(s, &sel, flags, out, len);
}

/* ---- a range of positions: live slots in order, the first `start` skipped ---------------------- */
typedef struct range_dump {
    size_t start, stop;
    unsigned flags;
    strbuf *b;
    size_t written;
} range_dump;

#define RANGE_DONE 2 /* not a status: store_each stops at the range's end */

static int range_record(const recref *r, size_t pos, void *ctx) {
    range_dump *d = ctx;
    if (pos >= d->stop) return RANGE_DONE;
    if (pos < d->start) return SLOTS_OK;
    bool array = d->flags & SLOTS_DUMP_ARRAY;
    if (array && d->written) sb_putc(d->b, ',');
    int rc = json_encode_record(d->b, r, d->flags & ~SLOTS_DUMP_ARRAY);
    if (rc != SLOTS_OK) return rc == SLOTS_ENOMEM ? rc : err_prefix("record at position %zu: ", pos);
    if (!array) sb_putc(d->b, '\n');
    d->written++;
    return SLOTS_OK;
}

int slots_store_dump_json_range(const slots_store *ref, size_t start, size_t stop, unsigned flags, const char **out,
                                size_t *len) {
    GUARDED;
    slots_store *s;
    int rc = json_check_dump_flags(flags & ~SLOTS_DUMP_ARRAY);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) rc = store_open_locked(ref, &s);
    if (rc != SLOTS_OK) return rc;
    strbuf *b = sb_scratch();
    range_dump d = {start, stop, flags, b, 0};
    if (flags & SLOTS_DUMP_ARRAY) sb_putc(b, '[');
    rc = start < stop ? store_each(s, range_record, &d) : SLOTS_OK;
    store_unlock(s);
    if (rc == RANGE_DONE) rc = SLOTS_OK;
    if (flags & SLOTS_DUMP_ARRAY) sb_putc(b, ']');
    if (rc == SLOTS_OK && b->failed) rc = err_nomem();
    if (rc != SLOTS_OK) return rc;
    *out = b->p ? b->p : "";
    if (len) *len = b->len;
    return SLOTS_OK;
}
