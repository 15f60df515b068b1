"""The ctypes backend: libslots through the standard library alone.

Signatures are not written here: they are read from the generated slots.cdef (see _cdef.py) and
turned into argtypes/restype, so this module and the cffi backend share one ABI description.
Interface shared with _backend_cffi (what the package uses):
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
    .make_out1(fname, ctype)      a fast f(*inputs) -> (status, out) for one trailing out-parameter
    .iter_handles(store, on_status)  yields the handles of a store's records
    .addr(p) -> int               the address of a pointer an out-parameter returned
    .wbuf(buffer) / .rbuf(buffer) a writable / readable Python buffer as a `void *` argument
    .call(h, name, args)          slots_call with [(kind, i, u, f, bytes)] -> (status, kind, value)
    .validator_callback(py)       a C slots_validator calling py(h, field, kind, value) -> reason|None
    .method_callback(ret, params, py)  a C function of the given C kinds calling py(*args)
    .struct_type(fields)          unused by ctypes (views are ctypes.Structure on every backend)
"""
import ctypes
import threading

from . import _cdef, _ranges

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
    if decl in ("(*)", "slots_native_fn", "slots_validator", "slots_progress_fn"):
        return ctypes.c_void_p  # function pointers: a CFUNCTYPE object or an address
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
    null = None

    def __init__(self, path, cdef_text):
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
                self.missing.append(fname)  # _lib.py refuses the library if it needs this one
                continue
            try:
                # opaque pointer results stay addresses (const void * as an input is c_char_p)
                f.restype = ctypes.c_void_p if ret in ("const slots_type *", "const void *") else _ctype(ret)
                # size_t (positions, counts, lengths) refuses what c_size_t would wrap
                f.argtypes = [_ranges.CheckedSize if p == "size_t" else _ctype(p) for p in params]
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

    # ---- stores and the ffi bridge -------------------------------------------------------------
    def make_out1(self, fname, ctype):
        """f(*inputs) -> (status, value) for a function whose last parameter is one scalar
        out-parameter; the buffer is per thread (a C call releases the GIL)."""
        f = getattr(self.lib, fname)
        c = {"slots_obj": ctypes.c_uint64, "size_t": ctypes.c_size_t, "int64_t": ctypes.c_int64,
             "double": ctypes.c_double}[ctype]
        tls = threading.local()

        def call(*inputs, _f=f, _tls=tls, _c=c, _by=ctypes.byref):
            try:
                b, r = _tls.b
            except AttributeError:
                b = _c()
                r = _by(b)
                _tls.b = (b, r)
            rc = _f(*inputs, r)
            return rc, b.value
        return call

    def make_lookup(self, fname):
        """f(*inputs) -> handle (> 0) or a negative status, for slots_store_at/find_*."""
        f = getattr(self.lib, fname)
        tls = threading.local()

        def call(s, x, n=None, _f=f, _tls=tls, _c=ctypes.c_uint64, _by=ctypes.byref):
            try:
                b, r = _tls.b
            except AttributeError:
                b = _c()
                r = _by(b)
                _tls.b = (b, r)
            rc = _f(s, x, r) if n is None else _f(s, x, n, r)
            return rc or b.value
        return call

    def iter_handles(self, s, on_status):
        f = self.lib.slots_store_next
        cur, out = ctypes.c_size_t(0), ctypes.c_uint64()
        rcur, rout = ctypes.byref(cur), ctypes.byref(out)
        eindex = self.C["SLOTS_EINDEX"]
        while True:
            rc = f(s, rcur, rout)
            if rc:
                if rc == eindex:
                    return
                on_status(rc)
            yield out.value

    @staticmethod
    def addr(p):
        return p or 0

    @staticmethod
    def wbuf(buf):
        """A writable buffer (array.array, bytearray) as a `void *` argument; the caller keeps
        `buf` alive during the call."""
        n = memoryview(buf).nbytes
        return ctypes.addressof((ctypes.c_char * n).from_buffer(buf)) if n else None

    @staticmethod
    def carray(buf, ctype):
        """A writable buffer (array.array) as a `const ctype *` argument (size_t, int64_t, slots_obj,
        or `const char *` for an array of pointers): its address, or None when empty; the caller
        keeps `buf` alive during the call."""
        n = memoryview(buf).nbytes
        return ctypes.addressof((ctypes.c_char * n).from_buffer(buf)) if n else None

    @staticmethod
    def rbuf(buf):
        """A readable buffer as a `const void *` argument (mapped to c_char_p: bytes pass through)."""
        return bytes(memoryview(buf).cast("B"))

    def call(self, h, name, args):
        """slots_call(h, name, args) -> (status, result slots_arg as a tuple)."""
        n = len(args)
        arr = (_Arg * max(n, 1))()
        keep = []
        for j, (kind, i, u, f, s) in enumerate(args):
            a = arr[j]
            a.kind, a.i, a.u, a.f = kind, i, u, f
            if s is not None:
                b = ctypes.create_string_buffer(s, len(s))
                keep.append(b)
                a.s, a.len = ctypes.cast(b, ctypes.c_void_p), len(s)
        res = _Arg()
        rc = self.lib.slots_call(h, name, ctypes.addressof(arr), n, ctypes.addressof(res))
        s = ctypes.string_at(res.s, res.len) if res.s and res.len else b""
        return rc, (res.kind, res.i, res.u, res.f, s)

    def validator_callback(self, py):
        """(keepalive, fnptr): a C slots_validator that calls py(h, field, kind, i, u, f, bytes) and
        refuses with the returned reason (a str) or accepts on None. py must not raise."""
        def cb(h, field, value, msg, cap, ctx):
            try:
                a = ctypes.cast(value, ctypes.POINTER(_Arg))[0]
                s = ctypes.string_at(a.s, a.len) if a.s and a.len else b""
                reason = py(h, field, a.kind, a.i, a.u, a.f, s)
                if reason is None:
                    return 0
                b = reason.encode("utf-8", "replace")[:max(cap - 1, 0)]
                ctypes.memmove(msg, b + b"\0", len(b) + 1)
                return 1
            except BaseException:  # never unwind through C
                return 1
        c = _VALIDATOR(cb)
        return c, ctypes.cast(c, ctypes.c_void_p).value

    def progress_callback(self, py):
        """(keepalive, fnptr): a C slots_progress_fn calling py(rows); it returns py's int result
        (nonzero stops the load), 1 if py raises (the caller keeps the exception)."""
        def cb(rows, ctx):
            try:
                return int(py(rows))
            except BaseException:  # never unwind through C
                return 1
        c = _PROGRESS(cb)
        return c, ctypes.cast(c, ctypes.c_void_p).value

    def method_callback(self, ret, params, py):
        """(keepalive, fnptr): a C function with return kind `ret` and parameter kinds `params`
        (field kinds, "self", "ptr", "void") calling py(*args); str arguments arrive as bytes, a str
        result must be bytes (kept alive until the next call on the thread)."""
        restype = None if ret == "void" else (ctypes.c_void_p if ret == "str" else _CKIND[ret])
        ftype = ctypes.CFUNCTYPE(restype, *[_CKIND[p] for p in params])
        tls = threading.local()

        def cb(*args):
            r = py(*args)
            if ret == "str":
                b = ctypes.create_string_buffer(r)
                tls.keep = b
                return ctypes.addressof(b)
            return r
        c = ftype(cb)
        return c, ctypes.cast(c, ctypes.c_void_p).value

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


