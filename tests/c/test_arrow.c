/*
 * test_arrow.c — stores and types as Arrow C Data Interface structs (arrow_*.c): the schema of every
 * kind (formats, names, nullability, the key's metadata) and who owns it; arrays of every kind read
 * back buffer by buffer (validity, values, bits, offsets, views), nulls and unset cells, empty
 * stores, arrays that outlive their store, moved children; streams in batches, and streams whose
 * store is dropped or changed; imports that round-trip, and imports that fail (kinds, ranges,
 * names, nulls, missing fields, validators, a failing stream) changing nothing.
 */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS 300 /* several slabs (64, 128, 256) */

static const char *EVERY_KIND =
    "id: i64 key, b: bool, i8: i8, i16: i16, i32: i32, u8: u8, u16: u16, u32: u32, u64: u64, "
    "f32: f32, f64: f64, s: str, by: bytes, r: ref, opt: i32 optional";
enum { F_ID, F_B, F_I8, F_I16, F_I32, F_U8, F_U16, F_U32, F_U64, F_F32, F_F64, F_S, F_BY, F_R, F_OPT, NF };

static slots_store *new_store(const char *fields, slots_type **type) {
    slots_type *t;
    slots_store *s;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Arrow"), fields, NULL, 0, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    if (type) *type = t;
    return s;
}

/* Record i's text: short ones inline in the slot, every fifth longer than a slot and a view hold. */
static void text_of(int i, char *buf, size_t cap) {
    if (i % 5 == 0) snprintf(buf, cap, "a longer text that goes out of line, number %d", i);
    else snprintf(buf, cap, "t%d", i);
}

/* ROWS records of EVERY_KIND: field k of record i is unset when (i + k) % 11 == 0 (never the key),
 * opt is null when i % 4 == 0; then every seventh record removed (holes). The handles in h. */
static size_t fill(slots_store *s, slots_obj *h) {
    char text[80];
    size_t left = 0;
    for (int i = 0; i < ROWS; i++) {
        ASSERT_OK(slots_store_append(s, &h[i]));
        text_of(i, text, sizeof text);
        ASSERT_OK(slots_set_i64(h[i], F_ID, i));
#define UNSET(k) ((i + (k)) % 11 == 0)
        if (!UNSET(F_B)) ASSERT_OK(slots_set_bool(h[i], F_B, i % 3 == 0));
        if (!UNSET(F_I8)) ASSERT_OK(slots_set_i64(h[i], F_I8, -(i % 128)));
        if (!UNSET(F_I16)) ASSERT_OK(slots_set_i64(h[i], F_I16, -i * 100));
        if (!UNSET(F_I32)) ASSERT_OK(slots_set_i64(h[i], F_I32, -i * 100000));
        if (!UNSET(F_U8)) ASSERT_OK(slots_set_i64(h[i], F_U8, i % 256));
        if (!UNSET(F_U16)) ASSERT_OK(slots_set_i64(h[i], F_U16, i * 200));
        if (!UNSET(F_U32)) ASSERT_OK(slots_set_i64(h[i], F_U32, (int64_t)i * 10000000));
        if (!UNSET(F_U64)) ASSERT_OK(slots_set_u64(h[i], F_U64, UINT64_MAX - (uint64_t)i));
        if (!UNSET(F_F32)) ASSERT_OK(slots_set_f64(h[i], F_F32, i + 0.5));
        if (!UNSET(F_F64)) ASSERT_OK(slots_set_f64(h[i], F_F64, i / 4.0));
        if (!UNSET(F_S)) ASSERT_OK(slots_set_str(h[i], F_S, text, strlen(text)));
        if (!UNSET(F_BY)) ASSERT_OK(slots_set_bytes(h[i], F_BY, text, strlen(text) % 7));
        if (!UNSET(F_R) && i > 0) ASSERT_OK(slots_set_ref(h[i], F_R, h[i - 1]));
        if (!UNSET(F_OPT)) ASSERT_OK(i % 4 == 0 ? slots_set_null(h[i], F_OPT) : slots_set_i64(h[i], F_OPT, i));
    }
    for (int i = 0; i < ROWS; i++) {
        if (i % 7 == 3) ASSERT_OK(slots_store_remove(s, h[i]));
        if (i % 7 != 3) left++;
    }
    return left;
}

static bool valid_at(const struct ArrowArray *a, int64_t k) {
    const unsigned char *bits = a->buffers[0];
    return !bits || ((bits[(a->offset + k) / 8] >> ((a->offset + k) % 8)) & 1);
}

/* The key/value pairs of a metadata blob: whether it holds exactly key = val. */
static bool metadata_is(const char *m, const char *key, const char *val) {
    int32_t n, len;
    if (!m) return false;
    memcpy(&n, m, 4), m += 4;
    if (n != 1) return false;
    memcpy(&len, m, 4), m += 4;
    if ((size_t)len != strlen(key) || memcmp(m, key, (size_t)len) != 0) return false;
    m += len;
    memcpy(&len, m, 4), m += 4;
    return (size_t)len == strlen(val) && memcmp(m, val, (size_t)len) == 0;
}

