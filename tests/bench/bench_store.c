/*
 * bench_store.c — stores in C, for `make bench`: JSON Lines and CSV load of 1,000,000 Product rows
 * (MB/s and records/s), key lookups, column sum and bytes per record including the key index.
 * Medians over repeats after a warm-up load (the first load is reported too); the machine is
 * shared, so read ratios rather than absolute times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slots.h"
#include "bench_common.h"

#define N 1000000
#define REPEATS 5
#define LOOKUPS 100000

static double now(void) { return bench_seconds(CLOCK_MONOTONIC); }

static double median(double *v, int n) { return bench_median(v, n); }

static void die(const char *what) { bench_die("bench_store", what); }

/* The JSON Lines and CSV texts of N products. */
static char *make_text(int csv, size_t *len) {
    size_t cap = (size_t)N * 80 + 64, n = 0;
    char *p = malloc(cap);
    if (!p) exit(1);
    if (csv) n += (size_t)sprintf(p, "id,name,price\n");
    for (int i = 1; i <= N; i++) {
        double price = (double)(i % 100000) / 100.0;
        if (csv) n += (size_t)sprintf(p + n, "%d,product-%08d,%.2f\n", i, i, price);
        else n += (size_t)sprintf(p + n, "{\"id\":%d,\"name\":\"product-%08d\",\"price\":%.2f}\n", i, i, price);
    }
    *len = n;
    return p;
}

typedef int (*load_fn)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);

/* One load of the text into a fresh store; returns the seconds it took. */
static double load_once(const slots_type *t, load_fn load, const char *text, size_t len) {
    slots_store *s;
    size_t loaded = 0;
    if (slots_store_new(t, &s) != SLOTS_OK) die("store_new");
    double t0 = now();
    if (load(s, text, len, 0, &loaded, NULL) != SLOTS_OK) die("load");
    double secs = now() - t0;
    if (loaded != N) die("loaded count");
    slots_store_drop(s);
    return secs;
}

/* Loads the text REPEATS times into fresh stores after one warm-up load (whose seconds go to
 * *cold if not NULL: it also pays the page faults of memory new to the process); returns the
 * median seconds. */
static double time_load(const slots_type *t, load_fn load, const char *text, size_t len, double *cold) {
    double secs[REPEATS], first = load_once(t, load, text, len);
    if (cold) *cold = first;
    for (int r = 0; r < REPEATS; r++) secs[r] = load_once(t, load, text, len);
    return median(secs, REPEATS);
}

int main(void) {
    slots_type *t, *plain;
    if (slots_type_define("BenchProduct", "id: i64 key, name: str, price: f64", NULL, 0, &t) != SLOTS_OK) die("define");
    if (slots_type_define("BenchPlain", "id: i64, name: str, price: f64", NULL, 0, &plain) != SLOTS_OK) die("define");
    size_t jlen, clen;
    char *jsonl = make_text(0, &jlen), *csv = make_text(1, &clen);

    double jcold, jsec = time_load(t, slots_store_load_jsonl, jsonl, jlen, &jcold);
    double jplain = time_load(plain, slots_store_load_jsonl, jsonl, jlen, NULL);
    setenv("SLOTS_LOAD_THREADS", "1", 1); /* the same loads on one core */
    double jsec1 = time_load(t, slots_store_load_jsonl, jsonl, jlen, NULL);
    double jplain1 = time_load(plain, slots_store_load_jsonl, jsonl, jlen, NULL);
    unsetenv("SLOTS_LOAD_THREADS");
    double csec = time_load(t, slots_store_load_csv, csv, clen, NULL);

    slots_store *s;
    size_t before = slots_memory_used(), bytes = 0;
    if (slots_store_new(t, &s) != SLOTS_OK || slots_store_load_jsonl(s, jsonl, jlen, 0, NULL, NULL) != SLOTS_OK) die("load");
    size_t held = slots_memory_used() - before;
    slots_store_memory(s, &bytes);

    double lsecs[REPEATS], ssecs[REPEATS], sum = 0;
    for (int r = 0; r < REPEATS; r++) {
        unsigned seed = 12345;
        double t0 = now();
        for (int i = 0; i < LOOKUPS; i++) {
            seed = seed * 1103515245u + 12345u;
            slots_obj o;
            if (slots_store_find_i64(s, (int64_t)(seed % N) + 1, &o) != SLOTS_OK) die("find");
        }
        lsecs[r] = now() - t0;
        t0 = now();
        if (slots_store_aggregate(s, 2, NULL, &sum, NULL, NULL) != SLOTS_OK) die("aggregate");
        ssecs[r] = now() - t0;
    }
    double lsec = median(lsecs, REPEATS), ssec = median(ssecs, REPEATS);

    printf("libslots store benchmark: %d Product records (id: i64 key, name: str, price: f64), median of %d after a "
           "warm-up load\n", N, REPEATS);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("  %-34s %10.1f MB/s %10.0f records/s (%ld CPUs)\n", "JSON Lines load, key index", (double)jlen / jsec / 1e6,
           N / jsec, cpus);
    printf("  %-34s %10.1f MB/s %10.0f records/s\n", "JSON Lines load, no key", (double)jlen / jplain / 1e6, N / jplain);
    printf("  %-34s %10.1f MB/s %10.0f records/s\n", "  the first load of the process", (double)jlen / jcold / 1e6,
           N / jcold);
    printf("  %-34s %10.1f MB/s %10.0f records/s\n", "  the same on 1 thread, key index", (double)jlen / jsec1 / 1e6,
           N / jsec1);
    printf("  %-34s %10.1f MB/s %10.0f records/s\n", "  the same on 1 thread, no key", (double)jlen / jplain1 / 1e6,
           N / jplain1);
    printf("  %-34s %10.1f MB/s %10.0f records/s\n", "CSV load, key index", (double)clen / csec / 1e6, N / csec);
    printf("  %-34s %10.1f ns/lookup\n", "key lookup (find_i64)", lsec / LOOKUPS * 1e9);
    printf("  %-34s %10.2f ns/record (sum %.2f)\n", "column sum (aggregate)", ssec / N * 1e9, sum);
    printf("  %-34s %10.1f bytes/record (store_memory %.1f)\n", "memory incl. names + key index", (double)held / N,
           (double)bytes / N);
    slots_store_drop(s);
    free(jsonl);
    free(csv);
    return 0;
}
