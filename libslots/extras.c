/*
 * extras.c — undeclared attributes of SLOTS_DYNAMIC records (Python's __dict__ beside __slots__).
 * They live outside the record, in a per-store map from slot to a small list, so records that never
 * use one pay nothing. The store's lock guards the map and the lists: other threads may be setting
 * extras of the same or other records, so readers copy what they read (into the thread's arena)
 * under the lock. A record with many extras (a wide CSV row of a dynamic type) gets a hash index
 * of its names, so setting n extras costs O(n), not O(n^2).
 */
#include "records.h"

#include <inttypes.h>

#define INDEX_MIN 16 /* entries from which a list has a name index (below it, a scan is cheaper) */

typedef struct extras {
    size_t n, cap;
    extra_entry *e;
    uint32_t *slots; /* open addressing: entry + 1 by name hash, at most half full; or NULL */
    size_t nslots;
} extras;

static size_t *account(const recref *r) { return &((slots_type *)r->type)->mem_extras; }

static void value_release(value *v, size_t *acct) {
    if (v->kind == SLOTS_STR || v->kind == SLOTS_BYTES) mem_free((char *)v->as.s.p, v->as.s.len + 1, acct);
    v->kind = VAL_NULL;
}

/* A copy of v whose text is owned (NUL-terminated) and charged to acct. */
static int value_dup(const value *v, value *out, size_t *acct) {
    *out = *v;
    if (v->kind != SLOTS_STR && v->kind != SLOTS_BYTES) return SLOTS_OK;
    out->as.s.p = mem_strdup(v->as.s.p ? v->as.s.p : "", v->as.s.len, acct);
    return out->as.s.p ? SLOTS_OK : err_nomem();
}

static void extras_destroy(extras *x, size_t *acct) {
    for (size_t i = 0; i < x->n; i++) {
        mem_free(x->e[i].name, strlen(x->e[i].name) + 1, acct);
        value_release(&x->e[i].v, acct);
    }
    mem_free(x->e, x->cap * sizeof *x->e, acct);
    if (x->slots) mem_free(x->slots, x->nslots * sizeof *x->slots, acct);
    mem_free(x, sizeof *x, acct);
}

/* ---- the name index ------------------------------------------------------------------------- */
static size_t name_home(const extras *x, const char *name, size_t len) {
    return (size_t)hash_bytes(name, len, 13) & (x->nslots - 1);
}

static bool name_is(const extra_entry *e, const char *name, size_t len) {
    return strncmp(e->name, name, len) == 0 && e->name[len] == '\0';
}

static void index_put(extras *x, uint32_t i) {
    const char *name = x->e[i].name;
    size_t at = name_home(x, name, strlen(name));
    while (x->slots[at]) at = (at + 1) & (x->nslots - 1);
    x->slots[at] = i + 1;
}

/* Builds the index for the list as it is now, sized for `want` entries; without memory the list
 * simply has none (lookups scan: slower, never wrong). */
static void index_rebuild(extras *x, size_t want, size_t *acct) {
    if (x->slots) mem_free(x->slots, x->nslots * sizeof *x->slots, acct), x->slots = NULL, x->nslots = 0;
    if (want < INDEX_MIN) return;
    size_t n = 32;
    while (n < 2 * want) n *= 2;
    if (!(x->slots = mem_calloc(n * sizeof *x->slots, acct))) return;
    x->nslots = n;
    for (uint32_t i = 0; i < x->n; i++) index_put(x, i);
}

/* After entry x->n - 1 was appended. */
static void names_added(extras *x, size_t *acct) {
    if (x->n < INDEX_MIN) return;
    if (!x->slots || 2 * x->n > x->nslots) index_rebuild(x, x->n, acct);
    else index_put(x, (uint32_t)(x->n - 1));
}

static extras *lookup(const recref *r) { return map_get(r->store->extras, (uint64_t)r->index + 1); }

