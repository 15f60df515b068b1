/*
 * test_progress.c — load progress: the increments add up to the rows decoded, on one thread and on
 * four, for skipping loads too; a function that asks to stop cancels the load and changes nothing;
 * NULL removes it.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

enum { ROWS = 80000 }; /* about 4 MiB of JSON Lines: several chunks on four threads */

static char *text_of(size_t *len) {
    char *t = malloc((size_t)ROWS * 64);
    size_t n = 0;
    for (int i = 0; i < ROWS; i++) n += (size_t)sprintf(t + n, "{\"id\": %d, \"name\": \"a-name-of-some-length-%d\"}\n", i, i);
    *len = n;
    return t;
}

typedef struct {
    uint64_t rows;
    int calls, stop_after;
} tally;

static int count(uint64_t rows, void *ctx) {
    tally *t = ctx;
    t->rows += rows;
    t->calls++;
    return t->stop_after && t->calls >= t->stop_after;
}

static slots_store *store_with(tally *t, size_t every) {
    slots_type *ty = NULL;
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Prog"), "id: i64 key, name: str", NULL, 0, &ty), SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(ty, &s), SLOTS_OK);
    ASSERT_OK(slots_store_set_load_progress(s, count, t, every));
    return s;
}

static void adds_up(const char *threads, unsigned flags) {
    setenv("SLOTS_LOAD_THREADS", threads, 1);
    size_t len, loaded = 0;
    char *text = text_of(&len);
    tally t = {0, 0, 0};
    slots_store *s = store_with(&t, 1000);
    ASSERT_OK(slots_store_load_jsonl(s, text, len, flags, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, ROWS);
    CU_ASSERT_EQUAL(t.rows, ROWS); /* every row told once, in increments */
    CU_ASSERT_TRUE(t.calls >= 2);
    ASSERT_OK(slots_store_drop(s));
    free(text);
    unsetenv("SLOTS_LOAD_THREADS");
}

static void test_one_thread(void) { adds_up("1", 0); }
static void test_four_threads(void) { adds_up("4", 0); }
static void test_skipping(void) { adds_up("1", SLOTS_LOAD_SKIP_BAD); }

static void test_stop(void) {
    for (int threads = 1; threads <= 4; threads += 3) {
        setenv("SLOTS_LOAD_THREADS", threads == 1 ? "1" : "4", 1);
        size_t len, n = 9;
        char *text = text_of(&len);
        tally t = {0, 0, 1};
        slots_store *s = store_with(&t, 1000);
        ASSERT_STATUS(slots_store_load_jsonl(s, text, len, 0, NULL, NULL), SLOTS_ECANCELED);
        ASSERT_OK(slots_store_len(s, &n));
        CU_ASSERT_EQUAL(n, 0);
        /* removed: the next load runs whole and calls nothing */
        ASSERT_OK(slots_store_set_load_progress(s, NULL, NULL, 0));
        int calls = t.calls;
        ASSERT_OK(slots_store_load_jsonl(s, text, len, 0, NULL, NULL));
        CU_ASSERT_EQUAL(t.calls, calls);
        ASSERT_OK(slots_store_drop(s));
        free(text);
    }
    unsetenv("SLOTS_LOAD_THREADS");
}

static void test_bad_store(void) {
    ASSERT_STATUS(slots_store_set_load_progress(NULL, count, NULL, 0), SLOTS_EINVAL);
}

int main(void) {
    CU_TestInfo tests[] = {
        {"progress adds up, one thread", test_one_thread},
        {"progress adds up, four threads", test_four_threads},
        {"progress adds up, skipping load", test_skipping},
        {"a progress function stops the load", test_stop},
        {"a bad store", test_bad_store},
        CU_TEST_INFO_NULL,
    };
    return run_suite("progress", tests);
}
