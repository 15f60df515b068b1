/*
 * bulk.c — the fast path of an all-or-nothing load of line-based rows (JSON Lines, CSV). The text
 * is cut into chunks at line ends, one per thread; each chunk's lines are counted and as many slots
 * claimed for it up front, so the chunks decode at once, each straight into its own slots, with
 * no lock and no shared counter. Keys are indexed afterwards on one thread, in line order, so a
 * duplicate is reported at the same line as a row-by-row load would report it, and the first bad
 * line of the whole text is the one reported. A failed load gives every slot back.
 */
#include "io.h"

#include <time.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 8
#ifndef SLOTS_MIN_CHUNK /* fuzz builds make it small, to cut small inputs */
#define SLOTS_MIN_CHUNK ((size_t)1 << 20) /* starting a thread costs tens of microseconds */
#endif
#define MIN_CHUNK SLOTS_MIN_CHUNK
#define KEY_PREFETCH 8              /* rows ahead whose index place is fetched early */
#define NO_KEY UINT64_MAX           /* in hashes: the row's key is unset (or hashes to this) */

typedef struct chunk {
    slots_store *store;
    const row_format *fmt;
    const void *ctx;   /* the format's state for the whole load */
    const uint64_t *watch; /* the load's cancel request (cancel.c) */
    const char *buf;   /* the whole text; the chunk is whole lines, buf[from, to) */
    size_t from, to;
    size_t first_line; /* the number of its first line */
    size_t lines;      /* lines in it: the most rows it can hold */
    uint32_t base;     /* its first slot */
    uint32_t rows;     /* whole records decoded into base, base + 1, ... (a bad row's is next) */
    uint64_t *hashes;  /* each row's key hash, taken while the record is in cache */
    size_t *slot_line; /* a tracking load's: each slot's row line (loader.slot_line), or NULL */
    unsigned flags;    /* the load's (SLOTS_LOAD_LENIENT) */
    uint32_t done;     /* rows decoded so far, published every CANCEL_EVERY rows for progress */
    int finished;      /* the chunk's decoding has ended (atomic) */
    loader *L;         /* chunk 0 only, when the load reports progress: the caller's loader */
    struct chunk *all; /* chunk 0 only: every chunk, and how many, for the rows done in all */
    int nall;
    int rc;            /* the first bad row: status, line, message and where in the row */
    size_t bad_line;
    bool ran_off;      /* ... which ran into the chunk's end: a boundary inside a row */
    char msg[512];
    load_note note;
} chunk;

/* Types whose rows may decode on other threads: a validator may be foreign code that expects the
 * caller's thread (a Python callback), and extras live in one map per store. */
static bool rows_thread_safe(const slots_type *t) {
    if (t->flags & SLOTS_DYNAMIC) return false;
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].validator) return false;
    return true;
}

/* SLOTS_LOAD_THREADS if set (1 turns threads off), else the online CPUs; at most one thread per
 * MIN_CHUNK of text. */
static int thread_count(const slots_type *t, size_t len) {
    const char *env = getenv("SLOTS_LOAD_THREADS");
    long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    size_t by_size = len / MIN_CHUNK;
    if (n < 1 || !rows_thread_safe(t)) return 1; /* also a failed sysconf or a bad variable */
    if (n > MAX_THREADS) n = MAX_THREADS;
    if ((size_t)n > by_size) n = by_size ? (long)by_size : 1;
    return (int)n;
}

/* Cuts buf[from, len) into n chunks of whole lines (fewer if lines are long); returns how many. */
static int split(const char *buf, size_t from, size_t len, int n, chunk *c) {
    size_t start = from;
    int k = 0;
    for (; k < n && start < len; k++) {
        size_t end = k == n - 1 ? len : start + (len - start) / (size_t)(n - k);
        const char *nl = end < len ? memchr(buf + end, '\n', len - end) : NULL;
        end = nl ? (size_t)(nl - buf) + 1 : len;
        c[k].buf = buf, c[k].from = start, c[k].to = end;
        start = end;
    }
    return k;
}

static void *count_lines(void *arg) {
    chunk *c = arg;
    c->lines = count_newlines(c->buf + c->from, c->to - c->from) + (c->buf[c->to - 1] != '\n');
    return NULL;
}

/* Keeps the chunk's first error (its message and note are this thread's). */
static void fail(chunk *c, int rc, size_t line) {
    c->rc = rc, c->bad_line = line;
    snprintf(c->msg, sizeof c->msg, "%s", slots_errmsg());
    load_note_save(&c->note);
}

