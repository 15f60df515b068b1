/*
 * fuzz_api.c — random programs of API calls. The input is a byte program: each op byte picks a call,
 * the bytes after it its arguments (a record slot, a field, a value, a store). Records come from
 * slots_new, copies, JSON and store appends; handles freed, forged from input bytes, bit-flipped,
 * and from dropped stores stay in the pool, so every call also meets invalid handles. Stores are
 * dropped and their pointers kept and passed again. Every call must return a status; at the end all
 * records and stores are released and the types' counters must be back to zero.
 */
#include "fuzz_common.h"

enum { NH = 24, NS = 4, NDEAD = 8, NTYPES = 3 };

typedef struct prog {
    const uint8_t *p;
    size_t n;
} prog;

static uint8_t u8(prog *g) {
    if (!g->n) return 0;
    g->n--;
    return *g->p++;
}
static uint64_t u64(prog *g) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | u8(g);
    return v;
}
/* A small or edge-case integer more often than a uniform one. */
static int64_t num(prog *g) {
    static const int64_t edges[] = {0, 1, -1, 127, 128, -129, 255, 256, 32767, 65535, 65536, INT32_MAX,
                                    (int64_t)UINT32_MAX + 1, INT64_MAX, INT64_MIN, 42};
    uint8_t b = u8(g);
    if (b < 128) return (int64_t)(b & 15) - 4;
    if (b < 224) return edges[b & 15];
    return (int64_t)u64(g);
}
static double fnum(prog *g) {
    static const double edges[] = {0.0, -0.0, 1.5, -2.25, 1e300, -1e300, 3.5e38, 1e-320, 0.1, 1e39};
    uint8_t b = u8(g);
    if (b < 200) return edges[b % 10];
    if (b < 230) return (double)num(g);
    uint64_t bits = u64(g);
    double d;
    memcpy(&d, &bits, sizeof d); /* NaN and infinities included */
    return d;
}

static const slots_type *types[NTYPES];
static slots_obj H[NH];        /* handles: live, freed or forged */
static bool owned[NH];         /* we made it and have not freed it (it may still be stale: clear/drop) */
static slots_store *S[NS];     /* live stores */
static slots_store *dead[NDEAD]; /* dropped store pointers */

static const char *names[] = {"x", "y", "extra_long_attribute_name", "b", "s", "", "zz"};

static void keep(slots_obj o) {
    for (int i = 0; i < NH; i++)
        if (!owned[i]) {
            H[i] = o;
            owned[i] = true;
            return;
        }
    /* pool full: free one we own, and let its stale handle take the place */
    slots_free(H[0]);
    H[0] = o;
}

static slots_obj pick(prog *g) {
    uint8_t b = u8(g);
    if (b >= 250) return (slots_obj)u64(g); /* forged */
    slots_obj h = H[b % NH];
    if (b >= 240) h ^= (slots_obj)1 << (u8(g) & 63); /* bit-flipped */
    return h;
}
static slots_store *pick_store(prog *g) {
    uint8_t b = u8(g);
    if (b >= 240) {
        slots_store *d = dead[b % NDEAD];
        if (!d) return NULL;
        for (int i = 0; i < NS; i++)
            if (S[i] == d) return NULL; /* the address was reused by a live store we still track */
        return d;
    }
    return S[b % NS];
}

static void text(prog *g, char *buf, size_t *len) {
    uint8_t b = u8(g);
    if (b >= 200) { /* a long string, out of line */
        size_t n = 24 + (size_t)(b - 200) * 8; /* at most 464 */
        for (size_t i = 0; i < n; i++) buf[i] = (char)('a' + i % 26);
        *len = n;
        return;
    }
    size_t n = b % 40;
    for (size_t i = 0; i < n; i++) buf[i] = (char)u8(g);
    *len = n;
}

static void do_set(prog *g, slots_obj o, int f) {
    char buf[512];
    size_t len;
    switch (u8(g) % 8) {
    case 0: slots_set_bool(o, f, (int)num(g)); break;
    case 1: slots_set_i64(o, f, num(g)); break;
    case 2: slots_set_u64(o, f, (uint64_t)num(g)); break;
    case 3: slots_set_f64(o, f, fnum(g)); break;
    case 4: text(g, buf, &len); slots_set_str(o, f, buf, len); break;
    case 5: text(g, buf, &len); slots_set_bytes(o, f, buf, len); break;
    case 6: slots_set_ref(o, f, pick(g)); break;
    default: slots_set_null(o, f); break;
    }
}

