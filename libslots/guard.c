/*
 * guard.c — when memory that other threads may be reading can be freed: epoch-based reclamation.
 *
 * Every public call that resolves a record handle or a store reference runs inside a guard
 * (GUARDED at its top). A thread in a guard has announced an epoch; a store that is dropped is
 * first unlinked (no new call can find it), then guard_synchronize() waits until every thread that
 * was inside a guard when the unlink happened has left it, and only then is the store freed. So a
 * call that found a store keeps valid memory until it returns, whatever other threads drop.
 *
 * Entering and leaving a guard is a thread-local store each, with no atomic read-modify-write and
 * no shared cache line: the full memory barrier the protocol needs is paid by the rare side (drop)
 * through membarrier(2), which makes every running thread of the process execute one. Where the
 * kernel lacks it, both sides use a sequentially consistent fence instead.
 */
#include "base.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

uint64_t guard_global_epoch = 1;
bool guard_asymmetric;                       /* membarrier(2) does the readers' half of the fence */
__thread guard_thread *guard_me;
static guard_thread *threads;                /* every thread that ever entered a guard, still alive */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/* A thread that could not get a record (out of memory) is counted here instead. */
static unsigned anonymous_inside;
static _Thread_local unsigned anonymous_depth;

static long membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0, 0); }

static void forget_thread(void *p);

static void guard_init(void) {
    guard_asymmetric = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    pthread_key_create(&exit_key, forget_thread);
    fork_handlers_install();
}

/* Runs at thread exit: the record leaves the list (it is outside any guard by then). */
static void forget_thread(void *p) {
    guard_thread *g = p;
    pthread_mutex_lock(&threads_lock);
    for (guard_thread **at = &threads; *at; at = &(*at)->next)
        if (*at == g) {
            *at = g->next;
            break;
        }
    pthread_mutex_unlock(&threads_lock);
    free(g);
    guard_me = NULL;
}

/* The calling thread's record, made on its first guard. Plain calloc: this bookkeeping is not
 * library data and must not be hit by the test hook that fails allocations. */
static guard_thread *join(void) {
    pthread_once(&init_once, guard_init);
    guard_thread *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    if (pthread_setspecific(exit_key, g) != 0) {
        free(g);
        return NULL;
    }
    pthread_mutex_lock(&threads_lock);
    g->next = threads, threads = g;
    pthread_mutex_unlock(&threads_lock);
    return guard_me = g;
}

guard_thread *guard_enter_slow(void) {
    guard_thread *g = join();
    if (g) return guard_enter();
    /* out of memory: counted without a record, and waited for all the same */
    if (anonymous_depth++ == 0) __atomic_add_fetch(&anonymous_inside, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

void guard_leave_slow(void) {
    if (--anonymous_depth == 0) __atomic_sub_fetch(&anonymous_inside, 1, __ATOMIC_SEQ_CST);
}

bool guard_defer(guard_deferred *node, void (*fn)(void *), void *arg) {
    guard_thread *g = guard_me;
    if (!g || __atomic_load_n(&g->epoch, __ATOMIC_RELAXED) == 0) return false;
    *node = (guard_deferred){.fn = fn, .arg = arg, .next = g->deferred};
    g->deferred = node;
    return true;
}

/* Outside every guard now, so no thread's synchronize waits for this one, which makes it safe to
 * wait for them; work that queues more work (a free that drops another store) is run too. */
void guard_run_deferred(guard_thread *g) {
    while (g->deferred) {
        guard_deferred *list = g->deferred;
        g->deferred = NULL;
        guard_synchronize();
        while (list) {
            guard_deferred *next = list->next; /* read first: fn frees the node */
            list->fn(list->arg);
            list = next;
        }
    }
}

bool guard_nested(void) { return guard_me ? guard_me->depth > 0 : anonymous_depth > 1; }

void guard_synchronize(void) {
    pthread_once(&init_once, guard_init);
    if (guard_asymmetric) membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    else __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t now = __atomic_add_fetch(&guard_global_epoch, 1, __ATOMIC_SEQ_CST) - 1;
    pthread_mutex_lock(&threads_lock);
    for (guard_thread *g = threads; g; g = g->next) {
        if (g == guard_me) continue; /* the caller's own call is the one doing the dropping */
        uint64_t e;
        while ((e = __atomic_load_n(&g->epoch, __ATOMIC_ACQUIRE)) != 0 && e <= now) sched_yield();
    }
    pthread_mutex_unlock(&threads_lock);
    while (__atomic_load_n(&anonymous_inside, __ATOMIC_SEQ_CST) > (anonymous_depth ? 1u : 0u)) sched_yield();
}

/* ---- fork(): the child has only the forking thread, so it must not wait for the others ------- */

void guard_atfork(int phase) {
    if (phase == FORK_PREPARE) {
        pthread_mutex_lock(&threads_lock);
        return;
    }
    if (phase == FORK_PARENT) {
        pthread_mutex_unlock(&threads_lock);
        return;
    }
    guard_thread *g = threads; /* the other threads' records describe threads the child lacks */
    while (g) {
        guard_thread *next = g->next;
        if (g != guard_me) free(g);
        g = next;
    }
    threads = guard_me;
    if (guard_me) guard_me->next = NULL;
    anonymous_inside = anonymous_depth ? 1 : 0;
    pthread_mutex_init(&threads_lock, NULL);
    if (guard_asymmetric) guard_asymmetric = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}
