"""slots' sources: loads from many values (a Redis MGET reply), streaming loads fed in chunks
(slots.Store.loader: a socket, PostgreSQL's COPY TO STDOUT, a file read piece by piece), and the
JSON response of a selection of records (Store.to_json). Store's thin methods call these.

A Loader holds a libslots slots_loader (an id and an incarnation, never an address: a used-up
loader is refused by C, never followed). Rows fed are decoded into the loader's own staging area
as they come; commit() adds them all to the store at once, abort() drops them.
"""
import array
import itertools
import threading

from . import _handles
from ._errors import _error
from ._lib import _b, _C, _fn

_FORMATS = {"jsonl": _C["SLOTS_FORMAT_JSONL"], "csv": _C["SLOTS_FORMAT_CSV"]}
_SKIP_BAD, _LENIENT, _UPSERT = _C["SLOTS_LOAD_SKIP_BAD"], _C["SLOTS_LOAD_LENIENT"], _C["SLOTS_LOAD_UPSERT"]
_TRIM_HEADER, _ALLOW_NAN, _ARRAY = _C["SLOTS_LOAD_TRIM_HEADER"], _C["SLOTS_DUMP_ALLOW_NAN"], _C["SLOTS_DUMP_ARRAY"]
_SIZE_T = "Q" if array.array("Q").itemsize == 8 else "L"  # size_t and pointers (64-bit platforms)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


def load_flags(skip_bad, lenient, upsert, trim_header=False):
    return ((_SKIP_BAD if skip_bad else 0) | (_LENIENT if lenient else 0) | (_UPSERT if upsert else 0)
            | (_TRIM_HEADER if trim_header else 0))


def _as_bytes(v, what):
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, bytes):
        return v
    try:
        return memoryview(v).cast("B").tobytes()
    except TypeError:
        raise TypeError("%s must be bytes, a bytes-like object, str or None, not %s"
                        % (what, type(v).__name__)) from None


def values_args(values):
    """(args for slots_store_load_json_values after the store, bytes in all). The values go into
    one buffer; the pointer array holds each one's address in it (0 for None: no row)."""
    vals = [None if v is None else _as_bytes(v, "a value") for v in values]
    lens = array.array(_SIZE_T, [0 if v is None else len(v) for v in vals])
    joined = bytearray(b"".join([v for v in vals if v is not None]) + b"\0")  # never empty: b"" is no NULL
    base = _b.addr(_b.carray(joined, "char"))
    starts = itertools.accumulate(lens, initial=0)
    ptrs = array.array(_SIZE_T, [0 if v is None else base + at for v, at in zip(vals, starts)])
    # the buffers ride along in the arguments, so they live as long as the call
    return (_b.carray(ptrs, "char *"), _b.carray(lens, "size_t"), len(vals)), len(joined) - 1, (joined, ptrs, lens)


class Loader(object):
    """A streaming load into a store (Store.loader): feed(chunk) any number of times, then commit()
    (every row appears at once; returns what the load returns) or abort() (nothing changes). As a
    context manager it commits on a normal exit and aborts on an exception. A failed feed raises
    the load's error (ValueError ... naming the line in the whole stream) and ends the load: every
    later call raises it again, and abort() or leaving the with block frees it."""

    __slots__ = ("_l", "_error", "_result", "_lock", "__weakref__")

    def __init__(self, s, fmt, flags, error, result):
        """Begins a load into the C store s; error(status) makes a failed call's exception (on the
        thread that made it), result(loaded, skipped) what commit() returns."""
        if fmt not in _FORMATS:
            raise ValueError("loader format must be 'jsonl' or 'csv', not %r" % (fmt,))
        if flags & _TRIM_HEADER and fmt != "csv":
            raise TypeError("trim_header is a CSV option")
        self._error, self._result, self._lock, self._l = error, result, threading.Lock(), None
        rc, l = _b.out("slots_loader_begin", s, _FORMATS[fmt], flags)
        if rc:
            raise _error(rc)
        self._l = l

    def _take(self, done):
        with self._lock:
            l = self._l
            if l is None:
                raise ValueError("the loader has been committed or aborted")
            if done:
                self._l = None
            return l

    def feed(self, data):
        """Feeds the next chunk of the text: bytes-like, or str (encoded as UTF-8). A row may be
        cut anywhere between two chunks."""
        b = _as_bytes(data, "a chunk")
        rc = _fn.slots_loader_feed(self._take(False), b, len(b))
        if rc:
            raise self._error(rc)

    def commit(self):
        """Adds every row fed to the store at once: the number of records loaded, or
        LoadResult(loaded, skipped, errors) with skip_bad=True."""
        rc, loaded, skipped = _b.out("slots_loader_commit", self._take(True))
        if rc:
            raise self._error(rc)
        return self._result(loaded, skipped)

    def abort(self):
        """Drops everything fed; the store is unchanged. Nothing happens if it has ended already."""
        with self._lock:
            l, self._l = self._l, None
        if l is not None:
            _fn.slots_loader_abort(l)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False

    def __del__(self):
        try:
            self.abort()
        except Exception:
            pass


def to_json(store, s, selection, start, stop, array_, allow_nan):
    """The JSON text (bytes) of Store.to_json: records, keys, or the positions [start, stop)."""
    flags = (_ARRAY if array_ else 0) | (_ALLOW_NAN if allow_nan else 0)
    if selection is None:
        n = len(store)
        lo, hi, _ = slice(start, stop).indices(n)
        rc, p, size = _b.out("slots_store_dump_json_range", s, lo, hi, flags)
    else:
        rc, p, size = _dump_selection(store, s, list(selection), flags)
    if rc:
        raise _error(rc)
    return _b.string(p, size)


def _dump_selection(store, s, items, flags):
    if items and all(isinstance(x, _handles.Record) for x in items):
        hs = array.array("Q", [_handles._geth(x) for x in items])
        return _b.out("slots_store_dump_json_select", s, _b.carray(hs, "slots_obj"), len(hs), flags)
    if all(isinstance(x, str) for x in items) and items:
        keys = [k.encode() for k in items]
        args, _, keep = values_args(keys)
        return _b.out("slots_store_dump_json_keys_str", s, *args, flags)
    if all(isinstance(x, int) and not isinstance(x, bool) and _I64_MIN <= x <= _I64_MAX for x in items):
        ks = array.array("q", items)
        return _b.out("slots_store_dump_json_keys_i64", s, _b.carray(ks, "int64_t"), len(ks), flags)
    raise TypeError("to_json() takes records of the store, or keys of one kind (int or str)")
