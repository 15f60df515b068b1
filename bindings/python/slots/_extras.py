"""Dynamic records' extra attributes: read and written in C when C can hold the value, else kept in
Python (_handles._pyextras), and the __setattr__/__getattr__/__delattr__ a dynamic class gets.

Below: _lib, _errors, _kinds, _handles (see README, Package layout).
"""
from . import _handles
from ._errors import _error
from ._handles import _NO_EXTRAS, _info_of_instance, _pyextras
from ._kinds import MISSING, _I64_MAX, _I64_MIN, _U64_MAX
from ._lib import NULL, OK, _C, _b, _fn


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
    _extra_set(self, _handles._geth(self), name, value)


def _dyn_getattr(self, name):
    if name.startswith("__") and name.endswith("__") or name == "_h":
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))
    info = _info_of_instance(self)
    h = _handles._geth(self)
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
    h = _handles._geth(self)
    if _pyextras.get(h, _NO_EXTRAS).pop(name, MISSING) is not MISSING:
        return
    rc = _fn.slots_extra_del(h, name.encode())
    if rc:
        raise _error(rc)


def _extras_dict(self):
    """{name: value} of a dynamic record's extras, C-held ones in insertion order, then Python-held."""
    h = _handles._geth(self)
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
