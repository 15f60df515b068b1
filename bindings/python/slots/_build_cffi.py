"""Builds slots._slots_cffi: the cffi backend in API mode (a compiled CPython extension).

API mode calls C directly instead of through libffi: a field read costs a fraction of the ABI-mode
call. The extension is compiled from the same generated slots.cdef plus a few read helpers that return
values directly (status in C thread-local storage) so the hot path needs no out-parameter buffer.
It is built without linking libslots: the backend loads the library chosen at import time
(SLOTS_LIBRARY, package, build tree, system) with RTLD_GLOBAL first, and the extension's symbols
resolve to it, so the library lookup rules hold in API mode too.

    python3 bindings/python/slots/_build_cffi.py [TARGET_DIR]   (default: this package's directory)
Needs cffi, a C compiler, Python headers and include/slots.h (source tree). Optional: without the
extension the cffi backend runs in ABI mode.
"""
import hashlib
import os
import sys

# Read helpers: the value is the return value; on failure a sentinel is returned and the status is
# left in a thread-local that slots_py_take_status() reads and clears.
HELPERS_CDEF = """
int slots_py_take_status(void);
int64_t slots_py_get_i64(slots_obj o, int field);
uint64_t slots_py_get_u64(slots_obj o, int field);
double slots_py_get_f64(slots_obj o, int field);
int slots_py_get_bool(slots_obj o, int field);
slots_obj slots_py_get_ref(slots_obj o, int field);
slots_obj slots_py_new_blank(const slots_type *t);
const char *slots_py_cdef_sha256(void);
void *slots_py_field_type(void);
int slots_py_store_handles(const slots_store *s, size_t *cursor, slots_obj *buf, int n);
slots_obj slots_py_store_at(slots_store *s, size_t i);
slots_obj slots_py_store_find_i64(const slots_store *s, int64_t key);
slots_obj slots_py_store_find_u64(const slots_store *s, uint64_t key);
slots_obj slots_py_store_find_str(const slots_store *s, const char *key, size_t len);
"""

