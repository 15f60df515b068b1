/*
 * store_api.c — the public store calls: create and drop, append and remove, positions and
 * iteration, clear and reserve, key lookup and memory. The slab and handle machinery is store.c's.
 */
#include "records.h"

#include <inttypes.h>

int slots_store_new(const slots_type *t, slots_store **out) {
    if (registry_check_type(t) != SLOTS_OK) return SLOTS_EINVAL;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    slots_store *s;
    int rc = store_create(t, false, &s);
    if (rc == SLOTS_OK) *out = store_ref(s);
    return rc;
}

int slots_store_drop(slots_store *ref) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    return rc != SLOTS_OK ? rc : store_drop(s);
}

int slots_store_type(const slots_store *ref, const slots_type **out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) *out = s->type;
    return rc;
}

int slots_store_len(const slots_store *ref, size_t *n) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !n) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) *n = __atomic_load_n(&s->live, __ATOMIC_ACQUIRE);
    return rc;
}

int slots_store_append(slots_store *ref, slots_obj *out) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc != SLOTS_OK) return rc;
    recref r;
    slots_obj h;
    if ((rc = store_alloc_record(s, &r, &h)) != SLOTS_OK) return rc;
    if ((rc = fill_defaults(&r)) != SLOTS_OK) {
        store_release_record(s, &r);
        return rc;
    }
    *out = h;
    return SLOTS_OK;
}

int slots_store_remove(slots_store *ref, slots_obj o) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc != SLOTS_OK) return rc;
    recref r;
    if ((rc = record_resolve(o, &r)) != SLOTS_OK) return rc;
    if (r.store != s) return err_set(SLOTS_EINVAL, "record 0x%" PRIx64 " is not in this store", o);
    return store_free_handle(o);
}

/* Called with the lock held: the position → slot table, built when the store has holes. */
static int build_positions(slots_store *s) {
    uint32_t *p = mem_alloc((size_t)s->live * sizeof *p + 1, NULL);
    if (!p) return err_nomem();
    uint32_t n = 0;
    for (uint32_t slot = 0; slot < s->used && n < s->live; slot++)
        if (store_slot_live(s, slot)) p[n++] = slot;
    s->positions = p, s->positions_len = n;
    return SLOTS_OK;
}

static slots_obj handle_of(const slots_store *s, uint32_t slot) {
    return handle_make(s->sid, gen_load(s->type, store_slot_address(s, slot)), slot);
}

int slots_store_at(slots_store *ref, size_t i, slots_obj *out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    uint32_t slot = (uint32_t)i;
    if (i >= s->live) rc = err_set(SLOTS_EINDEX, "store index %zu out of range (%u records)", i, s->live);
    else if (s->live != s->used && !s->positions) rc = build_positions(s);
    if (rc == SLOTS_OK && s->live != s->used) slot = s->positions[i];
    if (rc == SLOTS_OK) *out = handle_of(s, slot);
    store_unlock(s);
    return rc;
}

int slots_store_next(const slots_store *ref, size_t *cursor, slots_obj *out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && (!cursor || !out)) rc = err_set(SLOTS_EINVAL, "cursor and out must not be NULL");
    if (rc != SLOTS_OK) return rc;
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE);
    for (size_t slot = *cursor; slot < used; slot++) {
        if (!store_slot_live(s, (uint32_t)slot)) continue;
        *out = handle_of(s, (uint32_t)slot);
        *cursor = slot + 1;
        return SLOTS_OK;
    }
    *cursor = used;
    return SLOTS_EINDEX;
}

int slots_store_clear(slots_store *ref) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    key_index *index = s->index;
    s->index = NULL; /* every record goes: drop the index in one step, not entry by entry */
    for (uint32_t slot = 0; slot < s->used; slot++) {
        if (!store_slot_live(s, slot)) continue;
        recref r = {s, s->type, store_slot_address(s, slot), slot, false};
        store_release_record(s, &r);
    }
    index_reset(index);
    s->index = index;
    store_unlock(s);
    return SLOTS_OK;
}