static void test_schema_formats(void) {
    slots_type *t;
    slots_store *s = new_store(EVERY_KIND, &t);
    struct ArrowSchema sc;
    ASSERT_OK(slots_type_export_schema(t, 0, &sc));
    CU_ASSERT_STRING_EQUAL(sc.format, "+s");
    CU_ASSERT_STRING_EQUAL(sc.name, "");
    CU_ASSERT_TRUE(metadata_is(sc.metadata, "libslots.type", slots_type_name(t)));
    CU_ASSERT_EQUAL(sc.n_children, NF - 1); /* the ref left out */
    const char *formats[] = {"l", "b", "c", "s", "i", "C", "S", "I", "L", "f", "g", "u", "z", "i"};
    const char *names[] = {"id", "b", "i8", "i16", "i32", "u8", "u16", "u32", "u64", "f32", "f64", "s", "by", "opt"};
    for (int k = 0; k < sc.n_children; k++) {
        CU_ASSERT_STRING_EQUAL(sc.children[k]->format, formats[k]);
        CU_ASSERT_STRING_EQUAL(sc.children[k]->name, names[k]);
        CU_ASSERT_EQUAL(sc.children[k]->flags, ARROW_FLAG_NULLABLE);
        CU_ASSERT_EQUAL(sc.children[k]->n_children, 0);
        CU_ASSERT_PTR_NOT_NULL(sc.children[k]->release);
        CU_ASSERT_TRUE(k == 0 ? metadata_is(sc.children[k]->metadata, "libslots.key", "true") : !sc.children[k]->metadata);
    }
    sc.release(&sc);
    CU_ASSERT_PTR_NULL(sc.release);
    /* views, large offsets, refs */
    ASSERT_OK(slots_type_export_schema(t, SLOTS_ARROW_STRING_VIEW | SLOTS_ARROW_REFS, &sc));
    CU_ASSERT_EQUAL(sc.n_children, NF);
    CU_ASSERT_STRING_EQUAL(sc.children[F_S]->format, "vu");
    CU_ASSERT_STRING_EQUAL(sc.children[F_BY]->format, "vz");
    CU_ASSERT_STRING_EQUAL(sc.children[F_R]->format, "L");
    sc.release(&sc);
    ASSERT_OK(slots_type_export_schema(t, SLOTS_ARROW_LARGE, &sc));
    CU_ASSERT_STRING_EQUAL(sc.children[F_S]->format, "U");
    CU_ASSERT_STRING_EQUAL(sc.children[F_BY]->format, "Z");
    sc.release(&sc);
    /* refused: conflicting or unknown flags, NULL out, a bad type */
    ASSERT_STATUS(slots_type_export_schema(t, SLOTS_ARROW_LARGE | SLOTS_ARROW_STRING_VIEW, &sc), SLOTS_EINVAL);
    ASSERT_MSG("exclude each other");
    ASSERT_STATUS(slots_type_export_schema(t, 0x100, &sc), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_export_schema(t, 0, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_export_schema((const slots_type *)&sc, 0, &sc), SLOTS_EINVAL);
    slots_store_drop(s);
}

/* The type owns its schema: after the first export, exporting allocates nothing, so a consumer that
 * never releases the top-level schema (DuckDB) leaks nothing; the children are shared. */
static void test_schema_owned_by_type(void) {
    slots_type *t;
    slots_store *s = new_store("a: i64, b: str", &t);
    struct ArrowSchema first, second;
    ASSERT_OK(slots_type_export_schema(t, 0, &first));
    size_t before = slots_memory_used();
    for (int k = 0; k < 100; k++) ASSERT_OK(slots_type_export_schema(t, 0, &second)); /* never released */
    CU_ASSERT_EQUAL(slots_memory_used(), before);
    CU_ASSERT_PTR_EQUAL(first.children, second.children);
    /* a consumer that moves a child out marks the type's copy released; the next export has it live */
    struct ArrowSchema moved = *first.children[1];
    first.children[1]->release = NULL;
    moved.release(&moved);
    CU_ASSERT_PTR_NULL(moved.release);
    ASSERT_OK(slots_type_export_schema(t, 0, &second));
    CU_ASSERT_PTR_NOT_NULL(second.children[1]->release);
    CU_ASSERT_STRING_EQUAL(second.children[1]->name, "b");
    first.release(&first);
    second.release(&second);
    slots_store_drop(s);
}

/* Checks child k of an exported EVERY_KIND batch against the records `rows` (alive, in order). */
static void check_child(const struct ArrowArray *c, int field, const int *rows, int64_t n, unsigned flags) {
    CU_ASSERT_EQUAL_FATAL(c->length, n);
    CU_ASSERT_EQUAL(c->offset, 0);
    CU_ASSERT_EQUAL(c->n_children, 0);
    int64_t nulls = 0;
    for (int64_t k = 0; k < n; k++) {
        int i = rows[k];
        bool expect = (field == F_ID || !UNSET(field)) && !(field == F_OPT && i % 4 == 0) && !(field == F_R && i == 0);
        CU_ASSERT_EQUAL(valid_at(c, k), expect);
        if (!expect) {
            nulls++;
            continue;
        }
        const void *v = c->buffers[1];
        char text[80];
        text_of(i, text, sizeof text);
        switch (field) {
        case F_ID: CU_ASSERT_EQUAL(((const int64_t *)v)[k], i); break;
        case F_B: CU_ASSERT_EQUAL((((const unsigned char *)v)[k / 8] >> (k % 8)) & 1, i % 3 == 0); break;
        case F_I8: CU_ASSERT_EQUAL(((const int8_t *)v)[k], -(i % 128)); break;
        case F_I16: CU_ASSERT_EQUAL(((const int16_t *)v)[k], -i * 100); break;
        case F_I32: CU_ASSERT_EQUAL(((const int32_t *)v)[k], -i * 100000); break;
        case F_U8: CU_ASSERT_EQUAL(((const uint8_t *)v)[k], i % 256); break;
        case F_U16: CU_ASSERT_EQUAL(((const uint16_t *)v)[k], i * 200); break;
        case F_U32: CU_ASSERT_EQUAL(((const uint32_t *)v)[k], (uint32_t)i * 10000000u); break;
        case F_U64: CU_ASSERT_EQUAL(((const uint64_t *)v)[k], UINT64_MAX - (uint64_t)i); break;
        case F_F32: CU_ASSERT_EQUAL(((const float *)v)[k], i + 0.5f); break;
        case F_F64: CU_ASSERT_EQUAL(((const double *)v)[k], i / 4.0); break;
        case F_OPT: CU_ASSERT_EQUAL(((const int32_t *)v)[k], i); break;
        case F_R: CU_ASSERT_NOT_EQUAL(((const uint64_t *)v)[k], 0); break;
        default: { /* text */
            size_t want = field == F_S ? strlen(text) : strlen(text) % 7;
            const char *p;
            size_t len;
            if (flags & SLOTS_ARROW_STRING_VIEW) {
                const char *view = (const char *)v + k * 16;
                int32_t l, buf, at;
                memcpy(&l, view, 4), memcpy(&buf, view + 8, 4), memcpy(&at, view + 12, 4);
                len = (size_t)l;
                if (l <= 12) {
                    p = view + 4;
                } else {
                    CU_ASSERT_EQUAL(buf, 0);
                    CU_ASSERT_EQUAL(memcmp(view + 4, text, 4), 0); /* the prefix */
                    p = (const char *)c->buffers[2] + at;
                }
            } else if (flags & SLOTS_ARROW_LARGE) {
                const int64_t *o = v;
                p = (const char *)c->buffers[2] + o[k], len = (size_t)(o[k + 1] - o[k]);
            } else {
                const int32_t *o = v;
                p = (const char *)c->buffers[2] + o[k], len = (size_t)(o[k + 1] - o[k]);
            }
            CU_ASSERT_EQUAL(len, want);
            CU_ASSERT_EQUAL(memcmp(p, text, want), 0);
        }
        }
    }
    CU_ASSERT_EQUAL(c->null_count, nulls);
    CU_ASSERT_TRUE(nulls > 0 || c->buffers[0] == NULL); /* no nulls: no validity buffer */
    int64_t want_buffers = field == F_S || field == F_BY ? (flags & SLOTS_ARROW_STRING_VIEW ? 4 : 3) : 2;
    CU_ASSERT_EQUAL(c->n_buffers, want_buffers);
    if ((field == F_S || field == F_BY) && (flags & SLOTS_ARROW_STRING_VIEW)) {
        int64_t size;
        memcpy(&size, c->buffers[3], 8); /* the variadic buffer's size */
        CU_ASSERT_TRUE(size >= 0);
    }
}

/* The live records of a fill(), in position order. */
static int64_t live_rows(int *rows) {
    int64_t n = 0;
    for (int i = 0; i < ROWS; i++)
        if (i % 7 != 3) rows[n++] = i;
    return n;
}

static void check_batch(const struct ArrowArray *a, const int *rows, int64_t n, unsigned flags) {
    CU_ASSERT_EQUAL(a->length, n);
    CU_ASSERT_EQUAL(a->null_count, 0);
    CU_ASSERT_EQUAL(a->n_buffers, 1);
    CU_ASSERT_PTR_NULL(a->buffers[0]);
    bool refs = (flags & SLOTS_ARROW_REFS) != 0;
    CU_ASSERT_EQUAL_FATAL(a->n_children, refs ? NF : NF - 1);
    for (int f = 0, k = 0; f < NF; f++) {
        if (f == F_R && !refs) continue;
        check_child(a->children[k++], f, rows, n, flags);
    }
}

static void test_array_every_kind(void) {
    unsigned variants[] = {0, SLOTS_ARROW_STRING_VIEW | SLOTS_ARROW_REFS, SLOTS_ARROW_LARGE};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        slots_store *s = new_store(EVERY_KIND, NULL);
        slots_obj h[ROWS];
        int rows[ROWS];
        size_t n = fill(s, h);
        CU_ASSERT_EQUAL(live_rows(rows), (int64_t)n);
        struct ArrowSchema sc;
        struct ArrowArray a;
        ASSERT_OK(slots_store_export_array(s, variants[v], &sc, &a));
        CU_ASSERT_EQUAL(sc.n_children, a.n_children);
        check_batch(&a, rows, (int64_t)n, variants[v]);
        a.release(&a);
        CU_ASSERT_PTR_NULL(a.release);
        sc.release(&sc);
        slots_store_drop(s);
    }
}

