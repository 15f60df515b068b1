/*
 * registry.c — the process-wide registry: type names bound to their latest definition (a hash table
 * by name), and the set of live type and store pointers, so a pointer handed back by a caller is
 * checked before use.
 */
#include "internal.h"

#include <stdint.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Each name's latest type, by open addressing on the name (at most half full), so finding a type
 * costs the same with ten types defined or a million. Older types stay alive (they are immortal)
 * in `live`. */
static const slots_type **names;
static size_t names_cap, nnames;
static map *live; /* live type and store pointers */

static void registry_lock(void) { pthread_mutex_lock(&lock); }
static void registry_unlock(void) { pthread_mutex_unlock(&lock); }

static int live_add(void *p) {
    if (!live && !(live = map_new(NULL))) return SLOTS_ENOMEM;
    int rc = map_put(live, (uint64_t)(uintptr_t)p, p);
    if (rc != SLOTS_OK && !map_count(live)) map_free(live), live = NULL;
    return rc;
}

static bool live_has(const void *p) {
    registry_lock();
    bool has = p && map_get(live, (uint64_t)(uintptr_t)p) == p;
    registry_unlock();
    return has;
}

/* Called with the lock held: the place of `name`, or the empty place where it would go. */
static size_t name_place(const char *name) {
    size_t i = (size_t)hash_bytes(name, strlen(name), 11) & (names_cap - 1);
    while (names[i] && strcmp(names[i]->name, name) != 0) i = (i + 1) & (names_cap - 1);
    return i;
}

/* Called with the lock held: room for one more name, made before anything changes. */
static int names_reserve(void) {
    if ((nnames + 1) * 2 <= names_cap) return SLOTS_OK;
    size_t old_cap = names_cap, cap = names_cap ? names_cap * 2 : 32;
    const slots_type **old = names, **fresh = mem_calloc(cap * sizeof *fresh, NULL);
    if (!fresh) return SLOTS_ENOMEM;
    names = fresh, names_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) names[name_place(old[i]->name)] = old[i];
    mem_free(old, old_cap * sizeof *old, NULL);
    return SLOTS_OK;
}

int registry_bind(slots_type *t) {
    registry_lock();
    int rc = names_reserve();
    if (rc == SLOTS_OK) rc = live_add(t);
    if (rc == SLOTS_OK) {
        size_t i = name_place(t->name);
        nnames += !names[i];
        names[i] = t; /* the name now means this type */
    }
    if (rc != SLOTS_OK && !nnames) { /* a failed first definition leaves no tables behind */
        mem_free(names, names_cap * sizeof *names, NULL);
        names = NULL, names_cap = 0;
    }
    registry_unlock();
    return rc == SLOTS_OK ? rc : err_nomem();
}

/* Called with the lock held. */
static const slots_type *find_locked(const char *name) { return names_cap ? names[name_place(name)] : NULL; }

const slots_type *registry_find(const char *name) {
    registry_lock();
    const slots_type *t = find_locked(name);
    registry_unlock();
    return t;
}

const slots_type *slots_type_find(const char *name) {
    if (!name) {
        err_set(SLOTS_EINVAL, "type name must not be NULL");
        return NULL;
    }
    const slots_type *t = registry_find(name);
    if (!t) err_set(SLOTS_ENOATTR, "no type named '%s'", name);
    return t;
}

int registry_check_type(const slots_type *t) {
    static _Thread_local const slots_type *checked; /* types are immortal: once valid, always valid */
    if (t && t == checked) return SLOTS_OK;
    if (!t) return err_set(SLOTS_EINVAL, "type must not be NULL");
    if (!live_has(t) || t->magic != TYPE_MAGIC) return err_set(SLOTS_EINVAL, "%p is not a libslots type", (const void *)t);
    checked = t;
    return SLOTS_OK;
}

int registry_add_store(slots_store *s) {
    registry_lock();
    int rc = live_add(s);
    registry_unlock();
    return rc;
}

/* Bumped whenever a store goes away, so a thread may trust the last store it checked until then. */
static uint64_t stores_epoch;
static _Thread_local const slots_store *checked_store;
static _Thread_local uint64_t checked_epoch;

void registry_remove_store(slots_store *s) {
    registry_lock();
    map_remove(live, (uint64_t)(uintptr_t)s);
    if (!map_count(live)) map_free(live), live = NULL; /* only after a failed first definition */
    registry_unlock();
    /* after the removal: a check that read the old epoch also saw the store still there or gone */
    __atomic_add_fetch(&stores_epoch, 1, __ATOMIC_ACQ_REL);
}

int registry_check_store(const slots_store *s) {
    if (!s) return err_set(SLOTS_EINVAL, "store must not be NULL");
    uint64_t epoch = __atomic_load_n(&stores_epoch, __ATOMIC_ACQUIRE);
    if (s == checked_store && epoch == checked_epoch) return SLOTS_OK; /* no store went away since */
    if (!live_has(s) || s->magic != STORE_MAGIC)
        return err_set(SLOTS_ESTALE, "store %p is not a live store (dropped or never created)", (const void *)s);
    checked_store = s, checked_epoch = epoch;
    return SLOTS_OK;
}