int slots_store_reserve(slots_store *ref, size_t n) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc != SLOTS_OK) return rc;
    if (n > (size_t)H_MAX_INDEX + 1) return err_set(SLOTS_ERANGE, "a store holds at most %u records", H_MAX_INDEX + 1);
    if ((rc = store_lock_live(s)) != SLOTS_OK) return rc;
    rc = store_reserve_locked(s, n);
    if (rc == SLOTS_OK && s->index) rc = index_reserve(s, s->index, n > s->live ? n - s->live : 0);
    store_unlock(s);
    return rc;
}

static int find_key(const slots_store *ref, const value *key, slots_obj *out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc != SLOTS_OK) return rc;
    if ((rc = store_lock_live(s)) != SLOTS_OK) return rc;
    uint32_t slot;
    rc = store_key_slot(s, key, &slot);
    if (rc == SLOTS_OK) *out = handle_of(s, slot);
    store_unlock(s);
    return rc;
}

int store_key_slot(const slots_store *s, const value *key, uint32_t *slot) {
    const slots_type *t = s->type;
    if (t->key_field < 0 || !s->index) return err_set(SLOTS_ETYPE, "type '%s' has no key field", t->name);
    bool str_key = t->fields[t->key_field].kind == SLOTS_STR;
    if (str_key != (key->kind == SLOTS_STR))
        return err_set(SLOTS_ETYPE, "key of '%s' is %s", t->name, slots_kind_name(t->fields[t->key_field].kind));
    long found = index_find(s, s->index, key);
    if (found >= 0) return *slot = (uint32_t)found, SLOTS_OK;
    /* the key as Python's KeyError shows it; the exception's name is the binding's to add */
    if (str_key) return err_set(SLOTS_ENOKEY, "'%.*s'", (int)key->as.s.len, key->as.s.p);
    if (key->kind == SLOTS_U64) return err_set(SLOTS_ENOKEY, "%" PRIu64, key->as.u);
    return err_set(SLOTS_ENOKEY, "%" PRId64, key->as.i);
}

int slots_store_find_i64(const slots_store *s, int64_t key, slots_obj *out) {
    value k = {.kind = SLOTS_I64, .as.i = key};
    return find_key(s, &k, out);
}

int slots_store_find_u64(const slots_store *s, uint64_t key, slots_obj *out) {
    value k = {.kind = SLOTS_U64, .as.u = key};
    return find_key(s, &k, out);
}

int slots_store_find_str(const slots_store *s, const char *key, size_t len, slots_obj *out) {
    if (!key && len) return err_set(SLOTS_EINVAL, "key must not be NULL");
    value k = {.kind = SLOTS_STR, .as.s = {key ? key : "", len}};
    return find_key(s, &k, out);
}

/* Out-of-line text and extras of one record. */
static size_t record_extra_bytes(const slots_store *s, uint32_t slot) {
    recref r = {(slots_store *)s, s->type, store_slot_address(s, slot), slot, false};
    size_t bytes = 0, n;
    for (int i = 0; i < s->type->nfields; i++) {
        const field *f = &s->type->fields[i];
        if (f->kind == SLOTS_STR || f->kind == SLOTS_BYTES)
            bytes += str_slot_heap_bytes(r.rec + f->offset, (s->type->flags & SLOTS_CLAYOUT) != 0);
    }
    const extra_entry *e;
    if (extras_list(&r, &e, &n) != SLOTS_OK) n = 0; /* out of memory for the copy: counted as none */
    for (size_t i = 0; i < n; i++) {
        bytes += sizeof *e + strlen(e[i].name) + 1;
        if (e[i].v.kind == SLOTS_STR || e[i].v.kind == SLOTS_BYTES) bytes += e[i].v.as.s.len + 1;
    }
    return bytes;
}

int slots_store_memory(const slots_store *ref, size_t *bytes) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !bytes) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    size_t total = sizeof *s + index_bytes(s->index) + (size_t)s->positions_len * sizeof *s->positions;
    for (uint32_t k = 0; k < SLAB_COUNT && s->slabs[k]; k++) total += ((size_t)1 << (k + SLAB_FIRST_SHIFT)) * s->type->stride;
    for (uint32_t slot = 0; slot < s->used; slot++)
        if (store_slot_live(s, slot)) total += record_extra_bytes(s, slot);
    store_unlock(s);
    *bytes = total;
    return SLOTS_OK;
}
