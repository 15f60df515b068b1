/*
 * slots.h — libslots: compact, schema-defined records for every language.
 *
 * This header is the manual. A program registers a record *type* at run time from a field list
 * ("id: i64, name: str, price: f64 = 0"), creates *records* of it, and reads and writes their fields
 * with Python __slots__ semantics: a record has exactly the declared fields, stored unboxed in a
 * fixed layout, and anything else is a clear error.
 *
 * Conventions that hold for every function below:
 *  - Fallible functions return an int status: SLOTS_OK (0) on success, a negative SLOTS_E* code on
 *    failure. On failure a thread-local message explains it (slots_errmsg()), out-parameters are left
 *    untouched and nothing in the library has changed: no type, record, field value, extra or key.
 *    (A failed load does replace its store's load-error list with the error that stopped it: that
 *    list is diagnostics, like the message; see slots_store_load_error_list.) Only capacity a call
 *    reserved before failing (a store's slabs, a key index's table, a type's default store) may stay
 *    for later use, as with a vector's reserve, so slots_memory_used() can be higher.
 *  - Only plain C types cross the boundary (int, int64_t, uint64_t, double, size_t, pointers), so any
 *    FFI can call every function without a compiler. Strings go in as pointer + length and need not be
 *    NUL-terminated unless a parameter says so.
 *  - Records are named by validated handles (slots_obj): a freed, forged or random handle is refused
 *    with SLOTS_ESTALE, never dereferenced. Stores are named by references (slots_store *) that are
 *    not addresses: a dropped, forged or reused one is refused the same way, however many stores
 *    come and go.
 *  - Threads: every function is safe to call from any number of threads at once, on the same
 *    records and stores, unless its comment says otherwise. Two threads that set one field at once
 *    leave one of the two values; a thread that reads a field while another sets it gets the whole
 *    old or the whole new value (str and bytes included), never a mix and never freed memory. A
 *    record or store freed by one thread while another uses it makes the other's call return
 *    SLOTS_ESTALE (or finish first), never crash.
 *  - Lifetimes of what the library hands out, stated once:
 *      text read out of a record (get_str/get_bytes, slots_extra_get_str/_bytes, slots_extra_name,
 *        slots_store_load_errors, slots_store_load_error_get): a copy owned by the library in the calling thread's storage,
 *        valid until the thread's next libslots call has returned (so it may be passed to that
 *        call) — copy it to keep it;
 *      results built in the thread's scratch buffer (slots_repr, slots_to_json, the dumps to memory,
 *        a str result of slots_call): valid until the next of those calls on this thread;
 *      the last error (slots_errmsg): until the next failing call on this thread;
 *      types and every string a type hands out (names, defaults, method signatures): forever.
 *  - fork(): the child may use the library. A fork waits until loads and other calls that hold a
 *    store's lock have finished, so no store is left half changed in the child.
 */
#ifndef SLOTS_H
#define SLOTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SLOTS_BUILDING) && defined(__GNUC__)
#define SLOTS_API __attribute__((visibility("default")))
#else
#define SLOTS_API
#endif

/* ============================================================================================== */
/* Version                                                                                        */
/* The macros give the version this header describes; slots_version_number() the version of the
 * library actually loaded. A binding compares the two majors: a different major is an ABI break. */
/* ============================================================================================== */
#define SLOTS_VERSION_MAJOR 1
#define SLOTS_VERSION_MINOR 0
#define SLOTS_VERSION_PATCH 0
#define SLOTS_VERSION_NUMBER (SLOTS_VERSION_MAJOR * 10000 + SLOTS_VERSION_MINOR * 100 + SLOTS_VERSION_PATCH)

/* The loaded library's version as "MAJOR.MINOR.PATCH"; a static string. Thread-safe. */
SLOTS_API const char *slots_version(void);
/* The loaded library's version as MAJOR*10000 + MINOR*100 + PATCH. Thread-safe. */
SLOTS_API int slots_version_number(void);

/* ============================================================================================== */
/* Errors                                                                                         */
/* Every failure sets a thread-local message worded the way Python would word it; the message and
 * code stay until the next failure on the same thread (successes do not clear them).               */
/* ============================================================================================== */
#define SLOTS_OK         0   /* success */
#define SLOTS_NULL       1   /* not an error: a get_* found the field holding null (None) */
#define SLOTS_ENOATTR   (-1) /* no such field, attribute or type name        (Python: AttributeError) */
#define SLOTS_EUNSET    (-2) /* the field has no value (never set, or deleted) (AttributeError) */
#define SLOTS_ETYPE     (-3) /* a value of the wrong kind                      (TypeError) */
#define SLOTS_ERANGE    (-4) /* a number out of the field's range              (OverflowError) */
#define SLOTS_EREADONLY (-5) /* a readonly field that already has a value, or a frozen record (AttributeError) */
#define SLOTS_ESTALE    (-6) /* a freed, forged or invalid record handle, or a dropped store */
#define SLOTS_EINVAL    (-7) /* an invalid argument: NULL, bad index, invalid UTF-8, ... (ValueError) */
#define SLOTS_ELAYOUT   (-8) /* a type that cannot be laid out: duplicate field, bad base (TypeError) */
#define SLOTS_ENOMEM    (-9) /* an allocation failed                           (MemoryError) */
#define SLOTS_EPARSE   (-10) /* malformed text: field list, default, JSON, CSV  (ValueError) */
#define SLOTS_EEXIST   (-11) /* a key already present in a store's key index    (KeyError) */
#define SLOTS_ENOKEY   (-12) /* no record with that key                         (KeyError) */
#define SLOTS_EINDEX   (-13) /* a position out of a store's range              (IndexError) */
#define SLOTS_EIO      (-14) /* a file could not be read or written             (OSError) */
#define SLOTS_EBUSY    (-15) /* the store is in use by an operation that cannot be interrupted: a call
                                from inside its own load or callback (Python: slots.BusyError) */
#define SLOTS_ECANCELED (-16) /* a load stopped by slots_store_cancel_load(); the store is unchanged
                                 (Python: slots.CancelledError; KeyboardInterrupt after a Ctrl-C) */

/* The message of the last failure on the calling thread ("" if none yet). The string is owned by the
 * library and valid until the next failing call on this thread. Thread-safe (per-thread storage). */
SLOTS_API const char *slots_errmsg(void);
/* The code of the last failure on the calling thread (SLOTS_OK if none yet). Thread-safe. */
SLOTS_API int slots_errcode(void);
/* The OS error number (errno: ENOENT, EISDIR, ENOSPC, ...) behind the last failure on the calling
 * thread when that failure was SLOTS_EIO from a file operation, else 0. With slots_errmsg() it lets
 * a binding raise its language's own error for the path (Python: OSError(errno, strerror, path),
 * so FileNotFoundError and friends match). Thread-safe (per-thread storage). */
SLOTS_API int slots_errno(void);
/* The name of a status code ("SLOTS_ENOATTR"); "SLOTS_UNKNOWN" for a code that is not one. Static
 * string. Thread-safe. */
SLOTS_API const char *slots_strerror(int status);

/* ============================================================================================== */
/* Types                                                                                          */
/* A type is a record layout built from a field list. Types are immortal: once defined, a type and
 * every string it returns live until the process exits, even when its name is rebound by a later
 * definition (records of the old type stay valid). A registry maps names to the latest type.
 *
 * Field-list grammar (fields separated by ',' or newlines; blanks around tokens are ignored):
 *     field    := NAME ':' kind [ '=' default ] { modifier }
 *     kind     := bool | i8 | i16 | i32 | i64 | u8 | u16 | u32 | u64 | f32 | f64 | str | bytes
 *               | timestamp | date | uuid | decimal '(' P ',' S ')' | ref [ TYPENAME ]
 *     modifier := optional | readonly | key
 *     default  := integer | float | true | false | null | 'text' | "text"   (also True False None;
 *                 quoted text takes \\ \' \" \n \t \r \0 and \xNN escapes; as in Python, \xNN is
 *                 the character U+00NN in a str default and the byte NN in a bytes default)
 * NAME is an identifier ([A-Za-z_][A-Za-z0-9_]*). `optional` lets a field hold null (None);
 * `readonly` lets a field be set once and then refuses changes; `key` marks the field that stores
 * index uniquely (at most one per type, of an integer kind or str, not optional). A default must fit the field's kind;
 * `null` needs `optional`. Example:  "id: i64 key, name: str, price: f64 = 0, parent: ref Node optional"
 * ============================================================================================== */
typedef struct slots_type slots_type;

/* Field kinds (values on the wire are these ints). */
#define SLOTS_BOOL   1
#define SLOTS_I8     2
#define SLOTS_I16    3
#define SLOTS_I32    4
#define SLOTS_I64    5
#define SLOTS_U8     6
#define SLOTS_U16    7
#define SLOTS_U32    8
#define SLOTS_U64    9
#define SLOTS_F32   10
#define SLOTS_F64   11
#define SLOTS_STR   12
#define SLOTS_BYTES 13
#define SLOTS_REF   14
/* The kinds below hold values with a canonical text; every setter and getter that is not listed
 * for a kind refuses it with SLOTS_ETYPE ("Event.at is timestamp, not a float").
 *   timestamp  a UTC instant: i64 microseconds since 1970-01-01T00:00:00Z (Python's datetime,
 *              PostgreSQL and Arrow tsu:UTC all hold microseconds), years 1..9999 in UTC.
 *              set_i64/get_i64: the microseconds; set_str: RFC 3339 ("2024-02-29T12:00:00+02:00",
 *              "T", "t" or " " between date and time, "Z" or an offset, which is applied: the value
 *              is the instant); get_str: "2024-02-29T10:00:00Z" (UTC, a fraction only when nonzero).
 *   date       i32 days since 1970-01-01, years 1..9999. set_i64/get_i64: the days; set_str and
 *              get_str: "2024-02-29".
 *   uuid       16 bytes inline. set_bytes/get_bytes: exactly 16 bytes; set_str: what Python's
 *              uuid.UUID(str) reads (hyphens optional, any case, braces, "urn:uuid:"); get_str:
 *              "12345678-9abc-def0-1234-56789abcdef0".
 *   decimal    decimal(P,S), 1 <= P <= 38, 0 <= S <= P: the value times 10^S as an integer of at
 *              most P digits (8 bytes when P <= 18, else 16). set_str: the text of a number
 *              ("12.5", "-0.01", "1e3"), exact: a nonzero digit past the scale is SLOTS_ERANGE
 *              ("Item.price has more than 2 digits after the point"), never rounded; set_i64: an
 *              integer (scaled); get_str: "12.50" (S digits after the point). No binary float
 *              either way: set_f64 and get_f64 are SLOTS_ETYPE, and so is get_i64.
 * A value out of range is SLOTS_ERANGE naming the field. */
