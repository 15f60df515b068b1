"""The compiled backend's C fast paths (_records.c), wired in where the package builds records and
stores; on the other backends (ctypes, cffi ABI mode: no compiler needed) each hook leaves the
Python code as it is.

  RecordBase, ROOT_SLOTS   slots.Record's base and __slots__ (the C base holds the handle)
  init_plan(cls, info, fn) the class's __init__: one C call (the InitPlan), else fn
  store_ref(...)           what a Store's C methods read (its `_c` slot), else None
  install_store(Store,...) Store.__iter__/get/append/extend in C, each falling back to the Python one

Imports only _lib (see README, Package layout).
"""
import inspect

from ._lib import _b

_T = getattr(_b, "fast", None)  # (RecordBase, FieldDescr, InitPlan, StoreRef, FastMethod), or None
c_records = _T is not None
RecordBase = _T[0] if c_records else object
ROOT_SLOTS = () if c_records else ("_h", "__weakref__")


def init_plan(cls, info, fn, missing):
    """The InitPlan of record class `cls` whose generated __init__ is `fn` (it stays the fallback:
    arguments the plan cannot map go to it, so its TypeErrors are Python's own), or fn."""
    if not c_records or len(info.fields) > 32:
        return fn
    descrs = tuple(inspect.getattr_static(cls, F.name, None) for F in info.fields)
    if any(type(d) is not _T[1] for d in descrs):
        return fn
    nrequired = 0
    while nrequired < len(info.fields) and info.fields[nrequired].default is missing:
        nrequired += 1
    defaults = tuple(None if F.default is missing else F.default for F in info.fields)
    return _T[2](cls, _b.tkey(info.t), nrequired, tuple(F.name for F in info.fields), defaults, descrs, fn,
                 hasattr(cls, "__post_init__"))


def store_ref(s, cls, info, hcls, key):
    """The StoreRef of a new store (None on the other backends)."""
    if not c_records:
        return None
    plan = cls.__init__
    if info.custom_init or type(plan) is not _T[2]:
        plan = None
    keyfam = 0 if key is None else 2 if key.kind == "str" else 1
    return _T[3](_b.addr(s), cls, hcls, plan, keyfam)


_STORE_METHODS = (("__iter__", 0), ("get", 1), ("__getitem__", 1), ("append", 2), ("extend", 3))


def install_store(store_cls, on_status, record_row, row_error, append_row):
    """Replaces Store's __iter__, get, [key], append and extend by their C versions (compiled backend)."""
    if not c_records:
        return
    slot = store_cls.__dict__["_c"]
    for name, kind in _STORE_METHODS:
        slow = store_cls.__dict__[name]
        setattr(store_cls, name, _T[4](kind, store_cls, slot, slow, on_status, record_row, row_error,
                                       append_row))
