/*
 * test_threads.c — the thread-safety promises: many threads creating and freeing records of one
 * shared type while defining and finding types, records freed by threads other than their creators,
 * and concurrent readers of one record. Counts and values must add up afterwards.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { NTHREADS = 4, PER_THREAD = 10000, KEEP_EVERY = 10 };

static const slots_type *shared_type;

typedef struct {
    int id;
    int errors;
    slots_obj kept[PER_THREAD / KEEP_EVERY];
    int nkept;
    int defined;
} worker;

static const char LONG_NAME[] = "a product name long enough to be stored out of line";

static void *create_free_define(void *arg) {
    worker *w = arg;
    char tname[64];
    for (int i = 0; i < PER_THREAD; i++) {
        slots_obj o = 0;
        if (slots_new(shared_type, &o) != SLOTS_OK) {
            w->errors++;
            continue;
        }
        int64_t id = (int64_t)w->id * 1000000 + i;
        if (slots_set_i64(o, 0, id) != SLOTS_OK) w->errors++;
        if (i % 3 == 0) {
            if (slots_set_str(o, 1, LONG_NAME, sizeof LONG_NAME - 1) != SLOTS_OK) w->errors++;
        } else if (slots_set_str(o, 1, "short", 5) != SLOTS_OK) {
            w->errors++;
        }
        if (slots_set_f64(o, 2, (double)i * 0.5) != SLOTS_OK) w->errors++;
        int64_t back = -1;
        if (slots_get_i64(o, 0, &back) != SLOTS_OK || back != id) w->errors++;
        if (i % KEEP_EVERY == 0) {
            w->kept[w->nkept++] = o;
        } else if (slots_free(o) != SLOTS_OK) {
            w->errors++;
        }
        if (i % 100 == 0) {
            /* a type of this thread's own, and a name every thread rebinds */
            snprintf(tname, sizeof tname, "Thread%d_Type%d", w->id, i);
            slots_type *t = NULL;
            if (slots_type_define(tname, "a: i64, b: str", NULL, 0, &t) != SLOTS_OK) {
                w->errors++;
            } else {
                w->defined++;
                if (slots_type_find(tname) != t) w->errors++;
                slots_obj x = 0;
                if (slots_new(t, &x) != SLOTS_OK || slots_free(x) != SLOTS_OK) w->errors++;
            }
            slots_type *s = NULL;
            if (slots_type_define("SharedName", "x: i64", NULL, 0, &s) != SLOTS_OK) w->errors++;
            const slots_type *found = slots_type_find("SharedName");
            if (!found || strcmp(slots_type_name(found), "SharedName") != 0) w->errors++;
            if (!slots_type_find("ThreadsShared")) w->errors++;
        }
    }
    return NULL;
}

static void test_create_free_define(void) {
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define("ThreadsShared", "id: i64, name: str, price: f64", NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    shared_type = t;
    static worker w[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i + 1;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, create_free_define, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);

    int errors = 0, kept = 0, defined = 0;
    for (int i = 0; i < NTHREADS; i++) {
        errors += w[i].errors;
        kept += w[i].nkept;
        defined += w[i].defined;
    }
    CU_ASSERT_EQUAL(errors, 0);
    CU_ASSERT_EQUAL(kept, NTHREADS * PER_THREAD / KEEP_EVERY);
    CU_ASSERT_EQUAL(defined, NTHREADS * PER_THREAD / 100);
    size_t n = 0;
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, (size_t)kept);

    /* every type a thread defined is findable, with its fields */
    int missing = 0;
    char tname[64];
    for (int i = 0; i < NTHREADS; i++)
        for (int k = 0; k < PER_THREAD; k += 100) {
            snprintf(tname, sizeof tname, "Thread%d_Type%d", i + 1, k);
            const slots_type *x = slots_type_find(tname);
            if (!x || slots_type_nfields(x) != 2 || slots_field_index(x, "b") != 1) missing++;
            size_t c = 99;
            if (!x || slots_type_count(x, &c) != SLOTS_OK || c != 0) missing++;
        }
    CU_ASSERT_EQUAL(missing, 0);

    /* the kept records hold what their threads wrote; handles are distinct */
    int wrong = 0;
    for (int i = 0; i < NTHREADS; i++)
        for (int k = 0; k < w[i].nkept; k++) {
            int idx = k * KEEP_EVERY;
            int64_t id = 0;
            double price = 0;
            const char *s = NULL;
            size_t len = 0;
            slots_obj o = w[i].kept[k];
            if (slots_get_i64(o, 0, &id) != SLOTS_OK || id != (int64_t)w[i].id * 1000000 + idx) wrong++;
            if (slots_get_f64(o, 2, &price) != SLOTS_OK || price != idx * 0.5) wrong++;
            if (slots_get_str(o, 1, &s, &len) != SLOTS_OK) wrong++;
            else if (idx % 3 == 0 ? len != sizeof LONG_NAME - 1 || memcmp(s, LONG_NAME, len) != 0
                                  : len != 5 || memcmp(s, "short", 5) != 0)
                wrong++;
        }
    CU_ASSERT_EQUAL(wrong, 0);
    slots_obj *all = malloc(sizeof(slots_obj) * (size_t)kept);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    int m = 0;
    for (int i = 0; i < NTHREADS; i++)
        for (int k = 0; k < w[i].nkept; k++) all[m++] = w[i].kept[k];
    int dups = 0;
    for (int i = 1; i < m; i++)
        for (int j = 0; j < i; j++) dups += all[i] == all[j];
    CU_ASSERT_EQUAL(dups, 0);

    /* this thread frees what the others made */
    for (int i = 0; i < m; i++) ASSERT_OK(slots_free(all[i]));
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, 0);
    size_t strings = 99;
    ASSERT_OK(slots_type_memory(t, NULL, &strings, NULL));
    CU_ASSERT_EQUAL(strings, 0);
    free(all);
}

