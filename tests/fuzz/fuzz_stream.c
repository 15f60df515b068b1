/*
 * fuzz_stream.c — streaming loads (slots_loader): the same text fed in random chunk splits gives
 * exactly what the one-piece load gives (slots_store_load_jsonl / _csv): status, message, records
 * and the load-error list (lines, columns, offsets in the whole text). Byte 0 picks the type (bit
 * 0), the format (bit 1: CSV), and the flags (bit 2 skip bad rows, bit 3 lenient, bit 4 upsert);
 * byte 1 seeds the chunk sizes and the loader's batch; the rest is the text.
 */
#include "fuzz_common.h"

typedef int (*load_fn)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);

typedef struct result {
    int rc;
    size_t loaded, skipped;
    char msg[512];
    char *records; /* the store's JSON Lines dump */
    slots_load_error errors[10];
    char fields[10][128], messages[10][512];
    size_t nerrors;
} result;

static void take(slots_store *s, int rc, result *r) {
    r->rc = rc;
    snprintf(r->msg, sizeof r->msg, "%s", rc == SLOTS_OK ? "" : slots_errmsg());
    const char *out = NULL;
    size_t len = 0;
    int d = slots_store_dump_jsonl_flags(s, SLOTS_DUMP_ALLOW_NAN, &out, &len);
    FUZZ_CHECK(d == SLOTS_OK, "dump: %d", d);
    r->records = strdup(out);
    const slots_load_error *list = NULL;
    FUZZ_CHECK(slots_store_load_error_list(s, &list, &r->nerrors) == SLOTS_OK, "error list");
    for (size_t i = 0; i < r->nerrors && i < 10; i++) {
        r->errors[i] = list[i];
        snprintf(r->fields[i], sizeof r->fields[i], "%s", list[i].field);
        snprintf(r->messages[i], sizeof r->messages[i], "%s", list[i].message);
    }
}

static uint32_t next(uint32_t *x) { return *x = *x * 1103515245u + 12345u, *x >> 16; }

/* The text through a loader, fed in chunks of 1 to 17 bytes. */
static int stream(slots_store *s, int format, unsigned flags, const char *text, size_t len, uint32_t seed,
                  size_t *loaded, size_t *skipped) {
    slots_loader *l = NULL;
    int rc = slots_loader_begin(s, format, flags, &l);
    FUZZ_CHECK(rc == SLOTS_OK, "loader_begin: %d %s", rc, slots_errmsg());
    for (size_t i = 0; rc == SLOTS_OK && i < len;) {
        size_t n = 1 + next(&seed) % 17;
        if (n > len - i) n = len - i;
        rc = slots_loader_feed(l, text + i, n);
        i += n;
    }
    if (rc == SLOTS_OK) return slots_loader_commit(l, loaded, skipped);
    int again = slots_loader_commit(l, NULL, NULL); /* a failed load says so again, and is freed */
    FUZZ_CHECK(again == rc, "commit after a failed feed: %d, feed %d", again, rc);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const slots_type *types[2];
    if (!types[0]) {
        types[0] = fuzz_type("FuzzStreamInt", FUZZ_KEYED_INT, 0);
        types[1] = fuzz_type("FuzzStreamStr", FUZZ_KEYED_STR, SLOTS_DYNAMIC);
    }
    if (size < 2) return 0;
    const slots_type *t = types[data[0] & 1];
    bool csv = data[0] & 2;
    unsigned flags = (data[0] & 4 ? SLOTS_LOAD_SKIP_BAD : 0) | (data[0] & 8 ? SLOTS_LOAD_LENIENT : 0) |
                     (data[0] & 16 ? SLOTS_LOAD_UPSERT : 0);
    uint32_t seed = data[1];
    char batch[16];
    snprintf(batch, sizeof batch, "%u", 1 + data[1] % 61);
    setenv("SLOTS_LOADER_BATCH", batch, 1);
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    const char *text = (const char *)data + 2;
    size_t len = size - 2;
    load_fn load = csv ? slots_store_load_csv : slots_store_load_jsonl;

    result one, many;
    slots_store *a = NULL, *b = NULL;
    FUZZ_CHECK(slots_store_new(t, &a) == SLOTS_OK && slots_store_new(t, &b) == SLOTS_OK, "store_new");
    size_t la = 7, sa = 7, lb = 7, sb = 7;
    take(a, load(a, text, len, flags, &la, &sa), &one);
    take(b, stream(b, csv ? SLOTS_FORMAT_CSV : SLOTS_FORMAT_JSONL, flags, text, len, seed, &lb, &sb), &many);
    FUZZ_CHECK(one.rc == many.rc, "one piece: %d (%s); chunks: %d (%s)", one.rc, one.msg, many.rc, many.msg);
    FUZZ_CHECK(strcmp(one.msg, many.msg) == 0, "one piece: %s\nchunks: %s", one.msg, many.msg);
    FUZZ_CHECK(strcmp(one.records, many.records) == 0, "records differ:\n%s\nchunks:\n%s", one.records, many.records);
    FUZZ_CHECK(one.rc != SLOTS_OK || (la == lb && sa == sb), "counts %zu/%zu vs %zu/%zu", la, sa, lb, sb);
    FUZZ_CHECK(one.nerrors == many.nerrors, "%zu errors listed, chunks %zu", one.nerrors, many.nerrors);
    for (size_t i = 0; i < one.nerrors && i < 10; i++) {
        const slots_load_error *x = &one.errors[i], *y = &many.errors[i];
        FUZZ_CHECK(x->line == y->line && x->column == y->column && x->offset == y->offset &&
                       strcmp(one.fields[i], many.fields[i]) == 0 && strcmp(one.messages[i], many.messages[i]) == 0,
                   "error %zu: %zu:%zu @%zu [%s] %s\nchunks: %zu:%zu @%zu [%s] %s", i, x->line, x->column, x->offset,
                   one.fields[i], one.messages[i], y->line, y->column, y->offset, many.fields[i], many.messages[i]);
    }
    free(one.records);
    free(many.records);
    FUZZ_CHECK(slots_store_drop(a) == SLOTS_OK && slots_store_drop(b) == SLOTS_OK, "drop");
    fuzz_check_released(t);
    return 0;
}
