/*
 * arena.c — where text read out of records lives while a call uses it: the calling thread's read
 * arena. Another thread may overwrite or free a string the moment it is read, so a reader copies
 * it here (under the string's lock, str.c) and works on the copy. The arena is emptied when the
 * thread enters its next outermost library call, which is why getters can hand out pointers that
 * stay valid "until the next call on this thread". Loops that read many records mark the arena
 * before each record and rewind to the mark after it, so a dump of a million records needs no
 * more room than its largest record.
 *
 * There are two arenas per thread, used by turns: a call's results survive the whole next call, so
 * a caller may pass what one call returned straight into the next (copy field a into field b) even
 * when that call reads text itself.
 *
 * Short strings (the common case) are copied into a fixed per-thread block; only what does not
 * fit there is allocated, one block per string, and freed at the rewind.
 */
#include "base.h"

#define SMALL_BYTES 4096

typedef struct big_block {
    struct big_block *next;
    size_t bytes; /* of the whole allocation */
} big_block;

typedef struct arena {
    _Alignas(16) char small[SMALL_BYTES];
    size_t used;
    big_block *big;
} arena;

static _Thread_local arena both[2];
static _Thread_local unsigned current;
#define ar (both[current])
static _Thread_local bool exit_registered;
static pthread_key_t exit_key;
static bool exit_key_ok;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void free_bigs_until(big_block *keep) {
    while (ar.big != keep) {
        big_block *b = ar.big;
        ar.big = b->next;
        mem_free(b, b->bytes, NULL);
    }
}

static void arena_on_exit(void *unused) {
    (void)unused;
    for (current = 0; current < 2; current++) free_bigs_until(NULL);
    current = 0;
    exit_registered = false;
}

static void exit_key_create(void) { exit_key_ok = pthread_key_create(&exit_key, arena_on_exit) == 0; }

/* A big block's memory must be freed when its thread exits. */
static void register_exit(void) {
    pthread_once(&exit_once, exit_key_create);
    if (exit_key_ok && pthread_setspecific(exit_key, &ar) == 0) exit_registered = true;
}

/* The first copy of a new call turns to the other arena and empties it: the previous call's copies,
 * in this one, stay valid through the call. (Nothing is done per call that makes no copy.) */
static void turn_if_new_call(void) {
    if (!guard_new_call()) return;
    current ^= 1u;
    free_bigs_until(NULL);
    ar.used = 0;
}

/* n bytes at a multiple of `align` (1 or 16): in the small block if they fit, else a block of
 * their own. NULL when out of memory. */
static char *take(size_t n, size_t align) {
    turn_if_new_call();
    size_t pad = (align - ar.used % align) % align;
    if (pad <= SMALL_BYTES - ar.used && n <= SMALL_BYTES - ar.used - pad) {
        char *at = ar.small + ar.used + pad;
        ar.used += pad + n;
        return at;
    }
    if (!exit_registered) register_exit();
    size_t bytes = sizeof(big_block) + n + align;
    big_block *b = bytes > n ? mem_alloc(bytes, NULL) : NULL;
    if (!b) return NULL;
    b->bytes = bytes, b->next = ar.big, ar.big = b;
    uintptr_t at = (uintptr_t)(b + 1);
    return (char *)((at + align - 1) & ~(uintptr_t)(align - 1));
}

const char *arena_copy(const char *p, size_t n) {
    char *at = n < SIZE_MAX ? take(n + 1, 1) : NULL;
    if (!at) return NULL;
    if (n) memcpy(at, p, n);
    at[n] = '\0';
    return at;
}

void *arena_take(size_t n) { return take(n, 16); }

arena_mark arena_save(void) {
    turn_if_new_call();
    return (arena_mark){ar.used, ar.big};
}

void arena_rewind(arena_mark m) {
    free_bigs_until(m.big);
    ar.used = m.used;
}