/* Decodes the reader's current row into the chunk's next slot; false on a bad row (kept). */
static bool decode_row_into(chunk *c, void *reader, size_t line) {
    recref r;
    if (c->rows >= c->lines) { /* a reader that finds more rows than lines: never past the claim */
        fail(c, err_set(SLOTS_EPARSE, "more rows than lines in a chunk (a line end the count missed)"), line);
        return false;
    }
    store_claim_slot(c->store, c->base + c->rows, &r);
    int rc = row_fill(&r, c->fmt->decode, reader, c->flags);
    if (rc != SLOTS_OK) { /* r is freed with the range */
        c->ran_off = c->fmt->ran_off && c->fmt->ran_off(reader);
        fail(c, rc, line);
        return false;
    }
    if (c->slot_line) c->slot_line[c->base + c->rows] = line;
    if (c->hashes) {
        int key = r.type->key_field;
        c->hashes[c->rows] = rec_is_set(r.type, r.rec, key) ? index_hash(r.store, r.index) : NO_KEY;
    }
    c->rows++;
    return true;
}

/* Chunk 0 (the caller's): tells the load's progress function the rows every chunk has decoded; a
 * function that asks to stop cancels the load, which every chunk sees at its next check. */
static void report_progress(chunk *c0) {
    size_t rows = 0;
    for (int k = 0; k < c0->nall; k++) rows += __atomic_load_n(&c0->all[k].done, __ATOMIC_RELAXED);
    loader_progress(c0->L, rows, false);
}

static void *decode_chunk(void *arg) {
    chunk *c = arg;
    void *reader = c->fmt->open(c->ctx, c->buf, c->from, c->to, c->first_line);
    if (!reader) return fail(c, err_nomem(), c->first_line), NULL;
    size_t line = c->first_line;
    int more;
    while ((more = c->fmt->next(reader, &line)) > 0 && decode_row_into(c, reader, line)) {
        if (c->rows % CANCEL_EVERY) continue;
        __atomic_store_n(&c->done, c->rows, __ATOMIC_RELAXED);
        if (c->L) report_progress(c); /* chunk 0, on the caller's thread */
        if (cancel_requested(c->watch)) break; /* the caller reports it */
    }
    if (more < 0) fail(c, more, line);
    c->fmt->close(reader);
    __atomic_store_n(&c->done, c->rows, __ATOMIC_RELAXED);
    __atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* While the other chunks decode, the caller's thread tells the progress function how far they are,
 * every 10 ms, instead of blocking in a join. */
static void wait_with_progress(chunk *c, int n) {
    for (int k = 1; k < n; k++)
        while (!__atomic_load_n(&c[k].finished, __ATOMIC_ACQUIRE)) {
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
            report_progress(c);
        }
}

/* Runs fn on every chunk, chunk 0 on this thread; a thread that cannot start runs here too. The
 * threads start with every signal blocked, so signals still reach the caller's threads (an
 * interpreter's handlers expect them there). */
static void run_all(chunk *c, int n, void *(*fn)(void *)) {
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    sigset_t all, old;
    if (n < 1) return;
    sigfillset(&all);
    if (n > 1) pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int k = 1; k < n; k++) started[k] = pthread_create(&tid[k], NULL, fn, &c[k]) == 0;
    if (n > 1) pthread_sigmask(SIG_SETMASK, &old, NULL);
    fn(&c[0]);
    for (int k = 1; k < n; k++)
        if (!started[k]) fn(&c[k]);
    if (c[0].L && fn == decode_chunk) wait_with_progress(c, n);
    for (int k = 1; k < n; k++)
        if (started[k]) pthread_join(tid[k], NULL);
}

/* The line where row `row` of a chunk starts, read again; 0 when out of memory. */
static size_t line_of_row(const chunk *c, uint32_t row) {
    void *reader = c->fmt->open(c->ctx, c->buf, c->from, c->to, c->first_line);
    size_t line = 0;
    for (uint32_t seen = 0; reader && seen <= row; seen++)
        if (c->fmt->next(reader, &line) <= 0) line = 0;
    if (reader) c->fmt->close(reader);
    return line;
}

/* Indexes the keys of the rows of chunks [0, n) in line order; *added counts the entries. Rows
 * come with their hashes, so the records themselves are read only for a duplicate. */
static int index_keys(slots_store *s, const chunk *c, int n, size_t *added) {
    for (int k = 0; k < n; k++) {
        const uint64_t *h = c[k].hashes;
        for (uint32_t j = 0; j < c[k].rows; j++) {
            if (j % CANCEL_EVERY == 0 && cancel_requested(c[k].watch)) return err_cancelled();
            if (j + KEY_PREFETCH < c[k].rows) index_prefetch(s->index, h[j + KEY_PREFETCH]);
            uint32_t slot = c[k].base + j;
            recref r = {s, s->type, store_slot_address(s, slot), slot, false};
            bool keyed;
            int rc = row_index_key(&r, h[j] == NO_KEY ? NULL : &h[j], &keyed);
            *added += keyed;
            if (rc != SLOTS_OK) {
                size_t line = line_of_row(&c[k], j);
                return line ? load_error_line(line) : err_nomem();
            }
        }
    }
    return SLOTS_OK;
}

