/*
 * test_safety.c — the safety promises under threads and lifetimes (issue 10), each case as an
 * outside tester found it: two writers on one long string, readers racing a writer, a store
 * dropped during a load or a read, validators that touch the store they are loading into, a
 * dropped store's pointer after its memory is reused, fork() during a load. Run plain, under
 * ASan+UBSan, and under ThreadSanitizer (make check-tsan).
 * The limits that take minutes (2^28 records, a million store ids, a million types) are in
 * tests/hardening/long_limits.c.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __has_feature
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

enum { ROUNDS = UNDER_TSAN ? 2000 : 20000 };

static slots_type *def(const char *fields) {
    slots_type *t = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("Safe"), fields, NULL, 0, &t), SLOTS_OK);
    return t;
}

static const char *const VALUES[] = {
    "a first value that is long enough to live out of line",
    "short",
    "a second long value, also stored out of line, and longer",
    "",
};
enum { NVALUES = sizeof VALUES / sizeof VALUES[0] };

static int is_written_value(const char *p, size_t n) {
    for (int k = 0; k < NVALUES; k++)
        if (strlen(VALUES[k]) == n && memcmp(VALUES[k], p, n) == 0) return 1;
    return 0;
}

/* Runs `nreaders` readers until `writer` has finished (readers start first), then stops them. */
static void race(void *(*read)(void *), void **readers, int nreaders, void *(*write)(void *), void *writer_arg,
                 atomic_int *stop) {
    pthread_t th[4], w;
    for (int i = 0; i < nreaders; i++) pthread_create(&th[i], NULL, read, readers[i]);
    pthread_create(&w, NULL, write, writer_arg);
    pthread_join(w, NULL);
    atomic_store(stop, 1);
    for (int i = 0; i < nreaders; i++) pthread_join(th[i], NULL);
}

/* ---- 1 and 2: writers and readers of one str field ------------------------------------------ */

typedef struct {
    slots_obj o;
    int which;
    atomic_int *stop;
    int bad;
    atomic_long reads;
} racer;

static void *writer(void *arg) {
    racer *r = arg;
    for (int i = 0; i < ROUNDS; i++) {
        const char *v = VALUES[(i + r->which) % NVALUES];
        if (slots_set_str(r->o, 0, v, strlen(v)) != SLOTS_OK) r->bad++;
    }
    return NULL;
}

static void *reader(void *arg) {
    racer *r = arg;
    while (!atomic_load(r->stop)) {
        const char *p;
        size_t n;
        if (slots_get_str(r->o, 0, &p, &n) != SLOTS_OK || !is_written_value(p, n)) r->bad++;
        if (slots_repr(r->o, &p, &n) != SLOTS_OK || !strstr(p, "Safe")) r->bad++;
        if (slots_to_json(r->o, &p, &n) != SLOTS_OK || p[0] != '{') r->bad++;
        atomic_fetch_add(&r->reads, 1);
    }
    return NULL;
}

