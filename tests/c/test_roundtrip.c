/*
 * test_roundtrip.c — a property test: random stores of every kind (nulls, unset fields, optional
 * fields and defaults, one-field types, long, short and non-ASCII strings, NUL bytes, bytes, the
 * extremes of every integer range, -0.0, NaN and infinities, refs, extras of every kind) are
 * dumped to JSON Lines (with SLOTS_DUMP_ALLOW_NAN) and CSV and loaded into fresh stores, which must
 * hold the same records. Where a format cannot carry a distinction the documented rule is checked:
 *  - both: a field unset in the dump takes its default on load (or stays unset);
 *  - CSV: an unset or null optional field loads as null (an empty cell is "no value"); extras come
 *    back as str extras holding their cell text, a null extra not at all;
 *  - JSON: a bytes extra comes back as its base64 text, a ref extra as its handle number, and an
 *    integer extra as i64 when it fits (u64 above).
 * A seeded generator makes every run the same; a failure prints the seed, the record and the field.
 */
#include "harness.h"
#include "records.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { FMT_JSONL, FMT_CSV };
enum { ROUNDS = 12, RECORDS = 40 };

/* ---- the generator ------------------------------------------------------------------------------ */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r) { /* xorshift64* */
    r->s ^= r->s >> 12, r->s ^= r->s << 25, r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

static uint64_t below(rng *r, uint64_t n) { return next(r) % n; }

static bool chance(rng *r, unsigned percent) { return below(r, 100) < percent; }

/* Text pieces: blanks at the ends, CSV and JSON specials, line ends of every sort, NUL, UTF-8. */
static const char *const pieces[] = {
    "",      "a",   "plain", " lead", "trail ", "a,b", "q\"uote", "multi\nline", "cr\r\nlf", "lone\rcr", "tab\tx",
    "caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80", "back\\slash", "nan", "1", "-", "''",
    "a string long enough to live outside the record's 23-byte slot",
};

static void random_text(rng *r, strbuf *b) {
    b->len = 0;
    for (uint64_t k = below(r, 4); k > 0; k--) {
        if (chance(r, 10)) sb_put(b, "nul\0byte", 8);
        else sb_puts(b, pieces[below(r, sizeof pieces / sizeof pieces[0])]);
    }
}

static void random_bytes(rng *r, strbuf *b) {
    b->len = 0;
    for (uint64_t k = below(r, 3) ? below(r, 8) : below(r, 64); k > 0; k--) sb_putc(b, (char)next(r));
}

static int64_t random_int(rng *r, int64_t lo, int64_t hi) {
    switch (below(r, 6)) {
    case 0: return lo;
    case 1: return hi;
    case 2: return 0;
    case 3: return lo < 0 ? -1 : 1;
    default: return lo + (int64_t)(next(r) % ((uint64_t)(hi - lo) + 1u)); /* hi - lo < 2^63 here */
    }
}

static double random_double(rng *r, bool single) {
    static const double special[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e16, 5e-324, DBL_MAX, -DBL_MIN, 123456.789};
    double d;
    switch (below(r, 5)) {
    case 0: d = NAN; break;
    case 1: d = chance(r, 50) ? HUGE_VAL : -HUGE_VAL; break;
    case 2: d = special[below(r, sizeof special / sizeof special[0])]; break;
    default: {
        uint64_t bits = next(r);
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) d = (double)(int64_t)bits / 3.0;
    }
    }
    if (single) { /* an f32 takes floats only: one it can hold, its extremes included */
        if (isfinite(d) && fabs(d) > FLT_MAX) d = chance(r, 50) ? FLT_MAX : -FLT_TRUE_MIN;
        d = (double)(float)d;
    }
    return d;
}

/* Gives field i of o a random value of its kind, makes it null (optional fields) or leaves it
 * unset; refs point at records of `targets`. */
