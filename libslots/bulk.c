/*
 * bulk.c — the fast path of an all-or-nothing load of line-based rows (JSON Lines). The text is
 * cut into chunks at line ends, one per thread; each chunk's lines are counted and as many slots
 * claimed for it up front, so the chunks decode at once, each straight into its own slots, with
 * no lock and no shared counter. Keys are indexed afterwards on one thread, in line order, so a
 * duplicate is reported at the same line as a row-by-row load would report it, and the first bad
 * line of the whole text is the one reported. A failed load gives every slot back.
 */
#include "internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 8
#define MIN_CHUNK ((size_t)1 << 20) /* starting a thread costs tens of microseconds */
#define KEY_PREFETCH 8              /* rows ahead whose index place is fetched early */
#define NO_KEY UINT64_MAX           /* in hashes: the row's key is unset (or hashes to this) */

typedef struct chunk {
    slots_store *store;
    row_decoder decode;
    const char *text; /* whole lines: [text, text + len) */
    size_t len;
    size_t first_line; /* the number of its first line */
    size_t lines;      /* lines in it: the most rows it can hold */
    uint32_t base;     /* its first slot */
    uint32_t rows;     /* whole records decoded into base, base + 1, ... (a bad row's is next) */
    uint64_t *hashes;  /* each row's key hash, taken while the record is in cache */
    int rc;            /* the first bad row: status, line and message */
    size_t bad_line;
    char msg[512];
} chunk;

bool line_blank(const text_line *l) {
    for (size_t i = 0; i < l->len; i++)
        if (l->text[i] != ' ' && l->text[i] != '\t' && l->text[i] != '\r') return false;
    return true;
}

text_line line_next(const char *buf, size_t len, size_t *pos) {
    const char *nl = memchr(buf + *pos, '\n', len - *pos);
    size_t end = nl ? (size_t)(nl - buf) : len;
    text_line l = {buf + *pos, end - *pos};
    *pos = end + 1;
    return l;
}

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

/* Cuts buf into n chunks of whole lines (fewer if lines are long); returns how many. */
static int split(const char *buf, size_t len, int n, chunk *c) {
    size_t start = 0;
    int k = 0;
    for (; k < n && start < len; k++) {
        size_t end = k == n - 1 ? len : start + (len - start) / (size_t)(n - k);
        const char *nl = end < len ? memchr(buf + end, '\n', len - end) : NULL;
        end = nl ? (size_t)(nl - buf) + 1 : len;
        c[k].text = buf + start, c[k].len = end - start;
        start = end;
    }
    return k;
}

static void *count_lines(void *arg) {
    chunk *c = arg;
    c->lines = count_newlines(c->text, c->len) + (c->len && c->text[c->len - 1] != '\n');
    return NULL;
}

static void *decode_chunk(void *arg) {
    chunk *c = arg;
    size_t pos = 0, line = c->first_line;
    for (; pos < c->len; line++) {
        text_line l = line_next(c->text, c->len, &pos);
        if (line_blank(&l)) continue;
        recref r;
        store_claim_slot(c->store, c->base + c->rows, &r);
        if ((c->rc = row_fill(&r, c->decode, &l)) != SLOTS_OK) { /* r is freed with the range */
            c->bad_line = line;
            snprintf(c->msg, sizeof c->msg, "%s", slots_errmsg()); /* the message is this thread's */
            return NULL;
        }
        if (c->hashes) {
            int key = r.type->key_field;
            c->hashes[c->rows] = rec_is_set(r.type, r.rec, key) ? index_hash(r.store, r.index) : NO_KEY;
        }
        c->rows++;
    }
    return NULL;
}

/* Runs fn on every chunk, chunk 0 on this thread; a thread that cannot start runs here too. The
 * threads start with every signal blocked, so signals still reach the caller's threads (an
 * interpreter's handlers expect them there). */
static void run_all(chunk *c, int n, void *(*fn)(void *)) {
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    sigset_t all, old;
    sigfillset(&all);
    if (n > 1) pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int k = 1; k < n; k++) started[k] = pthread_create(&tid[k], NULL, fn, &c[k]) == 0;
    if (n > 1) pthread_sigmask(SIG_SETMASK, &old, NULL);
    fn(&c[0]);
    for (int k = 1; k < n; k++) {
        if (started[k]) pthread_join(tid[k], NULL);
        else fn(&c[k]);
    }
}

