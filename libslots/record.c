/*
 * record.c — a record's life and its comparisons: create (with or without defaults), free, type
 * queries, deep copy, equality, ordering and hashing, all with dataclass semantics.
 */
#include "records.h"

#include <math.h>

static int new_record(const slots_type *t, slots_obj *out, recref *r) {
    if (registry_check_type(t) != SLOTS_OK) return SLOTS_EINVAL;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    slots_store *s;
    int rc = type_default_store(t, &s);
    return rc != SLOTS_OK ? rc : store_alloc_record(s, r, out);
}

/* Sets each unset defaulted field; on failure clears those it set, so nothing has changed. */
int fill_defaults(const recref *r) {
    const slots_type *t = r->type;
    int i, rc = SLOTS_OK;
    bool filled[MAX_FIELDS];
    for (i = 0; i < t->nfields && rc == SLOTS_OK; i++) {
        const field *f = &t->fields[i];
        filled[i] = (f->flags & SLOTS_FIELD_HAS_DEFAULT) && !rec_is_set(t, r->rec, i);
        if (filled[i]) rc = field_set(r, i, &f->def);
    }
    while (rc != SLOTS_OK && i-- > 0)
        if (filled[i] && rec_is_set(t, r->rec, i)) field_clear(r, i);
    return rc;
}

int slots_new_blank(const slots_type *t, slots_obj *out) {
    GUARDED;
    recref r;
    return new_record(t, out, &r);
}

int slots_new(const slots_type *t, slots_obj *out) {
    GUARDED;
    recref r;
    slots_obj h;
    int rc = out ? new_record(t, &h, &r) : err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc != SLOTS_OK) return rc;
    if ((rc = fill_defaults(&r)) != SLOTS_OK) {
        store_release_record(r.store, &r);
        return rc;
    }
    *out = h;
    return SLOTS_OK;
}

int slots_fill_defaults(slots_obj o) {
    GUARDED;
    recref r;
    int rc = record_resolve(o, &r);
    return rc != SLOTS_OK ? rc : fill_defaults(&r);
}

int slots_free(slots_obj o) {
    GUARDED;
    return store_free_handle(o);
}

int slots_type_of(slots_obj o, const slots_type **out) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) *out = r.type;
    return rc;
}

int slots_isinstance(slots_obj o, const slots_type *t) {
    GUARDED;
    recref r;
    if (registry_check_type(t) != SLOTS_OK) return SLOTS_EINVAL;
    int rc = record_resolve(o, &r);
    return rc != SLOTS_OK ? rc : type_is_subtype(r.type, t);
}

/* Copies the fields of `from` into the blank record `to` of the same type: text is duplicated,
 * everything else (refs included, even stale ones) is copied as bytes. */
int record_copy_fields(const recref *from, const recref *to) {
    for (int i = 0; i < from->type->nfields; i++) {
        int kind = from->type->fields[i].kind;
        value v;
        if (!rec_is_set(from->type, from->rec, i)) continue;
        if ((kind != SLOTS_STR && kind != SLOTS_BYTES) || field_get(from, i, &v) == SLOTS_NULL) {
            field_copy_raw(from, to, i);
            continue;
        }
        int rc = field_set(to, i, &v);
        if (rc != SLOTS_OK) return rc;
    }
    return extras_copy(from, to);
}

int slots_copy(slots_obj o, slots_obj *out) {
    GUARDED;
    recref from, to;
    slots_obj h;
    int rc = record_resolve(o, &from);
    if (rc == SLOTS_OK) rc = new_record(from.type, out ? &h : NULL, &to);
    if (rc != SLOTS_OK) return rc;
    if ((rc = record_copy_fields(&from, &to)) != SLOTS_OK) {
        store_release_record(to.store, &to);
        return rc;
    }
    *out = h;
    return SLOTS_OK;
}

