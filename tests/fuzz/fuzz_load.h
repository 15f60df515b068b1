/*
 * fuzz_load.h — the body both bulk-load targets share. Byte 0 picks the store's type (integer key,
 * or str key on a dynamic type); the rest is the text, loaded twice: all-or-nothing, then with
 * SLOTS_LOAD_SKIP_BAD into a cleared store. After each load: len equals *loaded (0 after a refused
 * all-or-nothing load), the store dumps in both formats, and its own dump loads back to the same
 * count. The all-or-nothing load runs on four threads (fuzz builds cut chunks of 16 bytes, see
 * fuzz.mk) and again on one, JSON without its decode plan (json.c): status, message, records and
 * structured error must be the same. A
 * third, lenient load (SLOTS_LOAD_LENIENT) takes whatever the strict one took, and more (rows
 * missing fields other than the key). Every load's error list is checked (count, offsets in the
 * text). Everything is released at the end.
 */
#include "fuzz_common.h"

typedef int (*load_fn)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);
typedef int (*dump_fn)(const slots_store *, const char **, size_t *);

static size_t store_len(const slots_store *s) {
    size_t n = 0;
    FUZZ_CHECK(slots_store_len(s, &n) == SLOTS_OK, "store_len");
    return n;
}

/* The store's load-error list after a load of len bytes that returned rc having skipped `skipped`:
 * a failed load lists its one error, a skipping one min(skipped, 10), each inside the text. */
static void check_error_list(const slots_store *s, int rc, size_t skipped, size_t len) {
    const slots_load_error *list = NULL;
    size_t n = 99;
    FUZZ_CHECK(slots_store_load_error_list(s, &list, &n) == SLOTS_OK, "load_error_list");
    size_t want = rc != SLOTS_OK ? 1 : skipped < 10 ? skipped : 10;
    FUZZ_CHECK(n == want, "%zu load errors listed, want %zu (rc %d, %zu skipped)", n, want, rc, skipped);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(list[i].field && list[i].message && list[i].offset <= len, "load error %zu: offset %zu of %zu", i,
                   list[i].offset, len);
        FUZZ_CHECK(rc != SLOTS_OK || list[i].line > 0, "a skipped row without a line");
    }
}

static void check_dumps(const slots_type *t, slots_store *s, load_fn load, dump_fn dump, unsigned flags) {
    const char *out = NULL;
    size_t len = 0;
    int rc = slots_store_dump_jsonl(s, &out, &len);
    FUZZ_CHECK(rc == SLOTS_OK || rc == SLOTS_EINVAL /* non-finite float */, "dump_jsonl: %d", rc);
    rc = slots_store_dump_csv(s, &out, &len);
    FUZZ_CHECK(rc == SLOTS_OK, "dump_csv: %d", rc);
    rc = dump(s, &out, &len);
    if (rc != SLOTS_OK) return;
    char *text = malloc(len + 1);
    FUZZ_CHECK(text != NULL, "malloc");
    memcpy(text, out, len + 1);
    slots_store *s2 = NULL;
    FUZZ_CHECK(slots_store_new(t, &s2) == SLOTS_OK, "store_new");
    size_t loaded = 0;
    rc = load(s2, text, len, flags, &loaded, NULL);
    FUZZ_CHECK(rc == SLOTS_OK, "reloading the store's own dump failed (%zu records):\n%s", store_len(s), text);
    FUZZ_CHECK(loaded == store_len(s) && store_len(s2) == loaded, "reload count %zu vs %zu", loaded,
               store_len(s));
    FUZZ_CHECK(slots_store_drop(s2) == SLOTS_OK, "drop");
    free(text);
}

/* The JSON Lines dump of s, copied (the scratch buffer is reused by the next dump). */
static char *dump_copy(const slots_store *s) {
    const char *out = NULL;
    size_t len = 0;
    if (slots_store_dump_jsonl(s, &out, &len) != SLOTS_OK) return NULL;
    char *copy = malloc(len + 1);
    FUZZ_CHECK(copy != NULL, "malloc");
    memcpy(copy, out, len + 1);
    return copy;
}

