/*
 * test_oom.c — allocation-failure sweep. For each scenario the library's allocator hook fails the
 * 1st, 2nd, ... k-th allocation of one API call until the call succeeds; every failing attempt must
 * return SLOTS_ENOMEM and leave the observable state exactly as it was: record counts, store
 * lengths, field values and extras (compared through JSON dumps), the registry, and
 * slots_memory_used() to the byte. Built against the ASan archive, so LeakSanitizer also sees any
 * block lost outside the library's accounting. Prints how many allocation sites each scenario hit.
 */
#include "harness.h"
#include "records.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_K 200000L

/* ---- the observable state ------------------------------------------------------------------- */
typedef struct watch {
    const slots_type *types[3];
    slots_store *stores[2];
    slots_obj recs[3];
    const char *names[2]; /* registry names and the type each is bound to */
    const slots_type *bound[2];
} watch;

typedef struct snapshot {
    size_t counts[3], lens[2], memory;
    char *text; /* JSON of the watched records and dumps of the watched stores */
} snapshot;

static void text_add(char **acc, const char *s, size_t n) {
    size_t old = *acc ? strlen(*acc) : 0;
    char *p = realloc(*acc, old + n + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p + old, s, n);
    p[old + n] = '\n';
    p[old + n + 1] = '\0';
    *acc = p;
}

/* Bytes the library holds, less the calling thread's scratch buffer (results handed out "valid
 * until the next call" live there, and it keeps its capacity between calls by design) and less the
 * watched types' slabs, stores' key-index tables and the store-id table's chunks: the header lets a failed call leave capacity
 * it reserved (as a vector's reserve would), never records, values or entries. A type's default
 * store, made by its first record, counts as such capacity too. */
static size_t memory_now(const watch *w) {
    strbuf *b = sb_scratch(); /* first: it gives back a buffer above 1 MiB */
    size_t reserved = b->cap;
    for (int i = 0; i < 3; i++)
        if (w->types[i]) {
            reserved += counter_get(&w->types[i]->mem_records);
            if (__atomic_load_n(&w->types[i]->default_store, __ATOMIC_ACQUIRE)) reserved += sizeof(slots_store);
        }
    slots_store *s;
    for (int i = 0; i < 2; i++)
        if (w->stores[i] && store_open(w->stores[i], &s) == SLOTS_OK) reserved += index_bytes(s->index);
    /* The store-id table grows by chunks it keeps (ids go round the whole space before one is
     * reused), and every staged load's staging store takes an id: capacity too. */
    for (size_t k = 1; k < sizeof sid_table / sizeof *sid_table; k++)
        if (__atomic_load_n(&sid_table[k], __ATOMIC_ACQUIRE)) reserved += SID_CHUNK * sizeof(sid_entry);
    return slots_memory_used() - reserved;
}

static snapshot take(const watch *w) {
    snapshot sn;
    memset(&sn, 0, sizeof sn);
    for (int i = 0; i < 3; i++) {
        if (!w->recs[i]) continue;
        const char *js = NULL;
        size_t n = 0;
        int rc = slots_to_json(w->recs[i], &js, &n);
        if (rc == SLOTS_OK) text_add(&sn.text, js, n);
        else text_add(&sn.text, slots_strerror(rc), strlen(slots_strerror(rc)));
    }
    for (int i = 0; i < 2; i++) {
        if (!w->stores[i]) continue;
        const char *out = NULL;
        size_t n = 0;
        ASSERT_OK(slots_store_dump_jsonl(w->stores[i], &out, &n));
        text_add(&sn.text, out, n);
        ASSERT_OK(slots_store_len(w->stores[i], &sn.lens[i]));
    }
    for (int i = 0; i < 3; i++)
        if (w->types[i]) ASSERT_OK(slots_type_count(w->types[i], &sn.counts[i]));
    for (int i = 0; i < 2; i++)
        if (w->names[i]) CU_ASSERT_PTR_EQUAL(slots_type_find(w->names[i]), w->bound[i]);
    sn.memory = memory_now(w); /* last: the dumps above may grow the scratch buffer */
    return sn;
}

/* ---- the sweep ------------------------------------------------------------------------------ */
typedef int (*call_fn)(void *ctx);

static long sites_total;

/* Runs call() with the k-th allocation failing, k = 1, 2, ... until it succeeds; returns the number
 * of allocation sites injected (k - 1 at success). State is compared after every failure. */
