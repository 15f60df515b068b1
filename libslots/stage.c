/*
 * stage.c — loads that decode into a staging store of their own and add their rows to the real
 * store in one step at the end: streaming loads (loader.c, piece by piece, while the store stays
 * free for other threads) and loads with SLOTS_LOAD_UPSERT (whose rows may replace records). The
 * pieces decode as any load does (load.c, bulk.c: on every core); the commit plans where each
 * staged row goes (a new record, or the record holding its key), makes every allocation, and only
 * then moves the rows' contents in (upsert.c's record_move), which cannot fail: all or nothing.
 */
#include "io.h"

#include <stdio.h>

#define SKIPPED (-1) /* a plan's dest: the row was skipped (a duplicate key, when skipping) */
#define NEW(k) (-2 - (int64_t)(k)) /* ... the k-th record added; >= 0: the slot of a record replaced */

static void copy_settings(loader *L, const slots_store *s, slots_store *st) {
    L->progress = s->progress, L->progress_ctx = s->progress_ctx, L->progress_every = s->progress_every;
    st->errors.limit = s->errors.limit, st->errors.limit_set = s->errors.limit_set;
}

int stage_begin(stage *g, slots_store *ref, unsigned flags) {
    memset(g, 0, sizeof *g);
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK && (flags & ~(SLOTS_LOAD_SKIP_BAD | SLOTS_LOAD_LENIENT | SLOTS_LOAD_UPSERT)))
        rc = err_set(SLOTS_EINVAL, "unknown load flags 0x%x", flags);
    load_fault_reset(), load_note_reset();
    if (rc == SLOTS_OK) rc = store_create(s->type, false, &g->st);
    if (rc != SLOTS_OK) return rc;
    g->target = ref, g->upsert = flags & SLOTS_LOAD_UPSERT;
    load_row_word("line");
    if (g->upsert && g->st->index) index_free(g->st->index), g->st->index = NULL; /* a key may repeat */
    loader *L = &g->L;
    L->store = g->st, L->flags = flags & ~SLOTS_LOAD_UPSERT, L->cancel_key = ref;
    L->cursor_line = L->first_line = 1;
    L->track_lines = g->st->index != NULL; /* a key the store holds is found at the commit */
    if ((rc = store_lock_live(s)) == SLOTS_OK) copy_settings(L, s, g->st), store_unlock(s);
    if (rc == SLOTS_OK) rc = cancel_watch(ref, &L->watch);
    return rc == SLOTS_OK ? rc : stage_end(g, rc);
}

int stage_piece(stage *g, const char *buf, size_t len, size_t line, size_t offset, piece_fn fn, void *ctx) {
    slots_store *s;
    loader *L = &g->L;
    int rc = store_open(g->target, &s); /* a dropped store fails its loads at once */
    if (rc == SLOTS_OK && cancel_requested(L->watch)) rc = err_cancelled();
    if (rc == SLOTS_OK) rc = store_lock_live(g->st);
    if (rc != SLOTS_OK) return rc;
    store_set_loading(g->st, true);
    load_fault_reset(), load_note_reset();
    L->values = NULL, L->value_lens = NULL, L->text_bytes = 0;
    L->buf = buf, L->len = len, L->first_line = L->cursor_line = line, L->cursor_off = 0, L->base_offset = offset;
    rc = fn(L, ctx, buf, len, line);
    store_set_loading(g->st, false);
    store_unlock(g->st);
    return rc;
}

/* ---- the commit --------------------------------------------------------------------------------- */
typedef struct plan {
    int64_t *dest;     /* per staging slot: SKIPPED, NEW(k), or a slot of the store */
    uint32_t used;     /* staging slots */
    uint32_t base, nnew; /* the records added: slots base .. base + nnew - 1 of the store */
    uint32_t *retire;  /* records replaced by a new one (types that cannot change in place) */
    size_t nretire;
    size_t rows;       /* staged rows that went in */
} plan;

static recref at(slots_store *s, uint32_t slot) { return (recref){s, s->type, store_slot_address(s, slot), slot, false}; }

/* The store slot a row goes to (dest not SKIPPED). */
static uint32_t dest_slot(const plan *p, int64_t d) { return d >= 0 ? (uint32_t)d : p->base + (uint32_t)(-2 - d); }

