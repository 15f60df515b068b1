/*
 * strbuf.c — a growable text buffer for building repr and JSON output, and the per-thread scratch
 * buffer that holds results handed out as "valid until the next call on this thread".
 * A buffer whose allocation failed stops growing and keeps `failed` set, so writers never check
 * each append; the one who hands the result out checks once.
 */
#include "base.h"

#include <stdio.h>

/* A scratch buffer above this capacity is given back when the thread asks for it again, so one huge
 * result does not pin its memory for the thread's whole life. */
#define SCRATCH_KEEP_MAX (1u << 20)

/* Makes room for `extra` more bytes plus the NUL; false (and `failed` set) when it cannot. */
static bool sb_reserve(strbuf *b, size_t extra) {
    if (b->failed) return false;
    if (extra >= SIZE_MAX - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = b->p ? mem_realloc(b->p, b->cap, cap, NULL) : mem_alloc(cap, NULL);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

char *sb_room_grow(strbuf *b, size_t n) { return sb_reserve(b, n) ? b->p + b->len : NULL; }

void sb_put(strbuf *b, const char *s, size_t n) {
    if (!sb_reserve(b, n)) return;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }


void sb_printf(strbuf *b, const char *fmt, ...) {
    if (b->failed) return;
    /* First try the room already there; most calls fit and format once. */
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n >= room) {
        if (!sb_reserve(b, (size_t)n)) {
            if (b->cap > b->len) b->p[b->len] = '\0'; /* undo the truncated attempt */
            return;
        }
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void sb_free(strbuf *b) {
    if (b->p) mem_free(b->p, b->cap, NULL);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

/* ---- the per-thread scratch buffer ----------------------------------------------------------- */
/* The buffer itself lives in thread-local storage, so sb_scratch() can never fail; the key exists
 * only for its destructor, which frees the contents when the thread exits. */
static _Thread_local strbuf scratch;
static _Thread_local bool scratch_registered;
static pthread_key_t scratch_key;
static bool scratch_key_ok;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

/* Runs on the exiting thread; clearing the flag lets a later destructor that needs the scratch
 * buffer register it again (POSIX then runs this destructor once more). */
static void scratch_destroy(void *p) {
    sb_free(p);
    scratch_registered = false;
}

static void scratch_key_create(void) { scratch_key_ok = pthread_key_create(&scratch_key, scratch_destroy) == 0; }

strbuf *sb_scratch(void) {
    strbuf *b = &scratch;
    if (!scratch_registered) {
        pthread_once(&scratch_once, scratch_key_create);
        /* Without the key the buffer is still usable; it is just not freed at thread exit. */
        if (scratch_key_ok && pthread_setspecific(scratch_key, b) == 0) scratch_registered = true;
    }
    if (b->cap > SCRATCH_KEEP_MAX) sb_free(b);
    b->len = 0;
    b->failed = false;
    if (b->cap) b->p[0] = '\0';
    return b;
}
