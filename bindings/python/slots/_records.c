/* Record proxies in C for the compiled cffi backend (_build_cffi.py pastes this file into the
 * extension's source, after slots.h and the read helpers). Every read and write goes through the
 * public slots_get_* / slots_set_* calls, so the library's checks and thread-safety rules all hold;
 * what this file saves is Python's own overhead:
 *
 *   RecordBase  the C base of slots.Record: the record's handle is a C field (not a Python int),
 *               `owner` is NULL when the proxy owns the record (dealloc frees it, in C) or else the
 *               int subclass whose instances `_h` hands out (a store's _StoreHandle class keeps the
 *               store alive, as the int-subclass handles of the Python backends do).
 *   FieldDescr  a data descriptor per field: get and the common sets straight from the handle;
 *               other values and every failure go to the Python callables (_convert.py).
 *   InitPlan    a record class's __init__ in one C call: arguments to fields (positional,
 *               keyword, defaults), each set through the field's FieldDescr. Anything it cannot map
 *               goes to the generated Python __init__, which raises Python's own TypeError.
 *   StoreRef    what a Store's C fast paths know (the store reference, class, handle class, plan).
 *   FastMethod  Store.__iter__ / get / append / extend in C, each falling back to the Python
 *               method for whatever it does not take (a miss, a wrong key type, a stale store).
 * Proxies are not tracked by the cyclic GC (see rec_untrack). */
#include <structmember.h>

#if PY_VERSION_HEX < 0x03090000
#error "the compiled slots backend needs Python 3.9+ (vectorcall); the cffi ABI backend remains"
#endif

/* ---- RecordBase ------------------------------------------------------------------------------ */
typedef struct {
    PyObject_HEAD
    uint64_t h;          /* 0: no record yet */
    PyObject *owner;     /* NULL: owned; else the int subclass of borrowed handles */
    PyObject *weakrefs;
} RecObj;

static PyTypeObject RecBase_Type;

static void rec_dealloc(PyObject *self) {
    RecObj *r = (RecObj *)self;
    if (r->weakrefs != NULL) PyObject_ClearWeakRefs(self);
    if (r->h != 0 && r->owner == NULL) slots_free(r->h);  /* a refused free (stale) is harmless */
    Py_CLEAR(r->owner);
    Py_TYPE(self)->tp_free(self);
}

/* `_h`: the handle as the Python backends hold it (a plain int when owned, else owner(h)). A proxy
 * without a record holds 0, which the library refuses as stale, as every backend does. */
static PyObject *rec_get_h(PyObject *self, void *unused) {
    RecObj *r = (RecObj *)self;
    (void)unused;
    PyObject *v = PyLong_FromUnsignedLongLong(r->h);
    if (v == NULL || r->owner == NULL) return v;
    PyObject *b = PyObject_CallOneArg(r->owner, v);
    Py_DECREF(v);
    return b;
}

static int rec_set_h(PyObject *self, PyObject *value, void *unused) {
    RecObj *r = (RecObj *)self;
    (void)unused;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete a record's handle");
        return -1;
    }
    if (!PyLong_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "a record handle is an int");
        return -1;
    }
    uint64_t h = PyLong_AsUnsignedLongLong(value);
    if (h == (uint64_t)-1 && PyErr_Occurred()) return -1;
    PyObject *owner = PyLong_CheckExact(value) ? NULL : (PyObject *)Py_TYPE(value);
    Py_XINCREF(owner);
    Py_XSETREF(r->owner, owner);
    r->h = h;
    return 0;
}

static PyGetSetDef rec_getset[] = {
    {"_h", rec_get_h, rec_set_h, "the record's handle", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject RecBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots._RecordBase",
    .tp_basicsize = sizeof(RecObj),
    .tp_dealloc = rec_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "C base of slots.Record (compiled backend): the handle lives in the object.",
    .tp_weaklistoffset = offsetof(RecObj, weakrefs),
    .tp_getset = rec_getset,
};

/* Record classes are heap types, which CPython makes GC types; a proxy holds nothing that can
 * close a cycle through it (its owner is a class), so it leaves the collector's lists as msgspec's
 * gc=False structs do: cheaper to make, never scanned. */
static void rec_untrack(PyObject *r) {
    if (PyObject_GC_IsTracked(r)) PyObject_GC_UnTrack(r);
}

/* tp_alloc of a record class (set by its InitPlan when the class has RecordBase's layout, which
 * every record class has: they refuse __slots__ and __dict__): an untracked GC object, no memset. */
static PyObject *rec_alloc(PyTypeObject *type, Py_ssize_t nitems) {
    (void)nitems;
    RecObj *r = PyObject_GC_New(RecObj, type);
    if (r == NULL) return NULL;
    r->h = 0;
    r->owner = NULL;
    r->weakrefs = NULL;
    return (PyObject *)r;
}

/* tp_dealloc of a record class (instead of CPython's general subtype_dealloc, which a proxy's
 * layout does not need): the class's __del__ if it has one (refs, dynamic), then the base's. */
static void rec_heap_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (tp->tp_finalize != NULL) {
        if (PyObject_GC_IsTracked(self) == 0) PyObject_GC_Track(self);  /* as subtype_dealloc */
        if (PyObject_CallFinalizerFromDealloc(self) < 0) return;  /* resurrected */
        PyObject_GC_UnTrack(self);
    }
    rec_dealloc(self);
    Py_DECREF(tp);
}

