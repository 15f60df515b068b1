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
    void *ffi_struct;     /* SLOTS_CLAYOUT: the libffi struct type (ffi/layout.c) */
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
int registry_add_store(struct slots_store *s);         /* SLOTS_ENOMEM */
void registry_remove_store(struct slots_store *s);
int registry_check_store(const struct slots_store *s); /* SLOTS_OK or SLOTS_ESTALE */

/* ---- ffi/layout.c, ffi/call.c ------------------------------------------------------------------ */
/* Lays a SLOTS_CLAYOUT type out as the C ABI would (libffi); SLOTS_ELAYOUT, SLOTS_ENOMEM. */
int clayout_compute(slots_type *t);
void clayout_release(slots_type *t);
/* A value as the bridge's public slots_arg (text not copied), for validators. */
void value_to_arg(const value *v, slots_arg *a);

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
    const slots_type *type;
    char *slabs[SLAB_COUNT]; /* read without the lock: written once, atomically, under it */
    uint32_t used;           /* slots handed out at least once: [0, used) */
    uint32_t capacity;       /* slots in allocated slabs */
    uint32_t live;           /* live records */
    uint32_t free_head;      /* first free slot + 1, or 0 */
    pthread_mutex_t lock;
    struct map *extras;      /* slot index → extras block (dynamic types), created on first use */
    struct key_index *index; /* unique key index (types with a key field; not default stores) */
    uint32_t *positions;     /* position → slot, rebuilt after removals; NULL when stale */
    uint32_t positions_len;
    char *load_errors;       /* first errors of the last skipping load */
    bool is_default;
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
/* Store ids → stores, two levels so the table never moves while readers look into it. */
#define SID_CHUNK 1024u
extern slots_store **sid_table[(H_MAX_SID + 1) / SID_CHUNK];

static inline slots_store *store_by_sid(uint32_t sid) {
    slots_store **chunk = __atomic_load_n(&sid_table[sid / SID_CHUNK], __ATOMIC_ACQUIRE);
    return chunk ? __atomic_load_n(&chunk[sid % SID_CHUNK], __ATOMIC_ACQUIRE) : NULL;
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
void store_destroy(slots_store *s);
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
/* The type's default store (always there: made with the type). */
static inline slots_store *type_default_store(const slots_type *t) { return t->default_store; }

/* ---- records (record.c) ---------------------------------------------------------------------- */
static inline bool rec_is_set(const slots_type *t, const char *rec, int i) {
    return (rec[t->set_offset + (unsigned)i / 8u] >> ((unsigned)i % 8u)) & 1;
}
static inline bool rec_is_null(const slots_type *t, const char *rec, int i) {
    return t->null_offset && ((rec[t->null_offset + (unsigned)i / 8u] >> ((unsigned)i % 8u)) & 1);
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
int str_slot_set(char *slot, bool cptr, const char *p, size_t len, size_t *account); /* SLOTS_ENOMEM */
void str_slot_get(const char *slot, bool cptr, const char **p, size_t *len);
void str_slot_clear(char *slot, bool cptr, size_t *account);
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
    slots_obj *added; /* records added so far, freed again if the load fails */
    size_t nadded, cap;
    size_t bulk_loaded; /* records added by bulk_load, which undoes its own work */
    size_t skipped;
    strbuf errors;    /* first errors, one per line, when skipping */
    unsigned nerrors;
    bool locked;      /* the store's lock is held from loader_begin to loader_end */
} loader;
/* Decodes one row into a blank record; an error leaves the record to be released by the loader. */
typedef int (*row_decoder)(const recref *r, void *ctx);
int loader_begin(loader *L, slots_store *s, unsigned flags); /* checks s and flags */
/* Adds one record decoded by `decode`: on a bad row, either fails ("line N: " + message) or, when
 * skipping, counts it and returns SLOTS_OK. SLOTS_ENOMEM always fails. */
int loader_row(loader *L, size_t line, row_decoder decode, void *ctx);
/* The two halves of a row: row_fill decodes into the blank record r (with defer_key) and fills its
 * defaults; row_index_key then indexes the key, refusing a duplicate (SLOTS_EEXIST), and says
 * whether it added an entry (to count with index_added). `hash` is the key's index_hash when the
 * caller knows the key is set, else NULL. On failure r is the caller's to free. */
int row_fill(recref *r, row_decoder decode, void *ctx);
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
/* Reads a whole file into a buffer to free with mem_free(buf, len + 1, NULL). SLOTS_EIO, SLOTS_ENOMEM. */
int file_read(const char *path, char **buf, size_t *len);
/* A format's load from memory, and the same from a file path (read whole, then loaded). */
typedef int (*store_loader)(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded,
                            size_t *skipped);
int load_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped, store_loader load);
/* A format's dump: appends every record of s to b (checks s). */
typedef int (*store_dumper)(const slots_store *s, strbuf *b);
/* Runs a dump into the thread's scratch buffer (*out valid until its next use) or into a file. */
int dump_to_scratch(const slots_store *s, store_dumper dump, const char **out, size_t *len);
int dump_to_file(const slots_store *s, store_dumper dump, const char *path);

/* ---- extras.c ---------------------------------------------------------------------------------- */
int extra_set(const recref *r, const char *name, size_t name_len, const value *v);
void extras_release(const recref *r);           /* drops all of a record's extras */
int extras_copy(const recref *from, const recref *to);
typedef struct extra_entry {
    char *name;
    value v;
} extra_entry;
/* The record's extras (count in *n), or NULL when none. */
const extra_entry *extras_list(const recref *r, size_t *n);

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
