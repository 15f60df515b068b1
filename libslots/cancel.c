/*
 * cancel.c — the loads in progress, so that slots_store_cancel_load() can stop one from any thread
 * or from a signal handler. A signal handler may take no lock and allocate nothing, and it may
 * interrupt the very thread that is dropping the store it names, so the request never reaches the
 * store itself: each running load holds an entry of a fixed table, the store's public pointer
 * (compared, never followed) and a state word whose low bit asks the load to stop. A load claims
 * an entry when its rows start to decode and gives it back when they are done: a request belongs
 * to the load running when it is made, never to a later one.
 *
 * The state says whether the entry's load is running (ACTIVE) and counts the loads that ended,
 * so a request lands on the load it was made for or on none: a claim writes the key, then sets
 * ACTIVE; a load that ends moves the count on and clears ACTIVE and STOP, then frees the key; a
 * canceller reads the state, then the key, and sets STOP only if the state is still the ACTIVE
 * one it read. Had that load ended in between, the count moved and the exchange fails.
 */
#include "io.h"

#define MAX_LOADS 1024 /* loads running at once in the process */
#define STOP 1u        /* in a state: stop asked for */
#define ACTIVE 2u      /* the key's load is running; the bits above count loads that ended */
#define ENDED 4u       /* one more load ended */

#if !defined(__GCC_ATOMIC_POINTER_LOCK_FREE) || __GCC_ATOMIC_POINTER_LOCK_FREE != 2 || \
    !defined(__GCC_ATOMIC_LLONG_LOCK_FREE) || __GCC_ATOMIC_LLONG_LOCK_FREE != 2
#error "a signal handler can mark a running load only with lock-free atomics"
#endif

typedef struct running {
    const slots_store *key; /* the load's store as its caller names it; NULL: free */
    uint64_t state;         /* loads ended * ENDED | ACTIVE | STOP */
} running;

static running table[MAX_LOADS];

int cancel_watch(const slots_store *s, uint64_t **out) {
    uintptr_t me = (uintptr_t)s;
    size_t start = (size_t)(hash_bytes(&me, sizeof me, 5) % MAX_LOADS); /* loads rarely meet */
    for (size_t k = 0; k < MAX_LOADS; k++) {
        running *e = &table[(start + k) % MAX_LOADS];
        const slots_store *expect = NULL;
        if (__atomic_compare_exchange_n(&e->key, &expect, s, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            __atomic_fetch_or(&e->state, ACTIVE, __ATOMIC_RELEASE); /* after the key: see the canceller */
            *out = &e->state;
            return SLOTS_OK;
        }
    }
    return err_set(SLOTS_ENOMEM, "more than %d loads at once", MAX_LOADS);
}

void cancel_unwatch(uint64_t *w) {
    if (!w) return;
    running *e = (running *)(void *)((char *)w - offsetof(running, state));
    uint64_t st = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&e->state, &st, (st & ~(uint64_t)(ACTIVE | STOP)) + ENDED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {}
    __atomic_store_n(&e->key, NULL, __ATOMIC_RELEASE);
}

bool cancel_requested(const uint64_t *w) { return w && (__atomic_load_n(w, __ATOMIC_RELAXED) & STOP); }

int err_cancelled(void) { return err_set(SLOTS_ECANCELED, "load cancelled"); }

/* Only atomic loads and compare-exchanges on the table: async-signal-safe. */
int slots_store_cancel_load(slots_store *s) {
    int asked = 0;
    if (!s) return 0;
    for (size_t k = 0; k < MAX_LOADS; k++) {
        running *e = &table[k];
        uint64_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
        while ((st & ACTIVE) && __atomic_load_n(&e->key, __ATOMIC_ACQUIRE) == s) {
            if (__atomic_compare_exchange_n(&e->state, &st, st | STOP, false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
                asked++;
                break;
            } /* the state moved (another canceller, or the load ended): look again */
        }
    }
    return asked;
}