static long sweep(const char *label, const watch *w, call_fn call, void *ctx) {
    long k;
    int bad_status = 0, bad_state = 0;
    for (k = 1; k < MAX_K; k++) {
        snapshot before = take(w);
        long calls0 = mem_alloc_calls();
        mem_fail_at(k);
        int rc = call(ctx);
        mem_fail_at(0);
        long made = mem_alloc_calls() - calls0;
        size_t mem_after = memory_now(w);
        if (rc == SLOTS_OK) {
            free(before.text);
            break;
        }
        if (made < k) { /* the call failed before reaching the injected failure: a broken scenario */
            fprintf(stderr, "\n  %s: fails by itself with %s (%s)", label, slots_strerror(rc), slots_errmsg());
            CU_FAIL("scenario fails without an injected failure");
            free(before.text);
            break;
        }
        if (rc != SLOTS_ENOMEM && bad_status++ < 3)
            fprintf(stderr, "\n  %s: allocation %ld failed, call returned %s (%s)", label, k, slots_strerror(rc),
                    slots_errmsg());
        CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
        snapshot after = take(w);
        after.memory = mem_after;
        int same = before.memory == after.memory && strcmp(before.text ? before.text : "", after.text ? after.text : "") == 0;
        for (int i = 0; i < 3; i++) same = same && before.counts[i] == after.counts[i];
        for (int i = 0; i < 2; i++) same = same && before.lens[i] == after.lens[i];
        if (!same && bad_state++ < 3) {
            fprintf(stderr, "\n  %s: allocation %ld failed and the state changed: memory %zu -> %zu (%+ld)", label, k,
                    before.memory, after.memory, (long)after.memory - (long)before.memory);
            for (int i = 0; i < 3; i++)
                if (before.counts[i] != after.counts[i])
                    fprintf(stderr, "; type %d count %zu -> %zu", i, before.counts[i], after.counts[i]);
            for (int i = 0; i < 2; i++)
                if (before.lens[i] != after.lens[i])
                    fprintf(stderr, "; store %d len %zu -> %zu", i, before.lens[i], after.lens[i]);
            if (strcmp(before.text ? before.text : "", after.text ? after.text : "") != 0)
                fprintf(stderr, "; values before:\n%s  after:\n%s", before.text ? before.text : "",
                        after.text ? after.text : "");
        }
        CU_ASSERT_TRUE(same);
        free(before.text);
        free(after.text);
    }
    CU_ASSERT_TRUE(k < MAX_K);
    printf("\n    oom %-28s %5ld allocation sites", label, k - 1);
    fflush(stdout);
    sites_total += k - 1;
    return k - 1;
}

static slots_type *def(const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("Oom"), fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return t;
}

static const char LONG[] = "a string long enough to live out of line, well past twenty-three bytes";
#define ALL_FIELDS                                                                                  \
    "id: i64, name: str = 'a default long enough to be kept out of line by the type', "           \
    "price: f64 = 1.5, tag: str optional, data: bytes optional, n: u16 = 7, ok: bool optional"
#define KEYED "id: i64 key, name: str = '', price: f64 = 0, data: bytes optional"

/* ---- types ---------------------------------------------------------------------------------- */
typedef struct define_ctx {
    const char *name, *fields;
    const slots_type *base;
    unsigned flags;
    slots_type *out;
} define_ctx;

static int call_define(void *p) {
    define_ctx *c = p;
    return slots_type_define(c->name, c->fields, c->base, c->flags, &c->out);
}

static int call_define_specs(void *p) {
    define_ctx *c = p;
    slots_field_spec specs[] = {{"a", SLOTS_I64, SLOTS_FIELD_KEY, NULL, NULL},
                                {"b", SLOTS_STR, 0, "'a default that is rather long'", NULL},
                                {"c", SLOTS_REF, SLOTS_FIELD_OPTIONAL, NULL, "Other"},
                                {"d", SLOTS_BYTES, 0, "'\\x00\\x01'", NULL}};
    return slots_type_define_specs(c->name, specs, 4, c->base, c->flags, &c->out);
}

static void test_type_define(void) {
    char name[64];
    snprintf(name, sizeof name, "%s", unique_name("OomDef"));
    watch w = {.names = {name}, .bound = {NULL}};
    define_ctx c = {name, "id: i64 key, name: str = 'some default text here, long', price: f64 = 1.5, "
                          "parent: ref Node optional, data: bytes = '\\x00abc', ok: bool = True readonly",
                    NULL, SLOTS_DYNAMIC, NULL};
    sweep("type_define", &w, call_define, &c);
    CU_ASSERT_PTR_EQUAL(slots_type_find(name), c.out);

    /* rebinding a bound name to a subtype: the old binding must survive every failure */
    const slots_type *old = c.out;
    w.bound[0] = old;
    define_ctx sub = {name, "extra: str = 'x', more: f32 = 2.5", old, 0, NULL};
    sweep("type_define (rebind, base)", &w, call_define, &sub);
    CU_ASSERT_PTR_EQUAL(slots_type_find(name), sub.out);

    char name2[64];
    snprintf(name2, sizeof name2, "%s", unique_name("OomSpecs"));
    watch w2 = {.names = {name2}, .bound = {NULL}};
    define_ctx sp = {name2, NULL, NULL, 0, NULL};
    sweep("type_define_specs", &w2, call_define_specs, &sp);
}

/* ---- records -------------------------------------------------------------------------------- */
typedef struct rec_ctx {
    const slots_type *t;
    slots_store *s;
    slots_obj o, out;
    int field;
    const char *str;
    size_t len;
    const char *name;
} rec_ctx;

