/*
 * sources_util.h — what the C sources tests share: the product type (tests/sources/product.fields),
 * the servers servers.py started (from the environment), reading the scripts beside this file.
 */
#ifndef SLOTS_SOURCES_UTIL_H
#define SLOTS_SOURCES_UTIL_H

#include <stddef.h>

#include "slots.h"

/* The whole file at tests/sources/NAME (run from the repository root), NUL-terminated; aborts if
 * it cannot be read (a test setup error, not a test failure). The caller frees it. */
char *sources_read(const char *name, size_t *len);

/* The integer in environment variable NAME; aborts when it is missing (run under servers.py). */
long sources_env_long(const char *name);
/* The text of environment variable NAME; aborts when it is missing. */
const char *sources_env(const char *name);

/* The Product type of product.fields (defined once per process). */
const slots_type *sources_product_type(void);

/* A new empty store of Products; aborts on failure. */
slots_store *sources_new_store(void);

/* A copy of the store's JSON Lines dump (malloc'd), to compare a store before and after. */
char *sources_dump(const slots_store *s, size_t *len);

#endif