static void fill_field(rng *r, slots_obj o, const slots_type *t, int i, const slots_obj *targets) {
    static const int64_t lo[] = {[SLOTS_I8] = INT8_MIN, [SLOTS_I16] = INT16_MIN, [SLOTS_I32] = INT32_MIN,
                                 [SLOTS_I64] = INT64_MIN / 2, [SLOTS_U8] = 0, [SLOTS_U16] = 0, [SLOTS_U32] = 0};
    static const int64_t hi[] = {[SLOTS_I8] = INT8_MAX, [SLOTS_I16] = INT16_MAX, [SLOTS_I32] = INT32_MAX,
                                 [SLOTS_I64] = INT64_MAX / 2, [SLOTS_U8] = UINT8_MAX, [SLOTS_U16] = UINT16_MAX,
                                 [SLOTS_U32] = UINT32_MAX};
    int kind = slots_field_kind(t, i);
    if (chance(r, 15)) return; /* unset */
    if ((slots_field_flags(t, i) & SLOTS_FIELD_OPTIONAL) && chance(r, 20)) {
        ASSERT_OK(slots_set_null(o, i));
        return;
    }
    strbuf b = {0};
    switch (kind) {
    case SLOTS_BOOL: ASSERT_OK(slots_set_bool(o, i, chance(r, 50))); break;
    case SLOTS_I64: { /* the true extremes too, which random_int's halved range leaves out */
        int64_t v = chance(r, 20) ? (chance(r, 50) ? INT64_MIN : INT64_MAX) : random_int(r, lo[kind], hi[kind]);
        ASSERT_OK(slots_set_i64(o, i, v));
        break;
    }
    case SLOTS_U64: {
        uint64_t v = chance(r, 30) ? UINT64_MAX : chance(r, 30) ? 0 : next(r);
        ASSERT_OK(slots_set_u64(o, i, v));
        break;
    }
    case SLOTS_F32: ASSERT_OK(slots_set_f64(o, i, random_double(r, true))); break;
    case SLOTS_F64: ASSERT_OK(slots_set_f64(o, i, random_double(r, false))); break;
    case SLOTS_STR:
        random_text(r, &b);
        ASSERT_OK(slots_set_str(o, i, b.p ? b.p : "", b.len));
        break;
    case SLOTS_BYTES:
        random_bytes(r, &b);
        ASSERT_OK(slots_set_bytes(o, i, b.p ? b.p : "", b.len));
        break;
    case SLOTS_REF: ASSERT_OK(slots_set_ref(o, i, targets[below(r, 3)])); break;
    default: ASSERT_OK(slots_set_i64(o, i, random_int(r, lo[kind], hi[kind]))); break;
    }
    sb_free(&b);
}

/* Extra names: blanks at the ends, quotes, commas and non-ASCII included. */
static const char *const extra_names[] = {"colour", "n", "w", "\xc3\xbc" "n\xc3\xaf" "code", "with space", " lead",
                                          "q\"uote", "comma,name", "x"};

static void fill_extras(rng *r, slots_obj o, const slots_obj *targets) {
    strbuf b = {0};
    for (uint64_t k = below(r, 5); k > 0; k--) {
        const char *name = extra_names[below(r, sizeof extra_names / sizeof extra_names[0])];
        switch (below(r, 8)) {
        case 0: ASSERT_OK(slots_extra_set_bool(o, name, chance(r, 50))); break;
        case 1: ASSERT_OK(slots_extra_set_i64(o, name, random_int(r, INT64_MIN / 2, INT64_MAX / 2))); break;
        case 2: ASSERT_OK(slots_extra_set_u64(o, name, chance(r, 50) ? UINT64_MAX : below(r, 1000))); break;
        case 3: ASSERT_OK(slots_extra_set_f64(o, name, random_double(r, false))); break;
        case 4:
            random_text(r, &b);
            ASSERT_OK(slots_extra_set_str(o, name, b.p ? b.p : "", b.len));
            break;
        case 5:
            random_bytes(r, &b);
            ASSERT_OK(slots_extra_set_bytes(o, name, b.p ? b.p : "", b.len));
            break;
        case 6: ASSERT_OK(slots_extra_set_ref(o, name, targets[below(r, 3)])); break;
        default: ASSERT_OK(slots_extra_set_null(o, name)); break;
        }
    }
    sb_free(&b);
}

