/*
 * layout.c — SLOTS_CLAYOUT types: fields in declared order at the offsets the platform's C ABI
 * gives the equivalent struct, as libffi computes them (ffi_get_struct_offsets), so records can be
 * handed to C functions that take `struct X *`. The type keeps the ffi_type for callers' ffi_call.
 */
#include "bridge.h"

ffi_type *kind_ffi_type(int kind) {
    switch (kind) {
    case SLOTS_BOOL: case SLOTS_U8: return &ffi_type_uint8;
    case SLOTS_I8: return &ffi_type_sint8;
    case SLOTS_I16: return &ffi_type_sint16;
    case SLOTS_U16: return &ffi_type_uint16;
    case SLOTS_I32: return &ffi_type_sint32;
    case SLOTS_U32: return &ffi_type_uint32;
    case SLOTS_I64: return &ffi_type_sint64;
    case SLOTS_U64: case SLOTS_REF: return &ffi_type_uint64;
    case SLOTS_F32: return &ffi_type_float;
    case SLOTS_F64: return &ffi_type_double;
    case SLOTS_STR: return &ffi_type_pointer;
    default: return NULL;
    }
}

/* The struct's ffi_type with its elements in one allocation charged to the type. */
static ffi_type *struct_type(slots_type *t) {
    size_t n = (size_t)t->nfields;
    ffi_type *st = mem_calloc(sizeof *st + (n + 1) * sizeof(ffi_type *), &t->self_bytes);
    if (!st) return NULL;
    st->type = FFI_TYPE_STRUCT;
    st->elements = (ffi_type **)(void *)(st + 1);
    for (size_t i = 0; i < n; i++) st->elements[i] = kind_ffi_type(t->fields[i].kind);
    return st;
}

int clayout_compute(slots_type *t) {
    if (t->nfields == 0) return err_set(SLOTS_ELAYOUT, "C-layout type '%s' needs at least one field", t->name);
    for (int i = 0; i < t->nfields; i++)
        if (!kind_ffi_type(t->fields[i].kind))
            return err_set(SLOTS_ELAYOUT, "C-layout type '%s' cannot hold %s field '%s'", t->name,
                           slots_kind_name(t->fields[i].kind), t->fields[i].name);
    ffi_type *st = struct_type(t);
    size_t *offsets = st ? mem_alloc((size_t)t->nfields * sizeof *offsets, NULL) : NULL;
    if (!offsets) {
        if (st) mem_free(st, sizeof *st + ((size_t)t->nfields + 1) * sizeof(ffi_type *), &t->self_bytes);
        return err_nomem();
    }
    t->ffi_struct = st; /* from here on clayout_release() frees it */
    int rc = ffi_get_struct_offsets(FFI_DEFAULT_ABI, st, offsets) == FFI_OK
                 ? SLOTS_OK
                 : err_set(SLOTS_ELAYOUT, "libffi could not lay out C-layout type '%s'", t->name);
    for (int i = 0; rc == SLOTS_OK && i < t->nfields; i++) {
        t->fields[i].offset = (uint32_t)offsets[i];
        t->fields[i].size = (uint32_t)st->elements[i]->size;
    }
    mem_free(offsets, (size_t)t->nfields * sizeof *offsets, NULL);
    if (rc == SLOTS_OK) lay_out_tail(t, (uint32_t)st->size, st->alignment);
    return rc;
}

void clayout_release(slots_type *t) {
    if (!t->ffi_struct) return;
    mem_free(t->ffi_struct, sizeof(ffi_type) + ((size_t)t->nfields + 1) * sizeof(ffi_type *), &t->self_bytes);
    t->ffi_struct = NULL;
}

const void *slots_type_ffi_type(const slots_type *t) {
    if (registry_check_type(t) != SLOTS_OK) return NULL;
    if (!t->ffi_struct) err_set(SLOTS_EINVAL, "type '%s' is not a C-layout type (SLOTS_CLAYOUT)", t->name);
    return t->ffi_struct;
}

int slots_record_ptr_unchecked(slots_obj o, void **out) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) *out = r.rec;
    return rc;
}