static void test_empty_store(void) {
    slots_store *s = new_store(EVERY_KIND, NULL);
    struct ArrowArray a;
    ASSERT_OK(slots_store_export_array(s, 0, NULL, &a));
    CU_ASSERT_EQUAL(a.length, 0);
    CU_ASSERT_EQUAL(a.n_children, NF - 1);
    for (int k = 0; k < a.n_children; k++) {
        CU_ASSERT_EQUAL(a.children[k]->length, 0);
        for (int b = 1; b < a.children[k]->n_buffers; b++) CU_ASSERT_PTR_NOT_NULL(a.children[k]->buffers[b]);
    }
    const int32_t *offsets = a.children[F_S]->buffers[1];
    CU_ASSERT_EQUAL(offsets[0], 0); /* one offset even for no rows */
    a.release(&a);
    struct ArrowArrayStream st;
    ASSERT_OK(slots_store_export_stream(s, 10, 0, &st));
    ASSERT_OK(st.get_next(&st, &a));
    CU_ASSERT_PTR_NULL(a.release); /* the end at once */
    st.release(&st);
    CU_ASSERT_PTR_NULL(st.release);
    slots_store_drop(s);
}

/* An exported array owns its buffers: valid after its store changes and is dropped; a child moved
 * out lives on its own; every byte comes back when all is released. */
