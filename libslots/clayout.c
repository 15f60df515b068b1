/*
 * clayout.c — SLOTS_CLAYOUT types: fields in declared order at the offsets the C compiler gives the
 * equivalent struct, so a record can be handed to C code that takes `struct X *`. A pure function
 * of the field kinds: each field goes at the next multiple of its C type's alignment *inside a
 * struct* (measured with offsetof on a probe struct, since on some ABIs a member's alignment is less
 * than _Alignof of its type: i386's double and int64_t), and the struct is rounded up to its
 * largest member alignment. The ffi bridge builds the matching libffi type from this layout when a
 * caller asks for it (slots_type_ffi_type) and checks that libffi agrees.
 */
#include "schema.h"

#include <stddef.h>

#define MEMBER_ALIGN(T) offsetof(struct { char c; T m; }, m)

/* The C size and in-struct alignment of a kind, or false for a kind C layouts cannot hold. */
static bool c_member(int kind, size_t *size, size_t *align) {
    switch (kind) {
    case SLOTS_BOOL: case SLOTS_I8: case SLOTS_U8: *size = 1, *align = 1; return true;
    case SLOTS_I16: case SLOTS_U16: *size = 2, *align = MEMBER_ALIGN(int16_t); return true;
    case SLOTS_I32: case SLOTS_U32: *size = 4, *align = MEMBER_ALIGN(int32_t); return true;
    case SLOTS_F32: *size = sizeof(float), *align = MEMBER_ALIGN(float); return true;
    case SLOTS_I64: case SLOTS_U64: case SLOTS_REF: *size = 8, *align = MEMBER_ALIGN(int64_t); return true;
    case SLOTS_F64: *size = sizeof(double), *align = MEMBER_ALIGN(double); return true;
    case SLOTS_STR: *size = sizeof(char *), *align = MEMBER_ALIGN(char *); return true;
    default: return false;
    }
}

int clayout_lay_out(slots_type *t) {
    if (t->nfields == 0) return err_set(SLOTS_ELAYOUT, "C-layout type '%s' needs at least one field", t->name);
    size_t pos = 0, max_align = 1;
    for (int i = 0; i < t->nfields; i++) {
        field *f = &t->fields[i];
        size_t size, align;
        if (!c_member(f->kind, &size, &align))
            return err_set(SLOTS_ELAYOUT, "C-layout type '%s' cannot hold %s field '%s'", t->name,
                           slots_kind_name(f->kind), f->name);
        pos = (pos + align - 1) / align * align;
        f->offset = (uint32_t)pos, f->size = (uint32_t)size;
        pos += size;
        if (align > max_align) max_align = align;
    }
    t->c_align = (uint32_t)max_align;
    t->c_size = (uint32_t)((pos + max_align - 1) / max_align * max_align);
    lay_out_tail(t, t->c_size, t->c_align);
    return SLOTS_OK;
}
