/*
 * registry.c — the process-wide registry: type names bound to their latest definition (a hash table
 * by name), and the set of live type pointers, so a pointer handed back by a caller is checked
 * before use. (Stores are checked by their references: store.c.)
 */
#include "schema.h"

#include <stdint.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Each name's latest type, by open addressing on the name (at most half full), so finding a type
 * costs the same with ten types defined or a million. Older types stay alive (they are immortal)
 * in `live`. */
static const slots_type **names;
static size_t names_cap, nnames;
static map *live; /* live type pointers */

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

/* Types found valid, by any thread, one per place chosen by address: types are immortal, so once
 * valid, always valid. Shared rather than thread-local (a thread-local costs a call into the loader
 * from a shared library), and a place is written only when it changes, so threads using a few types
 * read their places and do not bounce cache lines. */
#define CHECKED_PLACES 64
static const slots_type *checked[CHECKED_PLACES];

int registry_check_type(const slots_type *t) {
    const slots_type **place = &checked[((uintptr_t)t >> 6) % CHECKED_PLACES];
    if (t && t == __atomic_load_n(place, __ATOMIC_RELAXED)) return SLOTS_OK;
    if (!t) return err_set(SLOTS_EINVAL, "type must not be NULL");
    if (!live_has(t) || t->magic != TYPE_MAGIC) return err_set(SLOTS_EINVAL, "%p is not a libslots type", (const void *)t);
    __atomic_store_n(place, t, __ATOMIC_RELAXED);
    return SLOTS_OK;
}

void registry_atfork(int phase) {
    if (phase == FORK_PREPARE) registry_lock();
    else if (phase == FORK_PARENT) registry_unlock();
    else pthread_mutex_init(&lock, NULL);
}
