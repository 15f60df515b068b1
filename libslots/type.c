/*
 * type.c — building a type from field specs: checking every spec, parsing defaults, inheriting a
 * base's fields, and laying the record out (fields by falling alignment, then the generation and the
 * presence and null bits) so that padding is at most the record's final rounding.
 */
#include "schema.h"

#include <ctype.h>

static bool is_identifier(const char *s) {
    if (!s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return false;
    return true;
}

static size_t field_align(const field *f) { return f->size >= 8 ? 8 : f->size; }

/* A spec's kind without decimal's precision and scale (slots.h: SLOTS_DECIMAL_PRECISION_SHIFT), which go to *p and *s. */
static int spec_kind(int kind, unsigned *p, unsigned *s) {
    *p = ((unsigned)kind >> SLOTS_DECIMAL_PRECISION_SHIFT) & 0xffu, *s = ((unsigned)kind >> SLOTS_DECIMAL_SCALE_SHIFT) & 0xffu;
    return kind & 0xff;
}

static void default_release(field *f, size_t *acct) {
    if (f->def_text) mem_free(f->def_text, strlen(f->def_text) + 1, acct);
    if (f->def.kind == SLOTS_STR || f->def.kind == SLOTS_BYTES) mem_free((char *)f->def.as.s.p, f->def.as.s.len + 1, acct);
}

static void field_release(field *f, size_t *acct) {
    if (f->name) mem_free(f->name, strlen(f->name) + 1, acct);
    if (f->ref_type) mem_free(f->ref_type, strlen(f->ref_type) + 1, acct);
    default_release(f, acct);
}

/* Frees a type that never made it into the registry. Base fields are borrowed, not freed. */
static void type_destroy(slots_type *t) {
    int nbase = t->base ? t->base->nfields : 0;
    size_t *acct = &t->self_bytes;
    for (int i = nbase; t->fields && i < t->nfields; i++) field_release(&t->fields[i], acct);
    for (int i = 0; t->fields && i < nbase; i++) /* a redeclared base field's own default */
        if (t->fields[i].own_default) default_release(&t->fields[i], acct);
    mem_free(t->fields, (size_t)t->fields_cap * sizeof *t->fields, acct);
    mem_free(t->name_slots, ((size_t)t->name_mask + 1) * sizeof *t->name_slots, acct);
    if (t->name) mem_free(t->name, strlen(t->name) + 1, acct);
    mem_free(t, sizeof *t, NULL);
}

static int check_args(const char *name, const slots_field_spec *specs, size_t nspecs, const slots_type *base,
                      unsigned flags) {
    if (!name) return err_set(SLOTS_EINVAL, "type name must not be NULL");
    if (!is_identifier(name)) return err_set(SLOTS_EINVAL, "invalid type name '%s': not an identifier", name);
    if (!specs && nspecs) return err_set(SLOTS_EINVAL, "field specs must not be NULL");
    if (flags & ~(SLOTS_FROZEN | SLOTS_DYNAMIC | SLOTS_CLAYOUT)) return err_set(SLOTS_EINVAL, "unknown type flags 0x%x", flags);
    if (base && registry_check_type(base) != SLOTS_OK) return SLOTS_EINVAL;
    if (base && (flags & SLOTS_CLAYOUT) && !(base->flags & SLOTS_CLAYOUT))
        return err_set(SLOTS_ELAYOUT, "C-layout type '%s' cannot extend '%s', which is not C-layout", name, base->name);
    if (nspecs + (base ? (size_t)base->nfields : 0) > MAX_FIELDS)
        return err_set(SLOTS_ELAYOUT, "type '%s' has more than %d fields", name, MAX_FIELDS);
    return SLOTS_OK;
}

static int check_spec(const slots_type *t, const slots_field_spec *s) {
    if (!is_identifier(s->name)) return err_set(SLOTS_EINVAL, "invalid field name '%s' in type '%s'", s->name ? s->name : "(null)", t->name);
    unsigned prec, scale;
    int kind = spec_kind(s->kind, &prec, &scale);
    if (!slots_kind_name(kind) || (kind != SLOTS_DECIMAL && (prec || scale)) || ((unsigned)s->kind >> 24))
        return err_set(SLOTS_EINVAL, "unknown kind %d for field '%s'", s->kind, s->name);
    if (kind == SLOTS_DECIMAL && (prec < 1 || prec > DECIMAL_MAX_PRECISION || scale > prec))
        return err_set(SLOTS_EINVAL, "field '%s': decimal(%u,%u) needs 1 <= P <= 38 and 0 <= S <= P", s->name, prec, scale);
    if (s->flags & ~(SLOTS_FIELD_OPTIONAL | SLOTS_FIELD_READONLY | SLOTS_FIELD_KEY | SLOTS_FIELD_HAS_DEFAULT))
        return err_set(SLOTS_EINVAL, "unknown flags 0x%x for field '%s'", s->flags, s->name);
    if (s->ref_type && (s->kind != SLOTS_REF || !is_identifier(s->ref_type)))
        return err_set(SLOTS_EINVAL, "field '%s': a ref type needs a ref field and an identifier", s->name);
    int dup = type_find_field(t, s->name, strlen(s->name)); /* a base field's name went to redeclare_field */
    if (dup >= 0) return err_set(SLOTS_ELAYOUT, "duplicate field '%s' in type '%s'", s->name, t->name);
    if (!(s->flags & SLOTS_FIELD_KEY)) return SLOTS_OK;
    if (!kind_is_int(s->kind) && s->kind != SLOTS_STR)
        return err_set(SLOTS_ELAYOUT, "key field '%s' must be an integer or str, not %s", s->name, slots_kind_name(s->kind));
    if (s->flags & SLOTS_FIELD_OPTIONAL) return err_set(SLOTS_ELAYOUT, "key field '%s' cannot be optional", s->name);
    if (t->key_field >= 0) return err_set(SLOTS_ELAYOUT, "type '%s' has more than one key field", t->name);
    return SLOTS_OK;
}

/* Canonical text of a default, as Python would print it. */
static int default_text(field *f, size_t *acct) {
    strbuf b = {0};
    format_value_repr(&b, &f->def, f);
    if (!b.failed) f->def_text = mem_strdup(b.p ? b.p : "", b.len, acct);
    sb_free(&b);
    return f->def_text ? SLOTS_OK : err_nomem();
}

static int parse_default(slots_type *t, field *f, const char *text) {
    char *owned = NULL;
    size_t owned_len = 0;
    value v;
    int rc = literal_parse(text, f->kind, &v, &owned, &owned_len);
    if (rc != SLOTS_OK) return err_prefix("field '%s': ", f->name);
    if (kind_is_float(f->kind) && v.kind == SLOTS_I64) v.kind = SLOTS_F64, v.as.f = (double)v.as.i;
    if (kind_is_float(f->kind) && v.kind == SLOTS_U64) v.kind = SLOTS_F64, v.as.f = (double)v.as.u;
    if (kind_is_textual(f->kind) && v.kind != VAL_NULL && (rc = textual_from(t, f, &v, &v)) != SLOTS_OK) {
        mem_free(owned, owned_len, NULL);
        if (rc == SLOTS_ETYPE) value_check(t, f, &v); /* words the refusal: "must be date, not bool" */
        return err_prefix("default of ");
    }
    if (owned && kind_is_textual(f->kind)) mem_free(owned, owned_len, NULL), owned = NULL;
    if ((rc = value_check(t, f, &v)) != SLOTS_OK) {
        mem_free(owned, owned_len, NULL);
        return err_prefix("default of ");
    }
    if (owned) { /* keep the bytes in an allocation charged to the type, NUL-terminated */
        v.as.s.p = mem_strdup(owned, v.as.s.len, &t->self_bytes);
        mem_free(owned, owned_len, NULL);
        if (!v.as.s.p) return err_nomem();
    }
    f->def = v;
    f->flags |= SLOTS_FIELD_HAS_DEFAULT;
    return default_text(f, &t->self_bytes);
}

/* A base field declared again with a default (Python's `price: float = 1.0` in a subclass, as
 * dataclasses allow): it keeps its place and everything else, and takes the new default. Anything
 * but the default differing is the conflict check_spec reports. */
static int redeclare_field(slots_type *t, int i, const slots_field_spec *s) {
    field *f = &t->fields[i];
    unsigned prec, scale, mask = ~(unsigned)SLOTS_FIELD_HAS_DEFAULT;
    int kind = spec_kind(s->kind, &prec, &scale);
    unsigned base_flags = t->base->fields[i].flags & mask;
    bool same = kind == f->kind && prec == f->precision && scale == f->scale && (s->flags & mask) == base_flags &&
                (s->ref_type ? f->ref_type && !strcmp(s->ref_type, f->ref_type) : !f->ref_type);
    if (!same || !s->default_value || f->own_default)
        return err_set(SLOTS_ELAYOUT, "'%s' in __slots__ of '%s' conflicts with a field of base '%s'%s", s->name,
                       t->name, t->base->name, same && s->default_value ? "" : " (a subclass may give it a new default only)");
    f->own_default = true; /* released with the type from here, even if parsing fails */
    f->def = (value){0}, f->def_text = NULL;
    return parse_default(t, f, s->default_value);
}

static int add_field(slots_type *t, const slots_field_spec *s) {
    int base_at = t->base && s->name ? type_find_field(t, s->name, strlen(s->name)) : -1;
    if (base_at >= 0 && base_at < t->base->nfields) return redeclare_field(t, base_at, s);
    int rc = check_spec(t, s);
    if (rc != SLOTS_OK) return rc;
    field *f = &t->fields[t->nfields];
    memset(f, 0, sizeof *f);
    unsigned prec, scale;
    f->kind = spec_kind(s->kind, &prec, &scale);
    f->precision = (uint8_t)prec, f->scale = (uint8_t)scale;
    f->size = field_width(f->kind, prec);
    f->flags = s->flags & ~SLOTS_FIELD_HAS_DEFAULT;
    if (t->flags & SLOTS_FROZEN) f->flags |= SLOTS_FIELD_READONLY;
    f->name_len = strlen(s->name);
    f->name = mem_strdup(s->name, f->name_len, &t->self_bytes);
    if (s->ref_type) f->ref_type = mem_strdup(s->ref_type, strlen(s->ref_type), &t->self_bytes);
    t->nfields++; /* counted now so type_destroy() releases what was allocated */
    if (!f->name || (s->ref_type && !f->ref_type)) return err_nomem();
    if (s->default_value && (rc = parse_default(t, f, s->default_value)) != SLOTS_OK) return rc;
    if (f->ref_type) /* bound now: a later type taking the name must not change what refs accept */
        f->ref_target = !strcmp(f->ref_type, t->name) ? t : registry_find(f->ref_type);
    if (f->flags & SLOTS_FIELD_KEY) t->key_field = t->nfields - 1;
    return name_table_add(t, t->nfields - 1);
}

/* Places the presence and null bits and the generation after byte `pos`; sets the stride. */
void lay_out_tail(slots_type *t, uint32_t pos, uint32_t max_align) {
    pos = (pos + 1u) & ~1u;
    t->gen_offset = pos, pos += 2;
    uint32_t bit_bytes = ((uint32_t)t->nfields + 7u) / 8u;
    bool any_optional = false;
    for (int i = 0; i < t->nfields; i++) any_optional |= (t->fields[i].flags & SLOTS_FIELD_OPTIONAL) != 0;
    t->set_offset = pos, pos += bit_bytes;
    t->null_offset = any_optional ? pos : 0, pos += any_optional ? bit_bytes : 0;
    if (max_align < 2) max_align = 2;
    t->stride = (pos + max_align - 1) / max_align * max_align;
    if (t->stride < 8) t->stride = 8; /* room for a free slot's link beside the generation */
}

/* Places fields by falling alignment, so padding is at most the record's final rounding. */
static void lay_out(slots_type *t) {
    uint32_t pos = 0, max_align = 1;
    for (size_t align = 8; align >= 1; align /= 2) {
        for (int i = 0; i < t->nfields; i++) {
            field *f = &t->fields[i];
            if (field_align(f) != align) continue;
            f->offset = pos;
            pos += f->size;
            if (align > max_align) max_align = (uint32_t)align;
        }
    }
    lay_out_tail(t, pos, max_align);
}

static int type_start(const char *name, size_t nspecs, const slots_type *base, unsigned flags, slots_type **out) {
    slots_type *t = mem_calloc(sizeof *t, NULL);
    if (!t) return err_nomem();
    counter_add(&t->self_bytes, sizeof *t);
    t->magic = TYPE_MAGIC;
    t->base = base;
    t->flags = flags | (base ? base->flags & (SLOTS_FROZEN | SLOTS_DYNAMIC | SLOTS_CLAYOUT) : 0);
    t->key_field = base ? base->key_field : -1;
    size_t total = nspecs + (base ? (size_t)base->nfields : 0);
    t->name = mem_strdup(name, strlen(name), &t->self_bytes);
    t->fields = mem_calloc((total ? total : 1) * sizeof *t->fields, &t->self_bytes);
    t->fields_cap = t->fields ? (int)(total ? total : 1) : 0;
    *out = t;
    if (!t->name || !t->fields || name_table_init(t, total) != SLOTS_OK) return err_nomem();
    for (int i = 0; base && i < base->nfields; i++) { /* borrowed: base types are immortal */
        t->fields[i] = base->fields[i];
        t->fields[i].own_default = false; /* the base's, even when the base redeclared it */
        if (t->flags & SLOTS_FROZEN) t->fields[i].flags |= SLOTS_FIELD_READONLY;
        t->nfields++;
        name_table_add(t, i);
    }
    return SLOTS_OK;
}

int slots_type_define_specs(const char *name, const slots_field_spec *specs, size_t nspecs, const slots_type *base,
                            unsigned flags, slots_type **out) {
    int rc = check_args(name, specs, nspecs, base, flags);
    if (rc != SLOTS_OK) return rc;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    slots_type *t = NULL;
    rc = type_start(name, nspecs, base, flags, &t);
    for (size_t i = 0; rc == SLOTS_OK && i < nspecs; i++) rc = add_field(t, &specs[i]);
    if (rc == SLOTS_OK && (t->flags & SLOTS_CLAYOUT)) rc = clayout_lay_out(t);
    else if (rc == SLOTS_OK) lay_out(t);
    if (rc == SLOTS_OK) rc = registry_bind(t);
    if (rc != SLOTS_OK) {
        if (t) type_destroy(t);
        return rc;
    }
    *out = t;
    return SLOTS_OK;
}

int slots_type_define(const char *name, const char *fields, const slots_type *base, unsigned flags, slots_type **out) {
    if (!fields) return err_set(SLOTS_EINVAL, "field list must not be NULL");
    int rc = check_args(name, NULL, 0, base, flags);
    if (rc != SLOTS_OK) return rc;
    slots_field_spec *specs = NULL;
    size_t n = 0;
    if ((rc = fieldspec_parse(fields, &specs, &n)) != SLOTS_OK) return rc;
    rc = slots_type_define_specs(name, specs, n, base, flags, out);
    fieldspec_free(specs, n);
    return rc;
}
