"""slots' record functions, dataclasses-like (fields, asdict, astuple, replace, ...), and the top of
the package: __init__ re-exports the public names from here and the modules below.

A Python record is a proxy: an instance of its record class holding one slot, `_h`, the libslots
handle (plus `__weakref__`). Field values live in C. Each class resolves its field indices once and
gets one property per field whose getter is a backend-built closure making one C call; setters are
generated code (one C call after a type check on the value's class). See README.md for the design,
and its "Package layout" for the modules below this one.
"""
from . import _handles
from ._errors import _error
from ._extras import _extra_set, _extras_dict
from ._handles import _info, _info_of_class
from ._lib import _b, _fn
from ._record import Record, RecordMeta
# Pickles name these slots._api.<name> (see _kinds and _record): they must stay reachable here.
from ._kinds import (MISSING, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)  # noqa: F401
from ._record import _blank, _DefinedRef  # noqa: F401

_geth = _handles._geth  # bound by _record, imported above


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
        if not F.init:  # not an __init__ parameter: __init__ gives it its default again, as dataclasses
            if F.name in changes:
                raise ValueError("field %s is declared with init=False, it cannot be specified with "
                                 "replace()" % F.name)
            continue
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