static void do_get(slots_obj o, int f) {
    int b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    const void *p;
    size_t n;
    slots_obj r;
    slots_get_bool(o, f, &b);
    slots_get_i64(o, f, &i);
    slots_get_u64(o, f, &u);
    slots_get_f64(o, f, &d);
    if (slots_get_str(o, f, &s, &n) == SLOTS_OK && n) FUZZ_CHECK(s[0] == s[0] && s[n - 1] == s[n - 1], "str");
    if (slots_get_bytes(o, f, &p, &n) == SLOTS_OK && n)
        FUZZ_CHECK(((const char *)p)[n - 1] == ((const char *)p)[n - 1], "bytes");
    slots_get_ref(o, f, &r);
    slots_is_set(o, f);
}

static void do_extra(prog *g, slots_obj o) {
    const char *name = names[u8(g) % 7];
    char buf[512];
    size_t len;
    int k, b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    const void *p;
    slots_obj r;
    switch (u8(g) % 12) {
    case 0: slots_extra_set_bool(o, name, (int)num(g)); break;
    case 1: slots_extra_set_i64(o, name, num(g)); break;
    case 2: slots_extra_set_u64(o, name, (uint64_t)num(g)); break;
    case 3: slots_extra_set_f64(o, name, fnum(g)); break;
    case 4: text(g, buf, &len); slots_extra_set_str(o, name, buf, len); break;
    case 5: text(g, buf, &len); slots_extra_set_bytes(o, name, buf, len); break;
    case 6: slots_extra_set_ref(o, name, pick(g)); break;
    case 7: slots_extra_set_null(o, name); break;
    case 8: slots_extra_del(o, name); break;
    case 9: {
        size_t n = 0;
        if (slots_extra_count(o, &n) == SLOTS_OK)
            for (size_t j = 0; j <= n; j++) {
                const char *en = NULL;
                int rc = slots_extra_name(o, j, &en);
                FUZZ_CHECK(j < n ? rc == SLOTS_OK && en && en[0] : rc == SLOTS_EINDEX, "extra_name %zu/%zu: %d", j, n, rc);
            }
        break;
    }
    default:
        slots_extra_kind(o, name, &k);
        slots_extra_get_bool(o, name, &b);
        slots_extra_get_i64(o, name, &i);
        slots_extra_get_u64(o, name, &u);
        slots_extra_get_f64(o, name, &d);
        slots_extra_get_str(o, name, &s, &len);
        slots_extra_get_bytes(o, name, &p, &len);
        slots_extra_get_ref(o, name, &r);
        break;
    }
}

static void do_store(prog *g, int op) {
    slots_store *s = pick_store(g);
    slots_obj o = 0;
    size_t n = 0, cur = 0;
    switch (op) {
    case 0: { /* new store in an empty place */
        int i = u8(g) % NS;
        if (!S[i] && slots_store_new(types[u8(g) % NTYPES], &S[i]) != SLOTS_OK) S[i] = NULL;
        break;
    }
    case 1:
        if (slots_store_append(s, &o) == SLOTS_OK) {
            keep(o);
            if (u8(g) & 1) do_set(g, o, 0); /* usually the key */
        }
        break;
    case 2: slots_store_remove(s, pick(g)); break;
    case 3:
        if (slots_store_at(s, u8(g) % 40, &o) == SLOTS_OK) FUZZ_CHECK(o != 0, "store_at");
        break;
    case 4: {
        size_t len = 0, seen = 0;
        int rc = slots_store_len(s, &len);
        while (slots_store_next(s, &cur, &o) == SLOTS_OK) {
            seen++;
            FUZZ_CHECK(seen <= len, "next yields more records than len");
        }
        FUZZ_CHECK(rc != SLOTS_OK || seen == len, "next yields %zu records, len %zu", seen, len);
        break;
    }
    case 5: slots_store_clear(s); break;
    case 6:
        for (int i = 0; i < NS; i++)
            if (S[i] && S[i] == s) {
                FUZZ_CHECK(slots_store_drop(s) == SLOTS_OK, "drop of a live store");
                S[i] = NULL;
                memmove(dead + 1, dead, (NDEAD - 1) * sizeof *dead);
                dead[0] = s;
                return;
            }
        slots_store_drop(s); /* NULL or dropped: refused */
        break;
    case 7: {
        char buf[512];
        size_t len;
        text(g, buf, &len);
        slots_store_find_i64(s, num(g), &o);
        slots_store_find_u64(s, (uint64_t)num(g), &o);
        slots_store_find_str(s, buf, len, &o);
        break;
    }
    case 8: {
        const char *out;
        size_t len;
        double sum, mn, mx;
        int64_t isum;
        char col[8 * 64];
        int f = (int)(u8(g) % 12) - 1;
        slots_store_len(s, &n);
        slots_store_memory(s, &n);
        slots_store_dump_jsonl(s, &out, &len);
        slots_store_dump_csv(s, &out, &len);
        slots_store_aggregate(s, f, &n, &sum, &mn, &mx);
        slots_store_sum_i64(s, f, &isum);
        slots_store_column_read(s, f, col, sizeof col, &n);
        if (u8(g) & 1) slots_store_column_write(s, f, col, (size_t)(u8(g) % 9) * 8);
        slots_store_load_errors(s);
        break;
    }
    case 9: slots_store_reserve(s, u8(g) * 3u); break;
    default: {
        char line[600];
        size_t len;
        text(g, line, &len);
        size_t loaded = 0, skipped = 0;
        unsigned flags = u8(g) & 1;
        if (u8(g) & 1) slots_store_load_jsonl(s, line, len, flags, &loaded, &skipped);
        else slots_store_load_csv(s, line, len, flags, &loaded, &skipped);
        break; /* loaded records are found through next/at, and released by the drop at the end */
    }
    }
}

