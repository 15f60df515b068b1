/*
 * call.c — native methods and properties: a function bound to a type by name with a signature
 * string ("f64(self, f64)"), prepared once as a libffi call interface and called from any language
 * through slots_call(), with every argument checked like a field value.
 */
#include "bridge.h"

#include <dlfcn.h>
#include <stdio.h>

#define MAX_PARAMS 16
#define P_SELF 100 /* parameter kinds beyond the field kinds */
#define P_PTR 101
#define P_VOID 0

typedef struct method {
    char *name, *signature;
    unsigned flags;
    void (*fn)(void);
    int ret;
    int nparams, nargs; /* all parameters; those the caller passes (not self/ptr) */
    int params[MAX_PARAMS];
    ffi_type *types[MAX_PARAMS];
    ffi_cif cif;
} method;

/* ---- values across the bridge ------------------------------------------------------------ */

static int arg_to_value(const slots_arg *a, value *v) {
    memset(v, 0, sizeof *v);
    v->kind = a->kind;
    switch (a->kind) {
    case VAL_NULL: return SLOTS_OK;
    case SLOTS_BOOL: v->as.i = a->i != 0; return SLOTS_OK;
    case SLOTS_I64: v->as.i = a->i; return SLOTS_OK;
    case SLOTS_U64: v->as.u = a->u; return SLOTS_OK;
    case SLOTS_REF: v->as.ref = a->u; return SLOTS_OK;
    case SLOTS_F64: v->as.f = a->f; return SLOTS_OK;
    case SLOTS_STR: v->as.s.p = a->s, v->as.s.len = a->len; return SLOTS_OK;
    default: return err_set(SLOTS_EINVAL, "unknown argument kind %d", a->kind);
    }
}

/* ---- signatures ------------------------------------------------------------------------- */

static ffi_type *ffi_of(int kind) {
    if (kind == P_VOID) return &ffi_type_void;
    if (kind == P_SELF) return &ffi_type_uint64;
    if (kind == P_PTR) return &ffi_type_pointer;
    return kind_ffi_type(kind);
}

/* One word of a signature: a kind, or self/ptr/void where allowed; -1 if none. */
static int sig_word(const char **p, bool param) {
    while (**p == ' ') (*p)++;
    const char *w = *p;
    while ((**p >= 'a' && **p <= 'z') || (**p >= '0' && **p <= '9')) (*p)++;
    size_t n = (size_t)(*p - w);
    while (**p == ' ') (*p)++;
    if (!param && n == 4 && !memcmp(w, "void", 4)) return P_VOID;
    if (param && n == 4 && !memcmp(w, "self", 4)) return P_SELF;
    if (param && n == 3 && !memcmp(w, "ptr", 3)) return P_PTR;
    int kind = kind_from_name(w, n);
    return kind && kind != SLOTS_BYTES ? kind : -1;
}

static int bad_signature(const char *sig, const char *why) {
    return err_set(SLOTS_EPARSE, "invalid method signature '%s': %s", sig, why);
}

static int parse_signature(const char *sig, method *m) {
    const char *p = sig;
    if ((m->ret = sig_word(&p, false)) < 0) return bad_signature(sig, "expected a return kind or void");
    if (*p++ != '(') return bad_signature(sig, "expected '('");
    while (*p != ')') {
        if (m->nparams == MAX_PARAMS) return bad_signature(sig, "too many parameters");
        int k = sig_word(&p, true);
        if (k < 0) return bad_signature(sig, "expected a parameter kind, self or ptr");
        m->params[m->nparams] = k, m->types[m->nparams++] = ffi_of(k);
        m->nargs += k != P_SELF && k != P_PTR;
        if (*p == ',') p++;
        else if (*p != ')') return bad_signature(sig, "expected ',' or ')'");
    }
    if (p[1] != '\0') return bad_signature(sig, "unexpected text after ')'");
    if ((m->flags & SLOTS_METHOD_PROPERTY) && (m->nargs || m->ret == P_VOID))
        return bad_signature(sig, "a property returns a value and takes only self or ptr");
    /* m stays where it is from here on: the cif points into it */
    if (ffi_prep_cif(&m->cif, FFI_DEFAULT_ABI, (unsigned)m->nparams, ffi_of(m->ret), m->types) != FFI_OK)
        return bad_signature(sig, "libffi cannot prepare this call");
    return SLOTS_OK;
}

/* ---- binding ---------------------------------------------------------------------------- */

static void method_free(method *m, size_t *acct) {
    if (!m) return;
    if (m->name) mem_free(m->name, strlen(m->name) + 1, acct);
    if (m->signature) mem_free(m->signature, strlen(m->signature) + 1, acct);
    mem_free(m, sizeof *m, acct);
}

static method **find_own(const slots_type *t, const char *name) {
    for (int i = 0; i < t->nmethods; i++)
        if (!strcmp(t->methods[i]->name, name)) return &t->methods[i];
    return NULL;
}