#define SLOTS_TIMESTAMP 15
#define SLOTS_DATE      16
#define SLOTS_UUID      17
#define SLOTS_DECIMAL   18
/* The kind of a slots_field_spec for decimal(P,S) carries P and S:
 *     SLOTS_DECIMAL | P << SLOTS_DECIMAL_PRECISION_SHIFT | S << SLOTS_DECIMAL_SCALE_SHIFT
 * (slots_field_kind() gives SLOTS_DECIMAL; slots_field_decimal() gives P and S). */
#define SLOTS_DECIMAL_PRECISION_SHIFT 8
#define SLOTS_DECIMAL_SCALE_SHIFT     16

/* Field flags (slots_field_spec.flags and slots_field_flags()). */
#define SLOTS_FIELD_OPTIONAL    0x01u /* may hold null */
#define SLOTS_FIELD_READONLY    0x02u /* set once, then refuses */
#define SLOTS_FIELD_KEY         0x04u /* the store key (unique index) */
#define SLOTS_FIELD_HAS_DEFAULT 0x08u /* reported by slots_field_flags(); ignored in specs */

/* Type flags (slots_type_define's `flags`). */
#define SLOTS_FROZEN  0x01u /* every field readonly; extras (if dynamic) are set once, never changed */
#define SLOTS_DYNAMIC 0x02u /* records also take extra, undeclared attributes (Python's __dict__) */

/* One field for slots_type_define_specs(). Strings are read during the call only. */
typedef struct slots_field_spec {
    const char *name;          /* identifier, NUL-terminated */
    int kind;                  /* SLOTS_BOOL .. SLOTS_DECIMAL; decimal(P,S) also P and S (below) */
    unsigned flags;            /* SLOTS_FIELD_OPTIONAL | SLOTS_FIELD_READONLY | SLOTS_FIELD_KEY */
    const char *default_value; /* NULL for none, else a default literal as in the grammar */
    const char *ref_type;      /* for SLOTS_REF: the target type's name, or NULL for any record */
} slots_field_spec;

/* Defines a type named `name` from a field-list text (grammar above), optionally extending `base`
 * (its fields come first, with the same indices), and binds the name to it in the registry.
 * `flags` is 0 or SLOTS_FROZEN | SLOTS_DYNAMIC | SLOTS_CLAYOUT (see the ffi bridge below); a subtype
 * inherits its base's flags, and a SLOTS_CLAYOUT type may not extend a base without it.
 * A base field may be named again to give it a new default for this type and its subtypes (as a
 * dataclass subclass may: `price: f64 = 9.5`): the same kind, flags and ref type, with a default;
 * it keeps its index and place. Anything else repeating a base field is SLOTS_ELAYOUT.
 * On success *out is the new type (immortal; see above).
 * Returns SLOTS_OK, SLOTS_EINVAL (NULL or bad name, unknown flag, base not a type), SLOTS_EPARSE
 * (malformed field list or default), SLOTS_ETYPE / SLOTS_ERANGE (a default of the wrong kind, or out
 * of the field's range: "value 300 out of range for field 'x' (u8)"), SLOTS_ELAYOUT (a field named twice or repeating a base field,
 * two key fields, a key of a kind that cannot be one, too many fields), SLOTS_ENOMEM.
 * Thread-safe. */
SLOTS_API int slots_type_define(const char *name, const char *fields, const slots_type *base,
                                unsigned flags, slots_type **out);
/* The same as slots_type_define() from an array of `nspecs` field specs (nspecs may be 0). Returns the
 * same statuses (SLOTS_EINVAL also for an unknown kind or flag in a spec). Thread-safe. */
SLOTS_API int slots_type_define_specs(const char *name, const slots_field_spec *specs, size_t nspecs,
                                      const slots_type *base, unsigned flags, slots_type **out);
/* The type a name is bound to now, or NULL (then the thread's message says so, code SLOTS_ENOATTR).
 * Thread-safe. */
SLOTS_API const slots_type *slots_type_find(const char *name);

/* Introspection. Each takes a type pointer returned by this library; a NULL or unknown pointer gives
 * NULL / a negative SLOTS_EINVAL (and a message). Returned strings live as long as the type (forever).
 * All are thread-safe. */
SLOTS_API const char *slots_type_name(const slots_type *t);
/* The type's flags (SLOTS_FROZEN, SLOTS_DYNAMIC), or SLOTS_EINVAL. */
SLOTS_API int slots_type_flags(const slots_type *t);
/* The number of fields, base fields included, or SLOTS_EINVAL. */
SLOTS_API int slots_type_nfields(const slots_type *t);
/* Bytes one record occupies in a store (fields, presence bits and its generation), or 0 on error. */
SLOTS_API size_t slots_type_record_size(const slots_type *t);
/* The base type, or NULL when there is none (code untouched) or on error (message set). */
SLOTS_API const slots_type *slots_type_base(const slots_type *t);
/* 1 if `t` is `base` or derives from it, 0 if not, SLOTS_EINVAL for a bad pointer. */
SLOTS_API int slots_type_is_subtype(const slots_type *t, const slots_type *base);
/* The index of the field called `name` (>= 0), or a negative status: SLOTS_ENOATTR with the message
 * "'Product' object has no attribute 'age'", or SLOTS_EINVAL for a NULL argument. */
SLOTS_API int slots_field_index(const slots_type *t, const char *name);
/* Field `field`'s name, or NULL (SLOTS_EINVAL) for a bad type or index. */
SLOTS_API const char *slots_field_name(const slots_type *t, int field);
/* Field `field`'s kind (SLOTS_BOOL .. SLOTS_DECIMAL), or SLOTS_EINVAL. */
SLOTS_API int slots_field_kind(const slots_type *t, int field);
/* For a decimal(P,S) field: *precision = P and *scale = S, SLOTS_OK; SLOTS_ETYPE for a field of
 * another kind; SLOTS_EINVAL for a bad type, index or NULL pointer. */
SLOTS_API int slots_field_decimal(const slots_type *t, int field, int *precision, int *scale);
/* Field `field`'s flags (SLOTS_FIELD_*), or SLOTS_EINVAL. */
SLOTS_API int slots_field_flags(const slots_type *t, int field);
/* Field `field`'s default as canonical Python-style literal text ("0.0", "'x'", "None", "True"; the
 * field-list grammar accepts these spellings too), or NULL when it has none
 * (code untouched) or on error (message set). */
SLOTS_API const char *slots_field_default(const slots_type *t, int field);
/* For a ref field, the target type name it was declared with; NULL when untyped or not a ref. */
SLOTS_API const char *slots_field_ref_type(const slots_type *t, int field);
/* Field `field`'s byte offset and size inside a record, or SLOTS_EINVAL. */
SLOTS_API int slots_field_offset(const slots_type *t, int field);
SLOTS_API int slots_field_size(const slots_type *t, int field);
/* The name of a kind ("i64"), or NULL for a code that is not a kind. Static string. Thread-safe. */
SLOTS_API const char *slots_kind_name(int kind);

/* ============================================================================================== */
/* Records                                                                                        */
/* A record is named by a slots_obj handle (0 is never valid). Records made one at a time live in
 * their type's default store; records appended to a store live in that store. A handle stays valid
 * until slots_free() or until its store is cleared or dropped; after that every call with it returns
 * SLOTS_ESTALE.
 *
 * Threads: see the conventions at the top. A type's default store is made by its first record, so
 * defining types takes no store ids.                                                             */
/* ============================================================================================== */
typedef uint64_t slots_obj;

/* Creates a record of `t` in the type's default store with every defaulted field set to its default
 * and the rest unset. Returns SLOTS_OK, SLOTS_EINVAL (bad type), SLOTS_ENOMEM, SLOTS_ERANGE (the
 * store is full: 2^28 records; or this is the type's first record and every store id is taken).
 * A first record that fails may leave the default store made (as reserved capacity). Thread-safe. */
SLOTS_API int slots_new(const slots_type *t, slots_obj *out);
/* Like slots_new() but leaves every field unset, so a constructor can assign readonly fields once and
 * then call slots_fill_defaults(). Same statuses. Thread-safe. */
SLOTS_API int slots_new_blank(const slots_type *t, slots_obj *out);
/* Sets each still-unset field that has a default to that default. SLOTS_OK, SLOTS_ESTALE, SLOTS_ENOMEM. */
SLOTS_API int slots_fill_defaults(slots_obj o);
/* Frees a record: its strings and extras are released and every handle to it becomes stale.
 * Returns SLOTS_OK or SLOTS_ESTALE. Thread-safe. */
SLOTS_API int slots_free(slots_obj o);
/* *out = the record's type. SLOTS_OK or SLOTS_ESTALE. */
SLOTS_API int slots_type_of(slots_obj o, const slots_type **out);
/* 1 if the record's type is `t` or derives from it, 0 if not; SLOTS_ESTALE or SLOTS_EINVAL. */
SLOTS_API int slots_isinstance(slots_obj o, const slots_type *t);
/* A deep copy in the type's default store: strings and extras are duplicated, refs copied as handles.
 * SLOTS_OK, SLOTS_ESTALE, SLOTS_ENOMEM. */
SLOTS_API int slots_copy(slots_obj o, slots_obj *out);
/* 1 if both records have the same type and equal fields (set-ness, nulls and values; extras are not
 * compared, as dataclass __eq__ ignores __dict__), 0 if not; SLOTS_ESTALE. NaN is unequal to itself. */
SLOTS_API int slots_equal(slots_obj a, slots_obj b);
/* Orders two records of the same type field by field, as Python orders tuples: *out = -1, 0 or 1.
 * SLOTS_ETYPE for records of different types or a null compared with a value; SLOTS_EUNSET when a
 * compared field is unset; SLOTS_ESTALE. */
