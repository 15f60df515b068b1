/*
 * test_cancel.c — stopping a load (cancel.c): from another thread and from a signal handler, during
 * multi-MiB JSON Lines and CSV loads on one thread and on four, all-or-nothing and skipping. A
 * cancelled load fails with SLOTS_ECANCELED and leaves the store as it was (records, keys, the
 * kept errors); a request made while no load runs does nothing; the next load works.
 *
 * The canceller calls slots_store_cancel_load() until it reports a running load, so the request
 * lands while the load runs: the loads are several MiB, and the request is checked every 1024 rows.
 */
#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ROWS 100000 /* about 5.5 MiB of JSON Lines: over four 1 MiB chunks */
#define SEED "{\"id\": 1, \"name\": \"x\", \"price\": 1}\n"

static char *jsonl_text(size_t *len, int rows, bool with_bad_line) {
    char *p = malloc((size_t)rows * 64 + 64);
    size_t n = 0;
    for (int i = 0; i < rows; i++) {
        if (with_bad_line && i == 10) n += (size_t)sprintf(p + n, "{\"id\": \"bad\"}\n");
        n += (size_t)sprintf(p + n, "{\"id\": %d, \"name\": \"product-%08d\", \"price\": %d.5}\n", i, i, i % 1000);
    }
    *len = n;
    return p;
}

static char *csv_text(size_t *len, int rows) {
    char *p = malloc((size_t)rows * 48 + 64);
    size_t n = (size_t)sprintf(p, "id,name,price\n");
    for (int i = 0; i < rows; i++) n += (size_t)sprintf(p + n, "%d,product-%08d,%d.5\n", i, i, i % 1000);
    *len = n;
    return p;
}

static slots_store *new_store(void) {
    slots_type *t;
    slots_store *s;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Cancel"), "id: i64 key, name: str, price: f64", NULL, 0, &t),
                          SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    return s;
}