static long find(const extras *x, const char *name, size_t len) {
    if (x && x->slots) {
        for (size_t at = name_home(x, name, len); x->slots[at]; at = (at + 1) & (x->nslots - 1))
            if (name_is(&x->e[x->slots[at] - 1], name, len)) return (long)x->slots[at] - 1;
        return -1;
    }
    for (size_t i = 0; x && i < x->n; i++)
        if (name_is(&x->e[i], name, len)) return (long)i;
    return -1;
}

static int check_name(const recref *r, const char *name, size_t len) {
    if (!name) return err_set(SLOTS_EINVAL, "attribute name must not be NULL");
    if (!(r->type->flags & SLOTS_DYNAMIC)) return err_no_attr(r->type, name, len);
    if (!len || memchr(name, '\0', len) || utf8_check(name, len) != SIZE_MAX)
        return err_set(SLOTS_EINVAL, "invalid attribute name for '%s'", r->type->name);
    if (type_find_field(r->type, name, len) >= 0)
        return err_set(SLOTS_EINVAL, "'%.*s' is a field of '%s', not an extra attribute", (int)len, name, r->type->name);
    return SLOTS_OK;
}

static int check_value(const recref *r, const value *v) {
    recref target;
    if ((v->kind == SLOTS_STR || v->kind == SLOTS_BYTES) && v->as.s.len && !v->as.s.p)
        return err_set(SLOTS_EINVAL, "NULL pointer with a nonzero length");
    if (v->kind == SLOTS_STR && utf8_check(v->as.s.p, v->as.s.len) != SIZE_MAX)
        return err_set(SLOTS_EINVAL, "invalid UTF-8 in value for attribute of '%s'", r->type->name);
    if (v->kind == SLOTS_REF && record_resolve(v->as.ref, &target) != SLOTS_OK) return SLOTS_ESTALE;
    return SLOTS_OK;
}

/* Called with the store locked: the record's list, created empty when absent. */
static extras *list_for_update(const recref *r) {
    extras *x = lookup(r);
    if (x) return x;
    if (!r->store->extras && !(r->store->extras = map_new(account(r)))) return NULL;
    if (!(x = mem_calloc(sizeof *x, account(r)))) return NULL;
    if (map_put(r->store->extras, (uint64_t)r->index + 1, x) != SLOTS_OK) {
        mem_free(x, sizeof *x, account(r));
        return NULL;
    }
    return x;
}

/* Called with the store locked: after a failed first set, nothing of it stays. */
static void drop_if_empty(const recref *r) {
    extras *x = lookup(r);
    if (x && !x->n) extras_destroy(map_remove(r->store->extras, (uint64_t)r->index + 1), account(r));
    if (r->store->extras && !map_count(r->store->extras)) map_free(r->store->extras), r->store->extras = NULL;
}

/* Called with the store locked: puts the owned value under `name`. */
static int put_locked(const recref *r, const char *name, size_t len, value *owned) {
    extras *x = list_for_update(r);
    if (!x) return err_nomem();
    long at = find(x, name, len);
    if (at >= 0 && (r->type->flags & SLOTS_FROZEN)) /* frozen: set once, like a readonly field */
        return err_set(SLOTS_EREADONLY, "cannot assign to field '%.*s'", (int)len, name);
    if (at >= 0) {
        value_release(&x->e[at].v, account(r));
        x->e[at].v = *owned;
        return SLOTS_OK;
    }
    char *copy = mem_strdup(name, len, account(r)); /* first: a grown array is kept, a name is not */
    if (!copy) return err_nomem();
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4;
        extra_entry *e = mem_realloc(x->e, x->cap * sizeof *e, cap * sizeof *e, account(r));
        if (!e) {
            mem_free(copy, len + 1, account(r));
            return err_nomem();
        }
        x->e = e, x->cap = cap;
    }
    x->e[x->n++] = (extra_entry){copy, *owned};
    names_added(x, account(r));
    return SLOTS_OK;
}