static int call_new(void *p) {
    rec_ctx *c = p;
    return slots_new(c->t, &c->out);
}
static int call_new_blank_fill(void *p) {
    rec_ctx *c = p;
    return slots_fill_defaults(c->o);
}

static void test_record_create(void) {
    slots_type *t = def(ALL_FIELDS, 0);
    rec_ctx c = {.t = t};
    watch w = {.types = {t}};
    sweep("new (first slab)", &w, call_new, &c);
    /* fill the first slab (64 records), so the next new needs a second one */
    slots_obj hs[64];
    hs[0] = c.out;
    for (int i = 1; i < 64; i++) ASSERT_OK(slots_new(t, &hs[i]));
    sweep("new (next slab)", &w, call_new, &c);
    ASSERT_OK(slots_free(c.out));
    for (int i = 0; i < 64; i++) ASSERT_OK(slots_free(hs[i]));

    ASSERT_OK(slots_new_blank(t, &c.o));
    watch w2 = {.types = {t}, .recs = {c.o}};
    sweep("fill_defaults", &w2, call_new_blank_fill, &c);
    ASSERT_OK(slots_free(c.o));
}

static int call_set_str(void *p) {
    rec_ctx *c = p;
    return slots_set_str(c->o, c->field, c->str, c->len);
}
static int call_set_bytes(void *p) {
    rec_ctx *c = p;
    return slots_set_bytes(c->o, c->field, c->str, c->len);
}

static void test_string_sets(void) {
    slots_type *t = def(ALL_FIELDS, 0);
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_set_str(o, 3, "short", 5));
    watch w = {.types = {t}, .recs = {o}};
    rec_ctx c = {.o = o, .field = 3, .str = LONG, .len = sizeof LONG - 1};
    sweep("set_str short->long", &w, call_set_str, &c);
    c.str = LONG + 5;
    c.len = sizeof LONG - 6;
    sweep("set_str long->long", &w, call_set_str, &c);
    c.field = 1; /* replaces the type's out-of-line default */
    sweep("set_str over default", &w, call_set_str, &c);
    c.field = 4;
    sweep("set_bytes long", &w, call_set_bytes, &c);
    ASSERT_OK(slots_free(o));
}

/* ---- extras --------------------------------------------------------------------------------- */
static int call_extra_str(void *p) {
    rec_ctx *c = p;
    return slots_extra_set_str(c->o, c->name, c->str, c->len);
}
static int call_extra_i64(void *p) {
    rec_ctx *c = p;
    return slots_extra_set_i64(c->o, c->name, 42);
}

static void test_extras(void) {
    slots_type *t = def("id: i64, name: str", SLOTS_DYNAMIC);
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    watch w = {.types = {t}, .recs = {o}};
    rec_ctx c = {.o = o, .name = "first_extra_with_a_long_name", .str = LONG, .len = sizeof LONG - 1};
    sweep("extra_set_str (first)", &w, call_extra_str, &c);
    c.name = "second";
    sweep("extra_set_i64 (second)", &w, call_extra_i64, &c);
    char nm[32];
    for (int i = 0; i < 6; i++) { /* grow the extras array */
        snprintf(nm, sizeof nm, "e%d", i);
        ASSERT_OK(slots_extra_set_i64(o, nm, i));
    }
    c.name = "growth";
    sweep("extra_set_str (growth)", &w, call_extra_str, &c);
    c.name = "first_extra_with_a_long_name";
    c.str = LONG + 3;
    c.len = sizeof LONG - 4;
    sweep("extra_set_str (replace)", &w, call_extra_str, &c);
    ASSERT_OK(slots_free(o));
}

/* ---- stores and the key index --------------------------------------------------------------- */
typedef struct store_ctx {
    const slots_type *t;
    slots_store *s, *out;
    slots_obj o;
    int64_t key;
    size_t n;
    const char *text;
    size_t len;
    unsigned flags;
    size_t loaded, skipped;
} store_ctx;

static int call_store_new(void *p) {
    store_ctx *c = p;
    return slots_store_new(c->t, &c->out);
}
static int call_append(void *p) {
    store_ctx *c = p;
    return slots_store_append(c->s, &c->o);
}
static int call_set_key(void *p) {
    store_ctx *c = p;
    return slots_set_i64(c->o, 0, c->key);
}
static int call_reserve(void *p) {
    store_ctx *c = p;
    return slots_store_reserve(c->s, c->n);
}
static int call_at(void *p) {
    store_ctx *c = p;
    return slots_store_at(c->s, c->n, &c->o);
}

