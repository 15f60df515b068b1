/*
 * bench_common.h — what the C benchmarks share: a clock, the median of repeats, and dying with the
 * library's message. Header-only, static: each bench is one file and one program.
 */
#ifndef SLOTS_BENCH_COMMON_H
#define SLOTS_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slots.h"

/* Seconds by `clock`: CLOCK_PROCESS_CPUTIME_ID for one-thread figures on a shared machine (waiting
 * for a core is not the library's time), CLOCK_MONOTONIC for wall time. */
static inline double bench_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n figures (sorts them). */
static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

static inline void bench_die(const char *prog, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", prog, what, slots_errmsg());
    exit(1);
}

#endif