/* Adds m to t's table, or puts it in the place of a method of the same name. */
static int install(slots_type *t, method *m) {
    method **old = find_own(t, m->name);
    if (old) {
        method_free(*old, &t->self_bytes);
        *old = m;
        return SLOTS_OK;
    }
    if (t->nmethods == t->methods_cap) {
        int cap = t->methods_cap ? t->methods_cap * 2 : 4;
        method **p = mem_realloc(t->methods, (size_t)t->methods_cap * sizeof *p, (size_t)cap * sizeof *p, &t->self_bytes);
        if (!p) return err_nomem();
        t->methods = p, t->methods_cap = cap;
    }
    t->methods[t->nmethods++] = m;
    return SLOTS_OK;
}

int slots_method_bind(slots_type *t, const char *name, const char *signature, slots_native_fn fn, unsigned flags) {
    int rc = registry_check_type(t);
    if (rc != SLOTS_OK) return rc;
    if (!name || !*name || !signature || !fn) return err_set(SLOTS_EINVAL, "name, signature and function must not be NULL");
    if (flags & ~SLOTS_METHOD_PROPERTY) return err_set(SLOTS_EINVAL, "unknown method flags 0x%x", flags);
    if (type_find_field(t, name, strlen(name)) >= 0)
        return err_set(SLOTS_EINVAL, "'%s' is a field of '%s'; a method needs another name", name, t->name);
    method *m = mem_calloc(sizeof *m, &t->self_bytes);
    if (!m) return err_nomem();
    m->flags = flags, m->fn = fn;
    if ((rc = parse_signature(signature, m)) == SLOTS_OK) {
        m->name = mem_strdup(name, strlen(name), &t->self_bytes);
        m->signature = mem_strdup(signature, strlen(signature), &t->self_bytes);
        rc = m->name && m->signature ? install(t, m) : err_nomem();
    }
    if (rc != SLOTS_OK) method_free(m, &t->self_bytes);
    return rc;
}

int slots_method_bind_symbol(slots_type *t, const char *name, const char *signature, const char *library,
                             const char *symbol, unsigned flags) {
    if (!library || !symbol) return err_set(SLOTS_EINVAL, "library and symbol must not be NULL");
    int rc = registry_check_type(t);
    if (rc != SLOTS_OK) return rc;
    void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!lib) return err_set(SLOTS_ENOATTR, "cannot load '%s': %s", library, dlerror());
    void *sym = dlsym(lib, symbol);
    if (!sym) return err_set(SLOTS_ENOATTR, "no symbol '%s' in '%s'", symbol, library);
    void (*fn)(void);
    memcpy(&fn, &sym, sizeof fn); /* ISO C has no object-to-function pointer cast */
    return slots_method_bind(t, name, signature, fn, flags);
}

/* ---- calling ---------------------------------------------------------------------------- */

static const method *find_method(const slots_type *t, const char *name) {
    for (; t; t = t->base) {
        method **m = find_own(t, name);
        if (m) return *m;
    }
    return NULL;
}

typedef union slot_value {
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    const char *str;
    void *ptr;
} slot_value;

/* Converts one caller argument to the C value of parameter kind k, checked like a field value. */
static int convert_arg(const recref *r, const method *m, int k, int argno, const slots_arg *a, slot_value *out,
                       char **owned, size_t *owned_len) {
    value v;
    field f = {.name = m->name, .kind = k};
    int rc = arg_to_value(a, &v);
    if (rc == SLOTS_OK) rc = value_check(r->type, &f, &v);
    if (rc != SLOTS_OK) return err_prefix("%s() argument %d: ", m->name, argno); /* words only on failure */
    switch (k) {
    case SLOTS_BOOL: out->i8 = (int8_t)(v.as.i != 0); break;
    case SLOTS_I8: case SLOTS_U8: out->i8 = (int8_t)v.as.i; break;
    case SLOTS_I16: case SLOTS_U16: out->i16 = (int16_t)v.as.i; break;
    case SLOTS_I32: case SLOTS_U32: out->i32 = (int32_t)v.as.i; break;
    case SLOTS_I64: case SLOTS_U64: out->u64 = v.kind == SLOTS_U64 ? v.as.u : (uint64_t)v.as.i; break;
    case SLOTS_F32: out->f32 = (float)(v.kind == SLOTS_F64 ? v.as.f : v.kind == SLOTS_U64 ? (double)v.as.u : (double)v.as.i); break;
    case SLOTS_F64: out->f64 = v.kind == SLOTS_F64 ? v.as.f : v.kind == SLOTS_U64 ? (double)v.as.u : (double)v.as.i; break;
    case SLOTS_REF: out->u64 = v.as.ref; break;
    default: /* str: a NUL-terminated copy for the call */
        if (v.as.s.len && memchr(v.as.s.p, '\0', v.as.s.len))
            return err_set(SLOTS_EINVAL, "%s() argument %d is a C string and cannot hold a NUL character", m->name, argno);
        if (!(*owned = mem_strdup(v.as.s.p, v.as.s.len, NULL))) return err_nomem();
        *owned_len = v.as.s.len + 1, out->str = *owned;
    }
    return SLOTS_OK;
}

