"""The cffi backend (ABI mode): libslots through cffi, declarations from the generated slots.cdef.

Same interface as _backend_ctypes (see its docstring). Importing this module raises ImportError when
cffi is not installed; _lib.py then falls back to ctypes unless SLOTS_BACKEND=cffi forces this one.
"""
import os
import threading

import cffi

from . import _cdef

NAME = "cffi"
_fd_lock = threading.Lock()


class _Fn(object):
    pass


class Backend(object):
    name = NAME

    def __init__(self, path, cdef_text):
        self.path = path
        self.mode, self.abi_reason = "abi", None
        self._fd_type = None
        api = None
        if os.environ.get("SLOTS_CFFI_MODE", "").lower() != "abi":
            api, self.abi_reason = _load_api_module(path, cdef_text)
        else:
            self.abi_reason = "SLOTS_CFFI_MODE=abi"
        if api is not None:
            self.mode = "api"
            self.ffi = ffi = api.ffi
            self.lib = lib = api.lib
        else:
            self.ffi = ffi = cffi.FFI()
            ffi.cdef(cdef_text)
            self.lib = lib = ffi.dlopen(path)
        self.C = _cdef.constants(cdef_text)
        self.null = ffi.NULL
        self.fn = _Fn()
        self._outs = {}
        self.missing = []
        null = ffi.NULL
        for fname, (ret, params) in _cdef.functions(cdef_text).items():
            try:
                f = getattr(lib, fname)
            except AttributeError:
                self.missing.append(fname)  # _lib.py refuses the library if it needs this one
                continue
            outs = [i for i, p in enumerate(params) if _is_out(p)]
            if outs:
                self._outs[fname] = (f, params, outs)
            if ret == "const char *":
                setattr(self.fn, fname, _text_result(f, ffi))
            elif ret == "const slots_type *":
                setattr(self.fn, fname, _ptr_result(f, null))
            else:
                setattr(self.fn, fname, f)

    def out(self, fname, *inputs):
        ffi = self.ffi
        f, params, outs = self._outs[fname]
        args = list(inputs)
        bufs = []
        for i in outs:
            b = ffi.new(params[i].replace(" * *", " **").replace(" *", "*"))
            bufs.append((b, params[i]))
            args.insert(i, b)
        args = [ffi.NULL if a is None else a for a in args]
        rc = f(*args)
        res = []
        for b, decl in bufs:
            v = b[0]
            if decl.endswith("* *"):
                v = None if v == ffi.NULL else v
            res.append(v)
        return (rc,) + tuple(res)

    def string(self, p, n):
        if not n:
            return b""
        return self.ffi.unpack(self.ffi.cast("const char *", p), n)

    # ---- stores and the ffi bridge (see _backend_ctypes for the interface) ------------------
    def make_out1(self, fname, ctype):
        f = getattr(self.lib, fname)
        tls = threading.local()
        decl = ctype + " *"
        new = self.ffi.new

        def call(*inputs, _f=f, _tls=tls, _new=new, _d=decl):
            try:
                b = _tls.b
            except AttributeError:
                b = _tls.b = _new(_d)
            rc = _f(*inputs, b)
            return rc, b[0]
        return call

    def make_lookup(self, fname):
        """f(*inputs) -> handle (> 0) or a negative status, for slots_store_at/find_*."""
        if self.mode == "api":
            def call(*inputs, _f=getattr(self.lib, fname.replace("slots_", "slots_py_", 1)),
                     _take=self.lib.slots_py_take_status):
                return _f(*inputs) or _take()
            return call
        f = self.make_out1(fname, "slots_obj")

        def call(*inputs, _f=f):
            rc, h = _f(*inputs)
            return rc or h
        return call

    def iter_handles(self, s, on_status):
        lib, ffi = self.lib, self.ffi
        eindex = self.C["SLOTS_EINDEX"]
        if self.mode == "api":
            buf = ffi.new("slots_obj[]", 256)
            cur = ffi.new("size_t *")
            f = lib.slots_py_store_handles
            while True:
                n = f(s, cur, buf, 256)
                if n < 0:
                    if n == eindex:
                        return
                    on_status(n)
                for j in range(n):
                    yield buf[j]
                if n < 256:
                    return
        f = lib.slots_store_next
        cur, out = ffi.new("size_t *"), ffi.new("slots_obj *")
        while True:
            rc = f(s, cur, out)
            if rc:
                if rc == eindex:
                    return
                on_status(rc)
            yield out[0]

    def addr(self, p):
        return int(self.ffi.cast("uintptr_t", p)) if p is not None else 0

    def wbuf(self, buf):
        return self.ffi.from_buffer(buf, require_writable=True)

    def rbuf(self, buf):
        return self.ffi.from_buffer(buf)

    def carray(self, buf, ctype):
        if not memoryview(buf).nbytes:
            return self.ffi.NULL
        return self.ffi.cast(ctype + " *", self.ffi.from_buffer(buf, require_writable=True))

    def call(self, h, name, args):
        ffi = self.ffi
        n = len(args)
        arr = ffi.new("slots_arg[]", max(n, 1))
        keep = []
        for j, (kind, i, u, f, s) in enumerate(args):
            a = arr[j]
            a.kind, a.i, a.u, a.f = kind, i, u, f
            if s is not None:
                b = ffi.new("char[]", s)
                keep.append(b)
                a.s, a.len = b, len(s)
        res = ffi.new("slots_arg *")
        rc = self.lib.slots_call(h, name, arr, n, res)
        s = ffi.unpack(res.s, res.len) if res.s != ffi.NULL and res.len else b""
        return rc, (res.kind, res.i, res.u, res.f, s)

    def validator_callback(self, py):
        ffi = self.ffi

        def cb(h, field, value, msg, cap, ctx):
            try:
                s = ffi.unpack(value.s, value.len) if value.s != ffi.NULL and value.len else b""
                reason = py(h, field, value.kind, value.i, value.u, value.f, s)
                if reason is None:
                    return 0
                b = reason.encode("utf-8", "replace")[:max(cap - 1, 0)]
                ffi.memmove(msg, b + b"\0", len(b) + 1)
                return 1
            except BaseException:  # never unwind through C
                return 1
        c = ffi.callback("slots_validator", cb, error=1)
        return c, c

    def progress_callback(self, py):
        """(keepalive, fnptr): a C slots_progress_fn calling py(rows); nonzero stops the load, and so
        does an exception (the caller keeps it)."""
        def cb(rows, ctx):
            try:
                return int(py(rows))
            except BaseException:  # never unwind through C
                return 1
        c = self.ffi.callback("slots_progress_fn", cb, error=1)
        return c, c

    _CKIND = {"bool": "_Bool", "i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t",
              "u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t", "f32": "float",
              "f64": "double", "str": "char *", "ref": "uint64_t", "self": "uint64_t", "ptr": "void *",
              "void": "void"}

    def method_callback(self, ret, params, py):
        ffi = self.ffi
        decl = "%s(*)(%s)" % (self._CKIND[ret], ", ".join(self._CKIND[p] for p in params) or "void")
        tls = threading.local()
        conv = [(lambda v: None if v == ffi.NULL else ffi.string(v)) if p == "str" else
                (lambda v: int(ffi.cast("uintptr_t", v))) if p == "ptr" else None for p in params]

        def cb(*args):
            args = [c(a) if c else a for c, a in zip(conv, args)]
            r = py(*args)
            if ret == "str":
                b = tls.keep = ffi.new("char[]", r)
                return b
            return r
        c = ffi.callback(decl, cb)
        return c, ffi.cast("slots_native_fn", c)

    def tkey(self, t):
        return int(self.ffi.cast("uintptr_t", t))

    def cstring(self, p):
        return self.ffi.string(self.ffi.cast("const char *", p))

    _FD_FAMILY = {"i64": 0, "u64": 1, "f64": 2, "bool": 3, "str": 4, "bytes": 5}

    def make_field(self, family, idx, on_status, fget, fset, fdel, doc, hslot, owner):
        """The descriptor for one field: in API mode a C FieldDescr (get and the common sets in C),
        else a property over make_fget(). `fget` (if given) replaces the backend getter (refs)."""
        if self.mode == "api" and self._fd_type is None:
            with _fd_lock:  # made once, by the first thread to define a record class
                if self._fd_type is None:
                    fd = _field_descr_type(self.ffi, self.lib)
                    self._hoff = _handle_offset(owner) if fd else None
                    self._fd_type = fd if self._hoff is not None else False
        fd = self._fd_type if self.mode == "api" else None
        if fd:
            code = self._FD_FAMILY[family] if fget is None else 6
            return fd(idx, code, self._hoff, owner, fget or fdel, on_status, fset, fdel, doc)
        return property(fget or self.make_fget(family, idx, on_status), fset, fdel, doc)

    def make_new(self, t, on_status):
        if self.mode == "api":
            def new_blank(_f=self.lib.slots_py_new_blank, _t=t, _take=self.lib.slots_py_take_status,
                          _s=on_status):
                h = _f(_t)
                if not h:
                    _s(_take(), None)
                return h
            return new_blank
        f = self.lib.slots_new_blank
        new = self.ffi.new

        def new_blank(_f=f, _t=t, _new=new, _s=on_status):
            b = _new("slots_obj *")
            rc = _f(_t, b)
            if rc:
                _s(rc, None)
            return b[0]
        return new_blank

    def make_fget(self, family, idx, on_status):
        """A getter for field `idx`: one C call; out-parameters are per-thread buffers (cffi releases
        the GIL around calls, so a shared buffer could be overwritten by another thread)."""
        ffi, lib = self.ffi, self.lib
        if self.mode == "api" and family in _API_SENTINEL:
            return _api_fget(lib, family, idx, on_status)
        tls = threading.local()
        unpack = ffi.unpack
        if family in ("i64", "u64", "f64", "bool", "ref"):
            f = getattr(lib, "slots_get_" + family)
            ctype = {"i64": "int64_t *", "u64": "uint64_t *", "f64": "double *", "bool": "int *",
                     "ref": "slots_obj *"}[family]

            def fresh(_tls=tls, _new=ffi.new, _c=ctype):
                b = _tls.b = _new(_c)
                return b
            if family == "bool":
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh):
                    try:
                        b = _tls.b
                    except AttributeError:
                        b = _fresh()
                    rc = _f(self._h, _i, b)
                    if rc:
                        return _s(rc, self)
                    return b[0] != 0
            else:
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh):
                    try:
                        b = _tls.b
                    except AttributeError:
                        b = _fresh()
                    rc = _f(self._h, _i, b)
                    if rc:
                        return _s(rc, self)
                    return b[0]
            return fget
        if family in ("str", "bytes"):
            f = getattr(lib, "slots_get_" + family)
            pdecl = "const char **" if family == "str" else "const void **"

            def fresh(_tls=tls, _new=ffi.new, _pd=pdecl):
                p = _tls.p = _new(_pd)
                _tls.n = _new("size_t *")
                return p
            cast = ffi.cast
            if family == "str":
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh, _u=unpack):
                    try:
                        p = _tls.p
                    except AttributeError:
                        p = _fresh()
                    n = _tls.n
                    rc = _f(self._h, _i, p, n)
                    if rc:
                        return _s(rc, self)
                    return _u(p[0], n[0]).decode() if n[0] else ""
            else:
                def fget(self, _f=f, _i=idx, _tls=tls, _s=on_status, _fresh=fresh, _u=unpack,
                         _cast=cast):
                    try:
                        p = _tls.p
                    except AttributeError:
                        p = _fresh()
                    n = _tls.n
                    rc = _f(self._h, _i, p, n)
                    if rc:
                        return _s(rc, self)
                    return _u(_cast("const char *", p[0]), n[0]) if n[0] else b""
            return fget
        raise ValueError(family)