static void rec_use_fast_alloc(PyTypeObject *cls) {
    if (PyType_IsSubtype(cls, &RecBase_Type) && cls->tp_basicsize == (Py_ssize_t)sizeof(RecObj) &&
        cls->tp_itemsize == 0 && PyType_IS_GC(cls) && (cls->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
        cls->tp_dictoffset == 0 && cls->tp_alloc == PyType_GenericAlloc && cls->tp_free == PyObject_GC_Del &&
        cls->tp_del == NULL) {
        cls->tp_alloc = rec_alloc;
        cls->tp_dealloc = rec_heap_dealloc;
    }
}

/* A new proxy of `cls` for record h, borrowed when owner is not NULL. */
static PyObject *rec_make(PyTypeObject *cls, uint64_t h, PyObject *owner) {
    RecObj *r = (RecObj *)cls->tp_alloc(cls, 0);
    if (r == NULL) return NULL;
    rec_untrack((PyObject *)r);
    r->h = h;
    Py_XINCREF(owner);
    r->owner = owner;
    return (PyObject *)r;
}

/* ---- FieldDescr ------------------------------------------------------------------------------ */
enum { FD_I64, FD_U64, FD_F64, FD_BOOL, FD_STR, FD_BYTES, FD_OTHER };
typedef struct {
    PyObject_HEAD
    int idx, family;
    PyObject *fget, *on_status, *fset, *fdel, *doc;
} FieldDescr;

static PyTypeObject FieldDescr_Type;

static PyObject *rec_alloc(PyTypeObject *type, Py_ssize_t nitems);

/* A record proxy? Classes with rec_alloc are (the cheap test); any other RecordBase subclass too. */
static inline int is_record(PyObject *obj) {
    return Py_TYPE(obj)->tp_alloc == rec_alloc || PyObject_TypeCheck(obj, &RecBase_Type);
}

static int fd_handle(PyObject *obj, uint64_t *h) {
    if (!is_record(obj)) {
        PyErr_SetString(PyExc_TypeError, "a record field descriptor applied to a non-record object");
        return -1;
    }
    *h = ((RecObj *)obj)->h;  /* 0 (no record): the library says stale */
    return 0;
}

static PyObject *fd_status(FieldDescr *d, int rc, PyObject *obj) {
    return PyObject_CallFunction(d->on_status, "iO", rc, obj);
}

static PyObject *fdesc_get(PyObject *self, PyObject *obj, PyObject *type) {
    FieldDescr *d = (FieldDescr *)self;
    uint64_t h;
    int rc;
    (void)type;
    if (obj == NULL || obj == Py_None) { Py_INCREF(self); return self; }
    if (d->family == FD_OTHER) return PyObject_CallOneArg(d->fget, obj);
    if (fd_handle(obj, &h)) return NULL;
    switch (d->family) {
    case FD_I64: { int64_t v; if (!(rc = slots_get_i64(h, d->idx, &v))) return PyLong_FromLongLong(v); break; }
    case FD_U64: { uint64_t v; if (!(rc = slots_get_u64(h, d->idx, &v))) return PyLong_FromUnsignedLongLong(v); break; }
    case FD_F64: { double v; if (!(rc = slots_get_f64(h, d->idx, &v))) return PyFloat_FromDouble(v); break; }
    case FD_BOOL: { int v; if (!(rc = slots_get_bool(h, d->idx, &v))) return PyBool_FromLong(v); break; }
    case FD_STR: {
        const char *p; size_t n;
        if (!(rc = slots_get_str(h, d->idx, &p, &n)))
            return PyUnicode_DecodeUTF8(n ? p : "", (Py_ssize_t)n, "strict");
        break;
    }
    default: {
        const void *p; size_t n;
        if (!(rc = slots_get_bytes(h, d->idx, &p, &n)))
            return PyBytes_FromStringAndSize(n ? (const char *)p : "", (Py_ssize_t)n);
        break;
    }
    }
    return fd_status(d, rc, obj);
}

static int fd_raise(FieldDescr *d, int rc, PyObject *obj) {
    PyObject *r = fd_status(d, rc, obj);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int fd_slow_set(FieldDescr *d, PyObject *obj, PyObject *value) {
    PyObject *r = value ? PyObject_CallFunctionObjArgs(d->fset, obj, value, NULL)
                        : PyObject_CallOneArg(d->fdel, obj);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* The set for the value classes C takes as they are (exact int, float, bool, str, bytes, None);
 * every other value, and every ref field, goes to the generated Python setter. */
/* Sets field d of record h in C when the value is of the exact type its family takes (or None):
 * 1 with *rc the library's status, 0 when it is not (a Python setter converts it), -1 with an
 * exception (a str that cannot be encoded). */
static int fd_put(FieldDescr *d, uint64_t h, PyObject *value, int *rc) {
    switch (d->family) {
    case FD_I64: case FD_U64:
        if (PyLong_CheckExact(value)) {
            int overflow;
            long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
            if (!overflow && !(v == -1 && PyErr_Occurred())) return *rc = slots_set_i64(h, d->idx, (int64_t)v), 1;
            PyErr_Clear();
        }
        break;
    case FD_F64:
        if (PyFloat_CheckExact(value)) return *rc = slots_set_f64(h, d->idx, PyFloat_AS_DOUBLE(value)), 1;
        break;
    case FD_BOOL:
        if (value == Py_True || value == Py_False) return *rc = slots_set_bool(h, d->idx, value == Py_True), 1;
        break;
    case FD_STR:
        if (PyUnicode_CheckExact(value)) {
            Py_ssize_t n;
            const char *p = PyUnicode_AsUTF8AndSize(value, &n);
            if (p == NULL) return -1;
            return *rc = slots_set_str(h, d->idx, p, (size_t)n), 1;
        }
        break;
    case FD_BYTES:
        if (PyBytes_CheckExact(value))
            return *rc = slots_set_bytes(h, d->idx, PyBytes_AS_STRING(value), (size_t)PyBytes_GET_SIZE(value)), 1;
        break;
    default:
        return 0;
    }
    if (value == Py_None) return *rc = slots_set_null(h, d->idx), 1;
    return 0;
}

static int fdesc_set(PyObject *self, PyObject *obj, PyObject *value) {
    FieldDescr *d = (FieldDescr *)self;
    uint64_t h;
    int rc, done;
    if (value == NULL || d->family == FD_OTHER) return fd_slow_set(d, obj, value);
    if (fd_handle(obj, &h)) return -1;
    if ((done = fd_put(d, h, value, &rc)) < 0) return -1;
    if (done) return rc ? fd_raise(d, rc, obj) : 0;
    return fd_slow_set(d, obj, value);
}

static PyObject *fd_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    int idx, family;
    PyObject *fget, *on_status, *fset, *fdel, *doc;
    (void)kw;
    if (!PyArg_ParseTuple(args, "iiOOOOO", &idx, &family, &fget, &on_status, &fset, &fdel, &doc))
        return NULL;
    if (family < FD_I64 || family > FD_OTHER) {
        PyErr_SetString(PyExc_TypeError, "FieldDescr(idx, family, fget, on_status, fset, fdel, doc)");
        return NULL;
    }
    FieldDescr *d = (FieldDescr *)type->tp_alloc(type, 0);
    if (d == NULL) return NULL;
    d->idx = idx;
    d->family = family;
    Py_INCREF(fget); d->fget = fget;
    Py_INCREF(on_status); d->on_status = on_status;
    Py_INCREF(fset); d->fset = fset;
    Py_INCREF(fdel); d->fdel = fdel;
    Py_INCREF(doc); d->doc = doc;
    return (PyObject *)d;
}

static void fd_dealloc(PyObject *self) {
    FieldDescr *d = (FieldDescr *)self;
    Py_XDECREF(d->fget); Py_XDECREF(d->on_status);
    Py_XDECREF(d->fset); Py_XDECREF(d->fdel); Py_XDECREF(d->doc);
    Py_TYPE(self)->tp_free(self);
}

static PyMemberDef fd_members[] = {
    {"__doc__", T_OBJECT, offsetof(FieldDescr, doc), READONLY, NULL},
    {"index", T_INT, offsetof(FieldDescr, idx), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject FieldDescr_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots.FieldDescr",
    .tp_basicsize = sizeof(FieldDescr),
    .tp_dealloc = fd_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_members = fd_members,
    .tp_descr_get = fdesc_get,
    .tp_descr_set = fdesc_set,
    .tp_new = fd_new,
};

/* ---- CMethod: the head of InitPlan and FastMethod --------------------------------------------
 * C callables standing in for a Python function (`fallback`, which gets what C does not take):
 * they bind like functions (method descriptors: no bound object per call) and answer for that
 * function (__wrapped__, __name__, __doc__, inspect.signature...). */
typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *fallback;
} CMethod;

static PyObject *cm_descr_get(PyObject *self, PyObject *obj, PyObject *type) {
    (void)type;
    if (obj == NULL || obj == Py_None) { Py_INCREF(self); return self; }
    return PyMethod_New(self, obj);
}

static PyObject *cm_getattro(PyObject *self, PyObject *name) {
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) return r;
    PyErr_Clear();
    return PyObject_GetAttr(((CMethod *)self)->fallback, name);
}

static PyObject *cm_call_fallback(CMethod *m, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    return PyObject_Vectorcall(m->fallback, args, nargsf, kwnames);
}

static PyMemberDef cm_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(CMethod, fallback), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

#define CMETHOD_TYPE(name, ctype, dealloc, new) {                                                 \
    PyVarObject_HEAD_INIT(NULL, 0)                                                                \
    .tp_name = name, .tp_basicsize = sizeof(ctype), .tp_dealloc = dealloc,                        \
    .tp_vectorcall_offset = offsetof(CMethod, vectorcall), .tp_call = PyVectorcall_Call,          \
    .tp_getattro = cm_getattro, .tp_members = cm_members, .tp_descr_get = cm_descr_get,           \
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,   \
    .tp_new = new }

