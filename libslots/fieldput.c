/*
 * fieldput.c — a decoder's write into a field of the record its load is still building: the
 * short way for the common case, field_set for every other. The common case is a field that is
 * not set yet, has no validator, and gets a value of its own kind (an int for an i64, a float for
 * an f64, text for a str of a 24-byte slot). value_check_known still checks text (UTF-8 unless
 * the decoder proved it ASCII); an I64 for an i64 or an F64 for an f64 is a value value_check
 * accepts whatever it holds (the range of i64 is I64's, an f64 takes any double). The readonly
 * rule cannot refuse (the field is unset) and the key is indexed when the row is whole
 * (defer_key), exactly as field_set would do it; only the dispatch and the conversion are skipped. The record has one writer, so its
 * presence bit is stored rather than or-ed in, as field.c's bit_put does for such records.
 */
#include "records.h"

static void set_bit_building(const recref *r, int i) {
    unsigned char *byte = (unsigned char *)r->rec + r->type->set_offset + (unsigned)i / 8u;
    unsigned char was = __atomic_load_n(byte, __ATOMIC_RELAXED);
    __atomic_store_n(byte, (unsigned char)(was | (1u << ((unsigned)i % 8u))), __ATOMIC_RELEASE);
}

/* Whether the short way applies: see the head of the file. */
static bool plain_case(const recref *r, const field *f, int i, const value *v) {
    if (!r->defer_key || f->validator || rec_is_set(r->type, r->rec, i) || rec_is_null(r->type, r->rec, i)) return false;
    switch (f->kind) {
    case SLOTS_I64: return v->kind == SLOTS_I64;
    case SLOTS_F64: return v->kind == SLOTS_F64;
    case SLOTS_STR: return v->kind == SLOTS_STR && !(r->type->flags & SLOTS_CLAYOUT);
    default: return false;
    }
}

int field_put_building(const recref *r, int i, const value *v, unsigned known) {
    const slots_type *t = r->type;
    const field *f = &t->fields[i];
    if (!plain_case(r, f, i, v)) return field_set_known(r, i, v, known);
    char *slot = r->rec + f->offset;
    if (f->kind != SLOTS_STR) { /* an I64 into an i64, an F64 into an f64: value_check has nothing to refuse */
        scalar_store(slot, 8, &v->as);
        set_bit_building(r, i);
        return SLOTS_OK;
    }
    int rc = value_check_known(t, f, v, known);
    if (rc != SLOTS_OK) return rc;
    char fresh[STR_SLOT], old[STR_SLOT];
    if (str_slot_prepare(fresh, false, v->as.s.p, v->as.s.len, &((slots_type *)t)->mem_strings) != SLOTS_OK)
        return err_nomem();
    text_lock(slot); /* a reader with a guessed handle may be copying the slot */
    str_slot_exchange(slot, false, fresh, old);
    set_bit_building(r, i);
    text_unlock(slot);
    str_slot_dispose(old, false, &((slots_type *)t)->mem_strings); /* "" while unset: nothing */
    return SLOTS_OK;
}