static void test_stores(void) {
    slots_type *t = def(KEYED, 0);
    store_ctx c = {.t = t};
    watch w0 = {.types = {t}};
    sweep("store_new", &w0, call_store_new, &c);
    c.s = c.out;
    watch w = {.types = {t}, .stores = {c.s}};
    sweep("store_append (empty, keyed)", &w, call_append, &c);
    ASSERT_OK(slots_set_i64(c.o, 0, 0));
    /* index growth: every append and key set up to 3000 records goes through a sweep at the sizes
     * where slabs or the index grow; the rest are plain appends */
    long sites = 0;
    for (int64_t i = 1; i < 3000; i++) {
        /* the key index grows around powers of two, slabs at 64, 192, 448, 960, 1984 records */
        int64_t slabs = i / 64 + 1;
        int edge = (i & (i - 1)) == 0 || ((i + 1) & i) == 0 || (i % 64 == 0 && (slabs & (slabs - 1)) == 0) ||
                   ((i + 1) % 64 == 0 && ((slabs + 1) & slabs) == 0);
        if (edge) {
            char label[64];
            snprintf(label, sizeof label, "append #%lld", (long long)i);
            sites += sweep(label, &w, call_append, &c);
            c.key = i * 7;
            snprintf(label, sizeof label, "set key #%lld", (long long)i);
            sites += sweep(label, &w, call_set_key, &c);
        } else {
            ASSERT_OK(slots_store_append(c.s, &c.o));
            ASSERT_OK(slots_set_i64(c.o, 0, i * 7));
        }
    }
    printf("\n    oom %-28s %5ld allocation sites", "(index growth, all sizes)", sites);
    c.n = 10000;
    sweep("store_reserve 10000", &w, call_reserve, &c);
    /* a removal, then the position table */
    slots_obj first = 0;
    ASSERT_OK(slots_store_at(c.s, 5, &first));
    ASSERT_OK(slots_store_remove(c.s, first));
    c.n = 100;
    sweep("store_at (position table)", &w, call_at, &c);
    ASSERT_OK(slots_store_drop(c.s));

    /* a dynamic type's store: extras map of a store record */
    slots_type *d = def(KEYED, SLOTS_DYNAMIC);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(d, &s));
    slots_obj o = 0;
    ASSERT_OK(slots_store_append(s, &o));
    watch wd = {.types = {d}, .stores = {s}, .recs = {o}};
    rec_ctx rc = {.o = o, .name = "note", .str = LONG, .len = sizeof LONG - 1};
    sweep("extra_set_str (store record)", &wd, call_extra_str, &rc);
    ASSERT_OK(slots_store_drop(s));
}

/* ---- copy and JSON -------------------------------------------------------------------------- */
static int call_copy(void *p) {
    rec_ctx *c = p;
    return slots_copy(c->o, &c->out);
}
static int call_from_json(void *p) {
    rec_ctx *c = p;
    return slots_from_json(c->t, c->str, c->len, &c->out);
}

static void fill_record(slots_obj o) {
    ASSERT_OK(slots_set_i64(o, 0, 7));
    ASSERT_OK(slots_set_str(o, 1, LONG, sizeof LONG - 1));
    ASSERT_OK(slots_set_str(o, 3, LONG + 1, sizeof LONG - 2));
    ASSERT_OK(slots_set_bytes(o, 4, LONG, sizeof LONG - 1));
    ASSERT_OK(slots_extra_set_str(o, "x1", LONG, sizeof LONG - 1));
    ASSERT_OK(slots_extra_set_bytes(o, "x2", "\0\1\2", 3));
    ASSERT_OK(slots_extra_set_f64(o, "x3", 2.5));
}

static void test_copy_and_json(void) {
    slots_type *t = def(ALL_FIELDS, SLOTS_DYNAMIC);
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    fill_record(o);
    watch w = {.types = {t}, .recs = {o}};
    rec_ctx c = {.t = t, .o = o};
    sweep("copy", &w, call_copy, &c);
    CU_ASSERT_EQUAL(slots_equal(o, c.out), 1);
    ASSERT_OK(slots_free(c.out));

    static const char js[] =
        "{\"id\": 12, \"name\": \"a name long enough to go out of line, surely\", \"price\": 2.5,"
        " \"tag\": \"tag \\u00e9\\ud83d\\ude00 also quite long to be out of line\", \"data\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=\","
        " \"ok\": null, \"extra1\": \"an extra string long enough to be heap allocated\", \"extra2\": [],"
        " \"extra3\": 1.5, \"extra4\": {\"nested\": 1}}";
    /* a nested array or object may be refused for an extra; then drop those keys */
    c.str = js;
    c.len = sizeof js - 1;
    slots_obj probe = 0;
    int rc = slots_from_json(t, js, c.len, &probe);
    static const char js2[] =
        "{\"id\": 12, \"name\": \"a name long enough to go out of line, surely\", \"price\": 2.5,"
        " \"tag\": \"tag \\u00e9\\ud83d\\ude00 also quite long to be out of line\", \"data\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=\","
        " \"ok\": null, \"extra1\": \"an extra string long enough to be heap allocated\", \"extra3\": 1.5,"
        " \"extra5\": true}";
    if (rc == SLOTS_OK) {
        ASSERT_OK(slots_free(probe));
    } else {
        c.str = js2;
        c.len = sizeof js2 - 1;
    }
    sweep("from_json", &w, call_from_json, &c);
    ASSERT_OK(slots_free(c.out));
    ASSERT_OK(slots_free(o));
}

