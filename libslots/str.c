/*
 * str.c — str and bytes values in a record's 24-byte slot: up to 23 bytes inline (the length in the
 * last byte), longer ones out of line as pointer + length to a NUL-terminated copy. 23 inline bytes
 * hold the common short values of API records (names, codes, ISO dates, slugs) with no allocation.
 * C-layout types (SLOTS_CLAYOUT) use a plain `char *` slot instead, as their C struct has it.
 */
#include "records.h"

#include <sched.h>

typedef struct heap_str {
    char *p;
    size_t len;
} heap_str;

_Static_assert(sizeof(heap_str) <= STR_SLOT - 1, "out-of-line string must fit beside the tag");

/* ---- who may touch a slot: one spinlock per stripe of slots -------------------------------------
 * Two threads may set the same field at once, or one read it while another sets it: each swaps or
 * copies the slot's bytes under the slot's stripe lock, so a reader sees a whole old or a whole new
 * value and an out-of-line string is freed only once nobody can be copying it. Critical sections are
 * a 24-byte copy (or one string's bytes), so a spinlock beats a mutex; stripes are a cache line
 * each, and a slot's stripe comes from its address, so no record or store carries a lock. */
#define TEXT_STRIPES 256

typedef struct stripe {
    _Alignas(64) unsigned char held;
} stripe;

static stripe stripes[TEXT_STRIPES];

static stripe *stripe_of(const char *slot) {
    uintptr_t a = (uintptr_t)slot;
    return &stripes[((a >> 3) ^ (a >> 13)) % TEXT_STRIPES];
}

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void stripe_lock(stripe *s) {
    unsigned spins = 0;
    while (__atomic_exchange_n(&s->held, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&s->held, __ATOMIC_RELAXED))
            if (++spins < 64) cpu_relax();
            else sched_yield(); /* the holder was descheduled: let it run */
}

static void stripe_unlock(stripe *s) { __atomic_store_n(&s->held, 0, __ATOMIC_RELEASE); }

void text_atfork(int phase) {
    for (int i = 0; i < TEXT_STRIPES; i++)
        if (phase == FORK_PREPARE) stripe_lock(&stripes[i]);
        else stripe_unlock(&stripes[i]); /* parent and child alike: spinlocks have no owner */
}

/* ---- the slot's bytes ------------------------------------------------------------------------ */

static unsigned char tag_of(const char *slot) { return (unsigned char)slot[STR_SLOT - 1]; }

static void slot_view(const char *slot, bool cptr, const char **p, size_t *len) {
    if (cptr) {
        const char *s;
        memcpy(&s, slot, sizeof s);
        *p = s ? s : "", *len = s ? strlen(s) : 0;
    } else if (tag_of(slot) == STR_HEAP) {
        heap_str h;
        memcpy(&h, slot, sizeof h);
        *p = h.p, *len = h.len;
    } else {
        *p = slot, *len = tag_of(slot);
    }
}

/* The allocation a slot's bytes own, or NULL. */
static char *slot_owned(const char *slot, bool cptr, size_t *bytes) {
    char *p;
    if (cptr) {
        memcpy(&p, slot, sizeof p);
        *bytes = p ? strlen(p) + 1 : 0;
        return p;
    }
    if (tag_of(slot) != STR_HEAP) return NULL;
    heap_str h;
    memcpy(&h, slot, sizeof h);
    *bytes = h.len + 1;
    return h.p;
}

void text_lock(const char *slot) { stripe_lock(stripe_of(slot)); }
void text_unlock(const char *slot) { stripe_unlock(stripe_of(slot)); }

/* Builds the bytes a slot holding p[0..len) has: inline, or pointing to a fresh copy. */
int str_slot_prepare(char fresh[STR_SLOT], bool cptr, const char *p, size_t len, size_t *account) {
    memset(fresh, 0, STR_SLOT);
    if (!cptr && len <= STR_INLINE_MAX) {
        if (len) memcpy(fresh, p, len);
        fresh[STR_SLOT - 1] = (char)len;
        return SLOTS_OK;
    }
    char *copy = mem_strdup(p ? p : "", len, account);
    if (!copy) return SLOTS_ENOMEM;
    if (cptr) {
        memcpy(fresh, &copy, sizeof copy);
    } else {
        heap_str h = {copy, len};
        memcpy(fresh, &h, sizeof h);
        fresh[STR_SLOT - 1] = (char)STR_HEAP;
    }
    return SLOTS_OK;
}

void str_slot_exchange(char *slot, bool cptr, const char *fresh, char old[STR_SLOT]) {
    size_t n = cptr ? sizeof(char *) : STR_SLOT;
    memcpy(old, slot, n);
    memcpy(slot, fresh, n);
}

void str_slot_dispose(const char old[STR_SLOT], bool cptr, size_t *account) {
    size_t bytes = 0;
    char *owned = slot_owned(old, cptr, &bytes);
    if (owned) mem_free(owned, bytes, account);
}

const char *str_slot_copy(const char *slot, bool cptr, size_t *len) {
    const char *at;
    slot_view(slot, cptr, &at, len);
    return arena_copy(at, *len);
}

/* Empties the slot under its lock and frees what it owned after unlocking. */
void str_slot_release(char *slot, bool cptr, size_t *account) {
    static const char empty[STR_SLOT];
    char old[STR_SLOT];
    text_lock(slot);
    str_slot_exchange(slot, cptr, empty, old);
    text_unlock(slot);
    str_slot_dispose(old, cptr, account);
}

void str_slot_peek(const char *slot, bool cptr, const char **p, size_t *len) { slot_view(slot, cptr, p, len); }

size_t str_slot_heap_bytes(const char *slot, bool cptr) {
    size_t bytes = 0;
    text_lock(slot);
    bool owned = slot_owned(slot, cptr, &bytes) != NULL;
    text_unlock(slot);
    return owned ? bytes : 0;
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
