"""The ctypes backend: libslots through the standard library alone.

Signatures are not written here: they are read from the generated slots.cdef (see _cdef.py) and
turned into argtypes/restype, so this module and the cffi backend share one ABI description.
Interface shared with _backend_cffi (what _api.py uses):
    Backend(path, cdef_text)      loads the library; OSError if it cannot be loaded
    .name, .path, .C              backend name, library path, {constant: int}
    .fn.<slots_function>          raw C callables for functions without out-parameters
                                  (const char * results come back as str or None,
                                   const slots_type * results as an opaque type value or None)
    .out(fname, *inputs)          calls a function with out-parameters -> (status, *outs)
    .string(p, n) -> bytes        reads n bytes at a pointer an out-parameter returned
    .tkey(t) -> int               a hashable identity for a type value
    .make_fget(family, idx, on_status)  a fast getter fget(record) for one field
    .make_new(t, on_status)       a fast new_blank() -> handle for one type
"""
import ctypes
import threading

NAME = "ctypes"

_SCALARS = {
    "int": ctypes.c_int,
    "unsigned": ctypes.c_uint,
    "size_t": ctypes.c_size_t,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "slots_obj": ctypes.c_uint64,
    "double": ctypes.c_double,
    "void": None,
}


def _ctype(decl):
    """The ctypes type for a normalised C type from the cdef."""
    if decl in _SCALARS:
        return _SCALARS[decl]
    if decl == "(*)":
        return ctypes.c_void_p
    if decl == "const char *":
        return ctypes.c_char_p
    if decl == "const void *":
        return ctypes.c_char_p  # inputs only: Python bytes pass straight through (length given apart)
    if decl.endswith("* *"):
        return ctypes.POINTER(ctypes.c_void_p)  # const char **, const void **, slots_type **
    if decl.endswith("*"):
        base = decl[:-1].strip()
        if base in _SCALARS and base != "void":
            return ctypes.POINTER(_SCALARS[base])  # int *, int64_t *, size_t *, slots_obj *, ...
        return ctypes.c_void_p  # const slots_type *, slots_store *, void *: opaque pointers
    raise TypeError("slots: no ctypes mapping for C type %r" % decl)


class _Fn(object):
    pass


def _text_result(f):
    def call(*args):
        r = f(*args)
        return None if r is None else r.decode("utf-8", "replace")
    call.__name__ = f.__name__
    return call


class Backend(object):
    name = NAME

    def __init__(self, path, cdef_text):
        from . import _cdef

        self.path = path
        self.lib = ctypes.CDLL(path)
        self.C = _cdef.constants(cdef_text)
        self.fn = _Fn()
        self._outs = {}
        self.missing = []
        for fname, (ret, params) in _cdef.functions(cdef_text).items():
            try:
                f = getattr(self.lib, fname)
            except AttributeError:
                self.missing.append(fname)  # _api.py refuses the library if it needs this one
                continue
            try:
                f.restype = _ctype(ret) if ret != "const slots_type *" else ctypes.c_void_p
                f.argtypes = [_ctype(p) for p in params]
            except TypeError:
                self.missing.append(fname)  # a type this backend does not map (unused by slots)
                continue
            outs = [i for i, p in enumerate(params) if _is_out(p)]
            if outs:
                self._outs[fname] = (f, params, outs)
            if ret == "const char *":
                setattr(self.fn, fname, _text_result(f))
            else:
                setattr(self.fn, fname, f)

    # ---- generic calls -------------------------------------------------------------------------
    def out(self, fname, *inputs):
        f, params, outs = self._outs[fname]
        bufs = []
        args = list(inputs)
        for i in outs:
            base = params[i][:-1].strip()
            b = ctypes.c_void_p() if base.endswith("*") else _SCALARS[base]()
            bufs.append(b)
            args.insert(i, ctypes.byref(b))
        rc = f(*args)
        return (rc,) + tuple(b.value for b in bufs)

    @staticmethod
    def string(p, n):
        if not n:
            return b""
        return ctypes.string_at(p, n)

    @staticmethod
    def tkey(t):
        return t

    # ---- hot paths -----------------------------------------------------------------------------
    @staticmethod
    def cstring(p):
        return ctypes.string_at(p)

    def make_field(self, family, idx, on_status, fget, fset, fdel, doc, hslot, owner):
        """The descriptor for one field: a property whose getter makes one C call."""
        return property(fget or self.make_fget(family, idx, on_status), fset, fdel, doc)

    def make_new(self, t, on_status):
        f = self.lib.slots_new_blank
        tls = threading.local()

        def new_blank(_f=f, _t=t, _tls=tls, _s=on_status, _c=ctypes.c_uint64, _by=ctypes.byref):
            b = _c()
            rc = _f(_t, _by(b))
            if rc:
                _s(rc, None)
            return b.value
        return new_blank

    def make_fget(self, family, idx, on_status):
        """A getter for field `idx`: one C call. Out-parameters are per-thread buffers made once per
        thread and field (a C call releases the GIL, so one shared buffer could be overwritten by
        another thread between the call and the read)."""
        lib = self.lib
        string_at = ctypes.string_at
        tls = threading.local()
        if family in ("i64", "u64", "f64", "bool", "ref"):
            f = getattr(lib, "slots_get_" + family)
            ctype = {"i64": ctypes.c_int64, "u64": ctypes.c_uint64, "f64": ctypes.c_double,
                     "bool": ctypes.c_int, "ref": ctypes.c_uint64}[family]

            def fresh(_tls=tls, _c=ctype, _by=ctypes.byref):
                b = _c()
                _tls.b = b
                _tls.r = _by(b)
                return b
            if family == "bool":
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh):
                    try:
                        b = _tls.b
                    except AttributeError:
                        b = _fresh()
                    rc = _f(self._h, _i, _tls.r)
                    if rc:
                        return _s(rc, self)
                    return b.value != 0
            else:
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh):
                    try:
                        b = _tls.b
                    except AttributeError:
                        b = _fresh()
                    rc = _f(self._h, _i, _tls.r)
                    if rc:
                        return _s(rc, self)
                    return b.value
            return fget
        if family in ("str", "bytes"):
            f = getattr(lib, "slots_get_" + family)

            def fresh(_tls=tls, _by=ctypes.byref):
                p, n = ctypes.c_void_p(), ctypes.c_size_t()
                _tls.p, _tls.n, _tls.rp, _tls.rn = p, n, _by(p), _by(n)
                return p

            if family == "str":
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh, _at=string_at):
                    try:
                        p = _tls.p
                    except AttributeError:
                        p = _fresh()
                    rc = _f(self._h, _i, _tls.rp, _tls.rn)
                    if rc:
                        return _s(rc, self)
                    n = _tls.n.value
                    return _at(p.value, n).decode() if n else ""
            else:
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh, _at=string_at):
                    try:
                        p = _tls.p
                    except AttributeError:
                        p = _fresh()
                    rc = _f(self._h, _i, _tls.rp, _tls.rn)
                    if rc:
                        return _s(rc, self)
                    n = _tls.n.value
                    return _at(p.value, n) if n else b""
            return fget
        raise ValueError(family)


_OUT_SCALARS = ("int", "unsigned", "size_t", "int64_t", "uint64_t", "slots_obj", "double")


def _is_out(decl):
    """Out-parameters: pointers to a scalar (int *, size_t *, ...) and pointers to pointers."""
    if decl.endswith("* *"):
        return True
    return decl.endswith("*") and decl[:-1].strip() in _OUT_SCALARS
