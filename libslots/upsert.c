/*
 * upsert.c — cache operations by key: put a copy of a record into a store, replacing the record
 * that holds its key in place (its handle stays valid) or appending it; replace only; remove by
 * key. The move of a whole record's contents, which the loads' upserts share (stage.c), is here.
 */
#include "records.h"

#include <inttypes.h>

bool type_replaceable(const slots_type *t) {
    if (t->flags & SLOTS_FROZEN) return false;
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].flags & SLOTS_FIELD_READONLY) return false;
    return true;
}

void record_move(const recref *from, const recref *to) {
    for (int i = 0; i < from->type->nfields; i++) field_move_raw(from, to, i);
    if (from->store->extras || to->store->extras) extras_move(from, to);
}

/* The key of record r as a value (text copied into the arena: r may be another thread's). */
static int key_of(const recref *r, value *key) {
    const slots_type *t = r->type;
    if (t->key_field < 0) return err_set(SLOTS_ETYPE, "type '%s' has no key field", t->name);
    int rc = field_get(r, t->key_field, key);
    return rc == SLOTS_NULL ? err_set(SLOTS_ETYPE, "the key of a '%s' record is null", t->name) : rc;
}

/* A private copy of rec (a blank record of its type's default store, which no other thread
 * knows of), to move into the store once every allocation has been made. */
static int private_copy(const recref *from, recref *tmp) {
    slots_store *d;
    slots_obj h;
    int rc = type_default_store(from->type, &d);
    if (rc == SLOTS_OK) rc = store_alloc_record(d, tmp, &h);
    if (rc != SLOTS_OK) return rc;
    if ((rc = record_copy_fields(from, tmp)) != SLOTS_OK) store_release_record(d, tmp);
    return rc;
}

/* Called with s locked: a fresh record of s for the copy, with room for its key and extras. */
static int reserve_new(slots_store *s, const recref *tmp, recref *r, slots_obj *h) {
    int rc = index_reserve(s, s->index, 1);
    if (rc == SLOTS_OK) rc = store_alloc_record(s, r, h);
    if (rc == SLOTS_OK && tmp->store->extras && (rc = extras_reserve(r)) != SLOTS_OK) store_release_record(s, r);
    return rc;
}

/* Called with s locked: the copy moves into the reserved record r and its key is indexed. */
static void fill_new(slots_store *s, const recref *tmp, const recref *r) {
    record_move(tmp, r);
    index_insert(s, s->index, r->index);
}

/* Called with s locked: the copy replaces the record at `slot`, or (slot < 0) is appended. In
 * place; or, for a type whose records must not change (readonly, frozen), by adding the copy and
 * freeing the old record, whose handles then go stale. */
static int put_moved(slots_store *s, long slot, const recref *tmp, slots_obj *out) {
    recref old = {s, s->type, slot >= 0 ? store_slot_address(s, (uint32_t)slot) : NULL, (uint32_t)slot, false}, r;
    slots_obj h;
    if (slot >= 0 && type_replaceable(s->type)) {
        int rc = tmp->store->extras ? extras_reserve(&old) : SLOTS_OK;
        if (rc != SLOTS_OK) return rc;
        record_move(tmp, &old);
        if (out) *out = recref_handle(&old);
        return SLOTS_OK;
    }
    int rc = reserve_new(s, tmp, &r, &h); /* every allocation before the old record goes */
    if (rc != SLOTS_OK) return rc;
    if (slot >= 0) store_release_record(s, &old); /* its key leaves the index: no collision */
    fill_new(s, tmp, &r);
    if (out) *out = h;
    return SLOTS_OK;
}

/* upsert (append allowed) or replace (the key must be there). */
static int put_by_key(slots_store *ref, slots_obj rec, bool may_append, slots_obj *out) {
    GUARDED;
    slots_store *s;
    recref from, tmp;
    value key;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK) rc = record_resolve(rec, &from);
    if (rc == SLOTS_OK && from.type != s->type)
        rc = err_set(SLOTS_ETYPE, "a '%s' record cannot go into a store of '%s'", from.type->name, s->type->name);
    if (rc == SLOTS_OK) rc = key_of(&from, &key);
    if (rc != SLOTS_OK) return rc;
    if (from.store == s) { /* it holds its own key: nothing to put */
        if (out) *out = rec;
        return SLOTS_OK;
    }
    if ((rc = private_copy(&from, &tmp)) != SLOTS_OK) return rc;
    if ((rc = store_lock_live(s)) == SLOTS_OK) {
        uint32_t slot;
        rc = store_key_slot(s, &key, &slot);
        if (rc == SLOTS_OK) rc = put_moved(s, (long)slot, &tmp, out);
        else if (rc == SLOTS_ENOKEY && may_append) rc = put_moved(s, -1, &tmp, out);
        store_unlock(s);
    }
    store_release_record(tmp.store, &tmp); /* what was not moved (all of it, on failure) */
    return rc;
}

int slots_store_upsert(slots_store *s, slots_obj rec, slots_obj *out) { return put_by_key(s, rec, true, out); }

int slots_store_replace(slots_store *s, slots_obj rec, slots_obj *out) { return put_by_key(s, rec, false, out); }

static int remove_key(slots_store *ref, const value *key) {
    GUARDED;
    slots_store *s;
    int rc = store_open_for_change(ref, &s);
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    uint32_t slot;
    rc = store_key_slot(s, key, &slot);
    if (rc == SLOTS_OK) store_release_record(s, &(recref){s, s->type, store_slot_address(s, slot), slot, false});
    store_unlock(s);
    return rc;
}

int slots_store_remove_key_i64(slots_store *s, int64_t key) {
    value k = {.kind = SLOTS_I64, .as.i = key};
    return remove_key(s, &k);
}

int slots_store_remove_key_u64(slots_store *s, uint64_t key) {
    value k = {.kind = SLOTS_U64, .as.u = key};
    return remove_key(s, &k);
}

int slots_store_remove_key_str(slots_store *s, const char *key, size_t len) {
    if (!key && len) return err_set(SLOTS_EINVAL, "key must not be NULL");
    value k = {.kind = SLOTS_STR, .as.s = {key ? key : "", len}};
    return remove_key(s, &k);
}