def _text_result(f, ffi):
    null, string = ffi.NULL, ffi.string

    def call(*args):
        r = f(*[null if a is None else a for a in args])
        return None if r == null else string(r).decode("utf-8", "replace")
    return call


def _ptr_result(f, null):
    def call(*args):
        r = f(*[null if a is None else a for a in args])
        return None if r == null else r
    return call


_OUT_SCALARS = ("int", "unsigned", "size_t", "int64_t", "uint64_t", "slots_obj", "double")


def _is_out(decl):
    """Out-parameters: pointers to a scalar (int *, size_t *, ...) and pointers to pointers."""
    if decl.endswith("* *"):
        return True
    return decl.endswith("*") and decl[:-1].strip() in _OUT_SCALARS


# API mode: helpers return the value itself; a sentinel says "look at the status".
_API_SENTINEL = {"i64": -(1 << 63), "u64": (1 << 64) - 1, "ref": 0, "f64": None, "bool": None}


def _api_fget(lib, family, idx, on_status):
    f = getattr(lib, "slots_py_get_" + family)
    take = lib.slots_py_take_status
    if family == "f64":
        def fget(self, _f=f, _i=idx, _take=take, _s=on_status):
            v = _f(self._h, _i)
            if v != v:
                rc = _take()
                if rc:
                    return _s(rc, self)
            return v
    elif family == "bool":
        def fget(self, _f=f, _i=idx, _s=on_status):
            v = _f(self._h, _i)
            if v == 1:
                return True
            if v == 0:
                return False
            return _s(1 if v == 2 else v, self)
    else:
        sentinel = _API_SENTINEL[family]

        def fget(self, _f=f, _i=idx, _take=take, _s=on_status, _sentinel=sentinel):
            v = _f(self._h, _i)
            if v == _sentinel:
                rc = _take()
                if rc:
                    return _s(rc, self)
            return v
    return fget


