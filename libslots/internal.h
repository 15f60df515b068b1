/*
 * internal.h — what libslots' source files share and nothing exports: the value representation every
 * setter, default and decoder goes through, type and store layouts, handle encoding and the helpers
 * of alloc.c, error.c, str.c, strbuf.c and map.c.
 */
#ifndef SLOTS_INTERNAL_H
#define SLOTS_INTERNAL_H

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
typedef struct guard_thread {
    uint64_t epoch; /* the global epoch seen on entry; 0 = outside any guard */
    unsigned depth; /* nesting: a validator or method calling back into the library */
    uint64_t calls; /* outermost calls entered so far (the read arena turns over with them) */
    struct guard_thread *next;
} guard_thread;
extern uint64_t guard_global_epoch;
extern bool guard_asymmetric;
/* The calling thread's record. (Not initial-exec TLS: a library dlopen'ed into a process whose
 * static TLS surplus is spent, as Python's can be, would then fail to load.) */
extern __thread guard_thread *guard_me;
int guard_enter_slow(void); /* the thread's first call (or no memory for its record) */
void guard_leave_slow(void);

static inline int guard_enter(void) {
    guard_thread *g = guard_me;
    if (__builtin_expect(!g, 0)) return guard_enter_slow();
    if (g->depth++ == 0) {
        g->calls++;
        __atomic_store_n(&g->epoch, __atomic_load_n(&guard_global_epoch, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
        /* the epoch is visible before anything this call reads: membarrier(2) on the dropping
         * side makes a compiler barrier enough here */
        if (guard_asymmetric) __atomic_signal_fence(__ATOMIC_SEQ_CST);
        else __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    return 0;
}

static inline void guard_leave(int *unused) {
    (void)unused;
    guard_thread *g = guard_me;
    if (__builtin_expect(!g, 0)) guard_leave_slow();
    else if (--g->depth == 0) __atomic_store_n(&g->epoch, 0, __ATOMIC_RELEASE);
}

/* Which outermost call the thread is in (0 outside any, or without a record). */
static inline uint64_t guard_call_id(void) { return guard_me ? guard_me->calls : 0; }
#define GUARDED int guard_scope_ __attribute__((cleanup(guard_leave), unused)) = guard_enter()
/* Whether the calling thread is inside a call made from inside another (a validator, a method). */
bool guard_nested(void);
/* Waits until every other thread that was inside a guard when this was called has left it. */
void guard_synchronize(void);

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

/* ---- value: one representation for every value that goes into or out of a field or extra ----- */
#define VAL_NULL 0 /* kind of a null value; otherwise a SLOTS_* kind among BOOL I64 U64 F64 STR BYTES REF */
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
    } as;
} value;

/* ---- types (type.c, fieldspec.c, registry.c) ------------------------------------------------ */
#define TYPE_MAGIC 0x534c5459u  /* "SLTY" */
#define STORE_MAGIC 0x534c5354u /* "SLST" */
#define MAX_FIELDS 4096

typedef struct field {
    char *name;
    size_t name_len;
    slots_validator validator; /* run by field_set before any change, or NULL */
    void *validator_ctx;
    int kind;
    unsigned flags;     /* SLOTS_FIELD_* including HAS_DEFAULT */
    uint32_t offset;    /* byte offset of the value in a record */
    uint32_t size;      /* bytes of the value */
    value def;          /* the default (strings owned by the type) when HAS_DEFAULT */
    char *def_text;     /* canonical text of the default, or NULL */
    char *ref_type;     /* declared target type name of a ref field, or NULL */
    const struct slots_type *ref_target; /* that name's type when the field was defined (itself for a
                                            self-reference); NULL for a name defined later */
} field;

struct slots_store;

struct slots_type {
    uint32_t magic;
    unsigned flags;
    char *name;
    const struct slots_type *base;
    int nfields;
    int fields_cap;       /* fields allocated */
    field *fields;
    uint32_t stride;      /* bytes per record */
    uint32_t set_offset;  /* presence bits: bit i set = field i has a value (null included) */
    uint32_t null_offset; /* null bits, one per field, present only when some field is optional */
    uint32_t gen_offset;  /* the record's uint16_t generation: odd = live */
    int key_field;        /* index of the key field, or -1 */
    uint32_t *name_slots; /* open-addressing table of field index + 1, by name hash */
    uint32_t name_mask;
    struct slots_store *default_store; /* for slots_new's records; made with the type */
    size_t self_bytes;    /* bytes of this struct and what it owns */
    uint32_t c_size, c_align; /* SLOTS_CLAYOUT: the C struct's size and alignment (clayout.c) */
    void *ffi_struct;     /* SLOTS_CLAYOUT: the libffi struct type, made on first request (ffi/layout.c) */
    struct method **methods; /* bound native methods (ffi/call.c), each allocated on its own */
    int nmethods, methods_cap;
    size_t mem_records, mem_strings, mem_extras, live; /* atomic counters */
};

/* fieldspec.c: parses a field-list text into specs. On success *specs is an array of *n specs whose
 * strings live in one block; free both with fieldspec_free(). Statuses: SLOTS_EPARSE, SLOTS_ENOMEM. */
int fieldspec_parse(const char *text, slots_field_spec **specs, size_t *n);
void fieldspec_free(slots_field_spec *specs, size_t n);
/* Parses one default literal into a value of the given field kind's family (strings into a fresh
 * allocation owned by the caller through *owned). Statuses: SLOTS_EPARSE, SLOTS_ENOMEM. */
int literal_parse(const char *text, int kind, value *out, char **owned, size_t *owned_len);

/* type.c */
/* Places the presence and null bits and the generation after byte `pos`; sets the stride. */
void lay_out_tail(slots_type *t, uint32_t pos, uint32_t max_align);
int kind_from_name(const char *s, size_t n); /* a SLOTS_* kind, or 0 */
bool type_is_subtype(const slots_type *t, const slots_type *base); /* introspect.c; t or a base of t is `base` */
size_t kind_size(int kind);
static inline bool kind_is_int(int kind) { return kind >= SLOTS_I8 && kind <= SLOTS_U64; }
static inline bool kind_is_float(int kind) { return kind == SLOTS_F32 || kind == SLOTS_F64; }
/* Checks that `v` may go into field `f` of type `t` (kind, range, UTF-8, optional) with a message
 * naming the field; `v` is not changed. */
int value_check(const slots_type *t, const field *f, const value *v);
/* Whether a value read from a field or extra can be handed out by the getter for `want` (SLOTS_BOOL,
 * I64, U64, F64, STR, BYTES, REF): SLOTS_OK, SLOTS_ERANGE (an integer the other signedness cannot
 * hold) or SLOTS_ETYPE. No message: the caller names the field or attribute. */
int value_as(const value *v, int want);
const char *getter_name(int want);                 /* "an integer", "a float", "str", ... */
void value_int_text(const value *v, char text[24]); /* an I64 or U64 value in decimal */

/* registry.c: names → types, the set of live type and store pointers, and the lock around them. */
int registry_bind(slots_type *t);
const slots_type *registry_find(const char *name);       /* the type bound to name, or NULL; no message */                      /* adds t and binds its name; SLOTS_ENOMEM */
int registry_check_type(const slots_type *t);          /* SLOTS_OK or SLOTS_EINVAL with a message */

/* ---- loaderror.c: a store's load errors, and where a failing decoder was ---------------------- */
#define NOTE_FIELD_MAX 128
#define FAULT_MESSAGE_MAX 512
/* Where in the current row a decoder failed; thread-local, reset as each row starts. */
typedef struct load_note {
    const char *at;              /* the byte the error is at, in the load's text, or NULL */
    size_t column;               /* CSV: the cell, from 1; 0: worked out from `at` (JSON's byte column) */
    char field[NOTE_FIELD_MAX];  /* the field, attribute or column it concerns, or "" */
} load_note;
/* A row's error as load_error_line took it: the line, the note and the message before "line N: ". */
typedef struct load_fault {
    size_t line;
    load_note where;
    char message[FAULT_MESSAGE_MAX];
    bool set;
} load_fault;
/* A store's: the limit on kept errors, the last successful load's list (strings owned), or the
 * last failed load's one error, kept in the store's own storage so a failure allocates nothing. */
typedef struct load_errors {
    size_t limit;
    bool limit_set;              /* else the default, 10 */
    slots_load_error *items;
    size_t n;
    char *text;                  /* slots_store_load_errors' text of items */
    size_t text_len;
    bool failed;                 /* the last load failed: the list is `fault` alone */
    slots_load_error fault;
    char fault_field[NOTE_FIELD_MAX], fault_message[FAULT_MESSAGE_MAX], fault_text[FAULT_MESSAGE_MAX + 32];
} load_errors;
void load_note_reset(void);
/* Notes the field (name, len bytes) and the place the current row's error concerns; the first note
 * of each kind stands, so the innermost failure, which notes first, is the one kept. */
void load_note_field(const char *name, size_t len);
void load_note_place(const char *at, size_t column);
void load_note_save(load_note *out);      /* for bulk.c: a chunk's note, replayed on the caller's thread */
void load_note_restore(const load_note *in);
/* Takes the current row's error (the note, the message) as the error of `line`, then puts
 * "line N: " in front of the message. Returns the current code. */
int load_error_line(size_t line);
void load_fault_reset(void);
void load_errors_release(load_errors *E); /* frees the list (store drop, next successful load) */

/* ---- handles and stores (store.c) ------------------------------------------------------------ */
/* A handle: store id (20 bits) | generation (16 bits) | slot index (28 bits). Store id 0 is never
 * used, so handle 0 is never valid. */
#define H_INDEX_BITS 28
#define H_GEN_BITS 16
#define H_SID_BITS 20
#define H_MAX_INDEX ((1u << H_INDEX_BITS) - 1u)
#define H_MAX_SID ((1u << H_SID_BITS) - 1u)

static inline slots_obj handle_make(uint32_t sid, uint16_t gen, uint32_t index) {
    return ((uint64_t)sid << (H_INDEX_BITS + H_GEN_BITS)) | ((uint64_t)gen << H_INDEX_BITS) | index;
}
static inline uint32_t handle_sid(slots_obj h) { return (uint32_t)(h >> (H_INDEX_BITS + H_GEN_BITS)); }
static inline uint16_t handle_gen(slots_obj h) { return (uint16_t)(h >> H_INDEX_BITS); }
static inline uint32_t handle_index(slots_obj h) { return (uint32_t)(h & H_MAX_INDEX); }

/* Slabs grow geometrically (64, 128, 256, ... records) and never move, so a record's address is
 * stable for its store's life and a racing reader always reads mapped memory. */
#define SLAB_FIRST_SHIFT 6
#define SLAB_COUNT 23

typedef struct slots_store {
    uint32_t magic;
    uint32_t sid;
    uint64_t incarnation;    /* which of the stores that had this id (public references carry it) */
    const slots_type *type;
    char *slabs[SLAB_COUNT]; /* read without the lock: written once, atomically, under it */
    uint32_t used;           /* slots handed out at least once: [0, used) */
    uint32_t capacity;       /* slots in allocated slabs */
    uint32_t live;           /* live records */
    uint32_t free_head;      /* first free slot + 1, or 0 */
    uint16_t gen_base;       /* fresh slots start at generation gen_base + 1 */
    uint32_t gen_high;       /* the highest even generation a slot reached (0x10000: one wrapped) */
    bool dead;               /* dropped: unlinked, waiting for calls that hold it to return */
    uintptr_t loader;        /* the thread loading into the store (its tag), or 0 */
    pthread_mutex_t lock;
    struct map *extras;      /* slot index → extras block (dynamic types), created on first use */
    struct key_index *index; /* unique key index (types with a key field; not default stores) */
    uint32_t *positions;     /* position → slot, rebuilt after removals; NULL when stale */
    uint32_t positions_len;
    struct load_errors errors; /* what the last load kept of its errors (loaderror.c) */
    bool is_default;
    struct slots_store *prev, *next; /* every store, for fork() */
} slots_store;

/* A resolved record: where it lives and what it is. */
typedef struct recref {
    slots_store *store;
    const slots_type *type;
    char *rec;
    uint32_t index;
    bool defer_key; /* bulk loads: the key is written unindexed and added once the row is whole */
} recref;

static inline uint32_t slab_of(uint32_t index, uint32_t *offset) {
    uint32_t q = (index >> SLAB_FIRST_SHIFT) + 1u;
    uint32_t k = 31u - (uint32_t)__builtin_clz(q);
    *offset = index - (((1u << k) - 1u) << SLAB_FIRST_SHIFT);
    return k;
}

/* The handle of a resolved record. */
slots_obj recref_handle(const recref *r);
/* Store ids → stores, two levels so the table never moves while readers look into it. An entry
 * remembers how many stores had its id and where their record generations stopped. */
#define SID_CHUNK 1024u
#define GEN_FLOOR_MAX 0xfffeu /* an id whose next generation floor is above this is used up */
typedef struct sid_entry {
    struct slots_store *store; /* the live store with this id, or NULL */
    uint64_t incarnations;     /* stores that have had this id */
    uint32_t gen_floor;        /* even; the next store's generations start above it */
} sid_entry;
extern sid_entry *sid_table[(H_MAX_SID + 1) / SID_CHUNK];

static inline slots_store *store_by_sid(uint32_t sid) {
    sid_entry *chunk = __atomic_load_n(&sid_table[sid / SID_CHUNK], __ATOMIC_ACQUIRE);
    return chunk ? __atomic_load_n(&chunk[sid % SID_CHUNK].store, __ATOMIC_ACQUIRE) : NULL;
}

static inline char *store_slot_address(const slots_store *s, uint32_t index) {
    uint32_t off, k = slab_of(index, &off);
    char *slab = __atomic_load_n(&s->slabs[k], __ATOMIC_ACQUIRE);
    return slab + (size_t)off * s->type->stride;
}

static inline uint16_t gen_load(const slots_type *t, const char *rec) {
    return __atomic_load_n((const uint16_t *)(const void *)(rec + t->gen_offset), __ATOMIC_ACQUIRE);
}

/* Resolves a live handle, or returns false (no message): inline, as every accessor starts here. */
static inline bool record_resolve_quiet(slots_obj h, recref *out) {
    slots_store *s = store_by_sid(handle_sid(h));
    uint32_t index = handle_index(h);
    if (!s || index >= __atomic_load_n(&s->used, __ATOMIC_ACQUIRE)) return false;
    char *rec = store_slot_address(s, index);
    uint16_t gen = gen_load(s->type, rec);
    if (gen != handle_gen(h) || !(gen & 1u)) return false;
    *out = (recref){s, s->type, rec, index, false};
    return true;
}

/* Resolves a handle (SLOTS_OK) or refuses it with SLOTS_ESTALE and a message. */
int record_resolve(slots_obj h, recref *out);
/* Allocates a blank record (every field unset) in store `s`; SLOTS_ENOMEM, SLOTS_ERANGE. */
int store_alloc_record(slots_store *s, recref *out, slots_obj *h);
/* Bulk loads, with the store locked by the caller: claims n fresh slots at the end of the store
 * (*base is the first; SLOTS_ENOMEM, SLOTS_ERANGE); any thread then makes slot base + k a blank
 * live record with store_claim_slot (no lock, no counting: each slot by one thread only).
 * Unclaim gives back slots no record took; commit counts the `live` records made; abandon frees
 * every record of the range and gives it all back, leaving the store as it was (their handles
 * read as stale). A range given back must be the store's last slots or never have been used. */
int store_claim_range(slots_store *s, size_t n, uint32_t *base);
void store_claim_slot(slots_store *s, uint32_t index, recref *out);
void store_unclaim(slots_store *s, uint32_t first, uint32_t n);
void store_commit_range(slots_store *s, uint32_t live);
void store_abandon_range(slots_store *s, uint32_t base, uint32_t n);
/* Frees the record a handle names (SLOTS_ESTALE if it is not live). */
int store_free_handle(slots_obj h);
/* Releases a record's strings and extras and returns its slot to the free list. */
void store_release_record(slots_store *s, const recref *r);
int store_create(const slots_type *t, bool is_default, slots_store **out);
void store_destroy(slots_store *s); /* frees a store no call can reach (never linked, or dropped) */
int store_drop(slots_store *s);     /* SLOTS_ESTALE, SLOTS_EBUSY (from inside a callback) */
/* Public references (slots_store * as callers hold them) ↔ stores. store_open refuses a NULL,
 * dropped, forged or default-store reference; call it inside a guard. */
slots_store *store_ref(const slots_store *s);
int store_open(const slots_store *ref, slots_store **out);
/* Locks a store unless it was dropped meanwhile (then SLOTS_ESTALE, unlocked). */
int store_lock_live(slots_store *s);
/* Loads mark their store; a call from the loading thread itself (a validator) that would change the
 * store is refused with SLOTS_EBUSY. */
void store_set_loading(slots_store *s, bool on);
int store_check_not_loading(const slots_store *s);
bool store_slot_live(const slots_store *s, uint32_t slot);
/* Calls fn on every live record in position order (pos counts from 0) until fn fails. */
int store_each(const slots_store *s, int (*fn)(const recref *r, size_t pos, void *ctx), void *ctx);
/* Calls fn once per slab with its first n slots in use, in slot order (live or not: the caller
 * checks each generation), for scans that must not pay a call per record. */
void store_each_run(const slots_store *s, void (*fn)(const char *recs, uint32_t n, void *ctx), void *ctx);
/* Makes room for n records in total; call with the store locked. SLOTS_ENOMEM, SLOTS_ERANGE. */
int store_reserve_locked(slots_store *s, size_t n);
void store_lock(const slots_store *s);   /* recursive: field writes inside store calls take it again */
void store_unlock(const slots_store *s);
/* The type's default store, made on first use so that types do not take store ids: SLOTS_OK,
 * SLOTS_ENOMEM, SLOTS_ERANGE (no store id left). */
int type_default_store(const slots_type *t, slots_store **out);

/* ---- validator.c: field validators, run by field_set before any change ---------------------- */
/* Asks field i's validator about v; a refusal becomes SLOTS_EINVAL with its reason. */
int validator_run(const recref *r, int i, const value *v);
/* A value as the public slots_arg (text not copied), for validators and the ffi bridge. */
void value_to_arg(const value *v, slots_arg *a);

/* ---- clayout.c: SLOTS_CLAYOUT types laid out as the C compiler lays out the equivalent struct -- */
/* Fields in declared order at their C offsets; the struct's size and alignment in
 * t->c_size / t->c_align. SLOTS_ELAYOUT for a field C cannot hold. */
int clayout_lay_out(slots_type *t);

/* ---- records (record.c) ---------------------------------------------------------------------- */
static inline bool rec_bit(const char *rec, uint32_t offset, int i) {
    return (__atomic_load_n((const unsigned char *)rec + offset + (unsigned)i / 8u, __ATOMIC_ACQUIRE) >> ((unsigned)i % 8u)) & 1;
}
static inline bool rec_is_set(const slots_type *t, const char *rec, int i) { return rec_bit(rec, t->set_offset, i); }
static inline bool rec_is_null(const slots_type *t, const char *rec, int i) {
    return t->null_offset && rec_bit(rec, t->null_offset, i);
}
/* Sets each unset defaulted field of r; on failure clears those it set (nothing changed). */
int fill_defaults(const recref *r);
/* Checks then writes value `v` into field `i`: kind, range, UTF-8, readonly, validator, key. */
int field_set(const recref *r, int i, const value *v);
/* Reads field `i`: SLOTS_OK (out filled), SLOTS_NULL, SLOTS_EUNSET (with message). */
int field_get(const recref *r, int i, value *out);
/* Reads the unboxed bytes of field f at `slot` into a value: integers as I64 (U64 for u64 fields),
 * floats as F64. Also reads packed column cells, which have the same bytes (t may be NULL for a
 * field that is not str or bytes: only text needs the type's string representation). */
void read_slot(const slots_type *t, const field *f, const char *slot, value *out);
/* Stores a scalar field's bytes (1, 2, 4 or 8) whole, though another thread may be loading them. */
static inline void scalar_store(char *slot, uint32_t size, const void *in) {
    switch (size) {
    case 1: { uint8_t v; memcpy(&v, in, 1); __atomic_store_n((uint8_t *)slot, v, __ATOMIC_RELAXED); break; }
    case 2: { uint16_t v; memcpy(&v, in, 2); __atomic_store_n((uint16_t *)(void *)slot, v, __ATOMIC_RELAXED); break; }
    case 4: { uint32_t v; memcpy(&v, in, 4); __atomic_store_n((uint32_t *)(void *)slot, v, __ATOMIC_RELAXED); break; }
    default: { uint64_t v; memcpy(&v, in, 8); __atomic_store_n((uint64_t *)(void *)slot, v, __ATOMIC_RELAXED); break; }
    }
}
/* Loads a scalar field's bytes (1, 2, 4 or 8) whole, though another thread may be storing them. */
static inline void scalar_load(const char *slot, uint32_t size, void *out) {
    switch (size) {
    case 1: { uint8_t v = __atomic_load_n((const uint8_t *)slot, __ATOMIC_RELAXED); memcpy(out, &v, 1); break; }
    case 2: { uint16_t v = __atomic_load_n((const uint16_t *)(const void *)slot, __ATOMIC_RELAXED); memcpy(out, &v, 2); break; }
    case 4: { uint32_t v = __atomic_load_n((const uint32_t *)(const void *)slot, __ATOMIC_RELAXED); memcpy(out, &v, 4); break; }
    default: { uint64_t v = __atomic_load_n((const uint64_t *)(const void *)slot, __ATOMIC_RELAXED); memcpy(out, &v, 8); break; }
    }
}

/* Returns field `i` to unset, releasing what it owns. No checks. */
void field_clear(const recref *r, int i);
int field_check_index(const slots_type *t, int i);
/* Copies field i's bytes and bits between records of one type: for scalars, refs and nulls only
 * (text fields own memory and go through field_set). */
void field_copy_raw(const recref *from, const recref *to, int i);
/* The index of field `name` (len bytes) or -1; no message. */
int name_table_init(slots_type *t, size_t nfields); /* SLOTS_ENOMEM */
int name_table_add(slots_type *t, int i);
int type_find_field(const slots_type *t, const char *name, size_t len);
int err_no_attr(const slots_type *t, const char *name, size_t len);

/* ---- strings (str.c) --------------------------------------------------------------------------
 * A str/bytes field is a 24-byte slot: up to 23 bytes inline with the length in the last byte, or
 * a pointer + length to an out-of-line NUL-terminated copy (last byte STR_HEAP). */
#define STR_SLOT 24
#define STR_INLINE_MAX 23
#define STR_HEAP 0xffu
/* `cptr`: the slot is a C-layout `char *` (SLOTS_CLAYOUT types) rather than the 24-byte slot. */
/* Every access to a slot's bytes takes the slot's stripe lock (str.c), so concurrent sets and reads
 * of one field see whole values and an out-of-line copy is freed only once nobody reads it.
 * A slot always holds a string (zeroed = ""); whether it is the field's value is the presence bit's
 * business. Set: SLOTS_ENOMEM leaves the old value. Release: frees what the slot owns, leaves "". */
int str_slot_set(char *slot, bool cptr, const char *p, size_t len, size_t *account);
void str_slot_release(char *slot, bool cptr, size_t *account);
/* The pieces, for a caller that changes a field's bits under the same lock (field.c): prepare makes
 * a slot's bytes (a fresh copy; SLOTS_ENOMEM), exchange swaps them in, dispose frees what the old
 * bytes owned (after unlocking), copy puts the slot's text in the arena (NULL when out of memory). */
void text_lock(const char *slot);
void text_unlock(const char *slot);
int str_slot_prepare(char fresh[STR_SLOT], bool cptr, const char *p, size_t len, size_t *account);
void str_slot_exchange(char *slot, bool cptr, const char *fresh, char old[STR_SLOT]);
void str_slot_dispose(const char old[STR_SLOT], bool cptr, size_t *account);
const char *str_slot_copy(const char *slot, bool cptr, size_t *len);
/* Copies the slot's text into the thread's read arena: SLOTS_OK or SLOTS_ENOMEM. */
int str_slot_read(const char *slot, bool cptr, const char **p, size_t *len);
/* The slot's text in place, for a caller that knows no other thread can set it (a record it is
 * still building; a key, which changes only under the store lock the caller holds). */
void str_slot_peek(const char *slot, bool cptr, const char **p, size_t *len);
/* Bytes of the out-of-line copy the slot owns (0 when inline). */
size_t str_slot_heap_bytes(const char *slot, bool cptr);
/* SIZE_MAX if `p` is valid UTF-8, else the offset of the first bad byte. */
size_t utf8_check(const char *p, size_t len);

/* ---- growable text buffer (strbuf.c) ----------------------------------------------------------- */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the content is incomplete */
} strbuf;
void sb_put(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_putc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_free(strbuf *b);
/* The calling thread's scratch buffer for results handed out as "valid until the next call",
 * emptied. Freed when the thread exits. */
strbuf *sb_scratch(void);

/* ---- format.c: Python-style text of values ----------------------------------------------------- */
void format_double(strbuf *b, double d);                 /* Python repr(float) */
void format_value_repr(strbuf *b, const value *v, const field *f);

/* ---- json.c ----------------------------------------------------------------------------------- */
/* Decodes one JSON object at text[*pos..len) into the blank record r (stops after the closing brace,
 * *pos updated). Unknown keys go to extras on dynamic types. On failure the record may hold part of
 * the values: the caller frees it. */
int json_decode_object(const recref *r, const char *text, size_t len, size_t *pos);
/* Checks that only whitespace follows a JSON value at text[pos] ("Extra data" otherwise, NUL
 * included, as Python's json says). */
int json_check_end(const char *text, size_t len, size_t pos);
/* Appends the record as a JSON object to b; SLOTS_EINVAL for a non-finite float unless flags has
 * SLOTS_DUMP_ALLOW_NAN (then NaN, Infinity, -Infinity as Python's json writes them). */
int json_encode_record(strbuf *b, const recref *r, unsigned flags);
int json_check_dump_flags(unsigned flags); /* SLOTS_EINVAL for an unknown dump flag */

/* ---- number.c: numbers in text, JSON's grammar (RFC 8259) and Python's int()/float() (CSV) ------ */
/* Parses exactly p[0..len) as a JSON number: an integer literal gives SLOTS_I64 (or SLOTS_U64 above
 * INT64_MAX), anything with a fraction or exponent SLOTS_F64 (correctly rounded), and every number
 * SLOTS_F64 when `as_float` (for float fields: big integers round instead of overflowing).
 * SLOTS_EPARSE when malformed, SLOTS_ERANGE for an integer beyond int64/uint64 (no message is set:
 * callers word it). */
int number_parse(const char *p, size_t len, bool as_float, value *out);
/* Parses p[0..len) as Python's int(text) (as_float false) or float(text) reads it: blanks (ASCII
 * whitespace) around, a '+' or '-', leading zeros and '_' between digits ("1_000"); float() also
 * ".5", "5.", exponents and inf, infinity, nan in any case. ASCII digits only. Results and
 * statuses as number_parse (F64 for as_float). */
int number_parse_text(const char *p, size_t len, bool as_float, value *out);
/* Whether p[0..n) is `word` (lower case) in any ASCII case. */
bool ascii_word_is(const char *p, size_t n, const char *word);

/* ---- base64.c: RFC 4648 base64 with padding, for bytes values in JSON and CSV ------------------ */
void base64_encode(strbuf *b, const unsigned char *p, size_t n);
bool base64_decode(const char *p, size_t n, strbuf *out); /* false on bad input */

/* ---- load.c: the frame every bulk load shares (all-or-nothing, or skip bad rows) ------------ */
typedef struct loader {
    slots_store *store;
    unsigned flags;
    const char *buf;  /* the load's text, for the offsets of its errors */
    size_t len;
    slots_obj *added; /* records added so far, freed again if the load fails */
    size_t nadded, cap;
    size_t bulk_loaded; /* records added by bulk_load, which undoes its own work */
    size_t skipped;
    slots_load_error *kept; /* the first errors, when skipping (loaderror.c) */
    size_t nkept;
    size_t cursor_line, cursor_off; /* where line cursor_line starts: a cursor for error offsets */
    bool locked;      /* the store's lock is held from loader_begin to loader_end */
    uint64_t *watch;  /* its state word in cancel.c's table of running loads while rows decode */
} loader;
/* Decodes one row into a blank record; an error leaves the record to be released by the loader. */
typedef int (*row_decoder)(const recref *r, void *ctx);
/* Opens the caller's store reference, checks flags, locks the store for the whole load and marks
 * it as loading by this thread; buf[0, len) is the load's text. */
int loader_begin(loader *L, slots_store *ref, unsigned flags, const char *buf, size_t len);
/* loaderror.c: keeps the fault of a skipped row (up to the store's limit; SLOTS_ENOMEM); frees
 * the kept list; hands it to the store (SLOTS_ENOMEM: the store's list stays); or gives the store
 * the failed load's one error (no allocation). */
int loader_keep_fault(loader *L);
void loader_drop_kept(loader *L);
int loader_publish_kept(loader *L);
void loader_publish_fault(loader *L);
/* Whether the decoded and defaulted row r has every field it must have: with SLOTS_LOAD_LENIENT in
 * flags only the key, else every field (a field without a default must be given, optional or
 * not, as a dataclass's constructor requires it). SLOTS_ETYPE ("missing field 'name'", the first
 * missing field noted). */
int row_check_required(const recref *r, unsigned flags);
/* Adds one record decoded by `decode`: on a bad row, either fails ("line N: " + message) or, when
 * skipping, counts it and returns SLOTS_OK. SLOTS_ENOMEM always fails. */
int loader_row(loader *L, size_t line, row_decoder decode, void *ctx);
/* The two halves of a row: row_fill decodes into the blank record r (with defer_key), fills its
 * defaults and checks that no required field is missing (row_check_required with the load's flags); row_index_key then indexes the key, refusing a duplicate (SLOTS_EEXIST), and says
 * whether it added an entry (to count with index_added). `hash` is the key's index_hash when the
 * caller knows the key is set, else NULL. On failure r is the caller's to free. */
int row_fill(recref *r, row_decoder decode, void *ctx, unsigned flags);
int row_index_key(const recref *r, const uint64_t *hash, bool *keyed);
size_t count_newlines(const char *buf, size_t len);
/* How bulk_load reads a format's rows: one reader per chunk of whole lines, on the chunk's thread. */
typedef struct row_format {
    /* A reader of the rows in buf[from, to), whose first line is number `line`; `ctx` is the
     * format's state for the whole load. NULL when out of memory. */
    void *(*open)(const void *ctx, const char *buf, size_t from, size_t to, size_t line);
    /* Moves to the next row: 1 (*line = the line it starts on), 0 at the end, or a status < 0. */
    int (*next)(void *reader, size_t *line);
    row_decoder decode; /* decodes the current row; its ctx is the reader */
    /* Whether the row that failed to decode ran into the end of the reader's range (so a cut may
     * have fallen inside it), or NULL for formats whose rows never span lines. */
    bool (*ran_off)(const void *reader);
    void (*close)(void *reader);
} row_format;
/* Loads every row of buf[from, len) (its first line is number `line`), all or nothing (see
 * bulk.c): the same records and the same first error as loader_row row by row, decoded on up to
 * SLOTS_LOAD_THREADS threads. */
int bulk_load(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
              const void *ctx);
/* Loads the rows of buf[from, len) (its first line is number `line`) with the format's reader:
 * all or nothing through bulk_load, or, when skipping bad rows, row by row with loader_row. */
int loader_rows(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
                const void *ctx);
/* Ends a load: on failure (rc != SLOTS_OK) every added record is freed. Returns rc. */
int loader_end(loader *L, int rc, size_t *loaded, size_t *skipped);
/* A format's load from memory, and the same from a file path (read whole, then loaded). */
typedef int (*store_loader)(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded,
                            size_t *skipped);
int load_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped, store_loader load);
/* A format's dump: appends every record of the (opened) store s to b. */
typedef int (*store_dumper)(const slots_store *s, strbuf *b);
/* Runs a dump, given the caller's store reference, into the thread's scratch buffer (*out valid
 * until its next use) or into a file. */
