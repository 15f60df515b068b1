"""slots' public API, written once over either backend (_backend_ctypes or _backend_cffi).

A Python record is a proxy: an instance of its record class holding one slot, `_h`, the libslots
handle (plus `__weakref__`). Field values live in C. Each class resolves its field indices once and
gets one property per field whose getter is a backend-built closure making one C call; setters are
generated code (one C call after a type check on the value's class). See README.md for the design.
"""
import ast
import ctypes.util
import dataclasses
import inspect
import math
import os
import sys
import threading
import types
import typing

EXPECTED_MAJOR = 1

# ============================================================================================
# Loading: backend choice, library lookup, version check
# ============================================================================================


def _choose_backend():
    forced = os.environ.get("SLOTS_BACKEND", "").strip().lower()
    if forced not in ("", "ctypes", "cffi"):
        raise ImportError("slots: SLOTS_BACKEND=%r is not a backend; use SLOTS_BACKEND=ctypes or "
                          "SLOTS_BACKEND=cffi (or unset it)" % forced)
    if forced == "ctypes":
        from . import _backend_ctypes as mod
        return mod, None
    try:
        from . import _backend_cffi as mod
        return mod, None
    except ImportError as exc:
        if forced == "cffi":
            raise ImportError("slots: SLOTS_BACKEND=cffi but cffi cannot be imported (%s); install "
                              "cffi (Debian: python3-cffi) or use SLOTS_BACKEND=ctypes" % exc)
        from . import _backend_ctypes as mod
        return mod, "cffi not importable (%s)" % exc


def _library_candidates():
    """[(how it was found, path or None, note)] in lookup order."""
    env = os.environ.get("SLOTS_LIBRARY")
    if env:
        return [("SLOTS_LIBRARY", env)]
    pkg = os.path.dirname(os.path.abspath(__file__))
    out = []
    for name in ("libslots.so.1", "libslots.1.dylib", "slots.dll", "libslots.so"):
        out.append(("next to the package", os.path.join(pkg, name)))
    out.append(("build tree", os.path.normpath(os.path.join(pkg, os.pardir, os.pardir, os.pardir,
                                                            "build", "libslots.so.1"))))
    found = ctypes.util.find_library("slots")
    out.append(("system (ctypes.util.find_library('slots'))", found))
    return out


def _load():
    from . import _cdef

    mod, fallback = _choose_backend()
    cdef_text, cdef_from = _cdef.load_text()
    tried = []
    for how, path in _library_candidates():
        if not path:
            tried.append("%s: nothing found" % how)
            continue
        if os.sep in path and not os.path.exists(path):
            tried.append("%s: %s does not exist" % (how, path))
            if how == "SLOTS_LIBRARY":
                break
            continue
        try:
            be = mod.Backend(path, cdef_text)
        except OSError as exc:
            tried.append("%s: %s could not be loaded (%s)" % (how, path, exc))
            if how == "SLOTS_LIBRARY":
                break
            continue
        if "slots_version_number" in be.missing:
            tried.append("%s: %s is not libslots (no slots_version_number)" % (how, path))
            if how == "SLOTS_LIBRARY":
                break
            continue
        got = be.fn.slots_version_number()
        if got // 10000 != EXPECTED_MAJOR:
            tried.append("%s: %s is libslots %s, but this binding needs major version %d"
                         % (how, path, be.fn.slots_version(), EXPECTED_MAJOR))
            if how == "SLOTS_LIBRARY":
                break
            continue
        needed = [f for f in be.missing if f in _cdef.REQUIRED]
        if needed:
            tried.append("%s: %s lacks %s (an older or partial libslots)" % (how, path, ", ".join(needed)))
            if how == "SLOTS_LIBRARY":
                break
            continue
        return be, mod.NAME, fallback, cdef_from
    raise ImportError(
        "slots: cannot load libslots (major version %d). Looked for:\n  - %s\nFix: build it (`make "
        "lib` in the libslots tree), install it (`make install`, then ldconfig), or point "
        "SLOTS_LIBRARY at libslots.so.1." % (EXPECTED_MAJOR, "\n  - ".join(tried)))


_b, backend, backend_fallback_reason, cdef_source = _load()
# "api" (compiled cffi extension), "abi" (cffi through libffi) or "ctypes".
backend_mode = getattr(_b, "mode", "ctypes")
library_path = _b.path
_fn = _b.fn
_C = _b.C
library_version = _fn.slots_version()

OK, NULL = _C["SLOTS_OK"], _C["SLOTS_NULL"]
_ALLOW_NAN = _C["SLOTS_DUMP_ALLOW_NAN"]
ENOATTR, EUNSET, ETYPE, ERANGE = _C["SLOTS_ENOATTR"], _C["SLOTS_EUNSET"], _C["SLOTS_ETYPE"], _C["SLOTS_ERANGE"]
EREADONLY, ESTALE, EINVAL, ELAYOUT = _C["SLOTS_EREADONLY"], _C["SLOTS_ESTALE"], _C["SLOTS_EINVAL"], _C["SLOTS_ELAYOUT"]
ENOMEM, EPARSE, EEXIST, ENOKEY = _C["SLOTS_ENOMEM"], _C["SLOTS_EPARSE"], _C["SLOTS_EEXIST"], _C["SLOTS_ENOKEY"]
EINDEX, EIO = _C["SLOTS_EINDEX"], _C["SLOTS_EIO"]
ECANCELED = _C["SLOTS_ECANCELED"]
EBUSY = _C.get("SLOTS_EBUSY", -15)  # -15 in every libslots 1.x; a cdef older than the status lacks it
_FROZEN, _DYNAMIC, _CLAYOUT = _C["SLOTS_FROZEN"], _C["SLOTS_DYNAMIC"], _C["SLOTS_CLAYOUT"]
_F_OPTIONAL, _F_READONLY, _F_KEY, _F_HAS_DEFAULT = (
    _C["SLOTS_FIELD_OPTIONAL"], _C["SLOTS_FIELD_READONLY"], _C["SLOTS_FIELD_KEY"], _C["SLOTS_FIELD_HAS_DEFAULT"])

# ============================================================================================
# Errors
# ============================================================================================


class FrozenInstanceError(dataclasses.FrozenInstanceError):
    """Assignment to or deletion of an attribute of a frozen record (an AttributeError; also caught
    by `except dataclasses.FrozenInstanceError`)."""


class ReadOnlyError(AttributeError):
    """A read-only field that already has a value was assigned or deleted."""


class StaleRecordError(ReferenceError):
    """A record handle that is no longer valid (freed record, dropped store, forged handle).
    A ReferenceError, like using a weakref.proxy whose referent is gone."""


class CancelledError(Exception):
    """A load stopped by Store.cancel_load() (from another thread); the store is unchanged. A load
    stopped by Ctrl-C raises KeyboardInterrupt instead."""


class BusyError(RuntimeError):
    """The store is in use by an operation that cannot be interrupted (SLOTS_EBUSY): a drop, clear
    or load of a store from inside its own load (a validator), for instance. Nothing changed."""