/* Compares field i of two records of one type: <0, 0, >0, or 2 when unordered (NaN). */
static int compare_values(const value *a, const value *b) {
    switch (a->kind) {
    case SLOTS_F64:
        if (isnan(a->as.f) || isnan(b->as.f)) return 2;
        return (a->as.f > b->as.f) - (a->as.f < b->as.f);
    case SLOTS_U64: return (a->as.u > b->as.u) - (a->as.u < b->as.u);
    case SLOTS_STR:
    case SLOTS_BYTES: {
        size_t n = a->as.s.len < b->as.s.len ? a->as.s.len : b->as.s.len;
        int c = n ? memcmp(a->as.s.p, b->as.s.p, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return (a->as.s.len > b->as.s.len) - (a->as.s.len < b->as.s.len);
    }
    case SLOTS_REF: return (a->as.ref > b->as.ref) - (a->as.ref < b->as.ref);
    case SLOTS_UUID:
    case SLOTS_DECIMAL: return textual_compare(a, b);
    default: return (a->as.i > b->as.i) - (a->as.i < b->as.i);
    }
}

static int resolve_pair(slots_obj a, slots_obj b, recref *ra, recref *rb) {
    int rc = record_resolve(a, ra);
    return rc != SLOTS_OK ? rc : record_resolve(b, rb);
}

int slots_equal(slots_obj a, slots_obj b) {
    GUARDED;
    recref ra, rb;
    int rc = resolve_pair(a, b, &ra, &rb);
    if (rc != SLOTS_OK) return rc;
    if (ra.type != rb.type) return 0;
    for (int i = 0; i < ra.type->nfields; i++) {
        value va, vb;
        bool sa = rec_is_set(ra.type, ra.rec, i), sb = rec_is_set(rb.type, rb.rec, i);
        if (sa != sb) return 0;
        if (!sa) continue;
        int na = field_get(&ra, i, &va), nb = field_get(&rb, i, &vb);
        if (na != nb) return 0;
        if (na == SLOTS_OK && compare_values(&va, &vb) != 0) return 0;
    }
    return 1;
}

int slots_compare(slots_obj a, slots_obj b, int *out) {
    GUARDED;
    recref ra, rb;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    int rc = resolve_pair(a, b, &ra, &rb);
    if (rc != SLOTS_OK) return rc;
    if (ra.type != rb.type)
        return err_set(SLOTS_ETYPE, "'<' not supported between instances of '%s' and '%s'", ra.type->name, rb.type->name);
    int result = 0;
    for (int i = 0; i < ra.type->nfields && result == 0; i++) {
        value va, vb;
        int na = field_get(&ra, i, &va);
        int nb = na < SLOTS_OK ? na : field_get(&rb, i, &vb);
        if (nb < SLOTS_OK) return nb;
        if (na != nb)
            return err_set(SLOTS_ETYPE, "'<' not supported between instances of '%s' and '%s'",
                           na == SLOTS_NULL ? "NoneType" : slots_kind_name(ra.type->fields[i].kind),
                           nb == SLOTS_NULL ? "NoneType" : slots_kind_name(ra.type->fields[i].kind));
        result = na == SLOTS_NULL ? 0 : compare_values(&va, &vb);
        if (result == 2) result = 0; /* NaN: unordered either way, as in Python */
    }
    *out = result;
    return SLOTS_OK;
}

static uint64_t hash_value(const value *v, uint64_t h) {
    switch (v->kind) {
    case SLOTS_STR:
    case SLOTS_BYTES: return hash_bytes(v->as.s.p, v->as.s.len, h);
    case SLOTS_F64: {
        double d = v->as.f == 0.0 ? 0.0 : v->as.f; /* -0.0 == 0.0, so they hash alike */
        return hash_bytes(&d, sizeof d, h);
    }
    case SLOTS_UUID:
    case SLOTS_DECIMAL: return hash_bytes(v->as.b16, sizeof v->as.b16, h);
    default: return hash_bytes(&v->as, sizeof v->as.u, h);
    }
}

int slots_hash(slots_obj o, uint64_t *out) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    uint64_t h = hash_bytes(r.type->name, strlen(r.type->name), 0);
    for (int i = 0; i < r.type->nfields; i++) {
        value v;
        int state = rec_is_set(r.type, r.rec, i) ? field_get(&r, i, &v) : SLOTS_EUNSET;
        h = hash_bytes(&state, sizeof state, h);
        if (state == SLOTS_OK) h = hash_value(&v, h);
    }
    *out = h;
    return SLOTS_OK;
}
