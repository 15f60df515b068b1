/*
 * test_sources.c — issue 17's sources and cache operations: loads from many values, streaming
 * loads fed in chunks (rows and quoted cells cut anywhere, errors at the right line, all or
 * nothing at the commit, stale and busy loaders), upsert loads and per-record upserts, removal by
 * key, PostgreSQL spellings in CSV, and the JSON response dumps.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static slots_store *keyed_store(slots_type **type) {
    slots_type *t = NULL;
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Src"), "id: i64 key, name: str, price: f64 = 0", NULL, 0, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    if (type) *type = t;
    return s;
}

static const char *name_of(slots_store *s, int64_t id) {
    slots_obj h;
    const char *p = NULL;
    size_t n;
    if (slots_store_find_i64(s, id, &h) != SLOTS_OK) return NULL;
    if (slots_get_str(h, 1, &p, &n) != SLOTS_OK) return NULL;
    return p;
}

static size_t len_of(slots_store *s) {
    size_t n = 0;
    slots_store_len(s, &n);
    return n;
}

/* ---- values ------------------------------------------------------------------------------------- */
static void test_values(void) {
    slots_store *s = keyed_store(NULL);
    const char *v[] = {"{\"id\": 1, \"name\": \"a\"}", NULL, "{\"id\": 2,\n \"name\": \"b\"}"};
    size_t lens[] = {strlen(v[0]), 0, strlen(v[2])}, loaded = 0;
    ASSERT_OK(slots_store_load_json_values(s, v, lens, 3, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 2); /* the NULL value is no row */
    CU_ASSERT_STRING_EQUAL(name_of(s, 2), "b");
    const char *bad[] = {"{\"id\": 3, \"name\": \"c\"}", "{\"id\": 4, \"name\": 5}"};
    size_t blens[] = {strlen(bad[0]), strlen(bad[1])};
    ASSERT_STATUS(slots_store_load_json_values(s, bad, blens, 2, 0, NULL, NULL), SLOTS_ETYPE);
    ASSERT_MSG("value 2: ");
    CU_ASSERT_EQUAL(len_of(s), 2); /* all or nothing */
    size_t n, line = 0, col = 0, off = 0;
    const slots_load_error *e;
    ASSERT_OK(slots_store_load_error_list(s, &e, &n));
    CU_ASSERT_EQUAL(n, 1);
    ASSERT_OK(slots_store_load_error_get(s, 0, &line, &col, &off, NULL, NULL));
    CU_ASSERT_EQUAL(line, 2);
    CU_ASSERT_TRUE(strncmp(slots_store_load_errors(s), "value 2: ", 9) == 0);
    const char *empty[] = {""};
    size_t elens[] = {0}, skipped = 0;
    ASSERT_OK(slots_store_load_json_values(s, empty, elens, 1, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(skipped, 1);
    CU_ASSERT_EQUAL(loaded, 0);
    ASSERT_OK(slots_store_load_json_values(s, NULL, NULL, 0, 0, &loaded, NULL));
    ASSERT_STATUS(slots_store_load_json_values(s, NULL, NULL, 1, 0, &loaded, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_store_drop(s));
}

/* Many values on four threads: the same records as one at a time, the error at the right value. */
static void test_values_threads(void) {
    enum { N = 40000 };
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    char **v = malloc(N * sizeof *v);
    size_t *lens = malloc(N * sizeof *lens), loaded = 0;
    for (int i = 0; i < N; i++) {
        v[i] = malloc(96);
        lens[i] = (size_t)snprintf(v[i], 96, "{\"id\": %d, \"name\": \"a longer name to pass a MiB %d\"}", i, i);
    }
    slots_store *s = keyed_store(NULL);
    ASSERT_OK(slots_store_load_json_values(s, (const char *const *)v, lens, N, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, N);
    CU_ASSERT_PTR_NOT_NULL(name_of(s, N - 1));
    slots_store *t = keyed_store(NULL);
    lens[30000] = 5; /* "{\"id\"" cut */
    ASSERT_STATUS(slots_store_load_json_values(t, (const char *const *)v, lens, N, 0, NULL, NULL), SLOTS_EPARSE);
    ASSERT_MSG("value 30001: ");
    CU_ASSERT_EQUAL(len_of(t), 0);
    for (int i = 0; i < N; i++) free(v[i]);
    free(v), free(lens);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_store_drop(t));
    unsetenv("SLOTS_LOAD_THREADS");
}

/* ---- streaming loads ---------------------------------------------------------------------------- */
static int feed_in(slots_loader *l, const char *text, size_t step) {
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i += step) {
        int rc = slots_loader_feed(l, text + i, len - i < step ? len - i : step);
        if (rc != SLOTS_OK) return rc;
    }
    return SLOTS_OK;
}

/* A fresh keyed store loaded through a loader in chunks of `step` bytes: the store, *loaded set. */
static slots_store *load_in_steps(int format, const char *text, size_t step, size_t *loaded) {
    slots_store *s = keyed_store(NULL);
    slots_loader *l = NULL;
    ASSERT_OK(slots_loader_begin(s, format, 0, &l));
    ASSERT_OK(feed_in(l, text, step));
    CU_ASSERT_EQUAL(len_of(s), 0); /* nothing appears before the commit */
    ASSERT_OK(slots_loader_commit(l, loaded, NULL));
    ASSERT_STATUS(slots_loader_commit(l, NULL, NULL), SLOTS_ESTALE); /* freed */
    ASSERT_STATUS(slots_loader_feed(l, "x", 1), SLOTS_ESTALE);
    return s;
}

static void test_loader_jsonl(void) {
    setenv("SLOTS_LOADER_BATCH", "7", 1); /* pieces of a few rows: rows cut across pieces */
    const char *text = "{\"id\": 1, \"name\": \"\xc3\xa9t\xc3\xa9\"}\n\n{\"id\": 2, \"name\": \"b\"}\r\n{\"id\": 3, \"name\": \"c\"}";
    for (size_t step = 1; step < 12; step++) {
        size_t loaded = 0;
        slots_store *s = load_in_steps(SLOTS_FORMAT_JSONL, text, step, &loaded);
        CU_ASSERT_EQUAL(loaded, 3);
        CU_ASSERT_STRING_EQUAL(name_of(s, 1), "\xc3\xa9t\xc3\xa9");
        CU_ASSERT_STRING_EQUAL(name_of(s, 3), "c");
        ASSERT_OK(slots_store_drop(s));
    }
    unsetenv("SLOTS_LOADER_BATCH");
}

static void test_loader_errors(void) {
    setenv("SLOTS_LOADER_BATCH", "5", 1);
    slots_store *s = keyed_store(NULL);
    slots_loader *l = NULL;
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    int rc = feed_in(l, "{\"id\": 1, \"name\": \"a\"}\n\n{\"id\": 2, \"name\": 7}\n{\"id\": 3, \"name\": \"c\"}\n", 3);
    CU_ASSERT_EQUAL(rc, SLOTS_ETYPE);
    ASSERT_MSG("line 3: ");
    ASSERT_STATUS(slots_loader_feed(l, "{}", 2), SLOTS_ETYPE); /* the failed load's error again */
    ASSERT_MSG("line 3: ");
    ASSERT_STATUS(slots_loader_commit(l, NULL, NULL), SLOTS_ETYPE);
    ASSERT_STATUS(slots_loader_abort(l), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(len_of(s), 0);
    size_t line = 0, off = 0;
    ASSERT_OK(slots_store_load_error_get(s, 0, &line, NULL, &off, NULL, NULL));
    CU_ASSERT_EQUAL(line, 3);
    CU_ASSERT_EQUAL(off, 42); /* the offset in the whole stream: at the 7 */
    if (off != 42) fprintf(stderr, "offset %zu\n", off);
    /* a key the store holds: found at the commit, with its line */
    slots_obj h;
    ASSERT_OK(slots_store_append(s, &h));
    ASSERT_OK(slots_set_i64(h, 0, 2));
    ASSERT_OK(slots_set_str(h, 1, "old", 3));
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    ASSERT_OK(feed_in(l, "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n", 4));
    ASSERT_STATUS(slots_loader_commit(l, NULL, NULL), SLOTS_EEXIST);
    ASSERT_MSG("line 2: duplicate key 2");
    CU_ASSERT_EQUAL(len_of(s), 1);
    /* skipping: the duplicate is skipped and listed */
    size_t loaded = 0, skipped = 0;
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, SLOTS_LOAD_SKIP_BAD, &l));
    ASSERT_OK(feed_in(l, "{\"id\": 1, \"name\": \"a\"}\nnope\n{\"id\": 2, \"name\": \"b\"}\n", 4));
    ASSERT_OK(slots_loader_commit(l, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 1);
    CU_ASSERT_EQUAL(skipped, 2);
    size_t n = 0;
    ASSERT_OK(slots_store_load_error_list(s, NULL, &n));
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(name_of(s, 2), "old");
    /* abort changes nothing */
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    ASSERT_OK(feed_in(l, "{\"id\": 9, \"name\": \"z\"}\n", 100));
    ASSERT_OK(slots_loader_abort(l));
    CU_ASSERT_EQUAL(len_of(s), 2);
    /* bad arguments */
    ASSERT_STATUS(slots_loader_begin(s, 7, 0, &l), SLOTS_EINVAL);
    ASSERT_STATUS(slots_loader_begin(s, SLOTS_FORMAT_JSONL, SLOTS_LOAD_TRIM_HEADER, &l), SLOTS_EINVAL);
    ASSERT_STATUS(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_loader_feed(NULL, "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_loader_feed((slots_loader *)(uintptr_t)0x123456789ull, "x", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_loader_abort(NULL), SLOTS_ESTALE);
    /* a dropped store: the next call fails */
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    ASSERT_OK(slots_store_drop(s));
    ASSERT_STATUS(slots_loader_feed(l, "{", 1), SLOTS_ESTALE);
    ASSERT_STATUS(slots_loader_commit(l, NULL, NULL), SLOTS_ESTALE);
    unsetenv("SLOTS_LOADER_BATCH");
}

static void test_loader_csv(void) {
    setenv("SLOTS_LOADER_BATCH", "6", 1);
    const char *text = "\xef\xbb\xbfid,name,price\r\n1,\"a, \"\"quoted\"\"\ncell\",1.5\r2,b,\n\n3,\"\",2\n";
    for (size_t step = 1; step < 14; step++) {
        size_t loaded = 0;
        slots_store *s = load_in_steps(SLOTS_FORMAT_CSV, text, step, &loaded);
        CU_ASSERT_EQUAL(loaded, 3);
        const char *a = name_of(s, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_STRING_EQUAL(a, "a, \"quoted\"\ncell");
        CU_ASSERT_STRING_EQUAL(name_of(s, 3), "");
        ASSERT_OK(slots_store_drop(s));
    }
    /* an error after a multi-line cell and a lone CR: the same line as a one-piece load */
    const char *bad = "id,name,price\n1,\"x\ny\",1\r2,b,zz\n";
    slots_store *s = keyed_store(NULL);
    ASSERT_STATUS(slots_store_load_csv(s, bad, strlen(bad), 0, NULL, NULL), SLOTS_EPARSE);
    char one[512];
    snprintf(one, sizeof one, "%s", slots_errmsg());
    for (size_t step = 1; step < 9; step++) {
        slots_loader *l = NULL;
        ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_CSV, 0, &l));
        int rc = feed_in(l, bad, step);
        if (rc == SLOTS_OK) rc = slots_loader_commit(l, NULL, NULL);
        else slots_loader_abort(l);
        CU_ASSERT_EQUAL(rc, SLOTS_EPARSE);
        CU_ASSERT_STRING_EQUAL(slots_errmsg(), one);
    }
    ASSERT_OK(slots_store_drop(s));
    unsetenv("SLOTS_LOADER_BATCH");
}

/* A file load through a pipe: read in pieces, rows at the right lines. */
static void test_file_pipe(void) {
    setenv("SLOTS_LOADER_BATCH", "16", 1);
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    const char *text = "id,name\n1,a\n2,b\n3,c\n";
    CU_ASSERT_EQUAL((size_t)write(fds[1], text, strlen(text)), strlen(text));
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
    slots_store *s = keyed_store(NULL);
    size_t loaded = 0;
    ASSERT_OK(slots_store_load_csv_file(s, path, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 3);
    CU_ASSERT_STRING_EQUAL(name_of(s, 3), "c");
    close(fds[0]);
    ASSERT_OK(slots_store_drop(s));
    unsetenv("SLOTS_LOADER_BATCH");
}

/* ---- a loader shared by threads, a store used and dropped meanwhile ------------------------------ */
typedef struct feeder {
    slots_loader *l;
    slots_store *s;
    int k, ok, busy, stale, other;
} feeder;

static void *feed_rows(void *arg) {
    feeder *f = arg;
    for (int i = 0; i < 300; i++) {
        char row[64];
        int n = snprintf(row, sizeof row, "{\"id\": %d, \"name\": \"t\"}\n", f->k * 1000 + i);
        int rc = slots_loader_feed(f->l, row, (size_t)n);
        if (rc == SLOTS_OK) f->ok++;
        else if (rc == SLOTS_EBUSY) f->busy++;
        else if (rc == SLOTS_ESTALE) f->stale++;
        else f->other++;
    }
    return NULL;
}

/* Appends records with keys of its own while the loader is open: the store stays usable. */
static void *use_store(void *arg) {
    feeder *f = arg;
    for (int i = 0; i < 200; i++) {
        slots_obj h;
        if (slots_store_append(f->s, &h) != SLOTS_OK) { f->other++; continue; }
        if (slots_set_i64(h, 0, 1000000 + i) != SLOTS_OK || slots_set_str(h, 1, "u", 1) != SLOTS_OK) f->other++;
        else f->ok++;
    }
    return NULL;
}

static void test_loader_threads(void) {
    setenv("SLOTS_LOADER_BATCH", "200", 1);
    slots_store *s = keyed_store(NULL);
    slots_loader *l = NULL;
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    feeder f[5];
    pthread_t tid[5];
    for (int k = 0; k < 5; k++) {
        f[k] = (feeder){l, s, k, 0, 0, 0, 0};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[k], NULL, k < 4 ? feed_rows : use_store, &f[k]), 0);
    }
    for (int k = 0; k < 5; k++) pthread_join(tid[k], NULL);
    size_t loaded = 0, fed = 0;
    for (int k = 0; k < 4; k++) {
        CU_ASSERT_EQUAL(f[k].ok + f[k].busy, 300); /* a call finds the loader busy, or feeds it */
        CU_ASSERT_EQUAL(f[k].other + f[k].stale, 0);
        fed += (size_t)f[k].ok;
    }
    CU_ASSERT_EQUAL(f[4].ok, 200);
    CU_ASSERT_EQUAL(len_of(s), 200); /* the loader's rows are not there yet */
    ASSERT_OK(slots_loader_commit(l, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, fed);
    CU_ASSERT_EQUAL(len_of(s), fed + 200);
    /* the store dropped while a thread feeds: every call is OK or SLOTS_ESTALE, never a crash */
    ASSERT_OK(slots_loader_begin(s, SLOTS_FORMAT_JSONL, 0, &l));
    feeder g = {l, s, 7, 0, 0, 0, 0};
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, feed_rows, &g), 0);
    ASSERT_OK(slots_store_drop(s));
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(g.ok + g.stale, 300);
    CU_ASSERT_EQUAL(g.other + g.busy, 0);
    int rc = slots_loader_commit(l, NULL, NULL);
    CU_ASSERT_TRUE(rc == SLOTS_ESTALE);
    unsetenv("SLOTS_LOADER_BATCH");
}

/* ---- upserts ------------------------------------------------------------------------------------ */
static void test_upsert_loads(void) {
    slots_store *s = keyed_store(NULL);
    const char *first = "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n";
    ASSERT_OK(slots_store_load_jsonl(s, first, strlen(first), 0, NULL, NULL));
    slots_obj h1, again;
    ASSERT_OK(slots_store_find_i64(s, 1, &h1));
    const char *next = "{\"id\": 3, \"name\": \"c\"}\n{\"id\": 1, \"name\": \"A\"}\n{\"id\": 3, \"name\": \"C\"}\n";
    ASSERT_STATUS(slots_store_load_jsonl(s, next, strlen(next), 0, NULL, NULL), SLOTS_EEXIST);
    size_t loaded = 0;
    ASSERT_OK(slots_store_load_jsonl(s, next, strlen(next), SLOTS_LOAD_UPSERT, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 3);
    CU_ASSERT_EQUAL(len_of(s), 3);
    ASSERT_OK(slots_store_find_i64(s, 1, &again));
    CU_ASSERT_EQUAL(again, h1); /* replaced in place: the same handle */
    CU_ASSERT_STRING_EQUAL(name_of(s, 1), "A");
    CU_ASSERT_STRING_EQUAL(name_of(s, 3), "C"); /* the last wins */
    /* all or nothing: a bad row replaces nothing */
    const char *bad = "{\"id\": 1, \"name\": \"X\"}\n{\"id\": 4}\n";
    ASSERT_STATUS(slots_store_load_jsonl(s, bad, strlen(bad), SLOTS_LOAD_UPSERT, NULL, NULL), SLOTS_ETYPE);
    ASSERT_MSG("line 2: missing field 'name'");
    CU_ASSERT_STRING_EQUAL(name_of(s, 1), "A");
    /* CSV and values */
    const char *csv = "id,name\n2,B\n5,e\n";
    ASSERT_OK(slots_store_load_csv(s, csv, strlen(csv), SLOTS_LOAD_UPSERT, &loaded, NULL));
    CU_ASSERT_STRING_EQUAL(name_of(s, 2), "B");
    const char *v[] = {"{\"id\": 5, \"name\": \"E\"}"};
    size_t lens[] = {strlen(v[0])};
    ASSERT_OK(slots_store_load_json_values(s, v, lens, 1, SLOTS_LOAD_UPSERT, &loaded, NULL));
    CU_ASSERT_STRING_EQUAL(name_of(s, 5), "E");
    CU_ASSERT_EQUAL(len_of(s), 4);
    ASSERT_OK(slots_store_drop(s));
}

static void test_upsert_record(void) {
    slots_type *t;
    slots_store *s = keyed_store(&t);
    slots_obj r, h, got, again;
    ASSERT_OK(slots_new(t, &r));
    ASSERT_OK(slots_set_i64(r, 0, 7));
    ASSERT_OK(slots_set_str(r, 1, "seven", 5));
    ASSERT_STATUS(slots_store_replace(s, r, &got), SLOTS_ENOKEY);
    ASSERT_OK(slots_store_upsert(s, r, &h));
    CU_ASSERT_NOT_EQUAL(h, r); /* a copy */
    CU_ASSERT_STRING_EQUAL(name_of(s, 7), "seven");
    ASSERT_OK(slots_set_str(r, 1, "SEVEN, a long name beyond the inline bytes", 42));
    ASSERT_OK(slots_store_upsert(s, r, &again));
    CU_ASSERT_EQUAL(again, h);
    CU_ASSERT_STRING_EQUAL(name_of(s, 7), "SEVEN, a long name beyond the inline bytes");
    ASSERT_OK(slots_set_str(r, 1, "7", 1));
    ASSERT_OK(slots_store_replace(s, r, &again));
    CU_ASSERT_EQUAL(again, h);
    CU_ASSERT_STRING_EQUAL(name_of(s, 7), "7");
    CU_ASSERT_EQUAL(len_of(s), 1);
    ASSERT_OK(slots_store_upsert(s, h, &again)); /* already there */
    CU_ASSERT_EQUAL(again, h);
    slots_obj nokey;
    ASSERT_OK(slots_new_blank(t, &nokey));
    ASSERT_STATUS(slots_store_upsert(s, nokey, NULL), SLOTS_EUNSET);
    ASSERT_STATUS(slots_store_remove_key_i64(s, 8), SLOTS_ENOKEY);
    ASSERT_MSG("8");
    ASSERT_STATUS(slots_store_remove_key_str(s, "8", 1), SLOTS_ETYPE);
    ASSERT_OK(slots_store_remove_key_i64(s, 7));
    ASSERT_STATUS(slots_get_i64(h, 0, &(int64_t){0}), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(len_of(s), 0);
    ASSERT_OK(slots_free(r));
    ASSERT_OK(slots_free(nokey));
    ASSERT_OK(slots_store_drop(s));
}

/* A frozen type cannot change in place: its upsert frees the old record and adds the new one. */
static void test_upsert_frozen(void) {
    slots_type *t;
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Frz"), "k: str key, v: i64", NULL, SLOTS_FROZEN, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    const char *a = "{\"k\": \"x\", \"v\": 1}\n";
    ASSERT_OK(slots_store_load_jsonl(s, a, strlen(a), 0, NULL, NULL));
    slots_obj old, now;
    ASSERT_OK(slots_store_find_str(s, "x", 1, &old));
    const char *b = "{\"k\": \"x\", \"v\": 2}\n";
    ASSERT_OK(slots_store_load_jsonl(s, b, strlen(b), SLOTS_LOAD_UPSERT, NULL, NULL));
    ASSERT_OK(slots_store_find_str(s, "x", 1, &now));
    CU_ASSERT_NOT_EQUAL(old, now);
    int64_t v = 0;
    ASSERT_STATUS(slots_get_i64(old, 1, &v), SLOTS_ESTALE);
    ASSERT_OK(slots_get_i64(now, 1, &v));
    CU_ASSERT_EQUAL(v, 2);
    ASSERT_OK(slots_store_drop(s));
}

/* ---- PostgreSQL spellings ----------------------------------------------------------------------- */
static void test_pg_spellings(void) {
    slots_type *t;
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Pg"), "id: i64 key, ok: bool, data: bytes", NULL, 0, &t), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    const char *csv = "id,ok,data\n1,t,\\x48656C6c6f\n2,F,aGk=\n3,true,\\x\n";
    ASSERT_OK(slots_store_load_csv(s, csv, strlen(csv), 0, NULL, NULL));
    slots_obj h;
    int b = -1;
    const void *p;
    size_t n;
    ASSERT_OK(slots_store_find_i64(s, 1, &h));
    ASSERT_OK(slots_get_bool(h, 1, &b));
    CU_ASSERT_EQUAL(b, 1);
    ASSERT_OK(slots_get_bytes(h, 2, &p, &n));
    CU_ASSERT_TRUE(n == 5 && memcmp(p, "Hello", 5) == 0);
    ASSERT_OK(slots_store_find_i64(s, 2, &h));
    ASSERT_OK(slots_get_bool(h, 1, &b));
    CU_ASSERT_EQUAL(b, 0);
    ASSERT_OK(slots_store_find_i64(s, 3, &h));
    ASSERT_OK(slots_get_bytes(h, 2, &p, &n));
    CU_ASSERT_EQUAL(n, 0);
    const char *bad = "id,ok,data\n4,t,\\x4\n";
    ASSERT_STATUS(slots_store_load_csv(s, bad, strlen(bad), 0, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("bytea hex");
    const char *badb = "id,ok,data\n4,yes,\n";
    ASSERT_STATUS(slots_store_load_csv(s, badb, strlen(badb), 0, NULL, NULL), SLOTS_EPARSE);
    ASSERT_OK(slots_store_drop(s));
}

/* ---- responses ---------------------------------------------------------------------------------- */
static void test_dump_select(void) {
    slots_store *s = keyed_store(NULL);
    const char *text = "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": 3, \"name\": \"c\"}\n";
    ASSERT_OK(slots_store_load_jsonl(s, text, strlen(text), 0, NULL, NULL));
    const char *out;
    size_t len;
    int64_t keys[] = {3, 1};
    ASSERT_OK(slots_store_dump_json_keys_i64(s, keys, 2, SLOTS_DUMP_ARRAY, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "[{\"id\":3,\"name\":\"c\",\"price\":0.0},{\"id\":1,\"name\":\"a\",\"price\":0.0}]");
    CU_ASSERT_EQUAL(len, strlen(out));
    ASSERT_OK(slots_store_dump_json_keys_i64(s, keys, 0, SLOTS_DUMP_ARRAY, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "[]");
    keys[1] = 9;
    ASSERT_STATUS(slots_store_dump_json_keys_i64(s, keys, 2, 0, &out, &len), SLOTS_ENOKEY);
    const char *sk[] = {"1"};
    size_t sl[] = {1};
    ASSERT_STATUS(slots_store_dump_json_keys_str(s, sk, sl, 1, 0, &out, &len), SLOTS_ETYPE);
    ASSERT_OK(slots_store_dump_json_range(s, 1, 100, 0, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "{\"id\":2,\"name\":\"b\",\"price\":0.0}\n{\"id\":3,\"name\":\"c\",\"price\":0.0}\n");
    ASSERT_OK(slots_store_dump_json_range(s, 2, 1, SLOTS_DUMP_ARRAY, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "[]");
    slots_obj h[2];
    ASSERT_OK(slots_store_at(s, 1, &h[0]));
    ASSERT_OK(slots_store_at(s, 1, &h[1]));
    ASSERT_OK(slots_store_dump_json_select(s, h, 2, SLOTS_DUMP_ARRAY, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "[{\"id\":2,\"name\":\"b\",\"price\":0.0},{\"id\":2,\"name\":\"b\",\"price\":0.0}]");
    ASSERT_OK(slots_set_f64(h[0], 2, 0.0 / 0.0));
    ASSERT_STATUS(slots_store_dump_json_select(s, h, 2, SLOTS_DUMP_ARRAY, &out, &len), SLOTS_EINVAL);
    ASSERT_MSG("record 0: ");
    ASSERT_OK(slots_store_dump_json_select(s, h, 1, SLOTS_DUMP_ALLOW_NAN, &out, &len));
    ASSERT_STATUS(slots_store_dump_json_select(s, h, 1, 0x8000, &out, &len), SLOTS_EINVAL);
    ASSERT_OK(slots_free(h[0]));
    ASSERT_STATUS(slots_store_dump_json_select(s, h, 1, 0, &out, &len), SLOTS_ESTALE);
    ASSERT_OK(slots_store_drop(s));
}

int main(void) {
    CU_TestInfo tests[] = {
        {"values: NULL skipped, errors by value", test_values},
        {"values on four threads", test_values_threads},
        {"loader: JSON Lines in chunks of every size", test_loader_jsonl},
        {"loader: errors, duplicates at commit, skip, abort, stale", test_loader_errors},
        {"loader: CSV cut inside quotes and CRLF", test_loader_csv},
        {"file load from a pipe", test_file_pipe},
        {"a loader shared by threads; its store used and dropped meanwhile", test_loader_threads},
        {"upsert loads: in place, last wins, all or nothing", test_upsert_loads},
        {"upsert, replace and remove by key", test_upsert_record},
        {"upsert of a frozen type", test_upsert_frozen},
        {"CSV t/f and bytea hex", test_pg_spellings},
        {"JSON response dumps", test_dump_select},
        CU_TEST_INFO_NULL,
    };
    return run_suite("sources", tests);
}
