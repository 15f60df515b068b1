/*
 * store.c — where records live: a store keeps records of one type in geometric slabs that never
 * move, hands out slots (reusing freed ones, whose generation moves on) and resolves handles.
 * A handle check is a table load, a bounds check and a generation compare, all on mapped memory.
 */
#include "internal.h"

#include <inttypes.h>

static slots_store *first_chunk[SID_CHUNK]; /* the common case allocates nothing */
slots_store **sid_table[(H_MAX_SID + 1) / SID_CHUNK] = {first_chunk};
static uint32_t next_sid = 1;
static pthread_mutex_t sid_lock = PTHREAD_MUTEX_INITIALIZER;


static slots_store **sid_slot(uint32_t sid) {
    slots_store ***chunk = &sid_table[sid / SID_CHUNK];
    if (!*chunk) {
        slots_store **fresh = mem_calloc(SID_CHUNK * sizeof **chunk, NULL);
        if (!fresh) return NULL;
        __atomic_store_n(chunk, fresh, __ATOMIC_RELEASE);
    }
    return &(*chunk)[sid % SID_CHUNK];
}

/* Ids go round the whole space before one is reused, so a dropped store's handles stay stale. */
static int sid_assign(slots_store *s) {
    pthread_mutex_lock(&sid_lock);
    bool nomem = false;
    for (uint32_t tries = 0; tries < H_MAX_SID && !s->sid && !nomem; tries++) {
        uint32_t sid = next_sid;
        next_sid = next_sid == H_MAX_SID ? 1 : next_sid + 1;
        slots_store **slot = sid_slot(sid);
        nomem = !slot;
        if (slot && !*slot) s->sid = sid, __atomic_store_n(slot, s, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&sid_lock);
    if (s->sid) return SLOTS_OK;
    return nomem ? err_nomem() : err_set(SLOTS_ENOMEM, "too many live stores");
}

static void sid_release(const slots_store *s) {
    pthread_mutex_lock(&sid_lock);
    __atomic_store_n(sid_slot(s->sid), NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&sid_lock);
}

int store_create(const slots_type *t, bool is_default, slots_store **out) {
    slots_store *s = mem_calloc(sizeof *s, NULL);
    if (!s) return err_nomem();
    s->magic = STORE_MAGIC, s->type = t, s->is_default = is_default;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    if (t->key_field >= 0 && !is_default && !(s->index = index_new(NULL))) {
        pthread_mutex_destroy(&s->lock);
        mem_free(s, sizeof *s, NULL);
        return err_nomem();
    }
    int rc = sid_assign(s);
    if (rc == SLOTS_OK && registry_add_store(s) != SLOTS_OK) {
        sid_release(s);
        rc = err_nomem();
    }
    if (rc != SLOTS_OK) {
        index_free(s->index);
        pthread_mutex_destroy(&s->lock);
        mem_free(s, sizeof *s, NULL);
        return rc;
    }
    *out = s;
    return SLOTS_OK;
}


static void gen_bump(const slots_type *t, char *rec) {
    __atomic_add_fetch((uint16_t *)(void *)(rec + t->gen_offset), 1, __ATOMIC_RELEASE);
}

/* Where a free slot keeps the next free slot's number: 4 bytes clear of the generation (records
 * are at least 8 bytes). */
static uint32_t link_offset(const slots_type *t) { return t->gen_offset >= 4 ? 0 : 4; }

void store_lock(const slots_store *s) { pthread_mutex_lock(&((slots_store *)s)->lock); }
void store_unlock(const slots_store *s) { pthread_mutex_unlock(&((slots_store *)s)->lock); }


static size_t slab_bytes(const slots_store *s, uint32_t k) {
    return ((size_t)1 << (k + SLAB_FIRST_SHIFT)) * s->type->stride;
}

/* Releases what a live record owns (strings, extras); its slot itself stays. */
static void release_contents(slots_store *s, uint32_t index, char *rec) {
    recref r = {s, s->type, rec, index, false};
    for (int i = 0; i < s->type->nfields; i++)
        if (rec_is_set(s->type, rec, i)) field_clear(&r, i);
    extras_release(&r);
}

bool store_slot_live(const slots_store *s, uint32_t slot) {
    return slot < __atomic_load_n(&s->used, __ATOMIC_ACQUIRE) && (gen_load(s->type, store_slot_address(s, slot)) & 1u);
}

/* Frees what a dropped store's records own (out-of-line strings, extras) and nothing else: their
 * bytes go with the slabs, so no bit is cleared and no byte zeroed. Nothing to visit at all for a
 * type without text fields whose store holds no extras. */
static void release_all(slots_store *s) {
    const slots_type *t = s->type;
    int text[MAX_FIELDS], ntext = 0;
    if (!s->used) return;
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].kind == SLOTS_STR || t->fields[i].kind == SLOTS_BYTES) text[ntext++] = i;
    if (!ntext && !s->extras) return;
    size_t *strings = &((slots_type *)t)->mem_strings;
    for (uint32_t slot = 0; slot < s->used; slot++) {
        char *rec = store_slot_address(s, slot);
        if (!(gen_load(t, rec) & 1u)) continue;
        for (int k = 0; k < ntext; k++)
            if (rec_is_set(t, rec, text[k]))
                str_slot_clear(rec + t->fields[text[k]].offset, (t->flags & SLOTS_CLAYOUT) != 0, strings);
        if (s->extras) extras_release(&(recref){s, t, rec, slot, false});
    }
}

