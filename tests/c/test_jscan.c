/*
 * test_jscan.c — the JSON string scanner (libslots/jscan.c): every implementation (portable, SSE2,
 * AVX2) agrees with a byte loop on where a plain run ends and whether a byte >= 0x80 came first,
 * with the stop at every offset of 16- and 32-byte blocks and in the tail, and never reads past the
 * end it is given (each buffer ends at its allocation, so ASan would see a read beyond it).
 */
#include "harness.h"
#include "base.h"

#include <stdlib.h>

static size_t reference(const char *p, size_t n, bool *high) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
        *high |= c >= 0x80;
    }
    return n;
}

static const int impls[] = {JSCAN_BEST, JSCAN_PORTABLE, JSCAN_SSE2, JSCAN_AVX2};

/* Checks every implementation on a heap copy of p[0..n) that ends exactly at its allocation. */
static void agree(const char *p, size_t n) {
    char *copy = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (n) memcpy(copy, p, n);
    bool want_high = false;
    size_t want = reference(copy, n, &want_high);
    for (size_t k = 0; k < sizeof impls / sizeof impls[0]; k++) {
        bool high = false;
        size_t got = jscan_string_with(impls[k], copy, n, &high);
        CU_ASSERT_EQUAL(got, want);
        CU_ASSERT_EQUAL(high, want_high);
        if (got != want || high != want_high)
            fprintf(stderr, "\n  impl %d, n %zu: got %zu/%d want %zu/%d\n", impls[k], n, got, high, want, want_high);
    }
    free(copy);
}

/* A stop byte at every offset of runs up to 80 bytes (crossing the 8-, 16- and 32-byte blocks), with
 * and without a byte >= 0x80 before or after it. */
static void test_stop_at_every_offset(void) {
    static const char stops[] = {'"', '\\', '\0', '\n', 0x1f};
    char buf[80];
    for (size_t n = 0; n <= sizeof buf; n++)
        for (size_t at = 0; at <= n; at++)
            for (size_t s = 0; s < sizeof stops; s++)
                for (int hi = 0; hi < 3; hi++) {
                    memset(buf, 'a', sizeof buf);
                    if (at < n) buf[at] = stops[s];
                    if (hi == 1 && at > 0) buf[at - 1] = (char)0xc3; /* just before the stop */
                    if (hi == 2 && at + 1 < n) buf[at + 1] = (char)0xa9; /* just after: not counted */
                    agree(buf, n);
                }
}

/* Bytes that are almost stops: 0x20 (the first that is not a control), 0x7f, 0x80, 0xff, '!', '#',
 * '[', ']', and UTF-8 split across a block edge. */
static void test_near_misses(void) {
    static const unsigned char near[] = {0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xe2, 0xff, 0xa0};
    char buf[70];
    for (size_t k = 0; k < sizeof near; k++)
        for (size_t at = 0; at < sizeof buf; at++) {
            memset(buf, 'x', sizeof buf);
            buf[at] = (char)near[k];
            agree(buf, sizeof buf);
            agree(buf, at + 1);
        }
    const char *euro = "\xe2\x82\xac"; /* a three-byte character across the 16- and 32-byte edges */
    for (size_t at = 12; at < 34; at++) {
        memset(buf, 'y', sizeof buf);
        memcpy(buf + at, euro, 3);
        buf[at + 5] = '"';
        agree(buf, sizeof buf);
    }
}

static void test_random(void) {
    unsigned seed = 7;
    char buf[200];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand_r(&seed) % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            int r = rand_r(&seed) % 64;
            buf[i] = r == 0 ? '"' : r == 1 ? '\\' : r == 2 ? (char)(rand_r(&seed) % 0x20)
                   : r < 6 ? (char)(0x80 + rand_r(&seed) % 0x80) : (char)(0x20 + rand_r(&seed) % 0x5f);
        }
        agree(buf, n);
    }
}

static CU_TestInfo tests[] = {
    {"a stop at every offset of every block", test_stop_at_every_offset},
    {"near misses and UTF-8 across block edges", test_near_misses},
    {"random text", test_random},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("jscan", tests); }