/* ---- bulk loads ----------------------------------------------------------------------------- */
static int call_load_jsonl(void *p) {
    store_ctx *c = p;
    return slots_store_load_jsonl(c->s, c->text, c->len, c->flags, &c->loaded, &c->skipped);
}
static int call_load_csv(void *p) {
    store_ctx *c = p;
    return slots_store_load_csv(c->s, c->text, c->len, c->flags, &c->loaded, &c->skipped);
}

static char *make_jsonl(int n, int base, int bad_every) {
    size_t cap = (size_t)n * 256 + 1, len = 0;
    char *b = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (int i = 0; i < n; i++) {
        if (bad_every && i % bad_every == 3)
            len += (size_t)snprintf(b + len, cap - len, "{\"id\": \"not a number\"}\n");
        else
            len += (size_t)snprintf(b + len, cap - len,
                                    "{\"id\": %d, \"name\": \"record number %d with a long enough name\", "
                                    "\"price\": %d.25, \"data\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=\"}\n",
                                    base + i, i, i);
    }
    return b;
}
static char *make_csv(int n, int base, int bad_every) {
    size_t cap = (size_t)n * 256 + 64, len = 0;
    char *b = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    len += (size_t)snprintf(b, cap, "id,name,price,data\r\n");
    for (int i = 0; i < n; i++) {
        if (bad_every && i % bad_every == 3)
            len += (size_t)snprintf(b + len, cap - len, "oops,x,1,\r\n");
        else
            len += (size_t)snprintf(b + len, cap - len,
                                    "%d,\"record, number %d with a long enough name\",%d.25,AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=\r\n",
                                    base + i, i, i);
    }
    return b;
}

static void load_scenarios(const char *fmt, call_fn load, char *(*make)(int, int, int)) {
    slots_type *t = def(KEYED, 0);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    ASSERT_OK(slots_store_append(s, &(slots_obj){0}));
    size_t n0 = 0;
    ASSERT_OK(slots_store_len(s, &n0));
    watch w = {.types = {t}, .stores = {s}};
    store_ctx c = {.s = s};
    char label[64];

    char *text = make(150, 1000, 0);
    c.text = text;
    c.len = strlen(text);
    snprintf(label, sizeof label, "load_%s 150 rows", fmt);
    sweep(label, &w, load, &c);
    free(text);

    text = make(150, 5000, 10);
    c.text = text;
    c.len = strlen(text);
    c.flags = SLOTS_LOAD_SKIP_BAD;
    /* the error list a skipping load gives without any allocation failure */
    slots_store *ref = NULL;
    ASSERT_OK(slots_store_new(t, &ref));
    store_ctx rc = {.s = ref, .text = text, .len = c.len, .flags = SLOTS_LOAD_SKIP_BAD};
    ASSERT_OK(load(&rc));
    char *want_errors = strdup(slots_store_load_errors(ref));
    ASSERT_OK(slots_store_drop(ref));
    snprintf(label, sizeof label, "load_%s skip-bad 150 rows", fmt);
    sweep(label, &w, load, &c);
    free(text);
    /* the load that finally succeeded skipped exactly the 15 bad rows: an allocation failure
     * inside a row must fail the load ("SLOTS_ENOMEM always fails"), not count as a bad row */
    if (c.skipped != 15 || c.loaded != 135)
        fprintf(stderr, "\n  load_%s skip-bad: succeeded with loaded %zu, skipped %zu (want 135, 15): %s", fmt,
                c.loaded, c.skipped, slots_store_load_errors(s));
    CU_ASSERT_EQUAL(c.skipped, 15);
    /* the list of bad lines is part of the result: a load that reports SLOTS_OK with skipped rows
     * must list them (an allocation failure for the list is dropped silently otherwise) */
    const char *errs = slots_store_load_errors(s);
    if (!errs || strcmp(errs, want_errors) != 0)
        fprintf(stderr, "\n  load_%s skip-bad: SLOTS_OK, %zu skipped, but load_errors is\n[%s]\n  instead of\n[%s]", fmt,
                c.skipped, errs ? errs : "(null)", want_errors);
    CU_ASSERT_TRUE(errs && strcmp(errs, want_errors) == 0);
    free(want_errors);
    CU_ASSERT_EQUAL(c.loaded, 135);
    size_t n1 = 0;
    ASSERT_OK(slots_store_len(s, &n1));
    CU_ASSERT_EQUAL(n1, n0 + 150 + c.loaded);
    ASSERT_OK(slots_store_drop(s));
}

static void test_load_jsonl(void) { load_scenarios("jsonl", call_load_jsonl, make_jsonl); }

/* A load big enough to decode on several threads: a failure on any of them fails the whole load
 * and leaves the store as it was. Mostly short names, so few rows allocate. */