SLOTS_API int slots_compare(slots_obj a, slots_obj b, int *out);
/* A hash of the type and field values, consistent with slots_equal(). SLOTS_OK or SLOTS_ESTALE. */
SLOTS_API int slots_hash(slots_obj o, uint64_t *out);
/* Python-style repr: "Product(id=1, name='Widget', price=9.99)"; unset fields are left out, null is
 * None, refs show as <Type at 0xHANDLE>, timestamp, date, uuid and decimal fields as their text
 * quoted (at='2024-01-01T00:00:00Z', price='9.99'). *out points to a NUL-terminated string in a thread-local
 * buffer valid until the next slots_repr/slots_to_json call on this thread; *len (may be NULL) is
 * its length. SLOTS_OK, SLOTS_ESTALE, SLOTS_ENOMEM. */
SLOTS_API int slots_repr(slots_obj o, const char **out, size_t *len);
/* The record as one JSON object: set fields in index order ({"id":1,"name":"Widget"}), null as null,
 * bytes as base64 text, refs as their handle number, timestamp, date, uuid and decimal as strings of
 * their canonical text (a decimal too: no float on the way), then extras. Reading JSON, those
 * kinds take a string of their text (slots_set_str's), a timestamp or date also an integer
 * (microseconds, days), a decimal also a JSON number, read exactly. Same buffer rules as slots_repr.
 * A NaN or infinite float (field or extra) is refused, as JSON has no such number: SLOTS_EINVAL
 * "Out of range float values are not JSON compliant: nan (Product.price)". SLOTS_OK, SLOTS_ESTALE,
 * SLOTS_EINVAL, SLOTS_ENOMEM. */
SLOTS_API int slots_to_json(slots_obj o, const char **out, size_t *len);
/* Dump flags (slots_to_json_flags, slots_store_dump_jsonl_flags, ..._file_flags). */
#define SLOTS_DUMP_ALLOW_NAN 0x1u /* write NaN, Infinity and -Infinity as Python's json.dumps does by
                                     default (allow_nan=True); every JSON reader here reads them back */
/* slots_to_json() with dump flags (0 or SLOTS_DUMP_ALLOW_NAN); an unknown flag is SLOTS_EINVAL. */
SLOTS_API int slots_to_json_flags(slots_obj o, unsigned flags, const char **out, size_t *len);
/* Creates a record of `t` from one JSON object (RFC 8259) of `len` bytes. Keys are field names; a key
 * that is not a field is an error naming it (on a SLOTS_DYNAMIC type it becomes an extra); missing
 * fields take their defaults. Strict, as a constructor is: a missing field that has no default is
 * SLOTS_ETYPE ("missing field 'name'"; several: "missing 2 fields: 'a' and 'b'"), optional fields
 * included (as in a dataclass, Optional without a default is still required: give null).
 * Numbers follow RFC 8259's grammar, plus the NaN, Infinity and -Infinity that Python's json reads
 * and writes (a float; a float field or extra takes them, other fields refuse a float). Only
 * whitespace (space, tab, CR, LF) may follow the object: any other byte, a NUL included, is "Extra
 * data". Returns SLOTS_OK, SLOTS_EPARSE (malformed JSON, with the
 * byte offset), SLOTS_ENOATTR (unknown key), SLOTS_ETYPE, SLOTS_ERANGE, SLOTS_EINVAL (bad UTF-8,
 * NULL), SLOTS_EREADONLY (a key given twice for a readonly field), SLOTS_ESTALE (a ref field given a
 * number that is not a live record's handle), SLOTS_ENOMEM. Nothing is created
 * on failure. Thread-safe. */
SLOTS_API int slots_from_json(const slots_type *t, const char *json, size_t len, slots_obj *out);
/* slots_from_json with flags: 0 (strict, the same as slots_from_json) or SLOTS_LOAD_LENIENT, which
 * leaves a missing field without a default unset (the key field is still required). Any other
 * bit is SLOTS_EINVAL. */
SLOTS_API int slots_from_json_flags(const slots_type *t, const char *json, size_t len, unsigned flags,
                                    slots_obj *out);

/* ---- Typed field access, by field index (slots_field_index). ---------------------------------
 * Setters: SLOTS_OK, SLOTS_ESTALE, SLOTS_EINVAL (bad index, invalid UTF-8 for str, NULL pointer
 * with a nonzero length), SLOTS_ETYPE (the field is of another kind), SLOTS_ERANGE (value does not
 * fit: "value 300 out of range for field 'x' (u8)"), SLOTS_EREADONLY (readonly/frozen field that is
 * set), SLOTS_ENOMEM. Integer setters serve every integer kind with a range check; set_i64/u64 also
 * serve f32/f64 fields; set_f64 serves f32 (finite values beyond float's range are SLOTS_ERANGE)
 * and f64. set_bool serves bool only.
 * Getters: SLOTS_OK, SLOTS_NULL (the field is null; *out untouched), SLOTS_EUNSET ("'Product' object
 * has no attribute 'price'"), SLOTS_ESTALE, SLOTS_EINVAL, SLOTS_ETYPE, SLOTS_ERANGE (get_i64 of a u64
 * above INT64_MAX, get_u64 of a negative). get_i64/get_u64 read every integer kind, get_f64 reads
 * f32 and f64, get_bool reads bool (as 0/1).
 * get_str/get_bytes: *s points to a NUL-terminated copy of the value (a bytes value may hold NULs:
 * use *len), valid until this thread's next libslots call has returned; SLOTS_ENOMEM if the copy
 * of a long value cannot be made. Checks come in this order: handle (SLOTS_ESTALE), index
 * (SLOTS_EINVAL), unset (SLOTS_EUNSET), null (SLOTS_NULL), kind (SLOTS_ETYPE). */
SLOTS_API int slots_set_bool(slots_obj o, int field, int v);
SLOTS_API int slots_get_bool(slots_obj o, int field, int *out);
SLOTS_API int slots_set_i64(slots_obj o, int field, int64_t v);
SLOTS_API int slots_get_i64(slots_obj o, int field, int64_t *out);
SLOTS_API int slots_set_u64(slots_obj o, int field, uint64_t v);
SLOTS_API int slots_get_u64(slots_obj o, int field, uint64_t *out);
SLOTS_API int slots_set_f64(slots_obj o, int field, double v);
SLOTS_API int slots_get_f64(slots_obj o, int field, double *out);
SLOTS_API int slots_set_str(slots_obj o, int field, const char *s, size_t len);
SLOTS_API int slots_get_str(slots_obj o, int field, const char **s, size_t *len);
SLOTS_API int slots_set_bytes(slots_obj o, int field, const void *p, size_t len);
SLOTS_API int slots_get_bytes(slots_obj o, int field, const void **p, size_t *len);
/* Ref fields hold another record's handle (any type, or the declared type and its subtypes). The
 * target must be valid when set (SLOTS_ESTALE otherwise; SLOTS_ETYPE if of the wrong type); it is
 * not owned, so it may go stale later, which the reader finds out on use. */
SLOTS_API int slots_set_ref(slots_obj o, int field, slots_obj target);
SLOTS_API int slots_get_ref(slots_obj o, int field, slots_obj *out);
/* Sets an optional field to null (None). SLOTS_ETYPE if the field is not optional; else as setters. */
SLOTS_API int slots_set_null(slots_obj o, int field);
/* Returns a field to unset (Python's `del obj.field`). SLOTS_EUNSET if it is already unset,
 * SLOTS_EREADONLY for a readonly field with a value; SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_del(slots_obj o, int field);
/* 1 if the field has a value (null counts as a value), 0 if unset; SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_is_set(slots_obj o, int field);

/* ---- Extras: undeclared attributes of SLOTS_DYNAMIC records (Python's __dict__). --------------
 * Stored per record only once one is set; records that use none cost nothing. Names are non-empty,
 * NUL-terminated UTF-8 strings that are not field names (as with Python's setattr; a field name
 * given to any extra call is SLOTS_EINVAL: it belongs to the field API). Re-setting an extra keeps
 * its place in the insertion order. On a type without SLOTS_DYNAMIC every name is SLOTS_ENOATTR ("'Product' object has
 * no attribute 'age'"). Values are of the kinds bool, i64, u64, f64, str, bytes, ref or null.
 * Getters return SLOTS_ENOATTR for a name not present, SLOTS_ETYPE when the extra holds another
 * kind (slots_extra_kind tells which), SLOTS_NULL for null. On a frozen record an extra can be
 * added once but not changed or deleted (SLOTS_EREADONLY). Pointers returned by get_str/get_bytes/
 * slots_extra_name are copies, valid until this thread's next libslots call has returned. */
SLOTS_API int slots_extra_set_bool(slots_obj o, const char *name, int v);
SLOTS_API int slots_extra_set_i64(slots_obj o, const char *name, int64_t v);
SLOTS_API int slots_extra_set_u64(slots_obj o, const char *name, uint64_t v);
SLOTS_API int slots_extra_set_f64(slots_obj o, const char *name, double v);
SLOTS_API int slots_extra_set_str(slots_obj o, const char *name, const char *s, size_t len);
SLOTS_API int slots_extra_set_bytes(slots_obj o, const char *name, const void *p, size_t len);
SLOTS_API int slots_extra_set_ref(slots_obj o, const char *name, slots_obj target);
SLOTS_API int slots_extra_set_null(slots_obj o, const char *name);
/* *kind = the kind the extra holds (SLOTS_BOOL, SLOTS_I64, SLOTS_U64, SLOTS_F64, SLOTS_STR,
 * SLOTS_BYTES, SLOTS_REF, or 0 for null). SLOTS_OK, SLOTS_ENOATTR, SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_extra_kind(slots_obj o, const char *name, int *kind);
SLOTS_API int slots_extra_get_bool(slots_obj o, const char *name, int *out);
SLOTS_API int slots_extra_get_i64(slots_obj o, const char *name, int64_t *out);
SLOTS_API int slots_extra_get_u64(slots_obj o, const char *name, uint64_t *out);
SLOTS_API int slots_extra_get_f64(slots_obj o, const char *name, double *out);
SLOTS_API int slots_extra_get_str(slots_obj o, const char *name, const char **s, size_t *len);
SLOTS_API int slots_extra_get_bytes(slots_obj o, const char *name, const void **p, size_t *len);
SLOTS_API int slots_extra_get_ref(slots_obj o, const char *name, slots_obj *out);
/* Removes an extra. SLOTS_OK, SLOTS_ENOATTR (not present), SLOTS_EREADONLY (frozen), SLOTS_ESTALE. */
SLOTS_API int slots_extra_del(slots_obj o, const char *name);
/* *n = how many extras the record has (0 on a non-dynamic type). SLOTS_OK, SLOTS_ESTALE. */
SLOTS_API int slots_extra_count(slots_obj o, size_t *n);
/* *name = the i-th extra's name, in insertion order. SLOTS_OK, SLOTS_EINDEX, SLOTS_ESTALE. */
SLOTS_API int slots_extra_name(slots_obj o, size_t i, const char **name);