HELPERS_C = r"""
#include <math.h>
static _Thread_local int slots_py_status;
static int slots_py_take_status(void) { int s = slots_py_status; slots_py_status = 0; return s; }
static int64_t slots_py_get_i64(slots_obj o, int field) {
    int64_t v; int rc = slots_get_i64(o, field, &v);
    if (rc) { slots_py_status = rc; return INT64_MIN; }
    return v;
}
static uint64_t slots_py_get_u64(slots_obj o, int field) {
    uint64_t v; int rc = slots_get_u64(o, field, &v);
    if (rc) { slots_py_status = rc; return UINT64_MAX; }
    return v;
}
static double slots_py_get_f64(slots_obj o, int field) {
    double v; int rc = slots_get_f64(o, field, &v);
    if (rc) { slots_py_status = rc; return NAN; }
    return v;
}
/* 0 or 1, or the status (negative, or SLOTS_NULL + 1 for null so it cannot read as true). */
static int slots_py_get_bool(slots_obj o, int field) {
    int v; int rc = slots_get_bool(o, field, &v);
    if (rc) return rc == SLOTS_NULL ? 2 : rc;
    return v != 0;
}
static slots_obj slots_py_get_ref(slots_obj o, int field) {
    slots_obj v; int rc = slots_get_ref(o, field, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}
/* ---- FieldDescr: a data descriptor per record field, getter and common setters in C. ----------
 * Written against the limited API (cffi compiles extensions with Py_LIMITED_API). Instances must be
 * of `owner` (the record root class, whose instances hold the `_h` slot at byte offset `hoff`, which
 * _backend_cffi.py verifies before use); anything else is a TypeError, so the descriptor never reads
 * a foreign object. Values and statuses the fast paths do not take go to the Python callables
 * (written once in _convert.py). */
#include <structmember.h>
/* Both exist in every CPython 3.x; the limited-API headers cffi selects declare them only for
 * newer limited-API versions. */
PyAPI_FUNC(const char *) PyUnicode_AsUTF8AndSize(PyObject *, Py_ssize_t *);
PyAPI_FUNC(void *) PyType_GetSlot(PyTypeObject *, int);
enum { FD_I64, FD_U64, FD_F64, FD_BOOL, FD_STR, FD_BYTES, FD_OTHER };
typedef struct {
    PyObject_HEAD
    int idx, family;
    Py_ssize_t hoff;
    PyTypeObject *owner;
    PyObject *fget, *on_status, *fset, *fdel, *doc;
} FieldDescr;

static int fd_handle(FieldDescr *d, PyObject *obj, uint64_t *h) {
    if (!PyObject_TypeCheck(obj, d->owner)) {
        PyErr_SetString(PyExc_TypeError, "a record field descriptor applied to a non-record object");
        return -1;
    }
    PyObject *ho = *(PyObject **)((char *)obj + d->hoff);
    if (ho == NULL) {
        PyErr_SetString(PyExc_AttributeError, "record has no handle");
        return -1;
    }
    *h = PyLong_AsUnsignedLongLong(ho);
    if (*h == (uint64_t)-1 && PyErr_Occurred()) return -1;
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
    if (d->family == FD_OTHER) return PyObject_CallFunctionObjArgs(d->fget, obj, NULL);
    if (fd_handle(d, obj, &h)) return NULL;
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
                        : PyObject_CallFunctionObjArgs(d->fdel, obj, NULL);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int fdesc_set(PyObject *self, PyObject *obj, PyObject *value) {
    FieldDescr *d = (FieldDescr *)self;
    uint64_t h;
    int rc;
    if (value == NULL || d->family == FD_OTHER) return fd_slow_set(d, obj, value);
    if (fd_handle(d, obj, &h)) return -1;
    switch (d->family) {
    case FD_I64: case FD_U64:
        if (PyLong_CheckExact(value)) {
            int overflow;
            long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
            if (!overflow && !(v == -1 && PyErr_Occurred())) {
                rc = slots_set_i64(h, d->idx, (int64_t)v);
                return rc ? fd_raise(d, rc, obj) : 0;
            }
            PyErr_Clear();
        }
        break;
    case FD_F64:
        if (PyFloat_CheckExact(value)) {
            rc = slots_set_f64(h, d->idx, PyFloat_AsDouble(value));
            return rc ? fd_raise(d, rc, obj) : 0;
        }
        break;
    case FD_BOOL:
        if (value == Py_True || value == Py_False) {
            rc = slots_set_bool(h, d->idx, value == Py_True);
            return rc ? fd_raise(d, rc, obj) : 0;
        }
        break;
    case FD_STR:
        if (PyUnicode_CheckExact(value)) {
            Py_ssize_t n;
            const char *p = PyUnicode_AsUTF8AndSize(value, &n);
            if (p == NULL) return -1;
            rc = slots_set_str(h, d->idx, p, (size_t)n);
            return rc ? fd_raise(d, rc, obj) : 0;
        }
        break;
    case FD_BYTES:
        if (PyBytes_CheckExact(value)) {
            rc = slots_set_bytes(h, d->idx, PyBytes_AsString(value), (size_t)PyBytes_Size(value));
            return rc ? fd_raise(d, rc, obj) : 0;
        }
        break;
    }
    return fd_slow_set(d, obj, value);
}

static PyObject *fd_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    int idx, family;
    Py_ssize_t hoff;
    PyObject *owner, *fget, *on_status, *fset, *fdel, *doc;
    (void)kw;
    if (!PyArg_ParseTuple(args, "iinOOOOOO", &idx, &family, &hoff, &owner, &fget, &on_status, &fset,
                          &fdel, &doc))
        return NULL;
    if (!PyType_Check(owner) || family < FD_I64 || family > FD_OTHER || hoff < (Py_ssize_t)sizeof(PyObject)) {
        PyErr_SetString(PyExc_TypeError, "FieldDescr(idx, family, hoff, owner, fget, on_status, fset, fdel, doc)");
        return NULL;
    }
    allocfunc alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    FieldDescr *d = (FieldDescr *)alloc(type, 0);
    if (d == NULL) return NULL;
    d->idx = idx;
    d->family = family;
    d->hoff = hoff;
    Py_INCREF(owner); d->owner = (PyTypeObject *)owner;
    Py_INCREF(fget); d->fget = fget;
    Py_INCREF(on_status); d->on_status = on_status;
    Py_INCREF(fset); d->fset = fset;
    Py_INCREF(fdel); d->fdel = fdel;
    Py_INCREF(doc); d->doc = doc;
    return (PyObject *)d;
}

static void fd_dealloc(PyObject *self) {
    FieldDescr *d = (FieldDescr *)self;
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(d->owner); Py_XDECREF(d->fget); Py_XDECREF(d->on_status);
    Py_XDECREF(d->fset); Py_XDECREF(d->fdel); Py_XDECREF(d->doc);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    f(self);
    Py_DECREF(tp);
}

static PyMemberDef fd_members[] = {
    {"__doc__", T_OBJECT, offsetof(FieldDescr, doc), READONLY, NULL},
    {"index", T_INT, offsetof(FieldDescr, idx), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot fd_slots[] = {
    {Py_tp_new, (void *)fd_new},
    {Py_tp_dealloc, (void *)fd_dealloc},
    {Py_tp_descr_get, (void *)fdesc_get},
    {Py_tp_descr_set, (void *)fdesc_set},
    {Py_tp_members, (void *)fd_members},
    {0, NULL},
};

static PyType_Spec fd_spec = {"slots.FieldDescr", sizeof(FieldDescr), 0, Py_TPFLAGS_DEFAULT, fd_slots};
static PyObject *fd_type;

/* The FieldDescr type (a new reference kept for the process), or NULL. cffi releases the GIL
 * around calls, so this takes it back. */
static void *slots_py_field_type(void) {
    PyGILState_STATE g = PyGILState_Ensure();
    if (fd_type == NULL) {
        fd_type = PyType_FromSpec(&fd_spec);
        if (fd_type == NULL) PyErr_Clear();
    }
    PyGILState_Release(g);
    return fd_type;
}

/* Up to n handles of a store's records from *cursor on (iteration in chunks): the count, or a
 * negative status (SLOTS_EINDEX when there are none left). */
static int slots_py_store_handles(const slots_store *s, size_t *cursor, slots_obj *buf, int n) {
    int k = 0;
    while (k < n) {
        int rc = slots_store_next(s, cursor, &buf[k]);
        if (rc == SLOTS_EINDEX) return k ? k : rc;
        if (rc) return rc;
        k++;
    }
    return k;
}

/* Store lookups returning the handle (0 on failure, the status then in slots_py_take_status()). */
static slots_obj slots_py_store_at(slots_store *s, size_t i) {
    slots_obj v; int rc = slots_store_at(s, i, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}
static slots_obj slots_py_store_find_i64(const slots_store *s, int64_t key) {
    slots_obj v; int rc = slots_store_find_i64(s, key, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}
static slots_obj slots_py_store_find_u64(const slots_store *s, uint64_t key) {
    slots_obj v; int rc = slots_store_find_u64(s, key, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}
static slots_obj slots_py_store_find_str(const slots_store *s, const char *key, size_t len) {
    slots_obj v; int rc = slots_store_find_str(s, key, len, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}

static slots_obj slots_py_new_blank(const slots_type *t) {
    slots_obj v; int rc = slots_new_blank(t, &v);
    if (rc) { slots_py_status = rc; return 0; }
    return v;
}
"""