static void threads_scenario(const char *fmt, call_fn load, bool csv) {
    enum { ROWS = 120000 }; /* more than 2 MiB of either format: more than one chunk */
    slots_type *t = def(KEYED, 0);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    size_t cap = (size_t)ROWS * 96, len = 0;
    char *text = malloc(cap), label[64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    if (csv) len += (size_t)snprintf(text, cap, "id,name,price,data\n"); /* data: optional, no default */
    for (int i = 0; i < ROWS; i++) { /* every 10000th name is stored out of line: an allocation */
        const char *more = i % 10000 == 9999 ? " is a name long enough to allocate" : "";
        if (csv) len += (size_t)snprintf(text + len, cap - len, "%d,\"n, %d%s\",%d.25,\n", i, i, more, i);
        else len += (size_t)snprintf(text + len, cap - len, "{\"id\": %d, \"name\": \"n%d%s\", \"price\": %d.25, \"data\": null}\n", i, i, more, i);
    }
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    store_ctx c = {.s = s, .text = text, .len = len};
    /* slabs and index reach their size first, so the sweep reaches the rows' own allocations */
    ASSERT_OK(load(&c));
    ASSERT_OK(slots_store_clear(s));
    watch w = {.types = {t}, .stores = {s}};
    snprintf(label, sizeof label, "load_%s %d rows on threads", fmt, ROWS);
    sweep(label, &w, load, &c);
    CU_ASSERT_EQUAL(c.loaded, ROWS);
    unsetenv("SLOTS_LOAD_THREADS");
    free(text);
    ASSERT_OK(slots_store_drop(s));
}

static void test_load_jsonl_threads(void) { threads_scenario("jsonl", call_load_jsonl, false); }
static void test_load_csv_threads(void) { threads_scenario("csv", call_load_csv, true); }
static void test_load_csv(void) { load_scenarios("csv", call_load_csv, make_csv); }

/* ---- dumps, repr, to_json ------------------------------------------------------------------- */
typedef struct dump_ctx {
    slots_store *s;
    slots_obj o;
    slots_store *into; /* Arrow imports */
} dump_ctx;
static int call_dump_jsonl(void *p) {
    const char *out;
    size_t n;
    return slots_store_dump_jsonl(((dump_ctx *)p)->s, &out, &n);
}
static int call_dump_csv(void *p) {
    const char *out;
    size_t n;
    return slots_store_dump_csv(((dump_ctx *)p)->s, &out, &n);
}
static int call_repr(void *p) {
    const char *out;
    size_t n;
    return slots_repr(((dump_ctx *)p)->o, &out, &n);
}
static int call_to_json(void *p) {
    const char *out;
    size_t n;
    return slots_to_json(((dump_ctx *)p)->o, &out, &n);
}

/* Drops the calling thread's scratch buffer, so a dump has to allocate it again. */
static void shrink_scratch(void) { sb_free(sb_scratch()); }

static void test_dumps(void) {
    slots_type *t = def(KEYED, SLOTS_DYNAMIC);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    char *text = make_jsonl(300, 1, 0);
    ASSERT_OK(slots_store_load_jsonl(s, text, strlen(text), 0, NULL, NULL));
    free(text);
    dump_ctx c = {s, 0, NULL};
    ASSERT_OK(slots_store_at(s, 7, &c.o));
    ASSERT_OK(slots_extra_set_str(c.o, "note", LONG, sizeof LONG - 1));
    /* the watch holds no dumps here: taking one would grow the scratch buffer under test */
    watch w = {.types = {t}};
    shrink_scratch();
    sweep("dump_jsonl 300 records", &w, call_dump_jsonl, &c);
    shrink_scratch();
    sweep("dump_csv 300 records", &w, call_dump_csv, &c);
    shrink_scratch();
    sweep("repr", &w, call_repr, &c);
    shrink_scratch();
    sweep("to_json", &w, call_to_json, &c);
    ASSERT_OK(slots_store_drop(s));
}

/* ---- Arrow: export (schema, array, stream) and import ----------------------------------------- */
static int call_export_array(void *p) {
    struct ArrowArray a;
    int rc = slots_store_export_array(((dump_ctx *)p)->s, SLOTS_ARROW_STRING_VIEW, NULL, &a);
    if (rc == SLOTS_OK) a.release(&a);
    return rc;
}
static int call_export_schema(void *p) {
    struct ArrowSchema sc;
    const slots_type *t;
    int rc = slots_store_type(((dump_ctx *)p)->s, &t);
    if (rc == SLOTS_OK) rc = slots_type_export_schema(t, SLOTS_ARROW_LARGE, &sc);
    if (rc == SLOTS_OK) sc.release(&sc);
    return rc;
}
/* A stream of store s read into store `into` (the stream's own allocations fail too). */
static int call_import(void *p) {
    dump_ctx *c = p;
    struct ArrowArrayStream st;
    int rc = slots_store_export_stream(c->s, 64, 0, &st);
    return rc == SLOTS_OK ? slots_store_import_stream(c->into, &st, 0, NULL) : rc;
}

static void test_arrow(void) {
    slots_type *t = def(KEYED, 0);
    slots_store *s = NULL, *into = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    ASSERT_OK(slots_store_new(t, &into));
    char *text = make_jsonl(300, 1, 0);
    ASSERT_OK(slots_store_load_jsonl(s, text, strlen(text), 0, NULL, NULL));
    free(text);
    dump_ctx c = {s, 0, into};
    watch w = {.types = {t}, .stores = {s, into}};
    sweep("Arrow schema (first export)", &w, call_export_schema, &c);
    sweep("Arrow array 300 records", &w, call_export_array, &c);
    struct ArrowSchema sc; /* the type keeps its schema for good once made: made before the sweep */
    ASSERT_OK(slots_type_export_schema(t, 0, &sc));
    sweep("Arrow import 300 records", &w, call_import, &c);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(into));
}