/* ---- attribute access of a record class -------------------------------------------------------
 * What object's generic getattr/setattr do, minus their general checks, for a name whose class
 * attribute is a FieldDescr (a data descriptor: it wins over everything else, and a record has no
 * __dict__); any other name goes the generic way. Installed by the class's InitPlan while the class
 * uses the generic functions; a class that defines __getattr__, __setattr__... has its own slots
 * (CPython resets them), frozen and dynamic ones included. */
static PyObject *rec_getattro(PyObject *obj, PyObject *name) {
    PyObject *d = PyUnicode_CheckExact(name) ? _PyType_Lookup(Py_TYPE(obj), name) : NULL;
    if (d != NULL && Py_TYPE(d) == &FieldDescr_Type) return fdesc_get(d, obj, (PyObject *)Py_TYPE(obj));
    return PyObject_GenericGetAttr(obj, name);
}

static int rec_setattro(PyObject *obj, PyObject *name, PyObject *value) {
    PyObject *d = PyUnicode_CheckExact(name) ? _PyType_Lookup(Py_TYPE(obj), name) : NULL;
    if (d != NULL && Py_TYPE(d) == &FieldDescr_Type) return fdesc_set(d, obj, value);
    return PyObject_GenericSetAttr(obj, name, value);
}

static void rec_use_fast_attributes(PyTypeObject *cls) {
    if (!(cls->tp_flags & Py_TPFLAGS_HEAPTYPE)) return;
    if (cls->tp_getattro == PyObject_GenericGetAttr) cls->tp_getattro = rec_getattro;
    if (cls->tp_setattro == PyObject_GenericSetAttr) cls->tp_setattro = rec_setattro;
}

