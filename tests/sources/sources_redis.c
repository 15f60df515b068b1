/*
 * sources_redis.c — Redis into a keyed store with hiredis, as a cache service would do it, and the
 * records served back as JSON. Run under tests/sources/servers.py (SLOTS_TEST_REDIS_PORT/_PID).
 *
 * The example: a fetcher thread walks the keyspace with SCAN and fetches each page of keys with
 * MGET, the next SCAN pipelined behind it (one round trip per batch); the main thread loads each
 * MGET reply (a list of JSON values, no joining) with slots_store_load_json_values while the
 * fetcher gets the next one (a queue of two batches). SCAN may return a key twice, so the load
 * upserts. Then a "request" for some keys is answered with one JSON array.
 * A refresh that must be all or nothing across batches (the server may go away half-way) streams
 * the values into a JSON Lines loader instead and commits at the end, or aborts.
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sources_util.h"

enum { N_PRODUCTS = 20000, SCAN_COUNT = 1000, QUEUE_MAX = 2 };

static redisContext *connect_redis(void) {
    redisContext *c = redisConnect("127.0.0.1", (int)sources_env_long("SLOTS_TEST_REDIS_PORT"));
    if (!c || c->err) {
        fprintf(stderr, "redis: %s\n", c ? c->errstr : "out of memory");
        abort();
    }
    return c;
}

/* Runs a command that must succeed (test setup). */
static void must(redisContext *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "redis %s: %s\n", fmt, r ? r->str : c->errstr);
        abort();
    }
    freeReplyObject(r);
}

/* products.lua writes N products as JSON, server-side (the same generator the Python tests use). */
static void fill(redisContext *c, long first, long count) {
    char *script = sources_read("products.lua", NULL);
    must(c, "EVAL %s 0 %ld %ld", script, first, count);
    free(script);
}

/* ---- the fetcher: SCAN + pipelined MGET on its own thread, batches handed over in a queue ---- */
typedef struct batch {
    redisReply *values; /* the MGET reply: one bulk string (or nil) per key */
    struct batch *next;
} batch;

typedef struct fetcher {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch *head, *tail;
    int queued, done, stop;
    char error[256]; /* why the fetch ended early ("" when it reached the end) */
    redisContext *c;
} fetcher;

