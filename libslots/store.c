/*
 * store.c — where records live: a store keeps records of one type in slabs that never move (levels
 * that double, each cut in 16), hands out slots (reusing freed ones, whose generation moves on) and
 * resolves handles.
 * A handle check is a table load, a bounds check and a generation compare, all on mapped memory.
 */
#include "records.h"

#include <inttypes.h>
#include <sched.h>

static sid_entry first_chunk[SID_CHUNK]; /* the common case allocates nothing */
sid_entry *sid_table[(H_MAX_SID + 1) / SID_CHUNK] = {first_chunk};
static uint32_t next_sid = 1;
static uint32_t retired_sids;
/* Guards id assignment and the list of every store (live or being dropped), which fork() walks. */
static pthread_mutex_t sid_lock = PTHREAD_MUTEX_INITIALIZER;
static slots_store *all_stores;

/* Called with sid_lock held. */
static sid_entry *sid_slot(uint32_t sid) {
    sid_entry **chunk = &sid_table[sid / SID_CHUNK];
    if (!*chunk) {
        sid_entry *fresh = mem_calloc(SID_CHUNK * sizeof **chunk, NULL);
        if (!fresh) return NULL;
        __atomic_store_n(chunk, fresh, __ATOMIC_RELEASE);
    }
    return &(*chunk)[sid % SID_CHUNK];
}

/* Ids go round the whole space before one is reused, and a reused id's records start their
 * generations above every generation its earlier stores handed out, so no old handle resolves. */
static int sid_assign(slots_store *s) {
    pthread_mutex_lock(&sid_lock);
    bool nomem = false;
    for (uint32_t tries = 0; tries < H_MAX_SID && !s->sid && !nomem; tries++) {
        uint32_t sid = next_sid;
        next_sid = next_sid == H_MAX_SID ? 1 : next_sid + 1;
        sid_entry *e = sid_slot(sid);
        nomem = !e;
        if (!e || e->store || e->gen_floor > GEN_FLOOR_MAX) continue;
        s->sid = sid, s->incarnation = ++e->incarnations, s->gen_base = (uint16_t)e->gen_floor;
        s->gen_high = e->gen_floor;
        s->next = all_stores, s->prev = NULL;
        if (all_stores) all_stores->prev = s;
        all_stores = s;
        __atomic_store_n(&e->store, s, __ATOMIC_RELEASE);
    }
    uint32_t retired = retired_sids;
    pthread_mutex_unlock(&sid_lock);
    if (s->sid) return SLOTS_OK;
    if (nomem) return err_nomem();
    return err_set(SLOTS_ERANGE, "too many stores: all %u store ids are taken (%u by live stores, %u used up)",
                   H_MAX_SID, H_MAX_SID - retired, retired);
}

/* Unlinks a store: no new call can find it. Its id's next store starts its generations above the
 * highest this one reached; an id whose generations are used up is never handed out again. */
static void sid_unlink(slots_store *s) {
    pthread_mutex_lock(&sid_lock);
    sid_entry *e = sid_slot(s->sid);
    __atomic_store_n(&e->store, NULL, __ATOMIC_RELEASE);
    e->gen_floor = s->gen_high + 2;
    if (e->gen_floor > GEN_FLOOR_MAX) retired_sids++;
    pthread_mutex_unlock(&sid_lock);
}

/* Called with sid_lock held, once the store is unreachable. */
static void list_remove(slots_store *s) {
    if (s->prev) s->prev->next = s->next;
    else all_stores = s->next;
    if (s->next) s->next->prev = s->prev;
}

static void mutex_init_recursive(pthread_mutex_t *m) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
}

int store_create(const slots_type *t, bool is_default, slots_store **out) {
    slots_store *s = mem_calloc(sizeof *s, NULL);
    if (!s) return err_nomem();
    s->magic = STORE_MAGIC, s->type = t, s->is_default = is_default;
    mutex_init_recursive(&s->lock);
    int rc = t->key_field >= 0 && !is_default && !(s->index = index_new(NULL)) ? err_nomem() : sid_assign(s);
    if (rc != SLOTS_OK) {
        index_free(s->index);
        pthread_mutex_destroy(&s->lock);
        mem_free(s, sizeof *s, NULL);
        return rc;
    }
    *out = s;
    return SLOTS_OK;
}

