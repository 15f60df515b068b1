/*
 * index.c — a store's unique key index: an open-addressing table of slot numbers (4 bytes each,
 * at most half full, so 8-16 bytes per record). The key itself is not copied: a probe reads it from
 * the record, which keeps the index small and never stale. Callers hold the store's lock.
 */
#include "internal.h"

#include <inttypes.h>

struct key_index {
    uint32_t *slots; /* slot number + 1, or 0 for empty */
    uint32_t mask;
    uint32_t count;
    size_t *account;
};

static uint64_t hash_key(const value *k) {
    if (k->kind == SLOTS_STR) return hash_bytes(k->as.s.p, k->as.s.len, 7);
    /* Keys that differ only in their low 4 bits land in one 64-byte run of the table (ids are
     * often consecutive: one cache line serves 16 of them); the rest is mixed, so strides and
     * patterns in the ids spread over the whole table. I64 and U64 of one value hash alike. */
    uint64_t block = (k->as.u >> 4) * 0x9e3779b97f4a7c15ull, tag = k->as.u * 0xc2b2ae3d27d4eb4full;
    block ^= block >> 29;
    return (((block << 4) | (k->as.u & 15u)) & (UINT64_MAX >> 3)) | (tag & ~(UINT64_MAX >> 3));
}

static bool keys_equal(const value *a, const value *b) {
    if (a->kind == SLOTS_STR || b->kind == SLOTS_STR)
        return a->kind == b->kind && a->as.s.len == b->as.s.len && !memcmp(a->as.s.p, b->as.s.p, a->as.s.len);
    if (a->kind != b->kind && (a->as.i < 0 || b->as.i < 0)) return false; /* I64 negative vs U64 huge */
    return a->as.u == b->as.u;
}

/* The key of an indexed record. Only its key bytes are read: they change only under the store's
 * lock, while the presence bits beside them may be written by the record's owner at any time. */
static void key_of(const slots_store *s, uint32_t slot, value *out) {
    const field *f = &s->type->fields[s->type->key_field];
    read_slot(s->type, f, store_slot_address(s, slot) + f->offset, out);
}

key_index *index_new(size_t *account) {
    key_index *x = mem_calloc(sizeof *x, account);
    if (x) x->account = account;
    return x;
}

void index_free(key_index *x) {
    if (!x) return;
    mem_free(x->slots, x->slots ? ((size_t)x->mask + 1) * sizeof *x->slots : 0, x->account);
    mem_free(x, sizeof *x, x->account);
}

size_t index_bytes(const key_index *x) {
    return x ? sizeof *x + (x->slots ? ((size_t)x->mask + 1) * sizeof *x->slots : 0) : 0;
}

void index_reset(key_index *x) {
    if (x && x->slots) memset(x->slots, 0, ((size_t)x->mask + 1) * sizeof *x->slots);
    if (x) x->count = 0;
}

/* An entry is the slot number + 1 in the low bits and 3 bits of the key's hash on top, so most
 * probes that meet another key are told apart without reading its record. */
#define TAG_SHIFT 29
#define ENTRY_SLOT(e) (((e) & ((1u << TAG_SHIFT) - 1u)) - 1u)
static uint32_t tag_of(uint64_t h) { return (uint32_t)(h >> 61) << TAG_SHIFT; }

/* The table position holding `key`, or the empty one where it would go. */
static uint32_t probe(const slots_store *s, const key_index *x, const value *key) {
    uint64_t h = hash_key(key);
    uint32_t tag = tag_of(h), i = (uint32_t)h & x->mask;
    value k;
    for (; x->slots[i]; i = (i + 1) & x->mask) {
        if ((x->slots[i] & ~((1u << TAG_SHIFT) - 1u)) != tag) continue; /* another key: no record read */
        key_of(s, ENTRY_SLOT(x->slots[i]), &k);
        if (keys_equal(&k, key)) break;
    }
    return i;
}

/* Puts a slot whose key is known to be absent at the first free place after its home. */
static void place(key_index *x, uint32_t slot, uint64_t h) {
    uint32_t i = (uint32_t)h & x->mask;
    while (x->slots[i]) i = (i + 1) & x->mask;
    x->slots[i] = (slot + 1u) | tag_of(h);
}

/* Moves every entry into a table of `cap` places (bulk loads reserve up front, so this is rare). */
static int rehash(const slots_store *s, key_index *x, uint32_t cap) {
    uint32_t *fresh = mem_calloc((size_t)cap * sizeof *fresh, x->account), *old = x->slots;
    if (!fresh) return err_nomem();
    uint32_t old_cap = old ? x->mask + 1 : 0;
    x->slots = fresh, x->mask = cap - 1;
    for (uint32_t i = 0; i < old_cap; i++) {
        value k;
        if (!old[i]) continue;
        key_of(s, ENTRY_SLOT(old[i]), &k);
        place(x, ENTRY_SLOT(old[i]), hash_key(&k));
    }
    mem_free(old, (size_t)old_cap * sizeof *old, x->account);
    return SLOTS_OK;
}

int index_reserve(const slots_store *s, key_index *x, size_t more) {
    size_t need = ((size_t)x->count + more) * 2, cap = x->slots ? (size_t)x->mask + 1 : 0;
    if (need <= cap) return SLOTS_OK;
    size_t fresh = cap ? cap : 16;
    while (fresh < need) fresh *= 2;
    if (fresh > ((size_t)1 << TAG_SHIFT)) return err_nomem();
    return rehash(s, x, (uint32_t)fresh);
}

long index_find(const slots_store *s, const key_index *x, const value *key) {
    if (!x->slots) return -1;
    uint32_t i = probe(s, x, key);
    return x->slots[i] ? (long)ENTRY_SLOT(x->slots[i]) : -1;
}

void index_insert(const slots_store *s, key_index *x, uint32_t slot) {
    value k;
    key_of(s, slot, &k);
    place(x, slot, hash_key(&k));
    x->count++;
}

void index_remove(const slots_store *s, key_index *x, uint32_t slot) {
    value k;
    if (!x->slots) return;
    key_of(s, slot, &k);
    uint32_t i = probe(s, x, &k);
    if (!x->slots[i] || ENTRY_SLOT(x->slots[i]) != slot) return;
    /* Backward-shift deletion keeps every other key reachable from its home position. */
    for (uint32_t j = (i + 1) & x->mask; x->slots[j]; j = (j + 1) & x->mask) {
        value kj;
        key_of(s, ENTRY_SLOT(x->slots[j]), &kj);
        uint32_t home = (uint32_t)hash_key(&kj) & x->mask;
        if (((j - home) & x->mask) >= ((j - i) & x->mask)) x->slots[i] = x->slots[j], i = j;
    }
    x->slots[i] = 0;
    x->count--;
}

int index_err_exists(const slots_type *t, const value *key) {
    if (key->kind == SLOTS_STR)
        return err_set(SLOTS_EEXIST, "duplicate key '%.*s' for %s.%s", (int)key->as.s.len, key->as.s.p, t->name,
                       t->fields[t->key_field].name);
    if (key->kind == SLOTS_U64)
        return err_set(SLOTS_EEXIST, "duplicate key %" PRIu64 " for %s.%s", key->as.u, t->name, t->fields[t->key_field].name);
    return err_set(SLOTS_EEXIST, "duplicate key %" PRId64 " for %s.%s", key->as.i, t->name, t->fields[t->key_field].name);
}
