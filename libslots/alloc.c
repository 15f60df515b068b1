/*
 * alloc.c — the only allocator. Every byte libslots holds is requested here, so the library can count
 * it exactly (globally and per type) and tests can make the k-th allocation fail on purpose.
 */
#include "base.h"

#include <stdlib.h>
#include <sys/mman.h>

static size_t total_bytes;
static long fail_countdown; /* > 0: the allocation that brings it to 0 fails */
static long alloc_calls;

void counter_add(size_t *c, size_t n) { __atomic_add_fetch(c, n, __ATOMIC_RELAXED); }
void counter_sub(size_t *c, size_t n) { __atomic_sub_fetch(c, n, __ATOMIC_RELAXED); }
size_t counter_get(const size_t *c) { return __atomic_load_n(c, __ATOMIC_RELAXED); }

/* True when this allocation must fail: the injected failure is one-shot. */
static bool injected_failure(void) {
    __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&fail_countdown, __ATOMIC_RELAXED) <= 0) return false;
    return __atomic_sub_fetch(&fail_countdown, 1, __ATOMIC_RELAXED) == 0;
}

static void account(size_t *acct, size_t n) {
    counter_add(&total_bytes, n);
    if (acct) counter_add(acct, n);
}

static void unaccount(size_t *acct, size_t n) {
    counter_sub(&total_bytes, n);
    if (acct) counter_sub(acct, n);
}

void *mem_alloc(size_t n, size_t *acct) {
    if (n == 0) n = 1;
    if (injected_failure()) return NULL;
    void *p = malloc(n);
    if (p) account(acct, n);
    return p;
}

void *mem_calloc(size_t n, size_t *acct) {
    if (n == 0) n = 1;
    if (injected_failure()) return NULL;
    void *p = calloc(1, n);
    if (p) account(acct, n);
    return p;
}

void *mem_realloc(void *p, size_t old_n, size_t new_n, size_t *acct) {
    if (new_n == 0) new_n = 1;
    if (injected_failure()) return NULL;
    void *q = realloc(p, new_n);
    if (!q) return NULL;
    unaccount(acct, p ? (old_n ? old_n : 1) : 0);
    account(acct, new_n);
    return q;
}

void mem_free(void *p, size_t n, size_t *acct) {
    if (!p) return;
    unaccount(acct, n ? n : 1);
    free(p);
}

/* Big blocks are mapped from the system on their own, not taken from malloc's heap: malloc serves
 * blocks of up to 32 MiB from the heap once the program has freed one that big (its threshold
 * adapts), and a block freed there stays resident while anything above it lives, so a load's
 * temporary table would go on costing its bytes. Mapped, such a block goes back when it is freed,
 * and pages a slab has not reached yet cost nothing. Sanitizer builds keep malloc, which they
 * watch (bounds, leaks). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAP_BIG 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define MAP_BIG 0
#endif
#endif
#ifndef MAP_BIG
#define MAP_BIG 1
#endif
#define BIG_BLOCK ((size_t)64 << 10)

static bool is_big(size_t n) { return MAP_BIG && n >= BIG_BLOCK; }

void *mem_big_calloc(size_t n, size_t *acct) {
    if (!is_big(n)) return mem_calloc(n, acct);
    if (injected_failure()) return NULL;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    account(acct, n);
    return p;
}

void mem_big_free(void *p, size_t n, size_t *acct) {
    if (!p || !is_big(n)) {
        mem_free(p, n, acct);
        return;
    }
    unaccount(acct, n);
    munmap(p, n);
}

char *mem_strdup(const char *s, size_t n, size_t *acct) {
    char *p = mem_alloc(n + 1, acct);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void mem_fail_at(long k) { __atomic_store_n(&fail_countdown, k, __ATOMIC_RELAXED); }
long mem_alloc_calls(void) { return __atomic_load_n(&alloc_calls, __ATOMIC_RELAXED); }

size_t slots_memory_used(void) { return counter_get(&total_bytes); }
