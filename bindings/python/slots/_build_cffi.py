"""Builds slots._slots_cffi: the cffi backend in API mode (a compiled CPython extension).

API mode calls C directly instead of through libffi: a field read costs a fraction of the ABI-mode
call. The extension is compiled from the same generated slots.cdef plus a few read helpers that return
values directly (status in C thread-local storage) so the hot path needs no out-parameter buffer,
and _records.c: record proxies, field descriptors, __init__ and the Store fast paths in C against
the Python C API (see that file).
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
void *slots_py_types(void);
void slots_py_busy(int delta);
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

    here = os.path.dirname(os.path.abspath(__file__))
    _cdef = _load_cdef_module(here)
    cdef_text = _cdef.required_only(_cdef.load_text()[0])
    header_dir = header_dir or os.path.dirname(_cdef.REPO_HEADER)
    if not os.path.exists(os.path.join(header_dir, "slots.h")):
        raise RuntimeError("slots.h not found in %s (build from a libslots source tree)" % header_dir)
    ffi = cffi.FFI()
    ffi.cdef(cdef_text + HELPERS_CDEF)
    with open(os.path.join(here, "_records.c")) as f:
        records_c = f.read()
    source = ('#include "slots.h"\n' + HELPERS_C + records_c +
              'static const char *slots_py_cdef_sha256(void) { return "%s"; }\n'
              % cdef_sha256(_cdef.api_signature(cdef_text)))
    ffi.set_source(MODULE, source, include_dirs=[header_dir], extra_compile_args=["-O2"],
                   define_macros=[("_CFFI_NO_LIMITED_API", None)],
                   py_limited_api=False)  # _records.c uses the full C API (vectorcall, member offsets)
    target_dir = os.path.abspath(target_dir or here)
    tmp = os.path.join(target_dir, "_cffi_build")
    os.makedirs(tmp, exist_ok=True)
    built = ffi.compile(tmpdir=tmp, verbose=verbose)
    out = os.path.join(target_dir, os.path.basename(built))
    os.replace(built, out)
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _load_cdef_module(here):
    """_cdef.py by path: importing the slots package would load the library, which a build must not
    need."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("_slots_build_cdef", os.path.join(here, "_cdef.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def source_stamp():
    """A hash of what the extension is built from (the declarations, this file, _records.c)."""
    here = os.path.dirname(os.path.abspath(__file__))
    cdef = _load_cdef_module(here)
    h = hashlib.sha256(cdef.api_signature(cdef.load_text()[0]).encode())
    for name in ("_build_cffi.py", "_records.c"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


STAMP = "_slots_cffi.stamp"


def build_if_stale():
    """Builds the extension into this package's directory unless the one there was built from the
    same sources (its stamp says so); returns (path or None, what happened)."""
    import glob
    here = os.path.dirname(os.path.abspath(__file__))
    stamp, stamp_file = source_stamp(), os.path.join(here, STAMP)
    built = glob.glob(os.path.join(here, "_slots_cffi*.so"))
    if built and os.path.exists(stamp_file):
        with open(stamp_file) as f:
            if f.read().strip() == stamp:
                return built[0], "up to date"
    out = build()
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")
    return out, "built"


if __name__ == "__main__":
    # python3 _build_cffi.py [TARGET_DIR] [-v]   build now
    # python3 _build_cffi.py --if-stale          build into the package unless up to date (make)
    if "--if-stale" in sys.argv:
        try:
            import cffi  # noqa: F401
        except ImportError:
            print("slots: cffi is not installed for %s: Python runs on the cffi ABI or ctypes backend "
                  "(install python3-cffi for the compiled one)" % sys.executable)
            sys.exit(0)
        try:
            path, what = build_if_stale()
        except Exception as exc:  # no compiler or no Python headers: the fallbacks still work
            print("slots: the compiled Python backend was not built (%s); Python runs on the cffi "
                  "ABI backend" % exc)
            sys.exit(0)
        print("slots: compiled Python backend %s: %s" % (what, os.path.relpath(path)))
        sys.exit(0)
    args = [a for a in sys.argv[1:] if a != "-v"]
    print(build(args[0] if args else None, verbose="-v" in sys.argv))