/* ---- InitPlan -------------------------------------------------------------------------------- */
typedef struct {
    CMethod head;        /* fallback: the generated Python __init__ */
    const slots_type *t;
    Py_ssize_t n, nrequired;
    PyObject *names;     /* tuple of str: the fields in order */
    PyObject *defaults;  /* tuple: the default of field i (None for required ones, never read) */
    PyObject *descrs;    /* tuple of FieldDescr */
    PyObject *post_init; /* name "__post_init__" or NULL */
} InitPlan;

static PyTypeObject InitPlan_Type;
#define PLAN_STACK 32

/* vals[i] (borrowed) for each field from positional args and kwnames (vectorcall layout):
 * 0 ok, 1 the arguments do not map (the Python __init__ says why). */
static int plan_map(InitPlan *p, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                    PyObject **vals) {
    Py_ssize_t i, j, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs > p->n) return 1;
    for (i = 0; i < p->n; i++) vals[i] = i < nargs ? args[i] : NULL;
    for (j = 0; j < nkw; j++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, j);
        for (i = 0; i < p->n; i++) {
            PyObject *name = PyTuple_GET_ITEM(p->names, i);
            if (name == k || PyUnicode_Compare(name, k) == 0) break;
        }
        if (PyErr_Occurred()) PyErr_Clear();
        if (i == p->n || vals[i] != NULL) return 1;
        vals[i] = args[nargs + j];
    }
    for (i = 0; i < p->n; i++) {
        if (vals[i] != NULL) continue;
        if (i < p->nrequired) return 1;
        vals[i] = PyTuple_GET_ITEM(p->defaults, i);
    }
    return 0;
}

/* The same from a dict of field name -> value. 0 ok, 1 no map, -1 error. */
static int plan_map_dict(InitPlan *p, PyObject *d, PyObject **vals) {
    Py_ssize_t i, found = 0;
    for (i = 0; i < p->n; i++) {
        vals[i] = PyDict_GetItemWithError(d, PyTuple_GET_ITEM(p->names, i));
        if (vals[i] != NULL) {
            found++;
            continue;
        }
        if (PyErr_Occurred()) return -1;
        if (i < p->nrequired) return 1;
        vals[i] = PyTuple_GET_ITEM(p->defaults, i);
    }
    return found == PyDict_GET_SIZE(d) ? 0 : 1;
}

/* Each field from vals[from] on, then __post_init__ if the class has one (as the generated
 * __init__). */
static int plan_fill(InitPlan *p, PyObject *obj, PyObject **vals, Py_ssize_t from) {
    for (Py_ssize_t i = from; i < p->n; i++)
        if (fdesc_set(PyTuple_GET_ITEM(p->descrs, i), obj, vals[i])) return -1;
    if (p->post_init) {
        PyObject *res = PyObject_CallMethodNoArgs(obj, p->post_init);
        if (res == NULL) return -1;
        Py_DECREF(res);
    }
    return 0;
}

static PyObject *plan_call_fallback(InitPlan *p, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    return cm_call_fallback(&p->head, args, nargsf, kwnames);
}

/* __init__(self, *args, **kwargs): a blank record, then each field. */
static PyObject *plan_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    InitPlan *p = (InitPlan *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *vals[PLAN_STACK];
    if (nargs < 1 || !PyObject_TypeCheck(args[0], &RecBase_Type) || p->n > PLAN_STACK)
        return plan_call_fallback(p, args, nargsf, kwnames);
    if (plan_map(p, args + 1, nargs - 1, kwnames, vals))
        return plan_call_fallback(p, args, nargsf, kwnames);
    RecObj *self = (RecObj *)args[0];
    rec_untrack(args[0]);
    slots_obj h;
    int rc = slots_new_blank(p->t, &h);
    if (rc) return plan_call_fallback(p, args, nargsf, kwnames);  /* says why, in Python's words */
    if (self->h != 0 && self->owner == NULL) slots_free(self->h);
    self->h = h;
    Py_CLEAR(self->owner);
    if (plan_fill(p, args[0], vals, 0)) return NULL;
    Py_RETURN_NONE;
}

/* ---- calling a record class: Product(...) in one C call ------------------------------------- */
static PyObject *str_init;  /* "__init__", interned */

/* What type.__call__ does, for what the fast path below does not take. */
static PyObject *type_call_slow(PyObject *cls, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    Py_ssize_t i, nargs = PyVectorcall_NARGS(nargsf), nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    PyObject *t = PyTuple_New(nargs), *kw = NULL, *res = NULL;
    if (t == NULL) return NULL;
    for (i = 0; i < nargs; i++) { Py_INCREF(args[i]); PyTuple_SET_ITEM(t, i, args[i]); }
    if (nkw) {
        kw = PyDict_New();
        for (i = 0; kw && i < nkw; i++)
            if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0) Py_CLEAR(kw);
        if (kw == NULL) { Py_DECREF(t); return NULL; }
    }
    res = Py_TYPE(cls)->tp_call(cls, t, kw);
    Py_DECREF(t);
    Py_XDECREF(kw);
    return res;
}

static PyObject *plan_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);

