/*
 * fuzz_json.c — one-record JSON decode (slots_from_json) into a dynamic type with every kind,
 * optional fields, defaults, bytes, a ref and a readonly field, decoded leniently (missing fields
 * stay unset) so inputs need not name every field; the strict decode, made without json.c's decode
 * plan, must agree (the same record,
 * or SLOTS_ETYPE for a missing field). A decoded record must encode (slots_to_json), decode again
 * to an equal record with the same hash, copy to an equal record, and be released completely; a
 * refused input must leave no record behind.
 */
#include "fuzz_common.h"

static const slots_type *T;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!T) T = fuzz_type("FuzzJson", FUZZ_ALL_KINDS, SLOTS_DYNAMIC);
    slots_obj o = 0, o2 = 0, c = 0, strict = 0;
    int rc = slots_from_json_flags(T, (const char *)data, size, SLOTS_LOAD_LENIENT, &o);
    json_plan_enable(false); /* the strict decode goes without the decode plan: it must agree */
    int rcs = slots_from_json(T, (const char *)data, size, &strict);
    json_plan_enable(true);
    FUZZ_CHECK(rcs == rc || (rc == SLOTS_OK && rcs == SLOTS_ETYPE && strncmp(slots_errmsg(), "missing ", 8) == 0),
               "lenient from_json: %d, strict: %d (%s)", rc, rcs, slots_errmsg());
    if (rcs == SLOTS_OK) {
        FUZZ_CHECK(slots_equal(o, strict) == 1 || slots_equal(o, o) == 0 /* NaN */, "strict and lenient differ");
        FUZZ_CHECK(slots_free(strict) == SLOTS_OK, "free");
    }
    if (rc != SLOTS_OK) {
        /* SLOTS_ESTALE: a ref field given a number that is no live handle */
        FUZZ_CHECK(rc < 0 && rc != SLOTS_ENOMEM, "from_json: unexpected %d", rc);
        FUZZ_CHECK(o == 0, "out written on failure");
        fuzz_check_released(T);
        return 0;
    }
    const char *js = NULL, *repr = NULL;
    size_t jlen = 0;
    FUZZ_CHECK(slots_repr(o, &repr, NULL) == SLOTS_OK, "repr");
    rc = slots_to_json(o, &js, &jlen);
    if (rc == SLOTS_OK) {
        char *copy = malloc(jlen + 1);
        FUZZ_CHECK(copy != NULL, "malloc");
        memcpy(copy, js, jlen + 1);
        rc = slots_from_json_flags(T, copy, jlen, SLOTS_LOAD_LENIENT, &o2);
        FUZZ_CHECK(rc == SLOTS_OK, "re-decoding our own JSON failed: %s", copy);
        FUZZ_CHECK(slots_equal(o, o2) == 1, "round trip not equal: %s", copy);
        uint64_t h1 = 0, h2 = 1;
        FUZZ_CHECK(slots_hash(o, &h1) == SLOTS_OK && slots_hash(o2, &h2) == SLOTS_OK && h1 == h2,
                   "equal records, different hashes: %s", copy);
        size_t n1 = 0, n2 = 0;
        FUZZ_CHECK(slots_extra_count(o, &n1) == SLOTS_OK && slots_extra_count(o2, &n2) == SLOTS_OK && n1 == n2,
                   "extras lost in round trip: %zu vs %zu: %s", n1, n2, copy);
        FUZZ_CHECK(slots_free(o2) == SLOTS_OK, "free");
        free(copy);
    } else {
        FUZZ_CHECK(rc == SLOTS_EINVAL, "to_json: unexpected %d", rc); /* a non-finite float */
    }
    FUZZ_CHECK(slots_copy(o, &c) == SLOTS_OK, "copy");
    FUZZ_CHECK(slots_equal(o, c) == 1 || slots_equal(o, o) == 0 /* NaN */, "copy not equal");
    int cmp = 9;
    rc = slots_compare(o, c, &cmp);
    FUZZ_CHECK(rc == SLOTS_OK || rc == SLOTS_EUNSET || rc == SLOTS_ETYPE, "compare: %d", rc);
    FUZZ_CHECK(slots_free(c) == SLOTS_OK && slots_free(o) == SLOTS_OK, "free");
    FUZZ_CHECK(slots_free(o) == SLOTS_ESTALE, "double free not refused");
    fuzz_check_released(T);
    return 0;
}
