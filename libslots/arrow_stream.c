/*
 * arrow_stream.c — a store as an Arrow C stream (ArrowArrayStream) of record batches, each copied
 * when asked for. The stream holds the store by the reference callers hold, never its address, and
 * a count of the store's changes (adds and removes always, field writes while a stream is open): a
 * batch is made only while both still hold, so a dropped or changed store fails the stream with a
 * message instead of giving rows twice, never, or from two states of the store.
 */
#include "io.h"

#include <errno.h>
#include <stdio.h>

typedef struct stream_state {
    slots_store *ref;        /* the store's public reference */
    const slots_type *type;  /* immortal: the schema needs no store */
    unsigned flags;
    size_t batch_rows;
    uint64_t changes;        /* the store's count of changes when the stream was made */
    uint32_t slot;           /* the next slot to read */
    size_t done, total;      /* records given so far, of the store's records when the stream was made */
    char error[FAULT_MESSAGE_MAX];
} stream_state;

/* The spec asks for errno codes: the status as one, with its message kept for get_last_error. */
static int stream_fail(stream_state *st, int rc) {
    snprintf(st->error, sizeof st->error, "%s", slots_errmsg());
    return rc == SLOTS_ENOMEM ? ENOMEM : rc == SLOTS_ERANGE ? EOVERFLOW : EINVAL;
}

static int stream_get_schema(struct ArrowArrayStream *self, struct ArrowSchema *out) {
    GUARDED;
    stream_state *st = self->private_data;
    int rc = arrow_schema_fill(st->type, st->flags, out);
    return rc == SLOTS_OK ? 0 : stream_fail(st, rc);
}

/* Opens the stream's store, locked, if it is still the store the stream was made from. */
static int stream_open(stream_state *st, slots_store **s) {
    int rc = store_open_locked(st->ref, s);
    if (rc != SLOTS_OK) return err_set(SLOTS_EINVAL, "the store of this Arrow stream was dropped");
    if (__atomic_load_n(&(*s)->changes, __ATOMIC_RELAXED) == st->changes) return SLOTS_OK;
    store_unlock(*s);
    return err_set(SLOTS_EINVAL, "the store of this Arrow stream changed (records added, removed or set) after %zu of its records were read",
                   st->done);
}

static int stream_get_next(struct ArrowArrayStream *self, struct ArrowArray *out) {
    GUARDED;
    stream_state *st = self->private_data;
    if (st->done == st->total) { /* every record given: the end, whatever became of the store since */
        out->release = NULL;
        return 0;
    }
    slots_store *s;
    int rc = stream_open(st, &s);
    if (rc != SLOTS_OK) return stream_fail(st, rc);
    size_t left = st->total - st->done, rows = left < st->batch_rows ? left : st->batch_rows;
    rc = arrow_batch_build(s, st->flags, &st->slot, rows, out);
    store_unlock(s);
    if (rc != SLOTS_OK) return stream_fail(st, rc);
    st->done += rows;
    return 0;
}

static const char *stream_last_error(struct ArrowArrayStream *self) {
    stream_state *st = self->private_data;
    return st->error[0] ? st->error : NULL;
}

static void stream_release(struct ArrowArrayStream *self) {
    GUARDED;
    stream_state *st = self->private_data;
    slots_store *s;
    if (store_open(st->ref, &s) == SLOTS_OK) __atomic_fetch_sub(&s->streams, 1, __ATOMIC_RELAXED); /* unless dropped */
    mem_free(st, sizeof *st, NULL);
    self->release = NULL;
}

int slots_store_export_stream(slots_store *ref, size_t batch_rows, unsigned flags, struct ArrowArrayStream *out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !out) rc = err_set(SLOTS_EINVAL, "out must not be NULL");
    if (rc == SLOTS_OK) rc = arrow_check_flags(flags);
    stream_state *st = rc == SLOTS_OK ? mem_calloc(sizeof *st, NULL) : NULL;
    if (rc == SLOTS_OK && !st) rc = err_nomem();
    if (rc == SLOTS_OK && (rc = store_lock_live(s)) != SLOTS_OK) mem_free(st, sizeof *st, NULL);
    if (rc != SLOTS_OK) return rc;
    /* counted open first, so that every field written after the count is read counts */
    __atomic_fetch_add(&s->streams, 1, __ATOMIC_SEQ_CST);
    *st = (stream_state){.ref = ref, .type = s->type, .flags = flags, .batch_rows = batch_rows ? batch_rows : 65536,
                         .changes = __atomic_load_n(&s->changes, __ATOMIC_SEQ_CST), .total = s->live};
    store_unlock(s);
    *out = (struct ArrowArrayStream){.get_schema = stream_get_schema, .get_next = stream_get_next,
                                     .get_last_error = stream_last_error, .release = stream_release,
                                     .private_data = st};
    return SLOTS_OK;
}