int type_default_store(const slots_type *t, slots_store **out) {
    slots_type *mt = (slots_type *)t;
    slots_store *s = __atomic_load_n(&mt->default_store, __ATOMIC_ACQUIRE), *expected = NULL;
    if (s) return *out = s, SLOTS_OK;
    int rc = store_create(t, true, &s);
    if (rc != SLOTS_OK) return rc;
    if (!__atomic_compare_exchange_n(&mt->default_store, &expected, s, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        sid_unlink(s); /* another thread made it first; nobody has seen this one */
        store_destroy(s);
        s = expected;
    }
    *out = s;
    return SLOTS_OK;
}

/* ---- public references ---------------------------------------------------------------------------
 * The slots_store * a caller holds is not an address but the store's id and incarnation, so a
 * dropped store's pointer never reaches freed memory and never names a later store, however
 * memory and ids are reused. */
_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "store references need 64-bit pointers");

slots_store *store_ref(const slots_store *s) {
    return (slots_store *)(uintptr_t)(s->incarnation << H_SID_BITS | s->sid);
}

static int not_live(const slots_store *ref) {
    return err_set(SLOTS_ESTALE, "store %p is not a live store (dropped or never created)", (const void *)ref);
}

int store_open(const slots_store *ref, slots_store **out) {
    if (!ref) return err_set(SLOTS_EINVAL, "store must not be NULL");
    uint64_t bits = (uint64_t)(uintptr_t)ref;
    slots_store *s = store_by_sid((uint32_t)(bits & H_MAX_SID));
    if (!s || s->incarnation != bits >> H_SID_BITS || s->is_default || __atomic_load_n(&s->dead, __ATOMIC_ACQUIRE))
        return not_live(ref);
    *out = s;
    return SLOTS_OK;
}

int store_open_locked(const slots_store *ref, slots_store **out) {
    int rc = store_open(ref, out);
    return rc == SLOTS_OK ? store_lock_live(*out) : rc;
}

int store_open_for_change(const slots_store *ref, slots_store **out) {
    int rc = store_open(ref, out);
    return rc == SLOTS_OK ? store_check_not_loading(*out) : rc;
}

/* A number that tells threads apart, for "is this thread the one loading the store". */
static uintptr_t thread_tag(void) {
    static _Thread_local char tag;
    return (uintptr_t)&tag;
}

int store_check_not_loading(const slots_store *s) {
    if (__atomic_load_n(&s->loader, __ATOMIC_ACQUIRE) != thread_tag()) return SLOTS_OK;
    return err_set(SLOTS_EBUSY, "the store of '%s' is being loaded: a validator cannot change the store it loads into",
                   s->type->name);
}

void store_set_loading(slots_store *s, bool on) { __atomic_store_n(&s->loader, on ? thread_tag() : 0, __ATOMIC_RELEASE); }

int store_lock_live(slots_store *s) {
    store_lock(s);
    if (!__atomic_load_n(&s->dead, __ATOMIC_ACQUIRE)) return SLOTS_OK;
    store_unlock(s);
    return not_live(store_ref(s));
}

/* Every lock of every store before a fork, taken without waiting while holding another (a thread
 * holding one store's lock may be waiting for a second one): all or none, until it succeeds. */
void stores_atfork(int phase) {
    if (phase == FORK_PREPARE) {
        for (;;) {
            pthread_mutex_lock(&sid_lock);
            slots_store *s = all_stores;
            while (s && pthread_mutex_trylock(&s->lock) == 0) s = s->next;
            if (!s) return; /* sid_lock stays held: no store comes or goes until after the fork */
            for (slots_store *u = all_stores; u != s; u = u->next) pthread_mutex_unlock(&u->lock);
            pthread_mutex_unlock(&sid_lock);
            sched_yield();
        }
    }
    for (slots_store *s = all_stores; s; s = s->next)
        if (phase == FORK_PARENT) pthread_mutex_unlock(&s->lock);
        else mutex_init_recursive(&s->lock); /* the child's thread is not the owner the lock recorded */
    if (phase == FORK_PARENT) pthread_mutex_unlock(&sid_lock);
    else pthread_mutex_init(&sid_lock, NULL);
}

/* Where a free slot keeps the next free slot's number: 4 bytes clear of the generation (records
 * are at least 8 bytes). */
static uint32_t link_offset(const slots_type *t) { return t->gen_offset >= 4 ? 0 : 4; }