/* The record class's vectorcall: while its __new__ is object's and its __init__ an InitPlan (looked
 * up on every call, through the type's cache, so a later `cls.__init__ = f` is honoured), the
 * proxy is allocated and the plan run with no argument tuple, no bound method, no slot lookup. */
static PyObject *rec_type_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                     PyObject *kwnames) {
    PyTypeObject *cls = (PyTypeObject *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    PyObject *stack[2 * PLAN_STACK + 1], *init, *obj, *r;
    if (cls->tp_new != PyBaseObject_Type.tp_new || nargs + nkw > 2 * PLAN_STACK)
        return type_call_slow(callable, args, nargsf, kwnames);
    init = _PyType_Lookup(cls, str_init);
    if (init == NULL || Py_TYPE(init) != &InitPlan_Type)
        return type_call_slow(callable, args, nargsf, kwnames);
    obj = cls->tp_alloc(cls, 0);
    if (obj == NULL) return NULL;
    stack[0] = obj;
    memcpy(stack + 1, args, (size_t)(nargs + nkw) * sizeof(PyObject *));
    Py_INCREF(init);  /* the call may replace cls.__init__ */
    r = plan_vectorcall(init, stack, (size_t)nargs + 1, kwnames);
    Py_DECREF(init);
    if (r == NULL) { Py_DECREF(obj); return NULL; }
    Py_DECREF(r);
    return obj;
}

/* Makes calls of `cls` vectorcalls: its metaclass (RecordMeta, a heap subclass of type, which
 * CPython 3.11 leaves without the flag) gets the flag type itself has, and `cls` the function. */
static void rec_use_fast_call(PyTypeObject *cls) {
    PyTypeObject *meta = Py_TYPE(cls);
    if (str_init == NULL && (str_init = PyUnicode_InternFromString("__init__")) == NULL) {
        PyErr_Clear();
        return;
    }
    if (!(cls->tp_flags & Py_TPFLAGS_HEAPTYPE) || meta->tp_call != PyType_Type.tp_call ||
        meta->tp_vectorcall_offset != PyType_Type.tp_vectorcall_offset)
        return;
    meta->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
    cls->tp_vectorcall = rec_type_vectorcall;
}

static PyObject *plan_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    unsigned long long t;
    Py_ssize_t nrequired;
    PyObject *cls, *names, *defaults, *descrs, *fallback;
    int post_init;
    (void)kw;
    if (!PyArg_ParseTuple(args, "O!KnO!O!O!Op", &PyType_Type, &cls, &t, &nrequired, &PyTuple_Type, &names,
                          &PyTuple_Type, &defaults, &PyTuple_Type, &descrs, &fallback, &post_init))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(names);
    if (PyTuple_GET_SIZE(defaults) != n || PyTuple_GET_SIZE(descrs) != n || nrequired > n || n > PLAN_STACK) {
        PyErr_SetString(PyExc_ValueError, "InitPlan: inconsistent field tuples");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(names, i)) ||
            Py_TYPE(PyTuple_GET_ITEM(descrs, i)) != &FieldDescr_Type) {
            PyErr_SetString(PyExc_TypeError, "InitPlan: names are str, descriptors FieldDescr");
            return NULL;
        }
    InitPlan *p = (InitPlan *)type->tp_alloc(type, 0);
    if (p == NULL) return NULL;
    p->head.vectorcall = plan_vectorcall;
    p->t = (const slots_type *)(uintptr_t)t;
    p->n = n;
    p->nrequired = nrequired;
    Py_INCREF(names); p->names = names;
    Py_INCREF(defaults); p->defaults = defaults;
    Py_INCREF(descrs); p->descrs = descrs;
    Py_INCREF(fallback); p->head.fallback = fallback;
    p->post_init = post_init ? PyUnicode_InternFromString("__post_init__") : NULL;
    if (post_init && p->post_init == NULL) { Py_DECREF(p); return NULL; }
    rec_use_fast_alloc((PyTypeObject *)cls);
    rec_use_fast_call((PyTypeObject *)cls);
    rec_use_fast_attributes((PyTypeObject *)cls);
    return (PyObject *)p;
}

static void plan_dealloc(PyObject *self) {
    InitPlan *p = (InitPlan *)self;
    Py_XDECREF(p->names); Py_XDECREF(p->defaults); Py_XDECREF(p->descrs);
    Py_XDECREF(p->head.fallback); Py_XDECREF(p->post_init);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject InitPlan_Type = CMETHOD_TYPE("slots.InitPlan", InitPlan, plan_dealloc, plan_new);

/* ---- calls that may wait for a store's lock ----------------------------------------------------
 * The fast paths call the library with the GIL held. A load (or set_column) holds its store's lock
 * for its whole run and may call Python (validators, progress) on its thread, which then needs the
 * GIL: a fast path waiting for that lock with the GIL held would deadlock. So the backend counts
 * such calls while they run (slots_py_busy, around the cffi calls, which release the GIL) and the
 * paths that take a store's lock (append, get, remove) go through the GIL-releasing Python path
 * while any runs. The count changes and is read with the GIL held, so a load cannot start between
 * the check and the C call it guards. */
static int py_busy;

static void slots_py_busy(int delta) { __atomic_add_fetch(&py_busy, delta, __ATOMIC_SEQ_CST); }

static inline int store_calls_busy(void) { return __atomic_load_n(&py_busy, __ATOMIC_SEQ_CST) != 0; }

/* ---- StoreRef -------------------------------------------------------------------------------- */
typedef struct {
    PyObject_HEAD
    slots_store *s;      /* an id and an incarnation, never an address: stale after a drop, not unsafe */
    PyTypeObject *cls;
    PyObject *owner;     /* the store's handle class (keeps the store alive) */
    PyObject *plan;      /* the class's InitPlan, or None (a class with its own __init__) */
    int keyfam;          /* 0 no key, 1 an integer key, 2 a str key */
} StoreRef;

static PyObject *sref_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    unsigned long long s;
    PyObject *cls, *owner, *plan;
    int keyfam;
    (void)kw;
    if (!PyArg_ParseTuple(args, "KO!OOi", &s, &PyType_Type, &cls, &owner, &plan, &keyfam))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)cls, &RecBase_Type) ||
        (plan != Py_None && Py_TYPE(plan) != &InitPlan_Type)) {
        PyErr_SetString(PyExc_TypeError, "StoreRef(store, record class, handle class, plan, key family)");
        return NULL;
    }
    StoreRef *r = (StoreRef *)type->tp_alloc(type, 0);
    if (r == NULL) return NULL;
    r->s = (slots_store *)(uintptr_t)s;
    Py_INCREF(cls); r->cls = (PyTypeObject *)cls;
    Py_INCREF(owner); r->owner = owner;
    Py_INCREF(plan); r->plan = plan;
    r->keyfam = keyfam;
    return (PyObject *)r;  /* tp_alloc has tracked it */
}

