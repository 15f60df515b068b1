"""The class builder: what turns a class statement (or a slots.define field list) into a record class.
RecordMeta (in _record) runs it for every record class; each step is one method of _ClassBuilder.

Below: _lib, _errors, _kinds, _handles, _convert, _extras, _methods, _dataclass, _annotations, _bridge
(see README, Package layout).
"""
import inspect
import math
import sys
import types
import typing

from . import _arrow, _bridge, _dataclass, _handles
from ._annotations import _Self, _dataclass_marker, _is_classvar, _kind_of, _own_annotations
from ._convert import _codegen_ns, _make_fdel, _make_fset, _make_init, _ref_getter
from ._errors import _error, _on_get_status
from ._extras import _dyn_delattr, _dyn_getattr, _dyn_setattr
from ._handles import _INSTALLED, _Info, _classes_by_tkey, _install, _named_class, _record_base_info
from ._kinds import Field, MISSING, _FieldOptions, _KINDS, _PYTYPE_OF_KIND, _kind_row, _literal, _parse_literal
from ._lib import (_b, _fn, _CLAYOUT, _DYNAMIC, _FROZEN, _F_HAS_DEFAULT, _F_KEY, _F_OPTIONAL,
                   _F_READONLY)
from ._methods import (_ORDER, _frozen_delattr, _frozen_setattr, _make_del, _new_with_defaults, _no_order,
                       _plain_new)


def _setup(cls, frozen, order, dynamic, readonly, c_layout=None, text=None, options=None):
    """Defines the C type of record class `cls` and installs fields and methods. `text` is a field
    list (slots.define); otherwise fields come from the class's own annotations. `options`: the
    dataclasses options (_dataclass.OPTIONS) given. An option given as None is inherited from the
    nearest record base."""
    return _ClassBuilder(cls, frozen, order, dynamic, readonly, c_layout, text, options).build()


def _converting_getter(raw, conv):
    def fget(self, _raw=raw, _conv=conv):
        v = _raw(self)
        return None if v is None else _conv(v)
    return fget