int dump_to_scratch(const slots_store *s, store_dumper dump, const char **out, size_t *len);
int dump_to_file(const slots_store *s, store_dumper dump, const char *path);

/* ---- fileio.c: whole files in and out --------------------------------------------------------- */
/* Reads everything a path gives (a regular file, /proc file, FIFO, device, /dev/stdin) into a
 * NUL-terminated buffer to free with mem_free(buf, len + 1, NULL). A directory is EISDIR.
 * SLOTS_EINVAL (NULL path), SLOTS_EIO (see err_os), SLOTS_ENOMEM. */
int file_read(const char *path, char **buf, size_t *len);
/* Replaces the file at path with buf[0, len) atomically and durably (a temporary in the same
 * directory, fsync, rename, fsync of the directory): on failure the old file is as it was and no
 * temporary is left. A path naming a device or FIFO is written in place. SLOTS_EINVAL, SLOTS_EIO. */
int file_write(const char *path, const char *buf, size_t len);

/* ---- cancel.c: the table of running loads that slots_store_cancel_load() marks ---------------- */
#define CANCEL_EVERY 1024 /* rows between two looks at the request (a relaxed load: cheap) */
/* Enters a load of s (the store as the caller names it) in the table, *out its state word;
 * SLOTS_ENOMEM when the table is full. */
