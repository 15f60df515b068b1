/*
 * value.c — whether a value may go into a field: kind, range, UTF-8, null and ref target checks,
 * with the messages a Python user expects. Setters, defaults, JSON and CSV all pass through here.
 */
#include "records.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

static const char *value_kind_name(int kind) {
    switch (kind) {
    case VAL_NULL: return "None";
    case SLOTS_BOOL: return "bool";
    case SLOTS_I64:
    case SLOTS_U64: return "int";
    case SLOTS_F64: return "float";
    case SLOTS_STR: return "str";
    case SLOTS_BYTES: return "bytes";
    case SLOTS_REF: return "ref";
    default: return slots_kind_name(kind); /* a textual kind's native value */
    }
}

static int wrong_kind(const slots_type *t, const field *f, const value *v) {
    const char *want = f->kind == SLOTS_REF && f->ref_type ? f->ref_type : slots_kind_name(f->kind);
    return err_set(SLOTS_ETYPE, "%s.%s must be %s%s, not %s", t->name, f->name, want,
                   (f->flags & SLOTS_FIELD_OPTIONAL) ? " or None" : "", value_kind_name(v->kind));
}

static int out_of_range(const field *f, const char *text) {
    return err_set(SLOTS_ERANGE, "value %s out of range for field '%s' (%s)", text, f->name, slots_kind_name(f->kind));
}

static int check_int(const field *f, const value *v) {
    const kind_info *k = kind_get(f->kind);
    int64_t lo = k->lo;
    uint64_t hi = k->hi;
    char text[32];
    if (v->kind == SLOTS_U64) {
        if (v->as.u <= hi) return SLOTS_OK;
        snprintf(text, sizeof text, "%" PRIu64, v->as.u);
    } else {
        if (v->as.i >= lo && (v->as.i < 0 || (uint64_t)v->as.i <= hi)) return SLOTS_OK;
        snprintf(text, sizeof text, "%" PRId64, v->as.i);
    }
    return out_of_range(f, text);
}

static int check_float(const field *f, const value *v) {
    if (f->kind != SLOTS_F32 || v->kind != SLOTS_F64) return SLOTS_OK;
    /* As Python packs a float into 4 bytes: out of range only when it rounds to infinity, so the
     * repr of FLT_MAX (3.4028235e+38, a hair above it) reads back as FLT_MAX. */
    if (!isfinite(v->as.f) || !isinf((float)v->as.f)) return SLOTS_OK;
    char text[32];
    snprintf(text, sizeof text, "%.9g", v->as.f);
    return out_of_range(f, text);
}

static int check_ref(const slots_type *t, const field *f, const value *v) {
    recref target;
    if (record_resolve(v->as.ref, &target) != SLOTS_OK)
        return err_set(SLOTS_ESTALE, "%s.%s: the referenced record 0x%" PRIx64 " is stale or invalid", t->name,
                       f->name, v->as.ref);
    if (!f->ref_type) return SLOTS_OK;
    const slots_type *want = f->ref_target ? f->ref_target : registry_find(f->ref_type);
    if (!want) return err_set(SLOTS_ETYPE, "%s.%s refers to type '%s', which is not defined", t->name, f->name, f->ref_type);
    if (type_is_subtype(target.type, want)) return SLOTS_OK;
    return err_set(SLOTS_ETYPE, "%s.%s must be %s, not %s", t->name, f->name, f->ref_type, target.type->name);
}

static bool kind_accepts(int field_kind, int value_kind) {
    if (kind_is_int(field_kind)) return value_kind == SLOTS_I64 || value_kind == SLOTS_U64;
    if (kind_is_float(field_kind)) return value_kind == SLOTS_F64 || value_kind == SLOTS_I64 || value_kind == SLOTS_U64;
    return field_kind == value_kind;
}

int value_check(const slots_type *t, const field *f, const value *v) { return value_check_known(t, f, v, 0); }

int value_check_known(const slots_type *t, const field *f, const value *v, unsigned known) {
    if (v->kind == VAL_NULL) return (f->flags & SLOTS_FIELD_OPTIONAL) ? SLOTS_OK : wrong_kind(t, f, v);
    if (!kind_accepts(f->kind, v->kind)) return wrong_kind(t, f, v);
    if (kind_is_int(f->kind)) return check_int(f, v);
    if (kind_is_float(f->kind)) return check_float(f, v);
    if (f->kind == SLOTS_REF) return check_ref(t, f, v);
    if (kind_is_textual(f->kind)) return SLOTS_OK; /* textual_from checked it */
    if ((v->kind == SLOTS_STR || v->kind == SLOTS_BYTES) && v->as.s.len && !v->as.s.p) return err_set(SLOTS_EINVAL, "%s.%s: NULL pointer with a nonzero length", t->name, f->name);
    if (f->kind == SLOTS_STR && (t->flags & SLOTS_CLAYOUT) && v->as.s.len && memchr(v->as.s.p, '\0', v->as.s.len))
        return err_set(SLOTS_EINVAL, "%s.%s is a C string and cannot hold a NUL character", t->name, f->name);
    if (f->kind == SLOTS_STR && !(known & VALUE_KNOWN_ASCII)) {
        size_t bad = utf8_check(v->as.s.p, v->as.s.len);
        if (bad != SIZE_MAX)
            return err_set(SLOTS_EINVAL, "invalid UTF-8 in value for field '%s' at byte %zu", f->name, bad);
    }
    return SLOTS_OK;
}

int value_as(const value *v, int want) {
    bool is_int = v->kind == SLOTS_I64 || v->kind == SLOTS_U64;
    if (want == SLOTS_I64 && v->kind == SLOTS_U64 && v->as.u > INT64_MAX) return SLOTS_ERANGE;
    if (want == SLOTS_U64 && v->kind == SLOTS_I64 && v->as.i < 0) return SLOTS_ERANGE;
    if (is_int && (want == SLOTS_I64 || want == SLOTS_U64)) return SLOTS_OK;
    return v->kind == want ? SLOTS_OK : SLOTS_ETYPE;
}

const char *getter_name(int want) {
    switch (want) {
    case SLOTS_I64: case SLOTS_U64: return "an integer";
    case SLOTS_F64: return "a float";
    default: return slots_kind_name(want);
    }
}

void value_int_text(const value *v, char text[24]) {
    if (v->kind == SLOTS_U64) snprintf(text, 24, "%" PRIu64, v->as.u);
    else snprintf(text, 24, "%" PRId64, v->as.i);
}