static void test_array_outlives_store(void) {
    slots_store *s = new_store(EVERY_KIND, NULL);
    slots_obj h[ROWS];
    int rows[ROWS];
    size_t n = fill(s, h);
    live_rows(rows);
    size_t with_store = slots_memory_used();
    struct ArrowArray a;
    ASSERT_OK(slots_store_export_array(s, 0, NULL, &a));
    CU_ASSERT_TRUE(slots_memory_used() > with_store); /* counted until released */
    ASSERT_OK(slots_set_str(h[1], F_S, "changed", 7));
    ASSERT_OK(slots_store_clear(s));
    ASSERT_OK(slots_store_drop(s));
    check_batch(&a, rows, (int64_t)n, 0); /* unchanged */
    /* move child F_S out (the spec's "moving child arrays"), then release the parent at once */
    struct ArrowArray child = *a.children[F_S];
    a.children[F_S]->release = NULL;
    a.release(&a);
    check_child(&child, F_S, rows, (int64_t)n, 0);
    child.release(&child);
    CU_ASSERT_PTR_NULL(child.release);
    CU_ASSERT_TRUE(slots_memory_used() < with_store); /* the store's memory and the array's are back */
}

static void test_stream_batches(void) {
    slots_type *t;
    slots_store *s = new_store(EVERY_KIND, &t);
    slots_obj h[ROWS];
    int rows[ROWS];
    int64_t n = (int64_t)fill(s, h), seen = 0, batches = 0;
    live_rows(rows);
    struct ArrowArrayStream st;
    ASSERT_OK(slots_store_export_stream(s, 64, 0, &st));
    struct ArrowSchema sc;
    CU_ASSERT_EQUAL(st.get_schema(&st, &sc), 0);
    CU_ASSERT_STRING_EQUAL(sc.format, "+s");
    CU_ASSERT_EQUAL(sc.n_children, NF - 1);
    sc.release(&sc);
    struct ArrowArray a;
    for (;;) {
        CU_ASSERT_EQUAL_FATAL(st.get_next(&st, &a), 0);
        if (!a.release) break;
        int64_t want = n - seen < 64 ? n - seen : 64;
        check_batch(&a, rows + seen, want, 0);
        seen += a.length, batches++;
        struct ArrowArray moved = a; /* moved elsewhere, as the spec allows: still valid */
        a.release = NULL;
        moved.release(&moved);
    }
    CU_ASSERT_EQUAL(seen, n);
    CU_ASSERT_EQUAL(batches, (n + 63) / 64);
    CU_ASSERT_EQUAL(st.get_next(&st, &a), 0); /* still the end */
    CU_ASSERT_PTR_NULL(a.release);
    st.release(&st);
    /* refused: NULL out, bad flags, a dropped store */
    ASSERT_STATUS(slots_store_export_stream(s, 0, 0, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_export_stream(s, 0, 0x80, &st), SLOTS_EINVAL);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_STATUS(slots_store_export_stream(s, 0, 0, &st), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_export_array(s, 0, NULL, &a), SLOTS_ESTALE);
}

/* A stream whose store changes after it was made (a record added or removed, the store cleared, a
 * field set or deleted) or is dropped fails cleanly: EINVAL and a message, the batches already taken
 * still valid; a stream that gave every record ends all the same. */
static void test_stream_store_changed(void) {
    for (int how = 0; how < 6; how++) {
        slots_store *s = new_store("a: i64, b: str", NULL);
        slots_obj h[200];
        for (int i = 0; i < 200; i++) {
            ASSERT_OK(slots_store_append(s, &h[i]));
            ASSERT_OK(slots_set_i64(h[i], 0, i));
            ASSERT_OK(slots_set_str(h[i], 1, "x", 1));
        }
        struct ArrowArrayStream st, done;
        struct ArrowArray first, a;
        ASSERT_OK(slots_store_export_stream(s, 200, 0, &done)); /* read to its end before the change */
        CU_ASSERT_EQUAL_FATAL(done.get_next(&done, &a), 0);
        a.release(&a);
        ASSERT_OK(slots_store_export_stream(s, 50, 0, &st));
        CU_ASSERT_EQUAL_FATAL(st.get_next(&st, &first), 0);
        slots_obj more;
        const char *want = "changed";
        switch (how) {
        case 0: ASSERT_OK(slots_store_append(s, &more)); break;
        case 1: ASSERT_OK(slots_store_remove(s, h[199])); break;
        case 2: ASSERT_OK(slots_store_clear(s)); break;
        case 3: ASSERT_OK(slots_set_i64(h[100], 0, -1)); break;
        case 4: ASSERT_OK(slots_del(h[150], 1)); break;
        default: ASSERT_OK(slots_store_drop(s)); want = "dropped";
        }
        CU_ASSERT_EQUAL(st.get_next(&st, &a), EINVAL);
        const char *why = st.get_last_error(&st);
        CU_ASSERT_PTR_NOT_NULL_FATAL(why);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, want));
        CU_ASSERT_EQUAL(st.get_next(&st, &a), EINVAL); /* and stays failed */
        CU_ASSERT_EQUAL(((const int64_t *)first.children[0]->buffers[1])[49], 49);
        first.release(&first);
        st.release(&st);
        CU_ASSERT_EQUAL(done.get_next(&done, &a), 0); /* every record read: its end, nothing to mix */
        CU_ASSERT_PTR_NULL(a.release);
        done.release(&done);
        if (how != 5) slots_store_drop(s);
    }
}