/* ============================================================================================== */
/* Stores                                                                                         */
/* A store owns many records of one type in contiguous slabs. Its records are ordinary records: their
 * handles work with every record call above, and slots_free() removes one from its store. Dropping
 * a store frees all its records at once; every handle into it then reads as SLOTS_ESTALE.
 * Positions: a store's records are numbered 0..len-1 in slot order. Appending after removals may
 * reuse a freed slot, so positions follow slots, not insertion time; a removal renumbers later ones.
 * Key index: if the type has a `key` field, every store (not the type's default store used by
 * slots_new) keeps a unique hash index on it (at most 16 bytes per record): setting a key another
 * record of the store holds is SLOTS_EEXIST, and the index follows every set, delete and removal.
 * Threads: any call may run while other threads use the same store. A load, clear, dump or column
 * call holds the store's lock for its whole length: appends, removes and drops on other threads wait
 * for it. A validator run by a load may read the store but not change it: an append, remove, free,
 * clear, reserve, column write, load or drop of the store being loaded, from the loading thread,
 * is SLOTS_EBUSY. */
/* ============================================================================================== */
typedef struct slots_store slots_store;

/* Creates an empty store for records of `t` (and only `t`). *out is a reference owned by the caller,
 * who releases the store with slots_store_drop(); it is not an address, and after the drop it is
 * refused (SLOTS_ESTALE) by every call, even once its id is reused. SLOTS_OK, SLOTS_EINVAL,
 * SLOTS_ENOMEM, SLOTS_ERANGE (every one of the 2^20 - 1 store ids is taken by a live store, or used
 * up by a store whose records went through all their generations). */
SLOTS_API int slots_store_new(const slots_type *t, slots_store **out);
/* Frees the store and all its records; every handle into it and the reference itself then read as
 * SLOTS_ESTALE. Waits for a load, clear, dump or column call on the store to finish, then for every
 * call that other threads were making into the library at that moment to return (so none of them
 * reads freed memory). SLOTS_OK, SLOTS_EINVAL (NULL), SLOTS_ESTALE (not a live store, e.g. dropped
 * already), SLOTS_EBUSY (called from inside a validator or a native method, which may be running
 * on that very store; or from the store's own load). */
SLOTS_API int slots_store_drop(slots_store *s);
/* *out = the store's type. SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE. */
SLOTS_API int slots_store_type(const slots_store *s, const slots_type **out);
/* *n = the number of live records. SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE. */
SLOTS_API int slots_store_len(const slots_store *s, size_t *n);
/* Appends a record with its defaults set (like slots_new) and returns its handle. SLOTS_OK,
 * SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_ENOMEM, SLOTS_ERANGE (2^28 records), SLOTS_EEXIST (a key
 * default already present). Thread-safe. */
SLOTS_API int slots_store_append(slots_store *s, slots_obj *out);
/* Removes (frees) record o, which must belong to s. SLOTS_OK, SLOTS_ESTALE, SLOTS_EINVAL (o is in
 * another store). Thread-safe. */
SLOTS_API int slots_store_remove(slots_store *s, slots_obj o);
/* *out = the handle of the record at position i (0 <= i < len). O(1) while the store has no holes;
 * after removals the first call rebuilds a position table in O(n). SLOTS_OK, SLOTS_EINDEX,
 * SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_ENOMEM. */
SLOTS_API int slots_store_at(slots_store *s, size_t i, slots_obj *out);
/* Iterates: pass *cursor = 0 first; each call sets *out to the next live record and advances
 * *cursor. Returns SLOTS_OK, or SLOTS_EINDEX when there are no more (no message is set then),
 * SLOTS_EINVAL, SLOTS_ESTALE. Records appended during iteration may or may not be seen. */
SLOTS_API int slots_store_next(const slots_store *s, size_t *cursor, slots_obj *out);
/* Frees every record (their handles go stale) but keeps the allocated slabs for reuse.
 * SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_EBUSY (from the store's own load). */
SLOTS_API int slots_store_clear(slots_store *s);
/* Makes room for at least n records in total, so appends up to n allocate nothing.
 * SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_ENOMEM, SLOTS_ERANGE. */
SLOTS_API int slots_store_reserve(slots_store *s, size_t n);
/* Finds the record whose key field equals the key: *out = its handle. For integer keys use
 * find_i64 (or find_u64 above INT64_MAX), for str keys find_str. SLOTS_OK, SLOTS_ENOKEY (the
 * message is the key as Python's KeyError shows it: "42", "'abc'"), SLOTS_ETYPE (the type has no key field, or it is of the other family),
 * SLOTS_EINVAL, SLOTS_ESTALE. Thread-safe against other finds. */
SLOTS_API int slots_store_find_i64(const slots_store *s, int64_t key, slots_obj *out);
SLOTS_API int slots_store_find_u64(const slots_store *s, uint64_t key, slots_obj *out);
SLOTS_API int slots_store_find_str(const slots_store *s, const char *key, size_t len, slots_obj *out);
/* Bytes the store holds: slabs, key index, position table, and the out-of-line strings and extras
 * of its records. Slabs come in levels of 1024 << k records, each cut into 16 slabs allocated one
 * at a time, so their spare room is at most 1/16 of the records before it (under 7% of the records'
 * bytes from 15,000 records on); a bulk load allocates for the rows it holds. The key index takes 4
 * bytes a place and is kept 5/8 to 3/4 full (5.3-6.4 bytes a record). Slabs of 64 KiB and more are
 * mapped on their own, so the resident memory is at most the figure (pages of a slab no record has
 * reached yet are not resident). SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE. */
SLOTS_API int slots_store_memory(const slots_store *s, size_t *bytes);

/* ---- Bulk load and dump ------------------------------------------------------------------------
 * JSON Lines: one JSON object per line (blank lines skipped), decoded straight into record fields
 * with the rules of slots_from_json() (NaN and Infinity included; text after the object other than
 * blanks, a NUL byte included, is "Extra data").
 * CSV (RFC 4180, read as Python's csv module reads it): a header row of field names, then one record
 * per row; "" quoting; LF, CRLF and lone CR line ends, mixed freely (a line end inside a quoted cell
 * is kept as written); a UTF-8 byte order mark before the header is skipped. Header names are
 * never trimmed silently: an unquoted name with blanks (space, tab) around it is SLOTS_EPARSE
 * showing the name in repr form ("column name ' name' has blanks around it"), a quoted one is
 * taken exactly as written (" name" in quotes), and a load with SLOTS_LOAD_TRIM_HEADER trims
 * every name. A header column that is not a field is an error naming
 * it, except on a SLOTS_DYNAMIC type, whose extra columns become str extras; an empty or repeated
 * column name is SLOTS_EPARSE even with SLOTS_LOAD_SKIP_BAD. Headers of any width are checked in
 * linear time (names are hashed).
 * A CSV cell is parsed by the field's kind: integer and ref cells as Python's int(text) reads them,
 * float cells as float(text) reads them (blanks around; '+' or '-'; leading zeros; '_' between
 * digits as in "1_000"; for floats also ".5", "5.", "1e5", and inf, infinity, nan in any case; ASCII
 * digits only), bool as true/false/t/f/1/0 (any case, blanks around: PostgreSQL writes t and f),
 * str, timestamp, date, uuid and decimal as text (slots_set_str's; dumps write their canonical
 * text), bytes as base64 or, when the cell starts with \x, as PostgreSQL's bytea hex
 * ("\x48656c6c6f": pairs of hex digits, either case; a backslash is never base64, so no flag is
 * needed) (neither trimmed). A cell that is no such literal is SLOTS_EPARSE (Python: ValueError) in
 * Python's words, the field after it: "line 3: invalid literal for int() with base 10: 'abc'
 * (Product.id)", "could not convert string to float: 'x' (Product.price)"; a number beyond the
 * field's range is SLOTS_ERANGE. An empty unquoted cell leaves the field unset (so its default
 * applies) or null if the field is optional, and sets no extra; a quoted empty cell "" is the empty
 * string. Text after a closing quote is an error, while a quote inside an unquoted cell is text.
 * Empty lines are skipped, except in a one-column CSV (a header of one name), where every line
 * after the header is a row and an empty one is a row with one empty cell (a final line end ends
 * the last row, it does not start one): so a one-field record whose field is unset or null comes
 * back from its dump.
 * Rows are strict, as a constructor is: a row without a field that has no default (absent from the
 * JSON object, absent from the CSV header, or an empty CSV cell of a field that is not optional)
 * is a bad row, SLOTS_ETYPE "line 3: missing field 'name'" (several: "missing 2 fields: 'a' and
 * 'b'"); an optional field without a default is required too (a null is a value). With
 * SLOTS_LOAD_LENIENT such fields stay unset instead, except the key field: a row without its key
 * is always bad.
 * Loads are all-or-nothing: the first bad line stops the load with an error that names the line
 * ("line 3: Product.price must be f64, not str") and the store is as it was before the call.
 * With SLOTS_LOAD_SKIP_BAD, bad lines are skipped instead: *skipped counts them and
 * slots_store_load_error_list() holds the first ten (slots_store_set_load_error_limit).
 * *loaded (may be NULL) counts records added.
 * Threads: an all-or-nothing load of more than 1 MiB decodes on several threads (one per online
 * CPU, each with at least 1 MiB of lines; the environment variable SLOTS_LOAD_THREADS sets the
 * most, 1 for none) and returns when all are done. Records, order, line numbers and the error
 * reported are those of a one-thread load. Rows of a type with validators or extras
 * (SLOTS_DYNAMIC) and skipping loads decode on the calling thread. The store is locked for the
 * whole load: other threads' appends, removes, key writes and drops on it wait until it ends; the
 * loading thread's own validators may not change the store (SLOTS_EBUSY, see Stores).
 * A load can be stopped from another thread or a signal handler: see slots_store_cancel_load().
 * Statuses: SLOTS_OK, SLOTS_EPARSE, SLOTS_ENOATTR, SLOTS_ETYPE, SLOTS_ERANGE, SLOTS_EINVAL,
 * SLOTS_EEXIST, SLOTS_EREADONLY, SLOTS_ENOMEM (also: more than 1024 loads running in the process at
 * once), SLOTS_ESTALE, SLOTS_EIO (file paths), SLOTS_ECANCELED, SLOTS_EBUSY.
 * The _file variants read everything the path gives, to its end: a regular file, a /proc file, a
 * FIFO or device (/dev/stdin), through a streaming load (slots_loader_begin below), 4 MiB at a
 * time, so the text is never held whole; their rows are added at once at the end, keys the store
 * holds are found then (after any bad row), and a cancel request counts from the moment the file
 * is open. With SLOTS_LOAD_UPSERT a load runs the same way on its text in memory. A directory is SLOTS_EIO with errno EISDIR; every SLOTS_EIO sets
 * slots_errno() and a message in Python's words ("[Errno 2] No such file or directory: 'x.csv'"). */
