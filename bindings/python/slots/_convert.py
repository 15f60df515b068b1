"""Python values into C fields: the shared slow path (_slow_put) and the code generated per field
(setters, deleters, __init__), which puts the common value classes with one C call.

Below: _lib, _errors, _kinds, _handles (see README, Package layout).
"""
import dataclasses
import inspect

from . import _fast, _handles
from ._errors import FrozenInstanceError, StaleRecordError, _error, _raise
from ._handles import _keep
from ._kinds import MISSING, _I64_MAX, _I64_MIN, _KINDS, _U64_MAX
from ._lib import _b, _fn



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
        if isinstance(v, _handles.Record):
            return _fn.slots_set_ref(h, i, _handles._geth(v))
        raise _type_error(F, v, "a record" if F.ref_type is None else "a %s record" % F.ref_type)
    row = _KINDS[fam]  # timestamp, date, uuid, decimal: the kind's conversion, then its carrier's setter
    c = row.to_c(v, "field '%s' of '%s'" % (F.name, F._owner))
    if row.carrier == "i64":
        return _fn.slots_set_i64(h, i, c)
    if row.carrier == "bytes":
        return _fn.slots_set_bytes(h, i, c, len(c))
    b = c.encode()
    return _fn.slots_set_str(h, i, b, len(b))


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
    if F._family in fast:
        cond, body = fast[F._family]
        lines = ["if %s:" % cond] + ["    " + b for b in body]
        lines += ["else:", "    _slots_rc_ = _slow_put(%s, %d, %s, _F%d)" % (h, i, v, i)]
    else:  # the kinds with a Python value class: converted in _slow_put, the one place
        lines = ["if True:", "    _slots_rc_ = _slow_put(%s, %d, %s, _F%d)" % (h, i, v, i)]
    if F._family == "ref":
        lines += ["    if not _slots_rc_:", "        _keep.pop((%s, %d), None)" % (h, i)]
    lines += ["if _slots_rc_:", "    _raise(_slots_rc_)"]
    return [ind + ln for ln in lines]


def _codegen_ns(info):
    """The globals of a class's generated functions: the C setters and helpers bound once, so the
    generated code reads them as fast globals."""
    ns = {
        "_set_i64": _fn.slots_set_i64, "_set_f64": _fn.slots_set_f64, "_set_str": _fn.slots_set_str,
        "_set_bytes": _fn.slots_set_bytes, "_set_bool": _fn.slots_set_bool, "_set_ref": _fn.slots_set_ref,
        "_slow_put": _slow_put, "_raise": _raise, "_keep": _keep, "_Record": _handles.Record,
        "_geth": _handles._geth, "_seth": _handles._seth, "_newblank": info.new_blank,
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


_FACTORY = object()  # an __init__ parameter's default when its field has a default_factory


def _init_params(dc_fields, ns):
    """The generated __init__'s parameters, as dataclasses orders them: the positional ones in
    declaration order (base first), then the keyword-only ones; InitVars among them."""
    std, kw = [], []
    for f in dc_fields.values():
        if f.init:
            (kw if f.kw_only else std).append(f)
    params, seen_default = [], None
    for f in std + kw:
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if seen_default is not None and not f.kw_only:
                raise TypeError("non-default argument '%s' follows default argument" % f.name)
            params.append(f.name)
        else:
            seen_default = f.name
            ns["_p_" + f.name] = f.default if f.default_factory is dataclasses.MISSING else _FACTORY
            params.append("%s=_p_%s" % (f.name, f.name))
        if f is (kw[0] if kw else None):
            params[-1] = "*, " + params[-1]
    return params


def _value_code(F):
    """Source lines giving local F.name its value before it is put: a factory's product when the
    caller gave none (or the field is not an __init__ parameter), or a default for init=False."""
    if F.default_factory is not MISSING:
        if F.init:
            return ["    if %s is _FACTORY:" % F.name, "        %s = _f%d()" % (F.name, F.index)]
        return ["    %s = _f%d()" % (F.name, F.index)]
    if not F.init and F.default is not MISSING:
        return ["    %s = _d%d" % (F.name, F.index)]
    return []


def _make_init(cls, info, ns, dc_fields):
    params = _init_params(dc_fields, ns)
    ns["_FACTORY"] = _FACTORY
    args = ["_slots_self_"] + params
    src = ["def __init__(%s):" % ", ".join(args), "    _slots_h_ = _newblank()",
           "    _seth(_slots_self_, _slots_h_)"]
    body = []
    for F in info.fields:
        if F.default_factory is not MISSING:
            ns["_f%d" % F.index] = F.default_factory
        body += _value_code(F)
        if not F.init and F.default is MISSING and F.default_factory is MISSING:
            continue  # not set by __init__: unset, or C's default
        desc = inspect.getattr_static(cls, F.name, None)
        if type(desc).__name__ == "FieldDescr" and F._family != "ref":
            # cffi API mode: the C descriptor's setter (exact types in C, the rest via _put_code's
            # Python twin) is cheaper than the generated Python code.
            ns["_s%d" % F.index] = desc.__set__
            body.append("    _s%d(_slots_self_, %s)" % (F.index, F.name))
        else:
            body += _put_code(F, "_slots_h_", F.name, "    ")
    if hasattr(cls, "__post_init__"):
        initvars = [f.name for f in dc_fields.values() if f._field_type is dataclasses._FIELD_INITVAR]
        body.append("    _slots_self_.__post_init__(%s)" % ", ".join(initvars))
    fn = _exec_fn(src + body, ns, "__init__")
    fn.__qualname__ = "%s.__init__" % cls.__qualname__
    fn.__annotations__ = dict({f.name: f.type for f in dc_fields.values() if f.init}, **{"return": None})
    # The same assignments for a record that already exists (Store.append: the store made it).
    fill = ["def _slots_fill_(%s):" % ", ".join(args), "    _slots_h_ = _geth(_slots_self_)"]
    info.fill = _exec_fn(fill + body, ns, "_slots_fill_")
    # One C call on the compiled backend, for the plain signature it maps (positional or keyword,
    # defaults as constants); kw_only, init=False, factories and InitVars keep the generated one.
    plain = all(f.init and not f.kw_only and f.default_factory is dataclasses.MISSING
                and f._field_type is not dataclasses._FIELD_INITVAR for f in dc_fields.values())
    return _fast.init_plan(cls, info, fn, MISSING) if plain else fn


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


def _put_state(h, F, v):
    """Puts one field of a pickled or copied record's state; returns a C status."""
    if F._family == "ref" and isinstance(v, _handles.Record):
        rc = _fn.slots_set_ref(h, F.index, _handles._geth(v))
        if not rc:
            _keep[(h, F.index)] = v
        return rc
    return _slow_put(h, F.index, v, F)