_EXC = {
    ENOATTR: AttributeError, EUNSET: AttributeError, EREADONLY: ReadOnlyError, ETYPE: TypeError,
    ERANGE: OverflowError, ESTALE: StaleRecordError, EINVAL: ValueError, ELAYOUT: TypeError,
    ENOMEM: MemoryError, EPARSE: ValueError, EEXIST: KeyError, ENOKEY: KeyError, EINDEX: IndexError,
    EIO: OSError, ECANCELED: CancelledError, EBUSY: BusyError,
}


def _error(rc, filename=None):
    """The Python exception for C status `rc`, carrying the library's message (read at once: it is
    thread-local in C and this thread made the failing call). An OS error on a file becomes
    OSError(errno, strerror, filename), so FileNotFoundError, IsADirectoryError, ... match."""
    err = _fn.slots_errno() if rc == EIO else 0
    if err:
        exc = OSError(err, os.strerror(err)) if filename is None else OSError(err, os.strerror(err), filename)
        exc.status = rc
        return exc
    msg = _fn.slots_errmsg() or _fn.slots_strerror(rc)
    exc = _EXC.get(rc, RuntimeError)(msg)
    exc.status = rc
    return exc


def _raise(rc):
    raise _error(rc)


def _on_get_status(rc, obj):
    if rc == NULL:
        return None
    raise _error(rc)


# ============================================================================================
# Kinds
# ============================================================================================


class Kind(object):
    """An explicit field kind for annotations: `tags: slots.u8 = 0`. Calling one checks a value
    (`slots.u8(300)` raises OverflowError) and returns it."""

    __slots__ = ("name", "family", "lo", "hi", "pytype")

    def __init__(self, name, family, lo=None, hi=None, pytype=None):
        self.name, self.family, self.lo, self.hi, self.pytype = name, family, lo, hi, pytype

    def __repr__(self):
        return "slots.%s" % self.name

    def __reduce__(self):
        return self.name

    def __call__(self, value):
        if self.family in ("int", "u64"):
            if not isinstance(value, int):
                raise TypeError("%s expects int, got %s" % (self.name, type(value).__name__))
            if not self.lo <= value <= self.hi:
                raise OverflowError("value %d out of range for %s" % (value, self.name))
            return value
        if self.family == "f64":
            if not isinstance(value, (int, float)):
                raise TypeError("%s expects float, got %s" % (self.name, type(value).__name__))
            return float(value)
        return value