#define SLOTS_LOAD_SKIP_BAD 0x1u
#define SLOTS_LOAD_LENIENT  0x2u /* missing fields without a default stay unset (not the key) */
#define SLOTS_LOAD_TRIM_HEADER 0x10u /* CSV only: blanks around header names are trimmed, not an error
                                        (a JSON Lines load refuses it as an unknown flag) */
SLOTS_API int slots_store_load_jsonl(slots_store *s, const char *buf, size_t len, unsigned flags,
                                     size_t *loaded, size_t *skipped);
SLOTS_API int slots_store_load_jsonl_file(slots_store *s, const char *path, unsigned flags,
                                          size_t *loaded, size_t *skipped);
SLOTS_API int slots_store_load_csv(slots_store *s, const char *buf, size_t len, unsigned flags,
                                   size_t *loaded, size_t *skipped);
SLOTS_API int slots_store_load_csv_file(slots_store *s, const char *path, unsigned flags,
                                        size_t *loaded, size_t *skipped);
/* Asks the load running on `s`, if any, to stop. The load checks for the request every 1024 rows
 * (on every thread it decodes on, and while it indexes keys), then fails with SLOTS_ECANCELED and
 * the message "load cancelled" and leaves the store's records exactly as they were: all or nothing,
 * for skipping loads too (nothing is added; the error list holds the one error, as for any failed
 * load).
 * A request belongs to the load running when it is made: a call while no load of `s` runs does
 * nothing, and a later load does not see it, so a Ctrl-C pressed between two loads never fails the
 * next one. A load runs while its rows decode: once its text is in memory (a file load and a
 * streaming load run from their start to their commit) and it holds the store (it waits for another load of the same store to end),
 * until its last row is decoded and its keys indexed; a request that comes later, while it
 * commits, changes nothing and the load succeeds. A caller that must not miss a load that is about
 * to start calls again until that load has returned (the Python binding does).
 * Returns the number of loads asked to stop: 1, or 0 when no load of `s` was running (also for
 * NULL and for a dropped store). Never sets an error message.
 * Async-signal-safe and thread-safe: it takes no lock, allocates nothing and never reads through
 * `s` (it compares the pointer with those of the loads in progress), so a signal handler may call
 * it at any moment, even with a store that another thread is dropping. */
SLOTS_API int slots_store_cancel_load(slots_store *s);
/* A long load's progress: fn(rows, ctx) is called on the loading thread with the number of rows
 * decoded since its previous call (so a progress bar's update(n) fits it as it is), about every
 * `every_rows` rows (0: 65536), while the rows decode (a load on several threads reports all of
 * them, every 10 ms or so once the loading thread's own part is done), and once more at the end
 * with the rest. Rows decoded and then undone (a failed load) were reported all the same; a
 * skipped row counts. fn returns 0 to go on, or nonzero to stop the load as
 * slots_store_cancel_load() does (SLOTS_ECANCELED, the store unchanged); the last call comes
 * when every row is in and cannot stop it. fn may read the store, not change it (SLOTS_EBUSY).
 * Applies to the store's later loads; NULL removes it. SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE,
 * SLOTS_EBUSY (from the store's own load). Thread-safe. */
typedef int (*slots_progress_fn)(uint64_t rows, void *ctx);
SLOTS_API int slots_store_set_load_progress(slots_store *s, slots_progress_fn fn, void *ctx, size_t every_rows);
/* The errors of the store's last load: with SLOTS_LOAD_SKIP_BAD, the first N rows it skipped (N is
 * 10 unless slots_store_set_load_error_limit says otherwise); for a load that failed, the one error
 * that stopped it. A load replaces the list as soon as it has checked its store and flags, failed
 * or not: the list is diagnostics, like slots_errmsg(), and a failed load needs no allocation for
 * it (the old list is freed by the next load). Each entry:
 *   line     the line the row starts on (from 1; a CSV header error: its line); 0 for an error
 *            that is not about a row (out of memory, a NULL buffer);
 *   column   CSV: the cell, from 1; JSON: the byte column in the line, from 1 (as Python's
 *            JSONDecodeError.colno); 0 when the error is about the whole row (a missing field, a
 *            duplicate key, a wrong number of CSV cells);
 *   offset   the byte offset of that place from the start of the text (the file's first byte),
 *            or of the row's start when column is 0;
 *   field    the field, attribute or header column it concerns, or "" (never NULL);
 *   message  the message without its "line N: " (Python's words, as slots_errmsg()).
 * slots_store_load_error_list hands out the store's own array: valid until the store's next load or
 * its drop, so not to be read while another thread may load into the store. slots_store_load_error_get
 * and slots_store_load_errors hand out copies, valid until this thread's next libslots call has
 * returned. */
typedef struct slots_load_error {
    size_t line;
    size_t column;
    size_t offset;
    const char *field;
    const char *message;
} slots_load_error;
/* *errors (may be NULL) = the store's list as an array of *n (may be NULL) entries (for C callers).
 * SLOTS_OK, SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_store_load_error_list(const slots_store *s, const slots_load_error **errors, size_t *n);
/* Entry i of the list, field by field, for FFIs that would rather not lay out a struct (every out
 * parameter may be NULL). SLOTS_OK, SLOTS_EINDEX (i >= the count), SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_store_load_error_get(const slots_store *s, size_t i, size_t *line, size_t *column,
                                         size_t *offset, const char **field, const char **message);
/* How many skipped rows a load keeps in the list (default 10; 0 keeps none; the skipped count is
 * never limited). Applies from the store's next load. SLOTS_OK, SLOTS_ESTALE, SLOTS_EINVAL. */
SLOTS_API int slots_store_set_load_error_limit(slots_store *s, size_t n);
/* The list as text: "line N: message" per entry, one per line ("" if none; a failed load's error
 * that is not about a row has no "line N: "). A copy (see above). NULL for a bad store (or out of
 * memory; slots_errmsg says which). */
SLOTS_API const char *slots_store_load_errors(const slots_store *s);
/* Writes every record as JSON Lines (slots_to_json per line) or CSV (a header of all fields; unset
 * and null cells empty; bytes base64).
 * To a file path, atomically and durably: the text goes to a new temporary file in the path's
 * directory (created exclusively; the mode of the file it replaces, or 0666 less the umask), is
 * synced to disk, renamed over the path, and the directory is synced. On any failure (the dump's
 * own error, a full disk, EIO, EACCES, a missing directory) the old file is untouched, no temporary
 * is left behind, and the call returns the dump's status or SLOTS_EIO (see slots_errno(); the
 * message names the path: "[Errno 28] No space left on device: 'out.csv'"). A symbolic link keeps
 * pointing to the replaced file; a read-only file is refused (EACCES) as open() would refuse it; a
 * path naming a device or FIFO (/dev/stdout) is written in place, with no rename. The new file is
 * the caller's own (owner not carried over) and other hard links to the old one keep its text.
 * To memory: *out points to the text in the calling thread's scratch buffer, valid until the next
 * dump/repr/to_json call on this thread.

 * JSON Lines refuses a NaN or infinite float (SLOTS_EINVAL naming the record by its position, then
 * the type and field: "record at position 3: Out of range float values are not JSON compliant: nan
 * (Product.price)") unless written with the _flags variants and SLOTS_DUMP_ALLOW_NAN.
 * CSV: a header of every field, then, on a SLOTS_DYNAMIC type, of every extra's name (the union
 * over all records, in the order first seen); then one row per record. Unset and null cells are
 * empty (read back as unset, or null for an optional field); floats as Python's repr (nan, inf and
 * -inf included, which the loader reads back); bytes as base64 ("" for empty bytes); bools as
 * true/false; refs as handle numbers. Extras are written the same way, and an empty cell for a
 * record without that extra or with a null one: a load gives them back as str extras holding that
 * text (CSV has no types), and null extras not at all. A one-field type's unset or null value is an
 * empty line, which a one-column load reads as a row (see above). Records of a type with no fields
 * and no extras have no CSV form: SLOTS_EINVAL.
 * SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_ENOMEM, SLOTS_EIO. */
SLOTS_API int slots_store_dump_jsonl(const slots_store *s, const char **out, size_t *len);
SLOTS_API int slots_store_dump_jsonl_file(const slots_store *s, const char *path);
/* The same with dump flags (0 or SLOTS_DUMP_ALLOW_NAN); an unknown flag is SLOTS_EINVAL. */
SLOTS_API int slots_store_dump_jsonl_flags(const slots_store *s, unsigned flags, const char **out, size_t *len);
SLOTS_API int slots_store_dump_jsonl_file_flags(const slots_store *s, const char *path, unsigned flags);
SLOTS_API int slots_store_dump_csv(const slots_store *s, const char **out, size_t *len);
SLOTS_API int slots_store_dump_csv_file(const slots_store *s, const char *path);

/* ---- Sources: many values, streaming loads, cache operations, response dumps -------------------
 * Redis, PostgreSQL and HTTP sources hand records over as many small values or as a stream of
 * chunks; a cache replaces records by key. Everything here keeps the load rules above (strict or
 * lenient rows, all or nothing unless skipping, errors in Python's words, cancellation, progress,
 * the store's load-error list). */
