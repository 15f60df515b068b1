/*
 * sources_util.c — setup helpers of the C sources tests (see sources_util.h). Setup failures abort
 * with a message: they are about the machine, not about the library under test.
 */
#include "sources_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "sources test setup: %s: %s\n", what, detail);
    abort();
}

char *sources_read(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "tests/sources/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (cap - n < 2) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) die("out of memory reading", path);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

const char *sources_env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) die("not set (run under tests/sources/servers.py)", name);
    return v;
}

long sources_env_long(const char *name) {
    return strtol(sources_env(name), NULL, 10);
}

const slots_type *sources_product_type(void) {
    static slots_type *t;
    if (!t) {
        char *fields = sources_read("product.fields", NULL);
        if (slots_type_define("Product", fields, NULL, 0, &t) != SLOTS_OK) die("product.fields", slots_errmsg());
        free(fields);
    }
    return t;
}

slots_store *sources_new_store(void) {
    slots_store *s;
    if (slots_store_new(sources_product_type(), &s) != SLOTS_OK) die("slots_store_new", slots_errmsg());
    return s;
}

char *sources_dump(const slots_store *s, size_t *len) {
    const char *out;
    size_t n;
    if (slots_store_dump_jsonl(s, &out, &n) != SLOTS_OK) die("dump", slots_errmsg());
    char *copy = malloc(n + 1);
    if (!copy) die("dump", "out of memory");
    memcpy(copy, out, n);
    copy[n] = '\0';
    if (len) *len = n;
    return copy;
}