def _int_kind(name, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return Kind(name, "u64" if name == "u64" else "int", lo, hi, int)


i8, i16, i32, i64 = (_int_kind("i%d" % b, b, True) for b in (8, 16, 32, 64))
u8, u16, u32, u64 = (_int_kind("u%d" % b, b, False) for b in (8, 16, 32, 64))
f32 = Kind("f32", "f64", pytype=float)
f64 = Kind("f64", "f64", pytype=float)
_KINDS = {k.name: k for k in (i8, i16, i32, i64, u8, u16, u32, u64, f32, f64)}
_KINDS.update(bool=Kind("bool", "bool", pytype=bool), str=Kind("str", "str", pytype=str),
              bytes=Kind("bytes", "bytes", pytype=bytes), ref=Kind("ref", "ref"))
_PYKINDS = {int: "i64", float: "f64", str: "str", bytes: "bytes", bool: "bool"}
_PYTYPE_OF_KIND = {"bool": bool, "str": str, "bytes": bytes, "f32": float, "f64": float}


class _Missing(object):
    __slots__ = ()

    def __repr__(self):
        return "MISSING"

    def __reduce__(self):
        return "MISSING"


MISSING = _Missing()


class _FieldOptions(object):
    __slots__ = ("default", "readonly", "key")

    def __init__(self, default, readonly, key):
        self.default, self.readonly, self.key = default, readonly, key


def field(*, default=MISSING, readonly=False, key=False):
    """Per-field options in a class body: `id: int = slots.field(readonly=True, key=True)`."""
    return _FieldOptions(default, readonly, key)


def key(*, default=MISSING, readonly=False):
    """Marks the store key in a class body: `id: int = slots.key()` (the same as
    slots.field(key=True)). At most one per type, an integer kind or str, not Optional: every store
    of the type keeps a unique index on it (Store.get, `in`)."""
    return _FieldOptions(default, readonly, True)


class Field(object):
    """What slots.fields() returns for each field, in index order."""

    __slots__ = ("name", "type", "kind", "default", "optional", "readonly", "key", "index",
                 "ref_type", "_family", "_owner")

    def __repr__(self):
        return ("Field(name=%r, type=%r, kind=%r, default=%r, optional=%r, readonly=%r, key=%r)"
                % (self.name, self.type, self.kind, self.default, self.optional, self.readonly, self.key))


# ============================================================================================
# Per-class state and the proxy registry
# ============================================================================================

# Strong references from ref fields to their targets' proxies, keyed by (owner handle, field index):
# a ref field keeps its target alive like a Python attribute would. Dropped when the owner dies or
# the field is overwritten or deleted.
_keep = {}
# Extras of dynamic records that C cannot hold (lists, dicts, records, ints beyond 64 bits, ...):
# {handle: {name: object}}.
_pyextras = {}
_NO_EXTRAS = {}  # stays empty: what _pyextras.get(h, ...) reads for a record without Python extras
_hslot = None  # set once Record exists: the `_h` slot descriptor
_tl = threading.local()


class _Info(object):
    """What a record class knows about its C type, resolved once."""

    __slots__ = ("t", "tkey", "name", "fields", "by_name", "frozen", "dynamic", "order", "readonly",
                 "ref_indices", "text", "base_info", "defined", "new_blank", "setattr_names",
                 "own_raw", "c_layout", "fill", "custom_init", "struct", "methods")


def _info(cls):
    info = cls.__dict__.get("__slots_info__")
    if info is None:
        raise TypeError("%r is not a record class" % (cls,))
    return info


def _adopt(cls, h):
    """A new proxy of `cls` owning record `h`."""
    obj = object.__new__(cls)
    _hslot.__set__(obj, h)
    return obj


class _Borrowed(int):
    """A handle a proxy does not own: a store's record (Store makes a subclass per store whose class
    attribute `store` keeps the store alive while any of its proxies lives) or a record a native
    method or validator hands back. The proxy's __del__ frees only plain-int handles, which the
    constructor, copy, pickle and from_json create."""
    __slots__ = ()


def _borrow(cls, h, hcls=_Borrowed):
    """A proxy of `cls` for record `h` that does not free it."""
    obj = object.__new__(cls)
    _hslot.__set__(obj, hcls(h))
    return obj


# ============================================================================================
# Value conversion (Python -> C): generated per field, shared slow path
# ============================================================================================

_I64_MIN, _I64_MAX, _U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


def _type_error(F, v, wanted):
    return TypeError("field '%s' of '%s' expects %s, got %s"
                     % (F.name, F._owner, wanted, type(v).__name__))


def _slow_put(h, i, v, F):
    """Every value the fast path of a generated setter does not take; returns a C status."""
    if v is None:
        return _fn.slots_set_null(h, i)
    fam = F._family
    if fam in ("int", "u64"):
        if not isinstance(v, int):
            raise _type_error(F, v, "int (%s)" % F.kind)
        v = int(v)
        if _I64_MIN <= v <= _I64_MAX:
            return _fn.slots_set_i64(h, i, v)
        if 0 <= v <= _U64_MAX:
            return _fn.slots_set_u64(h, i, v)
        raise OverflowError("value %d out of range for field '%s' (%s)" % (v, F.name, F.kind))
    if fam == "f64":
        if isinstance(v, float):
            return _fn.slots_set_f64(h, i, float(v))
        if isinstance(v, int):
            v = int(v)
            if _I64_MIN <= v <= _I64_MAX:
                return _fn.slots_set_i64(h, i, v)
            try:
                fv = float(v)
            except OverflowError:
                raise OverflowError("value %d out of range for field '%s' (%s)" % (v, F.name, F.kind))
            return _fn.slots_set_f64(h, i, fv)
        raise _type_error(F, v, "float (%s)" % F.kind)
    if fam == "str":
        if isinstance(v, str):
            b = str(v).encode()
            return _fn.slots_set_str(h, i, b, len(b))
        raise _type_error(F, v, "str")
    if fam == "bytes":
        if isinstance(v, (bytes, bytearray, memoryview)):
            b = bytes(v)
            return _fn.slots_set_bytes(h, i, b, len(b))
        raise _type_error(F, v, "bytes")
    if fam == "bool":
        if v is True or v is False:
            return _fn.slots_set_bool(h, i, v)
        raise _type_error(F, v, "bool")
    if fam == "ref":
        if isinstance(v, Record):
            return _fn.slots_set_ref(h, i, _geth(v))
        raise _type_error(F, v, "a record" if F.ref_type is None else "a %s record" % F.ref_type)
    raise AssertionError(fam)


def _put_code(F, h, v, ind):
    """Source lines storing Python value `v` into field F of record `h`; raise on failure."""
    i = F.index
    fast = {
        "int": ("%s.__class__ is int and -9223372036854775808 <= %s <= 9223372036854775807" % (v, v),
                ["_slots_rc_ = _set_i64(%s, %d, %s)" % (h, i, v)]),
        "u64": ("%s.__class__ is int and 0 <= %s <= 9223372036854775807" % (v, v),
                ["_slots_rc_ = _set_i64(%s, %d, %s)" % (h, i, v)]),
        "f64": ("%s.__class__ is float" % v, ["_slots_rc_ = _set_f64(%s, %d, %s)" % (h, i, v)]),
        "str": ("%s.__class__ is str" % v,
                ["_slots_b_ = %s.encode()" % v, "_slots_rc_ = _set_str(%s, %d, _slots_b_, len(_slots_b_))" % (h, i)]),
        "bytes": ("%s.__class__ is bytes" % v, ["_slots_rc_ = _set_bytes(%s, %d, %s, len(%s))" % (h, i, v, v)]),
        "bool": ("%s is True or %s is False" % (v, v), ["_slots_rc_ = _set_bool(%s, %d, %s)" % (h, i, v)]),
        "ref": ("isinstance(%s, _Record)" % v,
                ["_slots_rc_ = _set_ref(%s, %d, _geth(%s))" % (h, i, v),
                 "if not _slots_rc_:", "    _keep[(%s, %d)] = %s" % (h, i, v)]),
    }
    cond, body = fast[F._family]
    lines = ["if %s:" % cond] + ["    " + b for b in body]
    lines += ["else:", "    _slots_rc_ = _slow_put(%s, %d, %s, _F%d)" % (h, i, v, i)]
    if F._family == "ref":
        lines += ["    if not _slots_rc_:", "        _keep.pop((%s, %d), None)" % (h, i)]
    lines += ["if _slots_rc_:", "    _raise(_slots_rc_)"]
    return [ind + ln for ln in lines]


def _codegen_ns(info):
    ns = {
        "_set_i64": _fn.slots_set_i64, "_set_f64": _fn.slots_set_f64, "_set_str": _fn.slots_set_str,
        "_set_bytes": _fn.slots_set_bytes, "_set_bool": _fn.slots_set_bool, "_set_ref": _fn.slots_set_ref,
        "_slow_put": _slow_put, "_raise": _raise, "_keep": _keep, "_Record": Record,
        "_geth": _hslot.__get__, "_seth": _hslot.__set__, "_newblank": info.new_blank,
        "_del": _fn.slots_del, "_FrozenInstanceError": FrozenInstanceError,
    }
    for F in info.fields:
        ns["_F%d" % F.index] = F
        ns["_d%d" % F.index] = F.default
    return ns


def _make_fset(F, ns):
    src = ["def fset(self, v):", "    _slots_h_ = _geth(self)"] + _put_code(F, "_slots_h_", "v", "    ")
    return _exec_fn(src, ns, "fset")


def _make_fdel(F, ns):
    src = ["def fdel(self):", "    h = _geth(self)", "    rc = _del(h, %d)" % F.index, "    if rc:",
           "        _raise(rc)"]
    if F._family == "ref":
        src += ["    _keep.pop((h, %d), None)" % F.index]
    return _exec_fn(src, ns, "fdel")


def _exec_fn(src, ns, name):
    code = "\n".join(src) + "\n"
    exec(compile(code, "<slots generated %s>" % name, "exec"), ns)
    return ns.pop(name)


def _make_init(cls, info, ns):
    params, seen_default = [], None
    for F in info.fields:
        if F.default is MISSING:
            if seen_default is not None:
                raise TypeError("non-default argument '%s' follows default argument" % F.name)
            params.append(F.name)
        else:
            seen_default = F.name
            params.append("%s=_d%d" % (F.name, F.index))
    args = ["_slots_self_"] + params
    src = ["def __init__(%s):" % ", ".join(args), "    _slots_h_ = _newblank()",
           "    _seth(_slots_self_, _slots_h_)"]
    body = []
    for F in info.fields:
        desc = inspect.getattr_static(cls, F.name, None)
        if type(desc).__name__ == "FieldDescr" and F._family != "ref":
            # cffi API mode: the C descriptor's setter (exact types in C, the rest via _put_code's
            # Python twin) is cheaper than the generated Python code.
            ns["_s%d" % F.index] = desc.__set__
            body.append("    _s%d(_slots_self_, %s)" % (F.index, F.name))
        else:
            body += _put_code(F, "_slots_h_", F.name, "    ")
    if hasattr(cls, "__post_init__"):
        body.append("    _slots_self_.__post_init__()")
    fn = _exec_fn(src + body, ns, "__init__")
    fn.__qualname__ = "%s.__init__" % cls.__qualname__
    # The same assignments for a record that already exists (Store.append: the store made it).
    fill = ["def _slots_fill_(%s):" % ", ".join(args), "    _slots_h_ = _geth(_slots_self_)"]
    info.fill = _exec_fn(fill + body, ns, "_slots_fill_")
    return fn


def _ref_getter(raw, i):
    def fget(self, _raw=raw, _i=i, _keep=_keep):
        h2 = _raw(self)
        if h2 is None:
            return None
        p = _keep.get((self._h, _i))
        if p is not None and p._h == h2:
            return p
        return _orphan_ref(self, _i, h2)
    return fget


def _orphan_ref(obj, i, h2):
    rc, _t = _b.out("slots_type_of", h2)
    if rc:
        raise _error(rc)
    raise StaleRecordError("ref field %d of %r points at record 0x%x, which no Python object owns "
                           "(it was not assigned from Python)" % (i, type(obj).__name__, h2))


# ============================================================================================
# Class construction
# ============================================================================================


class _Self(object):
    pass


def _eval_annotation(ann, cls_name, module_globals):
    if isinstance(ann, typing.ForwardRef):
        ann = ann.__forward_arg__
    if isinstance(ann, str):
        if ann.strip() == cls_name:
            return _Self
        localns = {cls_name: _Self, "slots": sys.modules[__name__.rpartition(".")[0]]}
        localns.update(_KINDS)
        try:
            return eval(ann, dict(module_globals), localns)
        except Exception as exc:
            raise TypeError("cannot resolve annotation %r of record %s: %s" % (ann, cls_name, exc))
    return ann


def _kind_of(ann, cls_name, module_globals, fname):
    """(kind name, optional, ref target class or _Self or None, python type for fields())."""
    ann = _eval_annotation(ann, cls_name, module_globals)
    optional = False
    origin = typing.get_origin(ann)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) != 1 or len(typing.get_args(ann)) != 2:
            raise TypeError("field '%s' of %s: only Optional[X] unions are supported, got %r"
                            % (fname, cls_name, ann))
        optional = True
        ann = _eval_annotation(args[0], cls_name, module_globals)
    if isinstance(ann, Kind):
        return ann.name, optional, None, ann
    if ann in _PYKINDS:
        return _PYKINDS[ann], optional, None, ann
    if ann is _Self or isinstance(ann, RecordMeta):
        return "ref", optional, ann, ann
    raise TypeError("field '%s' of %s: unsupported annotation %r (use int, float, str, bytes, bool, "
                    "Optional[...], a record class or a slots kind such as slots.u8)"
                    % (fname, cls_name, ann))