#define SLOTS_LOAD_UPSERT 0x40u /* a row whose key a record of the store already holds replaces that
                                   record's contents in place (its handle stays valid, its position
                                   too) instead of failing as a duplicate; a key given twice in one
                                   load: the last row wins, at the first one's position. Still all or
                                   nothing: nothing is replaced or added unless the whole load
                                   succeeds. A type without a key field appends as usual. A
                                   type with a readonly field, or SLOTS_FROZEN, cannot change in
                                   place: the old record is freed (its handles go stale) and the
                                   row added. *loaded counts the rows taken, added or replacing. */
/* Loads n JSON objects, values[i] of lens[i] bytes each (one object per value; newlines inside a
 * value are fine), as slots_store_load_jsonl loads lines: the same flags (SLOTS_LOAD_SKIP_BAD,
 * SLOTS_LOAD_LENIENT, SLOTS_LOAD_UPSERT), all or nothing, decoded on every core for a large batch
 * (the threads split the values by count once they hold more than 1 MiB in all). Errors name the
 * value from 1: "value 17: Expecting value" (the load-error list's `line` is the value's number,
 * `offset` the byte offset inside that value, `column` offset + 1). A NULL values[i] (a Redis
 * MGET nil: the key is gone) is no row: neither loaded nor skipped; an empty or blank value is a
 * bad row ("Expecting value"). values and lens may be NULL when n is 0. The arrays and the bytes
 * are read during the call only. Statuses as the other loads. Thread-safe. */
SLOTS_API int slots_store_load_json_values(slots_store *s, const char *const *values, const size_t *lens, size_t n,
                                           unsigned flags, size_t *loaded, size_t *skipped);

/* A streaming load: text arrives in chunks of any size (a socket, a pipe, PostgreSQL's COPY TO
 * STDOUT one row per PQgetCopyData, a file read piece by piece) and is decoded as it comes, in
 * batches of about 4 MiB (on every core, as a load of that text), so a 10 GB file needs no 10 GB
 * buffer: only the decoded records and the last unfinished row are held. A row may be cut anywhere
 * between two feeds, inside a quoted CSV cell or a UTF-8 character too; line numbers and offsets
 * in errors count from the start of the stream, as if it had been loaded in one piece.
 * All or nothing at the commit: the rows are decoded into a staging area of the loader's own, not
 * into the store, so while the loader is open the store is unchanged and fully usable by every
 * thread (reads, appends, removes, other loads and loaders, a drop); at the commit, under the
 * store's lock, every row appears at once, or none (a duplicate key, cancellation, no memory). A
 * key is checked against the store's records at the commit (rows of the same stream that repeat a
 * key are refused as they are decoded, as in a one-piece load); with SLOTS_LOAD_UPSERT the commit
 * replaces records in place instead.
 * It is a load: slots_store_cancel_load(store) stops it (the next feed or the commit fails with
 * SLOTS_ECANCELED, and so does every later call but abort) from begin to commit, so an open loader
 * takes one of the 1024 places for running loads; the store's progress function (as it was at
 * begin) is told of the rows as they decode; with SLOTS_LOAD_SKIP_BAD the skipped rows' errors
 * are gathered over all feeds and become the store's load-error list at the commit; a failed feed
 * or commit sets the list to its one error.
 * A failed feed ends the load: the staging area is freed at once, and every later feed or commit
 * returns the same status and message; only abort (or the failing commit) frees the loader.
 * A loader left open holds its records' memory (slots_memory_used counts it, the store's
 * slots_store_memory does not) and its place for running loads until it is committed or aborted.
 * A loader whose store is dropped fails at its next feed or at the commit (SLOTS_ESTALE).
 * Loader references are checked like store references (an id and an incarnation, not an address):
 * a committed, aborted, forged or NULL loader is SLOTS_ESTALE, never a crash; a loader may be fed
 * from any thread, one call at a time: a call while another thread is inside a call on the same
 * loader (or a validator of its rows calls back into it) is SLOTS_EBUSY and changes nothing.
 * The _file loads and the loads with SLOTS_LOAD_UPSERT run through a loader. */
#define SLOTS_FORMAT_JSONL 1 /* JSON Lines, as slots_store_load_jsonl reads it */
#define SLOTS_FORMAT_CSV   2 /* CSV with a header row, as slots_store_load_csv reads it */
typedef struct slots_loader slots_loader;
/* Starts a streaming load into s: format SLOTS_FORMAT_JSONL or SLOTS_FORMAT_CSV, flags as that
 * format's load takes them (SLOTS_LOAD_SKIP_BAD, SLOTS_LOAD_LENIENT, SLOTS_LOAD_UPSERT,
 * SLOTS_LOAD_TRIM_HEADER for CSV). *out = the loader, to end with slots_loader_commit or
 * slots_loader_abort. SLOTS_OK, SLOTS_EINVAL (format, flags, NULL out), SLOTS_ESTALE, SLOTS_EBUSY
 * (from the store's own load), SLOTS_ENOMEM (also: 1024 loads and loaders running). */
SLOTS_API int slots_loader_begin(slots_store *s, int format, unsigned flags, slots_loader **out);
/* Feeds the next len bytes of the text (buf may be NULL when len is 0); the bytes are copied or
 * decoded before the call returns. Rows completed by this chunk may be decoded now (a bad row
 * fails the feed, unless skipping). SLOTS_OK, the load statuses (SLOTS_EPARSE, SLOTS_ETYPE, ...,
 * with "line N: "), SLOTS_ESTALE (loader or store gone), SLOTS_EBUSY, SLOTS_ECANCELED. */
SLOTS_API int slots_loader_feed(slots_loader *l, const char *buf, size_t len);
/* Decodes the rest (a last row without a line end included) and adds every row to the store at
 * once; *loaded / *skipped (may be NULL) as for the other loads. Frees the loader, whatever the
 * result (except SLOTS_EBUSY: another thread is using it, and it stays). The load statuses,
 * SLOTS_EEXIST (a key the store holds), SLOTS_ESTALE, SLOTS_EBUSY, SLOTS_ECANCELED, SLOTS_ENOMEM. */
SLOTS_API int slots_loader_commit(slots_loader *l, size_t *loaded, size_t *skipped);
/* Ends the load with no change to the store and frees the loader. SLOTS_OK, SLOTS_ESTALE (not a
 * live loader), SLOTS_EBUSY (another thread is inside a call on it: the loader stays). */
SLOTS_API int slots_loader_abort(slots_loader *l);

/* Cache operations by key (types with a key field). */
/* Puts a copy of record `rec` (of the store's type, from anywhere: the type's default store, this
 * store or another; its key set) into s: when a record of s holds the same key its fields and
 * extras are replaced in place by the copy's (*out = that record's handle, unchanged), else the
 * copy is appended (*out = the new handle). rec itself is not changed (rec already in s is left as
 * it is). All or nothing. Readers on other threads see each field whole, old or new (a record is
 * not replaced as one atomic unit). *out may be NULL. SLOTS_OK, SLOTS_ESTALE, SLOTS_ETYPE (another
 * type, or a type without a key field), SLOTS_EUNSET (rec's key is unset), SLOTS_EINVAL,
 * SLOTS_ENOMEM, SLOTS_ERANGE (the store is full), SLOTS_EBUSY (from the store's own load).
 * Thread-safe. */
SLOTS_API int slots_store_upsert(slots_store *s, slots_obj rec, slots_obj *out);
/* As slots_store_upsert, but only a record that holds rec's key is replaced: SLOTS_ENOKEY (the key
 * as KeyError shows it) when none does, and nothing is added. */
SLOTS_API int slots_store_replace(slots_store *s, slots_obj rec, slots_obj *out);
/* Removes (frees) the record with the key (Python's `del store[key]`): its handles go stale.
 * SLOTS_OK, SLOTS_ENOKEY ("42", "'abc'"), SLOTS_ETYPE (no key field, or the other key family),
 * SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_EBUSY (from the store's own load). Thread-safe. */
SLOTS_API int slots_store_remove_key_i64(slots_store *s, int64_t key);
SLOTS_API int slots_store_remove_key_u64(slots_store *s, uint64_t key);
SLOTS_API int slots_store_remove_key_str(slots_store *s, const char *key, size_t len);

/* The API response path: records of a store as one JSON text, each object as slots_to_json
 * writes it, either as JSON Lines (one object and '\n' per record) or, with SLOTS_DUMP_ARRAY, as
 * one JSON array ("[{...},{...}]", "[]" for none). Flags: SLOTS_DUMP_ARRAY, SLOTS_DUMP_ALLOW_NAN.
 * *out is in the calling thread's scratch buffer, as for the other dumps to memory. A record that
 * cannot be written (a NaN without SLOTS_DUMP_ALLOW_NAN) fails the call, named by its place in
 * the selection ("record 3: ..."). SLOTS_OK, SLOTS_EINVAL, SLOTS_ESTALE, SLOTS_ENOMEM. */
#define SLOTS_DUMP_ARRAY 0x10u
/* The n records given by handle, in that order (repeats allowed); each must be a live record of
 * s (SLOTS_ESTALE; SLOTS_EINVAL for a record of another store). */
SLOTS_API int slots_store_dump_json_select(const slots_store *s, const slots_obj *records, size_t n, unsigned flags,
                                           const char **out, size_t *len);
/* The records at positions [start, stop) (clipped to the store's length, as a Python slice). */
SLOTS_API int slots_store_dump_json_range(const slots_store *s, size_t start, size_t stop, unsigned flags,
                                          const char **out, size_t *len);
/* The records with the given keys, in that order: integer keys (find_i64's), or str keys (keys[i]
 * of lens[i] bytes). A key no record holds is SLOTS_ENOKEY (the key as KeyError shows it). */
SLOTS_API int slots_store_dump_json_keys_i64(const slots_store *s, const int64_t *keys, size_t n, unsigned flags,
                                             const char **out, size_t *len);
SLOTS_API int slots_store_dump_json_keys_str(const slots_store *s, const char *const *keys, const size_t *lens,
                                             size_t n, unsigned flags, const char **out, size_t *len);

/* ---- Columns ------------------------------------------------------------------------------------
 * A numeric or bool field of every record, in position order, as a packed C array of the field's
 * own type (bool/i8: 1 byte, u8, i16, u16, i32, u32, f32: 4 bytes, i64, u64, f64: 8 bytes), so a
 * binding can hand it to numpy or array without a per-record loop. */
