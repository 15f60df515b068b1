"""Handles and per-class state: what a record class knows about its C type (_Info), the proxies that
hold a record's handle (owned or borrowed), and the registries keyed by handle (ref targets, extras
C cannot hold) and by C type.

The root of every record class (slots.Record, its metaclass and its `_h` slot) is defined above, in
_record, because its metaclass runs the class builder. _record binds it here once, with bind_root(),
before any record class or proxy can exist; modules below _record read it at call time as
_handles.Record, _handles.RecordMeta, _handles._hslot, _handles._geth, _handles._seth (a
`from ._handles import Record` would copy the None; tests/test_layers.py refuses one).

Imports nothing from the package (see README, Package layout).
"""
import threading

# The root record class, its metaclass and the `_h` slot descriptor with its bound get/set: see above.
Record = RecordMeta = _hslot = _geth = _seth = None


def bind_root(root):
    """Called once by _record with slots.Record, right after creating it."""
    global Record, RecordMeta, _hslot, _geth, _seth
    Record, RecordMeta = root, type(root)
    # Record's own `_h` slot, or on the compiled backend its C base's `_h` (a getset).
    _hslot = next(k.__dict__["_h"] for k in root.__mro__ if "_h" in k.__dict__)
    _geth, _seth = _hslot.__get__, _hslot.__set__


# Strong references from ref fields to their targets' proxies, keyed by (owner handle, field index):
# a ref field keeps its target alive like a Python attribute would. Dropped when the owner dies or
# the field is overwritten or deleted.
_keep = {}
# Extras of dynamic records that C cannot hold (lists, dicts, records, ints beyond 64 bits, ...):
# {handle: {name: object}}.
_pyextras = {}
_NO_EXTRAS = {}  # stays empty: what _pyextras.get(h, ...) reads for a record without Python extras
_tl = threading.local()


class _Info(object):
    """What a record class knows about its C type, resolved once."""

    __slots__ = ("t", "tkey", "name", "fields", "by_name", "frozen", "dynamic", "order", "readonly",
                 "ref_indices", "text", "base_info", "defined", "new_blank", "setattr_names",
                 "own_raw", "c_layout", "fill", "custom_init", "struct", "methods")


def _info(cls):
    """The info of exactly this record class; TypeError for any other class."""
    info = cls.__dict__.get("__slots_info__")
    if info is None:
        raise TypeError("%r is not a record class" % (cls,))
    return info


def _adopt(cls, h):
    """A new proxy of `cls` owning record `h`."""
    obj = object.__new__(cls)
    _seth(obj, h)
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
    _seth(obj, hcls(h))
    return obj


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


def _record_base_info_or_self(b):
    """The info of record class `b` itself, else that of its nearest record base."""
    return b.__dict__.get("__slots_info__") or _record_base_info(b)


_INSTALLED = "__slots_installed__"


def _install(cls, name, value):
    """Sets a generated attribute unless the class body defined its own."""
    mine = cls.__dict__.get(_INSTALLED, ())
    if name in cls.__dict__ and name not in mine:
        return
    setattr(cls, name, value)
    type.__setattr__(cls, _INSTALLED, frozenset(mine) | {name})


_classes_by_tkey = {}


def _named_class(tname):
    """The latest record class named `tname` (the Python type of a ref field that names its target
    type only in field-list text), else slots.Record."""
    if tname is None:
        return Record
    for cls in reversed(list(_classes_by_tkey.values())):
        if cls.__name__ == tname:
            return cls
    return Record


def _info_of_instance(self):
    """The info of a record's class (a subclass without fields of its own uses its base's)."""
    return type(self).__dict__.get("__slots_info__") or _record_base_info(type(self))


def _info_of_class(cls):
    """The info of a record class (a subclass without fields of its own uses its base's)."""
    return cls.__dict__.get("__slots_info__") or _record_base_info(cls)
