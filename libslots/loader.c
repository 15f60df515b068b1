/*
 * loader.c — streaming loads (slots_loader): text fed in chunks of any size is gathered until a
 * batch of whole rows is there, which is decoded into the load's staging store (stage.c); the
 * commit adds every row to the store at once. Only the last, unfinished row and one batch are
 * held as text. File loads read through a loader, and loads with SLOTS_LOAD_UPSERT run through a
 * stage. Loaders are named like stores, by an id and an incarnation, so a committed or forged
 * loader is refused, and one call at a time may use a loader (another is SLOTS_EBUSY).
 */
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BATCH ((size_t)4 << 20) /* text decoded at once: room for 4 threads of MIN_CHUNK */

typedef struct stream {
    stage g;
    int format;
    csv_load *csv;    /* CSV: the header's columns, kept over the pieces */
    char *pend;       /* text not decoded yet: pend[0, len) */
    size_t len, cap;
    csv_cut cut;      /* where the scan for whole rows stands (JSON Lines: scanned only) */
    size_t line, offset; /* pend[0]'s line and its offset in the whole text */
    size_t batch;
    int failed;       /* a failed load's status, given again by every later call, and its message */
    char msg[512];
} stream;

/* ---- the pieces -------------------------------------------------------------------------------- */
static int jsonl_piece(loader *L, void *ctx, const char *buf, size_t len, size_t line) {
    (void)ctx;
    return loader_rows(L, buf, 0, len, line, &jsonl_rows, NULL);
}

/* Decodes buf[0, len), whole rows, as the stream's next piece; its lines move the count on. */
static int stream_piece(stream *ld, const char *buf, size_t len) {
    bool csv = ld->format == SLOTS_FORMAT_CSV;
    int rc = stage_piece(&ld->g, buf, len, ld->line, ld->offset, csv ? csv_piece : jsonl_piece, ld->csv);
    ld->line += csv ? csv_piece_lines(ld->csv) : count_newlines(buf, len);
    ld->offset += len;
    return rc;
}

/* The end of the last whole row in pend (0: none yet). */
static size_t whole_rows(stream *ld) {
    if (ld->format == SLOTS_FORMAT_CSV) return csv_whole_rows(&ld->cut, ld->pend, ld->len);
    size_t from = ld->cut.scanned, last = 0;
    for (size_t i = ld->len; i > from; i--)
        if (ld->pend[i - 1] == '\n') { last = i; break; }
    ld->cut.scanned = ld->len;
    return last;
}

/* A failed load ends at once (its staging store freed); later calls give its error again. */
static int stream_fail(stream *ld, int rc) {
    if (ld->g.st) stage_end(&ld->g, rc);
    ld->failed = rc;
    snprintf(ld->msg, sizeof ld->msg, "%s", slots_errmsg());
    return rc;
}

/* Decodes the whole rows gathered (everything, when `final`) and keeps the rest. */
static int stream_flush(stream *ld, bool final) {
    size_t cut = final ? ld->len : whole_rows(ld);
    if (!cut) return SLOTS_OK;
    int rc = stream_piece(ld, ld->pend, cut);
    if (rc != SLOTS_OK) return stream_fail(ld, rc);
    memmove(ld->pend, ld->pend + cut, ld->len - cut);
    ld->len -= cut;
    ld->cut.scanned -= cut < ld->cut.scanned ? cut : ld->cut.scanned;
    return SLOTS_OK;
}

/* Room for `more` bytes after pend[len). */
static int stream_room(stream *ld, size_t more) {
    if (ld->cap - ld->len >= more) return SLOTS_OK;
    if (more > SIZE_MAX / 2 - ld->len) return err_nomem();
    size_t cap = ld->cap ? ld->cap : 64 * 1024;
    while (cap - ld->len < more) cap *= 2;
    char *p = mem_realloc(ld->pend, ld->cap, cap, NULL);
    if (!p) return err_nomem();
    ld->pend = p, ld->cap = cap;
    return SLOTS_OK;
}

static size_t batch_size(void) {
    const char *env = getenv("SLOTS_LOADER_BATCH"); /* tests cut small texts into many pieces */
    long n = env && *env ? strtol(env, NULL, 10) : 0;
    return n > 0 ? (size_t)n : BATCH;
}