/* Exports while other threads set the text fields: each cell is one whole value a writer wrote (a
 * short one inline or a long one out of line), never a mix, as every reader of text sees. */
#define WRITERS 2
#define RACE_ROWS 100
static const char *const RACE_TEXT[] = {"short", "a text too long to be inline in a slot, or in a view"};
typedef struct race {
    slots_obj *h;
    int seed;
    int *stop;
} race;

static void *race_writer(void *p) {
    race *r = p;
    for (unsigned k = (unsigned)r->seed; !__atomic_load_n(r->stop, __ATOMIC_RELAXED); k = k * 1103515245u + 12345u) {
        const char *text = RACE_TEXT[(k >> 16) & 1];
        if (slots_set_str(r->h[(k >> 8) % RACE_ROWS], 0, text, strlen(text)) != SLOTS_OK) break;
    }
    return NULL;
}

static void test_export_while_text_changes(void) {
    slots_store *s = new_store("s: str", NULL);
    slots_obj h[RACE_ROWS];
    for (int i = 0; i < RACE_ROWS; i++) {
        ASSERT_OK(slots_store_append(s, &h[i]));
        ASSERT_OK(slots_set_str(h[i], 0, RACE_TEXT[0], strlen(RACE_TEXT[0])));
    }
    int stop = 0;
    race w[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (race){h, i + 1, &stop};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, race_writer, &w[i]), 0);
    }
    int bad = 0;
    for (int round = 0; round < 200; round++) {
        struct ArrowArray a;
        ASSERT_OK(slots_store_export_array(s, round % 2 ? SLOTS_ARROW_STRING_VIEW : 0, NULL, &a));
        const struct ArrowArray *c = a.children[0];
        for (int64_t k = 0; k < c->length; k++) {
            const char *p;
            size_t len;
            if (round % 2) {
                const char *view = (const char *)c->buffers[1] + k * 16;
                int32_t l, at;
                memcpy(&l, view, 4), memcpy(&at, view + 12, 4);
                len = (size_t)l, p = l <= 12 ? view + 4 : (const char *)c->buffers[2] + at;
            } else {
                const int32_t *o = c->buffers[1];
                len = (size_t)(o[k + 1] - o[k]), p = (const char *)c->buffers[2] + o[k];
            }
            bool whole = false;
            for (int t = 0; t < 2; t++) whole |= len == strlen(RACE_TEXT[t]) && memcmp(p, RACE_TEXT[t], len) == 0;
            bad += !whole;
        }
        a.release(&a);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < WRITERS; i++) pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(bad, 0);
    slots_store_drop(s);
}

/* ---- import --------------------------------------------------------------------------------- */
static void test_import_round_trip(void) {
    unsigned variants[] = {0, SLOTS_ARROW_STRING_VIEW, SLOTS_ARROW_LARGE};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        slots_type *t;
        slots_store *s = new_store(EVERY_KIND, &t), *copy;
        slots_obj h[ROWS];
        size_t n = fill(s, h), loaded = 0;
        ASSERT_OK(slots_store_new(t, &copy));
        struct ArrowArrayStream st;
        ASSERT_OK(slots_store_export_stream(s, 77, variants[v], &st));
        /* refs are not exported: lenient, so the ref field stays unset */
        ASSERT_OK(slots_store_import_stream(copy, &st, SLOTS_LOAD_LENIENT, &loaded));
        CU_ASSERT_PTR_NULL(st.release); /* consumed */
        CU_ASSERT_EQUAL(loaded, n);
        for (int i = 0; i < ROWS; i++) /* without the refs; an unset optional field comes back null */
            if (i % 7 != 3) {
                slots_del(h[i], F_R);
                if (slots_is_set(h[i], F_OPT) == 0) ASSERT_OK(slots_set_null(h[i], F_OPT));
            }
        const char *a, *b;
        size_t alen, blen;
        ASSERT_OK(slots_store_dump_jsonl(s, &a, &alen));
        char *keep = malloc(alen);
        memcpy(keep, a, alen);
        ASSERT_OK(slots_store_dump_jsonl(copy, &b, &blen));
        CU_ASSERT_EQUAL(alen, blen);
        CU_ASSERT_EQUAL(memcmp(keep, b, alen < blen ? alen : blen), 0);
        free(keep);
        slots_store_drop(s);
        slots_store_drop(copy);
    }
}

