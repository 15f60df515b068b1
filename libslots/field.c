/*
 * field.c — reading and writing one field of a resolved record: presence and null bits, the
 * readonly rule, and the conversion between a value and the field's unboxed bytes. Every path into a
 * field (typed setters, defaults, copies, JSON, CSV) comes through field_set().
 */
#include "records.h"

/* Presence and null bits of several fields share a byte, and other threads may be setting those
 * fields: an atomic or/and, so no bit is lost. A record a load is still building has one writer,
 * so a plain store of the new byte does (a read-modify-write costs a locked instruction). */
static void bit_put(const recref *r, uint32_t offset, int i, bool on) {
    unsigned char *byte = (unsigned char *)r->rec + offset + (unsigned)i / 8u;
    unsigned char mask = (unsigned char)(1u << ((unsigned)i % 8u));
    if (r->defer_key) {
        unsigned char was = __atomic_load_n(byte, __ATOMIC_RELAXED);
        __atomic_store_n(byte, on ? (unsigned char)(was | mask) : (unsigned char)(was & ~mask), __ATOMIC_RELEASE);
    } else if (on) {
        __atomic_fetch_or(byte, mask, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_and(byte, (unsigned char)~mask, __ATOMIC_RELEASE);
    }
}

/* A scalar's bytes are loaded and stored whole (fields are aligned to their size), so a reader
 * racing a writer gets the old or the new value, never a mix. */


static size_t *strings_account(const slots_type *t) { return &((slots_type *)t)->mem_strings; }

int field_check_index(const slots_type *t, int i) {
    if (i >= 0 && i < t->nfields) return SLOTS_OK;
    return err_set(SLOTS_EINVAL, "field index %d out of range for '%s' (%d fields)", i, t->name, t->nfields);
}

static bool kind_is_text(int kind) { return kind == SLOTS_STR || kind == SLOTS_BYTES; }
static bool is_cptr(const slots_type *t) { return (t->flags & SLOTS_CLAYOUT) != 0; }

/* Writes a checked number, bool or ref into its slot at the field's width. */
static void write_scalar(const field *f, char *slot, const value *v) {
    int64_t i = v->kind == SLOTS_U64 ? (int64_t)v->as.u : v->as.i;
    double d = v->kind == SLOTS_F64 ? v->as.f : v->kind == SLOTS_U64 ? (double)v->as.u : (double)v->as.i;
    union {
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint64_t ref;
    } out;
    switch (f->kind) {
    case SLOTS_BOOL: out.i8 = (int8_t)(i != 0); break;
    case SLOTS_I8: case SLOTS_U8: out.i8 = (int8_t)(uint8_t)i; break;
    case SLOTS_I16: case SLOTS_U16: out.i16 = (int16_t)(uint16_t)i; break;
    case SLOTS_I32: case SLOTS_U32: case SLOTS_DATE: out.i32 = (int32_t)(uint32_t)i; break;
    case SLOTS_DECIMAL: out.i64 = (int64_t)decimal_of(v); break; /* P <= 18: fits (write_wide takes the rest) */
    case SLOTS_F32: out.f32 = (float)d; break;
    case SLOTS_F64: out.f64 = d; break;
    case SLOTS_REF: out.ref = v->as.ref; break;
    default: out.i64 = i; break;
    }
    scalar_store(slot, f->size, &out);
}

static int write_value(const recref *r, int i, const value *v);

static bool is_indexed_key(const recref *r, int i) {
    return i == r->type->key_field && r->store->index && !r->defer_key;
}

/* For the key of an indexed store (lock held): refuses a key another record holds and makes room
 * for the new entry before anything changes. */
static int key_check(const recref *r, const value *v) {
    long at = index_find(r->store, r->store->index, v);
    if (at >= 0 && (uint32_t)at != r->index) return index_err_exists(r->type, v);
    return index_reserve(r->store, r->store->index, 1);
}

/* Writes the key of an indexed store: the old entry goes out, the new one (or, if the write
 * failed, the old one again) goes in. */
static int key_write(const recref *r, int i, const value *v) {
    store_lock(r->store);
    int rc = key_check(r, v);
    if (rc == SLOTS_OK) {
        if (rec_is_set(r->type, r->rec, i)) index_remove(r->store, r->store->index, r->index);
        rc = write_value(r, i, v);
        if (rec_is_set(r->type, r->rec, i)) index_insert(r->store, r->store->index, r->index);
    }
    store_unlock(r->store);
    return rc;
}

/* A value that needs no check for field f: an i64 into an i64 field, an f64 into an f64 field (every
 * value of the kind fits), with no validator, no readonly rule and not the key. */
static bool needs_no_check(const recref *r, int i, const field *f, const value *v) {
    return f->kind == v->kind && (v->kind == SLOTS_I64 || v->kind == SLOTS_F64) && !f->validator &&
           !(f->flags & SLOTS_FIELD_READONLY) && i != r->type->key_field;
}

int field_set(const recref *r, int i, const value *v) { return field_set_known(r, i, v, 0); }

int field_set_known(const recref *r, int i, const value *v, unsigned known) {
    const slots_type *t = r->type;
    if ((unsigned)i < (unsigned)t->nfields && needs_no_check(r, i, &t->fields[i], v)) { /* the common case, short */
        scalar_store(r->rec + t->fields[i].offset, 8, &v->as);
        if (t->null_offset && rec_is_null(t, r->rec, i)) bit_put(r, t->null_offset, i, false);
        if (!rec_is_set(t, r->rec, i)) bit_put(r, t->set_offset, i, true);
        store_note_change(r); /* Arrow streams reading the store fail rather than mix two states */
        return SLOTS_OK;
    }
    int rc = field_check_index(t, i);
    if (rc != SLOTS_OK) return rc;
    const field *f = &t->fields[i];
    if ((f->flags & SLOTS_FIELD_READONLY) && rec_is_set(t, r->rec, i))
        return err_set(SLOTS_EREADONLY, "cannot assign to field '%s'", f->name);
    value native;
    if (kind_is_textual(f->kind) && v->kind != VAL_NULL) { /* text, an integer or bytes into its own value */
        rc = textual_from(t, f, v, &native);
        if (rc == SLOTS_OK) v = &native;
        else if (rc != SLOTS_ETYPE) return rc; /* a refused kind is worded by value_check */
    }
    if ((rc = value_check_known(t, f, v, known)) != SLOTS_OK) return rc;
    if (f->validator && (rc = validator_run(r, i, v)) != SLOTS_OK) return rc;
    rc = is_indexed_key(r, i) ? key_write(r, i, v) : write_value(r, i, v);
    if (rc == SLOTS_OK) store_note_change(r);
    return rc;
}

/* Writes a checked text value: the slot and its bits change together under the slot's lock, so a
 * reader sees the old value or the new one, set or unset, never a mix; the old copy is freed after. */
static int write_text(const recref *r, int i, const value *v) {
    const slots_type *t = r->type;
    char *slot = r->rec + t->fields[i].offset, fresh[STR_SLOT], old[STR_SLOT];
    bool null = v->kind == VAL_NULL;
    if (str_slot_prepare(fresh, is_cptr(t), null ? "" : v->as.s.p, null ? 0 : v->as.s.len, strings_account(t)) != SLOTS_OK)
        return err_nomem();
    text_lock(slot);
    str_slot_exchange(slot, is_cptr(t), fresh, old);
    bit_put(r, t->set_offset, i, true);
    if (t->null_offset) bit_put(r, t->null_offset, i, null);
    text_unlock(slot);
    str_slot_dispose(old, is_cptr(t), strings_account(t));
    return SLOTS_OK;
}

/* A 16-byte value (uuid, decimal with P > 18) has no atomic store: its bytes and bits change under
 * the slot's lock, which readers (read_locked) take too, so nobody sees half of one. */
static bool is_wide(const field *f) { return f->size == 16; }

static int write_wide(const recref *r, int i, const value *v) {
    const slots_type *t = r->type;
    char *slot = r->rec + t->fields[i].offset;
    text_lock(slot);
    if (v->kind != VAL_NULL) memcpy(slot, v->as.b16, 16);
    if (t->null_offset) bit_put(r, t->null_offset, i, v->kind == VAL_NULL);
    bit_put(r, t->set_offset, i, true);
    text_unlock(slot);
    return SLOTS_OK;
}

/* Writes a checked value into field i and marks it set (or null). A scalar's bytes go first, then
 * its bits (release): a reader that sees the bits sees the bytes. */
static int write_value(const recref *r, int i, const value *v) {
    const slots_type *t = r->type;
    const field *f = &t->fields[i];
    if (kind_is_text(f->kind)) return write_text(r, i, v);
    if (is_wide(f)) return write_wide(r, i, v);
    if (v->kind != VAL_NULL) write_scalar(f, r->rec + f->offset, v);
    if (t->null_offset) bit_put(r, t->null_offset, i, v->kind == VAL_NULL);
    bit_put(r, t->set_offset, i, true);
    return SLOTS_OK;
}

/* Reads an unboxed slot into a value: integers as I64 (U64 for u64 fields), floats as F64. */
void read_slot(const slots_type *t, const field *f, const char *slot, value *out) {
    union {
        int8_t i8;
        uint8_t u8;
        int16_t i16;
        uint16_t u16;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        float f32;
        double f64;
    } in;
    if (f->size > sizeof in) { /* text or wide: read in place, by callers that know nobody writes it */
    } else if (t) {
        scalar_load(slot, f->size, &in);
    } else {
        memcpy(&in, slot, f->size); /* a packed column cell: maybe unaligned, never shared */
    }
    out->kind = kind_is_int(f->kind) ? SLOTS_I64 : kind_is_float(f->kind) ? SLOTS_F64 : f->kind;
    switch (f->kind) {
    case SLOTS_BOOL: case SLOTS_U8: out->as.i = in.u8; break;
    case SLOTS_I8: out->as.i = in.i8; break;
    case SLOTS_I16: out->as.i = in.i16; break;
    case SLOTS_U16: out->as.i = in.u16; break;
    case SLOTS_I32: out->as.i = in.i32; break;
    case SLOTS_U32: out->as.i = in.u32; break;
    case SLOTS_U64: out->kind = SLOTS_U64, out->as.u = in.u64; break;
    case SLOTS_F32: out->as.f = in.f32; break;
    case SLOTS_F64: out->as.f = in.f64; break;
    case SLOTS_REF: out->as.ref = in.u64; break;
    case SLOTS_STR: case SLOTS_BYTES: str_slot_peek(slot, is_cptr(t), &out->as.s.p, &out->as.s.len); break;
    case SLOTS_DATE: out->as.i = in.i32; break;
    case SLOTS_UUID: memcpy(out->as.b16, slot, 16); break;
    case SLOTS_DECIMAL: {
        slots_i128 d = f->size == 16 ? 0 : (slots_i128)in.i64;
        if (f->size == 16) memcpy(&d, slot, 16);
        memcpy(out->as.b16, &d, 16);
        break;
    }
    default: out->as.i = in.i64; break;
    }
}

/* Reads a text or wide field: its bits and bytes under the slot's lock (write_text, write_wide),
 * text copied to the arena. */
static int read_locked(const recref *r, int i, value *out) {
    const slots_type *t = r->type;
    const field *f = &t->fields[i];
    const char *slot = r->rec + f->offset;
    int rc = SLOTS_OK;
    text_lock(slot);
    if (!rec_is_set(t, r->rec, i)) rc = SLOTS_EUNSET;
    else if (rec_is_null(t, r->rec, i)) rc = SLOTS_NULL, out->kind = VAL_NULL;
    else if (is_wide(f)) read_slot(t, f, slot, out);
    else if (!(out->as.s.p = str_slot_copy(slot, is_cptr(t), &out->as.s.len))) rc = SLOTS_ENOMEM;
    else out->kind = f->kind;
    text_unlock(slot);
    if (rc == SLOTS_ENOMEM) return err_nomem();
    return rc;
}

int field_get(const recref *r, int i, value *out) {
    const slots_type *t = r->type;
    int rc = field_check_index(t, i);
    if (rc != SLOTS_OK) return rc;
    const field *f = &t->fields[i];
    rc = kind_is_text(f->kind) || is_wide(f) ? read_locked(r, i, out) : !rec_is_set(t, r->rec, i) ? SLOTS_EUNSET
         : rec_is_null(t, r->rec, i) ? (out->kind = VAL_NULL, SLOTS_NULL) : (read_slot(t, f, r->rec + f->offset, out), SLOTS_OK);
    if (rc == SLOTS_EUNSET) return err_set(SLOTS_EUNSET, "'%s' object has no attribute '%s'", t->name, f->name);
    return rc;
}

/* Returns field i to unset. A scalar keeps its bytes (a reader that saw the bit set reads the old
 * value, never a zero nobody wrote); text gives its copy back under the slot's lock. */
void field_clear(const recref *r, int i) {
    const slots_type *t = r->type;
    const field *f = &t->fields[i];
    char *slot = r->rec + f->offset;
    store_note_change(r);
    if (is_indexed_key(r, i) && rec_is_set(t, r->rec, i)) {
        store_lock(r->store);
        index_remove(r->store, r->store->index, r->index);
        store_unlock(r->store);
    }
    if (!kind_is_text(f->kind)) {
        bit_put(r, t->set_offset, i, false);
        if (t->null_offset) bit_put(r, t->null_offset, i, false);
        return;
    }
    static const char empty[STR_SLOT];
    char old[STR_SLOT];
    text_lock(slot);
    bit_put(r, t->set_offset, i, false);
    if (t->null_offset) bit_put(r, t->null_offset, i, false);
    str_slot_exchange(slot, is_cptr(t), empty, old);
    text_unlock(slot);
    str_slot_dispose(old, is_cptr(t), strings_account(t));
}

void field_copy_raw(const recref *from, const recref *to, int i) {
    const slots_type *t = from->type;
    const field *f = &t->fields[i];
    char bytes[16];
    if (is_wide(f)) { /* under each slot's lock in turn (write_wide) */
        text_lock(from->rec + f->offset);
        memcpy(bytes, from->rec + f->offset, 16);
        text_unlock(from->rec + f->offset);
        text_lock(to->rec + f->offset);
        memcpy(to->rec + f->offset, bytes, 16);
        text_unlock(to->rec + f->offset);
    } else {
        scalar_load(from->rec + f->offset, f->size, bytes);
        scalar_store(to->rec + f->offset, f->size, bytes);
    }
    bit_put(to, t->set_offset, i, rec_is_set(t, from->rec, i));
    if (t->null_offset) bit_put(to, t->null_offset, i, rec_is_null(t, from->rec, i));
}

void field_move_raw(const recref *from, const recref *to, int i) {
    const slots_type *t = from->type;
    const field *f = &t->fields[i];
    if (!kind_is_text(f->kind)) {
        field_copy_raw(from, to, i);
        return;
    }
    /* from is a record no other thread can reach: its slot's bytes (and what they own) move over
     * whole and it is left holding "". */
    static const char empty[STR_SLOT];
    char *src = from->rec + f->offset, *dst = to->rec + f->offset;
    char fresh[STR_SLOT], old[STR_SLOT];
    size_t n = is_cptr(t) ? sizeof(char *) : STR_SLOT;
    memcpy(fresh, src, n);
    memcpy(src, empty, n);
    text_lock(dst);
    str_slot_exchange(dst, is_cptr(t), fresh, old);
    bit_put(to, t->set_offset, i, rec_is_set(t, from->rec, i));
    if (t->null_offset) bit_put(to, t->null_offset, i, rec_is_null(t, from->rec, i));
    text_unlock(dst);
    str_slot_dispose(old, is_cptr(t), strings_account(t));
}