def _literal(v, kind):
    """The field-list default literal for Python value v, or None when it has none (kept in Python)."""
    if v is None:
        return "null"
    if kind in ("f32", "f64") and isinstance(v, (int, float)) and not isinstance(v, bool):
        v = float(v)
        return repr(v) if math.isfinite(v) else None
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else None
    if isinstance(v, str):
        out = []
        for ch in v:
            o = ord(ch)
            if ch in "\\'":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ch == "\r":
                out.append("\\r")
            elif o < 0x20 or o == 0x7f:
                out.append("\\x%02x" % o)
            else:
                out.append(ch)
        return "'" + "".join(out) + "'"
    if isinstance(v, bytes):
        return "'" + "".join("\\x%02x" % c for c in v) + "'"
    return None


def _parse_literal(text, kind):
    """A C default literal (canonical text from slots_field_default) as a Python value."""
    if text is None:
        return MISSING
    t = text.strip()
    if t in ("null", "None"):
        return None
    if t in ("true", "false", "True", "False"):
        return t in ("true", "True")
    if t[:1] in ("'", '"') or t[:2] in ("b'", 'b"'):
        s = ast.literal_eval(t)
        return s.encode("latin-1") if kind == "bytes" and isinstance(s, str) else s
    if kind in ("f32", "f64"):
        return float(t)
    return int(t, 0)


def _own_annotations(cls):
    if hasattr(inspect, "get_annotations"):
        return dict(inspect.get_annotations(cls))
    return dict(cls.__dict__.get("__annotations__", {}))


def _is_classvar(ann):
    if isinstance(ann, str):
        return ann.startswith(("ClassVar", "typing.ClassVar"))
    return ann is typing.ClassVar or typing.get_origin(ann) is typing.ClassVar


def _record_base_info(cls):
    """The info of the nearest record base with fields (else the nearest record base), or None."""
    first = None
    for b in cls.__mro__[1:]:
        info = b.__dict__.get("__slots_info__")
        if info is not None:
            if info.fields:
                return info
            if first is None:
                first = info
    return first


def _check_bases(name, bases):
    """C types have one base: record bases with fields must lie on one line of descent."""
    infos = []
    for b in bases:
        if isinstance(b, RecordMeta):
            info = _record_base_info_or_self(b)
            if info is not None and info.fields and info not in infos:
                infos.append(info)
    ancestors = set()
    for info in infos:
        a = info.base_info
        while a is not None:
            ancestors.add(id(a))
            a = a.base_info
    if len([i for i in infos if id(i) not in ancestors]) > 1:
        raise TypeError("multiple bases have instance lay-out conflict")


def _record_base_info_or_self(b):
    return b.__dict__.get("__slots_info__") or _record_base_info(b)


_INSTALLED = "__slots_installed__"


def _install(cls, name, value):
    """Sets a generated attribute unless the class body defined its own."""
    mine = cls.__dict__.get(_INSTALLED, ())
    if name in cls.__dict__ and name not in mine:
        return
    setattr(cls, name, value)
    type.__setattr__(cls, _INSTALLED, frozenset(mine) | {name})


