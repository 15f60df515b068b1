"""Field kinds and per-field options: slots.i8 ... slots.f64, MISSING, slots.field()/key(), the
Field objects slots.fields() returns, and default values written as field-list literals and back.

Imports nothing from the package (see README, Package layout).
"""
import ast
import math

# Pickles name kinds and MISSING (and _record's _blank and _DefinedRef) as slots._api.<name>, as they
# did before the package was split into modules; _api re-exports them, so pickles written before and
# after the split load alike.
_PICKLE_MODULE = "slots._api"


class Kind(object):
    """An explicit field kind for annotations: `tags: slots.u8 = 0`. Calling one checks a value
    (`slots.u8(300)` raises OverflowError) and returns it."""

    __slots__ = ("name", "family", "lo", "hi", "pytype")
    __module__ = _PICKLE_MODULE

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
    __module__ = _PICKLE_MODULE

    def __repr__(self):
        return "MISSING"

    def __reduce__(self):
        return "MISSING"


MISSING = _Missing()

# The ranges of C's 64-bit integers: which setter (i64 or u64) takes a Python int.
_I64_MIN, _I64_MAX, _U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1


class _FieldOptions(object):
    """What slots.field() (or dataclasses.field()) said about one field. kw_only None: as the class."""
    __slots__ = ("default", "readonly", "key", "default_factory", "init", "repr", "hash", "compare",
                 "metadata", "kw_only")

    def __init__(self, default, readonly, key, default_factory=MISSING, init=True, repr=True, hash=None,
                 compare=True, metadata=None, kw_only=None):
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        if default_factory is not MISSING and not callable(default_factory):
            raise TypeError("default_factory must be callable, not %s" % type(default_factory).__name__)
        self.default, self.readonly, self.key = default, readonly, key
        self.default_factory, self.init, self.repr, self.hash = default_factory, init, repr, hash
        self.compare, self.metadata, self.kw_only = compare, metadata, kw_only


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None, compare=True,
          metadata=None, kw_only=None, readonly=False, key=False):
    """Per-field options in a class body: `id: int = slots.field(readonly=True, key=True)`; the
    dataclasses.field() parameters mean what they mean there (default_factory runs in Python, for
    the constructor and Store.append; loads, which run in C, do not call it)."""
    return _FieldOptions(default, readonly, key, default_factory, init, repr, hash, compare, metadata,
                         kw_only)


def key(*, default=MISSING, readonly=False):
    """Marks the store key in a class body: `id: int = slots.key()` (the same as
    slots.field(key=True)). At most one per type, an integer kind or str, not Optional: every store
    of the type keeps a unique index on it (Store.get, `in`)."""
    return _FieldOptions(default, readonly, True)


class Field(object):
    """What slots.fields() returns for each field, in index order."""

    __slots__ = ("name", "type", "kind", "default", "optional", "readonly", "key", "index",
                 "ref_type", "_family", "_owner",
                 # the dataclasses.field() options (Python-side: C knows none of them)
                 "default_factory", "init", "repr", "hash", "compare", "metadata", "kw_only")

    def __repr__(self):
        return ("Field(name=%r, type=%r, kind=%r, default=%r, optional=%r, readonly=%r, key=%r)"
                % (self.name, self.type, self.kind, self.default, self.optional, self.readonly, self.key))


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
