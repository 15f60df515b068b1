/*
 * layout.c — the libffi side of SLOTS_CLAYOUT types: the ffi_type of the struct the core laid out
 * (libslots/clayout.c), for callers' ffi_call, checked against libffi's own offsets. And the
 * unchecked record address such callers pass.
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

static void struct_type_free(slots_type *t, ffi_type *st) {
    mem_free(st, sizeof *st + ((size_t)t->nfields + 1) * sizeof(ffi_type *), &t->self_bytes);
}

/* Whether libffi lays the struct out as the core did (clayout.c): it must, or a C function called
 * through libffi would read the record's fields at the wrong places. */
static int check_offsets(slots_type *t, ffi_type *st) {
    size_t *offsets = mem_alloc((size_t)t->nfields * sizeof *offsets, NULL);
    if (!offsets) return err_nomem();
    bool same = ffi_get_struct_offsets(FFI_DEFAULT_ABI, st, offsets) == FFI_OK && st->size == t->c_size &&
                st->alignment == t->c_align;
    for (int i = 0; same && i < t->nfields; i++) same = offsets[i] == t->fields[i].offset;
    mem_free(offsets, (size_t)t->nfields * sizeof *offsets, NULL);
    return same ? SLOTS_OK : err_set(SLOTS_ELAYOUT, "libffi lays out C-layout type '%s' differently", t->name);
}

/* The type's libffi struct type, made on first request and kept (types are immortal); two
 * threads asking at once may both build one: the first published wins. */
static ffi_type *ffi_struct_of(slots_type *t) {
    ffi_type *st = __atomic_load_n((ffi_type **)&t->ffi_struct, __ATOMIC_ACQUIRE), *expected = NULL;
    if (st) return st;
    if (!(st = struct_type(t))) return err_nomem(), NULL;
    if (check_offsets(t, st) != SLOTS_OK) return struct_type_free(t, st), NULL;
    if (__atomic_compare_exchange_n((ffi_type **)&t->ffi_struct, &expected, st, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return st;
    struct_type_free(t, st);
    return expected;
}

const void *slots_type_ffi_type(const slots_type *t) {
    if (registry_check_type(t) != SLOTS_OK) return NULL;
    if (!(t->flags & SLOTS_CLAYOUT)) {
        err_set(SLOTS_EINVAL, "type '%s' is not a C-layout type (SLOTS_CLAYOUT)", t->name);
        return NULL;
    }
    return ffi_struct_of((slots_type *)t);
}

int slots_record_ptr_unchecked(slots_obj o, void **out) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    recref r;
    int rc = record_resolve(o, &r);
    if (rc == SLOTS_OK) *out = r.rec;
    return rc;
}