/* Copies the column into buf (buf_bytes >= len * field size); unset or null cells read as 0 (NaN for
 * floats; slots_store_column_read_validity() says which cells those are). *count = records
 * written. SLOTS_OK, SLOTS_ETYPE (not a numeric/bool field), SLOTS_EINVAL
 * (buffer too small, NULL, bad index), SLOTS_ESTALE. */
SLOTS_API int slots_store_column_read(const slots_store *s, int field, void *buf, size_t buf_bytes, size_t *count);
/* The column as slots_store_column_read() copies it, plus which cells hold a value: a validity
 * bitmap as in Apache Arrow, bit k (byte k / 8, bit k % 8, least significant first) is 1 when record
 * k's field holds a value and 0 when it is null or unset (so an unset 0 is never taken for a real 0);
 * the bits after the last record in the last byte are 0. Either buffer may be NULL, and is then not
 * written: buf needs buf_bytes >= count * field size, validity needs validity_bytes >= (count + 7) / 8.
 * *count = records (may be NULL), *nulls = records whose field is null or unset (may be NULL).
 * Values, bits and counts come from one pass under the store's lock, so they describe the same
 * records even while other threads append or remove. The caller owns both buffers; nothing is
 * kept. SLOTS_OK, SLOTS_ETYPE (not a numeric/bool field), SLOTS_EINVAL (a buffer too small, bad
 * index), SLOTS_ESTALE. Thread-safe. */
SLOTS_API int slots_store_column_read_validity(const slots_store *s, int field, void *buf, size_t buf_bytes,
                                               void *validity, size_t validity_bytes, size_t *count,
                                               size_t *nulls);
/* Sets the field of every record from buf (len values, checked like the typed setters). All or
 * nothing: every value is checked before any is written. SLOTS_OK, SLOTS_ETYPE, SLOTS_ERANGE (e.g.
 * a bool other than 0/1, an f32 overflow), SLOTS_EREADONLY, SLOTS_EINVAL (the key field, a buffer
 * of the wrong size), SLOTS_ESTALE. */
SLOTS_API int slots_store_column_write(slots_store *s, int field, const void *buf, size_t buf_bytes);
/* Aggregates over the set, non-null values of a numeric field: *count values, their *sum, *min and
 * *max (as doubles; any out-pointer may be NULL; min/max are NaN when count is 0; NaN values make
 * the sum NaN). SLOTS_OK, SLOTS_ETYPE, SLOTS_EINVAL, SLOTS_ESTALE. */
SLOTS_API int slots_store_aggregate(const slots_store *s, int field, size_t *count, double *sum, double *min,
                                    double *max);
/* The exact sum of an integer field's set values. SLOTS_OK, SLOTS_ERANGE (overflows i64),
 * SLOTS_ETYPE, SLOTS_EINVAL, SLOTS_ESTALE. */
SLOTS_API int slots_store_sum_i64(const slots_store *s, int field, int64_t *sum);

/* ---- Arrow ------------------------------------------------------------------------------------
 * Stores and types as Apache Arrow data through the Arrow C Data Interface and its C Stream
 * Interface (https://arrow.apache.org/docs/format/CDataInterface.html, CStreamInterface.html), so
 * pandas, Polars, DuckDB, Spark and every other engine that speaks Arrow read a store, and write
 * into one, with no code of ours. The structs below are the spec's own, under its guards, so a
 * program that also includes arrow/c/abi.h or nanoarrow gets one definition.
 *
 * A store exports as record batches: a struct array (format "+s") with one child per field, in
 * declared order, named after the field. Field kinds map to Arrow formats:
 *   bool "b"; i8 "c", i16 "s", i32 "i", i64 "l"; u8 "C", u16 "S", u32 "I", u64 "L"; f32 "f", f64 "g";
 *   str "u" (utf8), bytes "z" (binary) — or with SLOTS_ARROW_STRING_VIEW "vu" / "vz" (string and
 *   binary views), with SLOTS_ARROW_LARGE "U" / "Z" (64-bit offsets);
 *   timestamp "tsu:UTC" (int64 microseconds), date "tdD" (int32 days), uuid "w:16" (fixed-size
 *   binary, metadata "ARROW:extension:name" = "arrow.uuid" and an empty "ARROW:extension:metadata"),
 *   decimal(P,S) "d:P,S" (decimal128 little-endian, whatever the field's width); an import takes
 *   these formats back ("d:P,S" or "d:P,S,128" of any scale, through its exact text: a digit finer
 *   than the field's scale is refused, never rounded);
 *   ref fields are left out, unless SLOTS_ARROW_REFS asks for them: then "L", the u64 record handle
 *   (meaningful to this process only; 0 never occurs, an unset or null ref is null).
 * Every child carries ARROW_FLAG_NULLABLE, since any field of a record can be unset. A cell is null
 * when the field is unset or null (both export as null); the validity buffer of a child without a
 * null is NULL (null_count 0), as the spec allows. The key field's child has the metadata
 * "libslots.key" = "true"; the top-level schema has "libslots.type" = the type's name (the spec's
 * metadata encoding: int32 count, then int32 length + bytes for each key and value).
 *
 * Ownership. A schema is owned by its type, which is immortal: slots_type_export_schema() and the
 * schemas of an export fill the caller's struct with pointers into a description the type keeps
 * (made on first use, per set of flags), so filling one allocates nothing after the first time and a
 * consumer that never calls the top-level release (DuckDB's duckdb_arrow_scan) leaks nothing.
 * release only marks the struct released (release = NULL), as the spec requires; the children it
 * points to are the type's and are never freed (a consumer that moves a child out marks the type's
 * copy released, as the spec's move does, and its release marks only its own copy; the next export
 * marks the type's copy live again).
 * An exported array owns its buffers: they are copies, made in one pass over the store's records
 * under the store's lock (text read under each slot's lock, as every reader does), so the array
 * stays valid and unchanged after the store changes or is dropped, until its release is called.
 * release frees every buffer and every child not moved out; a child moved out (the spec's "moving
 * child arrays") is released on its own and owns its buffers alone. The structs themselves are the
 * caller's: the spec's moved-struct rule holds (a consumer may copy *out elsewhere and mark the
 * original released).
 * Buffers are allocated by libslots's allocator and counted by slots_memory_used() until released.
 * Releasing is thread-safe and may happen on any thread, after the store is gone. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    /* Array type description */
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;

    /* Release callback */
    void (*release)(struct ArrowSchema *);
    /* Opaque producer-specific data */
    void *private_data;
};

struct ArrowArray {
    /* Array data description */
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;

    /* Release callback */
    void (*release)(struct ArrowArray *);
    /* Opaque producer-specific data */
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    /* Callback to get the stream type (will be the same for all arrays in the stream).
     * Return value: 0 if successful, an errno-compatible error code otherwise.
     * If successful, the ArrowSchema must be released independently from the stream. */
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);

    /* Callback to get the next array (if no error and the array is released, the stream has ended).
     * Return value: 0 if successful, an errno-compatible error code otherwise.
     * If successful, the ArrowArray must be released independently from the stream. */
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);

    /* Callback to get optional detailed error information. This must only be called if the last
     * stream operation failed with a non-0 return code.
     * Return value: pointer to a null-terminated character array describing the last error, or NULL
     * if no description is available. The returned pointer is only valid until the next operation on
     * this stream (including release). */
    const char *(*get_last_error)(struct ArrowArrayStream *);

    /* Release callback: release the stream's own resources. Note that arrays returned by get_next
     * must be individually released. */
    void (*release)(struct ArrowArrayStream *);

    /* Opaque producer-specific data */
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

#define SLOTS_ARROW_STRING_VIEW 0x1u /* str and bytes as string / binary views ("vu", "vz") */
#define SLOTS_ARROW_LARGE       0x2u /* str and bytes with 64-bit offsets ("U", "Z"); not with views */
#define SLOTS_ARROW_REFS        0x4u /* ref fields too, as u64 record handles ("L") */
/* The type's records as an Arrow schema: a struct ("+s", name "", the type's name in metadata) with a
 * child per exported field, as above. *out is filled (whatever it held is overwritten) and owned by
 * the caller until its release is called, which only marks it released (the description is the
 * type's). SLOTS_OK, SLOTS_EINVAL (a bad type, NULL out, unknown or conflicting flags),
 * SLOTS_ENOMEM (the first export of the type with these flags). Thread-safe. */
SLOTS_API int slots_type_export_schema(const slots_type *t, unsigned flags, struct ArrowSchema *out);
/* Every record of the store, in position order, as one Arrow struct array (*array_out: length =
 * len(s), null_count 0, offset 0, one child per exported field) and its schema (*schema_out, as
 * slots_type_export_schema() gives it; schema_out may be NULL). The array is a copy made in one pass
 * under the store's lock: it owns its buffers and stays valid after the store changes or is dropped;
 * the caller calls array_out->release when done. Text longer in all than a 32-bit offset can say
 * ("u", "z", and the one data buffer of views: 2 GiB per column) is SLOTS_ERANGE naming the field:
 * use SLOTS_ARROW_LARGE, or a stream's smaller batches. Nothing is filled on failure.
 * SLOTS_OK, SLOTS_EINVAL, SLOTS_ERANGE, SLOTS_ENOMEM, SLOTS_ESTALE. Thread-safe. */
SLOTS_API int slots_store_export_array(slots_store *s, unsigned flags, struct ArrowSchema *schema_out,
                                       struct ArrowArray *array_out);
/* The store as an Arrow C stream of record batches of batch_rows records each (the last may be
 * shorter; 0: 65536), in position order: get_schema gives the schema of slots_type_export_schema(),
 * get_next one batch as slots_store_export_array() makes it (each copied when asked for, each owned
 * by the caller), then, after the last record, a released array (the end; an empty store ends at
 * once). The stream holds the store by its reference, not its records: if the store is dropped, or
 * changes after the stream was made (records added, removed or cleared, a field set or deleted),
 * the next get_next fails with EINVAL and get_last_error() says which, rather than give a batch
 * from another state of the store than the batches before it; a stream that has given every
 * record ends all the same. (While a stream is open on a store, each field write to that store
 * also counts itself: one atomic add.) Other get_next failures: ENOMEM, EOVERFLOW
 * (text too long for 32-bit offsets, see above). As the spec says, the stream's callbacks are not
 * thread-safe (one thread at a time), release frees only the stream's own state (batches and
 * schemas handed out stay valid), and the struct may be moved. *out is filled on success only.
 * SLOTS_OK, SLOTS_EINVAL, SLOTS_ENOMEM, SLOTS_ESTALE. Thread-safe. */
