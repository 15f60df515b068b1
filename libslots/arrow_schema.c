/*
 * arrow_schema.c — a type as an Arrow schema (the C Data Interface's ArrowSchema): a struct with one
 * child per exported field. The description is made once per type and set of flags and kept by
 * the (immortal) type, so exporting a schema allocates nothing after the first time and a consumer
 * that never releases it leaks nothing: release only marks the caller's struct released.
 */
#include "io.h"

#include <stdio.h>

#define VARIANTS 8 /* SLOTS_ARROW_* flags: three bits (t->arrow_schemas has one slot per value) */

int arrow_check_flags(unsigned flags) {
    if (flags & ~(SLOTS_ARROW_STRING_VIEW | SLOTS_ARROW_LARGE | SLOTS_ARROW_REFS))
        return err_set(SLOTS_EINVAL, "unknown Arrow flags 0x%x", flags);
    if ((flags & SLOTS_ARROW_STRING_VIEW) && (flags & SLOTS_ARROW_LARGE))
        return err_set(SLOTS_EINVAL, "SLOTS_ARROW_STRING_VIEW and SLOTS_ARROW_LARGE exclude each other");
    return SLOTS_OK;
}

bool arrow_field_exported(const field *f, unsigned flags) {
    return f->kind != SLOTS_REF || (flags & SLOTS_ARROW_REFS);
}

/* The Arrow format string of a field's kind under these flags (kind.c's row; a decimal's has its
 * P and S: `decimal` is room for it). */
static const char *field_format(const field *f, unsigned flags, char decimal[16]) {
    int kind = f->kind;
    bool str = kind == SLOTS_STR;
    if (kind == SLOTS_DECIMAL) {
        snprintf(decimal, 16, "d:%u,%u", f->precision, f->scale); /* decimal128, whatever the field's width */
        return decimal;
    }
    if (kind != SLOTS_STR && kind != SLOTS_BYTES) return kind_get(kind)->arrow;
    if (flags & SLOTS_ARROW_STRING_VIEW) return str ? "vu" : "vz";
    if (flags & SLOTS_ARROW_LARGE) return str ? "U" : "Z";
    return str ? "u" : "z";
}

/* Key/value pairs in the spec's metadata encoding: int32 count, then int32 length + bytes for each
 * key and each value, native byte order. */
static size_t metadata_size(int n, const char *const *kv) {
    size_t size = 4;
    for (int i = 0; i < 2 * n; i++) size += 4 + strlen(kv[i]);
    return size;
}

static char *metadata_pairs(int n, const char *const *kv) {
    char *m = mem_alloc(metadata_size(n, kv), NULL), *p = m;
    if (!m) return NULL;
    int32_t count = n;
    memcpy(p, &count, 4), p += 4;
    for (int i = 0; i < 2 * n; i++) {
        int32_t len = (int32_t)strlen(kv[i]);
        memcpy(p, &len, 4), p += 4;
        memcpy(p, kv[i], (size_t)len), p += len;
    }
    return m;
}

static char *metadata_one(const char *key, const char *val) {
    const char *kv[] = {key, val};
    return metadata_pairs(1, kv);
}

/* A uuid column is the canonical extension type arrow.uuid on fixed-size binary(16). */
static const char *const UUID_META[] = {"ARROW:extension:name", "arrow.uuid", "ARROW:extension:metadata", ""};

/* Marks a schema released: its description is the type's, nothing is freed. */
static void release_schema(struct ArrowSchema *s) { s->release = NULL; }

/* A type's description for one set of flags: the top-level struct and its children. */
typedef struct schema_cache {
    struct ArrowSchema top;
    struct ArrowSchema **ptrs; /* top.children */
    struct ArrowSchema *kids;
    char *type_meta, *key_meta, *uuid_meta;
    char (*decimal_formats)[16]; /* by child: "d:P,S" */
    int64_t n;
} schema_cache;

