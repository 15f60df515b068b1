/*
 * fork.c — keeps the library usable in the child of a fork(). The child has only the thread that
 * forked, so any lock another thread held at that moment would stay held forever, and a load
 * running on another thread would be left half done. Before the fork every lock of the library is
 * taken (waiting for loads and other store operations to finish), after it the parent releases
 * them and the child makes them anew.
 */
#include "base.h"

/* Outermost first: store locks can be held while the registry is used, never the other way. */
static void prepare(void) {
    loaders_atfork(FORK_PREPARE);
    stores_atfork(FORK_PREPARE);
    registry_atfork(FORK_PREPARE);
    text_atfork(FORK_PREPARE);
    guard_atfork(FORK_PREPARE);
}

static void after(int phase) {
    guard_atfork(phase);
    text_atfork(phase);
    registry_atfork(phase);
    stores_atfork(phase);
    loaders_atfork(phase);
}

static void parent(void) { after(FORK_PARENT); }
static void child(void) { after(FORK_CHILD); }

void fork_handlers_install(void) { pthread_atfork(prepare, parent, child); }