/* GC: a store's StoreRef holds its handle class, whose `store` holds the store (a cycle). */
static int sref_traverse(PyObject *self, visitproc visit, void *arg) {
    StoreRef *r = (StoreRef *)self;
    Py_VISIT(r->cls);
    Py_VISIT(r->owner);
    Py_VISIT(r->plan);
    return 0;
}

static int sref_clear(PyObject *self) {
    StoreRef *r = (StoreRef *)self;
    Py_CLEAR(r->cls);
    Py_CLEAR(r->owner);
    Py_CLEAR(r->plan);
    return 0;
}

static void sref_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    sref_clear(self);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject StoreRef_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots.StoreRef",
    .tp_basicsize = sizeof(StoreRef),
    .tp_dealloc = sref_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = sref_traverse,
    .tp_clear = sref_clear,
    .tp_new = sref_new,
};

/* ---- StoreIter: records in position order, handles fetched in chunks ------------------------- */
#define ITER_CHUNK 256
typedef struct {
    PyObject_HEAD
    StoreRef *ref;
    PyObject *on_status;  /* raises the exception for a status */
    size_t cursor;
    int pos, count;
    int end;  /* 0: more to fetch; SLOTS_EINDEX: the end; else the status to raise once drained */
    slots_obj buf[ITER_CHUNK];
} StoreIter;

static PyObject *siter_next(PyObject *self) {
    StoreIter *it = (StoreIter *)self;
    if (it->pos == it->count) {
        int k = 0, rc = it->end;
        while (!rc && k < ITER_CHUNK && !(rc = slots_store_next(it->ref->s, &it->cursor, &it->buf[k]))) k++;
        it->pos = 0;
        it->count = k;
        it->end = rc;
        if (k == 0) {
            if (rc != SLOTS_EINDEX) {  /* a dropped store: raised every time, as Python did */
                PyObject *r = PyObject_CallFunction(it->on_status, "i", rc);
                Py_XDECREF(r);
            }
            return NULL;
        }
    }
    return rec_make(it->ref->cls, it->buf[it->pos++], it->ref->owner);
}

static int siter_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(((StoreIter *)self)->ref);
    Py_VISIT(((StoreIter *)self)->on_status);
    return 0;
}

static void siter_dealloc(PyObject *self) {
    StoreIter *it = (StoreIter *)self;
    PyObject_GC_UnTrack(self);
    Py_XDECREF(it->ref); Py_XDECREF(it->on_status);
    PyObject_GC_Del(self);
}

static PyTypeObject StoreIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "slots.StoreIterator",
    .tp_basicsize = sizeof(StoreIter),
    .tp_dealloc = siter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = siter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = siter_next,
};

/* ---- FastMethod: Store methods in C --------------------------------------------------------- */
enum { FM_ITER, FM_GET, FM_APPEND, FM_EXTEND };
typedef struct {
    CMethod head;           /* fallback: the Python method, for whatever C does not take */
    int kind;
    Py_ssize_t ref_offset;  /* of the Store's `_c` slot (a StoreRef) */
    PyTypeObject *store_type;
    PyObject *on_status;    /* iteration: raises for a status */
    PyObject *record_row;   /* extend: a record row -> dict of its set fields */
    PyObject *row_error;    /* extend: (exception, row index) -> names the row in the exception */
    PyObject *append_row;   /* extend: (store, row) -> appends a row C does not take, in Python */
} FastMethod;

static PyObject *fm_slow(FastMethod *m, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    return cm_call_fallback(&m->head, args, nargsf, kwnames);
}