def _setup(cls, frozen, order, dynamic, readonly, c_layout=None, text=None):
    """Defines the C type of record class `cls` and installs fields and methods. `text` is a field
    list (slots.define); otherwise fields come from the class's own annotations."""
    base_info = _record_base_info(cls)
    if frozen is None:
        frozen = bool(base_info and base_info.frozen)
    elif not frozen and base_info is not None and base_info.frozen:
        raise TypeError("cannot inherit non-frozen record %s from a frozen one" % cls.__name__)
    if dynamic is None:
        dynamic = bool(base_info and base_info.dynamic)
    if order is None:
        order = bool(base_info and base_info.order)
    if c_layout is None:
        c_layout = bool(base_info and base_info.c_layout)
    readonly = tuple(readonly or ())
    pydefaults = {}
    own_types = {}
    old = cls.__dict__.get("__slots_info__")
    own_raw = old.own_raw if old is not None else {}
    if text is None:
        module_globals = getattr(sys.modules.get(cls.__module__), "__dict__", {})
        parts = []
        for fname, ann in _own_annotations(cls).items():
            if _is_classvar(ann):
                continue
            if fname.startswith("_slots_") or fname == "_h":
                raise TypeError("field name %r is reserved by slots" % fname)
            kind, optional, target, pytype = _kind_of(ann, cls.__name__, module_globals, fname)
            if old is None:
                own_raw[fname] = cls.__dict__.get(fname, MISSING)
            default = own_raw[fname]
            is_ro, is_key = fname in readonly, False
            if isinstance(default, _FieldOptions):
                is_ro = is_ro or default.readonly
                is_key = default.key
                default = default.default
            if isinstance(default, (property, types.FunctionType, classmethod, staticmethod)):
                raise TypeError("field '%s' of %s is also defined as a method or property"
                                % (fname, cls.__name__))
            spec = "%s: %s" % (fname, kind)
            if kind == "ref":
                tname = cls.__name__ if target is _Self else target.__name__
                spec += " " + tname
            if default is not MISSING:
                if kind == "ref" and default is not None:
                    raise TypeError("field '%s' of %s: a ref field's default can only be None"
                                    % (fname, cls.__name__))
                if isinstance(default, (list, dict, set)):
                    raise ValueError("mutable default %s for field %s is not allowed"
                                     % (type(default), fname))
                lit = _literal(default, kind)
                if lit is None and not (isinstance(default, float) and not math.isfinite(default)):
                    raise TypeError("field '%s' of %s: default %r is not a %s"
                                    % (fname, cls.__name__, default, kind))
                if lit is not None:
                    spec += " = " + lit
                pydefaults[fname] = default
            if optional:
                spec += " optional"
            if is_ro:
                spec += " readonly"
            if is_key:
                spec += " key"
            parts.append(spec)
            own_types[fname] = pytype
        text = ", ".join(parts)
        for r in readonly:
            if r not in own_types and not (base_info and r in base_info.by_name):
                raise TypeError("readonly=%r names no field of %s" % (r, cls.__name__))
    flags = (_FROZEN if frozen else 0) | (_DYNAMIC if dynamic else 0) | (_CLAYOUT if c_layout else 0)
    rc, t = _b.out("slots_type_define", cls.__name__.encode(), text.encode(),
                   base_info.t if base_info else None, flags)
    if rc:
        raise _error(rc)

    info = _Info()
    info.t, info.tkey, info.name, info.text = t, _b.tkey(t), cls.__name__, text
    info.frozen, info.dynamic, info.order, info.c_layout = frozen, dynamic, order, bool(c_layout)
    info.struct, info.methods = None, {}
    info.base_info = base_info
    info.readonly = readonly
    info.defined = None
    info.own_raw = own_raw
    info.new_blank = _b.make_new(t, _on_get_status)
    fields = []
    nfields = _fn.slots_type_nfields(t)
    for i in range(nfields):
        fname = _fn.slots_field_name(t, i)
        if base_info is not None and i < len(base_info.fields):
            fields.append(base_info.fields[i])
            continue
        F = Field()
        F.name, F.index, F._owner = fname, i, cls.__name__
        kcode = _fn.slots_field_kind(t, i)
        F.kind = _fn.slots_kind_name(kcode)
        fl = _fn.slots_field_flags(t, i)
        F.optional, F.readonly, F.key = bool(fl & _F_OPTIONAL), bool(fl & _F_READONLY), bool(fl & _F_KEY)
        F.ref_type = _fn.slots_field_ref_type(t, i)
        F._family = _KINDS[F.kind].family
        if fname in pydefaults:
            F.default = pydefaults[fname]
        elif fl & _F_HAS_DEFAULT:
            F.default = _parse_literal(_fn.slots_field_default(t, i), F.kind)
        else:
            F.default = MISSING
        if fname in own_types:
            pt = own_types[fname]
            pt = cls if pt is _Self else pt
        elif F.kind == "ref":
            pt = cls if F.ref_type == cls.__name__ else _named_class(F.ref_type)
        elif F.kind == "i64":
            pt = int
        else:
            pt = _PYTYPE_OF_KIND.get(F.kind) or _KINDS[F.kind]
        F.type = typing.Optional[pt] if F.optional else pt
        fields.append(F)
    info.fields = tuple(fields)
    info.by_name = {F.name: F for F in fields}
    info.ref_indices = tuple(F.index for F in fields if F._family == "ref")
    type.__setattr__(cls, "__slots_info__", info)
    _classes_by_tkey[info.tkey] = cls

    ns = _codegen_ns(info)
    for F in fields:
        if base_info is not None and F.index < len(base_info.fields):
            continue  # inherited: the base's property serves (same index)
        fam = "i64" if F._family == "int" else F._family
        fget = None
        if fam == "ref":
            fget = _ref_getter(_b.make_fget("ref", F.index, _on_get_status), F.index)
        desc = _b.make_field(fam, F.index, _on_get_status, fget, _make_fset(F, ns), _make_fdel(F, ns),
                             "%s: %s" % (F.name, F.kind), _hslot, Record)
        type.__setattr__(cls, F.name, desc)
    init = _make_init(cls, info, ns)
    if "__init__" in cls.__dict__ and "__init__" not in cls.__dict__.get(_INSTALLED, ()):
        # The class body defines __init__: records are then created (defaults filled) before it
        # runs, so it can assign fields as usual.
        _install(cls, "__new__", _new_with_defaults)
        info.custom_init = True
    else:
        info.custom_init = False
        _install(cls, "__init__", init)
        if any("__new__" in b.__dict__ for b in cls.__mro__[1:-1]):
            _install(cls, "__new__", _plain_new)
    _install(cls, "__match_args__", tuple(F.name for F in fields))
    _install(cls, "__hash__", _frozen_hash if frozen else None)
    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        _install(cls, name, _ORDER[name] if order else _no_order(name))
    if frozen:
        _install(cls, "__setattr__", _frozen_setattr)
        _install(cls, "__delattr__", _frozen_delattr)
    elif dynamic:
        names = set()
        for k in dir(cls):
            d = inspect.getattr_static(cls, k, None)
            if hasattr(type(d), "__set__"):
                names.add(k)
        info.setattr_names = frozenset(names) | {"_h", "__dict__"}
        _install(cls, "__setattr__", _dyn_setattr)
        _install(cls, "__delattr__", _dyn_delattr)
    if dynamic:
        _install(cls, "__getattr__", _dyn_getattr)
    if info.ref_indices or dynamic:
        _install(cls, "__del__", _make_del(info.ref_indices, dynamic))
    from . import _bridge
    _bridge.sync_methods(cls)  # methods a base type had bound in C
    return cls


_classes_by_tkey = {}


def _named_class(tname):
    if tname is None:
        return Record
    for cls in reversed(list(_classes_by_tkey.values())):
        if cls.__name__ == tname:
            return cls
    return Record


def _new_with_defaults(cls, *args, **kwargs):
    obj = object.__new__(cls)
    rc, h = _b.out("slots_new", _info_of_class(cls).t)
    if rc:
        raise _error(rc)
    _hslot.__set__(obj, h)
    return obj


def _plain_new(cls, *args, **kwargs):
    return object.__new__(cls)