/* ---- what comes back ----------------------------------------------------------------------------- */
/* A value read from a field or extra, with the status of the read (SLOTS_OK, SLOTS_NULL or
 * SLOTS_EUNSET); text is copied so later reads cannot move it. */
typedef struct got {
    int rc;
    value v;
    strbuf text;
} got;

static void read_field(slots_obj o, int i, got *g) {
    recref r;
    CU_ASSERT_EQUAL_FATAL(record_resolve(o, &r), SLOTS_OK);
    g->text.len = 0;
    g->rc = rec_is_set(r.type, r.rec, i) ? field_get(&r, i, &g->v) : SLOTS_EUNSET;
    if (g->rc == SLOTS_NULL) g->v.kind = VAL_NULL;
    if (g->rc == SLOTS_OK && (g->v.kind == SLOTS_STR || g->v.kind == SLOTS_BYTES)) {
        sb_put(&g->text, g->v.as.s.p, g->v.as.s.len);
        g->v.as.s.p = g->text.p ? g->text.p : "";
    }
}

static bool same_value(const value *a, const value *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case VAL_NULL: return true;
    case SLOTS_F64: /* bit for bit (-0.0 is not 0.0), any NaN for a NaN */
        return (isnan(a->as.f) && isnan(b->as.f)) || memcmp(&a->as.f, &b->as.f, sizeof(double)) == 0;
    case SLOTS_STR:
    case SLOTS_BYTES: return a->as.s.len == b->as.s.len && memcmp(a->as.s.p, b->as.s.p, a->as.s.len) == 0;
    case SLOTS_U64: return a->as.u == b->as.u;
    case SLOTS_REF: return a->as.ref == b->as.ref;
    default: return a->as.i == b->as.i;
    }
}

/* The field as the format gives it back: an unset field takes its default (read from a fresh
 * record, made with every default); in CSV an optional field's "no value" is null. */
static void expected_field(const got *before, const got *dflt, int format, bool optional, got *want) {
    *want = *before;
    if (format == FMT_CSV && optional && before->rc != SLOTS_OK) {
        want->rc = SLOTS_NULL, want->v.kind = VAL_NULL;
        return;
    }
    if (before->rc == SLOTS_EUNSET) *want = *dflt;
}

/* An extra as the format gives it back; false when it does not come back at all. */
static bool expected_extra(const value *v, int format, strbuf *text, value *want) {
    *want = *v;
    text->len = 0;
    if (format == FMT_JSONL) {
        if (v->kind == SLOTS_REF) want->as.u = v->as.ref, want->kind = SLOTS_U64;
        if (want->kind == SLOTS_U64 && want->as.u <= INT64_MAX) want->kind = SLOTS_I64;
        if (v->kind != SLOTS_BYTES) return true;
        base64_encode(text, (const unsigned char *)v->as.s.p, v->as.s.len);
        want->kind = SLOTS_STR;
    } else {
        switch (v->kind) {
        case VAL_NULL: return false;
        case SLOTS_BOOL: sb_puts(text, v->as.i ? "true" : "false"); break;
        case SLOTS_I64: sb_printf(text, "%" PRId64, v->as.i); break;
        case SLOTS_U64: sb_printf(text, "%" PRIu64, v->as.u); break;
        case SLOTS_REF: sb_printf(text, "%" PRIu64, v->as.ref); break;
        case SLOTS_F64: format_double(text, v->as.f); break;
        case SLOTS_BYTES: base64_encode(text, (const unsigned char *)v->as.s.p, v->as.s.len); break;
        default: sb_put(text, v->as.s.p, v->as.s.len); break;
        }
        want->kind = SLOTS_STR;
    }
    want->as.s.p = text->p ? text->p : "";
    want->as.s.len = text->len;
    return true;
}

