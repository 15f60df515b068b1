/*
 * bench_core.c — the core cost of libslots against a plain C array of structs, in one run:
 * 1,000,000 Product records ("id: i64, name: str, price: f64", names like product-00000001),
 * (a) created with every field set and (b) read back to sum the prices. Seven repeats, libslots and
 * the structs by turns; medians of the thread's CPU time in ns per record, the ratio to the struct
 * baseline, and bytes per record from slots_memory_used().
 */
#include "slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { N = 1000000, REPEATS = 7, NAME_LEN = 16 };

typedef struct {
    int64_t id;
    char name[24];
    double price;
} product;

static volatile double sink; /* keeps the baseline's work observable */

/* The thread's CPU time: on a shared machine, time spent descheduled is not the code's. */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_core: %s failed: %s (%s)\n", what, slots_strerror(rc), slots_errmsg());
    exit(1);
}

int main(void) {
    char *names = malloc((size_t)N * 24);
    slots_obj *h = malloc((size_t)N * sizeof *h);
    if (!names || !h) {
        fprintf(stderr, "bench_core: out of memory\n");
        return 1;
    }
    for (int i = 0; i < N; i++) snprintf(names + (size_t)i * 24, 24, "product-%08d", i + 1);

    slots_type *t = NULL;
    int rc = slots_type_define("BenchProduct", "id: i64, name: str, price: f64", NULL, 0, &t);
    if (rc != SLOTS_OK) die("slots_type_define", rc);
    int f_id = slots_field_index(t, "id"), f_name = slots_field_index(t, "name");
    int f_price = slots_field_index(t, "price");

    double lib_create[REPEATS], lib_sum[REPEATS], c_create[REPEATS], c_sum[REPEATS];
    double bytes_per_record = 0;
    double expect = 0;
    for (int i = 0; i < N; i++) expect += (double)(i % 1000) * 0.25;

    for (int r = 0; r < REPEATS; r++) {
        /* ---- libslots ---- */
        size_t m0 = slots_memory_used();
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            slots_obj o;
            if ((rc = slots_new(t, &o)) != SLOTS_OK) die("slots_new", rc);
            if ((rc = slots_set_i64(o, f_id, i + 1)) != SLOTS_OK) die("slots_set_i64", rc);
            if ((rc = slots_set_str(o, f_name, names + (size_t)i * 24, NAME_LEN)) != SLOTS_OK)
                die("slots_set_str", rc);
            if ((rc = slots_set_f64(o, f_price, (double)(i % 1000) * 0.25)) != SLOTS_OK) die("slots_set_f64", rc);
            h[i] = o;
        }
        double t1 = now_ns();
        double sum = 0;
        for (int i = 0; i < N; i++) {
            double d;
            if ((rc = slots_get_f64(h[i], f_price, &d)) != SLOTS_OK) die("slots_get_f64", rc);
            sum += d;
        }
        double t2 = now_ns();
        if (sum != expect) {
            fprintf(stderr, "bench_core: libslots sum %.17g, expected %.17g\n", sum, expect);
            return 1;
        }
        if (r == 0) bytes_per_record = (double)(slots_memory_used() - m0) / 1e6; /* a fresh store */
        lib_create[r] = (t1 - t0) / N;
        lib_sum[r] = (t2 - t1) / N;
        for (int i = 0; i < N; i++)
            if ((rc = slots_free(h[i])) != SLOTS_OK) die("slots_free", rc);

        /* ---- plain structs ---- */
        t0 = now_ns();
        product *p = malloc((size_t)N * sizeof *p);
        if (!p) {
            fprintf(stderr, "bench_core: out of memory\n");
            return 1;
        }
        for (int i = 0; i < N; i++) {
            p[i].id = i + 1;
            memcpy(p[i].name, names + (size_t)i * 24, NAME_LEN + 1);
            p[i].price = (double)(i % 1000) * 0.25;
        }
        t1 = now_ns();
        sink = (double)p[N / 2].id + (double)p[N - 1].name[NAME_LEN - 1];
        double csum = 0;
        for (int i = 0; i < N; i++) csum += p[i].price;
        sink = csum;
        t2 = now_ns();
        if (csum != expect) {
            fprintf(stderr, "bench_core: struct sum %.17g, expected %.17g\n", csum, expect);
            return 1;
        }
        c_create[r] = (t1 - t0) / N;
        c_sum[r] = (t2 - t1) / N;
        free(p);
    }

    double lc = median(lib_create, REPEATS), ls = median(lib_sum, REPEATS);
    double cc = median(c_create, REPEATS), cs = median(c_sum, REPEATS);
    printf("bench_core: %d Product records (id: i64, name: str, price: f64), median of %d runs\n", N, REPEATS);
    printf("  %-28s %14s %14s %8s\n", "operation", "libslots", "C struct", "ratio");
    printf("  %-28s %11.1f ns %11.1f ns %7.1fx\n", "create + set 3 fields", lc, cc, cc > 0 ? lc / cc : 0.0);
    printf("  %-28s %11.1f ns %11.1f ns %7.1fx\n", "sum prices (get_f64)", ls, cs, cs > 0 ? ls / cs : 0.0);
    printf("  %-28s %11.1f B  %11.1f B  %7.2fx\n", "memory per record", bytes_per_record, (double)sizeof(product),
           bytes_per_record / (double)sizeof(product));
    printf("  record size %zu B (slots_type_record_size); memory = slots_memory_used() delta / 1e6\n",
           slots_type_record_size(t));
    free(names);
    free(h);
    return 0;
}