int cancel_watch(const slots_store *s, uint64_t **out);
void cancel_unwatch(uint64_t *w);         /* at the load's end (NULL: nothing) */
bool cancel_requested(const uint64_t *w); /* whether a stop was asked for (NULL: never) */
int err_cancelled(void);                   /* SLOTS_ECANCELED, "load cancelled" */

/* ---- extras.c ---------------------------------------------------------------------------------- */
int extra_set(const recref *r, const char *name, size_t name_len, const value *v);
void extras_release(const recref *r);           /* drops all of a record's extras */
int extras_copy(const recref *from, const recref *to);
typedef struct extra_entry {
    char *name;
    value v;
} extra_entry;
/* A copy of the record's extras, names and text in the thread's arena (*out: *n entries, NULL when
 * none): SLOTS_OK or SLOTS_ENOMEM. */
int extras_list(const recref *r, const extra_entry **out, size_t *n);

/* ---- index.c: a store's unique key index (callers hold the store's lock) ---------------------- */
typedef struct key_index key_index;
key_index *index_new(size_t *account);
void index_free(key_index *x);
void index_reset(key_index *x);
size_t index_bytes(const key_index *x);
int index_reserve(const slots_store *s, key_index *x, size_t more); /* SLOTS_ENOMEM */
long index_find(const slots_store *s, const key_index *x, const value *key); /* slot or -1 */
void index_insert(const slots_store *s, key_index *x, uint32_t slot);
/* The hash of slot's key. */
uint64_t index_hash(const slots_store *s, uint32_t slot);
/* Adds slot's key, whose hash is h, unless a record already holds it: -1 when added, else that
 * record's slot. Does not count the entry: a bulk load counts its entries at once (index_added). */
long index_add(const slots_store *s, key_index *x, uint32_t slot, uint64_t h);
void index_added(key_index *x, size_t n);
/* Starts fetching the table place of a key that hashes to h, for an index_add a few rows later. */
void index_prefetch(const key_index *x, uint64_t h);
void index_remove(const slots_store *s, key_index *x, uint32_t slot);
int index_err_exists(const slots_type *t, const value *key);

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

/* ---- map.c: open-addressing hash map from nonzero uint64 keys to pointers ---------------------- */
typedef struct map map;
map *map_new(size_t *account);
void map_free(map *m);
void *map_get(const map *m, uint64_t key);
int map_put(map *m, uint64_t key, void *val); /* SLOTS_ENOMEM; replaces an existing value */
void *map_remove(map *m, uint64_t key);       /* returns the removed value or NULL */
size_t map_count(const map *m);

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
