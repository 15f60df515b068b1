"""Records as the dataclasses module sees them: the dataclass options of a record class (init, repr,
eq, unsafe_hash, match_args, kw_only, beside frozen and order), the dataclasses.field() options of
its fields, and __dataclass_fields__ / __dataclass_params__, so that dataclasses.fields, asdict,
astuple, replace and is_dataclass take record classes and records as they take dataclasses.

The C library knows none of these options: equality, hashing, ordering and repr run in C over every
field, and only a class that leaves fields out of them (compare=False, repr=False, hash=False) gets
the Python versions below, over the fields it keeps.

Below: _kinds, _handles, _methods (see README, Package layout).
"""
import dataclasses
import inspect

from . import _handles
from ._handles import _install
from ._kinds import Field, MISSING, _FieldOptions, _KINDS
from ._methods import _ORDER, _frozen_hash

OPTIONS = ("init", "repr", "eq", "unsafe_hash", "match_args", "kw_only")
_DEFAULTS = {"init": True, "repr": True, "eq": True, "unsafe_hash": False, "match_args": True,
             "kw_only": False}
_PARAMS = tuple(inspect.signature(dataclasses._DataclassParams).parameters)


def class_options(given, order):
    """The class's dataclass options: those given, else dataclasses' defaults. Unlike frozen and
    order, they are not inherited from a record base: each class says them for itself, as each
    @dataclass does (and as type checkers read a dataclass_transform class), e.g. kw_only=True on
    a base leaves a subclass's own fields positional."""
    out = {k: _DEFAULTS[k] if given.get(k) is None else bool(given[k]) for k in OPTIONS}
    if order and not out["eq"]:
        raise ValueError("eq must be true if order is true")
    return out


def options_of(raw, kw_only):
    """The _FieldOptions of a class body's value for a field: slots.field()/key(), dataclasses.field()
    (the same options but readonly and key), or a plain default. `kw_only`: the class's, for a field
    that does not say."""
    if isinstance(raw, dataclasses.Field):
        d = lambda v: MISSING if v is dataclasses.MISSING else v  # noqa: E731
        raw = _FieldOptions(d(raw.default), False, False, d(raw.default_factory), raw.init, raw.repr,
                            raw.hash, raw.compare, raw.metadata or None, d(raw.kw_only))
    elif not isinstance(raw, _FieldOptions):
        raw = _FieldOptions(raw, False, False)
    if raw.kw_only is not None:
        return raw
    # a copy: the class body's own object is read again when the class is rebuilt with other options
    return _FieldOptions(raw.default, raw.readonly, raw.key, raw.default_factory, raw.init, raw.repr,
                         raw.hash, raw.compare, raw.metadata, kw_only)


def set_field_options(F, opts):
    """Copies the Python-side options onto Field F (slots.fields() shows them)."""
    F.default_factory, F.init, F.repr, F.hash = opts.default_factory, opts.init, opts.repr, opts.hash
    F.compare, F.kw_only = opts.compare, bool(opts.kw_only)
    F.metadata = dict(opts.metadata or {})


def overridden(F, opts, pydefaults):
    """A subclass's Field for base field F declared again: the same C field, new default and options."""
    new = Field()
    for name in Field.__slots__:
        setattr(new, name, getattr(F, name))
    new.default = pydefaults.get(F.name, opts.default)
    set_field_options(new, opts)
    return new


def _dc_field(name, type_, default, opts, field_type):
    m = lambda v: dataclasses.MISSING if v is MISSING else v  # noqa: E731
    f = dataclasses.field(default=m(default), default_factory=m(opts.default_factory), init=opts.init,
                          repr=opts.repr, hash=opts.hash, compare=opts.compare, metadata=opts.metadata,
                          kw_only=bool(opts.kw_only))
    f.name, f.type, f._field_type = name, type_, field_type
    return f


