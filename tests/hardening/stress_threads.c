/*
 * stress_threads.c — threads sharing one type and one keyed store. Each of NTHREADS threads runs
 * NOPS iterations of: creating records in the shared type's default store (keeping some, freeing
 * the rest), appending to the shared store under its own key range (and removing some again),
 * finding its keys, writing and reading the fields of records it owns, reading records every thread
 * shares, and (in the first round) defining and finding types. Afterwards every count must add up:
 * slots_type_count, slots_store_len, each key found, and — in a second round that defines no types,
 * once slabs and index have reached their size — slots_memory_used() back to its exact baseline.
 * Then a JSON Lines load big enough to decode on four threads, once whole and once failing at its
 * last line, must load every row, or none; and the same rows as CSV, first cancelled from another
 * thread while they decode on four (nothing may change), then loaded.
 * Built twice: plain, and with ThreadSanitizer over the library too (`make check-tsan`).
 *   stress_threads [threads] [ops]
 */
#include "slots.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nthreads = 4, nops = 20000;
enum { KEEP_EVERY = 8, SHARED_RECORDS = 64, DEFINE_EVERY = 200 };

static const slots_type *shared_type, *keyed_type;
static slots_store *shared_store;
static slots_obj shared_recs[SHARED_RECORDS];
static int define_types;
static const char LONG_NAME[] = "a name long enough to be stored out of line by the record";

typedef struct worker {
    int id;
    long errors;
    slots_obj *kept;   /* default-store records this thread keeps */
    int nkept;
    slots_obj *owned;  /* store records this thread keeps, key = base + i */
    int64_t *keys;
    int nowned;
    long ops;
    int defined;
} worker;

#define FAIL(w, ...)                                                   \
    do {                                                               \
        if ((w)->errors++ < 5) {                                       \
            fprintf(stderr, "thread %d: ", (w)->id);                   \
            fprintf(stderr, __VA_ARGS__);                              \
            fprintf(stderr, " (%s)\n", slots_errmsg());                \
        }                                                              \
    } while (0)

static void check_shared(worker *w, int i) {
    int k = i % SHARED_RECORDS;
    int64_t v = -1;
    const char *s = NULL;
    size_t n = 0;
    if (slots_get_i64(shared_recs[k], 0, &v) != SLOTS_OK || v != 1000 + k) FAIL(w, "shared id %d", k);
    if (slots_get_str(shared_recs[k], 1, &s, &n) != SLOTS_OK || n != sizeof LONG_NAME - 1 ||
        memcmp(s, LONG_NAME, n) != 0)
        FAIL(w, "shared name %d", k);
}

static void *work(void *arg) {
    worker *w = arg;
    int64_t base = (int64_t)(w->id + 1) * 100000000;
    char tname[64];
    for (int i = 0; i < nops; i++) {
        /* a record in the shared type's default store */
        slots_obj o = 0;
        if (slots_new(shared_type, &o) != SLOTS_OK) {
            FAIL(w, "new");
            continue;
        }
        int64_t id = base + i, back = -1;
        if (slots_set_i64(o, 0, id) != SLOTS_OK) FAIL(w, "set id");
        if (slots_set_str(o, 1, i % 3 ? "short" : LONG_NAME, i % 3 ? 5 : sizeof LONG_NAME - 1) != SLOTS_OK)
            FAIL(w, "set name");
        if (slots_get_i64(o, 0, &back) != SLOTS_OK || back != id) FAIL(w, "get id");
        if (i % KEEP_EVERY == 0) w->kept[w->nkept++] = o;
        else if (slots_free(o) != SLOTS_OK) FAIL(w, "free");

        /* the shared keyed store: append under this thread's key range, sometimes remove again */
        slots_obj a = 0;
        if (slots_store_append(shared_store, &a) != SLOTS_OK) FAIL(w, "append");
        else if (slots_set_i64(a, 0, base + i) != SLOTS_OK) FAIL(w, "set key %lld", (long long)(base + i));
        else if (slots_set_str(a, 1, LONG_NAME, sizeof LONG_NAME - 1) != SLOTS_OK) FAIL(w, "set store name");
        else if (i % 2) {
            if (slots_store_remove(shared_store, a) != SLOTS_OK) FAIL(w, "remove");
        } else {
            w->owned[w->nowned] = a;
            w->keys[w->nowned++] = base + i;
        }
        if (w->nowned && i % 5 == 0) {
            int j = (i / 5) % w->nowned;
            slots_obj f = 0;
            if (slots_store_find_i64(shared_store, w->keys[j], &f) != SLOTS_OK || f != w->owned[j])
                FAIL(w, "find %lld", (long long)w->keys[j]);
        }

        /* write and read a record this thread owns */
        if (w->nkept) {
            slots_obj k = w->kept[i % w->nkept];
            double d = -1;
            if (slots_set_f64(k, 2, (double)i) != SLOTS_OK || slots_get_f64(k, 2, &d) != SLOTS_OK || d != (double)i)
                FAIL(w, "own f64");
        }
        check_shared(w, i);

        if (i % DEFINE_EVERY == 0) {
            if (define_types) {
                snprintf(tname, sizeof tname, "Stress_T%d_%d", w->id, i);
                slots_type *t = NULL;
                if (slots_type_define(tname, "a: i64 key, b: str = 'x'", NULL, 0, &t) != SLOTS_OK) FAIL(w, "define");
                else if (slots_type_find(tname) != t) FAIL(w, "find own type");
                else w->defined++;
                if (slots_type_define("StressShared", "a: i64", NULL, 0, &t) != SLOTS_OK) FAIL(w, "rebind");
            }
            if (slots_type_find("StressKeyed") != keyed_type) FAIL(w, "find shared type");
        }
        w->ops++;
    }
    return NULL;
}

