/*
 * column.c — one numeric field of every record of a store, as a packed C array in and out, and
 * aggregates over it in C, so a binding never loops per record to get numbers.
 */
#include "records.h"

#include <math.h>

/* Opens the caller's store reference and checks that field i is numeric or bool; *f is the field. */
static int numeric_field(const slots_store *ref, int i, slots_store **store, const field **f) {
    int rc = store_open(ref, store);
    const slots_store *s = *store;
    if (rc == SLOTS_OK) rc = field_check_index(s->type, i);
    if (rc != SLOTS_OK) return rc;
    *f = &s->type->fields[i];
    int kind = (*f)->kind;
    if (!kind_is_int(kind) && !kind_is_float(kind) && kind != SLOTS_BOOL)
        return err_set(SLOTS_ETYPE, "%s.%s is %s, not a numeric field", s->type->name, (*f)->name, slots_kind_name(kind));
    return SLOTS_OK;
}

typedef struct column {
    const slots_type *t;
    int field;
    const field *f;
    char *buf;
    const char *in;
    size_t pos; /* cells read so far */
    unsigned char *valid; /* validity bits out (zeroed first), or NULL */
    size_t marked, nulls; /* cells whose validity is known; of them, null or unset */
} column;

/* Copies one record's cell; unset or null is 0, or NaN for floats. */
static void read_cell(column *c, const char *rec) {
    char *dst = c->buf + c->pos++ * c->f->size;
    if (rec_is_set(c->t, rec, c->field) && !rec_is_null(c->t, rec, c->field)) {
        scalar_load(rec + c->f->offset, c->f->size, dst);
    } else if (c->f->kind == SLOTS_F32) {
        float nan = NAN;
        memcpy(dst, &nan, sizeof nan);
    } else if (c->f->kind == SLOTS_F64) {
        double nan = NAN;
        memcpy(dst, &nan, sizeof nan);
    } else {
        memset(dst, 0, c->f->size);
    }
}

/* Sets one record's validity bit, or counts it as null. */
static void mark_cell(column *c, const char *rec) {
    size_t k = c->marked++;
    if (!rec_is_set(c->t, rec, c->field) || rec_is_null(c->t, rec, c->field)) c->nulls++;
    else if (c->valid) c->valid[k / 8] |= (unsigned char)(1u << (k % 8));
}

/* The live records of one slab, in a loop of their own (see add_run). */
static void read_run(const char *rec, uint32_t n, void *ctx) {
    column *c = ctx;
    for (uint32_t j = 0; j < n; j++, rec += c->t->stride) {
        if (!(gen_load(c->t, rec) & 1u)) continue;
        mark_cell(c, rec);
        if (c->buf) read_cell(c, rec);
    }
}

/* Whether a buffer given for n cells is big enough (message set if not). */
static int check_room(const char *what, const void *p, size_t have, size_t n, size_t need) {
    if (!p || have >= need) return SLOTS_OK;
    return err_set(SLOTS_EINVAL, "%s of %zu bytes is too small for %zu records (%zu bytes)", what, have, n, need);
}

int slots_store_column_read_validity(const slots_store *ref, int i, void *buf, size_t buf_bytes, void *validity,
                                     size_t validity_bytes, size_t *count, size_t *nulls) {
    GUARDED;
    const field *f;
    slots_store *s;
    int rc = numeric_field(ref, i, &s, &f);
    if (rc == SLOTS_OK) rc = store_lock_live(s); /* a steady record count from the size check to the last copy */
    if (rc != SLOTS_OK) return rc;
    size_t n = s->live;
    rc = check_room("buffer", buf, buf_bytes, n, n * f->size);
    if (rc == SLOTS_OK) rc = check_room("validity bitmap", validity, validity_bytes, n, (n + 7) / 8);
    column c = {.t = s->type, .field = i, .f = f, .buf = buf, .valid = validity};
    if (rc == SLOTS_OK && validity) memset(validity, 0, (n + 7) / 8);
    if (rc == SLOTS_OK) store_each_run(s, read_run, &c);
    store_unlock(s);
    if (rc != SLOTS_OK) return rc;
    if (count) *count = n;
    if (nulls) *nulls = c.nulls;
    return SLOTS_OK;
}

int slots_store_column_read(const slots_store *s, int i, void *buf, size_t buf_bytes, size_t *count) {
    if (buf) return slots_store_column_read_validity(s, i, buf, buf_bytes, NULL, 0, count, NULL);
    size_t n = 0; /* NULL is a buffer for an empty store only */
    int rc = slots_store_column_read_validity(s, i, NULL, 0, NULL, 0, &n, NULL);
    if (rc == SLOTS_OK && n) return err_set(SLOTS_EINVAL, "buffer must not be NULL");
    if (rc == SLOTS_OK && count) *count = 0;
    return rc;
}

/* The value in a packed cell of the field's own type (a bool cell may hold any byte: checked). */
static value cell_value(const column *c, const char *cell) {
    value v;
    read_slot(NULL, c->f, cell, &v);
    if (c->f->kind == SLOTS_BOOL && v.as.i > 1) v.kind = SLOTS_I64;
    return v;
}

