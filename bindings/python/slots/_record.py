"""The record classes' root: RecordMeta (the metaclass, which runs the class builder), slots.Record,
@slots.record (which rebuilds a plain class as a record class) and slots.define (a record class from
a field-list text), with what copy and pickle need to create a record again.

Below: every module but _api (see README, Package layout). Binds slots.Record into _handles.
"""
import dataclasses
import sys
import threading

from . import _bridge, _fast, _handles
from ._annotations import _own_annotations
from ._builder import _setup
from ._dataclass import OPTIONS as _DC_OPTIONS
from ._convert import _put_state
from ._errors import _error
from ._extras import _extra_set, _extras_dict
from ._handles import (_adopt, _info, _keep, _pyextras, _record_base_info, _record_base_info_or_self,
                       _tl)
from ._kinds import _PICKLE_MODULE  # _blank and _DefinedRef are named in pickles as kinds are
from ._kinds import field, key
from ._lib import _ALLOW_NAN, _C, _b, _fn
from ._store import Store, _record_row

try:
    from typing import dataclass_transform  # 3.11+
except ImportError:  # older Pythons: the type checkers read __init__.pyi, the runtime needs nothing
    def dataclass_transform(**kwargs):
        return lambda obj: obj



def _check_bases(name, bases):
    """C types have one base: record bases with fields must lie on one line of descent."""
    infos = []
    for b in bases:
        if isinstance(b, RecordMeta):
            info = _record_base_info_or_self(b)
            if info is not None and info.fields and info not in infos:
                infos.append(info)
    ancestors = set()
    for info in infos:
        a = info.base_info
        while a is not None:
            ancestors.add(id(a))
            a = a.base_info
    roots = [i for i in infos if id(i) not in ancestors]
    if len(roots) > 1:
        raise TypeError("record class %s cannot derive from both %s and %s: a record's fields are one C "
                        "type's, which extends one record type (derive one of them from the other, or "
                        "hold the other as a ref field)" % (name, roots[0].name, roots[1].name))