static int check(int cond, const char *what) {
    if (!cond) fprintf(stderr, "stress: FAILED: %s\n", what);
    return cond ? 0 : 1;
}

static size_t count_of(const slots_type *t) {
    size_t n = (size_t)-1;
    slots_type_count(t, &n);
    return n;
}

/* One round: start, join, check counts, release what the threads kept. Returns failures. */
static int round_run(int with_defines, long *ops) {
    int bad = 0;
    worker *ws = calloc((size_t)nthreads, sizeof *ws);
    pthread_t *th = calloc((size_t)nthreads, sizeof *th);
    size_t count0 = count_of(shared_type), len0 = 0;
    slots_store_len(shared_store, &len0);
    define_types = with_defines;
    for (int i = 0; i < nthreads; i++) {
        ws[i].id = i;
        ws[i].kept = calloc((size_t)nops / KEEP_EVERY + 1, sizeof(slots_obj));
        ws[i].owned = calloc((size_t)nops / 2 + 1, sizeof(slots_obj));
        ws[i].keys = calloc((size_t)nops / 2 + 1, sizeof(int64_t));
        pthread_create(&th[i], NULL, work, &ws[i]);
    }
    long errors = 0;
    size_t kept = 0, owned = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        errors += ws[i].errors;
        kept += (size_t)ws[i].nkept;
        owned += (size_t)ws[i].nowned;
        *ops += ws[i].ops;
        if (with_defines) bad += check(ws[i].defined == (nops + DEFINE_EVERY - 1) / DEFINE_EVERY, "types defined");
    }
    bad += check(errors == 0, "operations failed in threads");
    bad += check(count_of(shared_type) == count0 + kept, "shared type count = shared + kept records");
    size_t len = 0;
    slots_store_len(shared_store, &len);
    bad += check(len == len0 + owned, "store len = appended - removed");
    bad += check(count_of(keyed_type) == len, "keyed type count = store len");
    for (int i = 0; i < nthreads; i++) {
        for (int j = 0; j < ws[i].nowned; j++) {
            slots_obj f = 0;
            if (slots_store_find_i64(shared_store, ws[i].keys[j], &f) != SLOTS_OK || f != ws[i].owned[j]) {
                bad += check(0, "every kept key found");
                break;
            }
        }
        for (int j = 0; j < ws[i].nkept; j++) bad += check(slots_free(ws[i].kept[j]) == SLOTS_OK, "free kept");
        for (int j = 0; j < ws[i].nowned; j++)
            bad += check(slots_store_remove(shared_store, ws[i].owned[j]) == SLOTS_OK, "remove owned");
        free(ws[i].kept);
        free(ws[i].owned);
        free(ws[i].keys);
    }
    bad += check(count_of(shared_type) == count0, "shared type count back");
    slots_store_len(shared_store, &len);
    bad += check(len == len0, "store len back");
    free(ws);
    free(th);
    return bad;
}

static int cancel_ready, cancel_stop; /* atomics */

/* Asks for the load on store `arg` to stop, until one was running (or the test says stop). */
static void *cancel_spin(void *arg) {
    __atomic_store_n(&cancel_ready, 1, __ATOMIC_RELEASE);
    while (slots_store_cancel_load(arg) == 0 && !__atomic_load_n(&cancel_stop, __ATOMIC_ACQUIRE)) {}
    return NULL;
}

