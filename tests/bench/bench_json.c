/*
 * bench_json.c — per-core JSON speed in C (issue 13 goal 2): JSON Lines -> keyed store on one
 * thread and on every core, and the dumps (JSON Lines, CSV, slots_to_json per record) in MB/s,
 * over 1,000,000 Product{id: i64 key, name: str 'product-%08d', price: f64}. Medians of 5 after a
 * warm-up; one-thread figures in CPU time (the machine is shared), all cores in wall time. Build and run: make lib && make build/bench/bench_json && build/bench/bench_json [N]
 * The records are the ones tests/bench/bench_json.py makes (same ids, names and prices).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slots.h"
#include "bench_common.h"

#define REPEATS 5

/* Seconds by the clock that suits the figure: the process's CPU time for the one-thread ones (the
 * machine is shared: waiting for a core is not the library's time), wall time for all cores. */
static clockid_t clock_in_use = CLOCK_PROCESS_CPUTIME_ID;
static double now(void) { return bench_seconds(clock_in_use); }

static double median(double *v, int n) { return bench_median(v, n); }

static void die(const char *what) { bench_die("bench_json", what); }

/* Prices as an API's records have them: cents (i % 100000 / 100), written by Python's repr. */
static char *make_jsonl(long n, size_t *len) {
    size_t cap = (size_t)n * 80 + 64, k = 0;
    char *p = malloc(cap);
    if (!p) exit(1);
    for (long i = 1; i <= n; i++) {
        long c = i % 100000, cents = c % 100;
        k += (size_t)sprintf(p + k, "{\"id\":%ld,\"name\":\"product-%08ld\",\"price\":%ld.", i, i, c / 100);
        if (cents % 10 == 0) k += (size_t)sprintf(p + k, "%ld}\n", cents / 10); /* repr: 1.5, 1.0 */
        else k += (size_t)sprintf(p + k, "%02ld}\n", cents);
    }
    *len = k;
    return p;
}

static double load_once(const slots_type *t, const char *text, size_t len, long n) {
    slots_store *s;
    size_t loaded = 0;
    if (slots_store_new(t, &s) != SLOTS_OK) die("store_new");
    double t0 = now();
    if (slots_store_load_jsonl(s, text, len, 0, &loaded, NULL) != SLOTS_OK) die("load");
    double secs = now() - t0;
    if ((long)loaded != n) die("loaded count");
    slots_store_drop(s);
    return secs;
}

static double time_load(const slots_type *t, const char *text, size_t len, long n) {
    double secs[REPEATS];
    load_once(t, text, len, n);
    for (int r = 0; r < REPEATS; r++) secs[r] = load_once(t, text, len, n);
    return median(secs, REPEATS);
}

typedef int (*dump_fn)(const slots_store *, const char **, size_t *);

/* Median seconds of a whole-store dump; *bytes = its size. */
static double time_dump(const slots_store *s, dump_fn dump, size_t *bytes) {
    double secs[REPEATS];
    const char *out;
    for (int r = -1; r < REPEATS; r++) {
        double t0 = now();
        if (dump(s, &out, bytes) != SLOTS_OK) die("dump");
        if (r >= 0) secs[r] = now() - t0;
    }
    return median(secs, REPEATS);
}

/* Median seconds of slots_to_json over every record; *bytes = the text's total size. */
static double time_to_json(slots_store *s, long n, size_t *bytes) {
    slots_obj *h = malloc((size_t)n * sizeof *h);
    if (!h) exit(1);
    for (long i = 0; i < n; i++)
        if (slots_store_at(s, (size_t)i, &h[i]) != SLOTS_OK) die("at");
    double secs[REPEATS];
    for (int r = -1; r < REPEATS; r++) {
        size_t total = 0, len;
        const char *out;
        double t0 = now();
        for (long i = 0; i < n; i++) {
            if (slots_to_json(h[i], &out, &len) != SLOTS_OK) die("to_json");
            total += len;
        }
        if (r >= 0) secs[r] = now() - t0;
        *bytes = total;
    }
    free(h);
    return median(secs, REPEATS);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    slots_type *t;
    if (slots_type_define("BenchJsonProduct", "id: i64 key, name: str, price: f64", NULL, 0, &t) != SLOTS_OK)
        die("define");
    size_t len;
    char *text = make_jsonl(n, &len);
    setenv("SLOTS_LOAD_THREADS", "1", 1);
    double one = time_load(t, text, len, n);
    unsetenv("SLOTS_LOAD_THREADS");
    clock_in_use = CLOCK_MONOTONIC;
    double all = time_load(t, text, len, n);
    clock_in_use = CLOCK_PROCESS_CPUTIME_ID;

    slots_store *s;
    if (slots_store_new(t, &s) != SLOTS_OK || slots_store_load_jsonl(s, text, len, 0, NULL, NULL) != SLOTS_OK)
        die("load");
    size_t jbytes, cbytes, tbytes;
    double jsec = time_dump(s, slots_store_dump_jsonl, &jbytes);
    double csec = time_dump(s, slots_store_dump_csv, &cbytes);
    double tsec = time_to_json(s, n, &tbytes);

    printf("bench_json: %ld Product records (id: i64 key, name: str, price: f64), %.1f MB of JSON Lines, median of %d "
           "(CPU time; all cores: wall time)\n", n, (double)len / 1e6, REPEATS);
    printf("  %-36s %8.1f MB/s %8.1f ms\n", "load_jsonl, keyed, 1 thread", (double)len / one / 1e6, one * 1e3);
    printf("  %-36s %8.1f MB/s %8.1f ms\n", "load_jsonl, keyed, all cores", (double)len / all / 1e6, all * 1e3);
    printf("  %-36s %8.1f MB/s %8.1f ms\n", "dump_jsonl", (double)jbytes / jsec / 1e6, jsec * 1e3);
    printf("  %-36s %8.1f MB/s %8.1f ms\n", "dump_csv", (double)cbytes / csec / 1e6, csec * 1e3);
    printf("  %-36s %8.1f MB/s %8.1f ms\n", "slots_to_json, each record", (double)tbytes / tsec / 1e6, tsec * 1e3);
    slots_store_drop(s);
    free(text);
    return 0;
}
