/*
 * index.c — a store's unique key index: an open-addressing table of slot numbers (4 bytes each; a
 * table is made 5/8 full and grows past 3/4, so 5.3-6.4 bytes per record at every size). The key
 * itself is not copied: a probe reads it from the record, which keeps the index small and never
 * stale. Callers hold the store's lock.
 */
#include "records.h"

#include <inttypes.h>

struct key_index {
    uint32_t *slots; /* slot number + 1, or 0 for empty */
    uint32_t cap;    /* places: a multiple of GROUP (not a power of two, so no size wastes half) */
    uint32_t count;
    uint32_t slot_bits; /* how many low bits of an entry hold the slot */
    size_t *account;
};

static uint64_t hash_key(const value *k) {
    if (k->kind == SLOTS_STR) return hash_bytes(k->as.s.p, k->as.s.len, 7);
    /* The low 32 bits place the key: keys that differ only in their low 4 bits land in one 64-byte
     * run of the table (ids are often consecutive: one cache line serves 16 of them), the rest is
     * mixed so strides and patterns spread over the whole table. The high 32 bits, the entries'
     * tag, mix every bit of the key. I64 and U64 of one value hash alike. */
    uint64_t block = (k->as.u >> 4) * 0x9e3779b97f4a7c15ull, tag = k->as.u * 0xc2b2ae3d27d4eb4full;
    block ^= block >> 29;
    return (tag & ~(uint64_t)UINT32_MAX) | (uint32_t)((block << 4) | (k->as.u & 15u));
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
    mem_big_free(x->slots, (size_t)x->cap * sizeof *x->slots, x->account);
    mem_free(x, sizeof *x, x->account);
}

size_t index_bytes(const key_index *x) {
    return x ? sizeof *x + (size_t)x->cap * sizeof *x->slots : 0;
}

void index_reset(key_index *x) {
    if (x && x->slots) memset(x->slots, 0, (size_t)x->cap * sizeof *x->slots);
    if (x) x->count = 0;
}

/* An entry is the slot number + 1 in its low `slot_bits` bits and the top bits of the key's hash
 * above them, so a probe that meets another key almost never reads that key's record (a read
 * that misses the cache costs more than the whole insert). Slot bits follow the store's size, so
 * a store of a million records keeps 9 bits of tag; the largest store still keeps 3. */
#define MAX_SLOT_BITS 29 /* slot + 1 for 2^28 slots */
static uint32_t slot_mask(const key_index *x) { return (1u << x->slot_bits) - 1u; }
static uint32_t entry_slot(const key_index *x, uint32_t e) { return (e & slot_mask(x)) - 1u; }
static uint32_t tag_of(const key_index *x, uint64_t h) {
    return (uint32_t)(h >> (32 + x->slot_bits)) << x->slot_bits;
}

static uint32_t bits_for(uint32_t n) { return n ? 32u - (uint32_t)__builtin_clz(n) : 0; }

/* Slot bits for a table of cap places holding slots up to `slot`: room for four times either. */
static uint32_t slot_bits_for(uint32_t cap, uint32_t slot) {
    uint32_t need = bits_for(cap > slot + 1u ? cap : slot + 1u) + 2u;
    return need < MAX_SLOT_BITS ? need : MAX_SLOT_BITS;
}

/* Makes room for `slot` in the entries: each keeps its place and loses the low bits of its tag,
 * so no key is read again. */
static void widen(key_index *x, uint32_t slot) {
    uint32_t old_bits = x->slot_bits, old_mask = slot_mask(x);
    if (slot + 1u <= old_mask) return;
    x->slot_bits = slot_bits_for(x->cap, slot);
    for (uint32_t i = 0; i < x->cap; i++) {
        uint32_t e = x->slots[i];
        if (e) x->slots[i] = (e & old_mask) | ((e >> old_bits) >> (x->slot_bits - old_bits) << x->slot_bits);
    }
}

/* A key's home: its hash's low 4 bits pick the place in a group of 16 (one cache line: runs of
 * consecutive ids stay together), the 28 above pick the group by multiply-shift, which maps them
 * evenly onto any number of groups. */
#define GROUP 16u
static uint32_t home(const key_index *x, uint64_t h) {
    uint32_t low = (uint32_t)h;
    return (uint32_t)(((uint64_t)(low >> 4) * (x->cap / GROUP)) >> 28) * GROUP + (low & (GROUP - 1u));
}
static uint32_t next(const key_index *x, uint32_t i) { return i + 1u == x->cap ? 0 : i + 1u; }

/* The table position holding the key that hashes to h, or the empty one where it would go. The
 * key is `key`, or, when that is NULL, record `own`'s, read only if a tag matches. */