/* A CSV load cancelled from another thread while it decodes: it fails and changes nothing. */
static int cancelled_load(slots_store *s, const char *text, size_t len) {
    size_t before = 0, after = 1, loaded = 0;
    slots_store_len(s, &before);
    pthread_t tid;
    __atomic_store_n(&cancel_ready, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&cancel_stop, 0, __ATOMIC_RELEASE);
    if (pthread_create(&tid, NULL, cancel_spin, s) != 0) return check(0, "cancel thread");
    while (!__atomic_load_n(&cancel_ready, __ATOMIC_ACQUIRE)) {}
    int rc = slots_store_load_csv(s, text, len, 0, &loaded, NULL);
    __atomic_store_n(&cancel_stop, 1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    slots_store_len(s, &after);
    /* The cancel may come too late (the load already committing, on a busy machine): then the load
     * stands whole. Either way, all or nothing. */
    return check((rc == SLOTS_ECANCELED && after == before) || (rc == SLOTS_OK && after == before + loaded),
                 "a cancelled load changes nothing (or, cancelled too late, loads every row)");
}

/* A load decoded on four threads (long names: allocations on every thread), then one that fails
 * at its last line. Returns failures. */
static int bulk_load_round(void) {
    enum { ROWS = 40000 };
    size_t cap = (size_t)ROWS * 128, len = 0, loaded = 0;
    char *text = malloc(cap);
    if (!text) return 1;
    for (int i = 0; i < ROWS; i++)
        len += (size_t)snprintf(text + len, cap - len, "{\"id\": %d, \"name\": \"%s %d\"}\n", i, LONG_NAME, i);
    slots_store *s = NULL;
    int bad = check(slots_store_new(keyed_type, &s) == SLOTS_OK, "bulk store");
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    bad += check(slots_store_load_jsonl(s, text, len, 0, &loaded, NULL) == SLOTS_OK && loaded == ROWS, "bulk load");
    slots_obj f;
    bad += check(slots_store_find_i64(s, ROWS - 1, &f) == SLOTS_OK, "bulk key found");
    slots_store_clear(s);
    len -= (size_t)snprintf(NULL, 0, "{\"id\": %d, \"name\": \"%s %d\"}\n", ROWS - 1, LONG_NAME, ROWS - 1);
    len += (size_t)snprintf(text + len, cap - len, "{\"id\": 0}\n"); /* a duplicate key at the last line */
    bad += check(slots_store_load_jsonl(s, text, len, 0, &loaded, NULL) == SLOTS_EEXIST, "bulk load fails");
    size_t n = 1;
    slots_store_len(s, &n);
    bad += check(n == 0, "failed bulk load leaves the store empty");
    /* the same rows as CSV, names quoted */
    len = (size_t)snprintf(text, cap, "id,name\n");
    for (int i = 0; i < ROWS; i++) len += (size_t)snprintf(text + len, cap - len, "%d,\"%s, %d\"\n", i, LONG_NAME, i);
    bad += cancelled_load(s, text, len);
    bad += check(slots_store_load_csv(s, text, len, 0, &loaded, NULL) == SLOTS_OK && loaded == ROWS, "bulk CSV load");
    bad += check(slots_store_find_i64(s, ROWS / 2, &f) == SLOTS_OK, "bulk CSV key found");
    bad += check(slots_store_drop(s) == SLOTS_OK, "bulk drop");
    free(text);
    return bad;
}

int main(int argc, char **argv) {
    if (argc > 1) nthreads = atoi(argv[1]);
    if (argc > 2) nops = atoi(argv[2]);
    if (nthreads < 1 || nops < 1) return 2;
    slots_type *t = NULL;
    if (slots_type_define("StressShared", "id: i64, name: str, price: f64 = 0", NULL, 0, &t) != SLOTS_OK) return 2;
    shared_type = t;
    if (slots_type_define("StressKeyed", "id: i64 key, name: str = ''", NULL, 0, &t) != SLOTS_OK) return 2;
    keyed_type = t;
    if (slots_store_new(keyed_type, &shared_store) != SLOTS_OK) return 2;
    for (int k = 0; k < SHARED_RECORDS; k++) {
        if (slots_new(shared_type, &shared_recs[k]) != SLOTS_OK || slots_set_i64(shared_recs[k], 0, 1000 + k) ||
            slots_set_str(shared_recs[k], 1, LONG_NAME, sizeof LONG_NAME - 1))
            return 2;
    }
    long ops = 0;
    int bad = round_run(1, &ops);
    /* second round: no type definitions; slabs, index and maps have their size from the first */
    size_t mem0 = slots_memory_used();
    bad += round_run(0, &ops);
    size_t mem1 = slots_memory_used();
    if (mem1 != mem0) fprintf(stderr, "stress: memory %zu -> %zu (%+ld)\n", mem0, mem1, (long)mem1 - (long)mem0);
    bad += check(mem1 == mem0, "memory back to baseline after frees");
    bad += bulk_load_round();
    for (int k = 0; k < SHARED_RECORDS; k++) bad += check(slots_free(shared_recs[k]) == SLOTS_OK, "free shared");
    bad += check(slots_store_drop(shared_store) == SLOTS_OK, "drop");
    bad += check(count_of(shared_type) == 0 && count_of(keyed_type) == 0, "all records gone");
    /* about 13 API calls per iteration: new, 2 sets, get, free; append, 2 sets, remove every other;
     * a find every 5th; set+get of an own record; 2 reads of a shared record */
    printf("stress_threads: %d threads x %d iterations x 2 rounds (%ld iterations, ~%ld API calls): %s\n",
           nthreads, nops, ops, ops * 13, bad ? "FAILED" : "ok");
    return bad ? 1 : 0;
}