static void test_two_writers_one_string(void) {
    slots_type *t = def("name: str");
    slots_obj o;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    ASSERT_OK(slots_set_str(o, 0, VALUES[0], strlen(VALUES[0])));
    atomic_int stop = 0;
    racer w[2] = {{o, 0, &stop, 0, 0}, {o, 2, &stop, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, writer, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(w[0].bad + w[1].bad, 0);
    const char *p;
    size_t n;
    ASSERT_OK(slots_get_str(o, 0, &p, &n));
    CU_ASSERT_TRUE(is_written_value(p, n));
    size_t strings = 0;
    ASSERT_OK(slots_type_memory(t, NULL, &strings, NULL));
    CU_ASSERT_TRUE(strings <= 64); /* one long value at most: none leaked, none freed twice */
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_type_memory(t, NULL, &strings, NULL));
    CU_ASSERT_EQUAL(strings, 0);
}

static void test_readers_see_whole_values(void) {
    slots_type *t = def("name: str");
    slots_obj o;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    ASSERT_OK(slots_set_str(o, 0, VALUES[1], strlen(VALUES[1])));
    atomic_int stop = 0;
    racer rd[2] = {{o, 0, &stop, 0, 0}, {o, 0, &stop, 0, 0}}, wr = {o, 1, &stop, 0, 0};
    race(reader, (void *[]){&rd[0], &rd[1]}, 2, writer, &wr, &stop);
    CU_ASSERT_EQUAL(rd[0].bad + rd[1].bad + wr.bad, 0);
    ASSERT_OK(slots_free(o));
}

/* A deleted field read while another thread deletes and sets it: unset or a written value. */
static void *deleter(void *arg) {
    racer *r = arg;
    for (int i = 0; i < ROUNDS; i++) {
        slots_del(r->o, 0);
        slots_set_str(r->o, 0, VALUES[i % NVALUES], strlen(VALUES[i % NVALUES]));
    }
    return NULL;
}

static void *reader_or_unset(void *arg) {
    racer *r = arg;
    while (!atomic_load(r->stop)) {
        const char *p;
        size_t n;
        int rc = slots_get_str(r->o, 0, &p, &n);
        if (rc != SLOTS_EUNSET && (rc != SLOTS_OK || !is_written_value(p, n))) r->bad++;
    }
    return NULL;
}

static void test_delete_races_read(void) {
    slots_type *t = def("name: str, n: i64");
    slots_obj o;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    atomic_int stop = 0;
    racer rd = {o, 0, &stop, 0, 0}, wr = {o, 0, &stop, 0, 0};
    race(reader_or_unset, (void *[]){&rd}, 1, deleter, &wr, &stop);
    CU_ASSERT_EQUAL(rd.bad, 0);
    ASSERT_OK(slots_free(o));
}

/* Extras of one record set, replaced and deleted by one thread while another reads them. */
static void *extras_writer(void *arg) {
    racer *r = arg;
    char name[16];
    for (int i = 0; i < ROUNDS; i++) {
        snprintf(name, sizeof name, "x%d", i % 40);
        const char *v = VALUES[i % NVALUES];
        if (slots_extra_set_str(r->o, name, v, strlen(v)) != SLOTS_OK) r->bad++;
        if (i % 7 == 0) slots_extra_del(r->o, name);
    }
    return NULL;
}

static void *extras_reader(void *arg) {
    racer *r = arg;
    char name[16];
    for (int i = 0; !atomic_load(r->stop); i++) {
        snprintf(name, sizeof name, "x%d", i % 40);
        const char *p;
        size_t n;
        int rc = slots_extra_get_str(r->o, name, &p, &n);
        if (rc != SLOTS_ENOATTR && (rc != SLOTS_OK || !is_written_value(p, n))) r->bad++;
        if (slots_extra_count(r->o, &n) != SLOTS_OK || n > 40) r->bad++;
        rc = slots_extra_name(r->o, (size_t)i % 8, &p);
        if (rc != SLOTS_EINDEX && (rc != SLOTS_OK || p[0] != 'x')) r->bad++;
        if (slots_to_json(r->o, &p, &n) != SLOTS_OK || p[0] != '{') r->bad++;
        slots_obj c;
        if (slots_copy(r->o, &c) != SLOTS_OK || slots_free(c) != SLOTS_OK) r->bad++;
        atomic_fetch_add(&r->reads, 1);
    }
    return NULL;
}

static void test_extras_race(void) {
    slots_type *t = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("SafeDyn"), "id: i64", NULL, SLOTS_DYNAMIC, &t), SLOTS_OK);
    slots_obj o;
    CU_ASSERT_EQUAL_FATAL(slots_new(t, &o), SLOTS_OK);
    atomic_int stop = 0;
    racer rd = {o, 0, &stop, 0, 0}, wr = {o, 0, &stop, 0, 0};
    race(extras_reader, (void *[]){&rd}, 1, extras_writer, &wr, &stop);
    CU_ASSERT_EQUAL(rd.bad + wr.bad, 0);
    ASSERT_OK(slots_free(o));
}

/* A record freed (or its store cleared) while another thread reads its text: the reader gets the
 * value or SLOTS_ESTALE, never an empty string nobody wrote. */
typedef struct {
    slots_store *s;
    _Atomic slots_obj current;
    atomic_int *stop;
    int bad;
} churn;

static void *churner(void *arg) {
    churn *c = arg;
    for (int i = 0; i < ROUNDS; i++) {
        slots_obj o;
        if (slots_store_append(c->s, &o) != SLOTS_OK ||
            slots_set_str(o, 0, VALUES[0], strlen(VALUES[0])) != SLOTS_OK || slots_set_str(o, 1, "x", 1) != SLOTS_OK) {
            c->bad++;
            continue;
        }
        atomic_store(&c->current, o);
        if (i % 2) slots_store_clear(c->s);
        else slots_free(o);
    }
    return NULL;
}

static void *churn_reader(void *arg) {
    churn *c = arg;
    while (!atomic_load(c->stop)) {
        const char *p;
        size_t n;
        int rc = slots_get_str(atomic_load(&c->current), 0, &p, &n);
        if (rc != SLOTS_ESTALE && (rc != SLOTS_OK || n != strlen(VALUES[0]))) c->bad++;
    }
    return NULL;
}

