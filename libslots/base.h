/*
 * base.h — the core's first layer, which knows nothing of types or records: the counting allocator, the
 * thread's error, the call guard and read arena, fork handling, the value every field write carries,
 * text buffers and hash maps. Every other layer builds on it.
 */
#ifndef SLOTS_BASE_H
#define SLOTS_BASE_H

#include "slots.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ---- alloc.c: the only allocator. Counts requested bytes globally and into an optional account
 * (a per-type counter); fails on purpose when a test armed mem_fail_at(). ---------------------- */
void *mem_alloc(size_t n, size_t *account);
void *mem_calloc(size_t n, size_t *account);
void *mem_realloc(void *p, size_t old_n, size_t new_n, size_t *account);
void mem_free(void *p, size_t n, size_t *account);
char *mem_strdup(const char *s, size_t n, size_t *account); /* n bytes + NUL */
/* Zeroed blocks that may be big (slabs, key tables, a load's scratch): from 64 KiB up they are
 * mapped on their own, so their pages cost nothing until written and go back when freed. Free
 * with mem_big_free and the same size. */
void *mem_big_calloc(size_t n, size_t *account);
void mem_big_free(void *p, size_t n, size_t *account);
void counter_add(size_t *c, size_t n);
void counter_sub(size_t *c, size_t n);
size_t counter_get(const size_t *c);
/* Test hooks: make the k-th allocation from now fail (k >= 1), or 0 to stop; count allocations. */
void mem_fail_at(long k);
long mem_alloc_calls(void);