void store_destroy(slots_store *s) {
    registry_remove_store(s);
    sid_release(s);
    slots_type *t = (slots_type *)s->type;
    index_free(s->index);
    s->index = NULL; /* records go all at once: no per-record index upkeep */
    release_all(s);
    for (uint32_t k = 0; k < SLAB_COUNT && s->slabs[k]; k++) mem_free(s->slabs[k], slab_bytes(s, k), &t->mem_records);
    map_free(s->extras);
    if (s->positions) mem_free(s->positions, (size_t)s->positions_len * sizeof *s->positions, NULL);
    load_errors_release(&s->errors);
    counter_sub(&t->live, s->live);
    pthread_mutex_destroy(&s->lock);
    s->magic = 0;
    mem_free(s, sizeof *s, NULL);
}

/* Called with the store locked: adds the next slab. */
static int grow(slots_store *s) {
    uint32_t k = 0;
    while (k < SLAB_COUNT && s->slabs[k]) k++;
    if (k == SLAB_COUNT || s->capacity > H_MAX_INDEX)
        return err_set(SLOTS_ERANGE, "store of '%s' is full (%u records)", s->type->name, s->capacity);
    char *slab = mem_calloc(slab_bytes(s, k), &((slots_type *)s->type)->mem_records);
    if (!slab) return err_nomem();
    __atomic_store_n(&s->slabs[k], slab, __ATOMIC_RELEASE);
    s->capacity += 1u << (k + SLAB_FIRST_SHIFT);
    return SLOTS_OK;
}

int store_reserve_locked(slots_store *s, size_t n) {
    int rc = SLOTS_OK;
    while (rc == SLOTS_OK && s->capacity < n) rc = grow(s);
    return rc;
}

/* Called with the store locked: positions change when a hole opens or fills. */
static void forget_positions(slots_store *s) {
    if (!s->positions) return;
    mem_free(s->positions, (size_t)s->positions_len * sizeof *s->positions, NULL);
    s->positions = NULL, s->positions_len = 0;
}

/* Makes slot `index` a blank live record: zeroed, generation moved on to the next odd number. */
void store_claim_slot(slots_store *s, uint32_t index, recref *out) {
    const slots_type *t = s->type;
    char *rec = store_slot_address(s, index);
    /* Everything but the generation is zeroed, and written before anything is read: a first read
     * would map a fresh page to the zero page, and the write after it would then cost a second
     * fault and a TLB flush on every CPU the process runs on. */
    memset(rec, 0, t->gen_offset);
    memset(rec + t->gen_offset + sizeof(uint16_t), 0, t->stride - t->gen_offset - sizeof(uint16_t));
    gen_bump(t, rec); /* even (free) → odd (live) */
    *out = (recref){s, t, rec, index, false};
}