static int check_cell(const recref *r, size_t pos, void *ctx) {
    const column *c = ctx;
    value v = cell_value(c, c->in + pos * c->f->size);
    if (c->f->kind == SLOTS_BOOL && v.kind != SLOTS_BOOL)
        return err_set(SLOTS_ERANGE, "value %lld out of range for field '%s' (bool)", (long long)v.as.i, c->f->name);
    if ((c->f->flags & SLOTS_FIELD_READONLY) && rec_is_set(r->type, r->rec, c->field))
        return err_set(SLOTS_EREADONLY, "cannot assign to field '%s'", c->f->name);
    return value_check(r->type, c->f, &v);
}

static int write_cell(const recref *r, size_t pos, void *ctx) {
    const column *c = ctx;
    value v = cell_value(c, c->in + pos * c->f->size);
    return field_set(r, c->field, &v);
}

int slots_store_column_write(slots_store *ref, int i, const void *buf, size_t buf_bytes) {
    GUARDED;
    const field *f;
    slots_store *s;
    int rc = numeric_field(ref, i, &s, &f);
    if (rc == SLOTS_OK) rc = store_check_not_loading(s);
    if (rc != SLOTS_OK) return rc;
    if (i == s->type->key_field) return err_set(SLOTS_EINVAL, "the key field '%s' cannot be written as a column", f->name);
    if ((rc = store_lock_live(s)) != SLOTS_OK) return rc;
    size_t n = s->live;
    if (buf_bytes != n * f->size || (!buf && n))
        rc = err_set(SLOTS_EINVAL, "buffer of %zu bytes does not hold %zu values of %u bytes", buf_bytes, n, f->size);
    column c = {.t = s->type, .field = i, .f = f, .in = buf};
    if (rc == SLOTS_OK) rc = store_each(s, check_cell, &c); /* all checked before any is written */
    if (rc == SLOTS_OK) rc = store_each(s, write_cell, &c);
    store_unlock(s);
    return rc;
}

typedef struct stats {
    const slots_type *t;
    int field;
    const field *f;
    size_t count;
    double sum, min, max;
    int64_t isum;
    bool overflow;
} stats;

static void add_double(stats *st, double d) {
    if (st->count == 0 || d < st->min) st->min = d;
    if (st->count == 0 || d > st->max) st->max = d;
    st->sum += d;
    st->count++;
}

static void add_value(stats *st, const char *slot) {
    value v;
    read_slot(st->t, st->f, slot, &v);
    add_double(st, v.kind == SLOTS_F64 ? v.as.f : v.kind == SLOTS_U64 ? (double)v.as.u : (double)v.as.i);
    int64_t add = v.as.i;
    if ((v.kind == SLOTS_U64 && v.as.u > INT64_MAX) || __builtin_add_overflow(st->isum, add, &st->isum)) st->overflow = true;
}

/* The records of one slab, in a loop of their own, f64 read in place: a call per record (and the
 * conversion through a value) cost several times the add. */
static void add_run(const char *rec, uint32_t n, void *ctx) {
    stats *st = ctx;
    const slots_type *t = st->t;
    const field *f = st->f;
    for (uint32_t j = 0; j < n; j++, rec += t->stride) {
        if (!(gen_load(t, rec) & 1u) || !rec_is_set(t, rec, st->field) || rec_is_null(t, rec, st->field)) continue;
        double d;
        if (f->kind == SLOTS_F64) scalar_load(rec + f->offset, sizeof d, &d), add_double(st, d);
        else add_value(st, rec + f->offset);
    }
}

static int gather(const slots_store *ref, int i, stats *st) {
    slots_store *s;
    int rc = numeric_field(ref, i, &s, &st->f);
    if (rc == SLOTS_OK) rc = store_lock_live(s);
    if (rc != SLOTS_OK) return rc;
    st->t = s->type, st->field = i, st->min = st->max = NAN;
    store_each_run(s, add_run, st);
    store_unlock(s);
    return SLOTS_OK;
}

int slots_store_aggregate(const slots_store *s, int i, size_t *count, double *sum, double *min, double *max) {
    GUARDED;
    stats st = {0};
    int rc = gather(s, i, &st);
    if (rc != SLOTS_OK) return rc;
    if (count) *count = st.count;
    if (sum) *sum = st.sum;
    if (min) *min = st.min;
    if (max) *max = st.max;
    return SLOTS_OK;
}

int slots_store_sum_i64(const slots_store *s, int i, int64_t *sum) {
    GUARDED;
    stats st = {0};
    int rc = sum ? gather(s, i, &st) : err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc != SLOTS_OK) return rc;
    if (!kind_is_int(st.f->kind) && st.f->kind != SLOTS_BOOL)
        return err_set(SLOTS_ETYPE, "%s.%s is %s, not an integer field", st.t->name, st.f->name, slots_kind_name(st.f->kind));
    if (st.overflow) return err_set(SLOTS_ERANGE, "sum of %s.%s out of range for i64", st.t->name, st.f->name);
    *sum = st.isum;
    return SLOTS_OK;
}