/* ---- records freed by threads that did not create them ----------------------------------------- */

enum { NFREE = 40000 };
static slots_obj to_free[NFREE];

typedef struct {
    int start;
    int errors;
} freer;

static void *free_interleaved(void *arg) {
    freer *f = arg;
    for (int i = f->start; i < NFREE; i += NTHREADS) {
        if (slots_free(to_free[i]) != SLOTS_OK) f->errors++;
        /* and allocate + free in between, so the free list churns under contention */
        slots_obj x = 0;
        if (i % 7 == 0) {
            if (slots_new(shared_type, &x) != SLOTS_OK || slots_free(x) != SLOTS_OK) f->errors++;
        }
    }
    return NULL;
}

static void test_concurrent_frees(void) {
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define(unique_name("FreeMe"), "id: i64, name: str", NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    shared_type = t;
    for (int i = 0; i < NFREE; i++) {
        CU_ASSERT_EQUAL_FATAL(slots_new(t, &to_free[i]), SLOTS_OK);
        if (i % 5 == 0) ASSERT_OK(slots_set_str(to_free[i], 1, LONG_NAME, sizeof LONG_NAME - 1));
    }
    size_t n = 0;
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, NFREE);
    freer f[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        f[i].start = i;
        f[i].errors = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, free_interleaved, &f[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    int errors = 0;
    for (int i = 0; i < NTHREADS; i++) errors += f[i].errors;
    CU_ASSERT_EQUAL(errors, 0);
    ASSERT_OK(slots_type_count(t, &n));
    CU_ASSERT_EQUAL(n, 0);
    int alive = 0;
    for (int i = 0; i < NFREE; i++) alive += slots_is_set(to_free[i], 0) != SLOTS_ESTALE;
    CU_ASSERT_EQUAL(alive, 0);
    size_t strings = 99;
    ASSERT_OK(slots_type_memory(t, NULL, &strings, NULL));
    CU_ASSERT_EQUAL(strings, 0);
}

/* ---- concurrent readers ------------------------------------------------------------------------ */

static slots_obj shared_record;

static void *reader(void *arg) {
    int *wrong = arg;
    for (int i = 0; i < 100000; i++) {
        int64_t id = 0;
        double price = 0;
        const char *s = NULL;
        size_t len = 0;
        if (slots_get_i64(shared_record, 0, &id) != SLOTS_OK || id != 42) (*wrong)++;
        if (slots_get_f64(shared_record, 2, &price) != SLOTS_OK || price != 9.75) (*wrong)++;
        if (slots_get_str(shared_record, 1, &s, &len) != SLOTS_OK || len != sizeof LONG_NAME - 1 ||
            memcmp(s, LONG_NAME, len) != 0)
            (*wrong)++;
        if (i % 1000 == 0 && slots_field_index(shared_type, "price") != 2) (*wrong)++;
    }
    return NULL;
}

static void test_concurrent_readers(void) {
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define(unique_name("ReadMe"), "id: i64, name: str, price: f64", NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    shared_type = t;
    ASSERT_OK(slots_new(t, &shared_record));
    ASSERT_OK(slots_set_i64(shared_record, 0, 42));
    ASSERT_OK(slots_set_str(shared_record, 1, LONG_NAME, sizeof LONG_NAME - 1));
    ASSERT_OK(slots_set_f64(shared_record, 2, 9.75));
    int wrong[NTHREADS] = {0};
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, reader, &wrong[i]), 0);
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++) CU_ASSERT_EQUAL(wrong[i], 0);
    ASSERT_OK(slots_free(shared_record));
}

static CU_TestInfo tests[] = {
    {"create, free, define and find from 4 threads", test_create_free_define},
    {"records freed by other threads", test_concurrent_frees},
    {"concurrent readers", test_concurrent_readers},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("threads", tests); }
