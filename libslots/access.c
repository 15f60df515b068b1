/*
 * access.c — the public typed accessors: each resolves the handle, wraps or unwraps a value and
 * leaves every check to field_set()/field_get(), so all kinds share one set of rules.
 */
#include "records.h"

#include <inttypes.h>

static inline __attribute__((always_inline)) int set_value(slots_obj o, int i, const value *v) {
    recref r;
    if (__builtin_expect(!record_resolve_quiet(o, &r), 0)) return record_resolve(o, &r);
    return field_set(&r, i, v);
}

/* Reads field i; *f names the field for the caller's messages. */
static int get_value(slots_obj o, int i, value *v, const field **f, const slots_type **t, const void *out) {
    if (!out) return err_set(SLOTS_EINVAL, "output pointer must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) rc = field_get(&r, i, v);
    if (rc >= SLOTS_OK || rc == SLOTS_EUNSET) /* freed meanwhile? its bytes then say nothing */
        rc = record_resolve_quiet(o, &r) ? rc : record_resolve(o, &r);
    if (rc >= SLOTS_OK) *f = &r.type->fields[i], *t = r.type;
    return rc;
}

/* Field i of a live record, when it is of `kind` and holds a value, loaded whole into out: the fast
 * path of the hottest getters (true). Anything else takes the general path with its checks and
 * messages. The generation is read again after the load: a record freed meanwhile (its bytes may
 * hold the free list's link by then) falls to the general path, which finds it stale. */
static inline __attribute__((always_inline)) bool plain_load(slots_obj o, int i, int kind, void *out) {
    recref r;
    if (!record_resolve_quiet(o, &r) || (unsigned)i >= (unsigned)r.type->nfields) return false;
    const field *f = &r.type->fields[i];
    if (f->kind != kind || !rec_is_set(r.type, r.rec, i) || rec_is_null(r.type, r.rec, i)) return false;
    scalar_load(r.rec + f->offset, 8, out);
    return gen_load(r.type, r.rec) == handle_gen(o);
}

static int wrong_getter(const slots_type *t, const field *f, const char *want) {
    return err_set(SLOTS_ETYPE, "%s.%s is %s, not %s", t->name, f->name, slots_kind_name(f->kind), want);
}

int slots_set_bool(slots_obj o, int i, int v) {
    GUARDED;
    value x = {.kind = SLOTS_BOOL, .as.i = v != 0};
    return set_value(o, i, &x);
}
int slots_set_i64(slots_obj o, int i, int64_t v) {
    GUARDED;
    value x = {.kind = SLOTS_I64, .as.i = v};
    return set_value(o, i, &x);
}
int slots_set_u64(slots_obj o, int i, uint64_t v) {
    GUARDED;
    value x = {.kind = SLOTS_U64, .as.u = v};
    return set_value(o, i, &x);
}
int slots_set_f64(slots_obj o, int i, double v) {
    GUARDED;
    value x = {.kind = SLOTS_F64, .as.f = v};
    return set_value(o, i, &x);
}
int slots_set_str(slots_obj o, int i, const char *s, size_t len) {
    GUARDED;
    value x = {.kind = SLOTS_STR, .as.s = {s, len}};
    return set_value(o, i, &x);
}
int slots_set_bytes(slots_obj o, int i, const void *p, size_t len) {
    GUARDED;
    value x = {.kind = SLOTS_BYTES, .as.s = {p, len}};
    return set_value(o, i, &x);
}
int slots_set_ref(slots_obj o, int i, slots_obj target) {
    GUARDED;
    value x = {.kind = SLOTS_REF, .as.ref = target};
    return set_value(o, i, &x);
}
int slots_set_null(slots_obj o, int i) {
    GUARDED;
    value x = {.kind = VAL_NULL};
    return set_value(o, i, &x);
}

/* A textual kind's native value as the getter of `want` hands it out (slots.h's table of kinds):
 * its text for get_str, a uuid's 16 bytes for get_bytes, a timestamp's or date's number for
 * get_i64; SLOTS_ETYPE for any other getter, SLOTS_ENOMEM. */
static int textual_as(const field *f, value *v, int want) {
    if (want == SLOTS_STR) return textual_text(f, v, v, NULL);
    if (want == SLOTS_BYTES && v->kind == SLOTS_UUID) {
        const char *p = arena_copy((const char *)v->as.b16, 16);
        if (!p) return err_nomem();
        v->kind = SLOTS_BYTES, v->as.s.p = p, v->as.s.len = 16;
        return SLOTS_OK;
    }
    if (want == SLOTS_I64 && (v->kind == SLOTS_TIMESTAMP || v->kind == SLOTS_DATE)) return v->kind = SLOTS_I64, SLOTS_OK;
    return SLOTS_ETYPE;
}

/* Reads field i for the getter of `want`: SLOTS_OK, SLOTS_NULL, or an error naming the field. */
static int get_as(slots_obj o, int i, const void *out, int want, value *v) {
    const field *f = NULL;
    const slots_type *t = NULL;
    int rc = get_value(o, i, v, &f, &t, out);
    if (rc != SLOTS_OK) return rc;
    if (kind_is_textual(v->kind)) return (rc = textual_as(f, v, want)) == SLOTS_ETYPE ? wrong_getter(t, f, getter_name(want)) : rc;
    if ((rc = value_as(v, want)) == SLOTS_ETYPE) return wrong_getter(t, f, getter_name(want));
    if (rc == SLOTS_ERANGE) {
        char text[24];
        value_int_text(v, text);
        return err_set(rc, "value %s of field '%s' out of range for %s", text, f->name, slots_kind_name(want));
    }
    return SLOTS_OK;
}

int slots_get_bool(slots_obj o, int i, int *out) {
    GUARDED;
    value v;
    int rc = get_as(o, i, out, SLOTS_BOOL, &v);
    if (rc == SLOTS_OK) *out = (int)v.as.i;
    return rc;
}

int slots_get_i64(slots_obj o, int i, int64_t *out) {
    GUARDED;
    if (out && plain_load(o, i, SLOTS_I64, out)) return SLOTS_OK;
    value v;
    int rc = get_as(o, i, out, SLOTS_I64, &v);
    if (rc == SLOTS_OK) *out = v.as.i;
    return rc;
}

int slots_get_u64(slots_obj o, int i, uint64_t *out) {
    GUARDED;
    value v;
    int rc = get_as(o, i, out, SLOTS_U64, &v);
    if (rc == SLOTS_OK) *out = v.as.u;
    return rc;
}

int slots_get_f64(slots_obj o, int i, double *out) {
    GUARDED;
    if (out && plain_load(o, i, SLOTS_F64, out)) return SLOTS_OK;
    value v;
    int rc = get_as(o, i, out, SLOTS_F64, &v);
    if (rc == SLOTS_OK) *out = v.as.f;
    return rc;
}

static int get_text(slots_obj o, int i, int kind, const char **p, size_t *len) {
    if (!len) return err_set(SLOTS_EINVAL, "length pointer must not be NULL");
    value v;
    int rc = get_as(o, i, p, kind, &v);
    if (rc == SLOTS_OK) *p = v.as.s.p, *len = v.as.s.len;
    return rc;
}

int slots_get_str(slots_obj o, int i, const char **s, size_t *len) {
    GUARDED;
    return get_text(o, i, SLOTS_STR, s, len);
}

int slots_get_bytes(slots_obj o, int i, const void **p, size_t *len) {
    GUARDED;
    const char *s = NULL;
    int rc = get_text(o, i, SLOTS_BYTES, p ? &s : NULL, len);
    if (rc == SLOTS_OK) *p = s;
    return rc;
}

int slots_get_ref(slots_obj o, int i, slots_obj *out) {
    GUARDED;
    value v;
    int rc = get_as(o, i, out, SLOTS_REF, &v);
    if (rc == SLOTS_OK) *out = v.as.ref;
    return rc;
}

int slots_del(slots_obj o, int i) {
    GUARDED;
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) rc = field_check_index(r.type, i);
    if (rc != SLOTS_OK) return rc;
    const field *f = &r.type->fields[i];
    if (!rec_is_set(r.type, r.rec, i)) return err_set(SLOTS_EUNSET, "'%s' object has no attribute '%s'", r.type->name, f->name);
    if (f->flags & SLOTS_FIELD_READONLY) return err_set(SLOTS_EREADONLY, "cannot delete field '%s'", f->name);
    field_clear(&r, i);
    return SLOTS_OK;
}

int slots_is_set(slots_obj o, int i) {
    GUARDED;
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) rc = field_check_index(r.type, i);
    return rc != SLOTS_OK ? rc : rec_is_set(r.type, r.rec, i);
}
