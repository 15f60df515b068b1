/*
 * bench_ffi.c — what the ffi bridge costs, for `make bench`: slots_call of a bound method against a
 * direct C call of the same function, and a field read through the C-layout struct pointer against
 * slots_get_f64. Medians over repeats, in ns per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slots.h"

#define CALLS 2000000
#define REPEATS 7

struct product {
    int64_t id;
    double price;
};

/* noinline: the direct call must be a real call, as slots_call's is */
__attribute__((noinline)) static double discounted(void *rec, double pct) {
    return ((struct product *)rec)->price * (1.0 - pct / 100.0);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ns(double *secs) {
    qsort(secs, REPEATS, sizeof *secs, cmp);
    return secs[REPEATS / 2] / CALLS * 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "bench_ffi: %s: %s\n", what, slots_errmsg());
    exit(1);
}

int main(void) {
    slots_type *t;
    slots_obj o;
    void *raw;
    if (slots_type_define("FfiProduct", "id: i64, price: f64", NULL, SLOTS_CLAYOUT, &t) != SLOTS_OK) die("define");
    if (slots_new(t, &o) != SLOTS_OK || slots_set_f64(o, 1, 100.0) != SLOTS_OK) die("new");
    if (slots_record_ptr_unchecked(o, &raw) != SLOTS_OK) die("ptr");
    if (slots_method_bind(t, "discounted", "f64(ptr, f64)", (void (*)(void))discounted, 0) != SLOTS_OK) die("bind");

    double direct[REPEATS], bridged[REPEATS], raw_read[REPEATS], getter[REPEATS];
    volatile double sink = 0;
    slots_arg arg = {.kind = SLOTS_F64, .f = 10.0}, res;
    for (int r = 0; r < REPEATS; r++) {
        double t0 = now();
        for (int i = 0; i < CALLS; i++) sink += discounted(raw, 10.0);
        direct[r] = now() - t0;
        t0 = now();
        for (int i = 0; i < CALLS; i++) {
            if (slots_call(o, "discounted", &arg, 1, &res) != SLOTS_OK) die("call");
            sink += res.f;
        }
        bridged[r] = now() - t0;
        t0 = now();
        for (int i = 0; i < CALLS; i++) sink += ((volatile struct product *)raw)->price;
        raw_read[r] = now() - t0;
        t0 = now();
        for (int i = 0; i < CALLS; i++) {
            double p;
            slots_get_f64(o, 1, &p);
            sink += p;
        }
        getter[r] = now() - t0;
    }
    double d = median_ns(direct), b = median_ns(bridged), rr = median_ns(raw_read), g = median_ns(getter);
    printf("bench_ffi: %d calls, median of %d runs (sink %.0f)\n", CALLS, REPEATS, sink);
    printf("  %-40s %8.1f ns\n", "direct C call of the method", d);
    printf("  %-40s %8.1f ns   %5.1fx the direct call\n", "slots_call (libffi, args checked)", b, b / d);
    printf("  %-40s %8.1f ns\n", "field read through the C struct", rr);
    printf("  %-40s %8.1f ns   %5.1fx the struct read\n", "field read through slots_get_f64", g, g / rr);
    slots_free(o);
    return 0;
}