/* A staged row whose key the store holds, without upsert: the load's error, or a skipped row. */
static int duplicate(stage *g, uint32_t slot, const value *key, int64_t *dest) {
    const slots_type *t = g->st->type;
    load_note_reset();
    load_note_field(t->fields[t->key_field].name, t->fields[t->key_field].name_len);
    index_err_exists(t, key);
    int rc = load_error_line(g->L.slot_line[slot]);
    if (!(g->L.flags & SLOTS_LOAD_SKIP_BAD)) return rc;
    g->L.skipped++, *dest = SKIPPED;
    rc = loader_keep_fault(&g->L);
    load_fault_reset();
    return rc;
}

/* Where staged row `slot` goes; `seen` indexes the keys staged so far (upserts: the last wins). */
static int place_row(stage *g, slots_store *s, plan *p, uint32_t slot, bool replaceable) {
    slots_store *st = g->st;
    int64_t *dest = &p->dest[slot];
    if (!s->index) return *dest = NEW(p->nnew++), SLOTS_OK;
    if (g->upsert) { /* a key staged before: this row replaces that one's contents */
        long first = index_add(st, st->index, slot, index_hash(st, slot));
        if (first >= 0) return *dest = p->dest[first], SLOTS_OK;
        index_added(st->index, 1);
    }
    const field *kf = &st->type->fields[st->type->key_field];
    value key;
    read_slot(st->type, kf, store_slot_address(st, slot) + kf->offset, &key);
    long held = index_find(s, s->index, &key);
    if (held < 0) return *dest = NEW(p->nnew++), SLOTS_OK;
    if (!g->upsert) return duplicate(g, slot, &key, dest);
    if (replaceable) return *dest = held, SLOTS_OK;
    p->retire[p->nretire++] = (uint32_t)held;
    return *dest = NEW(p->nnew++), SLOTS_OK;
}

/* Makes room in the store for what the plan adds: slots, keys, extras. On failure nothing stays. */
static int reserve(stage *g, slots_store *s, plan *p) {
    int rc = s->index && p->nnew ? index_reserve(s, s->index, p->nnew) : SLOTS_OK;
    if (rc == SLOTS_OK && p->nnew) rc = store_claim_range(s, p->nnew, &p->base);
    if (rc != SLOTS_OK) return rc;
    for (uint32_t slot = 0; slot < p->used && rc == SLOTS_OK && g->st->extras; slot++) {
        if (p->dest[slot] == SKIPPED || !map_get(g->st->extras, (uint64_t)slot + 1)) continue;
        recref r = at(s, dest_slot(p, p->dest[slot]));
        rc = extras_reserve(&r);
    }
    if (rc != SLOTS_OK && p->nnew) store_unclaim(s, p->base, p->nnew);
    return rc;
}

static int plan_merge(stage *g, slots_store *s, plan *p) {
    slots_store *st = g->st;
    p->used = st->used;
    p->dest = mem_alloc((size_t)p->used * sizeof *p->dest + 1, NULL);
    p->retire = mem_alloc((size_t)p->used * sizeof *p->retire + 1, NULL);
    int rc = p->dest && p->retire ? SLOTS_OK : err_nomem();
    if (rc == SLOTS_OK && g->upsert && s->index && !(st->index = index_new(NULL))) rc = err_nomem();
    if (rc == SLOTS_OK && st->index) rc = index_reserve(st, st->index, st->live);
    bool replaceable = type_replaceable(s->type);
    for (uint32_t slot = 0; slot < p->used && rc == SLOTS_OK; slot++) {
        if (slot % CANCEL_EVERY == 0 && cancel_requested(g->L.watch)) rc = err_cancelled();
        else if (!store_slot_live(st, slot)) p->dest[slot] = SKIPPED;
        else if ((rc = place_row(g, s, p, slot, replaceable)) == SLOTS_OK && p->dest[slot] != SKIPPED) p->rows++;
    }
    return rc == SLOTS_OK ? reserve(g, s, p) : rc;
}

/* Moves every staged row into its place and indexes the added records. Cannot fail. */
static void apply(stage *g, slots_store *s, const plan *p) {
    for (size_t k = 0; k < p->nretire; k++) {
        recref old = at(s, p->retire[k]);
        store_release_record(s, &old); /* its key leaves the index before the new record's comes */
    }
    for (uint32_t k = 0; k < p->nnew; k++) {
        recref r;
        store_claim_slot(s, p->base + k, &r);
    }
    for (uint32_t slot = 0; slot < p->used; slot++) {
        if (p->dest[slot] == SKIPPED) continue;
        recref from = at(g->st, slot), into = at(s, dest_slot(p, p->dest[slot]));
        record_move(&from, &into);
    }
    for (uint32_t k = 0; k < p->nnew && s->index; k++) index_insert(s, s->index, p->base + k);
    store_commit_range(s, p->nnew);
}