def _load_api_module(path, cdef_text):
    """The compiled API-mode module, or (None, why not)."""
    import ctypes
    import hashlib

    try:
        # Make the chosen library's symbols global first: the extension is not linked against
        # libslots and binds to whichever library this import selected.
        ctypes.CDLL(path, mode=getattr(os, "RTLD_GLOBAL", ctypes.RTLD_GLOBAL))
        # Imported here: the compiled extension is optional (tests/test_layers.py allows this).
        from . import _slots_cffi as api
    except ImportError as exc:
        return None, "no API-mode extension (%s)" % exc
    except OSError as exc:
        return None, "cannot load %s globally (%s)" % (path, exc)
    want = hashlib.sha256(_cdef.api_signature(cdef_text).encode("utf-8")).hexdigest()
    got = api.ffi.string(api.lib.slots_py_cdef_sha256()).decode()
    if got != want:
        return None, "the API-mode extension was built from other declarations (rebuild it)"
    return api, None


def _field_descr_type(ffi, lib):
    import ctypes

    p = lib.slots_py_field_type()
    if p == ffi.NULL:
        return False
    return ctypes.cast(int(ffi.cast("uintptr_t", p)), ctypes.py_object).value


def _handle_offset(root):
    """Byte offset of the `_h` slot in instances of the record root class, found by looking (not
    assumed), or None. CPython lays __slots__ members out right after the base object's fields."""
    import ctypes

    class _Probe(object):
        pass
    probe = object.__new__(root)
    marker = _Probe()
    root.__dict__["_h"].__set__(probe, marker)
    try:
        for off in range(object.__basicsize__, root.__basicsize__, ctypes.sizeof(ctypes.c_void_p)):
            if ctypes.c_void_p.from_address(id(probe) + off).value == id(marker):
                return off
        return None
    finally:
        root.__dict__["_h"].__set__(probe, 0)  # its __del__ frees handle 0: refused, harmless