/* Loads the text again on one thread: the same status, message and records as `s` got (rc). */
static void same_on_one_thread(const slots_type *t, const slots_store *s, int rc, const char *text, size_t len,
                               load_fn load, unsigned flags) {
    char msg[512], *want = dump_copy(s);
    snprintf(msg, sizeof msg, "%s", rc == SLOTS_OK ? "" : slots_errmsg());
    slots_store *one = NULL;
    FUZZ_CHECK(slots_store_new(t, &one) == SLOTS_OK, "store_new");
    setenv("SLOTS_LOAD_THREADS", "1", 1);
    json_plan_enable(false); /* and the JSON decode without its plan: the plan must change nothing */
    int rc1 = load(one, text, len, flags, NULL, NULL);
    json_plan_enable(true);
    FUZZ_CHECK(rc1 == rc, "threads: %d (%s), one thread: %d (%s)", rc, msg, rc1, rc1 ? slots_errmsg() : "");
    FUZZ_CHECK(rc == SLOTS_OK || strcmp(msg, slots_errmsg()) == 0, "threads: %s\none thread: %s", msg, slots_errmsg());
    const slots_load_error *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    FUZZ_CHECK(slots_store_load_error_list(s, &a, &na) == SLOTS_OK && slots_store_load_error_list(one, &b, &nb) == SLOTS_OK,
               "load_error_list");
    FUZZ_CHECK(na == nb, "threads list %zu errors, one thread %zu", na, nb);
    for (size_t i = 0; i < na && i < nb; i++)
        FUZZ_CHECK(a[i].line == b[i].line && a[i].column == b[i].column && a[i].offset == b[i].offset &&
                       strcmp(a[i].field, b[i].field) == 0 && strcmp(a[i].message, b[i].message) == 0,
                   "threads: %zu:%zu @%zu [%s] %s\none thread: %zu:%zu @%zu [%s] %s", a[i].line, a[i].column,
                   a[i].offset, a[i].field, a[i].message, b[i].line, b[i].column, b[i].offset, b[i].field, b[i].message);
    char *got = dump_copy(one);
    FUZZ_CHECK((!want && !got) || (want && got && strcmp(want, got) == 0), "threads and one thread loaded different records");
    free(want);
    free(got);
    FUZZ_CHECK(slots_store_drop(one) == SLOTS_OK, "drop");
}

/* The all-or-nothing load with `flags` (0 or SLOTS_LOAD_LENIENT) on four threads, then one; returns
 * how many records it took, or SIZE_MAX when it was refused. The store is cleared after. */
static size_t load_all(const slots_type *t, slots_store *s, const char *text, size_t len, load_fn load, dump_fn dump,
                       unsigned flags) {
    size_t loaded = 12345, skipped = 12345;
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    int rc = load(s, text, len, flags, &loaded, &skipped);
    same_on_one_thread(t, s, rc, text, len, load, flags);
    check_error_list(s, rc, 0, len);
    if (rc == SLOTS_OK) {
        FUZZ_CHECK(loaded == store_len(s) && skipped == 0, "loaded %zu, skipped %zu, len %zu", loaded, skipped,
                   store_len(s));
    } else {
        FUZZ_CHECK(rc < 0 && rc != SLOTS_ENOMEM && rc != SLOTS_ESTALE, "load: unexpected %d", rc);
        FUZZ_CHECK(store_len(s) == 0, "refused load left %zu records", store_len(s));
        FUZZ_CHECK(loaded == 12345 && skipped == 12345, "out-parameters written on failure");
        loaded = SIZE_MAX;
    }
    check_dumps(t, s, load, dump, flags);
    FUZZ_CHECK(slots_store_clear(s) == SLOTS_OK && store_len(s) == 0, "clear");
    return loaded;
}

static void fuzz_load(const uint8_t *data, size_t size, load_fn load, dump_fn dump) {
    static const slots_type *types[2];
    if (!types[0]) {
        types[0] = fuzz_type("FuzzLoadInt", FUZZ_KEYED_INT, 0);
        types[1] = fuzz_type("FuzzLoadStr", FUZZ_KEYED_STR, SLOTS_DYNAMIC);
    }
    if (size < 1) return;
    const slots_type *t = types[data[0] & 1];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    slots_store *s = NULL;
    FUZZ_CHECK(slots_store_new(t, &s) == SLOTS_OK, "store_new");

    size_t strict = load_all(t, s, text, len, load, dump, 0);
    size_t lenient = load_all(t, s, text, len, load, dump, SLOTS_LOAD_LENIENT);
    FUZZ_CHECK(strict == SIZE_MAX || strict == lenient, "strict load took %zu records, lenient %zu", strict, lenient);

    size_t loaded = 12345, skipped = 12345;
    int rc = load(s, text, len, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped);
    if (rc == SLOTS_OK) {
        FUZZ_CHECK(loaded == store_len(s), "skipping load: loaded %zu, len %zu", loaded, store_len(s));
        FUZZ_CHECK(slots_store_load_errors(s) != NULL, "load_errors");
        FUZZ_CHECK(skipped == 0 || slots_store_load_errors(s)[0] != '\0', "%zu skipped, no errors listed", skipped);
    } else {
        /* a header that cannot be read stops even a skipping load */
        FUZZ_CHECK(rc < 0 && rc != SLOTS_ENOMEM && rc != SLOTS_ESTALE, "skipping load: unexpected %d", rc);
        FUZZ_CHECK(store_len(s) == 0, "refused skipping load left %zu records", store_len(s));
    }
    check_error_list(s, rc, rc == SLOTS_OK ? skipped : 0, len);
    check_dumps(t, s, load, dump, 0);
    FUZZ_CHECK(slots_store_drop(s) == SLOTS_OK, "drop");
    FUZZ_CHECK(slots_store_len(s, &loaded) == SLOTS_ESTALE, "dropped store still answers");
    fuzz_check_released(t);
}