static void plan_free(plan *p) {
    mem_free(p->dest, (size_t)p->used * sizeof *p->dest + 1, NULL);
    mem_free(p->retire, (size_t)p->used * sizeof *p->retire + 1, NULL);
}

/* ---- the common case: a load into an empty store takes the staging store's slabs whole ----------- */
static bool adoptable(const stage *g, const slots_store *s) { return !g->upsert && s->used == 0 && s->live == 0; }

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

/* Called with s locked, s empty: s and the staging store trade slabs, key index and extras, so the
 * staged records become s's in place (the staging store is then dropped with what s had: reserved
 * capacity only). Live records take s's first generation, above its floor, so no handle from an
 * earlier store with s's id names them (and the staging store's handles carry its own id); its
 * free slots' generations stay below s->gen_high + 2, the floor s leaves to its id's next store. The slabs go in before `used` grows: a racing reader of s sees
 * either no record or a whole one. */
static size_t adopt(stage *g, slots_store *s) {
    slots_store *st = g->st;
    const slots_type *t = s->type;
    for (uint32_t slot = 0; slot < st->used; slot++) {
        uint16_t *gen = (uint16_t *)(void *)(store_slot_address(st, slot) + t->gen_offset);
        if (__atomic_load_n(gen, __ATOMIC_RELAXED) & 1u) __atomic_store_n(gen, (uint16_t)(s->gen_base + 1), __ATOMIC_RELAXED);
    }
    for (int k = 0; k < SLAB_COUNT; k++) {
        char *mine = s->slabs[k];
        __atomic_store_n(&s->slabs[k], st->slabs[k], __ATOMIC_RELEASE);
        st->slabs[k] = mine;
    }
    SWAP(s->capacity, st->capacity);
    SWAP(s->free_head, st->free_head);
    SWAP(s->extras, st->extras);
    SWAP(s->index, st->index);
    if (st->gen_high > s->gen_high) s->gen_high = st->gen_high; /* its free slots' generations */
    if (s->positions) mem_free(s->positions, (size_t)s->positions_len * sizeof *s->positions, NULL);
    s->positions = NULL, s->positions_len = 0;
    uint32_t used = st->used, live = st->live;
    st->used = 0, st->live = 0; /* the staging store now holds s's empty slabs */
    __atomic_store_n(&s->used, used, __ATOMIC_RELEASE);
    s->live = live; /* the type's count already has them: they were counted when staged */
    return live;
}

int stage_commit(stage *g, size_t *loaded, size_t *skipped) {
    slots_store *s;
    loader *L = &g->L;
    plan p = {0};
    int rc = store_open_for_change(g->target, &s);
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return stage_end(g, rc);
    L->buf = NULL, L->len = 0; /* the pieces' text is gone: errors found now are placed by line only */
    if (cancel_requested(L->watch)) rc = err_cancelled();
    bool whole = rc == SLOTS_OK && adoptable(g, s);
    if (rc == SLOTS_OK && !whole) rc = plan_merge(g, s, &p);
    if (rc == SLOTS_OK) { /* the error list, the last thing that allocates */
        L->store = s;
        rc = loader_publish_kept(L);
        L->store = g->st;
        if (rc != SLOTS_OK && p.nnew) store_unclaim(s, p.base, p.nnew);
    }
    if (rc == SLOTS_OK && whole) p.rows = adopt(g, s);
    else if (rc == SLOTS_OK) apply(g, s, &p);
    plan_free(&p);
    store_unlock(s);
    if (rc == SLOTS_OK) {
        if (loaded) *loaded = p.rows;
        if (skipped) *skipped = L->skipped;
    }
    return stage_end(g, rc);
}

int stage_end(stage *g, int rc) {
    loader *L = &g->L;
    slots_store *s;
    int code = slots_errcode();
    char msg[512];
    snprintf(msg, sizeof msg, "%s", slots_errmsg());
    if (rc != SLOTS_OK && store_open_locked(g->target, &s) == SLOTS_OK) { /* the store's list: this error */
        L->store = s;
        loader_publish_fault(L);
        store_unlock(s);
    }
    cancel_unwatch(L->watch);
    mem_free(L->added, L->cap * sizeof *L->added, NULL);
    mem_free(L->slot_line, L->nslot_line * sizeof *L->slot_line, NULL);
    loader_drop_kept(L);
    if (g->st) store_discard(g->st); /* what was staged and not moved goes with it */
    memset(g, 0, sizeof *g);
    if (rc != SLOTS_OK) err_set(code, "%s", msg);
    return rc;
}