int store_alloc_record(slots_store *s, recref *out, slots_obj *h) {
    pthread_mutex_lock(&s->lock);
    int rc = SLOTS_OK;
    uint32_t index;
    if (s->free_head) {
        index = s->free_head - 1;
        memcpy(&s->free_head, store_slot_address(s, index) + link_offset(s->type), sizeof s->free_head);
    } else if (s->used < s->capacity || (rc = grow(s)) == SLOTS_OK) {
        index = __atomic_load_n(&s->used, __ATOMIC_RELAXED);
        __atomic_store_n(&s->used, index + 1, __ATOMIC_RELEASE);
    }
    if (rc == SLOTS_OK) {
        store_claim_slot(s, index, out);
        s->live++;
        counter_add(&((slots_type *)s->type)->live, 1);
        forget_positions(s);
        *h = recref_handle(out);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_claim_range(slots_store *s, size_t n, uint32_t *base) {
    if (n > (size_t)H_MAX_INDEX + 1 - s->used)
        return err_set(SLOTS_ERANGE, "store of '%s' is full (%u records)", s->type->name, s->used);
    int rc = store_reserve_locked(s, (size_t)s->used + n);
    if (rc != SLOTS_OK) return rc;
    *base = s->used;
    __atomic_store_n(&s->used, s->used + (uint32_t)n, __ATOMIC_RELEASE);
    return SLOTS_OK;
}

void store_unclaim(slots_store *s, uint32_t first, uint32_t n) {
    if (first + n == s->used) {
        __atomic_store_n(&s->used, first, __ATOMIC_RELEASE);
        return;
    }
    for (uint32_t i = first; i < first + n; i++) { /* blank lines inside the range: rare */
        memcpy(store_slot_address(s, i) + link_offset(s->type), &s->free_head, sizeof s->free_head);
        s->free_head = i + 1;
    }
}

void store_commit_range(slots_store *s, uint32_t live) {
    s->live += live;
    counter_add(&((slots_type *)s->type)->live, live);
    forget_positions(s);
}

void store_abandon_range(slots_store *s, uint32_t base, uint32_t n) {
    for (uint32_t i = base; i < base + n; i++) {
        char *rec = store_slot_address(s, i);
        if (!(gen_load(s->type, rec) & 1u)) continue;
        release_contents(s, i, rec);
        gen_bump(s->type, rec); /* its handles go stale; the slot is claimed afresh next time */
    }
    store_unclaim(s, base, n);
}

/* Called with the store locked. */
static void free_slot(slots_store *s, const recref *r) {
    release_contents(s, r->index, r->rec);
    gen_bump(s->type, r->rec); /* odd (live) → even (free): every handle to it is now stale */
    /* A slot whose generation wrapped is retired, never reused, so no old handle can come back
     * to life: one slot lost per 32768 reuses of the same slot. */
    if (gen_load(s->type, r->rec) != 0) {
        memcpy(r->rec + link_offset(s->type), &s->free_head, sizeof s->free_head);
        s->free_head = r->index + 1;
    }
    s->live--;
    forget_positions(s);
    counter_sub(&((slots_type *)s->type)->live, 1);
}

void store_release_record(slots_store *s, const recref *r) {
    pthread_mutex_lock(&s->lock);
    free_slot(s, r);
    pthread_mutex_unlock(&s->lock);
}

static int stale(slots_obj h) {
    return err_set(SLOTS_ESTALE, "record handle 0x%" PRIx64 " is stale or invalid (freed, forged, or from a dropped store)", h);
}

int record_resolve(slots_obj h, recref *out) { return record_resolve_quiet(h, out) ? SLOTS_OK : stale(h); }

slots_obj recref_handle(const recref *r) { return handle_make(r->store->sid, gen_load(r->type, r->rec), r->index); }

int store_free_handle(slots_obj h) {
    recref r;
    int rc = record_resolve(h, &r);
    if (rc != SLOTS_OK) return rc;
    pthread_mutex_lock(&r.store->lock);
    /* Checked again under the lock: two threads freeing one handle must not both release it. */
    if (gen_load(r.type, r.rec) != handle_gen(h)) rc = stale(h);
    else free_slot(r.store, &r);
    pthread_mutex_unlock(&r.store->lock);
    return rc;
}


void store_each_run(const slots_store *s, void (*fn)(const char *recs, uint32_t n, void *ctx), void *ctx) {
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE), first = 0;
    for (uint32_t k = 0; k < SLAB_COUNT && first < used; k++) {
        uint32_t size = 1u << (k + SLAB_FIRST_SHIFT), n = used - first < size ? used - first : size;
        fn(__atomic_load_n(&s->slabs[k], __ATOMIC_ACQUIRE), n, ctx);
        first += size;
    }
}

int store_each(const slots_store *s, int (*fn)(const recref *r, size_t pos, void *ctx), void *ctx) {
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE);
    size_t pos = 0;
    for (uint32_t slot = 0; slot < used; slot++) {
        char *rec = store_slot_address(s, slot);
        if (!(gen_load(s->type, rec) & 1u)) continue;
        recref r = {(slots_store *)s, s->type, rec, slot, false};
        int rc = fn(&r, pos++, ctx);
        if (rc != SLOTS_OK) return rc;
    }
    return SLOTS_OK;
}