static int stream_begin(stream *ld, slots_store *s, int format, unsigned flags) {
    memset(ld, 0, sizeof *ld);
    ld->format = format, ld->line = 1, ld->batch = batch_size();
    if (format != SLOTS_FORMAT_JSONL && format != SLOTS_FORMAT_CSV)
        return err_set(SLOTS_EINVAL, "unknown load format %d (SLOTS_FORMAT_JSONL or SLOTS_FORMAT_CSV)", format);
    if (format == SLOTS_FORMAT_JSONL && (flags & SLOTS_LOAD_TRIM_HEADER))
        return err_set(SLOTS_EINVAL, "unknown load flags 0x%x", flags);
    int rc = stage_begin(&ld->g, s, flags & ~SLOTS_LOAD_TRIM_HEADER);
    if (rc == SLOTS_OK && format == SLOTS_FORMAT_CSV && (rc = csv_stream_new(ld->g.st->type, flags, &ld->csv)) != SLOTS_OK)
        stage_end(&ld->g, rc);
    return rc;
}

static void stream_free(stream *ld) {
    if (ld->g.st) stage_end(&ld->g, SLOTS_OK);
    csv_stream_free(ld->csv);
    mem_free(ld->pend, ld->cap, NULL);
    ld->pend = NULL, ld->csv = NULL, ld->len = ld->cap = 0;
}

static int stream_feed(stream *ld, const char *buf, size_t len) {
    if (ld->failed) return err_set(ld->failed, "%s", ld->msg);
    if (!buf && len) return err_set(SLOTS_EINVAL, "buffer must not be NULL");
    slots_store *s;
    int rc = store_open(ld->g.target, &s); /* a dropped store or a cancel ends the load at once */
    if (rc == SLOTS_OK && cancel_requested(ld->g.L.watch)) rc = err_cancelled();
    if (rc == SLOTS_OK) rc = stream_room(ld, len);
    if (rc != SLOTS_OK) return stream_fail(ld, rc);
    if (len) memcpy(ld->pend + ld->len, buf, len);
    ld->len += len;
    return ld->len >= ld->batch ? stream_flush(ld, false) : SLOTS_OK;
}

static int stream_commit(stream *ld, size_t *loaded, size_t *skipped) {
    if (ld->failed) return err_set(ld->failed, "%s", ld->msg);
    int rc = stream_flush(ld, true);
    return rc == SLOTS_OK ? stage_commit(&ld->g, loaded, skipped) : rc;
}

/* ---- whole texts through a stage (SLOTS_LOAD_UPSERT) -------------------------------------------- */
int stage_load_text(slots_store *s, int format, const char *buf, size_t len, unsigned flags, size_t *loaded,
                    size_t *skipped) {
    GUARDED;
    stream ld;
    int rc = stream_begin(&ld, s, format, flags);
    if (rc == SLOTS_OK && !buf && len) rc = stream_fail(&ld, err_set(SLOTS_EINVAL, "buffer must not be NULL"));
    if (rc == SLOTS_OK && (rc = stream_piece(&ld, buf, len)) != SLOTS_OK) stream_fail(&ld, rc);
    if (rc == SLOTS_OK) rc = stage_commit(&ld.g, loaded, skipped);
    stream_free(&ld);
    return rc;
}

/* ---- files: read piece by piece into the stream's own buffer ------------------------------------- */
static int read_into(stream *ld, int fd, const char *path, bool *end) {
    int rc = stream_room(ld, ld->batch);
    if (rc != SLOTS_OK) return stream_fail(ld, rc);
    ssize_t got;
    do got = read(fd, ld->pend + ld->len, ld->cap - ld->len);
    while (got < 0 && errno == EINTR);
    if (got < 0) return stream_fail(ld, err_os(errno, path));
    ld->len += (size_t)got, *end = got == 0;
    return ld->len >= ld->batch || *end ? stream_flush(ld, false) : SLOTS_OK;
}

int load_file(slots_store *ref, const char *path, unsigned flags, size_t *loaded, size_t *skipped, store_loader load) {
    GUARDED;
    slots_store *s;
    int fd = -1, rc = store_open(ref, &s);
    if (rc == SLOTS_OK) rc = file_open_read(path, &fd);
    if (rc != SLOTS_OK) return rc;
    stream ld;
    rc = stream_begin(&ld, ref, load == slots_store_load_csv ? SLOTS_FORMAT_CSV : SLOTS_FORMAT_JSONL, flags);
    for (bool end = false; rc == SLOTS_OK && !end;) rc = read_into(&ld, fd, path, &end);
    if (rc == SLOTS_OK) rc = stream_commit(&ld, loaded, skipped);
    stream_free(&ld);
    close(fd);
    return rc;
}

/* ---- loader references: an id and an incarnation, like stores' ---------------------------------- */
typedef struct entry {
    stream *ld;    /* NULL: free */
    uint32_t gen;  /* loaders that had this entry */
    bool busy;     /* a call is using it */
} entry;