static PyObject *fm_get(FastMethod *m, StoreRef *r, PyObject *const *args, size_t nargsf) {
    PyObject *key = args[1];
    slots_obj h;
    int rc;
    if (store_calls_busy()) return fm_slow(m, args, nargsf, NULL);
    if (r->keyfam == 1 && PyLong_CheckExact(key)) {
        int overflow;
        long long k = PyLong_AsLongLongAndOverflow(key, &overflow);
        if (overflow || (k == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return fm_slow(m, args, nargsf, NULL);
        }
        rc = slots_store_find_i64(r->s, (int64_t)k, &h);
    } else if (r->keyfam == 2 && PyUnicode_CheckExact(key)) {
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(key, &n);
        if (p == NULL) {
            PyErr_Clear();
            return fm_slow(m, args, nargsf, NULL);
        }
        rc = slots_store_find_str(r->s, p, (size_t)n, &h);
    } else {
        return fm_slow(m, args, nargsf, NULL);
    }
    if (rc) return fm_slow(m, args, nargsf, NULL);  /* a miss, a dropped store: Python's words */
    return rec_make(r->cls, h, r->owner);
}

/* One appended record from vals: each field set straight through the handle while C takes the
 * value, then through the record object, made only when needed (a value only a Python setter
 * converts, a refusal to word in Python's words, a __post_init__, or a caller that wants the
 * record). A failing set removes the record again. The record, or Py_None (a new reference) when
 * want_obj is false and none was made; NULL with *rc_out set and no exception: not appended (the
 * append failed, or loads run), the Python path does it. */
static PyObject *fm_append_vals(StoreRef *r, PyObject **vals, int want_obj, int *rc_out) {
    InitPlan *p = (InitPlan *)r->plan;
    PyObject *obj = NULL;
    slots_obj h;
    Py_ssize_t i = 0;
    int rc = store_calls_busy() ? SLOTS_EBUSY : slots_store_append(r->s, &h);
    *rc_out = rc;
    if (rc) return NULL;
    for (; !p->post_init && i < p->n; i++) {
        FieldDescr *d = (FieldDescr *)PyTuple_GET_ITEM(p->descrs, i);
        int done = d->family == FD_OTHER ? 0 : fd_put(d, h, vals[i], &rc);
        if (done < 0) goto fail;
        if (!done || rc) break; /* the object's path redoes it: converts, or raises in Python's words */
    }
    if (i == p->n && !want_obj) Py_RETURN_NONE;
    obj = rec_make(r->cls, h, r->owner);
    if (obj != NULL && !plan_fill(p, obj, vals, i)) return obj;
fail: {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        /* The fill may have run Python (a validator), so a load may hold the lock by now. */
        Py_BEGIN_ALLOW_THREADS
        slots_store_remove(r->s, h);
        Py_END_ALLOW_THREADS
        Py_XDECREF(obj);
        PyErr_Restore(et, ev, tb);
        return NULL;
    }
}

static PyObject *fm_append(FastMethod *m, StoreRef *r, PyObject *const *args, size_t nargsf,
                           PyObject *kwnames) {
    PyObject *vals[PLAN_STACK];
    int rc;
    if (r->plan == Py_None || plan_map((InitPlan *)r->plan, args + 1, PyVectorcall_NARGS(nargsf) - 1,
                                       kwnames, vals))
        return fm_slow(m, args, nargsf, kwnames);
    PyObject *obj = fm_append_vals(r, vals, 1, &rc);
    if (obj == NULL && rc) return fm_slow(m, args, nargsf, kwnames);  /* the append itself failed */
    return obj;
}

/* Appends one row (tuple, dict or record of the class) through C; NULL+exception on failure,
 * NULL without one when C cannot map it (the caller then appends it through Python). */
static PyObject *fm_extend_row(FastMethod *m, StoreRef *r, PyObject *row) {
    InitPlan *p = (InitPlan *)r->plan;
    PyObject *vals[PLAN_STACK], *obj;
    int rc, map;
    if (PyTuple_CheckExact(row)) {
        map = plan_map(p, &PyTuple_GET_ITEM(row, 0), PyTuple_GET_SIZE(row), NULL, vals);
    } else if (PyDict_CheckExact(row)) {
        map = plan_map_dict(p, row, vals);
    } else if (PyObject_TypeCheck(row, r->cls)) {
        PyObject *d = PyObject_CallOneArg(m->record_row, row);
        if (d == NULL) return NULL;
        map = PyDict_CheckExact(d) ? plan_map_dict(p, d, vals) : 1;
        if (map == 0) {
            obj = fm_append_vals(r, vals, 0, &rc);  /* NULL without an exception: append refused */
            Py_DECREF(d);
            return obj;
        }
        Py_DECREF(d);
    } else {
        map = 1;
    }
    if (map > 0) { PyErr_Clear(); return NULL; }  /* not mapped: no exception, Python appends it */
    if (map < 0) return NULL;
    return fm_append_vals(r, vals, 0, &rc);  /* NULL without an exception: the append was refused */
}

/* Room for the rows an extend() of a list or tuple is about to add: the key index then grows once,
 * not a fifth at a time (each growth reads every key again). Only their exact sizes are trusted: a
 * length hint can be any number, and a reserve takes memory. A failed reserve changes nothing but
 * speed (the appends make room as they go). */
static void reserve_for(StoreRef *r, PyObject *rows) {
    size_t have;
    if (!(PyList_CheckExact(rows) || PyTuple_CheckExact(rows)) || Py_SIZE(rows) < 2 || store_calls_busy()) return;
    if (slots_store_len(r->s, &have) == SLOTS_OK) slots_store_reserve(r->s, have + (size_t)Py_SIZE(rows));
}

static PyObject *fm_extend(FastMethod *m, StoreRef *r, PyObject *const *args, size_t nargsf) {
    PyObject *store = args[0], *it, *row;
    Py_ssize_t i = 0;
    if (r->plan == Py_None || args[1] == store) return fm_slow(m, args, nargsf, NULL);
    reserve_for(r, args[1]);
    it = PyObject_GetIter(args[1]);
    if (it == NULL) return NULL;
    while ((row = PyIter_Next(it)) != NULL) {
        PyObject *obj = fm_extend_row(m, r, row);
        if (obj == NULL && !PyErr_Occurred()) {
            /* C does not take this row: the Python append does, or says why. */
            PyObject *a[2] = {store, row};
            obj = PyObject_Vectorcall(m->append_row, a, 2, NULL);
        }
        Py_DECREF(row);
        if (obj == NULL) {
            PyObject *et, *ev, *tb, *res;
            PyErr_Fetch(&et, &ev, &tb);
            PyErr_NormalizeException(&et, &ev, &tb);
            if (tb) PyException_SetTraceback(ev, tb);
            res = PyObject_CallFunction(m->row_error, "On", ev, i);
            Py_XDECREF(res);
            if (res == NULL) { Py_XDECREF(et); Py_XDECREF(ev); Py_XDECREF(tb); }
            else PyErr_Restore(et, ev, tb);
            Py_DECREF(it);
            return NULL;
        }
        Py_DECREF(obj);
        i++;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *fm_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    FastMethod *m = (FastMethod *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs < 1 || !PyObject_TypeCheck(args[0], m->store_type)) return fm_slow(m, args, nargsf, kwnames);
    PyObject *ref = *(PyObject **)((char *)args[0] + m->ref_offset);
    if (ref == NULL || Py_TYPE(ref) != &StoreRef_Type) return fm_slow(m, args, nargsf, kwnames);
    StoreRef *r = (StoreRef *)ref;
    switch (m->kind) {
    case FM_ITER:
        if (nargs == 1 && kwnames == NULL) {
            StoreIter *it = PyObject_GC_New(StoreIter, &StoreIter_Type);
            if (it == NULL) return NULL;
            Py_INCREF(r); it->ref = r;
            Py_INCREF(m->on_status); it->on_status = m->on_status;
            it->cursor = 0;
            it->pos = it->count = it->end = 0;
            PyObject_GC_Track(it);
            return (PyObject *)it;
        }
        break;
    case FM_GET:
        if (nargs == 2 && kwnames == NULL) return fm_get(m, r, args, nargsf);
        break;
    case FM_APPEND:
        return fm_append(m, r, args, nargsf, kwnames);
    case FM_EXTEND:
        if (nargs == 2 && kwnames == NULL) return fm_extend(m, r, args, nargsf);
        break;
    }
    return fm_slow(m, args, nargsf, kwnames);
}

static PyObject *fm_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    int kind;
    PyObject *store_type, *slot, *slow, *on_status, *record_row, *row_error, *append_row;
    (void)kw;
    if (!PyArg_ParseTuple(args, "iO!OOOOOO", &kind, &PyType_Type, &store_type, &slot, &slow, &on_status,
                          &record_row, &row_error, &append_row))
        return NULL;
    if (kind < FM_ITER || kind > FM_EXTEND || Py_TYPE(slot) != &PyMemberDescr_Type ||
        ((PyMemberDescrObject *)slot)->d_member->type != T_OBJECT_EX) {
        PyErr_SetString(PyExc_TypeError, "FastMethod(kind, Store, Store._c slot, slow, on_status, record_row, row_error, append_row)");
        return NULL;
    }
    FastMethod *m = (FastMethod *)type->tp_alloc(type, 0);
    if (m == NULL) return NULL;
    m->head.vectorcall = fm_vectorcall;
    m->kind = kind;
    m->ref_offset = ((PyMemberDescrObject *)slot)->d_member->offset;
    Py_INCREF(store_type); m->store_type = (PyTypeObject *)store_type;
    Py_INCREF(slow); m->head.fallback = slow;
    Py_INCREF(on_status); m->on_status = on_status;
    Py_INCREF(record_row); m->record_row = record_row;
    Py_INCREF(row_error); m->row_error = row_error;
    Py_INCREF(append_row); m->append_row = append_row;
    return (PyObject *)m;
}

static void fm_dealloc(PyObject *self) {
    FastMethod *m = (FastMethod *)self;
    Py_XDECREF(m->store_type); Py_XDECREF(m->head.fallback); Py_XDECREF(m->on_status);
    Py_XDECREF(m->record_row); Py_XDECREF(m->row_error); Py_XDECREF(m->append_row);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject FastMethod_Type = CMETHOD_TYPE("slots.FastMethod", FastMethod, fm_dealloc, fm_new);

/* ---- what the backend reads ------------------------------------------------------------------ */
static PyObject *py_types;

/* (RecordBase, FieldDescr, InitPlan, StoreRef, FastMethod), made once and kept for the process, or
 * NULL. cffi releases the GIL around calls, so this takes it back. */
static void *slots_py_types(void) {
    PyGILState_STATE g = PyGILState_Ensure();
    if (py_types == NULL) {
        RecBase_Type.tp_new = PyBaseObject_Type.tp_new;  /* object.__new__(cls) stays valid */
        PyTypeObject *all[] = {&RecBase_Type, &FieldDescr_Type, &InitPlan_Type, &StoreRef_Type,
                               &FastMethod_Type, &StoreIter_Type};
        int ok = 1;
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            if (PyType_Ready(all[i]) < 0) ok = 0;
        /* object.__new__(cls) stays valid (the same tp_new), and RecordBase has no __new__ of its own
         * in its dict, so the class builder sees none to work around. */
        if (ok && PyDict_DelItemString(RecBase_Type.tp_dict, "__new__") < 0) PyErr_Clear();
        PyType_Modified(&RecBase_Type);
        if (ok)
            py_types = PyTuple_Pack(5, &RecBase_Type, &FieldDescr_Type, &InitPlan_Type, &StoreRef_Type,
                                    &FastMethod_Type);
        if (py_types == NULL) PyErr_Clear();
    }
    PyGILState_Release(g);
    return py_types;
}