# Records are dataclass-like to type checkers (PEP 681): at run time this only sets
# __dataclass_transform__; the types themselves are in __init__.pyi.
@dataclass_transform(field_specifiers=(field, key, dataclasses.field))
class RecordMeta(type):
    """Metaclass of record classes: a subclass of a record class is built as a record once, with no
    rebuild, so zero-argument super() and __init_subclass__ behave as in any class."""

    def __new__(mcls, name, bases, ns, frozen=None, order=None, dynamic=None, readonly=None, c_layout=None,
                **kw):
        options = {k: kw.pop(k) for k in _DC_OPTIONS if k in kw}  # init, repr, eq, kw_only, ...
        if ns.get("_slots_root_"):
            return super().__new__(mcls, name, bases, dict(ns), **kw)
        slots_decl = ns.get("__slots__", ())
        if slots_decl not in ((), []):
            raise TypeError("record class %s declares __slots__; record fields are declared by "
                            "annotations and live in C" % name)
        ns = dict(ns)
        ns["__slots__"] = ()
        _check_bases(name, bases)
        cls = super().__new__(mcls, name, bases, ns, **kw)
        if cls.__dictoffset__ != 0 or cls.__flags__ & (1 << 4):
            raise TypeError("a base of record class %s gives instances a __dict__ (give each base "
                            "class `__slots__ = ()`, or use dynamic=True for extra attributes)" % name)
        _setup(cls, frozen, order, dynamic, readonly, c_layout, text=ns.get("__slots_text__"), options=options)
        return cls

    def __init__(cls, name, bases, ns, **kw):
        for k in ("frozen", "order", "dynamic", "readonly", "c_layout") + _DC_OPTIONS:
            kw.pop(k, None)
        super().__init__(name, bases, ns, **kw)

    def memory_usage(cls, detail=False):
        """Bytes libslots holds for records of exactly this class: slab bytes + out-of-line strings +
        extras; with detail=True a dict of the three and the live record count."""
        info = _info(cls)
        rc, rec, strs, ext = _b.out("slots_type_memory", info.t)
        if rc:
            raise _error(rc)
        if not detail:
            return rec + strs + ext
        rc, n = _b.out("slots_type_count", info.t)
        return {"records": rec, "strings": strs, "extras": ext, "live": n,
                "record_size": _fn.slots_type_record_size(info.t)}

    def store(cls):
        """A new, empty slots.Store of this class's records (see slots.Store)."""
        return Store(cls)

    def c_struct(cls):
        """The ctypes.Structure subclass laid out as this c_layout=True class's C struct (fields in
        declared order, base fields first; str is c_char_p, ref c_uint64), checked against the
        library's offsets and size. Made once per class. TypeError for a class without c_layout."""
        return _bridge.c_struct(cls)

    def bind_method(cls, name, signature, fn=None, *, library=None, symbol=None, property=False):
        """Binds a native function as method (or, property=True, read-only property) `name` of
        this type in C and installs it on the class: `rec.name(*args)` calls it through slots_call.
        Give `library` (a path or soname for dlopen) and `symbol`, or `fn`: a ctypes/cffi function
        pointer, an address (int), or a Python callable (wrapped in a C callback of the signature's
        types, so other languages calling the method through slots_call run it too). See README."""
        return _bridge.bind_method(cls, name, signature, fn, library, symbol, property)

    def validator(cls, field_name, fn=None):
        """Binds a Python callable `fn(record, value)` as the C validator of field `field_name`: it
        runs on every set of the field, constructor and bulk loads (load_jsonl, load_csv,
        set_column) included. Return None/True to accept; return False or a str (the reason), or
        raise, to refuse: the set fails with ValueError("Product.price: <reason>"). Usable as a
        decorator: @Product.validator("price"). fn=None with no decorator use removes it:
        Product.validator("price", None) is a decorator; use clear_validator to remove."""
        if fn is None:
            def deco(f):
                _bridge.set_validator(cls, field_name, f)
                return f
            return deco
        _bridge.set_validator(cls, field_name, fn)
        return fn

    def clear_validator(cls, field_name):
        """Removes the validator of field `field_name`."""
        _bridge.set_validator(cls, field_name, None)

    def from_json(cls, text, lenient=False):
        """A new record of this class from one JSON object (str or bytes). Strict like the
        constructor: a missing field without a default raises TypeError ("missing field 'name'");
        lenient=True leaves it unset (the key field is still required)."""
        info = _info(cls)
        data = text.encode() if isinstance(text, str) else bytes(text)
        flags = _C["SLOTS_LOAD_LENIENT"] if lenient else 0
        rc, h = _b.out("slots_from_json_flags", info.t, data, len(data), flags)
        if rc:
            raise _error(rc)
        return _adopt(cls, h)


