/*
 * fieldindex.c — field name → index: each type keeps an open-addressing table of its field indices
 * (base fields included), so slots_field_index() and decoders find a field without a scan.
 */
#include "schema.h"

int name_table_init(slots_type *t, size_t nfields) {
    size_t cap = 8;
    while (cap < nfields * 2) cap *= 2;
    t->name_slots = mem_calloc(cap * sizeof *t->name_slots, &t->self_bytes);
    if (!t->name_slots) return SLOTS_ENOMEM;
    t->name_mask = (uint32_t)(cap - 1);
    return SLOTS_OK;
}

static uint32_t name_hash(const char *name, size_t len) { return (uint32_t)hash_bytes(name, len, 0); }

int name_table_add(slots_type *t, int i) {
    uint32_t s = name_hash(t->fields[i].name, t->fields[i].name_len) & t->name_mask;
    while (t->name_slots[s]) s = (s + 1) & t->name_mask;
    t->name_slots[s] = (uint32_t)i + 1;
    return SLOTS_OK;
}

int type_find_field(const slots_type *t, const char *name, size_t len) {
    for (uint32_t s = name_hash(name, len) & t->name_mask; t->name_slots[s]; s = (s + 1) & t->name_mask) {
        const field *f = &t->fields[t->name_slots[s] - 1];
        if (f->name_len == len && !memcmp(f->name, name, len)) return (int)t->name_slots[s] - 1;
    }
    return -1;
}

int err_no_attr(const slots_type *t, const char *name, size_t len) {
    return err_set(SLOTS_ENOATTR, "'%s' object has no attribute '%.*s'", t->name, (int)len, name);
}

int slots_field_index(const slots_type *t, const char *name) {
    if (!name) return err_set(SLOTS_EINVAL, "field name must not be NULL");
    if (registry_check_type(t) != SLOTS_OK) return SLOTS_EINVAL;
    int i = type_find_field(t, name, strlen(name));
    return i >= 0 ? i : err_no_attr(t, name, strlen(name));
}