class RecordMeta(type):
    """Metaclass of record classes: a subclass of a record class is built as a record once, with no
    rebuild, so zero-argument super() and __init_subclass__ behave as in any class."""

    def __new__(mcls, name, bases, ns, frozen=None, order=None, dynamic=None, readonly=None, c_layout=None,
                **kw):
        if ns.get("_slots_root_"):
            return super().__new__(mcls, name, bases, dict(ns), **kw)
        slots_decl = ns.get("__slots__", ())
        if slots_decl not in ((), []):
            raise TypeError("record class %s declares __slots__; record fields are declared by "
                            "annotations and live in C" % name)
        ns = dict(ns)
        ns["__slots__"] = ()
        _check_bases(name, bases)
        cls = super().__new__(mcls, name, bases, ns, **kw)
        if cls.__dictoffset__ != 0 or cls.__flags__ & (1 << 4):
            raise TypeError("a base of record class %s gives instances a __dict__ (give each base "
                            "class `__slots__ = ()`, or use dynamic=True for extra attributes)" % name)
        _setup(cls, frozen, order, dynamic, readonly, c_layout, text=ns.get("__slots_text__"))
        return cls

    def __init__(cls, name, bases, ns, **kw):
        for k in ("frozen", "order", "dynamic", "readonly", "c_layout"):
            kw.pop(k, None)
        super().__init__(name, bases, ns, **kw)

    def memory_usage(cls, detail=False):
        """Bytes libslots holds for records of exactly this class: slab bytes + out-of-line strings +
        extras; with detail=True a dict of the three and the live record count."""
        info = _info(cls)
        rc, rec, strs, ext = _b.out("slots_type_memory", info.t)
        if rc:
            raise _error(rc)
        if not detail:
            return rec + strs + ext
        rc, n = _b.out("slots_type_count", info.t)
        return {"records": rec, "strings": strs, "extras": ext, "live": n,
                "record_size": _fn.slots_type_record_size(info.t)}

    def store(cls):
        """A new, empty slots.Store of this class's records (see slots.Store)."""
        from ._store import Store
        return Store(cls)

    def c_struct(cls):
        """The ctypes.Structure subclass laid out as this c_layout=True class's C struct (fields in
        declared order, base fields first; str is c_char_p, ref c_uint64), checked against the
        library's offsets and size. Made once per class. TypeError for a class without c_layout."""
        from . import _bridge
        return _bridge.c_struct(cls)

    def bind_method(cls, name, signature, fn=None, *, library=None, symbol=None, property=False):
        """Binds a native function as method (or, property=True, read-only property) `name` of
        this type in C and installs it on the class: `rec.name(*args)` calls it through slots_call.
        Give `library` (a path or soname for dlopen) and `symbol`, or `fn`: a ctypes/cffi function
        pointer, an address (int), or a Python callable (wrapped in a C callback of the signature's
        types, so other languages calling the method through slots_call run it too). See README."""
        from . import _bridge
        return _bridge.bind_method(cls, name, signature, fn, library, symbol, property)

    def validator(cls, field_name, fn=None):
        """Binds a Python callable `fn(record, value)` as the C validator of field `field_name`: it
        runs on every set of the field, constructor and bulk loads (load_jsonl, load_csv,
        set_column) included. Return None/True to accept; return False or a str (the reason), or
        raise, to refuse: the set fails with ValueError("Product.price: <reason>"). Usable as a
        decorator: @Product.validator("price"). fn=None with no decorator use removes it:
        Product.validator("price", None) is a decorator; use clear_validator to remove."""
        from . import _bridge
        if fn is None:
            def deco(f):
                _bridge.set_validator(cls, field_name, f)
                return f
            return deco
        _bridge.set_validator(cls, field_name, fn)
        return fn

    def clear_validator(cls, field_name):
        """Removes the validator of field `field_name`."""
        from . import _bridge
        _bridge.set_validator(cls, field_name, None)

    def from_json(cls, text, lenient=False):
        """A new record of this class from one JSON object (str or bytes). Strict like the
        constructor: a missing field without a default raises TypeError ("missing field 'name'");
        lenient=True leaves it unset (the key field is still required)."""
        info = _info(cls)
        data = text.encode() if isinstance(text, str) else bytes(text)
        flags = _C["SLOTS_LOAD_LENIENT"] if lenient else 0
        rc, h = _b.out("slots_from_json_flags", info.t, data, len(data), flags)
        if rc:
            raise _error(rc)
        return _adopt(cls, h)


class Record(metaclass=RecordMeta):
    """Base of every record class. `class P(slots.Record, frozen=True): ...` is the same as
    decorating a plain class with @slots.record(frozen=True), without the rebuild."""

    _slots_root_ = True
    __slots__ = ("_h", "__weakref__")

    def __init_subclass__(cls, **kw):
        if getattr(_tl, "rebuilding", None) is not None:
            return  # the class statement already ran the bases' __init_subclass__ (gh-91126)
        super().__init_subclass__(**kw)

    def __repr__(self):
        rc, p, n = _b.out("slots_repr", _geth(self))
        if rc:
            raise _error(rc)
        return _b.string(p, n).decode()

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        rc = _fn.slots_equal(_geth(self), _geth(other))
        if rc < 0:
            raise _error(rc)
        return rc == 1

    __hash__ = None

    def to_json(self, allow_nan=False):
        """The record as one JSON object (str). A NaN or infinite float raises ValueError naming
        the field, unless allow_nan=True, which writes NaN, Infinity and -Infinity as
        json.dumps does (from_json and load_jsonl read them back)."""
        h = _geth(self)
        py = _pyextras.get(h)  # one read: another thread may drop the entry between two
        if py:
            raise TypeError("%s has extra attributes that only Python holds (%s); they cannot be "
                            "written as JSON" % (type(self).__name__, ", ".join(sorted(py))))
        rc, p, n = _b.out("slots_to_json_flags", h, _ALLOW_NAN if allow_nan else 0)
        if rc:
            raise _error(rc)
        return _b.string(p, n).decode()

    def __copy__(self):
        h = _geth(self)
        rc, h2 = _b.out("slots_copy", h)
        if rc:
            raise _error(rc)
        new = _adopt(type(self), h2)
        info = _info(type(self))
        for i in info.ref_indices:
            p = _keep.get((h, i))
            if p is not None:
                _keep[(h2, i)] = p
        py = _pyextras.get(h)
        if py is not None:
            _pyextras[h2] = dict(py)
        return new

    def __reduce__(self):
        # (blank record, state): copy/pickle create the record first and then set its fields, so
        # refs that form cycles round-trip, and frozen/readonly fields are set exactly once.
        cls = type(self)
        info = _info(cls)
        h = _geth(self)
        state = {}
        for F in info.fields:
            rc = _fn.slots_is_set(h, F.index)
            if rc < 0:
                raise _error(rc)
            if rc:
                state[F.name] = getattr(self, F.name)
        extras = _extras_dict(self) if info.dynamic else None
        ref = cls if info.defined is None else info.defined
        return (_blank, (ref,), (state, extras))

    def __setstate__(self, state):
        fields, extras = state
        info = _info(type(self))
        h = _geth(self)
        for name, v in fields.items():
            F = info.by_name[name]
            rc = _put_state(h, F, v)
            if rc:
                raise _error(rc)
        if extras:
            for name, v in extras.items():
                _extra_set(self, h, name, v)

    def __del__(self, _free=_fn.slots_free):
        try:
            h = self._h
        except AttributeError:
            return
        if h.__class__ is int:  # not _Borrowed: a store (or nobody) owns those
            _free(h)

    def c_view(self):
        """UNCHECKED. A ctypes.Structure (type(self).c_struct()) over this record's bytes, for a
        c_layout=True record: reads and writes go straight to memory, bypassing kinds, ranges,
        readonly, keys, validators and presence bits (an unset field reads 0 / None). Valid only
        while the record lives: after it is freed, removed or its store dropped, the view reads
        freed memory. The view keeps this proxy alive, not the record."""
        from . import _bridge
        return _bridge.c_view(self)


_hslot = Record.__dict__["_h"]
_geth = _hslot.__get__


def _put_state(h, F, v):
    if F._family == "ref" and isinstance(v, Record):
        rc = _fn.slots_set_ref(h, F.index, _geth(v))
        if not rc:
            _keep[(h, F.index)] = v
        return rc
    return _slow_put(h, F.index, v, F)


