/*
 * fuzz_fieldspec.c — the field-list parser through slots_type_define: any text either defines a type
 * or is refused with a status. A type that is defined must introspect consistently, and the field
 * list rebuilt from its introspection (names, kinds, canonical defaults, modifiers) must define an
 * equal layout again. Input: byte 0 picks flags and a base type, the rest is the field list.
 */
#include "fuzz_common.h"

#include <stdio.h>

static const slots_type *base_type(void) {
    return fuzz_type("FuzzSpecBase", "base_id: i64, base_name: str = 'b'", 0);
}

static void append(char *buf, size_t cap, size_t *n, const char *s) {
    size_t l = strlen(s);
    FUZZ_CHECK(*n + l < cap, "rebuilt field list too long");
    memcpy(buf + *n, s, l + 1);
    *n += l;
}

/* Rebuilds t's own fields (those after the base's) as field-list text. */
static char *rebuild(const slots_type *t, int first) {
    int nf = slots_type_nfields(t);
    size_t cap = 256 + (size_t)nf * 64, n = 0;
    for (int i = first; i < nf; i++) {
        const char *d = slots_field_default(t, i);
        const char *r = slots_field_ref_type(t, i);
        cap += (d ? strlen(d) : 0) + (r ? strlen(r) : 0);
    }
    char *buf = malloc(cap);
    FUZZ_CHECK(buf != NULL, "malloc");
    buf[0] = '\0';
    for (int i = first; i < nf; i++) {
        const char *name = slots_field_name(t, i);
        int kind = slots_field_kind(t, i), flags = slots_field_flags(t, i);
        const char *kname = slots_kind_name(kind);
        FUZZ_CHECK(name && kname && flags >= 0, "field %d of a defined type does not introspect", i);
        FUZZ_CHECK(slots_field_index(t, name) == i, "field %d '%s' not found by name", i, name);
        FUZZ_CHECK(slots_field_offset(t, i) >= 0 && slots_field_size(t, i) > 0, "field %d layout", i);
        FUZZ_CHECK((size_t)slots_field_offset(t, i) + (size_t)slots_field_size(t, i) <= slots_type_record_size(t),
                   "field %d lies outside the record", i);
        if (i > first) append(buf, cap, &n, ", ");
        append(buf, cap, &n, name);
        append(buf, cap, &n, ": ");
        append(buf, cap, &n, kname);
        int prec = 0, scale = 0;
        if (kind == SLOTS_DECIMAL) { /* decimal(P,S): the kind's name alone is not a kind */
            char ps[24];
            FUZZ_CHECK(slots_field_decimal(t, i, &prec, &scale) == SLOTS_OK, "field %d: decimal without P and S", i);
            snprintf(ps, sizeof ps, "(%d,%d)", prec, scale);
            append(buf, cap, &n, ps);
        }
        const char *rt = slots_field_ref_type(t, i);
        if (rt) {
            append(buf, cap, &n, " ");
            append(buf, cap, &n, rt);
        }
        const char *d = slots_field_default(t, i);
        FUZZ_CHECK(!d == !(flags & SLOTS_FIELD_HAS_DEFAULT), "field %d: default text vs HAS_DEFAULT", i);
        if (d) {
            append(buf, cap, &n, " = ");
            append(buf, cap, &n, d);
        }
        if (flags & SLOTS_FIELD_OPTIONAL) append(buf, cap, &n, " optional");
        if (flags & SLOTS_FIELD_READONLY) append(buf, cap, &n, " readonly");
        if (flags & SLOTS_FIELD_KEY) append(buf, cap, &n, " key");
    }
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const slots_type *base = (data[0] & 1) ? base_type() : NULL;
    unsigned flags = (data[0] >> 1) & 3u;
    char *text = malloc(size);
    FUZZ_CHECK(text != NULL, "malloc");
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    slots_type *t = NULL;
    int rc = slots_type_define("FuzzSpec", text, base, flags, &t);
    if (rc == SLOTS_OK) {
        FUZZ_CHECK(t != NULL && slots_type_find("FuzzSpec") == t, "defined type not bound");
        FUZZ_CHECK(slots_type_base(t) == base, "base");
        FUZZ_CHECK(((unsigned)slots_type_flags(t) & flags) == flags, "flags %d", slots_type_flags(t));
        int first = base ? slots_type_nfields(base) : 0;
#ifdef FUZZ_SKIP_BYTES_DEFAULT_BUG
        /* to keep exploring while the known bug stands: a bytes default's text (b'..') does not
         * parse back (regression seed corpus/fieldspec/regress_bytes_default_roundtrip) */
        for (int i = 0; i < slots_type_nfields(t); i++)
            if (slots_field_kind(t, i) == SLOTS_BYTES && slots_field_default(t, i)) first = -1;
        if (first < 0) goto record;
#endif
        char *again = rebuild(t, first);
        slots_type *t2 = NULL;
        int rc2 = slots_type_define("FuzzSpecAgain", again, base, flags, &t2);
        FUZZ_CHECK(rc2 == SLOTS_OK, "introspected field list does not define again: [%s] from [%s]", again, text);
        FUZZ_CHECK(slots_type_nfields(t2) == slots_type_nfields(t) &&
                       slots_type_record_size(t2) == slots_type_record_size(t),
                   "rebuilt type differs: [%s]", again);
        for (int i = 0; i < slots_type_nfields(t); i++) {
            const char *d1 = slots_field_default(t, i), *d2 = slots_field_default(t2, i);
            FUZZ_CHECK(slots_field_kind(t, i) == slots_field_kind(t2, i) &&
                           slots_field_flags(t, i) == slots_field_flags(t2, i) &&
                           (!d1 == !d2) && (!d1 || strcmp(d1, d2) == 0),
                       "field %d differs after rebuild: default [%s] vs [%s] in [%s]", i, d1 ? d1 : "-",
                       d2 ? d2 : "-", again);
        }
        free(again);
#ifdef FUZZ_SKIP_BYTES_DEFAULT_BUG
    record:;
#endif
        /* a record of it works and is released completely */
        slots_obj o = 0;
        rc = slots_new(t, &o);
        if (rc == SLOTS_OK) {
            const char *s = NULL;
            FUZZ_CHECK(slots_repr(o, &s, NULL) == SLOTS_OK, "repr of a new record");
            FUZZ_CHECK(slots_free(o) == SLOTS_OK, "free");
            fuzz_check_released(t);
        } else {
            FUZZ_CHECK(rc == SLOTS_ERANGE || rc == SLOTS_ENOMEM, "slots_new: %d", rc);
        }
    } else {
        /* ETYPE/ERANGE come back for a default of the wrong kind or out of range (the header documents
         * EPARSE for "malformed ... default"): a status either way, reported, not a crash */
        FUZZ_CHECK(rc == SLOTS_EPARSE || rc == SLOTS_ELAYOUT || rc == SLOTS_EINVAL || rc == SLOTS_ETYPE ||
                       rc == SLOTS_ERANGE,
                   "define: unexpected %d", rc);
        FUZZ_CHECK(slots_errmsg()[0] != '\0', "failure without a message");
    }
    free(text);
    return 0;
}