void store_lock(const slots_store *s) { pthread_mutex_lock(&((slots_store *)s)->lock); }
void store_unlock(const slots_store *s) { pthread_mutex_unlock(&((slots_store *)s)->lock); }


static size_t slab_bytes(const slots_store *s, uint32_t k) { return (size_t)slab_size(k) * s->type->stride; }

/* Releases what a live record owns (out-of-line text, its key's index entry, extras); the slot
 * itself stays. Text fields go unset as their copies go (under the slot's lock), so a reader that
 * resolved the record just before sees the field unset, never an empty string nobody wrote.
 * Called with the store locked. */
static void release_contents(slots_store *s, uint32_t index, char *rec) {
    const slots_type *t = s->type;
    recref r = {s, t, rec, index, false};
    if (t->key_field >= 0) field_clear(&r, t->key_field); /* its index entry goes with it */
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].kind == SLOTS_STR || t->fields[i].kind == SLOTS_BYTES) field_clear(&r, i);
    extras_release(&r);
}

bool store_slot_live(const slots_store *s, uint32_t slot) {
    return slot < __atomic_load_n(&s->used, __ATOMIC_ACQUIRE) && (gen_load(s->type, store_slot_address(s, slot)) & 1u);
}

/* Frees what a dropped store's records own (out-of-line strings, extras) and nothing else: their
 * bytes go with the slabs, so no bit is cleared and no byte zeroed. Nothing to visit at all for a
 * type without text fields whose store holds no extras. A text slot owns its copy whether or not
 * the field is set (a deleted field keeps its bytes until the slot is set again or released). */
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
            str_slot_release(rec + t->fields[text[k]].offset, (t->flags & SLOTS_CLAYOUT) != 0, strings);
        if (s->extras) extras_release(&(recref){s, t, rec, slot, false});
    }
}

/* ---- the store's load-error list (loaderror.c fills it; freed with the store) -------------------- */
void load_error_list_free(slots_load_error *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        mem_free((char *)items[i].field, strlen(items[i].field) + 1, NULL);
        mem_free((char *)items[i].message, strlen(items[i].message) + 1, NULL);
    }
    mem_free(items, n * sizeof *items, NULL);
}

void load_errors_release(load_errors *E) {
    load_error_list_free(E->items, E->n);
    if (E->text) mem_free(E->text, E->text_len + 1, NULL);
    E->items = NULL, E->n = 0, E->text = NULL, E->text_len = 0;
    E->failed = false;
}

/* Frees a store nobody can reach any more: unlinked, and every call that had found it returned. */
void store_destroy(slots_store *s) {
    pthread_mutex_lock(&sid_lock);
    list_remove(s);
    pthread_mutex_unlock(&sid_lock);
    slots_type *t = (slots_type *)s->type;
    index_free(s->index);
    s->index = NULL; /* records go all at once: no per-record index upkeep */
    release_all(s);
    for (uint32_t k = 0; k < SLAB_COUNT && s->slabs[k]; k++) mem_big_free(s->slabs[k], slab_bytes(s, k), &t->mem_records);
    map_free(s->extras);
    if (s->positions) mem_free(s->positions, (size_t)s->positions_len * sizeof *s->positions, NULL);
    load_errors_release(&s->errors);
    counter_sub(&t->live, s->live);
    pthread_mutex_destroy(&s->lock);
    s->magic = 0;
    mem_free(s, sizeof *s, NULL);
}

/* Drop: waits for the store's lock (a load, a clear, a dump in progress ends first), marks it dead
 * and unlinks it, waits for every call that may still hold it to return, then frees it. A call from
 * inside another (a validator, a method) could be running on the store being dropped and is
 * refused instead, as waiting for its own caller would never end. */
int store_drop(slots_store *s) {
    if (guard_nested())
        return err_set(SLOTS_EBUSY, "cannot drop a store from inside a validator or method call");
    return store_discard(s);
}

static void store_destroy_deferred(void *s) { store_destroy(s); }

int store_discard(slots_store *s) {
    int rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    __atomic_store_n(&s->dead, true, __ATOMIC_RELEASE);
    sid_unlink(s);
    store_unlock(s);
    /* Freed when the calling thread's outermost call returns: waiting for the other threads from
     * inside this call could wait for one that waits for this (two drops at once). */
    if (!guard_defer(&s->freeing, store_destroy_deferred, s)) {
        guard_synchronize();
        store_destroy(s);
    }
    return SLOTS_OK;
}

