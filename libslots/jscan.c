/*
 * jscan.c — scanning JSON text several bytes at a time: where a string's run of plain bytes ends
 * (at '"', '\\' or a control byte), for the decoder (json.c) and the encoder (which escapes the
 * same bytes). SSE2 on every x86-64 CPU, AVX2 when the CPU has it (asked once, at first use), and
 * eight bytes at a time in a uint64_t elsewhere (and for the tail under 16 bytes everywhere). A block
 * never reads past the end it is given, so neither ASan nor a page end is ever crossed.
 */
#include "base.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* ---- portable: eight bytes at a time ------------------------------------------------------------ */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* A byte's high bit set where that byte of w is '"', '\\' or < 0x20 (no false hits: each test is
 * exact per byte as no subtraction borrows from a byte whose high bit is clear) */
static inline uint64_t swar_stops(uint64_t w) {
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    uint64_t low = w & ~HIGHS; /* bytes >= 0x80 are never stops: test the low seven bits alone */
    uint64_t hq = (q & ~HIGHS) + ~HIGHS, hb = (b & ~HIGHS) + ~HIGHS, hc = low + (ONES * (0x80 - 0x20));
    /* a byte is zero (or below 0x20) when adding to its low seven bits does not reach the high bit */
    return ~(hq & hb & hc) & ~w & HIGHS;
}

static size_t scan_swar(const char *p, size_t n, bool *high) {
    size_t i = 0;
    uint64_t seen = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t stops = swar_stops(w);
        if (stops) { /* little-endian: the first byte is the lowest */
            size_t at = i + (size_t)__builtin_ctzll(stops) / 8;
            uint64_t before = at > i ? w & ((1ull << (8 * (at - i))) - 1) : 0;
            *high |= ((seen | before) & HIGHS) != 0;
            return at;
        }
        seen |= w;
    }
    *high |= (seen & HIGHS) != 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
        *high |= c >= 0x80;
    }
    return n;
}

#if defined(__x86_64__)
/* ---- SSE2: sixteen bytes --------------------------------------------------------------------------- */
/* The stop bits of one 16-byte block (bit i: byte i), and its high-bit mask in *hi. */
static inline unsigned sse2_block(__m128i v, unsigned *hi) {
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"')), b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    /* c < 0x20, unsigned: the signed compare after flipping the sign bit */
    __m128i c = _mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8((char)0x80)), _mm_set1_epi8((char)(0x20 ^ 0x80)));
    *hi = (unsigned)_mm_movemask_epi8(v);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}

/* Stops and high bits of a block, and where the scan ends: the first stop, or nothing found. */
static inline bool block_done(unsigned stops, unsigned hi, size_t i, size_t *at, bool *high) {
    if (!stops) {
        *high |= hi != 0;
        return false;
    }
    unsigned first = (unsigned)__builtin_ctz(stops);
    *high |= (hi & ((1u << first) - 1u)) != 0;
    *at = i + first;
    return true;
}

static size_t scan_sse2(const char *p, size_t n, bool *high) {
    size_t i = 0, at;
    for (; i + 16 <= n; i += 16) {
        unsigned hi, stops = sse2_block(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), &hi);
        if (block_done(stops, hi, i, &at, high)) return at;
    }
    return i < n ? i + scan_swar(p + i, n - i, high) : n; /* a short tail: no padded copy */
}

/* ---- AVX2: thirty-two bytes ------------------------------------------------------------------------ */
__attribute__((target("avx2"))) static size_t scan_avx2(const char *p, size_t n, bool *high) {
    size_t i = 0;
    const __m256i quote = _mm256_set1_epi8('"'), slash = _mm256_set1_epi8('\\');
    const __m256i flip = _mm256_set1_epi8((char)0x80), ctl = _mm256_set1_epi8((char)(0x20 ^ 0x80));
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i s = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, slash)),
                                    _mm256_cmpgt_epi8(ctl, _mm256_xor_si256(v, flip)));
        unsigned stops = (unsigned)_mm256_movemask_epi8(s), hi = (unsigned)_mm256_movemask_epi8(v);
        size_t at;
        if (block_done(stops, hi, i, &at, high)) return at;
    }
    if (i == n) return n;
    size_t rest = scan_sse2(p + i, n - i, high); /* fewer than 32 left */
    return i + rest;
}

static size_t (*choose(void))(const char *, size_t, bool *) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? scan_avx2 : scan_sse2;
}
#else
static size_t (*choose(void))(const char *, size_t, bool *) { return scan_swar; }
#endif

/* The scanner this CPU runs, chosen at the first call (a benign race: every thread picks the same). */
static size_t (*scanner)(const char *, size_t, bool *);

size_t jscan_string(const char *p, size_t n, bool *high) {
    size_t (*f)(const char *, size_t, bool *) = __atomic_load_n(&scanner, __ATOMIC_RELAXED);
    if (!f) {
        f = choose();
        __atomic_store_n(&scanner, f, __ATOMIC_RELAXED);
    }
    return f(p, n, high);
}

size_t jscan_string_with(int which, const char *p, size_t n, bool *high) {
#if defined(__x86_64__)
    if (which == JSCAN_SSE2) return scan_sse2(p, n, high);
    if (which == JSCAN_AVX2) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2")) return scan_avx2(p, n, high);
    }
#endif
    return which == JSCAN_PORTABLE ? scan_swar(p, n, high) : jscan_string(p, n, high);
}