static int push(fetcher *f, redisReply *values) {
    batch *b = malloc(sizeof *b);
    if (!b) return -1;
    b->values = values;
    b->next = NULL;
    pthread_mutex_lock(&f->mu);
    while (f->queued >= QUEUE_MAX && !f->stop) pthread_cond_wait(&f->cv, &f->mu);
    int stopped = f->stop;
    if (!stopped) {
        if (f->tail) f->tail->next = b; else f->head = b;
        f->tail = b;
        f->queued++;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (stopped) {
        freeReplyObject(values);
        free(b);
    }
    return stopped ? -1 : 0;
}

static void finish(fetcher *f, const char *error) {
    pthread_mutex_lock(&f->mu);
    if (error) snprintf(f->error, sizeof f->error, "%s", error);
    f->done = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static const char *reply_error(fetcher *f, redisReply *r) {
    if (!r) return f->c->errstr[0] ? f->c->errstr : "no reply";
    if (r->type == REDIS_REPLY_ERROR) return r->str;
    return NULL;
}

/* Sends MGET of this page's keys and the next SCAN together, then reads both replies. */
static void *fetch_main(void *arg) {
    fetcher *f = arg;
    redisReply *scan = redisCommand(f->c, "SCAN 0 MATCH product:* COUNT %d", SCAN_COUNT);
    const char *err = reply_error(f, scan);
    while (!err) {
        redisReply *keys = scan->element[1];
        int more = strcmp(scan->element[0]->str, "0") != 0;
        if (keys->elements) {
            const char **argv = malloc((keys->elements + 1) * sizeof *argv);
            size_t *argl = malloc((keys->elements + 1) * sizeof *argl);
            argv[0] = "MGET";
            argl[0] = 4;
            for (size_t i = 0; i < keys->elements; i++) {
                argv[i + 1] = keys->element[i]->str;
                argl[i + 1] = keys->element[i]->len;
            }
            redisAppendCommandArgv(f->c, (int)keys->elements + 1, argv, argl);
            free(argv);
            free(argl);
        }
        if (more) redisAppendCommand(f->c, "SCAN %s MATCH product:* COUNT %d", scan->element[0]->str, SCAN_COUNT);
        redisReply *values = NULL, *next = NULL;
        if (keys->elements && redisGetReply(f->c, (void **)&values) != REDIS_OK) values = NULL;
        if (keys->elements && (err = reply_error(f, values)) != NULL) break;
        if (values && push(f, values) != 0) break; /* the consumer stopped */
        if (more && redisGetReply(f->c, (void **)&next) != REDIS_OK) next = NULL;
        if (more && (err = reply_error(f, next)) != NULL) break;
        freeReplyObject(scan);
        scan = next;
        if (!more) break;
    }
    finish(f, err);
    if (scan) freeReplyObject(scan);
    return NULL;
}

static void fetch_start(fetcher *f) {
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->c = connect_redis();
    pthread_create(&f->thread, NULL, fetch_main, f);
}

/* The next batch, or NULL at the end (f->error says whether the fetch failed). */
static redisReply *fetch_next(fetcher *f) {
    pthread_mutex_lock(&f->mu);
    while (!f->head && !f->done) pthread_cond_wait(&f->cv, &f->mu);
    batch *b = f->head;
    if (b) {
        f->head = b->next;
        if (!f->head) f->tail = NULL;
        f->queued--;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    redisReply *r = b ? b->values : NULL;
    free(b);
    return r;
}

static void fetch_end(fetcher *f) {
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    for (batch *b = f->head, *n; b; b = n) {
        n = b->next;
        freeReplyObject(b->values);
        free(b);
    }
    redisFree(f->c);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
}

/* One MGET reply into the store, its values as they are: a nil (a key deleted since the SCAN)
 * is passed as NULL, which the load skips. */
static int load_values(slots_store *s, redisReply *values, size_t *loaded) {
    const char **v = malloc((values->elements + 1) * sizeof *v);
    size_t *lens = malloc((values->elements + 1) * sizeof *lens);
    for (size_t i = 0; i < values->elements; i++) {
        int nil = values->element[i]->type != REDIS_REPLY_STRING;
        v[i] = nil ? NULL : values->element[i]->str;
        lens[i] = nil ? 0 : values->element[i]->len;
    }
    int st = slots_store_load_json_values(s, v, lens, values->elements, SLOTS_LOAD_UPSERT, loaded, NULL);
    free(v);
    free(lens);
    return st;
}

/* One MGET reply into a JSON Lines loader: each value then a line end. A raw CR or LF inside a
 * JSON value can only be whitespace between tokens (JSON strings escape them), so it is fed as a
 * space: the value means the same and stays one line. */
static int feed_values(slots_loader *l, redisReply *values) {
    int st = SLOTS_OK;
    for (size_t i = 0; i < values->elements && st == SLOTS_OK; i++) {
        redisReply *v = values->element[i];
        if (v->type != REDIS_REPLY_STRING) continue;
        for (size_t k = 0; k < v->len; k++)
            if (v->str[k] == '\n' || v->str[k] == '\r') v->str[k] = ' ';
        st = slots_loader_feed(l, v->str, v->len);
        if (st == SLOTS_OK) st = slots_loader_feed(l, "\n", 1);
    }
    return st;
}

/* The whole keyspace into s, loading each batch while the next is fetched: each batch on its own
 * (load_json_values), or with `all_or_nothing` through one loader committed at the end and
 * aborted when the fetch fails. `kill_after`: after that many batches, SIGKILL the server (0:
 * never). Returns the first failing load status, or SLOTS_EIO when the fetch failed (`error` says
 * why), else SLOTS_OK; *total counts the records loaded. */
static int load_from_redis(slots_store *s, int all_or_nothing, int kill_after, char *error, size_t errlen,
                           size_t *total) {
    slots_loader *l = NULL;
    if (all_or_nothing && slots_loader_begin(s, SLOTS_FORMAT_JSONL, SLOTS_LOAD_UPSERT, &l) != SLOTS_OK)
        return slots_errcode();
    fetcher f;
    fetch_start(&f);
    int st = SLOTS_OK, batches = 0;
    *total = 0;
    for (redisReply *values; (values = fetch_next(&f)) != NULL;) {
        size_t loaded = 0;
        st = l ? feed_values(l, values) : load_values(s, values, &loaded);
        freeReplyObject(values);
        *total += loaded;
        if (st != SLOTS_OK) break;
        if (++batches == kill_after) kill((pid_t)sources_env_long("SLOTS_TEST_REDIS_PID"), SIGKILL);
    }
    if (st == SLOTS_OK && f.error[0]) st = SLOTS_EIO;
    snprintf(error, errlen, "%s", f.error);
    fetch_end(&f);
    if (l && st == SLOTS_OK) return slots_loader_commit(l, total, NULL);
    if (l) slots_loader_abort(l);
    return st;
}

/* Every product at Redis equals its record: GET, decode on its own, compare. */
static void check_against_redis(slots_store *s, redisContext *c, long first, long count, long step) {
    for (long id = first; id < first + count; id += step) {
        redisReply *r = redisCommand(c, "GET product:%ld", id);
        CU_ASSERT_FATAL(r && r->type == REDIS_REPLY_STRING);
        slots_obj want, got;
        ASSERT_OK(slots_from_json(sources_product_type(), r->str, r->len, &want));
        ASSERT_OK(slots_store_find_i64(s, id, &got));
        CU_ASSERT_EQUAL(slots_equal(want, got), 1);
        slots_free(want);
        freeReplyObject(r);
    }
}

/* A new store with every product at Redis, loaded batch by batch. */
static slots_store *loaded_store(void) {
    slots_store *s = sources_new_store();
    char error[256];
    size_t total;
    ASSERT_OK(load_from_redis(s, 0, 0, error, sizeof error, &total));
    return s;
}

static void test_scan_mget_pipeline(void) {
    redisContext *c = connect_redis();
    must(c, "FLUSHALL");
    fill(c, 1, N_PRODUCTS);
    must(c, "SET %s %s", "session:1", "not a product"); /* outside the SCAN pattern */
    slots_store *s = sources_new_store();
    char error[256];
    size_t total;
    ASSERT_OK(load_from_redis(s, 0, 0, error, sizeof error, &total));
    CU_ASSERT_STRING_EQUAL(error, "");
    size_t n;
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, N_PRODUCTS);
    CU_ASSERT_TRUE(total >= N_PRODUCTS); /* SCAN may repeat a key: the upsert counts it again */
    check_against_redis(s, c, 1, N_PRODUCTS, 97);
    check_against_redis(s, c, 14, 1, 1); /* quotes, a comma and a line end in the name */
    slots_store_drop(s);
    redisFree(c);
}

/* A reload after the values changed at Redis replaces the records in place (upsert). */
static void test_reload_upserts(void) {
    redisContext *c = connect_redis();
    slots_store *s = loaded_store();
    char error[256];
    size_t total, n;
    must(c, "SET product:5 %s", "{\"id\": 5, \"name\": \"renamed\", \"price\": 1.5, \"in_stock\": true, "
                                 "\"qty\": 3, \"note\": null}");
    ASSERT_OK(load_from_redis(s, 0, 0, error, sizeof error, &total));
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, N_PRODUCTS);
    check_against_redis(s, c, 5, 1, 1);
    slots_store_drop(s);
    redisFree(c);
}

/* A bad value fails its batch with an error naming the value; the store keeps what it had. */
static void test_bad_value(void) {
    slots_store *s = loaded_store();
    size_t before, after;
    char *dump = sources_dump(s, NULL);
    ASSERT_OK(slots_store_len(s, &before));
    const char *values[] = {"{\"id\": 1, \"name\": \"a\", \"price\": 1, \"in_stock\": true, \"qty\": 1, \"note\": null}",
                            "{\"id\": 2, \"name\": \"b\", \"price\": \"x\", \"in_stock\": true, \"qty\": 1, \"note\": null}"};
    size_t lens[] = {strlen(values[0]), strlen(values[1])};
    size_t loaded = 99, skipped = 99;
    CU_ASSERT_NOT_EQUAL(slots_store_load_json_values(s, values, lens, 2, SLOTS_LOAD_UPSERT, &loaded, &skipped),
                        SLOTS_OK);
    ASSERT_MSG("value 2");
    ASSERT_OK(slots_store_len(s, &after));
    CU_ASSERT_EQUAL(after, before);
    char *again = sources_dump(s, NULL);
    CU_ASSERT_STRING_EQUAL(again, dump);
    free(dump);
    free(again);
    slots_store_drop(s);
}

/* A request for some keys is answered with one JSON array, each object as the record writes it. */
static void test_serve_json(void) {
    slots_store *s = loaded_store();
    const int64_t ids[] = {14, 3, 15, 20000, 1};
    const size_t n = sizeof ids / sizeof ids[0];
    char want[8192] = "[";
    for (size_t i = 0; i < n; i++) {
        slots_obj o;
        const char *json;
        size_t len;
        ASSERT_OK(slots_store_find_i64(s, ids[i], &o));
        ASSERT_OK(slots_to_json(o, &json, &len));
        strncat(want, i ? "," : "", sizeof want - strlen(want) - 1);
        strncat(want, json, sizeof want - strlen(want) - 1);
    }
    strncat(want, "]", sizeof want - strlen(want) - 1);
    const char *out;
    size_t len;
    ASSERT_OK(slots_store_dump_json_keys_i64(s, ids, n, SLOTS_DUMP_ARRAY, &out, &len));
    CU_ASSERT_EQUAL(len, strlen(want));
    CU_ASSERT_STRING_EQUAL(out, want);
    const int64_t missing[] = {1, N_PRODUCTS + 1};
    ASSERT_STATUS(slots_store_dump_json_keys_i64(s, missing, 2, SLOTS_DUMP_ARRAY, &out, &len), SLOTS_ENOKEY);
    slots_store_drop(s);
}

/* Runs last: the server is killed after the first batch of a refresh that would add N new
 * products. The fetch fails with the client's error, the loader is aborted, the store is as it was. */
static void test_server_gone(void) {
    redisContext *c = connect_redis();
    slots_store *s = loaded_store();
    char error[256];
    size_t total, n;
    size_t before_len;
    char *before = sources_dump(s, &before_len);
    must(c, "FLUSHALL");
    fill(c, N_PRODUCTS + 1, N_PRODUCTS);
    redisFree(c);
    int st = load_from_redis(s, 1, 1, error, sizeof error, &total);
    CU_ASSERT_EQUAL(st, SLOTS_EIO);
    CU_ASSERT_NOT_EQUAL(error[0], '\0');
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, N_PRODUCTS);
    size_t after_len;
    char *after = sources_dump(s, &after_len);
    CU_ASSERT_TRUE(after_len == before_len && memcmp(after, before, after_len) == 0);
    free(before);
    free(after);
    slots_store_drop(s);
}

int main(void) {
    CU_TestInfo tests[] = {
        {"SCAN + pipelined MGET batches load while the next is fetched", test_scan_mget_pipeline},
        {"a reload upserts changed values in place", test_reload_upserts},
        {"a bad value fails its batch naming the value; the store is unchanged", test_bad_value},
        {"a request for keys is answered with one JSON array", test_serve_json},
        {"the server killed mid-refresh: the loader is aborted, the store unchanged", test_server_gone},
        CU_TEST_INFO_NULL,
    };
    return run_suite("sources: Redis (hiredis)", tests);
}