/* A stream of hand-made batches: one column per schema child, each batch `len` rows. */
#define MAXCOL 4
typedef struct fake {
    struct ArrowSchema schema, kids[MAXCOL], *kid_ptrs[MAXCOL];
    int ncols, nbatches, next, fail_at; /* get_next fails (EIO) at batch fail_at (-1: never) */
    int64_t len;
    const void *bufs[8][MAXCOL][3]; /* [batch][column][buffer] */
    struct ArrowArray arrays[8][MAXCOL], *array_ptrs[8][MAXCOL];
    const void *top_bufs[1]; /* the struct's validity: none */
    int released, arrays_released;
} fake;

static void noop_schema(struct ArrowSchema *s) { s->release = NULL; }
static void static_array(struct ArrowArray *a) { a->release = NULL; }
static void counted_array(struct ArrowArray *a) {
    ((fake *)a->private_data)->arrays_released++;
    a->release = NULL;
}
static int fake_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
    *out = ((fake *)st->private_data)->schema;
    return 0;
}
static int fake_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
    fake *f = st->private_data;
    if (f->next == f->fail_at) return EIO;
    if (f->next == f->nbatches) {
        out->release = NULL;
        return 0;
    }
    int b = f->next++;
    for (int k = 0; k < f->ncols; k++) {
        f->arrays[b][k] = (struct ArrowArray){.length = f->len, .n_buffers = f->kids[k].format[0] == 'u' ? 3 : 2,
                                              .buffers = f->bufs[b][k], .release = static_array,
                                              .private_data = f};
        f->arrays[b][k].null_count = f->bufs[b][k][0] ? -1 : 0;
        f->array_ptrs[b][k] = &f->arrays[b][k];
    }
    *out = (struct ArrowArray){.length = f->len, .n_buffers = 1, .n_children = f->ncols, .buffers = f->top_bufs,
                               .children = f->array_ptrs[b], .release = counted_array, .private_data = f};
    return 0;
}
static const char *fake_error(struct ArrowArrayStream *st) { (void)st; return "the fake stream broke"; }
static void fake_release(struct ArrowArrayStream *st) {
    ((fake *)st->private_data)->released++;
    st->release = NULL;
}

static void fake_init(fake *f, int ncols, const char **names, const char **formats, int nbatches, int64_t len) {
    memset(f, 0, sizeof *f);
    f->ncols = ncols, f->nbatches = nbatches, f->len = len, f->fail_at = -1;
    for (int k = 0; k < ncols; k++) {
        f->kids[k] = (struct ArrowSchema){.format = formats[k], .name = names[k], .flags = ARROW_FLAG_NULLABLE, .release = noop_schema};
        f->kid_ptrs[k] = &f->kids[k];
    }
    f->schema = (struct ArrowSchema){.format = "+s", .name = "", .n_children = ncols, .children = f->kid_ptrs, .release = noop_schema};
}

static struct ArrowArrayStream fake_stream(fake *f) {
    return (struct ArrowArrayStream){fake_schema, fake_next, fake_error, fake_release, f};
}

/* Imports f's stream into s, which must fail with `status` and a message holding `msg`. */
static void import_fails(slots_store *s, fake *f, unsigned flags, int status, const char *msg) {
    struct ArrowArrayStream st = fake_stream(f);
    size_t loaded = 0;
    ASSERT_STATUS(slots_store_import_stream(s, &st, flags, &loaded), status);
    ASSERT_MSG(msg);
    CU_ASSERT_EQUAL(f->released, 1); /* consumed whatever happens */
}

static const char *ID_NAME = "id: i64 key, name: str, qty: u8 = 7, note: str = null optional";

/* Two batches of three rows: id, name, qty as given. */
static void fake_rows(fake *f, const int64_t *ids, const char *text, const int32_t *offsets, const int32_t *qty,
                      const unsigned char *qty_valid) {
    static const char *names[] = {"id", "name", "qty"};
    static const char *formats[] = {"l", "u", "i"};
    fake_init(f, 3, names, formats, 2, 3);
    for (int b = 0; b < 2; b++) {
        f->bufs[b][0][1] = ids + 3 * b;
        f->bufs[b][1][1] = offsets + 4 * b, f->bufs[b][1][2] = text;
        f->bufs[b][2][0] = qty_valid ? qty_valid + b : NULL, f->bufs[b][2][1] = qty + 3 * b;
    }
}

/* The rows both import tests read: ids, and names as utf8 text with its offsets (two batches of 3). */
static const int64_t ids[] = {1, 2, 3, 4, 5, 6};
static const char text[] = "onetwothreefourfivesix";
static const int32_t offsets[] = {0, 3, 6, 11, 11, 15, 19, 22};