static void test_free_races_read(void) {
    slots_type *t = def("name: str, tag: str");
    atomic_int stop = 0;
    churn c = {0};
    c.stop = &stop;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &c.s), SLOTS_OK);
    race(churn_reader, (void *[]){&c}, 1, churner, &c, &stop);
    CU_ASSERT_EQUAL(c.bad, 0);
    ASSERT_OK(slots_store_drop(c.s));
}

/* ---- 3: a store dropped during a load, a read, an iteration ---------------------------------- */

static char *jsonl_text(size_t rows, size_t *len) {
    char *buf = malloc(rows * 80 + 1);
    size_t n = 0;
    for (size_t i = 0; i < rows; i++)
        n += (size_t)sprintf(buf + n, "{\"id\": %zu, \"name\": \"product-name-that-is-long-%08zu\"}\n", i, i);
    *len = n;
    return buf;
}

typedef struct {
    slots_store *s;
    const char *buf;
    size_t len;
    int rc;
    atomic_int started;
    atomic_int *stop;
    long ops;
    int bad;
} store_user;

static void *loader_thread(void *arg) {
    store_user *u = arg;
    atomic_store(&u->started, 1);
    u->rc = slots_store_load_jsonl(u->s, u->buf, u->len, 0, NULL, NULL);
    return NULL;
}

static void test_drop_during_load(void) {
    slots_type *t = def("id: i64 key, name: str");
    size_t len;
    char *buf = jsonl_text(UNDER_TSAN ? 20000 : 200000, &len);
    for (int round = 0; round < 4; round++) {
        store_user u = {0};
        CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &u.s), SLOTS_OK);
        u.buf = buf, u.len = len;
        pthread_t th;
        pthread_create(&th, NULL, loader_thread, &u);
        while (!atomic_load(&u.started)) sched_yield();
        if (round % 2) usleep(1000);
        int rc = slots_store_drop(u.s); /* waits for the load, or finds the store gone */
        pthread_join(th, NULL);
        CU_ASSERT_TRUE(rc == SLOTS_OK);
        CU_ASSERT_TRUE(u.rc == SLOTS_OK || u.rc == SLOTS_ESTALE); /* the drop came first */
        size_t n;
        ASSERT_STATUS(slots_store_len(u.s, &n), SLOTS_ESTALE);
    }
    free(buf);
}

/* Reads every record of the store over and over by handle, position and iteration. */
static void *store_reader(void *arg) {
    store_user *u = arg;
    atomic_store(&u->started, 1);
    while (!atomic_load(u->stop)) {
        size_t cursor = 0, n;
        slots_obj o;
        int rc;
        while ((rc = slots_store_next(u->s, &cursor, &o)) == SLOTS_OK) {
            const char *p;
            int g = slots_get_str(o, 1, &p, &n);
            if (g != SLOTS_OK && g != SLOTS_ESTALE) u->bad++;
            if (g == SLOTS_OK && (n != 34 || memcmp(p, "product-name-that-is-long-", 26) != 0)) u->bad++;
            u->ops++;
        }
        if (rc != SLOTS_EINDEX && rc != SLOTS_ESTALE) u->bad++;
        rc = slots_store_at(u->s, 3, &o);
        if (rc != SLOTS_OK && rc != SLOTS_ESTALE) u->bad++;
        rc = slots_store_find_i64(u->s, 7, &o);
        if (rc != SLOTS_OK && rc != SLOTS_ESTALE) u->bad++;
        const char *text;
        rc = slots_store_dump_jsonl(u->s, &text, &n);
        if (rc != SLOTS_OK && rc != SLOTS_ESTALE) u->bad++;
    }
    return NULL;
}

static void test_drop_during_reads(void) {
    slots_type *t = def("id: i64 key, name: str");
    size_t len;
    char *buf = jsonl_text(500, &len);
    for (int round = 0; round < 20; round++) {
        atomic_int stop = 0;
        store_user u[2] = {{0}, {0}};
        slots_store *s;
        CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
        ASSERT_OK(slots_store_load_jsonl(s, buf, len, 0, NULL, NULL));
        pthread_t th[2];
        for (int i = 0; i < 2; i++) {
            u[i].s = s, u[i].stop = &stop;
            pthread_create(&th[i], NULL, store_reader, &u[i]);
        }
        while (!atomic_load(&u[0].started) || !atomic_load(&u[1].started)) sched_yield();
        usleep(200 * (unsigned)(round % 5));
        ASSERT_OK(slots_store_drop(s));
        atomic_store(&stop, 1);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        CU_ASSERT_EQUAL(u[0].bad + u[1].bad, 0);
    }
    free(buf);
}