static int full(const slots_store *s) {
    return err_set(SLOTS_ERANGE, "store of '%s' is full: a store holds at most %u records", s->type->name, H_MAX_INDEX + 1);
}

/* Called with the store locked: adds the next slab. */
static int grow(slots_store *s) {
    uint32_t k = 0;
    while (k < SLAB_COUNT && s->slabs[k]) k++;
    if (k == SLAB_COUNT || s->capacity > H_MAX_INDEX) return full(s);
    char *slab = mem_big_calloc(slab_bytes(s, k), &((slots_type *)s->type)->mem_records);
    if (!slab) return err_nomem();
    __atomic_store_n(&s->slabs[k], slab, __ATOMIC_RELEASE);
    s->capacity += slab_size(k);
    return SLOTS_OK;
}

int store_reserve_locked(slots_store *s, size_t n) {
    int rc = SLOTS_OK;
    while (rc == SLOTS_OK && s->capacity < n) rc = grow(s);
    return rc;
}

/* Called with the store locked whenever records are added or removed: positions change when a hole
 * opens or fills, and the change is counted. */
static void forget_positions(slots_store *s) {
    __atomic_fetch_add(&s->changes, 1, __ATOMIC_RELAXED); /* every add and remove comes here */
    if (!s->positions) return;
    mem_free(s->positions, (size_t)s->positions_len * sizeof *s->positions, NULL);
    s->positions = NULL, s->positions_len = 0;
}

/* Makes slot `index` a blank live record: zeroed, its generation moved on to the next odd number,
 * and never below the store's base, so handles from an earlier store with the same id stay stale. */
/* Zeroes a slot that held a record. A call that resolved that record before it was freed may
 * still be reading it (it then finds the handle stale): so the bytes are zeroed with atomic stores
 * of each field's width, and text slots under their locks, and such a read races nothing. */
static uint32_t link_offset(const slots_type *t);

static void zero_reused(const slots_type *t, char *rec) {
    static const char zero[STR_SLOT];
    uint32_t link = link_offset(t);
    for (int i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        char *p = rec + f->offset;
        uint32_t bytes = (t->flags & SLOTS_CLAYOUT) ? sizeof(char *) : STR_SLOT;
        if (f->size == 16 && !(t->flags & SLOTS_CLAYOUT)) { /* uuid, wide decimal: under the slot's lock */
            text_lock(p);
            memset(p, 0, 16);
            text_unlock(p);
            continue;
        }
        if (f->kind != SLOTS_STR && f->kind != SLOTS_BYTES) {
            scalar_store(p, f->size, zero);
            continue;
        }
        /* Empty already (released); only a slot the free list's link sits in has bytes to zero. */
        if (link + sizeof(uint32_t) <= f->offset || link >= f->offset + bytes) continue;
        text_lock(p);
        memset(p, 0, bytes);
        text_unlock(p);
    }
    uint32_t bits = ((uint32_t)t->nfields + 7) / 8;
    for (uint32_t k = 0; k < bits; k++) {
        __atomic_store_n((unsigned char *)rec + t->set_offset + k, 0, __ATOMIC_RELAXED);
        if (t->null_offset) __atomic_store_n((unsigned char *)rec + t->null_offset + k, 0, __ATOMIC_RELAXED);
    }
}

/* The free list's link, kept in a free slot's bytes (4 bytes clear of the generation). */
static uint32_t link_load(const slots_store *s, uint32_t index) {
    return __atomic_load_n((const uint32_t *)(const void *)(store_slot_address(s, index) + link_offset(s->type)), __ATOMIC_RELAXED);
}

static void link_store(const slots_store *s, uint32_t index, uint32_t next) {
    __atomic_store_n((uint32_t *)(void *)(store_slot_address(s, index) + link_offset(s->type)), next, __ATOMIC_RELAXED);
}

/* Makes slot `index` a blank live record: zeroed, its generation moved on to the next odd number,
 * and never below the store's base, so handles from an earlier store with the same id stay stale. */
