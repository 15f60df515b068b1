/*
 * nameset.c — a set of names numbered in the order they were added, found by hash: the columns of a
 * CSV header and the extra attributes of a CSV dump, so that a header or a dump with thousands of
 * names costs time in proportion to them, not to their square. The set keeps its own copy of every
 * name, back to back in one buffer.
 */
#include "base.h"

#define NAMESET_SEED 0x6e616d6573ull /* "names" */

/* The slot where name p[0..len) is, or the empty slot where it would go. */
static size_t probe(const nameset *s, const char *p, size_t len) {
    size_t i = (size_t)hash_bytes(p, len, NAMESET_SEED) & s->mask;
    for (;; i = (i + 1) & s->mask) {
        uint32_t e = s->table[i];
        if (!e) return i;
        size_t n;
        const char *q = nameset_name(s, e - 1, &n);
        if (n == len && memcmp(q, p, len) == 0) return i;
    }
}

/* Doubles the table (kept at most half full) and places every name again. */
static int grow(nameset *s) {
    size_t cap = s->mask ? (s->mask + 1) * 2 : 16;
    uint32_t *t = mem_calloc(cap * sizeof *t, NULL);
    if (!t) return err_nomem();
    if (s->table) mem_free(s->table, (s->mask + 1) * sizeof *s->table, NULL);
    s->table = t, s->mask = cap - 1;
    for (size_t k = 0; k < s->n; k++) {
        size_t n;
        const char *q = nameset_name(s, k, &n);
        s->table[probe(s, q, n)] = (uint32_t)k + 1;
    }
    return SLOTS_OK;
}

long nameset_find(const nameset *s, const char *p, size_t len) {
    if (!s->n) return -1;
    uint32_t e = s->table[probe(s, p, len)];
    return e ? (long)e - 1 : -1;
}

int nameset_add(nameset *s, const char *p, size_t len, size_t *index) {
    long at = nameset_find(s, p, len);
    if (at >= 0) return *index = (size_t)at, SLOTS_EEXIST;
    if (s->n >= UINT32_MAX - 1) return err_set(SLOTS_ERANGE, "too many names");
    if ((s->n + 1) * 2 > (s->mask ? s->mask + 1 : 0) && grow(s) != SLOTS_OK) return SLOTS_ENOMEM;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        size_t *ends = mem_realloc(s->ends, s->cap * sizeof *ends, cap * sizeof *ends, NULL);
        if (!ends) return err_nomem();
        s->ends = ends, s->cap = cap;
    }
    size_t before = s->text.len;
    sb_put(&s->text, p, len);
    if (s->text.failed) return s->text.len = before, s->text.failed = false, err_nomem();
    s->ends[s->n] = s->text.len;
    s->table[probe(s, p, len)] = (uint32_t)s->n + 1;
    *index = s->n++;
    return SLOTS_OK;
}

const char *nameset_name(const nameset *s, size_t i, size_t *len) {
    size_t from = i ? s->ends[i - 1] : 0;
    *len = s->ends[i] - from;
    return s->text.p ? s->text.p + from : "";
}

void nameset_free(nameset *s) {
    sb_free(&s->text);
    mem_free(s->ends, s->cap * sizeof *s->ends, NULL);
    if (s->table) mem_free(s->table, (s->mask + 1) * sizeof *s->table, NULL);
    memset(s, 0, sizeof *s);
}
