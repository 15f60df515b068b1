/*
 * bench_langs.c — the C line of `make bench-langs`: one field read (slots_get_f64 of a Product
 * record's price) through the shared library, in ns/op, median of 5 repeats. Linked against
 * build/libslots.so (a real cross-library call, as every FFI makes). Prints "label<TAB>ns/op" lines.
 * Usage: bench_langs_c [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slots.h"

#define REPEATS 5

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 20000000L;
    slots_type *t = NULL;
    slots_obj o = 0;
    if (slots_type_define("Product", "id: i64 key, name: str, price: f64 = 0", NULL, 0, &t) != SLOTS_OK ||
        slots_new(t, &o) != SLOTS_OK || slots_set_f64(o, 2, 9.99) != SLOTS_OK) {
        fprintf(stderr, "bench_langs: setup failed: %s\n", slots_errmsg());
        return 1;
    }
    double runs[REPEATS];
    volatile double sink = 0;
    for (int r = 0; r < REPEATS; r++) {
        double sum = 0, v = 0;
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            slots_get_f64(o, 2, &v);
            sum += v;
        }
        runs[r] = (now_ns() - t0) / (double)iters;
        sink = sum;
    }
    (void)sink;
    qsort(runs, REPEATS, sizeof runs[0], cmp_double);
    printf("C (direct call)\t%.2f\n", runs[REPEATS / 2]);
    return 0;
}