static void test_import_rows(void) {
    slots_store *s = new_store(ID_NAME, NULL);
    static const int32_t qty[] = {10, 20, 30, 40, 50, 60};
    static const unsigned char valid[] = {0x5, 0x6}; /* batch 0: rows 0, 2; batch 1: rows 1, 2 */
    fake f;
    size_t loaded = 0, n;
    struct ArrowArrayStream st;
    /* a null in a field that is not optional is a missing cell, as an empty CSV cell: the field
     * without a default (name) makes the row bad, naming the batch, row and field */
    static const char *id_name[] = {"id", "name"}, *fmt_lu[] = {"l", "u"};
    fake_init(&f, 2, id_name, fmt_lu, 1, 3);
    f.bufs[0][0][1] = ids, f.bufs[0][1][0] = valid, f.bufs[0][1][1] = offsets, f.bufs[0][1][2] = text;
    import_fails(s, &f, 0, SLOTS_ETYPE, "batch 0, row 1: missing field 'name'");
    CU_ASSERT_EQUAL(f.released, 1); /* consumed whatever happens */
    CU_ASSERT_EQUAL(f.arrays_released, 1);
    const slots_load_error *errs;
    size_t nerr;
    ASSERT_OK(slots_store_load_error_list(s, &errs, &nerr));
    CU_ASSERT_EQUAL_FATAL(nerr, 1);
    CU_ASSERT_EQUAL(errs[0].line, 2); /* the row's number in the stream, from 1 */
    CU_ASSERT_STRING_EQUAL(errs[0].field, "name");
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, 0);
    /* ... and a field with a default (qty = 7) takes it; six rows in two batches */
    fake_rows(&f, ids, text, offsets, qty, valid);
    st = fake_stream(&f);
    ASSERT_OK(slots_store_import_stream(s, &st, 0, &loaded));
    CU_ASSERT_EQUAL(loaded, 6);
    CU_ASSERT_EQUAL(f.arrays_released, 2);
    slots_obj o;
    const char *p;
    size_t len;
    int64_t v;
    int64_t want_qty[] = {10, 7, 30, 7, 50, 60};
    for (int i = 0; i < 6; i++) {
        ASSERT_OK(slots_store_find_i64(s, i + 1, &o));
        ASSERT_OK(slots_get_i64(o, 2, &v));
        CU_ASSERT_EQUAL(v, want_qty[i]);
    }
    ASSERT_OK(slots_store_find_i64(s, 5, &o));
    ASSERT_OK(slots_get_str(o, 1, &p, &len));
    CU_ASSERT_EQUAL(len, 4);
    CU_ASSERT_EQUAL(memcmp(p, "five", 4), 0);
    ASSERT_STATUS(slots_get_str(o, 3, &p, &len), SLOTS_NULL); /* note: not in the stream, its default */
    /* the same ids again: a duplicate key fails all six, the store keeps its six */
    fake_rows(&f, ids, text, offsets, qty, NULL);
    import_fails(s, &f, 0, SLOTS_EEXIST, "batch 0, row 0: ");
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, 6);
    slots_store_drop(s);
}