/* ---- 4: validators that touch the store being loaded ----------------------------------------- */

static slots_store *loading;
static int validator_status;
static int validator_calls;

static int drop_it(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)self, (void)field, (void)v, (void)msg, (void)cap;
    validator_calls++;
    switch ((int)(intptr_t)ctx) {
    case 0: validator_status = slots_store_drop(loading); break;
    case 1: validator_status = slots_store_clear(loading); break;
    case 2: validator_status = slots_store_load_jsonl(loading, "{\"id\": 99}\n", 11, 0, NULL, NULL); break;
    default: {
        slots_obj o;
        validator_status = slots_store_append(loading, &o);
        break;
    }
    }
    return 0;
}

static void test_validator_touching_its_store(void) {
    for (intptr_t what = 0; what < 4; what++) {
        slots_type *t = def("id: i64 key, n: i64 = 0");
        ASSERT_OK(slots_field_set_validator(t, 1, drop_it, (void *)what));
        CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &loading), SLOTS_OK);
        validator_calls = 0, validator_status = SLOTS_OK;
        size_t loaded = 0, n = 0;
        ASSERT_OK(slots_store_load_jsonl(loading, "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n", 30, 0, &loaded, NULL));
        CU_ASSERT_EQUAL(validator_calls, 3);
        CU_ASSERT_EQUAL(validator_status, SLOTS_EBUSY);
        CU_ASSERT_EQUAL(loaded, 3);
        ASSERT_OK(slots_store_len(loading, &n));
        CU_ASSERT_EQUAL(n, 3); /* the count it reports is what the store holds */
        ASSERT_OK(slots_store_drop(loading));
    }
}

/* slots_free of a record of the store being loaded, from its validator: refused the same way. */
static int free_self(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)field, (void)v, (void)msg, (void)cap, (void)ctx;
    validator_status = slots_free(self);
    return 0;
}

static void test_validator_freeing_a_loading_record(void) {
    slots_type *t = def("id: i64 key, n: i64 = 0");
    ASSERT_OK(slots_field_set_validator(t, 1, free_self, NULL));
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &loading), SLOTS_OK);
    size_t loaded = 0, n = 0;
    ASSERT_OK(slots_store_load_jsonl(loading, "{\"id\": 1}\n{\"id\": 2}\n", 20, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(validator_status, SLOTS_EBUSY);
    ASSERT_OK(slots_store_len(loading, &n));
    CU_ASSERT_EQUAL(n, loaded);
    ASSERT_OK(slots_store_drop(loading));
}

/* ---- 7: a dropped store's pointer, after its memory and id are reused --------------------------- */

static void test_dropped_pointer_never_acts(void) {
    slots_type *t = def("id: i64");
    slots_store *old;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &old), SLOTS_OK);
    slots_obj rec;
    ASSERT_OK(slots_store_append(old, &rec));
    ASSERT_OK(slots_store_drop(old));
    slots_store *fresh[64];
    for (int i = 0; i < 64; i++) ASSERT_OK(slots_store_new(t, &fresh[i])); /* malloc reuses the block */
    for (int i = 0; i < 64; i++) CU_ASSERT_PTR_NOT_EQUAL(fresh[i], old);
    size_t n = 0;
    slots_obj o;
    ASSERT_STATUS(slots_store_len(old, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_append(old, &o), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_drop(old), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_load_jsonl(old, "{\"id\":1}\n", 9, 0, NULL, NULL), SLOTS_ESTALE);
    int64_t v;
    ASSERT_STATUS(slots_get_i64(rec, 0, &v), SLOTS_ESTALE);
    for (int i = 0; i < 64; i++) {
        ASSERT_OK(slots_store_len(fresh[i], &n));
        CU_ASSERT_EQUAL(n, 0); /* nothing reached a new store through the old pointer */
        ASSERT_OK(slots_store_drop(fresh[i]));
    }
    /* forged references */
    ASSERT_STATUS(slots_store_len((slots_store *)(uintptr_t)0x1234567, &n), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_len((slots_store *)&n, &n), SLOTS_ESTALE);
}

/* ---- drop from inside a callback: refused, not a deadlock -------------------------------------- */

static slots_store *other;
static int drop_other(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)self, (void)field, (void)v, (void)msg, (void)cap, (void)ctx;
    validator_status = slots_store_drop(other);
    return 0;
}