class _ClassBuilder(object):
    """One build of one record class. The steps run in build()'s order, each reading what the ones
    before it set on self. Nothing is set on the class before the C type is defined, so a class
    statement refused for its annotations, defaults or options changes nothing."""

    def __init__(self, cls, frozen, order, dynamic, readonly, c_layout, text, options=None):
        self.cls, self.text = cls, text
        self.frozen, self.order, self.dynamic, self.readonly, self.c_layout = (
            frozen, order, dynamic, readonly, c_layout)
        self.options = dict(options or {})
        self.base_info = _record_base_info(cls)
        # Field-list text cannot carry every Python default (a NaN, a default the class keeps in
        # Python): those, and each own field's annotated Python type, are kept by name.
        self.pydefaults, self.own_types = {}, {}
        # The dataclasses view of the class body: each own field's options (_FieldOptions), the
        # InitVars ({name: (type, options)}), base fields given a new default, declaration order.
        self.field_opts, self.initvars, self.overrides, self.declared = {}, {}, {}, []
        self.info = None

    def build(self):
        self.inherit_options()
        self.keep_raw_defaults()
        if self.text is None:
            self.text = self.field_list_from_annotations()
        self.define_c_type()
        self.read_fields()
        dc_fields = _dataclass.dataclass_fields(self.cls, self.info.fields, self.initvars, self.declared)
        ns = _codegen_ns(self.info)
        self.install_descriptors(ns)
        self.install_init(ns, dc_fields)
        self.install_methods()
        _dataclass.install(self.cls, dc_fields, self.frozen, self.order, self.options)
        _bridge.sync_methods(self.cls)  # methods a base type had bound in C
        return self.cls

    # ---- options and field list ----------------------------------------------------------

    def inherit_options(self):
        """None means 'as the base': a subclass statement need not repeat its base's options. A
        frozen base cannot have a mutable subclass (its records would be mutable through it)."""
        base = self.base_info
        if self.frozen is None:
            self.frozen = bool(base and base.frozen)
        elif not self.frozen and base is not None and base.frozen:
            raise TypeError("cannot inherit non-frozen record %s from a frozen one" % self.cls.__name__)
        if self.dynamic is None:
            self.dynamic = bool(base and base.dynamic)
        if self.order is None:
            self.order = bool(base and base.order)
        if self.c_layout is None:
            self.c_layout = bool(base and base.c_layout)
        self.readonly = tuple(self.readonly or ())
        self.options = _dataclass.class_options(self.options, self.order)

    def keep_raw_defaults(self):
        """The class body's own values of its fields, read once: a rebuild (@slots.record on a class
        the metaclass already built) finds the generated descriptors there, not the defaults."""
        self.old = self.cls.__dict__.get("__slots_info__")
        self.own_raw = self.old.own_raw if self.old is not None else {}

    def field_list_from_annotations(self):
        cls = self.cls
        module_globals = getattr(sys.modules.get(cls.__module__), "__dict__", {})
        parts, kw_only = [], self.options["kw_only"]
        base = self.base_info
        for fname, ann in _own_annotations(cls).items():
            if _is_classvar(ann):
                continue
            marker, ann = _dataclass_marker(ann, cls.__name__, module_globals)
            if marker == "KW_ONLY":  # `_: KW_ONLY`: the fields after it are keyword-only
                if kw_only == "marker":
                    raise TypeError("'KW_ONLY' may appear only once in %s" % cls.__name__)
                kw_only = "marker"
                continue
            if fname.startswith("_slots_") or fname == "_h":
                raise TypeError("field name %r is reserved by slots" % fname)
            if self.old is None:
                self.own_raw[fname] = cls.__dict__.get(fname, MISSING)
            opts = _dataclass.options_of(self.own_raw[fname], bool(kw_only))
            self.declared.append(fname)
            if marker == "InitVar":  # an __init__ parameter handed to __post_init__, not a field
                self.initvars[fname] = (ann, opts)
            elif base is not None and fname in base.by_name:
                spec = self.override(fname, ann, opts, module_globals)
                if spec:
                    parts.append(spec)
            else:
                self.field_opts[fname] = opts
                parts.append(self.field_spec(fname, ann, module_globals))
        base = self.base_info
        for r in self.readonly:
            if r not in self.own_types and not (base and r in base.by_name):
                raise TypeError("readonly=%r names no field of %s" % (r, cls.__name__))
        return ", ".join(parts)

    def field_spec(self, fname, ann, module_globals):
        """One field-list entry ("price: f64 = 0.0 readonly") for annotation `ann`."""
        cls = self.cls
        kind, optional, target, pytype = _kind_of(ann, cls.__name__, module_globals, fname)
        opts = self.field_opts[fname]
        is_ro, is_key, default = fname in self.readonly or opts.readonly, opts.key, opts.default
        if isinstance(default, (property, types.FunctionType, classmethod, staticmethod)):
            raise TypeError("field '%s' of %s is also defined as a method or property" % (fname, cls.__name__))
        spec = "%s: %s" % (fname, kind)
        if kind == "ref":
            spec += " " + (cls.__name__ if target is _Self else target.__name__)
        if default is not MISSING:
            spec += self.default_spec(fname, kind, default)
        if optional:
            spec += " optional"
        if is_ro:
            spec += " readonly"
        if is_key:
            spec += " key"
        self.own_types[fname] = pytype
        return spec

    def override(self, fname, ann, opts, module_globals):
        """A base field declared again (`price: float = 1.0` in a subclass): as in dataclasses, it
        keeps its place and takes the new default and options. The kind, optionality, key and
        readonly must stay. Returns the field-list entry that gives the C type the new default
        (so loads, from_json and C's slots_new fill it too), or "" when C keeps the base's."""
        F = self.base_info.by_name[fname]
        kind, optional, _target, _pytype = _kind_of(ann, self.cls.__name__, module_globals, fname)
        if (kind, optional) != (F.kind, F.optional) or opts.key != F.key or opts.readonly and not F.readonly:
            raise TypeError("field '%s' of %s redeclares %s.%s (%s%s) differently: a subclass may give "
                            "a base field a new default, not a new kind, optionality, key or readonly"
                            % (fname, self.cls.__name__, F._owner, fname, F.kind, ", optional" if F.optional else ""))
        self.overrides[fname] = opts
        if opts.default is MISSING:
            return ""
        lit = self.default_spec(fname, kind, opts.default)
        self.check_default(F, opts.default)
        if not lit or F.kind in ("ref", "decimal") or F.kind not in _KINDS:  # NaN defaults, refs, decimal(P,S): Python keeps them
            return ""
        return "%s: %s%s%s%s%s" % (fname, F.kind, lit, " optional" if F.optional else "",
                                   " readonly" if F.readonly else "", " key" if F.key else "")

    def check_default(self, F, v):
        """TypeError or OverflowError unless `v` is a value field F takes."""
        fam, ok = F._family, v is None and F.optional
        if not ok and fam in ("int", "u64"):
            ok = isinstance(v, int) and not isinstance(v, bool) and _KINDS[F.kind](v) is v
        elif not ok and _KINDS[F.kind].to_c is not None:
            _KINDS[F.kind].to_c(v, "field '%s' of %s: default" % (F.name, self.cls.__name__))
            ok = True
        elif not ok:
            ok = isinstance(v, {"f64": (int, float), "str": str, "bytes": bytes, "bool": bool}.get(fam, ()))
        if not ok or (fam == "f64" and isinstance(v, bool)):
            raise TypeError("field '%s' of %s: default %r is not a %s" % (F.name, self.cls.__name__, v, F.kind))

    def default_spec(self, fname, kind, default):
        """The " = <literal>" part of a field-list entry; empty for a default only Python keeps (a
        NaN or an infinity). Either way the Python value is what fields() and __init__ use."""
        cls_name = self.cls.__name__
        if kind == "ref" and default is not None:
            raise TypeError("field '%s' of %s: a ref field's default can only be None" % (fname, cls_name))
        if isinstance(default, (list, dict, set)):
            raise ValueError("mutable default %s for field %s is not allowed" % (type(default), fname))
        row = _kind_row(kind) if kind != "ref" else None
        if default is not None and row is not None and row.to_c is not None:
            row.to_c(default, "field '%s' of %s: default" % (fname, cls_name))
        lit = _literal(default, kind)
        if lit is None and not (isinstance(default, float) and not math.isfinite(default)):
            raise TypeError("field '%s' of %s: default %r is not a %s" % (fname, cls_name, default, kind))
        self.pydefaults[fname] = default
        return "" if lit is None else " = " + lit

    # ---- the C type and what the class knows about it ----------------------------------------

    def define_c_type(self):
        """Defines the C type (the library checks the field list) and records it in the class's
        _Info; the fields come next, from C, so they say what the library made of the text."""
        cls, base = self.cls, self.base_info
        flags = ((_FROZEN if self.frozen else 0) | (_DYNAMIC if self.dynamic else 0)
                 | (_CLAYOUT if self.c_layout else 0))
        rc, t = _b.out("slots_type_define", cls.__name__.encode(), self.text.encode(),
                       base.t if base else None, flags)
        if rc:
            raise _error(rc)
        info = self.info = _Info()
        info.t, info.tkey, info.name, info.text = t, _b.tkey(t), cls.__name__, self.text
        info.frozen, info.dynamic, info.order = self.frozen, self.dynamic, self.order
        info.c_layout = bool(self.c_layout)
        info.struct, info.methods = None, {}
        info.base_info = base
        info.readonly = self.readonly
        info.defined = None
        info.own_raw = self.own_raw
        info.new_blank = _b.make_new(t, _on_get_status)

    def read_fields(self):
        """The Field objects, read back from C; the base's fields are shared, not copied, so
        fields(Sub)[i] is fields(Base)[i]. Then the class is registered by its C type."""
        info, base = self.info, self.base_info
        fields = []
        for i in range(_fn.slots_type_nfields(info.t)):
            if base is not None and i < len(base.fields):
                F = base.fields[i]
                if F.name in self.overrides:
                    F = _dataclass.overridden(F, self.overrides[F.name], self.pydefaults)
                fields.append(F)
            else:
                F = self.field_from_c(i)
                _dataclass.set_field_options(F, self.field_opts.get(F.name) or _FieldOptions(
                    MISSING, False, False, kw_only=bool(self.options["kw_only"])))
                fields.append(F)
        info.fields = tuple(fields)
        info.by_name = {F.name: F for F in fields}
        info.ref_indices = tuple(F.index for F in fields if F._family == "ref")
        type.__setattr__(self.cls, "__slots_info__", info)
        _classes_by_tkey[info.tkey] = self.cls

    def field_from_c(self, i):
        t, fname = self.info.t, _fn.slots_field_name(self.info.t, i)
        F = Field()
        F.name, F.index, F._owner = fname, i, self.cls.__name__
        F.kind = _fn.slots_kind_name(_fn.slots_field_kind(t, i))
        fl = _fn.slots_field_flags(t, i)
        F.optional, F.readonly, F.key = bool(fl & _F_OPTIONAL), bool(fl & _F_READONLY), bool(fl & _F_KEY)
        F.ref_type = _fn.slots_field_ref_type(t, i)
        F._family = _KINDS[F.kind].family
        if fname in self.pydefaults:
            F.default = self.pydefaults[fname]
        elif fl & _F_HAS_DEFAULT:
            F.default = _parse_literal(_fn.slots_field_default(t, i), F.kind)
        else:
            F.default = MISSING
        pt = self.python_type(F)
        F.type = typing.Optional[pt] if F.optional else pt
        return F

    def python_type(self, F):
        """Field.type: the annotation's type for an annotated field; else (a field-list field) the
        Python type of its kind, or the record class a ref names."""
        cls = self.cls
        if F.name in self.own_types:
            pt = self.own_types[F.name]
            return cls if pt is _Self else pt
        if F.kind == "ref":
            return cls if F.ref_type == cls.__name__ else _named_class(F.ref_type)
        if F.kind == "i64":
            return int
        return _PYTYPE_OF_KIND.get(F.kind) or _KINDS[F.kind]

    # ---- what the class gets ------------------------------------------------------------------

    def install_descriptors(self, ns):
        """One descriptor per own field (an inherited field keeps the base's: same index)."""
        base = self.base_info
        for F in self.info.fields:
            if base is not None and F.index < len(base.fields):
                continue
            fam = "i64" if F._family == "int" else F._family
            fget, row = None, _KINDS[F.kind]
            if fam == "ref":
                fget = _ref_getter(_b.make_fget("ref", F.index, _on_get_status), F.index)
            elif row.from_c is not None:  # the carrier's getter, then the kind's conversion
                fam = row.carrier
                fget = _converting_getter(_b.make_fget(fam, F.index, _on_get_status), row.from_c)
            desc = _b.make_field(fam, F.index, _on_get_status, fget, _make_fset(F, ns), _make_fdel(F, ns),
                                 "%s: %s" % (F.name, F.kind), _handles._hslot, _handles.Record)
            type.__setattr__(self.cls, F.name, desc)

    def install_init(self, ns, dc_fields):
        """The generated __init__, unless the class body defines its own (or init=False): records
        are then created (defaults filled) by __new__ before it runs, so it can assign fields as
        usual."""
        cls, info = self.cls, self.info
        init = _make_init(cls, info, ns, dc_fields)
        if not self.options["init"] and "__init__" not in cls.__dict__:
            _install(cls, "__new__", _new_with_defaults)
            info.custom_init = True
        elif "__init__" in cls.__dict__ and "__init__" not in cls.__dict__.get(_INSTALLED, ()):
            _install(cls, "__new__", _new_with_defaults)
            info.custom_init = True
        else:
            info.custom_init = False
            _install(cls, "__init__", init)
            if any("__new__" in b.__dict__ for b in cls.__mro__[1:-1]):
                _install(cls, "__new__", _plain_new)

    def install_methods(self):
        """Matching, hashing, ordering and attribute access as the options say."""
        cls, info = self.cls, self.info
        for name in ("__lt__", "__le__", "__gt__", "__ge__"):
            _install(cls, name, _ORDER[name] if self.order else _no_order(name))
        if self.frozen:
            _install(cls, "__setattr__", _frozen_setattr)
            _install(cls, "__delattr__", _frozen_delattr)
        elif self.dynamic:
            info.setattr_names = self.data_descriptor_names()
            _install(cls, "__setattr__", _dyn_setattr)
            _install(cls, "__delattr__", _dyn_delattr)
        if self.dynamic:
            _install(cls, "__getattr__", _dyn_getattr)
        if info.ref_indices or self.dynamic:
            _install(cls, "__del__", _make_del(info.ref_indices, self.dynamic))
        _install(cls, "__arrow_c_schema__", classmethod(_arrow.class_schema))  # the Arrow PyCapsule interface

    def data_descriptor_names(self):
        """Names a dynamic record's __setattr__ hands to object.__setattr__ (fields, properties, the
        handle slot) rather than storing as extras."""
        names = set()
        for k in dir(self.cls):
            d = inspect.getattr_static(self.cls, k, None)
            if hasattr(type(d), "__set__"):
                names.add(k)
        return frozenset(names) | {"_h", "__dict__"}