#define MAX_LOADERS 1024 /* as many as loads can run at once (cancel.c): each open loader is one */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static entry table[MAX_LOADERS];

void loaders_atfork(int phase) {
    if (phase == FORK_PREPARE) pthread_mutex_lock(&table_lock);
    else if (phase == FORK_PARENT) pthread_mutex_unlock(&table_lock);
    else pthread_mutex_init(&table_lock, NULL);
}

static slots_loader *ref_of(size_t i, uint32_t gen) { return (slots_loader *)(uintptr_t)((uint64_t)gen << 32 | (i + 1)); }

/* Enters a loader in the table, busy (its creator is still in its call); *out its reference. */
static int enter(stream *ld, slots_loader **out, size_t *index) {
    pthread_mutex_lock(&table_lock);
    size_t i = 0;
    while (i < MAX_LOADERS && table[i].ld) i++;
    if (i < MAX_LOADERS) {
        table[i].ld = ld, table[i].busy = true, table[i].gen++;
        *out = ref_of(i, table[i].gen), *index = i;
    }
    pthread_mutex_unlock(&table_lock);
    return i < MAX_LOADERS ? SLOTS_OK : err_set(SLOTS_ENOMEM, "more than %d loaders at once", MAX_LOADERS);
}

/* The live loader a reference names, marked busy; SLOTS_ESTALE, SLOTS_EBUSY. */
static int acquire(const slots_loader *ref, stream **ld, size_t *index) {
    uint64_t bits = (uint64_t)(uintptr_t)ref;
    size_t i = (size_t)(bits & UINT32_MAX) - 1;
    if (guard_nested()) return err_set(SLOTS_EBUSY, "a loader cannot be used from inside a validator or method call");
    pthread_mutex_lock(&table_lock);
    int rc = SLOTS_OK;
    if (!ref || (bits & UINT32_MAX) == 0 || i >= MAX_LOADERS || !table[i].ld || table[i].gen != (uint32_t)(bits >> 32))
        rc = err_set(SLOTS_ESTALE, "loader %p is not a live loader (committed, aborted or never begun)", (const void *)ref);
    else if (table[i].busy)
        rc = err_set(SLOTS_EBUSY, "the loader is in use by a call on another thread");
    else
        table[i].busy = true, *ld = table[i].ld, *index = i;
    pthread_mutex_unlock(&table_lock);
    return rc;
}

/* Ends a call on entry i; `done`: the loader is freed and its reference dies. */
static void release(size_t i, bool done) {
    pthread_mutex_lock(&table_lock);
    table[i].busy = false;
    if (done) table[i].ld = NULL;
    pthread_mutex_unlock(&table_lock);
}

static void stream_destroy(stream *ld) {
    stream_free(ld);
    mem_free(ld, sizeof *ld, NULL);
}

int slots_loader_begin(slots_store *s, int format, unsigned flags, slots_loader **out) {
    GUARDED;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    if (guard_nested()) return err_set(SLOTS_EBUSY, "a loader cannot be begun from inside a validator or method call");
    stream *ld = mem_alloc(sizeof *ld, NULL);
    if (!ld) return err_nomem();
    int rc = stream_begin(ld, s, format, flags);
    size_t i = 0;
    if (rc == SLOTS_OK && (rc = enter(ld, out, &i)) == SLOTS_OK) {
        release(i, false);
        return SLOTS_OK;
    }
    stream_destroy(ld);
    return rc;
}

/* One call on a loader: a feed, the commit or the abort (which both free it). */
enum { FEED, COMMIT, ABORT };
static int on_loader(const slots_loader *l, int op, const char *buf, size_t len, size_t *loaded, size_t *skipped) {
    GUARDED;
    stream *ld = NULL;
    size_t i = 0;
    int rc = acquire(l, &ld, &i);
    if (rc != SLOTS_OK) return rc;
    if (op == FEED) rc = stream_feed(ld, buf, len);
    else if (op == COMMIT) rc = stream_commit(ld, loaded, skipped);
    if (op != FEED) stream_destroy(ld);
    release(i, op != FEED);
    return rc;
}

int slots_loader_feed(slots_loader *l, const char *buf, size_t len) { return on_loader(l, FEED, buf, len, NULL, NULL); }

int slots_loader_commit(slots_loader *l, size_t *loaded, size_t *skipped) {
    return on_loader(l, COMMIT, NULL, 0, loaded, skipped);
}

int slots_loader_abort(slots_loader *l) { return on_loader(l, ABORT, NULL, 0, NULL, NULL); }
