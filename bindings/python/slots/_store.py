"""slots.Store: many records of one class in one libslots store (contiguous slabs, a key index,
bulk JSON Lines / CSV load and dump, numeric columns). Written once over either backend.

Ownership: the store owns its records. A proxy from a store holds its handle as an instance of a
per-store int subclass (a _Borrowed handle) whose class keeps the store alive, so its __del__ never
frees the record and a store lives while any of its proxies does. store.drop() frees everything at
once: every proxy from the store then raises StaleRecordError.
"""
import array
import collections
import os
import re

from . import _api
from ._api import (_b, _fn, _C, _error, _geth, _hslot, _info, _Borrowed, StaleRecordError, Record)

_SKIP_BAD = _C["SLOTS_LOAD_SKIP_BAD"]
_TRIM_HEADER, _ALLOW_NAN = _C["SLOTS_LOAD_TRIM_HEADER"], _C["SLOTS_DUMP_ALLOW_NAN"]
_ESTALE, _ENOKEY, _EINDEX = _C["SLOTS_ESTALE"], _C["SLOTS_ENOKEY"], _C["SLOTS_EINDEX"]
_I64_MIN, _I64_MAX, _U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1

# array typecodes for each numeric kind (sizes as the C column: bool 1 byte, ...).
_TYPECODES = {"bool": "B", "i8": "b", "u8": "B", "i16": "h", "u16": "H", "f32": "f", "f64": "d",
              "i64": "q", "u64": "Q"}
_TYPECODES["i32"] = "i" if array.array("i").itemsize == 4 else "l"
_TYPECODES["u32"] = "I" if array.array("I").itemsize == 4 else "L"
_INT_KINDS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")

LoadResult = collections.namedtuple("LoadResult", "loaded skipped errors")
LoadResult.__doc__ = ("What load_jsonl/load_csv(skip_bad=True) return: records added, bad lines "
                      "skipped, and the messages of the first (up to ten) bad lines.")
Aggregate = collections.namedtuple("Aggregate", "count sum min max")

_LINE = re.compile(r"\bline (\d+)")

# Each returns the handle (> 0) or a negative status.
_store_at = _b.make_lookup("slots_store_at")
_find_i64 = _b.make_lookup("slots_store_find_i64")
_find_u64 = _b.make_lookup("slots_store_find_u64")
_find_str = _b.make_lookup("slots_store_find_str")
_store_len = _b.make_out1("slots_store_len", "size_t")
_store_append = _b.make_out1("slots_store_append", "slots_obj")
_new = object.__new__
_seth = _hslot.__set__


def _raise_stale(rc=None):
    raise StaleRecordError("the store was dropped")


