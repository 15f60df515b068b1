/*
 * str.c — str and bytes values in a record's 24-byte slot: up to 23 bytes inline (the length in the
 * last byte), longer ones out of line as pointer + length to a NUL-terminated copy. 23 inline bytes
 * hold the common short values of API records (names, codes, ISO dates, slugs) with no allocation.
 * C-layout types (SLOTS_CLAYOUT) use a plain `char *` slot instead, as their C struct has it.
 */
#include "internal.h"

typedef struct heap_str {
    char *p;
    size_t len;
} heap_str;

_Static_assert(sizeof(heap_str) <= STR_SLOT - 1, "out-of-line string must fit beside the tag");

static unsigned char tag_of(const char *slot) { return (unsigned char)slot[STR_SLOT - 1]; }

static void inline_clear(char *slot, size_t *account);

static int inline_set(char *slot, const char *p, size_t len, size_t *account) {
    char fresh[STR_SLOT] = {0};
    if (len <= STR_INLINE_MAX) {
        if (len) memcpy(fresh, p, len);
        fresh[STR_SLOT - 1] = (char)len;
    } else {
        heap_str h = {mem_strdup(p, len, account), len};
        if (!h.p) return SLOTS_ENOMEM;
        memcpy(fresh, &h, sizeof h);
        fresh[STR_SLOT - 1] = (char)STR_HEAP;
    }
    inline_clear(slot, account); /* only now: a failed allocation above leaves the old value */
    memcpy(slot, fresh, STR_SLOT);
    return SLOTS_OK;
}

static void inline_get(const char *slot, const char **p, size_t *len) {
    if (tag_of(slot) == STR_HEAP) {
        heap_str h;
        memcpy(&h, slot, sizeof h);
        *p = h.p, *len = h.len;
    } else {
        *p = slot, *len = tag_of(slot);
    }
}

static void inline_clear(char *slot, size_t *account) {
    if (tag_of(slot) == STR_HEAP) {
        heap_str h;
        memcpy(&h, slot, sizeof h);
        mem_free(h.p, h.len + 1, account);
    }
    memset(slot, 0, STR_SLOT);
}

/* ---- C-layout slots: a NUL-terminated copy or NULL ---------------------------------------- */

static int cptr_set(char *slot, const char *p, size_t len, size_t *account) {
    char *copy = mem_strdup(p ? p : "", len, account), *old;
    if (!copy) return SLOTS_ENOMEM;
    memcpy(&old, slot, sizeof old);
    if (old) mem_free(old, strlen(old) + 1, account);
    memcpy(slot, &copy, sizeof copy);
    return SLOTS_OK;
}

static void cptr_get(const char *slot, const char **p, size_t *len) {
    const char *s;
    memcpy(&s, slot, sizeof s);
    *p = s ? s : "", *len = s ? strlen(s) : 0;
}

static void cptr_clear(char *slot, size_t *account) {
    char *old;
    memcpy(&old, slot, sizeof old);
    if (old) mem_free(old, strlen(old) + 1, account);
    static const char *const null_ptr = NULL;
    memcpy(slot, &null_ptr, sizeof null_ptr);
}

int str_slot_set(char *slot, bool cptr, const char *p, size_t len, size_t *account) {
    return cptr ? cptr_set(slot, p, len, account) : inline_set(slot, p, len, account);
}

void str_slot_get(const char *slot, bool cptr, const char **p, size_t *len) {
    if (cptr) cptr_get(slot, p, len);
    else inline_get(slot, p, len);
}

void str_slot_clear(char *slot, bool cptr, size_t *account) {
    if (cptr) cptr_clear(slot, account);
    else inline_clear(slot, account);
}

/* Continuation bytes needed after lead byte c, with the smallest allowed second byte range. */
static int utf8_seq(unsigned char c, unsigned char s, int *n) {
    if (c >= 0xc2 && c <= 0xdf) return *n = 1, s >= 0x80 && s <= 0xbf;
    if (c == 0xe0) return *n = 2, s >= 0xa0 && s <= 0xbf;
    if (c == 0xed) return *n = 2, s >= 0x80 && s <= 0x9f; /* no surrogates */
    if (c >= 0xe1 && c <= 0xef) return *n = 2, s >= 0x80 && s <= 0xbf;
    if (c == 0xf0) return *n = 3, s >= 0x90 && s <= 0xbf;
    if (c >= 0xf1 && c <= 0xf3) return *n = 3, s >= 0x80 && s <= 0xbf;
    if (c == 0xf4) return *n = 3, s >= 0x80 && s <= 0x8f;
    return 0;
}

size_t utf8_check(const char *p, size_t len) {
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < len) {
        uint64_t w;
        if (i + 8 <= len && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ull))) {
            i += 8; /* eight ASCII bytes at once: most text is ASCII */
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int n = 0;
        if (i + 1 >= len || !utf8_seq(s[i], s[i + 1], &n) || i + (size_t)n >= len) return i;
        for (int k = 2; k <= n; k++)
            if ((s[i + (size_t)k] & 0xc0) != 0x80) return i;
        i += (size_t)n + 1;
    }
    return SIZE_MAX;
}