/* The line number of row `row` of a chunk (blank lines hold no row). */
static size_t line_of_row(const chunk *c, uint32_t row) {
    size_t pos = 0, line = c->first_line;
    for (uint32_t seen = 0;; line++) {
        text_line l = line_next(c->text, c->len, &pos);
        if (!line_blank(&l) && seen++ == row) return line;
    }
}

/* Indexes the keys of the rows of chunks [0, n) in line order; *added counts the entries. Rows
 * come with their hashes, so the records themselves are read only for a duplicate. */
static int index_keys(slots_store *s, const chunk *c, int n, size_t *added) {
    for (int k = 0; k < n; k++) {
        const uint64_t *h = c[k].hashes;
        for (uint32_t j = 0; j < c[k].rows; j++) {
            if (j + KEY_PREFETCH < c[k].rows) index_prefetch(s->index, h[j + KEY_PREFETCH]);
            uint32_t slot = c[k].base + j;
            recref r = {s, s->type, store_slot_address(s, slot), slot, false};
            bool keyed;
            int rc = row_index_key(&r, h[j] == NO_KEY ? NULL : &h[j], &keyed);
            *added += keyed;
            if (rc != SLOTS_OK) return err_prefix("line %zu: ", line_of_row(&c[k], j));
        }
    }
    return SLOTS_OK;
}

/* Claims every chunk's slots, numbers its lines and makes room for its keys and their hashes
 * (*hashes, to free with mem_free(*hashes, total * 8, NULL)). */
static int claim(slots_store *s, chunk *c, int n, uint32_t *base, size_t *total, uint64_t **hashes) {
    *total = 0;
    for (int k = 0; k < n; k++) {
        c[k].first_line = 1 + *total;
        *total += c[k].lines;
    }
    int rc = SLOTS_OK;
    if (s->index && (rc = index_reserve(s, s->index, *total)) == SLOTS_OK &&
        !(*hashes = mem_alloc(*total * sizeof **hashes, NULL)))
        rc = err_nomem();
    if (rc == SLOTS_OK) rc = store_claim_range(s, *total, base);
    for (int k = 0; k < n && rc == SLOTS_OK; k++) {
        c[k].base = *base + (uint32_t)(c[k].first_line - 1);
        if (*hashes) c[k].hashes = *hashes + (c[k].first_line - 1);
    }
    return rc;
}

/* Decodes the chunks and indexes their keys; returns the first error by line (message set). */
static int decode_all(slots_store *s, chunk *c, int n, size_t *added) {
    run_all(c, n, decode_chunk);
    int bad = 0;
    while (bad < n && c[bad].rc == SLOTS_OK) bad++;
    /* Rows before the first bad line are all decoded: a duplicate among them comes first. */
    int rc = s->index ? index_keys(s, c, bad < n ? bad + 1 : n, added) : SLOTS_OK;
    if (rc == SLOTS_OK && bad < n) rc = err_set(c[bad].rc, "line %zu: %s", c[bad].bad_line, c[bad].msg);
    return rc;
}

int bulk_load_lines(loader *L, const char *buf, size_t len, row_decoder decode) {
    slots_store *s = L->store;
    chunk c[MAX_THREADS];
    memset(c, 0, sizeof c);
    int n = split(buf, len, thread_count(s->type, len), c);
    for (int k = 0; k < n; k++) c[k].store = s, c[k].decode = decode;
    run_all(c, n, count_lines);
    uint32_t base = 0;
    size_t total = 0, added = 0;
    uint64_t *hashes = NULL;
    int rc = n ? claim(s, c, n, &base, &total, &hashes) : SLOTS_OK;
    bool claimed = rc == SLOTS_OK && n;
    if (claimed) rc = decode_all(s, c, n, &added);
    if (s->index) index_added(s->index, added);
    mem_free(hashes, total * sizeof *hashes, NULL);
    if (rc != SLOTS_OK) {
        if (claimed) store_abandon_range(s, base, (uint32_t)total);
        return rc;
    }
    for (int k = n - 1; k >= 0; k--) store_unclaim(s, c[k].base + c[k].rows, (uint32_t)c[k].lines - c[k].rows);
    for (int k = 0; k < n; k++) L->bulk_loaded += c[k].rows;
    store_commit_range(s, (uint32_t)L->bulk_loaded);
    return SLOTS_OK;
}