static size_t store_len(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

typedef int (*load_fn)(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped);

/* ---- from another thread ---------------------------------------------------------------------- */
typedef struct canceller {
    slots_store *store;
    int ready, done, asked; /* atomics */
} canceller;

static void *cancel_when_running(void *arg) {
    canceller *c = arg;
    __atomic_store_n(&c->ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
        if (slots_store_cancel_load(c->store) == 1) {
            __atomic_store_n(&c->asked, 1, __ATOMIC_RELEASE);
            break;
        }
    return NULL;
}

/* Runs the load while another thread cancels it; returns the load's status. */
static int load_while_cancelling(slots_store *s, load_fn load, const char *buf, size_t len, unsigned flags) {
    canceller c = {s, 0, 0, 0};
    pthread_t tid;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&tid, NULL, cancel_when_running, &c), 0);
    while (!__atomic_load_n(&c.ready, __ATOMIC_ACQUIRE)) {} /* it is spinning before the load starts */
    size_t loaded = 12345, skipped = 12345;
    int rc = load(s, buf, len, flags, &loaded, &skipped);
    __atomic_store_n(&c.done, 1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    CU_ASSERT_TRUE(__atomic_load_n(&c.asked, __ATOMIC_ACQUIRE));
    if (rc != SLOTS_OK) CU_ASSERT_TRUE(loaded == 12345 && skipped == 12345); /* out-parameters untouched */
    return rc;
}

/* A store with one record, loaded with `text` while cancelled: unchanged; then loaded for real. */
static void cancel_and_reload(load_fn load, const char *text, size_t len, const char *threads) {
    setenv("SLOTS_LOAD_THREADS", threads, 1);
    slots_store *s = new_store();
    size_t loaded = 0;
    ASSERT_OK(load(s, SEED, strlen(SEED), 0, &loaded, NULL));
    size_t before_mem = 0, after_mem = 0;
    ASSERT_OK(slots_store_memory(s, &before_mem));
    ASSERT_STATUS(load_while_cancelling(s, load, text, len, 0), SLOTS_ECANCELED);
    ASSERT_MSG("load cancelled");
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ECANCELED);
    CU_ASSERT_EQUAL(store_len(s), 1);
    slots_obj o;
    ASSERT_STATUS(slots_store_find_i64(s, 5, &o), SLOTS_ENOKEY); /* no key of the load is left */
    ASSERT_OK(slots_store_find_i64(s, 1, &o));
    /* a later load of the same keys works: nothing of the cancelled one is in the way */
    ASSERT_OK(slots_store_clear(s));
    ASSERT_OK(load(s, text, len, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, ROWS);
    CU_ASSERT_EQUAL(store_len(s), ROWS);
    ASSERT_OK(slots_store_find_i64(s, ROWS - 1, &o));
    ASSERT_OK(slots_store_memory(s, &after_mem));
    CU_ASSERT_TRUE(after_mem >= before_mem);
    slots_store_drop(s);
    unsetenv("SLOTS_LOAD_THREADS");
}

/* A CSV load, except for the one-record JSON Lines seed that cancel_and_reload starts with. */
static int load_csv_or_seed(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded, size_t *skipped) {
    if (buf[0] == '{') return slots_store_load_jsonl(s, buf, len, flags, loaded, skipped);
    return slots_store_load_csv(s, buf, len, flags, loaded, skipped);
}

/* A skipping load, cancelled, adds nothing; its error list is the one error that stopped it, as for
 * any failed load. */
static void test_cancel_skipping_load(void) {
    slots_store *s = new_store();
    size_t len, loaded = 0, skipped = 0;
    char *text = jsonl_text(&len, ROWS, true);
    const char *seed = "{\"id\": 1, \"name\": \"x\", \"price\": 1}\n{\"id\": 2}x\n";
    ASSERT_OK(slots_store_load_jsonl(s, seed, strlen(seed), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(skipped, 1);
    char *errors = strdup(slots_store_load_errors(s));
    CU_ASSERT_TRUE(strstr(errors, "line 2") != NULL);
    ASSERT_STATUS(load_while_cancelling(s, slots_store_load_jsonl, text, len, SLOTS_LOAD_SKIP_BAD), SLOTS_ECANCELED);
    CU_ASSERT_EQUAL(store_len(s), 1);
    CU_ASSERT_TRUE(strstr(slots_store_load_errors(s), "load cancelled") != NULL);
    ASSERT_OK(slots_store_load_jsonl(s, text, len, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(skipped, 2); /* the bad line, and id 1, which the store held already */
    CU_ASSERT_EQUAL(loaded, ROWS - 1);
    free(errors);
    free(text);
    slots_store_drop(s);
}

/* ---- from a signal handler -------------------------------------------------------------------- */
static slots_store *signal_store;
static int signal_asked; /* atomic: set by the handler once the cancel reached a running load */

static void on_signal(int sig) {
    (void)sig;
    if (slots_store_cancel_load(signal_store) == 1) __atomic_store_n(&signal_asked, 1, __ATOMIC_RELEASE);
}

typedef struct signaller {
    pthread_t target;
    int done; /* atomic */
} signaller;

/* Sends SIGUSR1 to the loading thread until its handler has reached the load (or it is over). */
static void *signal_until_cancelled(void *arg) {
    signaller *g = arg;
    while (!__atomic_load_n(&signal_asked, __ATOMIC_ACQUIRE) && !__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
        pthread_kill(g->target, SIGUSR1);
        usleep(100);
    }
    return NULL;
}

static void cancel_by_signal(load_fn load, const char *text, size_t len, const char *threads) {
    setenv("SLOTS_LOAD_THREADS", threads, 1);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL_FATAL(sigaction(SIGUSR1, &sa, &old), 0);
    signal_store = new_store();
    __atomic_store_n(&signal_asked, 0, __ATOMIC_RELEASE);
    signaller g = {pthread_self(), 0};
    pthread_t tid;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&tid, NULL, signal_until_cancelled, &g), 0);
    size_t loaded = 0;
    int rc = load(signal_store, text, len, 0, &loaded, NULL);
    __atomic_store_n(&g.done, 1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    CU_ASSERT_TRUE(__atomic_load_n(&signal_asked, __ATOMIC_ACQUIRE));
    ASSERT_STATUS(rc, SLOTS_ECANCELED);
    CU_ASSERT_EQUAL(store_len(signal_store), 0);
    ASSERT_OK(load(signal_store, text, len, 0, &loaded, NULL)); /* the request died with its load */
    CU_ASSERT_EQUAL(loaded, ROWS);
    sigaction(SIGUSR1, &old, NULL);
    slots_store_drop(signal_store);
    unsetenv("SLOTS_LOAD_THREADS");
}

/* ---- every text, one thread and four --------------------------------------------------------- */
typedef void (*scenario)(load_fn load, const char *text, size_t len, const char *threads);

static void on_every_text(scenario run) {
    size_t len;
    char *text = jsonl_text(&len, ROWS, false);
    run(slots_store_load_jsonl, text, len, "1");
    run(slots_store_load_jsonl, text, len, "4");
    free(text);
    text = csv_text(&len, ROWS);
    run(load_csv_or_seed, text, len, "1");
    run(load_csv_or_seed, text, len, "4");
    free(text);
}

static void test_cancel_from_thread(void) { on_every_text(cancel_and_reload); }
static void test_cancel_from_signal_handler(void) { on_every_text(cancel_by_signal); }

/* ---- no load running ---------------------------------------------------------------------------- */
static void test_cancel_without_a_load(void) {
    slots_store *s = new_store();
    CU_ASSERT_EQUAL(slots_store_cancel_load(s), 0);
    CU_ASSERT_EQUAL(slots_store_cancel_load(NULL), 0);
    size_t loaded = 0;
    ASSERT_OK(slots_store_load_jsonl(s, SEED, strlen(SEED), 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 1); /* the earlier request did not carry over */
    slots_store_drop(s);
    CU_ASSERT_EQUAL(slots_store_cancel_load(s), 0); /* a dropped store: compared, never read */
    CU_ASSERT_STRING_EQUAL(slots_strerror(SLOTS_ECANCELED), "SLOTS_ECANCELED");
}

static CU_TestInfo tests[] = {
    {"cancel JSON Lines and CSV loads from another thread (1 and 4 threads)", test_cancel_from_thread},
    {"cancel a skipping load: nothing added, errors kept", test_cancel_skipping_load},
    {"cancel from a signal handler (JSON Lines and CSV, 1 and 4 threads)", test_cancel_from_signal_handler},
    {"cancel with no load running does nothing", test_cancel_without_a_load},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("cancel", tests); }