def _blank(ref):
    cls = ref if isinstance(ref, RecordMeta) else _define_from_ref(ref)
    return _adopt(cls, _info(cls).new_blank())


def _frozen_hash(self):
    rc, hv = _b.out("slots_hash", _geth(self))
    if rc:
        raise _error(rc)
    return hash(hv)


def _make_cmp(name, test):
    def cmp(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        rc, r = _b.out("slots_compare", _geth(self), _geth(other))
        if rc:
            raise _error(rc)
        return test(r)
    cmp.__name__ = name
    return cmp


_ORDER = {
    "__lt__": _make_cmp("__lt__", lambda r: r < 0), "__le__": _make_cmp("__le__", lambda r: r <= 0),
    "__gt__": _make_cmp("__gt__", lambda r: r > 0), "__ge__": _make_cmp("__ge__", lambda r: r >= 0),
}


def _no_order(name):
    def cmp(self, other):
        return NotImplemented
    cmp.__name__ = name
    return cmp


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError("cannot assign to field '%s'" % name)


def _frozen_delattr(self, name):
    raise FrozenInstanceError("cannot delete field '%s'" % name)


def _make_del(ref_indices, dynamic):
    def __del__(self, _free=_fn.slots_free, _keep=_keep, _pyextras=_pyextras, _refs=ref_indices):
        try:
            h = self._h
        except AttributeError:
            return
        if h.__class__ is not int:
            return  # borrowed (a store's record): the store owns it
        _free(h)
        for i in _refs:
            _keep.pop((h, i), None)
        _pyextras.pop(h, None)
    return __del__


# ---- dynamic records: extras ----------------------------------------------------------------

def _extra_get(h, name, nb):
    rc, kind = _b.out("slots_extra_kind", h, nb)
    if rc:
        return rc, None
    if kind == 0:
        return OK, None
    fam = {_C["SLOTS_BOOL"]: "bool", _C["SLOTS_I64"]: "i64", _C["SLOTS_U64"]: "u64",
           _C["SLOTS_F64"]: "f64", _C["SLOTS_STR"]: "str", _C["SLOTS_BYTES"]: "bytes",
           _C["SLOTS_REF"]: "ref"}[kind]
    if fam in ("str", "bytes"):
        rc, p, n = _b.out("slots_extra_get_" + fam, h, nb)
        if rc:
            return rc, None
        b = _b.string(p, n)
        return OK, b.decode() if fam == "str" else b
    rc, v = _b.out("slots_extra_get_" + fam, h, nb)
    if rc == NULL:
        return OK, None
    if fam == "bool":
        v = bool(v)
    return rc, v


def _extra_set(self, h, name, value):
    nb = name.encode()
    if value is None:
        rc = _fn.slots_extra_set_null(h, nb)
    elif value is True or value is False:
        rc = _fn.slots_extra_set_bool(h, nb, value)
    elif value.__class__ is int and _I64_MIN <= value <= _I64_MAX:
        rc = _fn.slots_extra_set_i64(h, nb, value)
    elif value.__class__ is int and 0 <= value <= _U64_MAX:
        rc = _fn.slots_extra_set_u64(h, nb, value)
    elif value.__class__ is float:
        rc = _fn.slots_extra_set_f64(h, nb, value)
    elif value.__class__ is str:
        b = value.encode()
        rc = _fn.slots_extra_set_str(h, nb, b, len(b))
    elif value.__class__ is bytes:
        rc = _fn.slots_extra_set_bytes(h, nb, value, len(value))
    else:
        # Not a value C holds: keep it in Python (first checking the record accepts the name).
        rc = _fn.slots_extra_set_null(h, nb)
        if rc:
            raise _error(rc)
        rc = _fn.slots_extra_del(h, nb)
        if rc:
            raise _error(rc)
        _pyextras.setdefault(h, {})[name] = value
        return
    if rc:
        raise _error(rc)
    d = _pyextras.get(h)
    if d is not None:
        d.pop(name, None)


def _dyn_setattr(self, name, value):
    if name in _info_of_instance(self).setattr_names:
        object.__setattr__(self, name, value)
        return
    _extra_set(self, _geth(self), name, value)


def _info_of_instance(self):
    return type(self).__dict__.get("__slots_info__") or _record_base_info(type(self))


def _dyn_getattr(self, name):
    if name.startswith("__") and name.endswith("__") or name == "_h":
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))
    info = _info_of_instance(self)
    h = _geth(self)
    if name in info.by_name:
        rc = _fn.slots_is_set(h, info.by_name[name].index)
        raise _error(rc) if rc < 0 else AttributeError(
            "'%s' object has no attribute '%s'" % (type(self).__name__, name))
    rc, v = _extra_get(h, name, name.encode())
    if rc == OK:
        return v
    v = _pyextras.get(h, _NO_EXTRAS).get(name, MISSING)  # no check-then-get: another thread may delete
    if v is not MISSING:
        return v
    raise _error(rc)


def _dyn_delattr(self, name):
    if name in _info_of_instance(self).setattr_names:
        object.__delattr__(self, name)
        return
    h = _geth(self)
    if _pyextras.get(h, _NO_EXTRAS).pop(name, MISSING) is not MISSING:
        return
    rc = _fn.slots_extra_del(h, name.encode())
    if rc:
        raise _error(rc)


def _extras_dict(self):
    """{name: value} of a dynamic record's extras, C-held ones in insertion order, then Python-held."""
    h = _geth(self)
    rc, n = _b.out("slots_extra_count", h)
    if rc:
        raise _error(rc)
    out = {}
    for i in range(n):
        rc, p = _b.out("slots_extra_name", h, i)
        if rc:
            raise _error(rc)
        name = _b.cstring(p).decode()
        nb = name.encode()
        rc, v = _extra_get(h, name, nb)
        if rc:
            raise _error(rc)
        out[name] = v
    out.update(_pyextras.get(h, {}))
    return out


# ============================================================================================
# Public entry points
# ============================================================================================


def record(cls=None, *, frozen=False, order=False, dynamic=False, readonly=(), c_layout=False):
    """Class decorator: makes `cls` a record class (like @dataclass(slots=True)). c_layout=True lays
    the fields out as the platform's C struct (SLOTS_CLAYOUT; no bytes fields): see c_struct()."""
    def wrap(c):
        return _make_record(c, frozen, order, dynamic, readonly, c_layout)
    return wrap if cls is None else wrap(cls)