def dataclass_fields(cls, fields, initvars, declared):
    """__dataclass_fields__: the base's entries first (a redeclared one keeps its place), then the
    class body's new fields and InitVars in declaration order, as dataclasses collects them."""
    base = {}
    for b in cls.__mro__[-1:0:-1]:  # as dataclasses collects them: the farthest base first
        base.update(b.__dict__.get("__dataclass_fields__", {}))
    by_name = {F.name: F for F in fields}
    out = {}
    for name, f in base.items():
        F = by_name.get(name)
        out[name] = f if F is None else _dc_field(name, F.type, F.default, F, dataclasses._FIELD)
    for name in declared:
        if name in initvars:
            ann, opts = initvars[name]
            out[name] = _dc_field(name, dataclasses.InitVar(ann), opts.default, opts, dataclasses._FIELD_INITVAR)
        elif name not in out:
            F = by_name[name]
            out[name] = _dc_field(name, F.type, F.default, F, dataclasses._FIELD)
    for F in fields:  # a field-list class (slots.define) declares nothing
        if F.name not in out:
            out[F.name] = _dc_field(F.name, F.type, F.default, F, dataclasses._FIELD)
    return out


def install(cls, dc_fields, frozen, order, options):
    """__dataclass_fields__, __dataclass_params__, __match_args__, and the equality, hashing,
    ordering and repr the options and the fields' compare/hash/repr ask for."""
    type.__setattr__(cls, "__dataclass_fields__", dc_fields)
    params = dict(options, order=order, frozen=frozen, slots=True, weakref_slot=True)
    type.__setattr__(cls, "__dataclass_params__", dataclasses._DataclassParams(*[params[p] for p in _PARAMS]))
    fields = [f for f in dc_fields.values() if f._field_type is dataclasses._FIELD]
    if options["match_args"]:
        _install(cls, "__match_args__", tuple(f.name for f in dc_fields.values() if f.init and not f.kw_only))
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    everything = tuple(f.name for f in fields)
    # Each option is the class's own (a base's eq=False or repr=False does not carry over).
    if not options["eq"]:
        _install(cls, "__eq__", object.__eq__)
    else:
        _install(cls, "__eq__", _handles.Record.__eq__ if compared == everything else _make_eq(compared))
    if order and compared != everything:
        for name, test in _TESTS.items():
            _install(cls, name, _make_order(name, test, compared))
    if options["unsafe_hash"] or (options["eq"] and frozen):
        if options["unsafe_hash"] and "__hash__" in cls.__dict__ and "__hash__" not in cls.__dict__.get(
                "__slots_installed__", ()):
            raise TypeError("Cannot overwrite attribute __hash__ in class %s" % cls.__name__)
        _install(cls, "__hash__", _frozen_hash if hashed == everything else _make_hash(hashed))
    else:
        _install(cls, "__hash__", None if options["eq"] else object.__hash__)
    if not options["repr"]:
        _install(cls, "__repr__", object.__repr__)
    else:
        shown = tuple(f.name for f in fields if f.repr)
        # C's repr writes a timestamp, date, uuid or decimal as its text; a dataclass shows the
        # Python value's repr (datetime.datetime(...)), so such classes take the Python repr.
        info = cls.__dict__.get("__slots_info__")
        in_c = shown == everything and not (info and any(_KINDS[F.kind].carrier for F in info.fields
                                                           if F.kind in _KINDS))
        _install(cls, "__repr__", _handles.Record.__repr__ if in_c else _make_repr(shown))


def _values(obj, names, _missing=MISSING):
    return tuple(getattr(obj, n, _missing) for n in names)  # an unset field reads MISSING


def _make_eq(names):
    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self, names) == _values(other, names)
    return __eq__


def _make_hash(names):
    def __hash__(self):
        return hash(_values(self, names))
    return __hash__


_TESTS = {"__lt__": lambda a, b: a < b, "__le__": lambda a, b: a <= b, "__gt__": lambda a, b: a > b,
          "__ge__": lambda a, b: a >= b}
assert set(_TESTS) == set(_ORDER)


def _make_order(name, test, names):
    def cmp(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return test(_values(self, names), _values(other, names))
    cmp.__name__ = name
    return cmp


def _make_repr(names):
    def __repr__(self):
        shown = ("%s=%r" % (n, v) for n, v in zip(names, _values(self, names)) if v is not MISSING)
        return "%s(%s)" % (type(self).__name__, ", ".join(shown))
    return __repr__