class _Arg(ctypes.Structure):
    """slots_arg."""
    _fields_ = [("kind", ctypes.c_int), ("i", ctypes.c_int64), ("u", ctypes.c_uint64),
                ("f", ctypes.c_double), ("s", ctypes.c_void_p), ("len", ctypes.c_size_t)]


_PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_void_p)
_VALIDATOR = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                              ctypes.c_size_t, ctypes.c_void_p)
_CKIND = {"bool": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16, "i32": ctypes.c_int32,
          "i64": ctypes.c_int64, "u8": ctypes.c_uint8, "u16": ctypes.c_uint16, "u32": ctypes.c_uint32,
          "u64": ctypes.c_uint64, "f32": ctypes.c_float, "f64": ctypes.c_double, "str": ctypes.c_char_p,
          "ref": ctypes.c_uint64, "self": ctypes.c_uint64, "ptr": ctypes.c_void_p}


_OUT_SCALARS = ("int", "unsigned", "size_t", "int64_t", "uint64_t", "slots_obj", "double")


def _is_out(decl):
    """Out-parameters: pointers to a scalar (int *, size_t *, ...) and pointers to pointers."""
    if decl.endswith("* *"):
        return True
    return decl.endswith("*") and decl[:-1].strip() in _OUT_SCALARS