def _make_record(cls, frozen, order, dynamic, readonly, c_layout=False):
    if isinstance(cls, RecordMeta):
        # Already built by the metaclass (a subclass of a record, or of slots.Record): just apply
        # the options, redefining the C type; no records exist yet.
        info = cls.__dict__.get("__slots_info__")
        base = _record_base_info(cls)
        want = (bool(frozen or (base and base.frozen)), bool(order or (base and base.order)),
                bool(dynamic or (base and base.dynamic)), tuple(readonly),
                bool(c_layout or (base and base.c_layout)))
        if info is not None and (info.frozen, info.order, info.dynamic, info.readonly, info.c_layout) == want:
            return cls
        return _setup(cls, *want)
    if not isinstance(cls, type):
        raise TypeError("@slots.record decorates a class, not %r" % (cls,))
    # A plain class already has its instance layout (with __dict__). A record's proxy must have
    # none, so the class is created again once, with the same namespace; the cells that
    # zero-argument super() reads are pointed at the new class (gh-90562) and the bases'
    # __init_subclass__ is not run a second time (gh-91126).
    ns = {}
    for k, v in cls.__dict__.items():
        if k in ("__dict__", "__weakref__"):
            continue
        ns[k] = v
    if "__slots__" in ns:
        raise TypeError("record class %s declares __slots__; record fields are declared by "
                        "annotations and live in C" % cls.__name__)
    ns["__qualname__"] = cls.__qualname__
    if "__annotations__" not in ns:
        ns["__annotations__"] = _own_annotations(cls)
    bases = tuple(b for b in cls.__bases__ if b is not object)
    bases = bases if any(isinstance(b, RecordMeta) for b in bases) else (Record,) + bases
    _tl.rebuilding = cls
    try:
        new = RecordMeta(cls.__name__, bases, ns, frozen=frozen, order=order, dynamic=dynamic,
                         readonly=readonly, c_layout=c_layout)
    finally:
        _tl.rebuilding = None
    _retarget_class_cells(ns, cls, new)
    return new


def _retarget_class_cells(ns, old, new):
    for v in ns.values():
        for f in _functions_in(v):
            code = getattr(f, "__code__", None)
            if code is None or "__class__" not in code.co_freevars or not f.__closure__:
                continue
            cell = f.__closure__[code.co_freevars.index("__class__")]
            try:
                if cell.cell_contents is old:
                    cell.cell_contents = new
            except ValueError:
                pass


def _functions_in(v):
    if isinstance(v, (classmethod, staticmethod)):
        v = v.__func__
    if isinstance(v, property):
        return [f for f in (v.fget, v.fset, v.fdel) if f is not None]
    out = []
    while v is not None and len(out) < 8:
        out.append(v)
        v = getattr(v, "__wrapped__", None)
    return out


_defined = {}
_define_lock = threading.Lock()


class _DefinedRef(tuple):
    """How a slots.define() class is named in a pickle: (name, fields, flags, order, base)."""
    __slots__ = ()


def define(name, fields, *, frozen=False, dynamic=False, order=False, base=None, module=None,
           c_layout=False):
    """A record class from a field-list text: define("CachedItem", "id: i64, category: str").
    The same arguments return the same class."""
    if not isinstance(fields, str):
        raise TypeError("fields must be a field-list string")
    base_ref = None
    if base is not None:
        _info(base)
        base_ref = base if _info(base).defined is None else _info(base).defined
    key = _DefinedRef((name, fields, bool(frozen), bool(dynamic), bool(order), base_ref)
                      + ((True,) if c_layout else ()))
    with _define_lock:
        cls = _defined.get(key)
        if cls is not None:
            return cls
        if module is None:
            module = sys._getframe(1).f_globals.get("__name__", "__main__")
        ns = {"__module__": module, "__qualname__": name, "__slots_text__": fields}
        cls = RecordMeta(name, (base or Record,), ns, frozen=frozen or None, dynamic=dynamic or None,
                         order=order or None, c_layout=c_layout or None)
        _info(cls).defined = key
        _defined[key] = cls
        return cls


def _define_from_ref(ref):
    name, text, frozen, dynamic, order, base = ref[:6]
    if isinstance(base, tuple):
        base = _define_from_ref(base)
    return define(name, text, frozen=frozen, dynamic=dynamic, order=order, base=base,
                  c_layout=len(ref) > 6)


def is_record(obj):
    """True for a record class or a record."""
    cls = obj if isinstance(obj, type) else type(obj)
    return isinstance(cls, RecordMeta) and cls is not Record


def fields(class_or_instance):
    """The Field objects of a record class or record, in index order."""
    cls = class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
    if not isinstance(cls, RecordMeta) or cls is Record:
        raise TypeError("must be called with a record type or instance")
    return _info_of_class(cls).fields


def _info_of_class(cls):
    return cls.__dict__.get("__slots_info__") or _record_base_info(cls)


def _check_instance(obj, fn):
    if not isinstance(type(obj), RecordMeta) or isinstance(obj, type):
        raise TypeError("%s() should be called on record instances" % fn)


def asdict(obj, *, dict_factory=dict):
    """{field: value} for the set fields (unset fields are left out), recursing into refs."""
    _check_instance(obj, "asdict")
    return _asdict(obj, dict_factory, {})


def _asdict(obj, factory, seen):
    if id(obj) in seen:
        raise ValueError("asdict(): records form a cycle through ref fields")
    seen[id(obj)] = True
    h = _geth(obj)
    items = []
    for F in _info_of_class(type(obj)).fields:
        rc = _fn.slots_is_set(h, F.index)
        if rc < 0:
            raise _error(rc)
        if rc:
            v = getattr(obj, F.name)
            if isinstance(v, Record):
                v = _asdict(v, factory, seen)
            items.append((F.name, v))
    del seen[id(obj)]
    return factory(items)


def astuple(obj, *, tuple_factory=tuple):
    """The field values in index order (an unset field raises AttributeError), recursing into refs."""
    _check_instance(obj, "astuple")
    out = []
    for F in _info_of_class(type(obj)).fields:
        v = getattr(obj, F.name)
        if isinstance(v, Record):
            v = astuple(v, tuple_factory=tuple_factory)
        out.append(v)
    return tuple_factory(out)


def replace(obj, **changes):
    """A new record like `obj` with some fields changed (through the class's constructor)."""
    _check_instance(obj, "replace")
    cls = type(obj)
    kwargs = {}
    h = _geth(obj)
    for F in _info_of_class(cls).fields:
        if F.name in changes:
            continue
        rc = _fn.slots_is_set(h, F.index)
        if rc < 0:
            raise _error(rc)
        if rc:
            kwargs[F.name] = getattr(obj, F.name)
    for k in changes:
        if k not in _info_of_class(cls).by_name:
            raise TypeError("%s.__init__() got an unexpected keyword argument '%s'" % (cls.__name__, k))
    kwargs.update(changes)
    new = cls(**kwargs)
    if _info_of_class(cls).dynamic:
        for k, v in _extras_dict(obj).items():
            _extra_set(new, _geth(new), k, v)
    return new


def memory_usage(cls=None):
    """Bytes libslots holds now, process-wide (or, given a record class, for that class)."""
    if cls is not None:
        return cls.memory_usage()
    return _fn.slots_memory_used()


def live_records(cls):
    """How many records of exactly this class exist in C."""
    rc, n = _b.out("slots_type_count", _info(cls).t)
    if rc:
        raise _error(rc)
    return n


def from_json(cls, text, lenient=False):
    return cls.from_json(text, lenient)


def to_json(obj, allow_nan=False):
    _check_instance(obj, "to_json")
    return Record.to_json(obj, allow_nan=allow_nan)


def extras(obj):
    """A dict of a dynamic record's extra attributes (a copy)."""
    _check_instance(obj, "extras")
    if not _info_of_class(type(obj)).dynamic:
        return {}
    return _extras_dict(obj)