static void test_import_errors(void) {
    slots_store *s = new_store(ID_NAME, NULL);
    static const int32_t qty[] = {10, 20, 30, 40, 300, 60};
    fake f;
    size_t loaded = 99, n;
    struct ArrowArrayStream st;
    /* out of range for u8 in the second batch: all or nothing */
    fake_rows(&f, ids, text, offsets, qty, NULL);
    import_fails(s, &f, 0, SLOTS_ERANGE, "batch 1, row 1: value 300 out of range for field 'qty' (u8)");
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(loaded, 99);
    /* skipping bad rows instead */
    fake_rows(&f, ids, text, offsets, qty, NULL);
    st = fake_stream(&f);
    ASSERT_OK(slots_store_import_stream(s, &st, SLOTS_LOAD_SKIP_BAD, &loaded));
    CU_ASSERT_EQUAL(loaded, 5);
    ASSERT_OK(slots_store_clear(s));
    /* a column that is not a field; a column twice; a format no field takes */
    static const char *bad_names[] = {"id", "nope"}, *twice[] = {"id", "id"}, *fmt_l[] = {"l", "l"}, *fmt_ts[] = {"l", "tsu:"};
    static const char *ok_names[] = {"id", "name"};
    fake_init(&f, 2, bad_names, fmt_l, 0, 0);
    import_fails(s, &f, 0, SLOTS_ENOATTR, "no attribute 'nope'");
    CU_ASSERT_EQUAL(f.released, 1);
    fake_init(&f, 2, twice, fmt_l, 0, 0);
    import_fails(s, &f, 0, SLOTS_EINVAL, "appears twice");
    fake_init(&f, 2, ok_names, fmt_ts, 0, 0);
    import_fails(s, &f, 0, SLOTS_ETYPE, "'tsu:'");
    /* a column of the wrong kind: the setter's message, naming the field */
    fake_init(&f, 2, ok_names, fmt_l, 1, 3);
    f.bufs[0][0][1] = ids, f.bufs[0][1][1] = ids;
    import_fails(s, &f, 0, SLOTS_ETYPE, "batch 0, row 0: ");
    ASSERT_MSG("name must be str, not int");
    /* missing fields: strict unless lenient (the key always required) */
    static const char *only_id[] = {"id"}, *only_name[] = {"name"}, *fmt_u[] = {"u"};
    fake_init(&f, 1, only_id, fmt_l, 1, 3);
    f.bufs[0][0][1] = ids;
    import_fails(s, &f, 0, SLOTS_ETYPE, "missing field 'name'");
    fake_init(&f, 1, only_id, fmt_l, 1, 3);
    f.bufs[0][0][1] = ids;
    st = fake_stream(&f);
    ASSERT_OK(slots_store_import_stream(s, &st, SLOTS_LOAD_LENIENT, &loaded));
    CU_ASSERT_EQUAL(loaded, 3);
    fake_init(&f, 1, only_name, fmt_u, 1, 3);
    f.bufs[0][0][1] = offsets, f.bufs[0][0][2] = text;
    import_fails(s, &f, SLOTS_LOAD_LENIENT, SLOTS_ETYPE, "missing field 'id'");
    /* the stream itself fails: SLOTS_EIO with its words, nothing added */
    fake_rows(&f, ids + 3, text, offsets, qty, NULL);
    f.fail_at = 1;
    import_fails(s, &f, 0, SLOTS_EIO, "the fake stream broke");
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, 3);
    /* NULL or released streams, bad flags, dropped stores */
    ASSERT_STATUS(slots_store_import_stream(s, NULL, 0, &loaded), SLOTS_EINVAL);
    st.release = NULL;
    ASSERT_STATUS(slots_store_import_stream(s, &st, 0, &loaded), SLOTS_EINVAL);
    fake_init(&f, 1, only_id, fmt_l, 0, 0);
    st = fake_stream(&f);
    ASSERT_STATUS(slots_store_import_stream(s, &st, 0x40, &loaded), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(f.released, 1);
    ASSERT_OK(slots_store_drop(s));
    fake_init(&f, 1, only_id, fmt_l, 0, 0);
    st = fake_stream(&f);
    ASSERT_STATUS(slots_store_import_stream(s, &st, 0, &loaded), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(f.released, 1);
}

/* On a dynamic type a column that is not a field becomes an extra of each row (none for a null). */
static void test_import_extras(void) {
    slots_type *t;
    slots_store *s;
    ASSERT_OK(slots_type_define(unique_name("ArrowDyn"), "id: i64 key", NULL, SLOTS_DYNAMIC, &t));
    ASSERT_OK(slots_store_new(t, &s));
    static const char *names[] = {"id", "label"}, *formats[] = {"l", "u"};
    static const unsigned char valid = 0x5;
    fake f;
    fake_init(&f, 2, names, formats, 1, 3);
    f.bufs[0][0][1] = ids, f.bufs[0][1][0] = &valid, f.bufs[0][1][1] = offsets, f.bufs[0][1][2] = text;
    struct ArrowArrayStream st = fake_stream(&f);
    size_t loaded = 0, n;
    ASSERT_OK(slots_store_import_stream(s, &st, 0, &loaded));
    CU_ASSERT_EQUAL(loaded, 3);
    slots_obj o;
    const char *p;
    size_t len;
    ASSERT_OK(slots_store_find_i64(s, 3, &o));
    ASSERT_OK(slots_extra_get_str(o, "label", &p, &len));
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_EQUAL(memcmp(p, "three", 5), 0);
    ASSERT_OK(slots_store_find_i64(s, 2, &o));
    ASSERT_OK(slots_extra_count(o, &n));
    CU_ASSERT_EQUAL(n, 0);
    slots_store_drop(s);
}

static int no_thirteen(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)self, (void)field;
    ++*(int *)ctx;
    if (v->kind == SLOTS_I64 && v->i == 13) return snprintf(msg, cap, "13 is unlucky"), 1;
    return 0;
}

static void test_import_validators(void) {
    slots_type *t;
    slots_store *s = new_store("id: i64 key, n: i64", &t), *copy;
    int calls = 0;
    ASSERT_OK(slots_store_new(t, &copy));
    for (int i = 0; i < 20; i++) {
        slots_obj o;
        ASSERT_OK(slots_store_append(s, &o));
        ASSERT_OK(slots_set_i64(o, 0, i));
        ASSERT_OK(slots_set_i64(o, 1, i));
    }
    ASSERT_OK(slots_field_set_validator(t, 1, no_thirteen, &calls));
    struct ArrowArrayStream st;
    size_t loaded = 0, n;
    ASSERT_OK(slots_store_export_stream(s, 8, 0, &st));
    ASSERT_STATUS(slots_store_import_stream(copy, &st, 0, &loaded), SLOTS_EINVAL);
    ASSERT_MSG("batch 1, row 5: ");
    ASSERT_MSG("13 is unlucky");
    CU_ASSERT_EQUAL(calls, 14);
    ASSERT_OK(slots_store_len(copy, &n));
    CU_ASSERT_EQUAL(n, 0);
    slots_store_drop(s);
    slots_store_drop(copy);
}

static CU_TestInfo tests[] = {
    {"schema: formats, names, flags, metadata", test_schema_formats},
    {"schema: owned by the type, moved children", test_schema_owned_by_type},
    {"array: every kind, nulls, unset, views, large", test_array_every_kind},
    {"array and stream of an empty store", test_empty_store},
    {"array: outlives its store; moved child", test_array_outlives_store},
    {"stream: batches in order, the end", test_stream_batches},
    {"stream: store changed or dropped -> EINVAL", test_stream_store_changed},
    {"export while other threads set text", test_export_while_text_changes},
    {"import: round trip of every kind", test_import_round_trip},
    {"import: rows, nulls, all or nothing", test_import_rows},
    {"import: errors name batch, row, field", test_import_errors},
    {"import: validators run", test_import_validators},
    {"import: extras of a dynamic type", test_import_extras},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("arrow", tests); }