int extra_set(const recref *r, const char *name, size_t len, const value *v) {
    int rc = check_name(r, name, len);
    if (rc == SLOTS_OK) rc = check_value(r, v);
    value owned;
    if (rc != SLOTS_OK || (rc = value_dup(v, &owned, account(r))) != SLOTS_OK) return rc;
    pthread_mutex_lock(&r->store->lock);
    rc = put_locked(r, name, len, &owned);
    if (rc != SLOTS_OK) drop_if_empty(r);
    pthread_mutex_unlock(&r->store->lock);
    if (rc != SLOTS_OK) value_release(&owned, account(r));
    return rc;
}

void extras_release(const recref *r) {
    extras *x = r->store->extras ? map_remove(r->store->extras, (uint64_t)r->index + 1) : NULL;
    if (x) extras_destroy(x, account(r));
    drop_if_empty(r);
}

int extras_reserve(const recref *to) {
    map *m = to->store->extras;
    if (!m && !(m = to->store->extras = map_new(account(to)))) return err_nomem();
    if (map_get(m, (uint64_t)to->index + 1)) return SLOTS_OK;
    return map_put(m, (uint64_t)to->index + 1, NULL) == SLOTS_OK ? SLOTS_OK : err_nomem(); /* a place, no list */
}

void extras_move(const recref *from, const recref *to) {
    extras *x = from->store->extras ? map_remove(from->store->extras, (uint64_t)from->index + 1) : NULL;
    extras *old = to->store->extras ? map_get(to->store->extras, (uint64_t)to->index + 1) : NULL;
    if (old) extras_destroy(old, account(to));
    /* The place stays (a NULL list is no extras), so a later move into `to` finds it reserved: it
     * replaces, never grows. */
    if (x || old) map_put(to->store->extras, (uint64_t)to->index + 1, x);
}

/* Called with the store locked: entry e with its name and text copied into the arena. */
static int entry_copy(const extra_entry *e, extra_entry *out) {
    *out = *e;
    bool text = e->v.kind == SLOTS_STR || e->v.kind == SLOTS_BYTES;
    out->name = (char *)arena_copy(e->name, strlen(e->name));
    if (out->name && text) out->v.as.s.p = arena_copy(e->v.as.s.p, e->v.as.s.len);
    return out->name && (!text || out->v.as.s.p) ? SLOTS_OK : SLOTS_ENOMEM;
}

int extras_list(const recref *r, const extra_entry **out, size_t *n) {
    int rc = SLOTS_OK;
    extra_entry *copy = NULL;
    pthread_mutex_lock(&r->store->lock);
    extras *x = lookup(r);
    *n = x ? x->n : 0;
    if (*n && !(copy = arena_take(*n * sizeof *copy))) rc = SLOTS_ENOMEM;
    for (size_t i = 0; rc == SLOTS_OK && i < *n; i++) rc = entry_copy(&x->e[i], &copy[i]);
    pthread_mutex_unlock(&r->store->lock);
    *out = copy;
    return rc == SLOTS_OK ? rc : err_nomem();
}

int extras_copy(const recref *from, const recref *to) {
    size_t n;
    const extra_entry *e;
    int rc = extras_list(from, &e, &n);
    for (size_t i = 0; rc == SLOTS_OK && i < n; i++) {
        rc = extra_set(to, e[i].name, strlen(e[i].name), &e[i].v); /* on failure the caller frees `to` */
    }
    return rc;
}

/* ---- public API --------------------------------------------------------------------------- */

static int set_extra(slots_obj o, const char *name, const value *v) {
    recref r;
    int rc = record_resolve(o, &r);
    return rc != SLOTS_OK ? rc : extra_set(&r, name, name ? strlen(name) : 0, v);
}