static void check_extras(slots_obj a, slots_obj b, int format, uint64_t seed, size_t pos) {
    recref ra, rb;
    CU_ASSERT_EQUAL_FATAL(record_resolve(a, &ra), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(record_resolve(b, &rb), SLOTS_OK);
    size_t na = 0, nb = 0, kept = 0;
    const extra_entry *ea = NULL, *eb = NULL;
    CU_ASSERT_EQUAL_FATAL(extras_list(&ra, &ea, &na), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(extras_list(&rb, &eb, &nb), SLOTS_OK);
    strbuf text = {0};
    for (size_t i = 0; i < na; i++) {
        value want;
        if (!expected_extra(&ea[i].v, format, &text, &want)) continue;
        kept++;
        size_t j = 0;
        while (j < nb && strcmp(eb[j].name, ea[i].name) != 0) j++;
        bool ok = j < nb && same_value(&want, &eb[j].v);
        if (!ok) fprintf(stderr, "\n  seed %" PRIu64 " format %d record %zu extra '%s' differs\n", seed, format, pos, ea[i].name);
        CU_ASSERT_TRUE(ok);
    }
    CU_ASSERT_EQUAL(nb, kept);
    sb_free(&text);
}

/* Every record of `back` is the one at the same position of `s`, as the format's rules say. */
static void check_store(slots_store *s, slots_store *back, const slots_type *t, int format, uint64_t seed) {
    size_t n = 0, m = 0;
    ASSERT_OK(slots_store_len(s, &n));
    ASSERT_OK(slots_store_len(back, &m));
    CU_ASSERT_EQUAL_FATAL(n, m);
    slots_obj dflt = 0;
    ASSERT_OK(slots_new(t, &dflt));
    got before = {0}, after = {0}, d = {0};
    for (size_t pos = 0; pos < n; pos++) {
        slots_obj a = 0, b = 0;
        ASSERT_OK(slots_store_at(s, pos, &a));
        ASSERT_OK(slots_store_at(back, pos, &b));
        for (int i = 0; i < slots_type_nfields(t); i++) {
            got want;
            read_field(a, i, &before);
            read_field(b, i, &after);
            read_field(dflt, i, &d);
            expected_field(&before, &d, format, slots_field_flags(t, i) & SLOTS_FIELD_OPTIONAL, &want);
            bool ok = want.rc == after.rc && (want.rc != SLOTS_OK || same_value(&want.v, &after.v));
            if (!ok)
                fprintf(stderr, "\n  seed %" PRIu64 " format %d record %zu field %s: rc %d -> %d\n", seed, format, pos,
                        slots_field_name(t, i), want.rc, after.rc);
            CU_ASSERT_TRUE(ok);
        }
        if (slots_type_flags(t) & SLOTS_DYNAMIC) check_extras(a, b, format, seed, pos);
    }
    sb_free(&before.text), sb_free(&after.text), sb_free(&d.text);
    ASSERT_OK(slots_free(dflt));
}

/* The one place a round trip loads (so a load flag that every load here needs is added once). */
static int load(slots_store *s, int format, const char *text, size_t len, size_t *loaded) {
    return format == FMT_CSV ? slots_store_load_csv(s, text, len, SLOTS_LOAD_LENIENT, loaded, NULL)
                             : slots_store_load_jsonl(s, text, len, SLOTS_LOAD_LENIENT, loaded, NULL);
}

/* Dumps s in the format, loads the text into a fresh store and compares. */
static void round_trip(slots_store *s, const slots_type *t, int format, uint64_t seed) {
    const char *out = NULL;
    size_t len = 0, loaded = 0, n = 0;
    int rc = format == FMT_CSV ? slots_store_dump_csv(s, &out, &len)
                               : slots_store_dump_jsonl_flags(s, SLOTS_DUMP_ALLOW_NAN, &out, &len);
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    char *text = malloc(len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memcpy(text, out, len + 1);
    slots_store *back = NULL;
    ASSERT_OK(slots_store_new(t, &back));
    rc = load(back, format, text, len, &loaded);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  seed %" PRIu64 " format %d: %s\n%.300s\n", seed, format, slots_errmsg(), text);
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(loaded, n);
    check_store(s, back, t, format, seed);
    ASSERT_OK(slots_store_drop(back));
    free(text);
}

/* ---- the types ----------------------------------------------------------------------------------- */
static const struct {
    const char *fields;
    unsigned flags;
} types[] = {
    {"b: bool, i8: i8, i16: i16, i32: i32, i64: i64, u8: u8, u16: u16, u32: u32, u64: u64, f32: f32, f64: f64, "
     "s: str, by: bytes, r: ref",
     0},
    {"b: bool optional, i8: i8 optional, u16: u16 optional, i64: i64 optional, u64: u64 optional, "
     "f32: f32 optional, f64: f64 optional, s: str optional, by: bytes optional, r: ref optional",
     0},
    {"i: i64 = 7, s: str = 'dflt', o: f64 = 1.5 optional, b: bool = true, by: bytes = 'x'", 0},
    {"v: i64", 0},
    {"v: f64 optional", 0},
    {"s: str", 0},
    {"by: bytes optional", 0},
    {"id: i64, s: str optional", SLOTS_DYNAMIC},
    {"", SLOTS_DYNAMIC},
};

static void run_type(size_t k, uint64_t seed, const slots_obj *targets) {
    slots_type *t = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("RoundTrip"), types[k].fields, NULL, types[k].flags, &t), SLOTS_OK);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    rng r = {seed * 0x9e3779b97f4a7c15ull + k + 1};
    bool dynamic = types[k].flags & SLOTS_DYNAMIC;
    for (uint64_t n = below(&r, RECORDS) + 1; n > 0; n--) {
        slots_obj o = 0;
        ASSERT_OK(slots_store_append(s, &o));
        for (int i = 0; i < slots_type_nfields(t); i++) {
            if (slots_is_set(o, i) == 1) ASSERT_OK(slots_del(o, i)); /* from blank, defaults included */
            fill_field(&r, o, t, i, targets);
        }
        if (dynamic) fill_extras(&r, o, targets);
        /* a record with neither fields nor extras has no CSV form: give it one extra */
        size_t extras = 0;
        if (dynamic && !slots_type_nfields(t) && slots_extra_count(o, &extras) == SLOTS_OK && !extras)
            ASSERT_OK(slots_extra_set_i64(o, "n", 1));
    }
    round_trip(s, t, FMT_JSONL, seed);
    round_trip(s, t, FMT_CSV, seed);
    ASSERT_OK(slots_store_drop(s));
}

static void test_property(void) {
    slots_type *tt = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Target"), "v: i64", NULL, 0, &tt), SLOTS_OK);
    slots_obj targets[3];
    for (int i = 0; i < 3; i++) ASSERT_OK(slots_new(tt, &targets[i]));
    for (uint64_t seed = 1; seed <= ROUNDS; seed++)
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) run_type(k, seed, targets);
    for (int i = 0; i < 3; i++) ASSERT_OK(slots_free(targets[i]));
}

/* The rules above on one record each, so a broken rule is named by its own test. */
static void test_rules(void) {
    slots_type *t = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Rules"), "a: i64, o: i64 optional, d: i64 = 4", NULL,
                                            SLOTS_DYNAMIC, &t), SLOTS_OK);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    slots_obj o = 0;
    ASSERT_OK(slots_store_append(s, &o));
    ASSERT_OK(slots_del(o, 2));                    /* every field unset; the default comes back */
    ASSERT_OK(slots_extra_set_null(o, "gone"));     /* CSV: no cell, so no extra */
    ASSERT_OK(slots_extra_set_bytes(o, "raw", "hi", 2));
    round_trip(s, t, FMT_JSONL, 0);
    round_trip(s, t, FMT_CSV, 0);
    const char *out;
    ASSERT_OK(slots_store_dump_csv(s, &out, NULL));
    CU_ASSERT_STRING_EQUAL(out, "a,o,d,gone,raw\n,,,,aGk=\n");
    ASSERT_OK(slots_store_drop(s));
}

static CU_TestInfo tests[] = {
    {"documented rules, one by one", test_rules},
    {"random stores through JSON Lines and CSV", test_property},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("roundtrip", tests); }
