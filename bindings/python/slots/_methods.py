"""The special methods the class builder installs, chosen by a class's options: __new__ for a class
with its own __init__, __hash__ and ordering from C (frozen, order=True), the frozen
__setattr__/__delattr__, and the __del__ that drops a record's Python-side references.

Below: _lib, _errors, _handles (see README, Package layout).
"""
from . import _handles
from ._errors import FrozenInstanceError, _error
from ._handles import _info_of_class, _keep, _pyextras
from ._lib import _b, _fn


def _new_with_defaults(cls, *args, **kwargs):
    """__new__ of a class whose body defines __init__: the record exists, defaults filled, before
    that __init__ runs, so it can assign fields as usual. A class with no __init__ at all
    (init=False) takes no arguments, as object() takes none."""
    if (args or kwargs) and cls.__init__ is object.__init__:
        raise TypeError("%s() takes no arguments" % cls.__name__)
    obj = object.__new__(cls)
    rc, h = _b.out("slots_new", _info_of_class(cls).t)
    if rc:
        raise _error(rc)
    _handles._seth(obj, h)
    return obj


def _plain_new(cls, *args, **kwargs):
    """__new__ that ignores the constructor's arguments (a base class's __new__ might not)."""
    return object.__new__(cls)


def _frozen_hash(self):
    rc, hv = _b.out("slots_hash", _handles._geth(self))
    if rc:
        raise _error(rc)
    return hash(hv)


def _make_cmp(name, test):
    def cmp(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        rc, r = _b.out("slots_compare", _handles._geth(self), _handles._geth(other))
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
