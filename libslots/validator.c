/*
 * validator.c — field validators: a caller's function that may refuse a value before it is written.
 * They are a rule of the core, not of the ffi bridge: field_set runs them on every path into a
 * field (typed setters, defaults, JSON, CSV, bulk loads, column writes), after the kind and range
 * checks and before anything changes.
 */
#include "records.h"

void value_to_arg(const value *v, slots_arg *a) {
    memset(a, 0, sizeof *a);
    a->kind = v->kind == SLOTS_BYTES ? SLOTS_STR : v->kind;
    switch (v->kind) {
    case SLOTS_BOOL: case SLOTS_I64: a->i = v->as.i; break;
    case SLOTS_U64: a->u = v->as.u; break;
    case SLOTS_REF: a->u = v->as.ref; break;
    case SLOTS_F64: a->f = v->as.f; break;
    case SLOTS_STR: case SLOTS_BYTES: a->s = v->as.s.p, a->len = v->as.s.len; break;
    default: break;
    }
}

int validator_run(const recref *r, int i, const value *v) {
    const field *f = &r->type->fields[i];
    slots_arg a;
    char reason[256] = "", text[KIND_TEXT_MAX];
    value shown;
    if (kind_is_textual(v->kind)) /* a timestamp, date, uuid or decimal: its canonical text */
        textual_text(f, v, &shown, text), v = &shown;
    value_to_arg(v, &a);
    if (f->validator(recref_handle(r), i, &a, reason, sizeof reason, f->validator_ctx) == 0) return SLOTS_OK;
    reason[sizeof reason - 1] = '\0';
    return err_set(SLOTS_EINVAL, "%s.%s: %s", r->type->name, f->name, reason[0] ? reason : "invalid value");
}

int slots_field_set_validator(slots_type *t, int i, slots_validator fn, void *ctx) {
    int rc = registry_check_type(t);
    if (rc == SLOTS_OK) rc = field_check_index(t, i);
    if (rc != SLOTS_OK) return rc;
    t->fields[i].validator = fn, t->fields[i].validator_ctx = fn ? ctx : NULL;
    return SLOTS_OK;
}