SLOTS_API int slots_store_export_stream(slots_store *s, size_t batch_rows, unsigned flags,
                                        struct ArrowArrayStream *out);
/* Loads every row of an Arrow C stream of struct batches into the store, as the JSON Lines and CSV
 * loads do (see Bulk load and dump): columns matched to fields by name (a column that is not a
 * field is SLOTS_ENOATTR naming it, except on a SLOTS_DYNAMIC type, where it becomes an extra of
 * each row; a repeated column name is SLOTS_EINVAL); each cell goes through the one path into a
 * field, so kinds, ranges, UTF-8, readonly and key rules and validators apply exactly as to a
 * setter ("batch 2, row 17: Product.price must be f64, not str"). A null cell is null in an optional
 * field; in any other field it is a missing cell, as an empty CSV cell is: like a column not in the
 * stream, it leaves the field to its default, and a field without one is a missing field
 * ("batch 0, row 3: missing field 'name'", SLOTS_ETYPE) unless SLOTS_LOAD_LENIENT leaves it unset
 * (the key is always required). So an export imports back as it was, except that an unset optional
 * field comes back null. Accepted formats: b c s i l C S I L f g u U vu z
 * Z vz n (the null type); others (dictionaries, nested, dates, ...) are SLOTS_ETYPE naming the
 * column. Batches and rows are named from 0, as Arrow libraries index them; a load error entry's
 * line is the row's number in the whole stream from 1. All or nothing: on any failure the store is
 * as it was; with SLOTS_LOAD_SKIP_BAD bad rows are skipped and counted instead (*skipped is not
 * reported here: slots_store_load_error_list() has them). *loaded (may be NULL) = records added.
 * The call consumes the stream: it is released (its release called) before the call returns,
 * whatever the result, as are every schema and array taken from it. The store is locked for the
 * whole import; the stream's callbacks run on the calling thread and must not call into this
 * store. SLOTS_OK, the statuses of the loads, and SLOTS_EIO when the stream itself fails (its
 * get_last_error() text in the message). */
SLOTS_API int slots_store_import_stream(slots_store *s, struct ArrowArrayStream *in, unsigned flags, size_t *loaded);

/* ============================================================================================== */
/* Validators: a caller's rule on a field, run by the core on every path into it                  */
/* ============================================================================================== */
/* A value handed to a validator or a native method: `kind` says which member holds it. A validator
 * of a timestamp, date, uuid or decimal field gets the new value's canonical text (SLOTS_STR). */
typedef struct slots_arg {
    int kind;        /* SLOTS_BOOL, SLOTS_I64, SLOTS_U64, SLOTS_F64, SLOTS_STR, SLOTS_REF, or 0 (null/void) */
    int64_t i;       /* SLOTS_BOOL (0/1) and SLOTS_I64 */
    uint64_t u;      /* SLOTS_U64 and SLOTS_REF (a handle) */
    double f;        /* SLOTS_F64 */
    const char *s;   /* SLOTS_STR: UTF-8, `len` bytes */
    size_t len;
} slots_arg;

/* A validator runs on every set of its field (typed setters, JSON, CSV, bulk loads, columns) after
 * the kind and range checks and before anything changes. It returns 0 to accept, or nonzero to
 * refuse, writing a reason into msg (msgcap bytes, NUL-terminated); the set then fails with
 * SLOTS_EINVAL and the message "Product.price: <reason>". `self` is the record being set (read its
 * other fields if needed; do not set fields of it), `value` the new value (kind 0 for null). */
typedef int (*slots_validator)(slots_obj self, int field, const slots_arg *value, char *msg, size_t msgcap, void *ctx);
/* Binds a validator (NULL removes it) to field `field` of `t`; ctx is passed back unchanged.
 * Applies to records of `t` only (a subtype made later copies its base's validators). SLOTS_OK,
 * SLOTS_EINVAL. Bind before other threads use the type. */
SLOTS_API int slots_field_set_validator(slots_type *t, int field, slots_validator fn, void *ctx);

/* ============================================================================================== */
/* The ffi bridge: C-compatible layouts, native methods and properties (libffi)                  */
/* A type defined with SLOTS_CLAYOUT lays its fields out in declared order exactly as the platform's
 * C ABI lays out the equivalent struct (base fields first, flattened; computed from the C types'
 * sizes and alignments, and checked against libffi's layout by slots_type_ffi_type()); a str
 * field is then a `char *` to a NUL-terminated copy owned by the record (NULL while unset or null)
 * and cannot hold a NUL byte; bytes fields are not allowed. Presence bits and the generation follow
 * the struct; slots_type_ffi_type() describes exactly the struct part (its size and alignment are
 * the C compiler's; slots_field_offset() gives each field's offset in it).
 * Methods are native functions bound to a type by name with a signature string:
 *     signature := RET '(' [ PARAM { ',' PARAM } ] ')'
 *     RET       := void | bool | i8 ... u64 | f32 | f64 | str | ref
 *     PARAM     := self | ptr | bool | i8 ... u64 | f32 | f64 | str | ref
 * `self` passes the record's handle (uint64_t), `ptr` its raw address (void *; the struct for a
 * SLOTS_CLAYOUT type), str a NUL-terminated `const char *` valid during the call, ref a uint64_t
 * handle, bool a C `bool`; each kind is passed as its C type (int8_t ... double). Bind methods before
 * records of the type are used from several threads; calls themselves are thread-safe. */
/* ============================================================================================== */
#define SLOTS_CLAYOUT 0x04u /* type flag: C struct layout (see above) */


/* A native function to bind as a method; called through libffi with the bound signature's types. */
typedef void (*slots_native_fn)(void);

/* Method flags. */
#define SLOTS_METHOD_PROPERTY 0x01u /* a computed read-only attribute: signature RET(self) or RET(ptr) */

/* The libffi `ffi_type *` describing the C struct of a SLOTS_CLAYOUT type (cast it to ffi_type *),
 * made on the first request. Owned by the type (immortal). NULL with SLOTS_EINVAL for a type
 * without SLOTS_CLAYOUT, SLOTS_ENOMEM, or SLOTS_ELAYOUT if libffi would lay the struct out
 * otherwise than the C compiler's rules the type was laid out by. Thread-safe. */
SLOTS_API const void *slots_type_ffi_type(const slots_type *t);
/* UNCHECKED ACCESS. *out = the address of the record's bytes, after validating the handle once.
 * The address stays valid until the record is freed or its store dropped; nothing checks uses of
 * it, and writes through it bypass every rule (kinds, ranges, readonly, keys, presence bits).
 * Intended for passing SLOTS_CLAYOUT records to C functions that take `struct X *` and for
 * read-only views (e.g. ctypes.Structure.from_address). SLOTS_OK or SLOTS_ESTALE. */
SLOTS_API int slots_record_ptr_unchecked(slots_obj o, void **out);
/* Binds native function `fn` as method `name` of `t` (found on its subtypes too), with
 * `signature` as above; `flags` is 0 or SLOTS_METHOD_PROPERTY. Rebinding a name replaces it.
 * SLOTS_OK, SLOTS_EINVAL (NULL, bad name, a field's name, unknown flag), SLOTS_EPARSE (bad signature;
 * a property taking more than self/ptr), SLOTS_ENOMEM. */
SLOTS_API int slots_method_bind(slots_type *t, const char *name, const char *signature, slots_native_fn fn,
                                unsigned flags);
/* Like slots_method_bind() with the function found by dlopen(library) + dlsym(symbol). The library
 * stays loaded for the process's life. SLOTS_ENOATTR (no such library or symbol, with dlerror's
 * text), else as slots_method_bind(). */
SLOTS_API int slots_method_bind_symbol(slots_type *t, const char *name, const char *signature, const char *library,
                                       const char *symbol, unsigned flags);
/* Calls method `name` of the record (looked up on its type, then its bases) with `nargs` arguments
 * for the signature's non-self/ptr parameters, converting each like a field setter would (range
 * checked). *result receives the return value (kind 0 for void); a str result is copied into the
 * thread's scratch buffer (valid until the next call that uses it on this thread). SLOTS_OK,
 * SLOTS_ESTALE, SLOTS_ENOATTR ("'Product' object has no attribute 'x'"), SLOTS_ETYPE (wrong
 * argument count or kind: "discounted() takes 1 argument (2 given)"), SLOTS_ERANGE, SLOTS_EINVAL,
 * SLOTS_ENOMEM. Thread-safe; the function itself must be, if called from several threads. */
SLOTS_API int slots_call(slots_obj o, const char *name, const slots_arg *args, size_t nargs, slots_arg *result);
/* Methods of a type, its bases' included (a subtype's own first): count, and the i-th one's name,
 * signature and flags. Strings live as long as the binding. SLOTS_EINVAL for a bad type or index. */
SLOTS_API int slots_method_count(const slots_type *t);
SLOTS_API const char *slots_method_name(const slots_type *t, int i);
SLOTS_API const char *slots_method_signature(const slots_type *t, int i);
SLOTS_API int slots_method_flags(const slots_type *t, int i);


/* ============================================================================================== */
/* Memory accounting                                                                               */
/* Every byte the library allocates goes through one counting allocator.                          */
/* ============================================================================================== */
/* Bytes the library holds right now, process-wide: types, record slabs, out-of-line strings, extras,
 * stores and indexes (requested sizes, not malloc's rounding). Thread-safe. */
SLOTS_API size_t slots_memory_used(void);
/* Bytes held for records of exactly type `t` (not subtypes), across all its stores: any of the
 * out-pointers may be NULL. `records`: slab bytes (record size x capacity); `strings`: out-of-line
 * string and bytes values; `extras`: extra attributes. SLOTS_OK or SLOTS_EINVAL. Thread-safe. */
SLOTS_API int slots_type_memory(const slots_type *t, size_t *records, size_t *strings, size_t *extras);
/* *n = live records of exactly type `t` across all its stores. SLOTS_OK or SLOTS_EINVAL. */
SLOTS_API int slots_type_count(const slots_type *t, size_t *n);

#ifdef __cplusplus
}
#endif
#endif /* SLOTS_H */
