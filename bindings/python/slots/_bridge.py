"""The ffi bridge in Python: ctypes.Structure views of c_layout records, native methods and
properties bound in C (called through slots_call), and Python callables bound as C validators or
methods (through the backend's callback type), so that C-side bulk loads and other languages run them.

Callback objects are kept in `_callbacks` for the life of the process: a type is immortal, and a C
function pointer it holds must stay valid as long as any thread might call it.
"""
import ctypes
import re
import threading

from . import _handles, _ranges
from ._errors import _error
from ._handles import _INSTALLED, _borrow, _classes_by_tkey, _info, _info_of_class, _install
from ._kinds import _KINDS
from ._lib import _b, _C, _fn

_callbacks = []  # every C callback handed to the library (never released: types are immortal)
_tl = threading.local()  # .pending: an exception a Python method raised inside a C callback

_K = {name: _C["SLOTS_" + name.upper()] for name in
      ("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "str", "bytes", "ref")}
_KIND_NAME = {v: k for k, v in _K.items()}
_I64_MIN, _I64_MAX, _U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
_PROPERTY = _C["SLOTS_METHOD_PROPERTY"]

# ---- C-compatible layout: ctypes views ---------------------------------------------------------

_CTYPE = {"bool": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16, "i32": ctypes.c_int32,
          "i64": ctypes.c_int64, "u8": ctypes.c_uint8, "u16": ctypes.c_uint16, "u32": ctypes.c_uint32,
          "u64": ctypes.c_uint64, "f32": ctypes.c_float, "f64": ctypes.c_double, "str": ctypes.c_char_p,
          "ref": ctypes.c_uint64}


_struct_lock = threading.Lock()  # c_struct is made once per class, whichever thread asks first


def c_struct(cls):
    info = _info_of_class(cls)
    if info.struct is not None:
        return info.struct
    with _struct_lock:
        if info.struct is None:
            info.struct = _make_struct(cls, info)
    return info.struct


def _make_struct(cls, info):
    if not info.c_layout:
        raise TypeError("%s is not a C-layout record class (use @slots.record(c_layout=True))" % cls.__name__)
    fields = [(F.name, _CTYPE[F.kind]) for F in info.fields]
    S = type(cls.__name__ + "Struct", (ctypes.Structure,), {"_fields_": fields, "__module__": cls.__module__})
    for F in info.fields:  # the platform's C layout, so ctypes' and libffi's must agree
        off = _fn.slots_field_offset(info.t, F.index)
        if getattr(S, F.name).offset != off:
            raise RuntimeError("ctypes puts %s.%s at offset %d, libslots at %d"
                               % (cls.__name__, F.name, getattr(S, F.name).offset, off))
    size = struct_size(cls)
    if ctypes.sizeof(S) != size:
        raise RuntimeError("ctypes sizes %s at %d bytes, libslots at %d" % (cls.__name__, ctypes.sizeof(S), size))
    return S


def struct_size(cls):
    """The C struct's size as libffi computed it (the ffi_type's first member, a size_t)."""
    p = _b.addr(_fn.slots_type_ffi_type(_info_of_class(cls).t))
    if not p:
        raise _error(_fn.slots_errcode())
    return ctypes.c_size_t.from_address(p).value


def c_view(rec):
    S = c_struct(type(rec))
    rc, p = _b.out("slots_record_ptr_unchecked", _handles._geth(rec))
    if rc:
        raise _error(rc)
    v = S.from_address(_b.addr(p))
    v._slots_record = rec  # keeps the proxy (not the record's memory) alive
    return v


# ---- values across the bridge ------------------------------------------------------------------

def to_arg(v):
    """A Python value as a slots_arg tuple (kind, i, u, f, bytes)."""
    if v is None:
        return (0, 0, 0, 0.0, None)
    if v is True or v is False:
        return (_K["bool"], int(v), 0, 0.0, None)
    if isinstance(v, int):
        v = int(v)
        if _I64_MIN <= v <= _I64_MAX:
            return (_K["i64"], v, 0, 0.0, None)
        if 0 <= v <= _U64_MAX:
            return (_K["u64"], 0, v, 0.0, None)
        raise OverflowError("value %d does not fit a 64-bit argument" % v)
    if isinstance(v, float):
        return (_K["f64"], 0, 0, v, None)
    if isinstance(v, str):
        return (_K["str"], 0, 0, 0.0, v.encode())
    if isinstance(v, (bytes, bytearray, memoryview)):
        return (_K["str"], 0, 0, 0.0, bytes(v))
    if isinstance(v, _handles.Record):
        return (_K["ref"], 0, int(_handles._geth(v)), 0.0, None)
    raise TypeError("cannot pass %s to a native method" % type(v).__name__)


def _class_of_handle(h, default=None):
    rc, t = _b.out("slots_type_of", h)
    if rc:
        raise _error(rc)
    return _classes_by_tkey.get(_b.tkey(t), default)


def proxy_for(h, default_cls=None):
    """A non-owning proxy for record h (a ref coming out of C), or None for handle 0."""
    if not h:
        return None
    cls = _class_of_handle(h, default_cls)
    if cls is None:
        return h
    return _borrow(cls, h)


def from_arg(kind, i, u, f, s, bytes_field=False):
    if kind == 0:
        return None
    if kind == _K["bool"]:
        return bool(i)
    if kind == _K["i64"]:
        return i
    if kind == _K["u64"]:
        return u
    if kind == _K["f64"]:
        return f
    if kind == _K["str"]:
        return s if bytes_field else s.decode("utf-8", "replace")
    if kind == _K["ref"]:
        return proxy_for(u)
    raise ValueError("unknown argument kind %d" % kind)


# ---- methods and properties bound in C ---------------------------------------------------------

_SIG = re.compile(r"^\s*(\w+)\s*\(\s*(.*?)\s*\)\s*$")


def parse_signature(sig):
    """(ret, [params]) of a signature string; ValueError when it is malformed (the C library
    checks it again, with its own message)."""
    m = _SIG.match(sig)
    if not m:
        raise ValueError("bad method signature %r: expected RET(PARAM, ...)" % sig)
    params = [p.strip() for p in m.group(2).split(",")] if m.group(2) else []
    if params == ["void"]:
        params = []
    return m.group(1), params


def _make_method(name, is_property, doc):
    nb = name.encode()

    def method(self, *args):
        _tl.pending = None
        rc, res = _b.call(_handles._geth(self), nb, [to_arg(a) for a in args])
        pending, _tl.pending = getattr(_tl, "pending", None), None
        if pending is not None:
            raise pending
        if rc:
            raise _error(rc)
        r = from_arg(*res)
        if res[0] == _K["ref"] and r is not None and int(_handles._geth(self)) == res[2]:
            return self
        return r
    method.__name__ = name
    method.__doc__ = doc
    if is_property:
        return property(method, doc=doc)
    return method


def sync_methods(cls):
    """Installs on `cls` every method its C type has (its own and its bases'), unless the class body
    defines that name."""
    info = _info_of_class(cls)
    n = _fn.slots_method_count(info.t)
    if n < 0:
        raise _error(n)
    for i in range(n):
        name = _fn.slots_method_name(info.t, i)
        if name in cls.__dict__ and name not in cls.__dict__.get(_INSTALLED, ()):
            continue
        sig = _fn.slots_method_signature(info.t, i)
        flags = _fn.slots_method_flags(info.t, i)
        if info.methods.get(name) == (sig, flags):
            continue
        info.methods[name] = (sig, flags)
        doc = "%s%s: native %s %s" % (name, "" if flags & _PROPERTY else "(...)",
                                      "property" if flags & _PROPERTY else "method", sig)
        _install(cls, name, _make_method(name, flags & _PROPERTY, doc))


def bind_method(cls, name, signature, fn, library, symbol, is_property):
    info = _info(cls)
    flags = _PROPERTY if is_property else 0
    nb, sb = name.encode(), signature.encode()
    if (library is None) != (symbol is None):
        raise TypeError("bind_method: give both library and symbol, or fn")
    if library is not None:
        if fn is not None:
            raise TypeError("bind_method: give library and symbol, or fn, not both")
        rc = _fn.slots_method_bind_symbol(info.t, nb, sb, library.encode() if isinstance(library, str)
                                          else library, symbol.encode(), flags)
    else:
        if fn is None:
            raise TypeError("bind_method: give fn, or library and symbol")
        ptr = _fnptr(cls, fn, signature)
        rc = _fn.slots_method_bind(info.t, nb, sb, ptr, flags)
    if rc:
        raise _error(rc)
    sync_methods(cls)
    return getattr(cls, name) if not is_property else cls.__dict__.get(name)


def _fnptr(cls, fn, signature):
    """A function pointer argument for slots_method_bind from a ctypes function, a cffi function,
    an address, or a Python callable (wrapped in a callback with the signature's C types)."""
    if isinstance(fn, int):
        fn = _ranges.check(fn, "uintptr", "function address")
        return ctypes.c_void_p(fn).value if _b.name == "ctypes" else _b.ffi.cast("slots_native_fn", fn)
    if isinstance(fn, ctypes._CFuncPtr):
        addr = ctypes.cast(fn, ctypes.c_void_p).value
        _callbacks.append(fn)
        return addr if _b.name == "ctypes" else _b.ffi.cast("slots_native_fn", addr)
    if _b.name == "cffi" and isinstance(fn, _b.ffi.CData):
        _callbacks.append(fn)
        return _b.ffi.cast("slots_native_fn", fn)
    if not callable(fn):
        raise TypeError("bind_method: fn must be a function pointer, an address or a callable")
    ret, params = parse_signature(signature)
    known = set(_CTYPE) | {"self", "ptr", "void"}
    for k in [ret] + params:
        if k not in known:
            raise ValueError("bad method signature %r: unknown kind %r" % (signature, k))
    keep, ptr = _b.method_callback(ret, params, _python_method(cls, fn, ret, params))
    _callbacks.append(keep)
    return ptr


_RET_DEFAULT = {"void": None, "str": b"", "f32": 0.0, "f64": 0.0}
_RESULT_KIND = {"ptr": "uintptr", "self": "u64"}  # integer results that are not field kinds


def _python_method(cls, fn, ret, params):
    """The Python side of a C callback: converts C arguments to Python (self and refs as
    non-owning proxies, str as str), calls fn, converts the result. An exception cannot cross C:
    it is kept for the slots_call wrapper to raise (a C caller gets a zero result)."""
    def call(*cargs):
        try:
            args = []
            for p, a in zip(params, cargs):
                if p == "self":
                    args.append(proxy_for(a, cls))
                elif p == "ref":
                    args.append(proxy_for(a))
                elif p == "str":
                    args.append(None if a is None else a.decode("utf-8", "replace"))
                elif p == "bool":
                    args.append(bool(a))
                else:
                    args.append(a)
            r = fn(*args)
            if ret == "void":
                return None
            if ret == "str":
                return ("" if r is None else str(r)).encode()
            if ret == "ref":
                return int(_handles._geth(r)) if r is not None else 0
            if ret == "bool":
                return bool(r)
            if ret in ("f32", "f64"):
                return float(r)
            # an integer kind: ctypes would wrap what does not fit, cffi would only print it
            return _ranges.check(int(r), _RESULT_KIND.get(ret, ret),
                                 "result of native method %s" % getattr(fn, "__name__", "?"))
        except BaseException as exc:
            _tl.pending = exc
            return _RET_DEFAULT.get(ret, 0)
    return call


# ---- validators --------------------------------------------------------------------------------

def set_validator(cls, field_name, fn):
    info = _info(cls)
    F = info.by_name.get(field_name)
    if F is None:
        raise AttributeError("'%s' object has no attribute '%s'" % (cls.__name__, field_name))
    if fn is None:
        rc = _fn.slots_field_set_validator(info.t, F.index, _b.null, _b.null)
        if rc:
            raise _error(rc)
        return
    if not callable(fn):
        raise TypeError("a validator must be callable")
    is_bytes = F._family == "bytes"
    qual = getattr(fn, "__qualname__", repr(fn))
    from_text = _KINDS[F.kind].from_text  # timestamp, date, uuid, decimal: C hands over the text

    def py(h, field, kind, i, u, f, s):
        try:
            value = from_arg(kind, i, u, f, s, is_bytes)
            if from_text is not None and isinstance(value, str):
                value = from_text(value)
            r = fn(_borrow(cls, h), value)  # validators apply to records of exactly this type
            if r is None or r is True:
                return None
            if r is False:
                return "%r refused by validator %s" % (value, qual)
            return str(r)
        except ValueError as exc:
            return str(exc) or type(exc).__name__
        except BaseException as exc:  # any exception is a refusal, never a crash
            return "%s: %s" % (type(exc).__name__, exc)
    keep, ptr = _b.validator_callback(py)
    _callbacks.append(keep)
    rc = _fn.slots_field_set_validator(info.t, F.index, ptr, _b.null)
    if rc:
        raise _error(rc)
