/*
 * alloc.c — the only allocator. Every byte libslots holds is requested here, so the library can count
 * it exactly (globally and per type) and tests can make the k-th allocation fail on purpose.
 */
#include "base.h"

#include <stdlib.h>

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
