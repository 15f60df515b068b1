"""Field kinds and per-field options: slots.i8 ... slots.f64, MISSING, slots.field()/key(), the
Field objects slots.fields() returns, and default values written as field-list literals and back.

Imports nothing from the package (see README, Package layout).
"""
import ast
import datetime
import decimal as _decimal
import math
import uuid

# Pickles name kinds and MISSING (and _record's _blank and _DefinedRef) as slots._api.<name>, as they
# did before the package was split into modules; _api re-exports them, so pickles written before and
# after the split load alike.
_PICKLE_MODULE = "slots._api"


class Kind(object):
    """An explicit field kind for annotations: `tags: slots.u8 = 0`. Calling one checks a value
    (`slots.u8(300)` raises OverflowError) and returns it."""

    __slots__ = ("name", "family", "lo", "hi", "pytype", "carrier", "to_c", "from_c", "from_text")
    __module__ = _PICKLE_MODULE

    def __init__(self, name, family, lo=None, hi=None, pytype=None):
        self.name, self.family, self.lo, self.hi, self.pytype = name, family, lo, hi, pytype
        # The kinds with a Python value class of their own (timestamp, date, uuid, decimal): the C
        # family that carries the value ("i64", "bytes" or "str"), and the conversions, the one
        # place each way: to_c(value, where) -> the carrier value (TypeError/ValueError naming
        # `where`), from_c(carrier value) and from_text(canonical text) -> the Python value.
        self.carrier = self.to_c = self.from_c = self.from_text = None

    def __repr__(self):
        return "slots.%s" % self.name

    def __reduce__(self):
        if self.family == "decimal" and "(" in self.name:  # slots.decimal(P, S): made again by a call
            return decimal, tuple(int(n) for n in self.name[8:-1].split(","))
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

# ---- timestamp, date, uuid, decimal: Python value classes over a C carrier ----------------------

_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def _ts_to_c(v, where):
    """An aware datetime as microseconds since the epoch (integer arithmetic: exact)."""
    if not isinstance(v, datetime.datetime):
        raise TypeError("%s expects datetime, got %s" % (where, type(v).__name__))
    if v.utcoffset() is None:
        raise TypeError("%s expects a timezone-aware datetime, got a naive one %r: attach a tzinfo "
                        "(dt.replace(tzinfo=datetime.timezone.utc) if it is UTC)" % (where, v))
    return (v - _EPOCH) // _MICROSECOND


def _ts_from_text(t):
    t = t.strip()
    if t[-1:] in ("Z", "z"):
        t = t[:-1] + "+00:00"
    v = datetime.datetime.fromisoformat(t)
    return v.replace(tzinfo=_UTC) if v.utcoffset() is None else v.astimezone(_UTC)


def _date_to_c(v, where):
    """A date as days since 1970-01-01. A datetime is refused: it would lose its time."""
    if isinstance(v, datetime.datetime):
        raise TypeError("%s expects date, got datetime (a date field would lose its time: give "
                        "dt.date())" % where)
    if not isinstance(v, datetime.date):
        raise TypeError("%s expects date, got %s" % (where, type(v).__name__))
    return v.toordinal() - _EPOCH_ORDINAL


def _uuid_to_c(v, where):
    if not isinstance(v, uuid.UUID):
        raise TypeError("%s expects uuid.UUID, got %s%s" % (where, type(v).__name__, " (uuid.UUID(text) "
                        "reads text)" if isinstance(v, str) else ""))
    return v.bytes


def _decimal_to_c(v, where):
    """A Decimal or int as its exact text, no exponent (C refuses digits past the scale)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return str(int(v))
    if not isinstance(v, _decimal.Decimal):
        raise TypeError("%s expects Decimal or int, got %s%s" % (where, type(v).__name__, " (a float is "
                        "not exact: give Decimal(str(x)))" if isinstance(v, float) else ""))
    if not v.is_finite():
        raise ValueError("%s expects a finite Decimal, got %s" % (where, v))
    return format(v, "f")


def _text_kind(name, pytype, carrier, to_c, from_c, from_text):
    k = Kind(name, name, pytype=pytype)
    k.carrier, k.to_c, k.from_c, k.from_text = carrier, to_c, from_c, from_text
    return k


timestamp = _text_kind("timestamp", datetime.datetime, "i64", _ts_to_c,
                       lambda v: _EPOCH + datetime.timedelta(microseconds=v), _ts_from_text)
date = _text_kind("date", datetime.date, "i64", _date_to_c,
                  lambda v: datetime.date.fromordinal(v + _EPOCH_ORDINAL),
                  lambda t: datetime.date.fromisoformat(t.strip()))
uuid_ = _text_kind("uuid", uuid.UUID, "bytes", _uuid_to_c, lambda b: uuid.UUID(bytes=bytes(b)),
                   lambda t: uuid.UUID(t.strip()))
_decimal_kind = _text_kind("decimal", _decimal.Decimal, "str", _decimal_to_c, _decimal.Decimal,
                           lambda t: _decimal.Decimal(t.strip()))
_KINDS.update(timestamp=timestamp, date=date, uuid=uuid_, decimal=_decimal_kind)


def decimal(precision, scale):
    """The kind decimal(P,S) for an annotation: `price: Annotated[Decimal, slots.decimal(10, 2)]`
    (or `price: slots.decimal(10, 2)`). P digits in all, S of them after the point; 1 <= P <= 38,
    0 <= S <= P (the library checks)."""
    for n in (precision, scale):
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("slots.decimal(precision, scale) takes ints, got %s" % type(n).__name__)
    k = _text_kind("decimal(%d,%d)" % (precision, scale), _decimal.Decimal, "str", _decimal_to_c,
                   _decimal.Decimal, _decimal_kind.from_text)
    k.family = "decimal"
    return k


def _kind_row(name):
    """The _KINDS row of a kind name, "decimal(10,2)" included."""
    return _KINDS[name.partition("(")[0].strip()]


_PYKINDS = {int: "i64", float: "f64", str: "str", bytes: "bytes", bool: "bool",
            datetime.datetime: "timestamp", datetime.date: "date", uuid.UUID: "uuid"}
_PYTYPE_OF_KIND = {"bool": bool, "str": str, "bytes": bytes, "f32": float, "f64": float,
                   "timestamp": datetime.datetime, "date": datetime.date, "uuid": uuid.UUID,
                   "decimal": _decimal.Decimal}


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
    row = _KINDS.get(kind.partition("(")[0])
    if row is not None and row.to_c is not None:
        row.to_c(v, "default")  # refuses a value of the wrong class, in Python's words
        return _literal(row.to_c(v, "default") if row.carrier == "str" else str(v), "str")
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
    row = _KINDS.get(kind)
    if row is not None and row.from_text is not None:
        return row.from_text(ast.literal_eval(t) if t[:1] in ("'", '"') else t)
    if t[:1] in ("'", '"') or t[:2] in ("b'", 'b"'):
        s = ast.literal_eval(t)
        return s.encode("latin-1") if kind == "bytes" and isinstance(s, str) else s
    if kind in ("f32", "f64"):
        return float(t)
    return int(t, 0)
