/*
 * schema.h — the second layer: record types (fields, their kinds and layout, defaults, names), the field-list
 * parser and the registry of type names. Knows no store and no record.
 */
#ifndef SLOTS_SCHEMA_H
#define SLOTS_SCHEMA_H

#include "base.h"
/* ---- types (type.c, fieldspec.c, registry.c) ------------------------------------------------ */
#define TYPE_MAGIC 0x534c5459u  /* "SLTY" */
#define STORE_MAGIC 0x534c5354u /* "SLST" */
#define MAX_FIELDS 4096
/* A str/bytes field's slot: 24 bytes, up to 23 inline (records.h, str.c, say how). */
#define STR_SLOT 24
#define STR_INLINE_MAX 23
#define STR_HEAP 0xffu

typedef struct field {
    char *name;
    size_t name_len;
    slots_validator validator; /* run by field_set before any change, or NULL */
    void *validator_ctx;
    int kind;
    unsigned flags;     /* SLOTS_FIELD_* including HAS_DEFAULT */
    uint32_t offset;    /* byte offset of the value in a record */
    uint32_t size;      /* bytes of the value */
    uint8_t precision, scale; /* decimal(P,S) */
    value def;          /* the default (strings owned by the type) when HAS_DEFAULT */
    char *def_text;     /* canonical text of the default, or NULL */
    bool own_default;   /* a base field whose default this type redeclared (and owns) */
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
    void *arrow_schemas[8]; /* Arrow schemas by export flags (arrow_schema.c), made on first export, never freed */
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
bool type_is_subtype(const slots_type *t, const slots_type *base); /* introspect.c; t or a base of t is `base` */

/* kind.c: the table of kinds. A family says which value (base.h) a field of the kind takes and
 * gives: KF_BOOL a SLOTS_BOOL value, KF_INT and KF_UINT SLOTS_I64/U64 (range-checked against lo/hi),
 * KF_FLOAT SLOTS_F64 (or an integer), KF_STR, KF_BYTES, KF_REF their own. */
enum { KF_BOOL = 1, KF_INT, KF_UINT, KF_FLOAT, KF_STR, KF_BYTES, KF_REF, KF_TEXTUAL };
/* KF_TEXTUAL kinds (timestamp, date, uuid, decimal) have a native value of their own kind (base.h)
 * and a canonical text: `parse` reads a text into the native value (range-checked; status and no
 * message, as timetext.c), `format` writes it (at most KIND_TEXT_MAX bytes with the NUL). */
#define KIND_TEXT_MAX 48
typedef struct kind_text_fns {
    int (*parse)(const field *f, const char *s, size_t n, value *out);
    size_t (*format)(const field *f, const value *v, char out[KIND_TEXT_MAX]);
} kind_text_fns;
extern const kind_text_fns kind_text_timestamp, kind_text_date, kind_text_uuid, kind_text_decimal;
typedef struct kind_info {
    const char *name;    /* in field lists, messages, slots_kind_name() */
    uint8_t size;        /* bytes in a record (and its alignment, but for str/bytes slots) */
    uint8_t family;      /* KF_* */
    int64_t lo;          /* integer kinds: the inclusive range (lo as signed, hi as unsigned) */
    uint64_t hi;
    const char *arrow;   /* Arrow C Data Interface format string of a column of the kind */
    const kind_text_fns *text; /* KF_TEXTUAL: its parse and format (kindvalue.c) */
} kind_info;
#define KIND_LIMIT 19 /* kind numbers are below this */
extern const kind_info kind_table[KIND_LIMIT];
/* The row of a kind, or NULL for a number that is no kind. */
static inline const kind_info *kind_get(int kind) {
    return kind > 0 && kind < KIND_LIMIT && kind_table[kind].name ? &kind_table[kind] : NULL;
}
int kind_from_name(const char *s, size_t n); /* a SLOTS_* kind, or 0 */
size_t kind_size(int kind);
static inline int kind_family(int kind) {
    const kind_info *k = kind_get(kind);
    return k ? k->family : 0;
}
static inline bool kind_is_int(int kind) { return kind_family(kind) == KF_INT || kind_family(kind) == KF_UINT; }
static inline bool kind_is_float(int kind) { return kind_family(kind) == KF_FLOAT; }
static inline bool kind_is_textual(int kind) { return kind_family(kind) == KF_TEXTUAL; }
/* kindvalue.c: the textual kinds' values. The bytes of a field of kind (size; decimal by its P). */
uint32_t field_width(int kind, unsigned precision);
/* Turns `in` (text, an integer, 16 uuid bytes, or already the native value) into field f's native
 * value in *out, with a message naming t.f on failure: SLOTS_EPARSE (malformed text), SLOTS_ERANGE
 * (out of range, or a decimal digit past the scale), SLOTS_EINVAL (uuid bytes not 16 long),
 * SLOTS_ETYPE (a value of a kind the field does not take; no message: value_check words it). */
int textual_from(const slots_type *t, const field *f, const value *in, value *out);
/* The canonical text of a native value of f's kind as a SLOTS_STR value copied to the read arena
 * (SLOTS_ENOMEM), or into `buf` when buf is not NULL. */
int textual_text(const field *f, const value *v, value *out, char buf[KIND_TEXT_MAX]);
/* -1, 0, 1 ordering two native values of one textual kind. */
int textual_compare(const value *a, const value *b);
/* A decimal value's scaled integer. */
slots_i128 decimal_of(const value *v);
/* Checks that `v` may go into field `f` of type `t` (kind, range, UTF-8, optional) with a message
 * naming the field; `v` is not changed. */
int value_check(const slots_type *t, const field *f, const value *v);
/* value_check, less what the caller has proved of v already: VALUE_KNOWN_ASCII (its text is all
 * ASCII, hence valid UTF-8: a decoder that scanned it says so and the UTF-8 pass is skipped). */
#define VALUE_KNOWN_ASCII 1u
int value_check_known(const slots_type *t, const field *f, const value *v, unsigned known);
/* Whether a value read from a field or extra can be handed out by the getter for `want` (SLOTS_BOOL,
 * I64, U64, F64, STR, BYTES, REF): SLOTS_OK, SLOTS_ERANGE (an integer the other signedness cannot
 * hold) or SLOTS_ETYPE. No message: the caller names the field or attribute. */
int value_as(const value *v, int want);
const char *getter_name(int want);                 /* "an integer", "a float", "str", ... */
void value_int_text(const value *v, char text[24]); /* an I64 or U64 value in decimal */

/* fieldindex.c: a type's field names, hashed. type_find_field: the index of field `name` (len
 * bytes) or -1, no message; err_no_attr: the AttributeError for a name that is not a field. */
int name_table_init(slots_type *t, size_t nfields); /* SLOTS_ENOMEM */
int name_table_add(slots_type *t, int i);
int type_find_field(const slots_type *t, const char *name, size_t len);
int err_no_attr(const slots_type *t, const char *name, size_t len);

/* registry.c: names → types, the set of live type and store pointers, and the lock around them. */
int registry_bind(slots_type *t);
const slots_type *registry_find(const char *name);       /* the type bound to name, or NULL; no message */                      /* adds t and binds its name; SLOTS_ENOMEM */
int registry_check_type(const slots_type *t);          /* SLOTS_OK or SLOTS_EINVAL with a message */

/* ---- clayout.c: SLOTS_CLAYOUT types laid out as the C compiler lays out the equivalent struct -- */
/* Fields in declared order at their C offsets; the struct's size and alignment in
 * t->c_size / t->c_align. SLOTS_ELAYOUT for a field C cannot hold. */
int clayout_lay_out(slots_type *t);

/* ---- format.c: Python-style text of values (type defaults keep theirs as text) ---------------- */
void format_double(strbuf *b, double d);                 /* Python repr(float) */
void format_value_repr(strbuf *b, const value *v, const field *f);

#endif