/* ---- issue 17: values, streaming loads, upserts, removal by key, response dumps ------------------ */
/* The text's lines as values (each call cuts them afresh: the sweep repeats it). */
static int call_load_values(void *p) {
    store_ctx *c = p;
    const char *v[200];
    size_t lens[200], n = 0;
    for (const char *q = c->text, *end = c->text + c->len; q < end && n < 200; n++) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        v[n] = q, lens[n] = nl ? (size_t)(nl - q) : (size_t)(end - q);
        q = nl ? nl + 1 : end;
    }
    return slots_store_load_json_values(c->s, v, lens, n, c->flags, &c->loaded, &c->skipped);
}
/* A whole streaming load in one call: begin, the text in 97-byte chunks, commit (or abort). */
static int call_loader(void *p) {
    store_ctx *c = p;
    slots_loader *l = NULL;
    int rc = slots_loader_begin(c->s, (int)c->n, c->flags, &l);
    for (size_t i = 0; rc == SLOTS_OK && i < c->len; i += 97)
        rc = slots_loader_feed(l, c->text + i, c->len - i < 97 ? c->len - i : 97);
    if (rc == SLOTS_OK) return slots_loader_commit(l, &c->loaded, &c->skipped);
    if (l) slots_loader_abort(l);
    return rc;
}
static int call_upsert(void *p) {
    store_ctx *c = p;
    return slots_store_upsert(c->s, c->o, NULL);
}
static int call_dump_keys(void *p) {
    store_ctx *c = p;
    const int64_t keys[] = {1003, 1001, 1100, 1003};
    const char *out;
    size_t n;
    return slots_store_dump_json_keys_i64(c->s, keys, 4, SLOTS_DUMP_ARRAY, &out, &n);
}
static int call_dump_range(void *p) {
    store_ctx *c = p;
    const char *out;
    size_t n;
    return slots_store_dump_json_range(c->s, 10, 90, 0, &out, &n);
}

static void sources_scenarios(const char *fmt, int format, char *(*make)(int, int, int)) {
    setenv("SLOTS_LOADER_BATCH", "1000", 1); /* several pieces, rows cut between feeds */
    slots_type *t = def(KEYED, 0);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    watch w = {.types = {t}, .stores = {s}};
    store_ctx c = {.s = s, .n = (size_t)format};
    char label[80];
    char *text = make(120, 1000, 0);
    c.text = text, c.len = strlen(text);
    snprintf(label, sizeof label, "loader %s 120 rows", fmt);
    sweep(label, &w, call_loader, &c);
    c.flags = SLOTS_LOAD_UPSERT; /* every row's key is there: each replaces its record */
    snprintf(label, sizeof label, "loader %s upsert 120 rows", fmt);
    sweep(label, &w, call_loader, &c);
    free(text);
    text = make(120, 1100, 10); /* 12 bad rows; 18 good ones hold keys the store has */
    c.text = text, c.len = strlen(text), c.flags = SLOTS_LOAD_SKIP_BAD;
    snprintf(label, sizeof label, "loader %s skip-bad, duplicates", fmt);
    sweep(label, &w, call_loader, &c);
    CU_ASSERT_EQUAL(c.skipped, 12 + 18);
    free(text);
    ASSERT_OK(slots_store_drop(s));
    unsetenv("SLOTS_LOADER_BATCH");
}

static void test_sources(void) {
    sources_scenarios("jsonl", SLOTS_FORMAT_JSONL, make_jsonl);
    sources_scenarios("csv", SLOTS_FORMAT_CSV, make_csv);
    slots_type *t = def(KEYED, 0);
    slots_store *s = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    watch w = {.types = {t}, .stores = {s}};
    store_ctx c = {.s = s};
    char *text = make_jsonl(150, 1000, 0);
    c.text = text, c.len = strlen(text);
    sweep("load_json_values 150", &w, call_load_values, &c);
    c.flags = SLOTS_LOAD_UPSERT;
    sweep("load_json_values upsert 150", &w, call_load_values, &c);
    sweep("load_jsonl upsert 150", &w, call_load_jsonl, &c);
    free(text);
    text = make_jsonl(150, 1000, 10);
    c.text = text, c.len = strlen(text), c.flags = SLOTS_LOAD_SKIP_BAD | SLOTS_LOAD_UPSERT;
    sweep("load_json_values skip-bad upsert", &w, call_load_values, &c);
    free(text);
    /* one record: replaced in place, then added */
    ASSERT_OK(slots_new(t, &c.o));
    ASSERT_OK(slots_set_i64(c.o, 0, 1001));
    ASSERT_OK(slots_set_str(c.o, 1, LONG, sizeof LONG - 1));
    sweep("store_upsert (replace)", &w, call_upsert, &c);
    ASSERT_OK(slots_set_i64(c.o, 0, 77777));
    sweep("store_upsert (append)", &w, call_upsert, &c);
    ASSERT_OK(slots_free(c.o));
    shrink_scratch();
    watch wd = {.types = {t}};
    sweep("dump_json_keys_i64", &wd, call_dump_keys, &c);
    shrink_scratch();
    sweep("dump_json_range", &wd, call_dump_range, &c);
    ASSERT_OK(slots_store_remove_key_i64(s, 1001));
    ASSERT_OK(slots_store_drop(s));
}

