/*
 * introspect.c — what a program may ask of a type: its name, flags, base, fields and their layout,
 * and how much memory its records hold. Every answer comes from the immortal type itself.
 */
#include "records.h"

/* The field, or NULL with SLOTS_EINVAL set. */
static const field *field_at(const slots_type *t, int i) {
    if (registry_check_type(t) != SLOTS_OK || field_check_index(t, i) != SLOTS_OK) return NULL;
    return &t->fields[i];
}

const char *slots_type_name(const slots_type *t) { return registry_check_type(t) == SLOTS_OK ? t->name : NULL; }

int slots_type_flags(const slots_type *t) {
    int rc = registry_check_type(t);
    return rc != SLOTS_OK ? rc : (int)t->flags;
}

int slots_type_nfields(const slots_type *t) {
    int rc = registry_check_type(t);
    return rc != SLOTS_OK ? rc : t->nfields;
}

size_t slots_type_record_size(const slots_type *t) { return registry_check_type(t) == SLOTS_OK ? t->stride : 0; }

const slots_type *slots_type_base(const slots_type *t) { return registry_check_type(t) == SLOTS_OK ? t->base : NULL; }

bool type_is_subtype(const slots_type *t, const slots_type *base) {
    for (; t; t = t->base)
        if (t == base) return true;
    return false;
}

int slots_type_is_subtype(const slots_type *t, const slots_type *base) {
    if (registry_check_type(t) != SLOTS_OK || registry_check_type(base) != SLOTS_OK) return SLOTS_EINVAL;
    return type_is_subtype(t, base);
}

const char *slots_field_name(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? f->name : NULL;
}

int slots_field_kind(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? f->kind : SLOTS_EINVAL;
}

int slots_field_decimal(const slots_type *t, int i, int *precision, int *scale) {
    const field *f = field_at(t, i);
    if (!f) return SLOTS_EINVAL;
    if (!precision || !scale) return err_set(SLOTS_EINVAL, "precision and scale must not be NULL");
    if (f->kind != SLOTS_DECIMAL) return err_set(SLOTS_ETYPE, "%s.%s is %s, not decimal", t->name, f->name, slots_kind_name(f->kind));
    *precision = f->precision, *scale = f->scale;
    return SLOTS_OK;
}

int slots_field_flags(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? (int)f->flags : SLOTS_EINVAL;
}

const char *slots_field_default(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? f->def_text : NULL;
}

const char *slots_field_ref_type(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? f->ref_type : NULL;
}

int slots_field_offset(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? (int)f->offset : SLOTS_EINVAL;
}

int slots_field_size(const slots_type *t, int i) {
    const field *f = field_at(t, i);
    return f ? (int)f->size : SLOTS_EINVAL;
}

int slots_type_memory(const slots_type *t, size_t *records, size_t *strings, size_t *extras) {
    int rc = registry_check_type(t);
    if (rc != SLOTS_OK) return rc;
    if (records) *records = counter_get(&t->mem_records);
    if (strings) *strings = counter_get(&t->mem_strings);
    if (extras) *extras = counter_get(&t->mem_extras);
    return SLOTS_OK;
}

int slots_type_count(const slots_type *t, size_t *n) {
    int rc = registry_check_type(t);
    if (rc == SLOTS_OK && !n) rc = err_set(SLOTS_EINVAL, "output pointer must not be NULL");
    if (rc == SLOTS_OK) *n = counter_get(&t->live);
    return rc;
}