static void step(prog *g) {
    uint8_t op = u8(g) % 22;
    slots_obj o, c;
    int f, out;
    uint64_t h;
    switch (op) {
    case 0:
    case 1:
        if ((op ? slots_new_blank : slots_new)(types[u8(g) % NTYPES], &o) == SLOTS_OK) keep(o);
        break;
    case 2: {
        int i = u8(g) % NH;
        if (slots_free(H[i]) == SLOTS_OK) owned[i] = false;
        break;
    }
    case 3: o = pick(g); f = (int)(u8(g) % 20) - 2; do_set(g, o, f); break;
    case 4: o = pick(g); f = (int)(u8(g) % 20) - 2; do_get(o, f); break;
    case 5: o = pick(g); f = (int)(u8(g) % 20) - 2; slots_del(o, f); break;
    case 6: do_extra(g, pick(g)); break;
    case 7:
        if (slots_copy(pick(g), &c) == SLOTS_OK) keep(c);
        break;
    case 8:
        o = pick(g);
        c = pick(g);
        slots_equal(o, c);
        slots_compare(o, c, &out);
        slots_hash(o, &h);
        break;
    case 9: {
        const char *s;
        size_t len;
        o = pick(g);
        slots_repr(o, &s, &len);
        if (slots_to_json(o, &s, &len) == SLOTS_OK) {
            char *js = malloc(len + 1);
            FUZZ_CHECK(js != NULL, "malloc");
            memcpy(js, s, len + 1);
            const slots_type *t = NULL;
            if (slots_type_of(o, &t) == SLOTS_OK && slots_from_json(t, js, len, &c) == SLOTS_OK) keep(c);
            free(js);
        }
        break;
    }
    case 10: {
        const slots_type *t = NULL;
        o = pick(g);
        slots_type_of(o, &t);
        slots_isinstance(o, types[u8(g) % NTYPES]);
        slots_fill_defaults(o);
        break;
    }
    case 11: {
        char js[600];
        size_t len;
        text(g, js, &len);
        if (slots_from_json(types[u8(g) % NTYPES], js, len, &o) == SLOTS_OK) keep(o);
        break;
    }
    default: do_store(g, op - 12); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!types[0]) {
        types[0] = fuzz_type("FuzzApiAll", FUZZ_ALL_KINDS, SLOTS_DYNAMIC);
        types[1] = fuzz_type("FuzzApiInt", FUZZ_KEYED_INT, SLOTS_DYNAMIC);
        types[2] = fuzz_type("FuzzApiStr", FUZZ_KEYED_STR, SLOTS_FROZEN);
    }
    memset(H, 0, sizeof H);
    memset(owned, 0, sizeof owned);
    memset(S, 0, sizeof S);
    memset(dead, 0, sizeof dead);
    prog g = {data, size};
    for (int steps = 0; g.n && steps < 400; steps++) step(&g);
    for (int i = 0; i < NH; i++)
        if (owned[i]) slots_free(H[i]); /* may be stale already: cleared or dropped store */
    for (int i = 0; i < NS; i++)
        if (S[i]) FUZZ_CHECK(slots_store_drop(S[i]) == SLOTS_OK, "drop at the end");
    for (int i = 0; i < NTYPES; i++) fuzz_check_released(types[i]);
    return 0;
}
