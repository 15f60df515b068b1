/*
 * cancel.c — the loads in progress, so that slots_store_cancel_load() can stop one from any thread
 * or from a signal handler. A signal handler may take no lock and allocate nothing, and it may
 * interrupt the very thread that is dropping the store it names, so the request never reaches the
 * store itself: each running load holds one word of a fixed table, the store's address with the
 * low bit set once a stop is asked for, and a canceller only compares the address it was given
 * with the table's words. A load claims its word when it starts and gives it back, zeroed, when
 * it ends: a request therefore belongs to the load running when it is made, never to a later one.
 */
#include "internal.h"

#define MAX_LOADS 1024    /* loads running at once in the process */
#define CANCEL_BIT ((uintptr_t)1) /* stores are allocated, so their addresses are even */

#if !defined(__GCC_ATOMIC_POINTER_LOCK_FREE) || __GCC_ATOMIC_POINTER_LOCK_FREE != 2
#error "a signal handler can mark a running load only with lock-free pointer-sized atomics"
#endif

static uintptr_t running[MAX_LOADS]; /* 0: free; else a load's store address | CANCEL_BIT */

int cancel_watch(const slots_store *s, uintptr_t **out) {
    uintptr_t me = (uintptr_t)s;
    size_t start = (size_t)(hash_bytes(&me, sizeof me, 5) % MAX_LOADS); /* loads rarely meet */
    for (size_t k = 0; k < MAX_LOADS; k++) {
        uintptr_t *w = &running[(start + k) % MAX_LOADS], expect = 0;
        if (__atomic_compare_exchange_n(w, &expect, me, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            *out = w;
            return SLOTS_OK;
        }
    }
    return err_set(SLOTS_ENOMEM, "more than %d loads at once", MAX_LOADS);
}

void cancel_unwatch(uintptr_t *w) {
    if (w) __atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

bool cancel_requested(const uintptr_t *w) {
    return w && (__atomic_load_n(w, __ATOMIC_RELAXED) & CANCEL_BIT);
}

int err_cancelled(void) { return err_set(SLOTS_ECANCELED, "load cancelled"); }

/* Only atomic loads and compare-exchanges on the table: async-signal-safe. */
int slots_store_cancel_load(slots_store *s) {
    uintptr_t target = (uintptr_t)s;
    int asked = 0;
    if (!s) return 0;
    for (size_t k = 0; k < MAX_LOADS; k++) {
        uintptr_t seen = __atomic_load_n(&running[k], __ATOMIC_RELAXED);
        /* The exchange fails if the load ended (or another was asked) meanwhile: retry that word. */
        while ((seen & ~CANCEL_BIT) == target &&
               !__atomic_compare_exchange_n(&running[k], &seen, seen | CANCEL_BIT, false, __ATOMIC_RELEASE,
                                            __ATOMIC_RELAXED)) {}
        asked += (seen & ~CANCEL_BIT) == target;
    }
    return asked;
}