int slots_extra_set_bool(slots_obj o, const char *name, int v) {
    GUARDED;
    value x = {.kind = SLOTS_BOOL, .as.i = v != 0};
    return set_extra(o, name, &x);
}
int slots_extra_set_i64(slots_obj o, const char *name, int64_t v) {
    GUARDED;
    value x = {.kind = SLOTS_I64, .as.i = v};
    return set_extra(o, name, &x);
}
int slots_extra_set_u64(slots_obj o, const char *name, uint64_t v) {
    GUARDED;
    value x = {.kind = SLOTS_U64, .as.u = v};
    return set_extra(o, name, &x);
}
int slots_extra_set_f64(slots_obj o, const char *name, double v) {
    GUARDED;
    value x = {.kind = SLOTS_F64, .as.f = v};
    return set_extra(o, name, &x);
}
int slots_extra_set_str(slots_obj o, const char *name, const char *s, size_t len) {
    GUARDED;
    value x = {.kind = SLOTS_STR, .as.s = {s, len}};
    return set_extra(o, name, &x);
}
int slots_extra_set_bytes(slots_obj o, const char *name, const void *p, size_t len) {
    GUARDED;
    value x = {.kind = SLOTS_BYTES, .as.s = {p, len}};
    return set_extra(o, name, &x);
}
int slots_extra_set_ref(slots_obj o, const char *name, slots_obj target) {
    GUARDED;
    value x = {.kind = SLOTS_REF, .as.ref = target};
    return set_extra(o, name, &x);
}
int slots_extra_set_null(slots_obj o, const char *name) {
    GUARDED;
    value x = {.kind = VAL_NULL};
    return set_extra(o, name, &x);
}