/* Frees a description that lost the race to be published (or could not be finished). */
static void cache_discard(schema_cache *c, const slots_type *t) {
    size_t nf = (size_t)t->nfields;
    if (c->type_meta) mem_free(c->type_meta, 12 + strlen("libslots.type") + strlen(t->name), NULL);
    if (c->key_meta) mem_free(c->key_meta, 12 + strlen("libslots.key") + strlen("true"), NULL);
    if (c->uuid_meta) mem_free(c->uuid_meta, metadata_size(2, UUID_META), NULL);
    mem_free(c->decimal_formats, nf * sizeof *c->decimal_formats + 1, NULL);
    mem_free(c->ptrs, nf * sizeof *c->ptrs + 1, NULL);
    mem_free(c->kids, nf * sizeof *c->kids + 1, NULL);
    mem_free(c, sizeof *c, NULL);
}

static schema_cache *cache_build(const slots_type *t, unsigned flags) {
    size_t nf = (size_t)t->nfields;
    schema_cache *c = mem_calloc(sizeof *c, NULL);
    if (!c) return NULL;
    c->ptrs = mem_calloc(nf * sizeof *c->ptrs + 1, NULL);
    c->kids = mem_calloc(nf * sizeof *c->kids + 1, NULL);
    c->type_meta = metadata_one("libslots.type", t->name);
    if (t->key_field >= 0) c->key_meta = metadata_one("libslots.key", "true");
    c->uuid_meta = metadata_pairs(2, UUID_META);
    c->decimal_formats = mem_calloc(nf * sizeof *c->decimal_formats + 1, NULL);
    if (!c->ptrs || !c->kids || !c->type_meta || (t->key_field >= 0 && !c->key_meta) || !c->uuid_meta || !c->decimal_formats) {
        cache_discard(c, t);
        return NULL;
    }
    for (int i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        if (!arrow_field_exported(f, flags)) continue;
        struct ArrowSchema *k = &c->kids[c->n];
        *k = (struct ArrowSchema){.format = field_format(f, flags, c->decimal_formats[c->n]), .name = f->name,
                                  .metadata = i == t->key_field ? c->key_meta : f->kind == SLOTS_UUID ? c->uuid_meta : NULL,
                                  .flags = ARROW_FLAG_NULLABLE, .release = release_schema};
        c->ptrs[c->n++] = k;
    }
    c->top = (struct ArrowSchema){.format = "+s", .name = "", .metadata = c->type_meta, .n_children = c->n,
                                  .children = c->ptrs, .release = release_schema};
    return c;
}

/* The type's description for these flags, made on first use and published with a compare-and-swap
 * (two threads may both build one: the loser frees its own). */
static schema_cache *cache_get(const slots_type *t, unsigned flags) {
    void **slot = &((slots_type *)t)->arrow_schemas[flags % VARIANTS];
    schema_cache *c = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (c) return c;
    schema_cache *fresh = cache_build(t, flags);
    if (!fresh) return NULL;
    void *expected = NULL;
    if (__atomic_compare_exchange_n(slot, &expected, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return fresh;
    cache_discard(fresh, t);
    return expected;
}

int arrow_schema_fill(const slots_type *t, unsigned flags, struct ArrowSchema *out) {
    schema_cache *c = cache_get(t, flags);
    if (!c) return err_nomem();
    /* A consumer that moved a child out marked the type's copy released: live again for this one.
     * Every export writes the same pointer, so racing exports agree. */
    for (int64_t k = 0; k < c->n; k++)
        if (!__atomic_load_n(&c->kids[k].release, __ATOMIC_RELAXED))
            __atomic_store_n(&c->kids[k].release, release_schema, __ATOMIC_RELAXED);
    *out = c->top;
    return SLOTS_OK;
}

int slots_type_export_schema(const slots_type *t, unsigned flags, struct ArrowSchema *out) {
    GUARDED;
    int rc = registry_check_type(t);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) rc = arrow_check_flags(flags);
    return rc == SLOTS_OK ? arrow_schema_fill(t, flags, out) : rc;
}