/* Claims every chunk's slots, numbers its lines (the first is `line`) and makes room for its keys
 * and their hashes (*hashes, to free with mem_free(*hashes, total * 8, NULL)). */
static int claim(slots_store *s, chunk *c, int n, size_t line, uint32_t *base, size_t *total, uint64_t **hashes) {
    *total = 0;
    for (int k = 0; k < n; k++) {
        c[k].first_line = line + *total;
        *total += c[k].lines;
    }
    int rc = SLOTS_OK;
    if (s->index && (rc = index_reserve(s, s->index, *total)) == SLOTS_OK &&
        !(*hashes = mem_alloc(*total * sizeof **hashes, NULL)))
        rc = err_nomem();
    if (rc == SLOTS_OK) rc = store_claim_range(s, *total, base);
    for (int k = 0; k < n && rc == SLOTS_OK; k++) {
        c[k].base = *base + (uint32_t)(c[k].first_line - line);
        if (*hashes) c[k].hashes = *hashes + (c[k].first_line - line);
    }
    return rc;
}

/* Indexes the decoded chunks' keys; returns the first error by line (message set). */
static int index_and_report(slots_store *s, const chunk *c, int n, size_t *added) {
    int bad = 0;
    while (bad < n && c[bad].rc == SLOTS_OK) bad++;
    /* Rows before the first bad line are all decoded: a duplicate among them comes first. */
    int rc = s->index ? index_keys(s, c, bad < n ? bad + 1 : n, added) : SLOTS_OK;
    if (rc == SLOTS_OK && bad < n) { /* the row's error, as if it had happened on this thread */
        load_note_restore(&c[bad].note);
        err_set(c[bad].rc, "%s", c[bad].msg);
        rc = load_error_line(c[bad].bad_line);
    }
    return rc;
}

/* Whether a chunk before the last failed on a row that ran into its end: the cut fell inside a
 * row (a quoted CSV cell holding a line end), so that chunk's error and the next chunk's rows
 * mean nothing. */
static bool cut_inside_a_row(const chunk *c, int n) {
    for (int k = 0; k + 1 < n; k++)
        if (c[k].rc != SLOTS_OK && c[k].ran_off) return true;
    return false;
}

/* One try at the load in (up to) n chunks. *recut: the cut fell inside a row, so the load was
 * undone and must be tried again in one piece. */
static int load_chunks(loader *L, const char *buf, size_t from, size_t len, size_t line, int n,
                       const row_format *fmt, const void *ctx, bool *recut) {
    slots_store *s = L->store;
    chunk c[MAX_THREADS];
    memset(c, 0, sizeof c);
    n = split(buf, from, len, n, c);
    for (int k = 0; k < n; k++)
        c[k].store = s, c[k].fmt = fmt, c[k].ctx = ctx, c[k].watch = L->watch, c[k].flags = L->flags;
    c[0].L = L->progress ? L : NULL, c[0].all = c, c[0].nall = n;
    run_all(c, n, count_lines);
    uint32_t base = 0;
    size_t total = 0, added = 0;
    uint64_t *hashes = NULL;
    int rc = n ? claim(s, c, n, line, &base, &total, &hashes) : SLOTS_OK;
    bool claimed = rc == SLOTS_OK && n;
    if (claimed && L->track_lines && (rc = loader_lines_reserve(L, s->used)) != SLOTS_OK) claimed = false, store_unclaim(s, base, (uint32_t)total);
    for (int k = 0; k < n && claimed && L->track_lines; k++) c[k].slot_line = L->slot_line;
    if (claimed) run_all(c, n, decode_chunk);
    bool cancelled = claimed && cancel_requested(L->watch); /* chunks may have stopped short: no recut */
    *recut = claimed && !cancelled && cut_inside_a_row(c, n);
    if (cancelled) rc = err_cancelled();
    else if (claimed && !*recut) rc = index_and_report(s, c, n, &added);
    if (s->index) index_added(s->index, added);
    mem_free(hashes, total * sizeof *hashes, NULL);
    if (rc != SLOTS_OK || *recut) {
        if (claimed) store_abandon_range(s, base, (uint32_t)total);
        return rc;
    }
    uint32_t rows = 0;
    for (int k = n - 1; k >= 0; k--) {
        store_unclaim(s, c[k].base + c[k].rows, (uint32_t)c[k].lines - c[k].rows);
        rows += c[k].rows;
    }
    store_commit_range(s, rows);
    L->bulk_loaded += rows;
    return SLOTS_OK;
}

int bulk_load(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
              const void *ctx) {
    bool recut = false;
    size_t bytes = L->text_bytes ? L->text_bytes : len - from;
    int rc = load_chunks(L, buf, from, len, line, thread_count(L->store->type, bytes), fmt, ctx, &recut);
    if (recut) rc = load_chunks(L, buf, from, len, line, 1, fmt, ctx, &recut); /* one chunk has no cut */
    return rc;
}