/* Finds extra `name` of record o: SLOTS_OK with *v (text pointing into the entry), or an error. */
static int get_extra(slots_obj o, const char *name, value *v, const void *out) {
    if (!out) return err_set(SLOTS_EINVAL, "output pointer must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    size_t len = name ? strlen(name) : 0;
    if ((rc = check_name(&r, name, len)) != SLOTS_OK) return rc;
    extra_entry got;
    pthread_mutex_lock(&r.store->lock);
    extras *x = lookup(&r);
    long at = find(x, name, len);
    if (at >= 0) rc = entry_copy(&x->e[at], &got); /* a copy: another thread may set it next */
    pthread_mutex_unlock(&r.store->lock);
    if (at < 0) return err_no_attr(r.type, name, len);
    if (rc != SLOTS_OK) return err_nomem();
    *v = got.v;
    return SLOTS_OK;
}

int slots_extra_kind(slots_obj o, const char *name, int *kind) {
    GUARDED;
    value v;
    int rc = get_extra(o, name, &v, kind);
    if (rc == SLOTS_OK) *kind = v.kind;
    return rc;
}

/* Fetches extra `name` for the getter of `want`: SLOTS_OK, SLOTS_NULL, or an error naming it. */
static int get_as(slots_obj o, const char *name, value *v, const void *out, int want) {
    int rc = get_extra(o, name, v, out);
    if (rc != SLOTS_OK) return rc;
    if (v->kind == VAL_NULL) return SLOTS_NULL;
    if ((rc = value_as(v, want)) == SLOTS_ETYPE)
        return err_set(rc, "attribute '%s' holds %s, not %s", name, slots_kind_name(v->kind), getter_name(want));
    if (rc == SLOTS_ERANGE) {
        char text[24];
        value_int_text(v, text);
        return err_set(rc, "value %s of attribute '%s' out of range for %s", text, name, slots_kind_name(want));
    }
    return SLOTS_OK;
}

int slots_extra_get_bool(slots_obj o, const char *name, int *out) {
    GUARDED;
    value v;
    int rc = get_as(o, name, &v, out, SLOTS_BOOL);
    if (rc == SLOTS_OK) *out = (int)v.as.i;
    return rc;
}

int slots_extra_get_i64(slots_obj o, const char *name, int64_t *out) {
    GUARDED;
    value v;
    int rc = get_as(o, name, &v, out, SLOTS_I64);
    if (rc == SLOTS_OK) *out = v.as.i;
    return rc;
}

int slots_extra_get_u64(slots_obj o, const char *name, uint64_t *out) {
    GUARDED;
    value v;
    int rc = get_as(o, name, &v, out, SLOTS_U64);
    if (rc == SLOTS_OK) *out = v.as.u;
    return rc;
}

int slots_extra_get_f64(slots_obj o, const char *name, double *out) {
    GUARDED;
    value v;
    int rc = get_as(o, name, &v, out, SLOTS_F64);
    if (rc == SLOTS_OK) *out = v.as.f;
    return rc;
}

static int get_text(slots_obj o, const char *name, int kind, const char **p, size_t *len) {
    value v;
    if (!len) return err_set(SLOTS_EINVAL, "length pointer must not be NULL");
    int rc = get_as(o, name, &v, p, kind);
    if (rc == SLOTS_OK) *p = v.as.s.p, *len = v.as.s.len;
    return rc;
}

int slots_extra_get_str(slots_obj o, const char *name, const char **s, size_t *len) {
    GUARDED;
    return get_text(o, name, SLOTS_STR, s, len);
}

int slots_extra_get_bytes(slots_obj o, const char *name, const void **p, size_t *len) {
    GUARDED;
    const char *s = NULL;
    int rc = get_text(o, name, SLOTS_BYTES, p ? &s : NULL, len);
    if (rc == SLOTS_OK) *p = s;
    return rc;
}

int slots_extra_get_ref(slots_obj o, const char *name, slots_obj *out) {
    GUARDED;
    value v;
    int rc = get_as(o, name, &v, out, SLOTS_REF);
    if (rc == SLOTS_OK) *out = v.as.ref;
    return rc;
}

int slots_extra_del(slots_obj o, const char *name) {
    GUARDED;
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) rc = check_name(&r, name, name ? strlen(name) : 0);
    if (rc == SLOTS_OK && (r.type->flags & SLOTS_FROZEN)) rc = err_set(SLOTS_EREADONLY, "cannot delete field '%s'", name);
    if (rc != SLOTS_OK) return rc;
    pthread_mutex_lock(&r.store->lock);
    extras *x = lookup(&r);
    long at = find(x, name, strlen(name));
    if (at >= 0) {
        mem_free(x->e[at].name, strlen(x->e[at].name) + 1, account(&r));
        value_release(&x->e[at].v, account(&r));
        memmove(&x->e[at], &x->e[at + 1], (x->n - (size_t)at - 1) * sizeof *x->e); /* keeps insertion order */
        x->n--;
        if (x->slots) index_rebuild(x, x->n, account(&r)); /* positions moved */
    }
    pthread_mutex_unlock(&r.store->lock);
    return at >= 0 ? SLOTS_OK : err_no_attr(r.type, name, strlen(name));
}

int slots_extra_count(slots_obj o, size_t *n) {
    GUARDED;
    if (!n) return err_set(SLOTS_EINVAL, "output pointer must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    pthread_mutex_lock(&r.store->lock);
    extras *x = lookup(&r);
    *n = x ? x->n : 0;
    pthread_mutex_unlock(&r.store->lock);
    return SLOTS_OK;
}

int slots_extra_name(slots_obj o, size_t i, const char **name) {
    GUARDED;
    if (!name) return err_set(SLOTS_EINVAL, "output pointer must not be NULL");
    recref r;
    size_t n;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    pthread_mutex_lock(&r.store->lock);
    extras *x = lookup(&r);
    n = x ? x->n : 0;
    const char *copy = i < n ? arena_copy(x->e[i].name, strlen(x->e[i].name)) : NULL;
    pthread_mutex_unlock(&r.store->lock);
    if (i >= n) return err_set(SLOTS_EINDEX, "extra attribute index %zu out of range (%zu)", i, n);
    if (!copy) return err_nomem();
    *name = copy;
    return SLOTS_OK;
}