class Store(object):
    """A libslots store of records of one record class: `store = Product.store()`.

    Sequence-like (len, [i] with negative indices, iteration in position order), a mapping by key
    when the class has a key field (get, `in`), bulk JSON Lines and CSV load and dump in C, and
    numeric columns as array.array (buffer protocol: numpy.frombuffer takes them)."""

    __slots__ = ("_s", "_cls", "_info", "_hcls", "_key", "_intkey", "__weakref__")

    def __init__(self, cls):
        info = _info(cls)
        rc, s = _b.out("slots_store_new", info.t)
        if rc:
            raise _error(rc)
        self._s, self._cls, self._info = s, cls, info
        # Handles of this store's records: non-owning, and their class keeps this store alive.
        self._hcls = type("_StoreHandle", (_Borrowed,), {"__slots__": (), "store": self})
        keys = [F for F in info.fields if F.key]
        self._key = keys[0] if keys else None
        self._intkey = bool(keys) and keys[0].kind != "str"

    # ---- lifetime ---------------------------------------------------------------------------
    def drop(self):
        """Frees the store and all its records now; every proxy from it then raises
        StaleRecordError, and so does every method of the store. Dropping twice is harmless."""
        s, self._s = self._s, None
        if s is not None:
            rc = _fn.slots_store_drop(s)
            if rc:
                raise _error(rc)

    def __del__(self):
        s = getattr(self, "_s", None)
        if s is not None:
            self._s = None
            _fn.slots_store_drop(s)

    def _live(self):
        s = self._s
        if s is None:
            _raise_stale()
        return s

    @property
    def record_class(self):
        return self._cls

    @property
    def dropped(self):
        return self._s is None

    def __repr__(self):
        if self._s is None:
            return "<slots.Store of %s (dropped)>" % self._cls.__name__
        return "<slots.Store of %s, %d records>" % (self._cls.__name__, len(self))

    # ---- records -----------------------------------------------------------------------------
    def _proxy(self, h):
        obj = _new(self._cls)
        _seth(obj, self._hcls(h))
        return obj

    def append(self, *args, **kwargs):
        """Appends a record built from the constructor's arguments and returns its proxy. On any
        error the half-built record is removed again (nothing changes)."""
        s = self._live()
        rc, h = _store_append(s)
        if rc:
            raise _error(rc)
        obj = self._proxy(h)
        try:
            if self._info.custom_init:
                obj.__init__(*args, **kwargs)
            else:
                self._info.fill(obj, *args, **kwargs)
        except BaseException:
            _fn.slots_store_remove(s, h)
            raise
        return obj

    def __len__(self):
        rc, n = _store_len(self._live())
        if rc:
            raise _error(rc)
        return n

    def __getitem__(self, i):
        s = self._s
        if s is None:
            _raise_stale()
        if i.__class__ is not int:
            if isinstance(i, slice):
                return [self[j] for j in range(*i.indices(len(self)))]
            i = i.__index__()
        if i < 0:
            i += len(self)
            if i < 0:
                raise IndexError("store index out of range")
        h = _store_at(s, i)
        if h < 0:
            if h == _EINDEX:
                raise IndexError("store index out of range")
            raise _error(h)
        obj = _new(self._cls)
        _seth(obj, self._hcls(h))
        return obj

    def __iter__(self):
        s = self._live()
        cls, hcls, new, seth = self._cls, self._hcls, _new, _seth
        for h in _b.iter_handles(s, _api._raise):
            obj = new(cls)
            seth(obj, hcls(h))
            yield obj

    def __bool__(self):
        return len(self) > 0

    def remove(self, rec):
        """Removes (frees) a record of this store; its proxies then raise StaleRecordError."""
        if not isinstance(rec, Record):
            raise TypeError("remove() takes a record, not %s" % type(rec).__name__)
        rc = _fn.slots_store_remove(self._live(), _geth(rec))
        if rc:
            raise _error(rc)

    def clear(self):
        """Frees every record (their proxies go stale) and keeps the memory for reuse."""
        rc = _fn.slots_store_clear(self._live())
        if rc:
            raise _error(rc)

    def reserve(self, n):
        """Makes room for n records in total, so appends up to n allocate nothing."""
        rc = _fn.slots_store_reserve(self._live(), n)
        if rc:
            raise _error(rc)

    # ---- key index ---------------------------------------------------------------------------
    def _find(self, key):
        """The handle for a key, or a negative status; TypeError for a key of the wrong type."""
        s = self._live()
        F = self._key
        if F is None:
            raise TypeError("%s has no key field (declare one: `id: int = slots.key()`, or "
                            "'id: i64 key' in a field list)" % self._cls.__name__)
        if F.kind == "str":
            if key.__class__ is not str and not isinstance(key, str):
                raise TypeError("%s keys are str, not %s" % (self._cls.__name__, type(key).__name__))
            b = key.encode()
            return _find_str(s, b, len(b))
        if isinstance(key, int) and not isinstance(key, bool):
            key = int(key)
            if _I64_MIN <= key <= _I64_MAX:
                return _find_i64(s, key)
            if key <= _U64_MAX:
                return _find_u64(s, key)
            return _ENOKEY
        raise TypeError("%s keys are int, not %s" % (self._cls.__name__, type(key).__name__))

    def get(self, key, *default):
        """The record whose key field equals `key`. KeyError when there is none, unless a default
        is given (store.get(key, None))."""
        if key.__class__ is int and self._intkey and self._s is not None and _I64_MIN <= key <= _I64_MAX:
            h = _find_i64(self._s, key)  # the common case, without _find's checks
        else:
            h = self._find(key)
        if h < 0:
            if h == _ENOKEY:
                if default:
                    return default[0]
                raise KeyError(key)
            raise _error(h)
        obj = _new(self._cls)
        _seth(obj, self._hcls(h))
        return obj

    def __contains__(self, key):
        try:
            h = self._find(key)
        except TypeError:
            return False
        if h < 0 and h != _ENOKEY:
            raise _error(h)
        return h > 0

    # ---- bulk load and dump ------------------------------------------------------------------
    def load_jsonl(self, source, skip_bad=False):
        """Loads JSON Lines (one object per line) into the store, decoded in C straight into the
        records (validators run). `source`: bytes-like data, a path (str or os.PathLike), a str
        holding the text itself (recognised by a newline or a leading '{'), or a binary file
        object. Returns the number of records added. All or nothing: the first bad line raises
        the matching exception (ValueError, TypeError, OverflowError, AttributeError, KeyError for a
        duplicate key, OSError) naming the line ("line 3: Product.price must be f64, not str"; also
        in its .line) and leaves the store unchanged. skip_bad=True skips bad lines instead and
        returns LoadResult(loaded, skipped, errors)."""
        return self._load("jsonl", source, skip_bad, lambda t: t.lstrip()[:1] == "{")

    def load_csv(self, source, skip_bad=False, trim_header=False):
        """Loads CSV (RFC 4180: a header row of field names, "" quoting) like load_jsonl; a str is
        taken as text when it holds a newline, else as a path. Read as Python's csv module reads
        it (LF, CRLF or CR line ends, a UTF-8 BOM skipped) and each cell as int() or float() reads
        it (a bad cell raises ValueError). An unquoted header name with blanks around it raises
        ValueError unless trim_header=True."""
        return self._load("csv", source, skip_bad, lambda t: False, _TRIM_HEADER if trim_header else 0)

    def _load(self, fmt, source, skip_bad, looks_like_text, flags=0):
        s = self._live()
        flags |= _SKIP_BAD if skip_bad else 0
        if hasattr(source, "read"):
            source = source.read()
        if isinstance(source, str) and ("\n" in source or looks_like_text(source)):
            source = source.encode()
        if isinstance(source, (str, os.PathLike)):
            path = os.fsencode(source)
            rc, loaded, skipped = _b.out("slots_store_load_%s_file" % fmt, s, path, flags)
        else:
            data = source if isinstance(source, bytes) else bytes(memoryview(source).cast("B"))
            rc, loaded, skipped = _b.out("slots_store_load_" + fmt, s, data, len(data), flags)
        if rc:
            exc = _error(rc)
            m = _LINE.search(str(exc))
            exc.line = int(m.group(1)) if m else None
            raise exc
        if not skip_bad:
            return loaded
        errs = _fn.slots_store_load_errors(s) or ""
        return LoadResult(loaded, skipped, [e for e in errs.split("\n") if e])

    def dump_jsonl(self, path=None, allow_nan=False):
        """Writes every record as one JSON object per line, to `path` (returns None), or returns
        the text as bytes when no path is given. A NaN or infinite float raises ValueError naming
        the record's position and the field, unless allow_nan=True (NaN, Infinity, -Infinity,
        as json.dumps writes them)."""
        return self._dump("jsonl", path, (_ALLOW_NAN if allow_nan else 0,), "_flags")

    def dump_csv(self, path=None):
        """Writes a header of all fields (then of every extra attribute, on dynamic classes) and
        one row per record (unset and null cells empty, bytes as base64), to `path`, or returns
        bytes. load_csv reads it back; extras come back as str."""
        return self._dump("csv", path)

    def _dump(self, fmt, path, flags=(), suffix=""):
        s = self._live()
        if path is not None:
            rc = getattr(_fn, "slots_store_dump_%s_file%s" % (fmt, suffix))(s, os.fsencode(path), *flags)
            if rc:
                raise _error(rc)
            return None
        rc, p, n = _b.out("slots_store_dump_%s%s" % (fmt, suffix), s, *flags)
        if rc:
            raise _error(rc)
        return _b.string(p, n)

    # ---- columns -----------------------------------------------------------------------------
    def _field(self, name):
        F = self._info.by_name.get(name)
        if F is None:
            raise AttributeError("'%s' object has no attribute '%s'" % (self._cls.__name__, name))
        return F

    def column(self, name):
        """The field `name` of every record, in position order, as an array.array of the field's
        C type (typecode: bool/u8 'B', i8 'b', i16 'h', u16 'H', i32 'i', u32 'I', i64 'q',
        u64 'Q', f32 'f', f64 'd'). Unset or null cells read 0 (NaN for floats). A copy:
        numpy.frombuffer(store.column("price"), dtype=float) shares the array's memory."""
        s = self._live()
        F = self._field(name)
        tc = _TYPECODES.get(F.kind)
        if tc is None:
            raise TypeError("field '%s' of '%s' is %s, not numeric or bool"
                            % (name, self._cls.__name__, F.kind))
        n = len(self)
        arr = array.array(tc, bytes(n * array.array(tc).itemsize))
        rc, count = _b.out("slots_store_column_read", s, F.index, _b.wbuf(arr) if n else _b.null,
                           n * arr.itemsize)
        if rc:
            raise _error(rc)
        if count != n:
            del arr[count:]
        return arr

    def set_column(self, name, values):
        """Sets field `name` of every record from `values`: a buffer of the column's C type (e.g.
        what column() returns, or a numpy array of that dtype) or any iterable of numbers; exactly
        len(store) values. All or nothing (every value is checked first, validators included)."""
        s = self._live()
        F = self._field(name)
        tc = _TYPECODES.get(F.kind)
        if tc is None:
            raise TypeError("field '%s' of '%s' is %s, not numeric or bool"
                            % (name, self._cls.__name__, F.kind))
        data = None
        try:
            mv = memoryview(values)
        except TypeError:
            mv = None
        if mv is not None and mv.format.lstrip("@=<") == tc and mv.itemsize == array.array(tc).itemsize \
                and mv.c_contiguous:
            data = mv.cast("B").tobytes()
        if data is None:
            if mv is not None:
                values = mv.tolist()
            if F.kind == "bool":
                values = [int(v) if v is True or v is False else v for v in values]
            data = array.array(tc, values).tobytes()
        n = len(self)
        if len(data) != n * array.array(tc).itemsize:
            raise ValueError("set_column('%s'): %d values for %d records"
                             % (name, len(data) // array.array(tc).itemsize, n))
        rc = _fn.slots_store_column_write(s, F.index, _b.rbuf(data) if data else _b.null, len(data))
        if rc:
            raise _error(rc)

    def aggregate(self, name):
        """Aggregate(count, sum, min, max) over the set, non-null values of a numeric field,
        computed in C (sum/min/max as floats; min and max are NaN when count is 0)."""
        F = self._field(name)
        rc, count, total, lo, hi = _b.out("slots_store_aggregate", self._live(), F.index)
        if rc:
            raise _error(rc)
        return Aggregate(count, total, lo, hi)

    def sum(self, name):
        """The sum of a numeric field's set values, in C: an exact int for integer fields, else a
        float."""
        F = self._field(name)
        if F.kind in _INT_KINDS:
            rc, total = _b.out("slots_store_sum_i64", self._live(), F.index)
            if rc:
                raise _error(rc)
            return total
        return self.aggregate(name).sum

    def min(self, name):
        """The smallest set value (ValueError when there is none, as min() of nothing)."""
        return self._extreme(name, 2, "min")

    def max(self, name):
        """The largest set value (ValueError when there is none)."""
        return self._extreme(name, 3, "max")

    def _extreme(self, name, pos, what):
        a = self.aggregate(name)
        if not a.count:
            raise ValueError("%s() of field '%s': no values" % (what, name))
        v = a[pos]
        return int(v) if self._field(name).kind in _INT_KINDS else v

    def memory_usage(self):
        """Bytes the store holds in C: slabs, key index, position table, out-of-line strings."""
        rc, n = _b.out("slots_store_memory", self._live())
        if rc:
            raise _error(rc)
        return n
