/*
 * records.h — the third layer: records and where they live. Handles, stores and their slabs, a record's
 * fields (the one path into a field, validators included), text slots and their locks, extras and
 * the key index.
 */
#ifndef SLOTS_RECORDS_H
#define SLOTS_RECORDS_H

#include "schema.h"
/* ---- a store's load errors: the data (store.c frees it; loaderror.c fills it) ------------------- */
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
/* Frees a list of entries (their strings), and a store's whole list (store drop, next load). */
void load_error_list_free(slots_load_error *items, size_t n);
void load_errors_release(load_errors *E);

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

/* Slabs never move, so a record's address is stable for its store's life and a racing reader
 * always reads mapped memory. They come in levels: level k holds 1024 << k records, cut into 16
 * slabs of 64 << k, so a store's spare capacity is at most one slab, 1/16 of what the levels
 * before it hold (under 7% from 15,000 records on), while the slab of a slot is still a shift
 * and a count of leading zeros away. 19 levels hold more than the 2^28 records a store may have. */
#define SLAB_LEVEL_SHIFT 10
#define SLAB_SPLIT_SHIFT 4
#define SLAB_LEVELS 19
#define SLAB_COUNT (SLAB_LEVELS << SLAB_SPLIT_SHIFT)

typedef struct slots_store {
    uint32_t magic;
    guard_deferred freeing;  /* its free, queued by store_discard until no call can read it */
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
    uint64_t changes;        /* records added or removed, fields written while a stream is open (atomic) */
    uint32_t streams;        /* Arrow streams open on the store (arrow_stream.c; atomic) */
    uint32_t positions_len;
    struct load_errors errors; /* what the last load kept of its errors (loaderror.c) */
    slots_progress_fn progress; /* told how a load goes (progress.c), or NULL */
    void *progress_ctx;
    size_t progress_every;      /* rows between two calls */
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

/* Records in slab j. */
static inline uint32_t slab_size(uint32_t j) {
    return 1u << ((j >> SLAB_SPLIT_SHIFT) + SLAB_LEVEL_SHIFT - SLAB_SPLIT_SHIFT);
}

/* The slab of slot `index`, and the slot's place in it. With x = index + 1024, level k is where x
 * has its top bit at 10 + k; the 4 bits below it pick the slab of the level, the rest is the place. */
static inline uint32_t slab_of(uint32_t index, uint32_t *offset) {
    uint32_t x = index + (1u << SLAB_LEVEL_SHIFT);
    uint32_t top = 31u - (uint32_t)__builtin_clz(x), shift = top - SLAB_SPLIT_SHIFT;
    *offset = x & ((1u << shift) - 1u);
    /* (x >> shift) is 16 + the slab within the level; levels before it hold (top - 10) * 16 */
    return (x >> shift) + (top << SLAB_SPLIT_SHIFT) - ((SLAB_LEVEL_SHIFT + 1u) << SLAB_SPLIT_SHIFT);
}

/* Counts a field's change for the Arrow streams reading the store; nothing but a relaxed load while
 * none is open. A row a load is decoding is not the store's yet: its add is counted at commit. */
static inline void store_note_change(const recref *r) {
    if (!r->defer_key && __atomic_load_n(&r->store->streams, __ATOMIC_RELAXED))
        __atomic_fetch_add(&r->store->changes, 1, __ATOMIC_RELAXED);
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
/* store_drop for a store no caller holds (a load's staging store), so also from inside a call a
 * validator made: no validator can be running on it. SLOTS_ESTALE only. */
int store_discard(slots_store *s);
/* Public references (slots_store * as callers hold them) ↔ stores. store_open refuses a NULL,
 * dropped, forged or default-store reference; call it inside a guard. */
slots_store *store_ref(const slots_store *s);
int store_open(const slots_store *ref, slots_store **out);
/* store_open, then the store locked (unlocked again on failure); or refused from the store's own
 * load (a call that would change the store: SLOTS_EBUSY). */
int store_open_locked(const slots_store *ref, slots_store **out);
int store_open_for_change(const slots_store *ref, slots_store **out);
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

/* ---- records (record.c) ---------------------------------------------------------------------- */
static inline bool rec_bit(const char *rec, uint32_t offset, int i) {
    return (__atomic_load_n((const unsigned char *)rec + offset + (unsigned)i / 8u, __ATOMIC_ACQUIRE) >> ((unsigned)i % 8u)) & 1;
}
static inline bool rec_is_set(const slots_type *t, const char *rec, int i) { return rec_bit(rec, t->set_offset, i); }
static inline bool rec_is_null(const slots_type *t, const char *rec, int i) {
    return t->null_offset && rec_bit(rec, t->null_offset, i);
}
/* Sets each unset defaulted field of r; on failure clears those it set (nothing changed). */
/* Copies the fields and extras of `from` into the blank record `to` of the same type (text
 * duplicated, the rest as bytes); on failure `to` is the caller's to free. */
int record_copy_fields(const recref *from, const recref *to);
/* upsert.c: moves every field and the extras of `from` (a record no other thread can reach) into
 * `to` of the same type, releasing what `to` held; `to`'s key index entry is not touched. Cannot
 * fail once extras_reserve(to) succeeded (dynamic types). */
void record_move(const recref *from, const recref *to);
/* Whether a record of t may be replaced in place (no readonly field, not frozen); else an upsert
 * frees the old record and adds the new one. */
bool type_replaceable(const slots_type *t);
int fill_defaults(const recref *r);
/* Checks then writes value `v` into field `i`: kind, range, UTF-8, readonly, validator, key. */
int field_set(const recref *r, int i, const value *v);
/* field_set for a decoder that has proved some checks already (VALUE_KNOWN_* in `known`). */
int field_set_known(const recref *r, int i, const value *v, unsigned known);
/* fieldput.c: field_set_known into a record a load is building (r->defer_key), the short way when
 * the field is unset, has no validator and v is of its own kind (i64, f64, str); the same checks
 * and results as field_set_known always. */
int field_put_building(const recref *r, int i, const value *v, unsigned known);
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
/* Moves field i (bytes, bits and, for text, the copy it owns) from a record no other thread can
 * reach into a record of the same type, releasing what `to` held; `from` keeps "" (upserts). */
void field_move_raw(const recref *from, const recref *to, int i);

/* ---- strings (str.c) --------------------------------------------------------------------------
 * A str/bytes field is a 24-byte slot: up to 23 bytes inline with the length in the last byte, or
 * a pointer + length to an out-of-line NUL-terminated copy (last byte STR_HEAP). */
/* `cptr`: the slot is a C-layout `char *` (SLOTS_CLAYOUT types) rather than the 24-byte slot. */
/* Every access to a slot's bytes takes the slot's stripe lock (str.c), so concurrent sets and reads
 * of one field see whole values and an out-of-line copy is freed only once nobody reads it.
 * A slot always holds a string (zeroed = ""); whether it is the field's value is the presence bit's
 * business. Release: frees what the slot owns, leaves "". */
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
/* The slot's text in place, for a caller that knows no other thread can set it (a record it is
 * still building; a key, which changes only under the store lock the caller holds). */
void str_slot_peek(const char *slot, bool cptr, const char **p, size_t *len);
/* Bytes of the out-of-line copy the slot owns (0 when inline). */
size_t str_slot_heap_bytes(const char *slot, bool cptr);
/* SIZE_MAX if `p` is valid UTF-8, else the offset of the first bad byte. */
size_t utf8_check(const char *p, size_t len);

/* ---- extras.c ---------------------------------------------------------------------------------- */
int extra_set(const recref *r, const char *name, size_t name_len, const value *v);
void extras_release(const recref *r);           /* drops all of a record's extras */
int extras_copy(const recref *from, const recref *to);
/* Moves: makes sure `to` has a place in its store's extras map (SLOTS_ENOMEM), so that
 * extras_move, which hands `from`'s extras (or none) to `to` and releases `to`'s, cannot fail.
 * Both with the stores locked. */
int extras_reserve(const recref *to);
void extras_move(const recref *from, const recref *to);
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
/* store_api.c: the slot of the record with the key in the (opened) store: SLOTS_OK, SLOTS_ENOKEY
 * (the key as Python's KeyError shows it), SLOTS_ETYPE (no key field, other key family). Called
 * with the store locked. */
int store_key_slot(const slots_store *s, const value *key, uint32_t *slot);

#endif
