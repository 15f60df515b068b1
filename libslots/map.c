/*
 * map.c — an open-addressing hash map from nonzero 64-bit keys to pointers (linear probing,
 * backward-shift deletion), for the registry's pointer sets and stores' per-record extras.
 */
#include "base.h"

struct map {
    uint64_t *keys; /* 0 = empty */
    void **vals;
    size_t cap;     /* a power of two, or 0 */
    size_t count;
    size_t *account;
};

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed) {
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static size_t slot_of(uint64_t key, size_t cap) {
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

map *map_new(size_t *account) {
    map *m = mem_calloc(sizeof *m, account);
    if (m) m->account = account;
    return m;
}

void map_free(map *m) {
    if (!m) return;
    size_t *acct = m->account;
    mem_free(m->keys, m->cap * sizeof *m->keys, acct);
    mem_free(m->vals, m->cap * sizeof *m->vals, acct);
    mem_free(m, sizeof *m, acct);
}

static size_t find(const map *m, uint64_t key) {
    size_t i = slot_of(key, m->cap);
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
    return i;
}

void *map_get(const map *m, uint64_t key) {
    if (!m || !m->cap) return NULL;
    size_t i = find(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(map *m) {
    size_t cap = m->cap ? m->cap * 2 : 8;
    uint64_t *keys = mem_calloc(cap * sizeof *keys, m->account);
    void **vals = keys ? mem_calloc(cap * sizeof *vals, m->account) : NULL;
    if (!vals) {
        mem_free(keys, cap * sizeof *keys, m->account);
        return SLOTS_ENOMEM;
    }
    map old = *m;
    m->keys = keys, m->vals = vals, m->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i]) continue;
        size_t j = find(m, old.keys[i]);
        m->keys[j] = old.keys[i], m->vals[j] = old.vals[i];
    }
    mem_free(old.keys, old.cap * sizeof *old.keys, m->account);
    mem_free(old.vals, old.cap * sizeof *old.vals, m->account);
    return SLOTS_OK;
}

int map_put(map *m, uint64_t key, void *val) {
    size_t i = m->cap ? find(m, key) : 0;
    if (m->cap && m->keys[i]) return m->vals[i] = val, SLOTS_OK; /* a key already there: no growth */
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != SLOTS_OK) return SLOTS_ENOMEM;
    i = find(m, key);
    if (!m->keys[i]) m->count++;
    m->keys[i] = key, m->vals[i] = val;
    return SLOTS_OK;
}

void *map_remove(map *m, uint64_t key) {
    if (!m || !m->cap) return NULL;
    size_t i = find(m, key), mask = m->cap - 1;
    if (!m->keys[i]) return NULL;
    void *val = m->vals[i];
    /* Backward-shift: pull later entries of the probe run into the hole so lookups stay correct. */
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = slot_of(m->keys[j], m->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j], m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->keys[i] = 0, m->vals[i] = NULL;
    m->count--;
    return val;
}

size_t map_count(const map *m) { return m ? m->count : 0; }