/* ---- issue 16: the timestamp, date, uuid and decimal kinds through every path that allocates --- */
#define TEXTUAL "id: i64 key, at: timestamp, day: date optional, u: uuid, price: decimal(10,2), big: decimal(38,4) = '1.5'"

static char *make_textual_jsonl(int n) {
    size_t cap = (size_t)n * 256 + 1, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "{\"id\":%d,\"at\":\"2024-02-29T12:00:%02d.5+01:00\",\"day\":%s,\"u\":\"%08x-0000-4000-8000-%012d\","
                                "\"price\":%d.25,\"big\":\"-%d12345678901234567890.1234\"}\n",
                                i, i % 60, i % 3 ? "\"2000-02-29\"" : "null", i, i, i, i);
    return text;
}

static int call_set_timestamp_text(void *p) {
    rec_ctx *c = p;
    const char *s;
    size_t n;
    int rc = slots_set_str(c->o, 1, "2024-01-01T00:00:00-05:00", 25);
    return rc == SLOTS_OK ? slots_get_str(c->o, 5, &s, &n) : rc; /* a copy into the read arena */
}

static void test_textual_kinds(void) {
    slots_type *t = def(TEXTUAL, 0);
    slots_store *s = NULL, *into = NULL;
    ASSERT_OK(slots_store_new(t, &s));
    ASSERT_OK(slots_store_new(t, &into));
    char *text = make_textual_jsonl(200);
    store_ctx lc = {.t = t, .s = s, .text = text, .len = strlen(text)};
    watch w = {.types = {t}, .stores = {s, into}};
    sweep("load_jsonl 200 textual", &w, call_load_jsonl, &lc);
    free(text);
    const char *out;
    size_t n;
    ASSERT_OK(slots_store_dump_csv(s, &out, &n));
    char *csv = strdup(out);
    store_ctx cc = {.t = t, .s = into, .text = csv, .len = strlen(csv)};
    sweep("load_csv 200 textual", &w, call_load_csv, &cc);
    free(csv);
    ASSERT_OK(slots_store_clear(into));
    dump_ctx c = {s, 0, into};
    ASSERT_OK(slots_store_at(s, 7, &c.o));
    shrink_scratch();
    sweep("dump_jsonl textual", &w, call_dump_jsonl, &c);
    shrink_scratch();
    sweep("dump_csv textual", &w, call_dump_csv, &c);
    shrink_scratch();
    sweep("repr textual", &w, call_repr, &c);
    shrink_scratch();
    sweep("to_json textual", &w, call_to_json, &c);
    sweep("Arrow schema textual (d:P,S, arrow.uuid)", &w, call_export_schema, &c);
    struct ArrowSchema sc;
    ASSERT_OK(slots_type_export_schema(t, 0, &sc));
    sweep("Arrow array textual", &w, call_export_array, &c);
    sweep("Arrow import textual", &w, call_import, &c);
    rec_ctx rc = {.t = t, .o = c.o};
    watch wr = {.types = {t}, .recs = {c.o}};
    sweep("set_str timestamp, get_str decimal", &wr, call_set_timestamp_text, &rc);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(into));
}

static void test_total(void) { printf("\n    oom total: %ld allocation sites injected", sites_total); }

int main(void) {
    CU_TestInfo tests[] = {
        {"type definition", test_type_define},
        {"record creation", test_record_create},
        {"string sets", test_string_sets},
        {"extras", test_extras},
        {"stores and index growth", test_stores},
        {"copy and JSON decode", test_copy_and_json},
        {"JSONL load", test_load_jsonl},
        {"JSONL load on threads", test_load_jsonl_threads},
        {"CSV load on threads", test_load_csv_threads},
        {"CSV load", test_load_csv},
        {"dumps", test_dumps},
        {"Arrow export and import", test_arrow},
        {"sources: values, loaders, upserts, response dumps", test_sources},
        {"timestamp, date, uuid, decimal", test_textual_kinds},
        {"total", test_total},
        CU_TEST_INFO_NULL,
    };
    return run_suite("oom", tests);
}