void store_claim_slot(slots_store *s, uint32_t index, recref *out) {
    const slots_type *t = s->type;
    char *rec = store_slot_address(s, index);
    uint16_t gen = gen_load(t, rec); /* even: a free slot, or 0 for a fresh one */
    if (gen) {
        zero_reused(t, rec);
        link_store(s, index, 0); /* in padding, maybe */
    } else {
        /* A fresh slot nobody can be reading. Everything but the generation is zeroed, and
         * written before anything is read: a first read would map a fresh page to the zero page,
         * and the write after it would then cost a second fault and a TLB flush on every CPU the
         * process runs on. (Its generation is read first all the same, but it shares its page
         * with the bytes just written.) */
        memset(rec, 0, t->gen_offset);
        memset(rec + t->gen_offset + sizeof(uint16_t), 0, t->stride - t->gen_offset - sizeof(uint16_t));
    }
    if (gen < s->gen_base) gen = s->gen_base;
    __atomic_store_n((uint16_t *)(void *)(rec + t->gen_offset), (uint16_t)(gen + 1), __ATOMIC_RELEASE);
    *out = (recref){s, t, rec, index, false};
}

int store_alloc_record(slots_store *s, recref *out, slots_obj *h) {
    int rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    uint32_t index = 0;
    if (s->free_head) {
        index = s->free_head - 1;
        s->free_head = link_load(s, index);
    } else if (s->used > H_MAX_INDEX) {
        rc = full(s);
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
    store_unlock(s);
    return rc;
}

int store_claim_range(slots_store *s, size_t n, uint32_t *base) {
    if (n > (size_t)H_MAX_INDEX + 1 - s->used) return full(s);
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
        link_store(s, i, s->free_head);
        s->free_head = i + 1;
    }
}

void store_commit_range(slots_store *s, uint32_t live) {
    s->live += live;
    counter_add(&((slots_type *)s->type)->live, live);
    forget_positions(s);
}

/* Called with the store locked: moves a live record's slot to free (its handles go stale). */
static void retire_record(slots_store *s, uint32_t index, char *rec) {
    /* Stale first, then emptied: a reader that finds a field gone re-checks the handle and sees
     * it stale, so it never takes the emptied record for a live one with unset fields. */
    uint16_t gen = __atomic_add_fetch((uint16_t *)(void *)(rec + s->type->gen_offset), 1, __ATOMIC_SEQ_CST);
    if (gen > s->gen_high || gen == 0) s->gen_high = gen ? gen : 0x10000u;
    release_contents(s, index, rec);
}

void store_abandon_range(slots_store *s, uint32_t base, uint32_t n) {
    for (uint32_t i = base; i < base + n; i++) {
        char *rec = store_slot_address(s, i);
        if (gen_load(s->type, rec) & 1u) retire_record(s, i, rec); /* claimed afresh next time */
    }
    store_unclaim(s, base, n);
}

/* Called with the store locked. */
static void free_slot(slots_store *s, const recref *r) {
    retire_record(s, r->index, r->rec); /* odd (live) → even (free): every handle to it is now stale */
    /* A slot whose generation wrapped is retired, never reused, so no old handle can come back
     * to life: one slot lost per 32768 reuses of the same slot. */
    if (gen_load(s->type, r->rec) != 0) {
        link_store(s, r->index, s->free_head);
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
    if (rc == SLOTS_OK) rc = store_check_not_loading(r.store);
    if (rc == SLOTS_OK) rc = store_lock_live(r.store);
    if (rc != SLOTS_OK) return rc;
    /* Checked again under the lock: two threads freeing one handle must not both release it. */
    if (gen_load(r.type, r.rec) != handle_gen(h)) rc = stale(h);
    else free_slot(r.store, &r);
    store_unlock(r.store);
    return rc;
}

void store_each_run(const slots_store *s, void (*fn)(const char *recs, uint32_t n, void *ctx), void *ctx) {
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE), first = 0;
    for (uint32_t k = 0; k < SLAB_COUNT && first < used; k++) {
        uint32_t size = slab_size(k), n = used - first < size ? used - first : size;
        fn(__atomic_load_n(&s->slabs[k], __ATOMIC_ACQUIRE), n, ctx);
        first += size;
    }
}

int store_each(const slots_store *s, int (*fn)(const recref *r, size_t pos, void *ctx), void *ctx) {
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE);
    size_t pos = 0;
    arena_mark mark = arena_save();
    for (uint32_t slot = 0; slot < used; slot++) {
        char *rec = store_slot_address(s, slot);
        if (!(gen_load(s->type, rec) & 1u)) continue;
        recref r = {(slots_store *)s, s->type, rec, slot, false};
        int rc = fn(&r, pos++, ctx);
        arena_rewind(mark); /* what fn read of this record is done with */
        if (rc != SLOTS_OK) return rc;
    }
    return SLOTS_OK;
}