class Record(_fast.RecordBase, metaclass=RecordMeta):
    """Base of every record class. `class P(slots.Record, frozen=True): ...` is the same as
    decorating a plain class with @slots.record(frozen=True), without the rebuild."""

    _slots_root_ = True
    __slots__ = _fast.ROOT_SLOTS  # the handle: a slot, or a C field of the compiled backend's base

    def __init_subclass__(cls, **kw):
        if getattr(_tl, "rebuilding", None) is not None:
            return  # the class statement already ran the bases' __init_subclass__ (gh-91126)
        super().__init_subclass__(**kw)

    def __repr__(self):
        rc, p, n = _b.out("slots_repr", _geth(self))
        if rc:
            raise _error(rc)
        return _b.string(p, n).decode()

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        rc = _fn.slots_equal(_geth(self), _geth(other))
        if rc < 0:
            raise _error(rc)
        return rc == 1

    __hash__ = None

    def to_json(self, allow_nan=False):
        """The record as one JSON object (str). A NaN or infinite float raises ValueError naming
        the field, unless allow_nan=True, which writes NaN, Infinity and -Infinity as
        json.dumps does (from_json and load_jsonl read them back)."""
        h = _geth(self)
        py = _pyextras.get(h)  # one read: another thread may drop the entry between two
        if py:
            raise TypeError("%s has extra attributes that only Python holds (%s); they cannot be "
                            "written as JSON" % (type(self).__name__, ", ".join(sorted(py))))
        rc, p, n = _b.out("slots_to_json_flags", h, _ALLOW_NAN if allow_nan else 0)
        if rc:
            raise _error(rc)
        return _b.string(p, n).decode()

    def __copy__(self):
        h = _geth(self)
        rc, h2 = _b.out("slots_copy", h)
        if rc:
            raise _error(rc)
        new = _adopt(type(self), h2)
        info = _info(type(self))
        for i in info.ref_indices:
            p = _keep.get((h, i))
            if p is not None:
                _keep[(h2, i)] = p
        py = _pyextras.get(h)
        if py is not None:
            _pyextras[h2] = dict(py)
        return new

    def __reduce__(self):
        # (blank record, state): copy/pickle create the record first and then set its fields, so
        # refs that form cycles round-trip, and frozen/readonly fields are set exactly once.
        cls = type(self)
        info = _info(cls)
        state = _record_row(self)
        extras = _extras_dict(self) if info.dynamic else None
        ref = cls if info.defined is None else info.defined
        return (_blank, (ref,), (state, extras))

    def __setstate__(self, state):
        fields, extras = state
        info = _info(type(self))
        h = _geth(self)
        for name, v in fields.items():
            F = info.by_name[name]
            rc = _put_state(h, F, v)
            if rc:
                raise _error(rc)
        if extras:
            for name, v in extras.items():
                _extra_set(self, h, name, v)

    if not _fast.c_records:  # the compiled backend's C base frees the record in its dealloc
        def __del__(self, _free=_fn.slots_free):
            try:
                h = self._h
            except AttributeError:
                return
            if h.__class__ is int:  # not _Borrowed: a store (or nobody) owns those
                _free(h)

    def __sizeof__(self):
        # sys.getsizeof(record): the proxy plus, when it owns its record, the record's bytes in C (its
        # type's record size; out-of-line str/bytes values and extras are not counted: see
        # type(r).memory_usage()). A store's record is the store's: getsizeof(store) counts it, and
        # its proxy is a view, as a memoryview does not count the buffer it shows.
        own = getattr(self, "_h", None).__class__ is int
        return object.__sizeof__(self) + (_fn.slots_type_record_size(_info(type(self)).t) if own else 0)

    def c_view(self):
        """UNCHECKED. A ctypes.Structure (type(self).c_struct()) over this record's bytes, for a
        c_layout=True record: reads and writes go straight to memory, bypassing kinds, ranges,
        readonly, keys, validators and presence bits (an unset field reads 0 / None). Valid only
        while the record lives: after it is freed, removed or its store dropped, the view reads
        freed memory. The view keeps this proxy alive, not the record."""
        return _bridge.c_view(self)


# The root exists: the modules below can now reach it (see _handles). No record class exists yet.
_handles.bind_root(Record)
_geth = _handles._geth


def _blank(ref):
    """What unpickling calls first (see Record.__reduce__): a blank record of class `ref` (or of the
    slots.define() class a _DefinedRef names)."""
    cls = ref if isinstance(ref, RecordMeta) else _define_from_ref(ref)
    return _adopt(cls, _info(cls).new_blank())


_blank.__module__ = _PICKLE_MODULE


@dataclass_transform(field_specifiers=(field, key, dataclasses.field))
def record(cls=None, *, frozen=False, order=False, dynamic=False, readonly=(), c_layout=False, init=None,
           repr=None, eq=None, unsafe_hash=None, match_args=None, kw_only=None, slots=True, weakref_slot=True):
    """Class decorator: makes `cls` a record class (like @dataclass(slots=True)); init, repr, eq,
    unsafe_hash, match_args and kw_only are dataclass's options. c_layout=True lays the fields out
    as the platform's C struct (SLOTS_CLAYOUT; no bytes fields): see c_struct()."""
    if slots is not True or weakref_slot is not True:
        raise TypeError("a record is always slotted with a __weakref__ slot (slots=True, weakref_slot=True)")
    options = {k: v for k, v in (("init", init), ("repr", repr), ("eq", eq), ("unsafe_hash", unsafe_hash),
                                 ("match_args", match_args), ("kw_only", kw_only)) if v is not None}

    def wrap(c):
        return _make_record(c, frozen, order, dynamic, readonly, c_layout, options)
    return wrap if cls is None else wrap(cls)


