/*
 * fuzz_common.h — what the libFuzzer targets share: the fixed types they decode into (defined once,
 * since types are immortal), a hard failure that libFuzzer reports as a crash, and the per-input
 * leak check that LeakSanitizer cannot do (the library's own memory stays reachable from its
 * registry, so a record or string the library forgets to release only shows in its counters).
 */
#ifndef SLOTS_FUZZ_COMMON_H
#define SLOTS_FUZZ_COMMON_H

#include "slots.h"
#include "io.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Fails the run with a message: libFuzzer saves the input as a crash. */
#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "FUZZ INVARIANT FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                              \
            fprintf(stderr, "\n  last error: %d %s\n", slots_errcode(), slots_errmsg()); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Every kind, optional, defaults, bytes, a ref, and extras (dynamic); no key (default-store use). */
#define FUZZ_ALL_KINDS                                                                          \
    "b: bool optional, i8v: i8 = -1, i16v: i16, i32v: i32 optional, i64v: i64, u8v: u8, "      \
    "u16v: u16 readonly, u32v: u32, u64v: u64 optional, f32v: f32, f64v: f64 = 0.5, "          \
    "s: str = 'dflt', sopt: str optional, by: bytes optional, by2: bytes = 'x\\x00y', r: ref optional, "      \
    "ts: timestamp = 0, dt: date = '2024-02-29', uid: uuid = '00000000000000000000000000000000', "          \
    "dec: decimal(10,2) = 9.99, wide: decimal(38,4) = '-1.5' optional"

/* Types for the store loads: an integer key, and a str key on a dynamic type. */
#define FUZZ_KEYED_INT                                                                          \
    "id: i64 key, name: str = '', price: f64 = 0, qty: u16 optional, ok: bool optional, "       \
    "data: bytes optional, ratio: f32 optional, note: str optional, ro: i32 readonly optional"
#define FUZZ_KEYED_STR "code: str key, n: i64 optional, tag: str = 'x', blob: bytes optional"

static inline const slots_type *fuzz_type(const char *name, const char *fields, unsigned flags) {
    const slots_type *t = slots_type_find(name);
    if (t) return t;
    slots_type *nt = NULL;
    int rc = slots_type_define(name, fields, NULL, flags, &nt);
    FUZZ_CHECK(rc == SLOTS_OK, "defining %s", name);
    return nt;
}

/* After an input has released everything it made: no live record, string or extra of type t. */
static inline void fuzz_check_released(const slots_type *t) {
    size_t n = 1, strings = 1, extras = 1;
    FUZZ_CHECK(slots_type_count(t, &n) == SLOTS_OK && n == 0, "%zu records of %s still live", n,
               slots_type_name(t));
    FUZZ_CHECK(slots_type_memory(t, NULL, &strings, &extras) == SLOTS_OK, "type_memory");
    /* The default store keeps its (empty) extras map after its last record with extras is freed
     * (slots_extra_del of the last extra frees it; slots_free does not): bounded, so allowed here. */
    size_t kept_map = 0;
    if (t->default_store && t->default_store->extras && map_count(t->default_store->extras) == 0) kept_map = 1u << 16;
    FUZZ_CHECK(strings == 0 && extras <= kept_map, "%s still holds %zu string bytes, %zu extra bytes",
               slots_type_name(t), strings, extras);
}

#endif