static void test_drop_from_a_callback(void) {
    slots_type *t = def("id: i64");
    ASSERT_OK(slots_field_set_validator(t, 0, drop_other, NULL));
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &other), SLOTS_OK);
    slots_obj o;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_set_i64(o, 0, 5));
    CU_ASSERT_EQUAL(validator_status, SLOTS_EBUSY);
    ASSERT_MSG("from inside a validator");
    size_t n;
    ASSERT_OK(slots_store_len(other, &n));
    ASSERT_OK(slots_field_set_validator(t, 0, NULL, NULL));
    ASSERT_OK(slots_store_drop(other));
    ASSERT_OK(slots_free(o));
}

/* ---- 10: fork() while another thread loads ---------------------------------------------------- */

static void test_fork_during_load(void) {
    if (UNDER_TSAN) return; /* ThreadSanitizer does not follow a forked child */
    slots_type *t = def("id: i64 key, name: str");
    size_t len;
    char *buf = jsonl_text(300000, &len);
    store_user u = {0};
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &u.s), SLOTS_OK);
    u.buf = buf, u.len = len;
    pthread_t th;
    pthread_create(&th, NULL, loader_thread, &u);
    while (!atomic_load(&u.started)) sched_yield();
    usleep(2000);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a hang fails the test instead of stalling it */
        size_t n = 0;
        slots_obj o;
        int ok = slots_store_len(u.s, &n) == SLOTS_OK && (n == 0 || n == 300000);
        ok = ok && slots_store_append(u.s, &o) == SLOTS_OK && slots_store_drop(u.s) == SLOTS_OK;
        slots_type *t2;
        ok = ok && slots_type_define(unique_name("Child"), "a: str", NULL, 0, &t2) == SLOTS_OK && slots_new(t2, &o) == SLOTS_OK;
        _exit(ok ? 0 : 3);
    }
    CU_ASSERT_FATAL(pid > 0);
    int status = 0;
    waitpid(pid, &status, 0);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pthread_join(th, NULL);
    ASSERT_OK(u.rc);
    ASSERT_OK(slots_store_drop(u.s));
    free(buf);
}

/* Threads each making and dropping stores of their own, and loading files (a file load discards a
 * staging store): two drops at once used to wait for each other, each inside its own call (one
 * held the list of threads while waiting for the other, which needed that list to wait in turn). */
static slots_type *drop_type;
static const char *drop_file;

static void *drop_many(void *arg) {
    (void)arg;
    for (int i = 0; i < (UNDER_TSAN ? 100 : 1000); i++) {
        slots_store *s = NULL;
        slots_obj o;
        size_t n;
        if (slots_store_new(drop_type, &s) != SLOTS_OK) return (void *)1;
        if (slots_store_append(s, &o) != SLOTS_OK || slots_set_i64(o, 0, i) != SLOTS_OK) return (void *)1;
        if (i % 10 == 0 && slots_store_load_jsonl_file(s, drop_file, 0, &n, NULL) != SLOTS_OK) return (void *)1;
        if (slots_store_drop(s) != SLOTS_OK) return (void *)1;
    }
    return NULL;
}

static void test_drops_at_once(void) {
    drop_type = def("a: i64, b: str = 'x'");
    char path[] = "/tmp/slots-drops-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char *text = "{\"a\": 1000000}\n{\"a\": 1000001, \"b\": \"y\"}\n";
    CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    drop_file = path;
    alarm(UNDER_TSAN ? 600 : 120); /* a deadlock ends the suite (SIGALRM) instead of hanging make check */
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, drop_many, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        CU_ASSERT_PTR_NULL(r);
    }
    size_t records = 1, strings = 1, extras = 1; /* every dropped store freed by its drop's return */
    ASSERT_OK(slots_type_memory(drop_type, &records, &strings, &extras));
    CU_ASSERT_EQUAL(records + strings + extras, 0);
    alarm(0);
    unlink(path);
}

int main(void) {
    CU_TestInfo tests[] = {
        {"drops and file loads on four threads at once", test_drops_at_once},
        {"two writers, one long string", test_two_writers_one_string},
        {"readers see whole values", test_readers_see_whole_values},
        {"a delete races a read", test_delete_races_read},
        {"extras set and read at once", test_extras_race},
        {"a free races a read", test_free_races_read},
        {"drop during a load", test_drop_during_load},
        {"drop during reads", test_drop_during_reads},
        {"a validator touching its store", test_validator_touching_its_store},
        {"a validator freeing a loading record", test_validator_freeing_a_loading_record},
        {"a dropped pointer never acts", test_dropped_pointer_never_acts},
        {"drop from a callback", test_drop_from_a_callback},
        {"fork during a load", test_fork_during_load},
        CU_TEST_INFO_NULL,
    };
    return run_suite("safety", tests);
}