def _make_record(cls, frozen, order, dynamic, readonly, c_layout=False, options=None):
    if isinstance(cls, RecordMeta):
        # Already built by the metaclass (a subclass of a record, or of slots.Record): just apply
        # the options, redefining the C type; no records exist yet.
        info = cls.__dict__.get("__slots_info__")
        base = _record_base_info(cls)
        want = (bool(frozen or (base and base.frozen)), bool(order or (base and base.order)),
                bool(dynamic or (base and base.dynamic)), tuple(readonly),
                bool(c_layout or (base and base.c_layout)))
        if info is not None and (info.frozen, info.order, info.dynamic, info.readonly, info.c_layout) == want \
                and not options:
            return cls
        return _setup(cls, *want, options=options)
    if not isinstance(cls, type):
        raise TypeError("@slots.record decorates a class, not %r" % (cls,))
    # A plain class already has its instance layout (with __dict__). A record's proxy must have
    # none, so the class is created again once, with the same namespace; the cells that
    # zero-argument super() reads are pointed at the new class (gh-90562) and the bases'
    # __init_subclass__ is not run a second time (gh-91126).
    ns = {}
    for k, v in cls.__dict__.items():
        if k in ("__dict__", "__weakref__"):
            continue
        ns[k] = v
    if "__slots__" in ns:
        raise TypeError("record class %s declares __slots__; record fields are declared by "
                        "annotations and live in C" % cls.__name__)
    ns["__qualname__"] = cls.__qualname__
    if "__annotations__" not in ns:
        ns["__annotations__"] = _own_annotations(cls)
    bases = tuple(b for b in cls.__bases__ if b is not object)
    bases = bases if any(isinstance(b, RecordMeta) for b in bases) else (Record,) + bases
    _tl.rebuilding = cls
    try:
        new = RecordMeta(cls.__name__, bases, ns, frozen=frozen, order=order, dynamic=dynamic,
                         readonly=readonly, c_layout=c_layout, **(options or {}))
    finally:
        _tl.rebuilding = None
    _retarget_class_cells(ns, cls, new)
    return new


def _retarget_class_cells(ns, old, new):
    for v in ns.values():
        for f in _functions_in(v):
            code = getattr(f, "__code__", None)
            if code is None or "__class__" not in code.co_freevars or not f.__closure__:
                continue
            cell = f.__closure__[code.co_freevars.index("__class__")]
            try:
                if cell.cell_contents is old:
                    cell.cell_contents = new
            except ValueError:
                pass


def _functions_in(v):
    if isinstance(v, (classmethod, staticmethod)):
        v = v.__func__
    if isinstance(v, property):
        return [f for f in (v.fget, v.fset, v.fdel) if f is not None]
    out = []
    while v is not None and len(out) < 8:
        out.append(v)
        v = getattr(v, "__wrapped__", None)
    return out


_defined = {}
_define_lock = threading.Lock()


class _DefinedRef(tuple):
    """How a slots.define() class is named in a pickle: (name, fields, flags, order, base)."""
    __slots__ = ()
    __module__ = _PICKLE_MODULE


def define(name, fields, *, frozen=False, dynamic=False, order=False, base=None, module=None,
           c_layout=False):
    """A record class from a field-list text: define("CachedItem", "id: i64, category: str").
    The same arguments return the same class."""
    if not isinstance(fields, str):
        raise TypeError("fields must be a field-list string")
    base_ref = None
    if base is not None:
        _info(base)
        base_ref = base if _info(base).defined is None else _info(base).defined
    key = _DefinedRef((name, fields, bool(frozen), bool(dynamic), bool(order), base_ref)
                      + ((True,) if c_layout else ()))
    with _define_lock:
        cls = _defined.get(key)
        if cls is not None:
            return cls
        if module is None:
            module = sys._getframe(1).f_globals.get("__name__", "__main__")
        ns = {"__module__": module, "__qualname__": name, "__slots_text__": fields}
        cls = RecordMeta(name, (base or Record,), ns, frozen=frozen or None, dynamic=dynamic or None,
                         order=order or None, c_layout=c_layout or None)
        _info(cls).defined = key
        _defined[key] = cls
        return cls


def _define_from_ref(ref):
    name, text, frozen, dynamic, order, base = ref[:6]
    if isinstance(base, tuple):
        base = _define_from_ref(base)
    return define(name, text, frozen=frozen, dynamic=dynamic, order=order, base=base,
                  c_layout=len(ref) > 6)
