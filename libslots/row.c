/*
 * row.c — one row of a load into a fresh record: decoded (the format's decoder), defaulted, checked
 * for missing fields (strict unless SLOTS_LOAD_LENIENT), and its key indexed. Both the row-by-row
 * frame (load.c) and the multi-core path (bulk.c) build their records here, and slots_from_json its
 * one.
 */
#include "io.h"

#include <stdio.h>

int row_index_key(const recref *r, const uint64_t *hash, bool *keyed) {
    const slots_type *t = r->type;
    *keyed = false;
    if (!r->store->index || (!hash && !rec_is_set(t, r->rec, t->key_field))) return SLOTS_OK;
    long holder = index_add(r->store, r->store->index, r->index, hash ? *hash : index_hash(r->store, r->index));
    if (holder < 0) return *keyed = true, SLOTS_OK;
    const field *kf = &t->fields[t->key_field];
    value key;
    read_slot(t, kf, r->rec + kf->offset, &key);
    load_note_reset(); /* a duplicate is about the row's key, not where its decoding stopped */
    load_note_field(kf->name, kf->name_len);
    return index_err_exists(t, &key);
}

/* The first unset field of the record at or after field `from`, or -1: a byte of presence bits at a
 * time, as nearly every row has them all. */
static int next_unset(const slots_type *t, const char *rec, int from) {
    const unsigned char *bits = (const unsigned char *)rec + t->set_offset;
    for (int i = from; i < t->nfields; i = (i / 8 + 1) * 8) {
        unsigned missing = ~(unsigned)bits[i / 8] & (0xffu << (i % 8)) & 0xffu;
        if (t->nfields - i / 8 * 8 < 8) missing &= (1u << (t->nfields % 8)) - 1u; /* the last byte's tail */
        if (missing) return i / 8 * 8 + __builtin_ctz(missing);
    }
    return -1;
}

/* "missing field 'a'", "missing 2 fields: 'a' and 'b'", "missing 3 fields: 'a', 'b', and 'c'": the
 * list as Python words a call's missing arguments. Fields from `first` on, or `first` alone. */
static int err_missing(const slots_type *t, const char *rec, int first, bool alone) {
    int n = 0;
    for (int i = first; i >= 0 && !(alone && n); i = next_unset(t, rec, i + 1)) n++;
    load_note_field(t->fields[first].name, t->fields[first].name_len);
    if (n == 1) return err_set(SLOTS_ETYPE, "missing field '%s'", t->fields[first].name);
    char text[FAULT_MESSAGE_MAX]; /* a message is cut at this length anyway */
    size_t len = (size_t)snprintf(text, sizeof text, "missing %d fields: ", n);
    int k = 0;
    for (int i = first; i >= 0 && len < sizeof text; i = next_unset(t, rec, i + 1), k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s'%s'",
                                k == 0 ? "" : n == 2 ? " and " : k == n - 1 ? ", and " : ", ", t->fields[i].name);
    return err_set(SLOTS_ETYPE, "%s", text);
}

int row_check_required(const recref *r, unsigned flags) {
    const slots_type *t = r->type;
    if (flags & SLOTS_LOAD_LENIENT) {
        if (t->key_field < 0 || rec_is_set(t, r->rec, t->key_field)) return SLOTS_OK;
        return err_missing(t, r->rec, t->key_field, true);
    }
    int first = next_unset(t, r->rec, 0); /* defaults are filled: what is unset has none */
    return first < 0 ? SLOTS_OK : err_missing(t, r->rec, first, false);
}

int row_fill(recref *r, row_decoder decode, void *ctx, unsigned flags) {
    r->defer_key = true;
    load_note_reset();
    int rc = decode(r, ctx);
    if (rc == SLOTS_OK) rc = fill_defaults(r);
    return rc == SLOTS_OK ? row_check_required(r, flags) : rc;
}