MODULE = "slots._slots_cffi"


def cdef_sha256(cdef_text):
    return hashlib.sha256(cdef_text.encode("utf-8")).hexdigest()


def build(target_dir=None, header_dir=None, verbose=False):
    """Compiles the extension into target_dir/ (the package directory by default); returns its path."""
    import cffi

    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    # _cdef.py by path: importing the slots package would load the library, which a build must not need.
    spec = importlib.util.spec_from_file_location("_slots_build_cdef", os.path.join(here, "_cdef.py"))
    _cdef = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(_cdef)
    cdef_text = _cdef.required_only(_cdef.load_text()[0])
    header_dir = header_dir or os.path.dirname(_cdef.REPO_HEADER)
    if not os.path.exists(os.path.join(header_dir, "slots.h")):
        raise RuntimeError("slots.h not found in %s (build from a libslots source tree)" % header_dir)
    ffi = cffi.FFI()
    ffi.cdef(cdef_text + HELPERS_CDEF)
    source = ('#include "slots.h"\n' + HELPERS_C +
              'static const char *slots_py_cdef_sha256(void) { return "%s"; }\n'
              % cdef_sha256(_cdef.api_signature(cdef_text)))
    ffi.set_source(MODULE, source, include_dirs=[header_dir], extra_compile_args=["-O2"],
                   py_limited_api=False)  # FieldDescr reads the `_h` member descriptor
    target_dir = os.path.abspath(target_dir or here)
    tmp = os.path.join(target_dir, "_cffi_build")
    os.makedirs(tmp, exist_ok=True)
    built = ffi.compile(tmpdir=tmp, verbose=verbose)
    out = os.path.join(target_dir, os.path.basename(built))
    os.replace(built, out)
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    return out


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else None, verbose="-v" in sys.argv))