/* ---- error.c ------------------------------------------------------------------------------- */
/* Sets the thread's error code and message; returns `code` so callers can `return err_set(...)`. */
int err_set(int code, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Puts text in front of the current message ("line 3: " + message); returns the current code. */
int err_prefix(const char *fmt, ...) PRINTF_LIKE(1, 2);
int err_nomem(void);
/* A failed OS call on `path`: SLOTS_EIO with errnum kept for slots_errno() and Python's words
 * ("[Errno 2] No such file or directory: 'x.csv'"). Returns SLOTS_EIO. */
int err_os(int errnum, const char *path);

/* ---- guard.c: epoch-based reclamation. Every public call that resolves a handle or a store runs
 * inside a guard (GUARDED); memory such a call may be reading (a dropped store, its slabs) is freed
 * only after guard_synchronize() has waited for every thread that was inside a guard to leave it.
 * The outermost guard of a call also empties the thread's read arena (arena.c). ---------------- */
/* Work to run once the thread's outermost call has left its guard (guard_defer): freeing what other
 * threads' calls may still read. The node lives in what is freed. */
typedef struct guard_deferred {
    void (*fn)(void *arg);
    void *arg;
    struct guard_deferred *next;
} guard_deferred;

typedef struct guard_thread {
    uint64_t epoch; /* the global epoch seen on entry to the outermost call; 0 = outside any guard */
    guard_deferred *deferred; /* run by the outermost guard_leave (guard_run_deferred) */
    unsigned depth; /* calls inside the outermost one: a validator or method calling back */
    bool fresh;     /* an outermost call began since the read arena last asked (guard_new_call) */
    struct guard_thread *next;
} guard_thread;
extern uint64_t guard_global_epoch;
extern bool guard_asymmetric;
/* The calling thread's record. (Not initial-exec TLS: a library dlopen'ed into a process whose
 * static TLS surplus is spent, as Python's can be, would then fail to load.) */
extern __thread guard_thread *guard_me;
/* The thread's first call (or no memory for its record: then NULL, and the thread is counted
 * without one). */
guard_thread *guard_enter_slow(void);
void guard_leave_slow(void);
/* Waits for the other threads (guard_synchronize), then runs the thread's deferred work. */
void guard_run_deferred(guard_thread *g);

/* Returns the thread's record, which the matching guard_leave is given back (its low bit set for a
 * nested call): one look-up of the thread-local variable per call (from a shared library, each
 * costs a call into the loader). An outermost call only stores (the epoch, a flag): no
 * read-modify-write of the record, so back-to-back calls do not wait on each other's counters. */
static inline guard_thread *guard_enter(void) {
    guard_thread *g = guard_me;
    if (__builtin_expect(!g, 0)) return guard_enter_slow();
    if (__builtin_expect(__atomic_load_n(&g->epoch, __ATOMIC_RELAXED) != 0, 0)) {
        g->depth++;
        return (guard_thread *)((uintptr_t)g | 1u);
    }
    g->fresh = true;
    __atomic_store_n(&g->epoch, __atomic_load_n(&guard_global_epoch, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
    /* the epoch is visible before anything this call reads: membarrier(2) on the dropping
     * side makes a compiler barrier enough here */
    if (guard_asymmetric) __atomic_signal_fence(__ATOMIC_SEQ_CST);
    else __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return g;
}

static inline void guard_leave(guard_thread **scope) {
    uintptr_t g = (uintptr_t)*scope;
    if (__builtin_expect(!g, 0)) guard_leave_slow();
    else if (__builtin_expect(g & 1u, 0)) ((guard_thread *)(g - 1u))->depth--;
    else {
        __atomic_store_n(&((guard_thread *)g)->epoch, 0, __ATOMIC_RELEASE);
        if (__builtin_expect(((guard_thread *)g)->deferred != NULL, 0)) guard_run_deferred((guard_thread *)g);
    }
}

/* Whether an outermost call began since the last time this was asked (false without a record):
 * the read arena turns over at the first copy of each call. */
static inline bool guard_new_call(void) {
    guard_thread *g = guard_me;
    if (!g || !g->fresh) return false;
    g->fresh = false;
    return true;
}
#define GUARDED guard_thread *guard_scope_ __attribute__((cleanup(guard_leave), unused)) = guard_enter()
/* Whether the calling thread is inside a call made from inside another (a validator, a method). */
bool guard_nested(void);
/* Waits until every other thread that was inside a guard when this was called has left it. Called
 * from inside a guard it could wait for a thread that waits for it (two drops at once, each inside
 * its call): code inside a guard uses guard_defer instead. */
void guard_synchronize(void);
/* Inside a guard: queues fn(arg) to run after the thread's outermost call has left its guard and
 * every other thread has left the guard it was in (so fn may free what they were reading); the
 * node is the caller's, in what fn frees. Returns false outside a guard (or for a thread without a
 * record): the caller synchronizes and runs it itself. */
bool guard_defer(guard_deferred *node, void (*fn)(void *), void *arg);

/* ---- arena.c: the calling thread's copies of text read out of records, valid until the end of its
 * next outermost call (two arenas by turns, switched by the first copy of a call). Loops rewind to a
 * mark after each record. ------------------------------------------------------------------------ */
typedef struct arena_mark {
    size_t used;
    struct big_block *big;
} arena_mark;
const char *arena_copy(const char *p, size_t n); /* a NUL-terminated copy, or NULL when out of memory */
void *arena_take(size_t n);                      /* n bytes aligned for any struct, or NULL */
arena_mark arena_save(void);
void arena_rewind(arena_mark m);

/* ---- fork.c: every lock of the library is taken before fork() and released (parent) or made anew
 * (child) after it; each module with locks takes part through its *_atfork(phase). ------------ */
enum { FORK_PREPARE, FORK_PARENT, FORK_CHILD };
void fork_handlers_install(void);
void guard_atfork(int phase);
void text_atfork(int phase);
void registry_atfork(int phase);
void stores_atfork(int phase);
void loaders_atfork(int phase); /* loader.c's table of loaders */

/* ---- value: one representation for every value that goes into or out of a field or extra ----- */
#define VAL_NULL 0 /* kind of a null value; otherwise a SLOTS_* kind among BOOL I64 U64 F64 STR BYTES REF,
                    * or TIMESTAMP DATE (as.i), UUID DECIMAL (as.b16): the native value of those kinds */
typedef struct value {
    int kind;
    union {
        int64_t i;    /* SLOTS_BOOL (0/1), SLOTS_I64 */
        uint64_t u;   /* SLOTS_U64 */
        double f;     /* SLOTS_F64 */
        slots_obj ref;
        struct {
            const char *p;
            size_t len;
        } s; /* SLOTS_STR, SLOTS_BYTES */
        uint8_t b16[16]; /* SLOTS_UUID; SLOTS_DECIMAL: the scaled slots_i128 (memcpy) */
    } as;
} value;

/* ---- growable text buffer (strbuf.c) ----------------------------------------------------------- */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the content is incomplete */
} strbuf;
void sb_put(strbuf *b, const char *s, size_t n);
/* Room for n more bytes at the end of b, for a writer that fills them itself (then sb_wrote with
 * how many it wrote, at most n); NULL once b has failed. The byte after the room stays for the NUL. */
char *sb_room_grow(strbuf *b, size_t n);
static inline char *sb_room(strbuf *b, size_t n) {
    return !b->failed && n < b->cap - b->len ? b->p + b->len : sb_room_grow(b, n); /* cap > len + n */
}
static inline void sb_wrote(strbuf *b, size_t n) {
    b->len += n;
    b->p[b->len] = '\0';
}
static inline void sb_putc(strbuf *b, char c) {
    char *o = sb_room(b, 1);
    if (o) *o = c, sb_wrote(b, 1);
}
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_free(strbuf *b);
/* The calling thread's scratch buffer for results handed out as "valid until the next call",
 * emptied. Freed when the thread exits. */
strbuf *sb_scratch(void);

/* ---- map.c: open-addressing hash map from nonzero uint64 keys to pointers ---------------------- */
typedef struct map map;
map *map_new(size_t *account);
void map_free(map *m);
void *map_get(const map *m, uint64_t key);
int map_put(map *m, uint64_t key, void *val); /* SLOTS_ENOMEM; replaces an existing value (no allocation) */
void *map_remove(map *m, uint64_t key);       /* returns the removed value or NULL */
size_t map_count(const map *m);

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

/* ---- nameset.c: names numbered in the order added, found by hash (CSV headers and dumps) -------- */
typedef struct nameset {
    strbuf text;     /* the names, back to back (copies) */
    size_t *ends;    /* name i is text[ends[i - 1] (0 for the first), ends[i]) */
    size_t n, cap;
    uint32_t *table; /* open addressing: name index + 1, 0 for empty; at most half full */
    size_t mask;
} nameset;                                                  /* zeroed: the empty set */
long nameset_find(const nameset *s, const char *p, size_t len); /* its index, or -1 */
/* Adds a copy of the name: SLOTS_OK (*index = its number), SLOTS_EEXIST (already there: *index
 * = its number; no message), SLOTS_ENOMEM, SLOTS_ERANGE. */
int nameset_add(nameset *s, const char *p, size_t len, size_t *index);
/* Name i (valid until the next add); *len its length. */
const char *nameset_name(const nameset *s, size_t i, size_t *len);
void nameset_free(nameset *s);

/* ---- number.c: numbers in text, JSON's grammar (RFC 8259) and Python's int()/float() (CSV) ------ */
/* Parses exactly p[0..len) as a JSON number: an integer literal gives SLOTS_I64 (or SLOTS_U64 above
 * INT64_MAX), anything with a fraction or exponent SLOTS_F64 (correctly rounded), and every number
 * SLOTS_F64 when `as_float` (for float fields: big integers round instead of overflowing).
 * SLOTS_EPARSE when malformed, SLOTS_ERANGE for an integer beyond int64/uint64 (no message is set:
 * callers word it). */
int number_parse(const char *p, size_t len, bool as_float, value *out);
/* The JSON number that starts at p (the longest that the grammar reads there, as Python's json
 * scans it: "01" reads 0, "1." and "1e" read 1), read in the same pass: results and statuses as
 * number_parse, *end = the offset after it; SLOTS_EPARSE when no number starts at p. */
int number_scan_json(const char *p, size_t len, bool as_float, value *out, size_t *end);
/* Parses p[0..len) as Python's int(text) (as_float false) or float(text) reads it: blanks (ASCII
 * whitespace) around, a '+' or '-', leading zeros and '_' between digits ("1_000"); float() also
 * ".5", "5.", exponents and inf, infinity, nan in any case. ASCII digits only. Results and
 * statuses as number_parse (F64 for as_float). */
int number_parse_text(const char *p, size_t len, bool as_float, value *out);
/* Whether p[0..n) is `word` (lower case) in any ASCII case. */
bool ascii_word_is(const char *p, size_t n, const char *word);

/* ---- floatfmt.c: numbers as text, fast: Python's repr(float) (the shortest decimal that reads back
 * as the same value, Schubfach's search) and integers. Each writes into `out` (no NUL) and returns
 * how many bytes it wrote: at most FMT_NUMBER_MAX. Non-finite values as repr: "nan", "inf", "-inf". */
#define FMT_NUMBER_MAX 32
size_t fmt_double(char *out, double d);
/* An f32's value: the shortest text that reads back as the same float (0.1, not 0.10000000149011612). */
size_t fmt_float32(char *out, float f);
size_t fmt_u64(char *out, uint64_t v);
size_t fmt_i64(char *out, int64_t v);

/* ---- jscan.c: JSON strings several bytes at a time (SSE2, AVX2 when the CPU has it, else portable)
 * The offset of the first '"', '\\' or control byte (< 0x20) in p[0..n), or n; *high is set when a
 * byte >= 0x80 comes before it (left alone otherwise). Reads nothing outside p[0..n). */
size_t jscan_string(const char *p, size_t n, bool *high);
/* The same with one implementation forced, for tests: JSCAN_PORTABLE, JSCAN_SSE2, JSCAN_AVX2 (each
 * falls back to the chosen one where the CPU lacks it). */
enum { JSCAN_BEST, JSCAN_PORTABLE, JSCAN_SSE2, JSCAN_AVX2 };
size_t jscan_string_with(int which, const char *p, size_t n, bool *high);

/* ---- base64.c: RFC 4648 base64 with padding, for bytes values in JSON and CSV ------------------ */
void base64_encode(strbuf *b, const unsigned char *p, size_t n);
bool base64_decode(const char *p, size_t n, strbuf *out); /* false on bad input */

/* ---- the text of the time, uuid and decimal kinds (timetext.c, uuidtext.c, dectext.c) ---------
 * Parsers read exactly s[0..n) and return SLOTS_OK, SLOTS_EPARSE (malformed) or SLOTS_ERANGE (a
 * well-formed value the kind cannot hold); dectext also SLOTS_EINVAL (a nonzero digit finer than
 * the scale: never rounded). No message is set: callers word it, as for number.c. Formatters
 * write a NUL-terminated text into `out` and return its length. */
#define DATE_TEXT_MAX 16      /* "9999-12-31" */
#define TIME_TEXT_MAX 16      /* "23:59:59.999999" */
#define TIMESTAMP_TEXT_MAX 32 /* "9999-12-31T23:59:59.999999Z" */
#define UUID_TEXT_MAX 37
#define DECIMAL_MAX_PRECISION 38
#define DECIMAL_TEXT_MAX 48   /* sign, 38 digits, point, "0." */
__extension__ typedef __int128 slots_i128;
__extension__ typedef unsigned __int128 slots_u128;
int64_t days_from_civil(int64_t y, unsigned m, unsigned d); /* days since 1970-01-01 */
void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Dates "YYYY-MM-DD", years 1..9999, as days since 1970-01-01. */
int date_parse(const char *s, size_t n, int32_t *days);
size_t date_format(int32_t days, char out[DATE_TEXT_MAX]);
bool date_in_range(int64_t days);
/* Times of day "HH:MM:SS[.ffffff]" as microseconds since midnight (no leap second, as Python). */
int time_parse(const char *s, size_t n, int64_t *us);
size_t time_format(int64_t us, char out[TIME_TEXT_MAX]);
/* RFC 3339 timestamps ("T", "t" or " " between date and time; "Z", "z" or a +HH:MM/-HH:MM offset,
 * which is applied: the value is the UTC instant) as microseconds since 1970-01-01T00:00:00Z, in
 * the range of Python's datetime (years 1..9999 in UTC). Written in UTC with "Z"; the fraction only
 * when nonzero. Up to 9 fraction digits are read; past the sixth they must be zeros. */
int timestamp_parse(const char *s, size_t n, int64_t *us);
size_t timestamp_format(int64_t us, char out[TIMESTAMP_TEXT_MAX]);
bool timestamp_in_range(int64_t us);
/* UUIDs: what Python's uuid.UUID(str) reads (8-4-4-4-12 or 32 hex digits, any case, optional
 * braces or "urn:uuid:"); written canonical lower case. */
int uuid_parse(const char *s, size_t n, uint8_t out[16]);
size_t uuid_format(const uint8_t u[16], char out[UUID_TEXT_MAX]);
/* decimal(P,S), P <= 38: the value × 10^S as an integer of at most P digits. Reads a JSON number
 * or Decimal(str)'s finite spelling; trailing zeros past the scale are fine ("1.50" into scale 1). */
int decimal_parse(const char *s, size_t n, unsigned precision, unsigned scale, slots_i128 *out);
bool decimal_fits(slots_i128 v, unsigned precision);
size_t decimal_format(slots_i128 v, unsigned scale, char out[DECIMAL_TEXT_MAX]);

#endif