static uint32_t probe(const slots_store *s, const key_index *x, uint64_t h, const value *key, uint32_t own) {
    uint32_t tag = tag_of(x, h), i = home(x, h);
    value k, mine;
    for (; x->slots[i]; i = next(x, i)) {
        if ((x->slots[i] & ~slot_mask(x)) != tag) continue; /* another key: no record read */
        if (!key) key_of(s, own, &mine), key = &mine;
        key_of(s, entry_slot(x, x->slots[i]), &k);
        if (keys_equal(&k, key)) break;
    }
    return i;
}

/* Puts a slot whose key is known to be absent at the first free place after its home. */
static void place(key_index *x, uint32_t slot, uint64_t h) {
    uint32_t i = home(x, h);
    while (x->slots[i]) i = next(x, i);
    x->slots[i] = (slot + 1u) | tag_of(x, h);
}

/* Moves every entry into a table of `cap` places (bulk loads reserve up front, so this is rare).
 * Each entry's key is read from its record, a few entries ahead of its move. */
#define REHASH_PREFETCH 8
static int rehash(const slots_store *s, key_index *x, uint32_t cap) {
    uint32_t *fresh = mem_big_calloc((size_t)cap * sizeof *fresh, x->account), *old = x->slots;
    if (!fresh) return err_nomem();
    memset(fresh, 0, (size_t)cap * sizeof *fresh); /* written before read: see store_claim_slot */
    uint32_t old_cap = x->cap, old_mask = slot_mask(x);
    const field *f = &s->type->fields[s->type->key_field];
    x->slots = fresh, x->cap = cap;
    x->slot_bits = slot_bits_for(cap, s->capacity);
    for (uint32_t i = 0; i < old_cap; i++) {
        value k;
        if (i + REHASH_PREFETCH < old_cap && old[i + REHASH_PREFETCH])
            __builtin_prefetch(store_slot_address(s, (old[i + REHASH_PREFETCH] & old_mask) - 1u) + f->offset);
        if (!old[i]) continue;
        uint32_t slot = (old[i] & old_mask) - 1u;
        key_of(s, slot, &k);
        place(x, slot, hash_key(&k));
    }
    mem_big_free(old, (size_t)old_cap * sizeof *old, x->account);
    return SLOTS_OK;
}

/* A table holds at most 3/4 of its places; a new one is made 5/8 full, so it grows by a fifth at a
 * time (its records' keys read once per growth) and never costs more than 4 x 8/5 = 6.4 bytes a
 * record: with a Product's 48, under 56. */
int index_reserve(const slots_store *s, key_index *x, size_t more) {
    size_t need = (size_t)x->count + more;
    if (need * 4 <= (size_t)x->cap * 3) return SLOTS_OK;
    size_t fresh = (need * 8 / 5 + GROUP) / GROUP * GROUP;
    if (fresh > ((size_t)1 << MAX_SLOT_BITS)) return err_nomem();
    return rehash(s, x, (uint32_t)fresh);
}

long index_find(const slots_store *s, const key_index *x, const value *key) {
    if (!x->slots) return -1;
    uint32_t i = probe(s, x, hash_key(key), key, 0);
    return x->slots[i] ? (long)entry_slot(x, x->slots[i]) : -1;
}

void index_insert(const slots_store *s, key_index *x, uint32_t slot) {
    if (index_add(s, x, slot, index_hash(s, slot)) < 0) x->count++;
}

uint64_t index_hash(const slots_store *s, uint32_t slot) {
    value key;
    key_of(s, slot, &key);
    return hash_key(&key);
}

long index_add(const slots_store *s, key_index *x, uint32_t slot, uint64_t h) {
    uint32_t i = probe(s, x, h, NULL, slot);
    if (x->slots[i]) return (long)entry_slot(x, x->slots[i]);
    widen(x, slot);
    x->slots[i] = (slot + 1u) | tag_of(x, h);
    return -1;
}

void index_prefetch(const key_index *x, uint64_t h) { __builtin_prefetch(&x->slots[home(x, h)], 1); }

void index_added(key_index *x, size_t n) { x->count += (uint32_t)n; }

/* Steps from place a forward to place b, round the end of the table. */
static uint32_t distance(const key_index *x, uint32_t a, uint32_t b) { return b >= a ? b - a : b + x->cap - a; }

void index_remove(const slots_store *s, key_index *x, uint32_t slot) {
    value k;
    if (!x->slots) return;
    key_of(s, slot, &k);
    uint32_t i = probe(s, x, hash_key(&k), &k, 0);
    if (!x->slots[i] || entry_slot(x, x->slots[i]) != slot) return;
    /* Backward-shift deletion keeps every other key reachable from its home position. */
    for (uint32_t j = next(x, i); x->slots[j]; j = next(x, j)) {
        value kj;
        key_of(s, entry_slot(x, x->slots[j]), &kj);
        uint32_t at = home(x, hash_key(&kj));
        if (distance(x, at, j) >= distance(x, i, j)) x->slots[i] = x->slots[j], i = j;
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