static int take_result(const method *m, const slot_value *ret, const ffi_arg *small, slots_arg *result) {
    memset(result, 0, sizeof *result);
    int k = m->ret;
    if (k == P_VOID) return SLOTS_OK;
    if (k == SLOTS_BOOL) result->kind = SLOTS_BOOL, result->i = (uint8_t)*small != 0;
    else if (k == SLOTS_I8) result->kind = SLOTS_I64, result->i = (int8_t)*small;
    else if (k == SLOTS_I16) result->kind = SLOTS_I64, result->i = (int16_t)*small;
    else if (k == SLOTS_I32) result->kind = SLOTS_I64, result->i = (int32_t)*small;
    else if (k == SLOTS_U8 || k == SLOTS_U16 || k == SLOTS_U32) result->kind = SLOTS_I64, result->i = (int64_t)(uint32_t)*small;
    else if (k == SLOTS_I64) result->kind = SLOTS_I64, result->i = ret->i64;
    else if (k == SLOTS_U64) result->kind = SLOTS_U64, result->u = ret->u64;
    else if (k == SLOTS_REF) result->kind = SLOTS_REF, result->u = ret->u64;
    else if (k == SLOTS_F32) result->kind = SLOTS_F64, result->f = ret->f32;
    else if (k == SLOTS_F64) result->kind = SLOTS_F64, result->f = ret->f64;
    else if (k == SLOTS_STR && ret->str) { /* copied: the callee's buffer may not outlive the call */
        strbuf *b = sb_scratch();
        sb_puts(b, ret->str);
        if (b->failed) return err_nomem();
        result->kind = SLOTS_STR, result->s = b->p, result->len = b->len;
    }
    return SLOTS_OK;
}

int slots_call(slots_obj o, const char *name, const slots_arg *args, size_t nargs, slots_arg *result) {
    GUARDED;
    recref r;
    int rc = record_resolve(o, &r);
    if (rc != SLOTS_OK) return rc;
    if (!name || !result || (!args && nargs)) return err_set(SLOTS_EINVAL, "name, args and result must not be NULL");
    const method *m = find_method(r.type, name);
    if (!m) return err_no_attr(r.type, name, strlen(name));
    if (nargs != (size_t)m->nargs)
        return err_set(SLOTS_ETYPE, "%s() takes %d argument%s (%zu given)", m->name, m->nargs, m->nargs == 1 ? "" : "s", nargs);
    slot_value vals[MAX_PARAMS], ret;
    void *ptrs[MAX_PARAMS];
    char *owned[MAX_PARAMS] = {0};
    size_t owned_len[MAX_PARAMS] = {0}, next = 0;
    for (int i = 0; i < m->nparams && rc == SLOTS_OK; i++) {
        ptrs[i] = &vals[i];
        if (m->params[i] == P_SELF) vals[i].u64 = o;
        else if (m->params[i] == P_PTR) vals[i].ptr = r.rec;
        else rc = convert_arg(&r, m, m->params[i], (int)next + 1, &args[next], &vals[i], &owned[i], &owned_len[i]), next++;
    }
    ffi_arg small = 0;
    void *ret_at = m->ret != P_VOID && (kind_is_int(m->ret) || m->ret == SLOTS_BOOL) && kind_size(m->ret) < sizeof(ffi_arg)
                       ? (void *)&small
                       : (void *)&ret;
    if (rc == SLOTS_OK) ffi_call((ffi_cif *)&m->cif, m->fn, ret_at, ptrs);
    for (int i = 0; i < m->nparams; i++) mem_free(owned[i], owned_len[i], NULL);
    return rc == SLOTS_OK ? take_result(m, &ret, &small, result) : rc;
}

/* ---- introspection ------------------------------------------------------------------------ */

/* The i-th method visible on t: its own first, then each base's (shadowed names skipped). */
static const method *method_at(const slots_type *t, int i) {
    if (registry_check_type(t) != SLOTS_OK) return NULL;
    int seen = 0;
    for (const slots_type *u = t; u; u = u->base)
        for (int j = 0; j < u->nmethods; j++) {
            if (find_method(t, u->methods[j]->name) != u->methods[j]) continue;
            if (seen++ == i) return u->methods[j];
        }
    err_set(SLOTS_EINVAL, "method index %d out of range for '%s'", i, t->name);
    return NULL;
}

int slots_method_count(const slots_type *t) {
    int rc = registry_check_type(t), n = 0;
    if (rc != SLOTS_OK) return rc;
    for (const slots_type *u = t; u; u = u->base)
        for (int j = 0; j < u->nmethods; j++) n += find_method(t, u->methods[j]->name) == u->methods[j];
    return n;
}

const char *slots_method_name(const slots_type *t, int i) {
    const method *m = method_at(t, i);
    return m ? m->name : NULL;
}

const char *slots_method_signature(const slots_type *t, int i) {
    const method *m = method_at(t, i);
    return m ? m->signature : NULL;
}

int slots_method_flags(const slots_type *t, int i) {
    const method *m = method_at(t, i);
    return m ? (int)m->flags : SLOTS_EINVAL;
}
