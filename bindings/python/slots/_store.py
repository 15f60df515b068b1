"""slots.Store: many records of one class in one libslots store (contiguous slabs, a key index,
bulk JSON Lines / CSV load and dump, numeric columns). Written once over either backend.

Ownership: the store owns its records. A proxy from a store holds its handle as an instance of a
per-store int subclass (a _Borrowed handle) whose class keeps the store alive, so its __del__ never
frees the record and a store lives while any of its proxies does. store.drop() frees everything at
once: every proxy from the store then raises StaleRecordError.

Lifetime under threads: a running call holds its Store (self, in its frame), so the collector never
drops a store under a call. An explicit drop() goes to the library at once, which waits for the calls
running inside the store, refuses a drop from inside the store's own load (SLOTS_EBUSY), and refuses
the dropped reference from then on (SLOTS_ESTALE: store references are an id and an incarnation,
never an address), so a call that read the reference just before the drop raises StaleRecordError.
"""
import array
import collections
import collections.abc
import copy
import errno
import os
import re
import signal
import threading
import types

from . import _arrow, _fast, _handles, _loader, _ranges, _tracemem
from ._errors import BusyError, CancelledError, StaleRecordError, _error, _raise
from ._handles import _Borrowed, _info
from ._kinds import _I64_MAX, _I64_MIN, _KINDS, _U64_MAX
from ._lib import EBUSY, _b, _C, _fn

_SKIP_BAD = _C["SLOTS_LOAD_SKIP_BAD"]
_TRIM_HEADER, _ALLOW_NAN = _C["SLOTS_LOAD_TRIM_HEADER"], _C["SLOTS_DUMP_ALLOW_NAN"]
_ESTALE, _ENOKEY, _EINDEX = _C["SLOTS_ESTALE"], _C["SLOTS_ENOKEY"], _C["SLOTS_EINDEX"]
_EBUSY, _SIZE_MAX = EBUSY, _ranges.SIZE_MAX

# array typecodes for each numeric kind (sizes as the C column: bool 1 byte, ...).
_TYPECODES = {"bool": "B", "i8": "b", "u8": "B", "i16": "h", "u16": "H", "f32": "f", "f64": "d",
              "i64": "q", "u64": "Q"}
_TYPECODES["i32"] = "i" if array.array("i").itemsize == 4 else "l"
_TYPECODES["u32"] = "I" if array.array("I").itemsize == 4 else "L"
_INT_KINDS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")

LoadResult = collections.namedtuple("LoadResult", "loaded skipped errors")
LoadResult.__doc__ = ("What load_jsonl/load_csv(skip_bad=True) return: records added, bad lines "
                      "skipped, and the messages of the first (up to ten) bad lines.")
LoadError = collections.namedtuple("LoadError", "line column offset field message")
LoadError.__doc__ = (
    "One error of a load (libslots' slots_load_error): the line its row starts on (0: not about a "
    "row), the CSV cell or JSON byte column (from 1; 0: the whole row), the byte offset in the text, "
    "the field it concerns (None if none) and the message without its 'line N: '.")
_LENIENT = _C["SLOTS_LOAD_LENIENT"]
Aggregate = collections.namedtuple("Aggregate", "count sum min max")

_LINE = re.compile(r"\b(?:line|value) (\d+)")
_CHUNK = 1 << 20  # bytes (or characters) per read() of a file object

# Each returns the handle (> 0) or a negative status.
_store_at = _b.make_lookup("slots_store_at")
_find_i64 = _b.make_lookup("slots_store_find_i64")
_find_u64 = _b.make_lookup("slots_store_find_u64")
_find_str = _b.make_lookup("slots_store_find_str")
_store_len = _b.make_out1("slots_store_len", "size_t")
_store_append = _b.make_out1("slots_store_append", "slots_obj")
_new = object.__new__


def _c_path(path):
    """A str, bytes or os.PathLike path as the bytes C opens; a NUL inside would cut it short."""
    p = os.fsencode(path)
    if b"\0" in p:
        raise ValueError("embedded null byte")
    return p


def _read_all(f):
    """Everything a file object's read() gives, in chunks to its end: bytes as they come, str
    encoded as UTF-8."""
    chunks = []
    while True:
        chunk = f.read(_CHUNK)
        if chunk is None:  # a non-blocking file with nothing yet: not its end
            raise BlockingIOError(errno.EAGAIN, "read() returned None: the file is non-blocking")
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk.encode() if isinstance(chunk, str) else chunk)


def _load_error(rc, store, path):
    """The exception for a failed load, with the error that stopped it: .line, .column, .offset,
    .field (None if none) and .errors (a list of LoadError). A failure before the load reached
    the store (a bad path, bad arguments) has no entry of its own: .line is then read from the
    message, if it names one, and .errors is empty. A file that cannot be read is an
    OSError(errno, strerror, path). Made on the thread that ran the load: C keeps the message and
    errno per thread."""
    exc = _error(rc, None if path is None else os.fspath(path))
    if isinstance(exc, OSError):
        exc.line = exc.column = exc.offset = exc.field = None
        exc.errors = []
        return exc
    text = exc.args[0] if exc.args else ""  # not str(exc): a KeyError's str is its repr
    mine = [e for e in store.load_errors
            if text in (e.message, "line %d: %s" % (e.line, e.message), "value %d: %s" % (e.line, e.message))]
    first = mine[0] if mine else None
    m = _LINE.search(text)
    exc.line = first.line if first else int(m.group(1)) if m else None
    exc.column = first.column if first else None
    exc.offset = first.offset if first else None
    exc.field = first.field if first else None
    exc.errors = mine
    return exc


def _raise_stale(rc=None):
    raise StaleRecordError("the store was dropped")


# ---- loads that Ctrl-C stops ------------------------------------------------------------------
# Python runs a signal's handler only in the main thread, between bytecodes: during a C call that
# is after the call returns, i.e. after a load has committed every row. So a big load started on
# the main thread runs on a helper thread while the main thread waits, with a SIGINT handler of its
# own installed for the load's duration: it asks the load to stop (slots_store_cancel_load) and
# remembers the signal; once the load has ended, the previous handler is put back and given the
# signal (Python's default raises KeyboardInterrupt), the store unchanged. Installing a handler
# rather than catching KeyboardInterrupt leaves no moment at which an interrupt could escape with
# the load still running (e.g. inside Thread.start). Small loads end before a person can react and
# run directly, and so do loads on other threads, which Store.cancel_load() stops.
_BACKGROUND_MIN = 1 << 16  # bytes of text from which a main-thread load runs on a helper thread
_WAIT = 0.05               # seconds between two looks at the load, if the wait is not woken


def _load_call(s, fname, args, size, error=_error):
    """Runs the C load fname(s, *args): (status, loaded, skipped, error(status) or None), the
    exception made on the thread that made the call (C keeps the message per thread). `size`: the
    text's bytes, or None when unknown (a path)."""
    if (size is not None and size < _BACKGROUND_MIN) or threading.current_thread() is not threading.main_thread():
        return _load_now(s, fname, args, error)
    old = signal.getsignal(signal.SIGINT)
    if old is None or old == signal.SIG_IGN:  # a handler Python cannot chain to, or Ctrl-C ignored
        return _load_now(s, fname, args, error)
    got, done, finished = [], [], threading.Event()

    def on_sigint(signum, frame):
        got.append((signum, frame))
        _fn.slots_store_cancel_load(s)

    def run():
        try:
            done.append(_load_now(s, fname, args, error))
        except BaseException as exc:  # e.g. a bad argument: raised again in the caller's thread
            done.append(exc)
        finally:
            finished.set()

    signal.signal(signal.SIGINT, on_sigint)
    try:
        _start_without_sigint(threading.Thread(target=run, name="slots-load", daemon=True))
        try:
            while not finished.wait(0.002 if got else _WAIT):
                if got:  # asked again: a request made before the load began (reading its file) reached none
                    _fn.slots_store_cancel_load(s)
        except BaseException:  # another signal's handler raised (SIGTERM's SystemExit, ...)
            _stop_load(s, finished)
            raise
    finally:
        signal.signal(signal.SIGINT, old)
    if got:
        _chain_sigint(old, *got[0])
    if isinstance(done[0], BaseException):
        raise done[0]
    return done[0]


def _start_without_sigint(t):
    """Starts thread t with SIGINT blocked in it (a new thread inherits the mask), so the kernel
    hands the signal to the waiting thread, whose wait it then wakes at once."""
    if not hasattr(signal, "pthread_sigmask"):
        return t.start()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        t.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _stop_load(s, finished):
    """Asks the load to stop until it has ended, whatever else is raised meanwhile, so that no
    exception leaves a load running behind the caller's back."""
    while not finished.is_set():
        try:
            _fn.slots_store_cancel_load(s)
            finished.wait(0.002)
        except BaseException:
            pass


def _chain_sigint(old, signum, frame):
    """Hands a SIGINT caught during a load to the handler that was in place (then restored)."""
    if callable(old):
        old(signum, frame)  # Python's default_int_handler raises KeyboardInterrupt
    elif old == signal.SIG_DFL:
        signal.raise_signal(signum)


def _load_now(s, fname, args, error):
    rc, loaded, skipped = _b.out(fname, s, *args)
    return rc, loaded, skipped, error(rc) if rc else None


def _bitmap_to_mask(bits, n, nulls):
    """A validity bitmap (bit set = value) as one bool per row, True = null or unset."""
    if not nulls:
        return memoryview(bytearray(n)).cast("?")
    mask = bytearray(b"".join(map(_NULL_BYTES.__getitem__, bits)))
    del mask[n:]
    return memoryview(mask).cast("?")


# For each bitmap byte, its eight rows as mask bytes (1 = null), least significant bit first.
_NULL_BYTES = [bytes(1 - ((b >> k) & 1) for k in range(8)) for b in range(256)]


# C stores that a finalizer found busy (SLOTS_EBUSY): a finalizer must not raise, so they are dropped
# again when the next store is made or dropped; whatever is left is freed by process exit.
_undropped = []


def _retry_drops(_drop=_fn.slots_store_drop):
    while _undropped:
        try:
            s = _undropped.pop()
        except IndexError:  # another thread took the last one
            return
        if _drop(s) == _EBUSY:
            _undropped.append(s)
            return


class _Rows(collections.abc.Sequence):
    """store.rows: the store's records by position (a live view: it follows the store)."""
    __slots__ = ("_store",)

    def __init__(self, store):
        self._store = store

    def __len__(self):
        return len(self._store)

    def __iter__(self):
        return iter(self._store)

    def __contains__(self, rec):
        return isinstance(rec, _handles.Record) and self._store._owns(rec)

    def __getitem__(self, i):
        st = self._store
        s = st._s
        if s is None:
            _raise_stale()
        if i.__class__ is not int:
            if isinstance(i, slice):
                return [self[j] for j in range(*i.indices(len(st)))]
            i = i.__index__()
        if i < 0:
            i += len(st)
            if i < 0:
                raise IndexError("store index out of range")
        elif i > _SIZE_MAX:
            raise _ranges.overflow(i, "size_t", "store index")
        h = _store_at(s, i)
        if h < 0:
            if h == _EINDEX:
                raise IndexError("store index out of range")
            raise _error(h)
        return st._proxy(h)

    def __repr__(self):
        return "<rows of %r>" % (self._store,)


class _Keys(collections.abc.KeysView):
    """store.keys(): set-like, as dict.keys()."""
    __slots__ = ()

    def __iter__(self):
        name = self._mapping._key.name
        for rec in self._mapping:
            yield getattr(rec, name)

    def __contains__(self, key):
        return not isinstance(key, _handles.Record) and key in self._mapping


class _Values(collections.abc.ValuesView):
    """store.values(): the records."""
    __slots__ = ()

    def __iter__(self):
        return iter(self._mapping)

    def __contains__(self, value):
        return any(v is value or v == value for v in self)


class _Items(collections.abc.ItemsView):
    """store.items(): (key, record) pairs."""
    __slots__ = ()

    def __iter__(self):
        name = self._mapping._key.name
        for rec in self._mapping:
            yield getattr(rec, name), rec

    def __contains__(self, item):
        key, value = item
        try:
            v = self._mapping.get(key)
        except TypeError:
            return False
        return v is not None and (v is value or v == value)


class Store(object):
    """A libslots store of records of one record class: `store = Product.store()`.

    A mapping from key to record when the class has a key field, as a dict: store[key] (KeyError),
    store.get(key) (None), `key in store`, del store[key], pop, keys(), values(), items(), len. One
    deliberate difference: iterating a store gives its records (values), as iterating a table gives
    its rows, with or without a key. Positions go through store.rows (rows[i], negative i, slices).
    A store of a class without a key field is only rows: store[...] and get raise TypeError.
    Bulk JSON Lines and CSV load and dump in C, and numeric columns as array.array (buffer
    protocol: numpy.frombuffer takes them)."""

    __slots__ = ("_s", "_lock", "_cls", "_info", "_hcls", "_key", "_intkey", "_c", "__weakref__")

    # Store[Product] in annotations evaluated at run time (the type checkers' Store is generic in
    # __init__.pyi).
    __class_getitem__ = classmethod(types.GenericAlias)

    def __init__(self, cls):
        info = _info(cls)
        if _undropped:
            _retry_drops()
        rc, s = _b.out("slots_store_new", info.t)
        if rc:
            raise _error(rc)
        self._s, self._lock, self._cls, self._info = s, threading.Lock(), cls, info
        # Handles of this store's records: non-owning, and their class keeps this store alive.
        self._hcls = type("_StoreHandle", (_Borrowed,), {"__slots__": (), "store": self})
        keys = [F for F in info.fields if F.key]
        self._key = keys[0] if keys else None
        self._intkey = bool(keys) and keys[0].kind != "str"
        self._c = _fast.store_ref(s, cls, info, self._hcls, self._key)  # the C methods' view
        self._retrace()

    # ---- lifetime ---------------------------------------------------------------------------
    def drop(self):
        """Frees the store and all its records now (once the calls other threads are running in
        it have returned); every proxy from it then raises StaleRecordError, and so does every
        method of the store. Dropping twice is harmless. BusyError, and nothing changes, when the
        store is inside its own load (a validator drops it) or another thread is dropping it."""
        # One drop at a time, never waiting: a validator of a load that a concurrent drop waits
        # for must not block here (that would deadlock), so the second drop is refused instead.
        if not self._lock.acquire(False):
            exc = BusyError("the store is being dropped by another thread")
            exc.status = _EBUSY
            raise exc
        try:
            s = self._s
            if s is None:
                return
            rc = _fn.slots_store_drop(s)
            if rc:
                raise _error(rc)
            self._s = None
            _tracemem.untrack(id(self))
        finally:
            self._lock.release()
        if _undropped:
            _retry_drops()

    def __del__(self, _drop=_fn.slots_store_drop, _later=_undropped.append, _untrack=_tracemem.untrack):
        s = getattr(self, "_s", None)
        if s is not None:
            self._s = None
            try:
                _untrack(id(self))
            except Exception:  # interpreter shutdown: nothing left to report to
                pass
            if _drop(s) == _EBUSY:
                _later(s)  # never raise from a finalizer: dropped later (see _undropped)

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
        try:
            return "<slots.Store of %s, %d records>" % (self._cls.__name__, len(self))
        except StaleRecordError:  # dropped by another thread meanwhile
            return "<slots.Store of %s (dropped)>" % self._cls.__name__

    # ---- records -----------------------------------------------------------------------------
    def _proxy(self, h):
        obj = _new(self._cls)
        _handles._seth(obj, self._hcls(h))
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

    def extend(self, rows):
        """Appends one record per row: a tuple (the constructor's positional arguments), a dict
        (its keyword arguments) or a record of this class (its set fields). Rows before a failing
        one stay appended; the failing row changes nothing and its exception names it
        ("extend() row 3: ...", rows counted from 0). A list or tuple is counted first and the store
        makes room for all of it at once (2-2.5x faster than an append loop on the compiled backend);
        from an iterator of unknown length, call reserve(n) first when n is known."""
        if rows is self:
            rows = list(rows)  # the records as they are now, not those being appended
        if type(rows) in (list, tuple) and len(rows) > 1:
            try:
                self.reserve(len(self) + len(rows))
            except (MemoryError, OverflowError, BusyError):
                pass  # the appends make room as they go, or say why they cannot
        for i, row in enumerate(rows):
            try:
                self._append_row(row)
            except Exception as exc:
                _row_error(exc, i)
                raise

    def _append_row(self, row):
        if isinstance(row, tuple):
            return self.append(*row)
        if isinstance(row, dict):
            return self.append(**row)
        if isinstance(row, self._cls):
            return self.append(**_record_row(row))
        raise TypeError("a row is a tuple, a dict or a %s record, not %s"
                        % (self._cls.__name__, type(row).__name__))

    def __len__(self):
        rc, n = _store_len(self._live())
        if rc:
            raise _error(rc)
        return n

    def __getitem__(self, key):
        """The record whose key field equals `key`; KeyError when there is none, as a dict. A
        position is not a key: store.rows[i] reads by position."""
        h = self._find(key)
        if h < 0:
            if h == _ENOKEY:
                raise KeyError(key)
            raise _error(h)
        return self._proxy(h)

    def __iter__(self):
        s = self._live()
        cls, hcls, new, seth = self._cls, self._hcls, _new, _handles._seth
        for h in _b.iter_handles(s, _raise):
            obj = new(cls)
            seth(obj, hcls(h))
            yield obj

    def __bool__(self):
        return len(self) > 0

    def remove(self, rec):
        """Removes (frees) a record of this store; its proxies then raise StaleRecordError."""
        if not isinstance(rec, _handles.Record):
            raise TypeError("remove() takes a record, not %s" % type(rec).__name__)
        rc = _fn.slots_store_remove(self._live(), _handles._geth(rec))
        if rc:
            raise _error(rc)

    def clear(self):
        """Frees every record (their proxies go stale) and keeps the memory for reuse."""
        rc = _fn.slots_store_clear(self._live())
        if rc:
            raise _error(rc)
        self._retrace()

    def reserve(self, n):
        """Makes room for n records in total, so appends up to n allocate nothing."""
        n = _ranges.check(n, "size_t", "reserve count")
        rc = _fn.slots_store_reserve(self._live(), n)
        if rc:
            raise _error(rc)
        self._retrace()

    # ---- key index ---------------------------------------------------------------------------
    def _find(self, key):
        """The handle for a key, or a negative status; TypeError for a key of the wrong type."""
        s = self._live()
        F = self._key
        if F is None:
            raise TypeError("%s has no key field, so its store is looked up by position: store.rows[i] "
                            "(or declare a key: `id: int = slots.key()`, or 'id: i64 key' in a field "
                            "list)" % self._cls.__name__)
        if F.kind == "str":
            if key.__class__ is not str and not isinstance(key, str):
                raise TypeError("%s keys are str, not %s" % (self._cls.__name__, type(key).__name__))
            b = key.encode()
            return _find_str(s, b, len(b))
        if isinstance(key, int) and not isinstance(key, bool):
            key = int(key)
            if _I64_MIN <= key <= _I64_MAX:
                return _find_i64(s, key)
            if 0 <= key <= _U64_MAX:
                return _find_u64(s, key)
            return _ENOKEY  # no 64-bit key can equal it
        raise TypeError("%s keys are int, not %s" % (self._cls.__name__, type(key).__name__))

    def get(self, key, default=None):
        """The record whose key field equals `key`, else `default` (None), as dict.get. A key of
        the wrong type (a str for int keys) raises TypeError rather than finding nothing."""
        s = self._s  # read once: another thread may drop the store meanwhile
        if key.__class__ is int and self._intkey and s is not None and _I64_MIN <= key <= _I64_MAX:
            h = _find_i64(s, key)  # the common case, without _find's checks
        else:
            h = self._find(key)
        if h < 0:
            if h == _ENOKEY:
                return default
            raise _error(h)
        obj = _new(self._cls)
        _handles._seth(obj, self._hcls(h))
        return obj

    def __contains__(self, item):
        """`key in store` tests the keys, as a dict does (False for a key of another type). A record
        is never a key, so `record in store` asks whether it is one of this store's records (by
        identity, O(1): an equal record made elsewhere is not in it); that works without a key too."""
        if isinstance(item, _handles.Record):
            return self._owns(item)
        try:
            h = self._find(item)
        except TypeError:
            if self._key is None:
                raise
            return False
        if h < 0 and h != _ENOKEY:
            raise _error(h)
        return h > 0

    def _owns(self, rec):
        h = _handles._geth(rec)
        self._live()
        if h.__class__ is not self._hcls:  # not a proxy from this store
            return False
        rc, _t = _b.out("slots_type_of", h)
        return rc == 0  # SLOTS_ESTALE: removed since

    def __delitem__(self, key):
        """Removes the record whose key field equals `key` (KeyError when there is none); its proxies
        then raise StaleRecordError."""
        s = self._live()
        h = self._find(key)
        if h < 0:
            raise KeyError(key) if h == _ENOKEY else _error(h)
        rc = _fn.slots_store_remove(s, h)
        if rc:
            raise _error(rc)

    def pop(self, key, *default):
        """Removes the record whose key field equals `key` and returns it as a record of its own (a
        copy, as the store's record is freed); KeyError when there is none, unless a default is given."""
        s = self._live()
        h = self._find(key)
        if h < 0:
            if h != _ENOKEY:
                raise _error(h)
            if default:
                return default[0]
            raise KeyError(key)
        out = copy.copy(self._proxy(h))
        rc = _fn.slots_store_remove(s, h)
        if rc:
            raise _error(rc)
        return out

    def _key_field(self, what):
        if self._key is None:
            raise TypeError("%s has no key field, so its store has no %s (store.rows reads by "
                            "position; declare a key with `id: int = slots.key()`)" % (self._cls.__name__, what))
        return self._key.name

    def keys(self):
        """The keys, in position order (a set-like view, as dict.keys())."""
        self._key_field("keys()")
        return _Keys(self)

    def values(self):
        """The records, in position order (what iterating the store gives)."""
        return _Values(self)

    def items(self):
        """(key, record) pairs, in position order."""
        self._key_field("items()")
        return _Items(self)

    @property
    def rows(self):
        """The records by position: store.rows[i] (negative i from the end), store.rows[i:j] (a
        list), len, iteration. Positions shift when a record is removed; keys do not."""
        return _Rows(self)

    # ---- bulk load and dump ------------------------------------------------------------------
    def load_jsonl(self, source=None, skip_bad=False, lenient=False, *, text=None, progress=None, upsert=False):
        """Loads JSON Lines (one object per line) into the store, decoded in C straight into the
        records (validators run). `source` is one of: bytes-like data (the content itself); a path,
        str or os.PathLike (always a path, whatever it holds: never read as text); a file object,
        binary or text (a text file's str is encoded as UTF-8), read to its end in chunks
        (sys.stdin and pipes work). Text held in a str goes through the keyword instead:
        `store.load_jsonl(text='{"id": 1}')`. Returns the number of records added. All or
        nothing: the first bad line raises the matching exception (ValueError, TypeError,
        OverflowError, AttributeError, KeyError for a duplicate key) naming the line ("line 3:
        Product.price must be f64, not str"; also in its .line, .column, .field and .errors: see
        load_errors) and leaves the store unchanged; a path that cannot be read raises
        OSError(errno, strerror, path), so FileNotFoundError, IsADirectoryError and
        PermissionError match. Rows are strict, like the constructor: a row without a field that
        has no default raises TypeError ("line 3: missing field 'name'"); lenient=True leaves such
        fields unset instead (a row without its key is still refused). skip_bad=True skips bad
        lines instead and returns LoadResult(loaded, skipped, errors). upsert=True: a row whose key
        the store holds replaces that record in place (see load_json)."""
        return self._load("jsonl", source, skip_bad, text, lenient, _loader.load_flags(0, 0, upsert), progress)

    def load_csv(self, source=None, skip_bad=False, lenient=False, trim_header=False, *, text=None, progress=None,
                 upsert=False):
        """Loads CSV (RFC 4180: a header row of field names, "" quoting) from the same sources as
        load_jsonl: bytes-like data, a path (str or os.PathLike), a file object, or text=str. Read
        as Python's csv module reads it (LF, CRLF or CR line ends, a UTF-8 BOM skipped) and each
        cell as int() or float() reads it (a bad cell raises ValueError). An empty cell of a field
        that is not optional is a missing field. An unquoted header name with blanks around it
        raises ValueError unless trim_header=True. Booleans may be t/f (PostgreSQL) and bytes \\x hex
        (bytea). upsert=True as load_jsonl."""
        return self._load("csv", source, skip_bad, text, lenient,
                          _loader.load_flags(0, 0, upsert, trim_header), progress)

    @property
    def load_errors(self):
        """The errors of the store's last load, as LoadError tuples: with skip_bad, the first
        load_error_limit skipped rows; after a failed load, the error that stopped it."""
        s = self._live()
        rc, _, n = _b.out("slots_store_load_error_list", s)
        out = []
        for i in range(n if rc == 0 else 0):
            rc, line, column, offset, field, message = _b.out("slots_store_load_error_get", s, i)
            if rc:
                raise _error(rc)
            field = _b.cstring(field).decode("utf-8", "replace")
            out.append(LoadError(line, column, offset, field or None,
                                 _b.cstring(message).decode("utf-8", "replace")))
        return out

    def _set_load_error_limit(self, n):
        rc = _fn.slots_store_set_load_error_limit(self._live(), n)
        if rc:
            raise _error(rc)

    load_error_limit = property(None, _set_load_error_limit, None,
                                "How many skipped rows a skip_bad load keeps in load_errors (default 10; "
                                "write-only).")

    def _load(self, fmt, source, skip_bad, text, lenient=False, flags=0, progress=None):
        if progress is None:
            return self._load_now(fmt, source, skip_bad, text, lenient, flags)
        return self._load_with_progress(progress, fmt, source, skip_bad, text, lenient, flags)

    def _load_with_progress(self, progress, fmt, *args):
        """A load that calls progress(n) with each batch of n rows decoded (tqdm's update fits);
        an exception from progress stops the load (the store unchanged) and is raised here."""
        raised = []

        def told(rows):
            try:
                progress(rows)
                return 0
            except BaseException as exc:  # stops the load; raised again once it has returned
                raised.append(exc)
                return 1
        keep, fnptr = _b.progress_callback(told)
        s = self._live()
        rc = _fn.slots_store_set_load_progress(s, fnptr, _b.null, 0)
        if rc:
            raise _error(rc)
        try:
            return self._load_now(fmt, *args)
        except CancelledError:
            if raised:
                raise raised[0] from None
            raise
        finally:
            _fn.slots_store_set_load_progress(s, _b.null, _b.null, 0)
            del keep

    def _load_now(self, fmt, source, skip_bad, text, lenient=False, flags=0):
        s = self._live()
        flags |= (_SKIP_BAD if skip_bad else 0) | (_LENIENT if lenient else 0)
        path = None
        if text is not None:
            if source is not None:
                raise TypeError("load_%s() takes a source or text=, not both" % fmt)
            if not isinstance(text, str):
                raise TypeError("text must be str, not %s" % type(text).__name__)
            data = text.encode()
        elif source is None:
            raise TypeError("load_%s() missing its source: bytes, a path, a file object, or text=" % fmt)
        elif isinstance(source, (str, os.PathLike)):
            path = source
        elif hasattr(source, "read"):
            data = _read_all(source)
        else:
            data = source if isinstance(source, bytes) else bytes(memoryview(source).cast("B"))
        if path is not None:
            args, size = (_c_path(path), flags), None
        else:
            args, size = (data, len(data), flags), len(data)
        suffix = "_file" if path is not None else ""
        rc, loaded, skipped, exc = _load_call(s, "slots_store_load_%s%s" % (fmt, suffix), args, size,
                                              lambda rc: _load_error(rc, self, path))
        if rc:
            raise exc
        self._retrace()
        if not skip_bad:
            return loaded
        errs = _fn.slots_store_load_errors(s) or ""
        return LoadResult(loaded, skipped, [e for e in errs.split("\n") if e])

    def cancel_load(self):
        """Asks the load running on this store in another thread to stop: it then raises
        slots.CancelledError there, the store unchanged. Returns True if a load was running, False
        if none was (the request is then forgotten: it never stops a later load). Safe from any
        thread. Ctrl-C stops a load on the main thread by itself (KeyboardInterrupt)."""
        return _fn.slots_store_cancel_load(self._live()) > 0

    def dump_jsonl(self, path=None, allow_nan=False):
        """Writes every record as one JSON object per line, to `path` (returns None), or returns
        the text as bytes when no path is given. A file is replaced atomically: the text goes to a
        temporary file beside it, reaches the disk, then takes the file's place, so a failure (a
        full disk: OSError with errno ENOSPC) leaves the old file as it was. A NaN or infinite
        float raises ValueError naming the record's position and the field, unless allow_nan=True
        (NaN, Infinity, -Infinity, as json.dumps writes them)."""
        return self._dump("jsonl", path, (_ALLOW_NAN if allow_nan else 0,), "_flags")

    def dump_csv(self, path=None):
        """Writes a header of all fields (then of every extra attribute, on dynamic classes) and
        one row per record (unset and null cells empty, bytes as base64), to `path` (atomically, as
        dump_jsonl), or returns bytes. load_csv reads it back; extras come back as str."""
        return self._dump("csv", path)

    def _dump(self, fmt, path, flags=(), suffix=""):
        s = self._live()
        if path is not None:
            rc = getattr(_fn, "slots_store_dump_%s_file%s" % (fmt, suffix))(s, _c_path(path), *flags)
            if rc:
                raise _error(rc, os.fspath(path))
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

    def column(self, name, nulls=False):
        """The field `name` of every record, in position order, as an array.array of the field's
        C type (typecode: bool/u8 'B', i8 'b', i16 'h', u16 'H', i32 'i', u32 'I', i64 'q',
        u64 'Q', f32 'f', f64 'd'). Unset or null cells read 0 (NaN for floats). A copy:
        numpy.frombuffer(store.column("price"), dtype=float) shares the array's memory.
        nulls=True returns (values, mask) read together: mask is a memoryview of one bool per
        record (format '?'), True where the field is null or unset, so an unset 0 is never taken
        for a real 0; numpy.ma.masked_array(numpy.frombuffer(values, ...), mask=mask) takes it."""
        s = self._live()
        F = self._field(name)
        tc = _TYPECODES.get(F.kind)
        if tc is None and _KINDS[F.kind].from_c is not None:
            return self._object_column(F, nulls)
        if tc is None:
            raise TypeError("field '%s' of '%s' is %s, not numeric or bool"
                            % (name, self._cls.__name__, F.kind))
        n = len(self)
        arr = array.array(tc, bytes(n * array.array(tc).itemsize))
        if nulls:
            bits = bytearray((n + 7) // 8)
            rc, count, nnull = _b.out("slots_store_column_read_validity", s, F.index,
                                      _b.wbuf(arr) if n else _b.null, n * arr.itemsize,
                                      _b.wbuf(bits) if n else _b.null, len(bits))
        else:
            rc, count = _b.out("slots_store_column_read", s, F.index, _b.wbuf(arr) if n else _b.null,
                               n * arr.itemsize)
        if rc:
            raise _error(rc)
        if count != n:
            del arr[count:]
        return (arr, _bitmap_to_mask(bits[:(count + 7) // 8], count, nnull)) if nulls else arr

    def _object_column(self, F, nulls):
        """column() of a timestamp, date, uuid or decimal field: a list of the Python values
        (datetime, date, UUID, Decimal; None where null or unset), read record by record."""
        values = [getattr(r, F.name, None) for r in self]
        return (values, memoryview(bytes(v is None for v in values)).cast("?")) if nulls else values

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

    def __sizeof__(self):
        # sys.getsizeof(store) tells the truth: this object plus what the store holds in C (0 once
        # dropped, so getsizeof never raises).
        return object.__sizeof__(self) + (0 if self._s is None else self.memory_usage())

    def memory_usage(self):
        """Bytes the store holds in C: slabs, key index, position table, out-of-line strings.
        Under tracemalloc, also what the store's trace reports from now on (see _tracemem)."""
        rc, n = _b.out("slots_store_memory", self._live())
        if rc:
            raise _error(rc)
        _tracemem.track(id(self), n)
        return n

    # ---- Arrow (_arrow.py) -------------------------------------------------------------------
    def __arrow_c_stream__(self, requested_schema=None):
        """The store as an Arrow C stream in a PyCapsule (the Arrow PyCapsule interface), so
        pyarrow.table(store), polars.DataFrame(store) and DuckDB's `select ... from store` read it:
        record batches of 65536 records, each copied in C when read, unset and null cells null.
        The stream fails (an error in the consumer) if the store is dropped or changed (records
        added or removed, fields set) while it is read: keep the store until it has been read.
        requested_schema is not honoured (cast afterwards)."""
        return _arrow.stream_capsule(self._live(), requested_schema)

    def arrow_stream(self, batch_rows=65536, string_view=False, large=False, refs=False):
        """The store's Arrow C stream capsule with options: batch size, str/bytes as string views
        or with 64-bit offsets, ref fields as u64 record handles (left out by default)."""
        return _arrow.stream_capsule(self._live(), None, batch_rows, string_view=string_view, large=large,
                                     refs=refs)

    def load_arrow(self, obj, lenient=False, skip_bad=False):
        """Adds a record per row of any object with __arrow_c_stream__ (a pyarrow Table, a Polars
        DataFrame, a DuckDB relation, another Store): columns by field name, each cell checked as
        a setter checks it (validators too), nulls null; all or nothing, as load_jsonl. Returns
        the number of records added."""
        return _arrow.load(self, obj, lenient, skip_bad)

    def to_pandas(self):
        """A pandas DataFrame (nullable dtypes: unset and null cells are pd.NA); needs pandas and
        pyarrow (ImportError saying so otherwise)."""
        return _arrow.to_pandas(self)

    def to_polars(self):
        """A Polars DataFrame (unset and null cells are null); needs polars."""
        return _arrow.to_polars(self)

    def _retrace(self):
        """The store's tracemalloc trace brought up to date after a bulk change (see _tracemem)."""
        if _tracemem.tracing() and self._s is not None:
            try:
                self.memory_usage()
            except StaleRecordError:  # dropped by another thread meanwhile
                pass

    # ---- sources: many values, streaming loads, upserts, responses (see _loader) ----------------
    def load_json(self, values, skip_bad=False, lenient=False, *, upsert=False):
        """Loads many JSON objects, one per value (bytes, bytes-like or str; a Redis MGET reply as
        it comes: None, a missing key, is no row), decoded in C on every core like load_jsonl's
        lines. Errors name the value from 1 ("value 17: Expecting value"). upsert=True: a row whose
        key the store holds replaces that record in place (the last of a repeated key wins); all
        or nothing still. Returns what load_jsonl returns."""
        s = self._live()
        args, size, keep = _loader.values_args(values)
        rc, loaded, skipped, exc = _load_call(s, "slots_store_load_json_values",
                                              args + (_loader.load_flags(skip_bad, lenient, upsert),), size,
                                              lambda rc: _load_error(rc, self, None))
        del keep
        if rc:
            raise exc
        return self._load_result(skip_bad, loaded, skipped)

    def _load_result(self, skip_bad, loaded, skipped):
        if not skip_bad:
            return loaded
        errs = _fn.slots_store_load_errors(self._live()) or ""
        return LoadResult(loaded, skipped, [e for e in errs.split("\n") if e])

    def loader(self, format, skip_bad=False, lenient=False, *, upsert=False, trim_header=False):
        """A streaming load ('jsonl' or 'csv'): `with store.loader("csv") as ld: ld.feed(chunk)`
        commits every row at once on a normal exit and drops them on an exception. The store is
        unchanged and usable by other threads until the commit. See slots.Loader."""
        return _loader.Loader(self._live(), format, _loader.load_flags(skip_bad, lenient, upsert, trim_header),
                              lambda rc: _load_error(rc, self, None),
                              lambda loaded, skipped: self._load_result(skip_bad, loaded, skipped))

    def upsert(self, record):
        """Puts a copy of `record` (this store's class; its key set) into the store: the record
        holding its key is replaced in place (the same proxy stays valid), or the copy is added.
        Returns the store's record."""
        return self._put("slots_store_upsert", record)

    def replace(self, record):
        """As upsert, but only replaces: KeyError when no record holds the key."""
        return self._put("slots_store_replace", record)

    def _put(self, fname, record):
        if not isinstance(record, self._cls):
            raise TypeError("%s() takes a %s record, not %s" % (fname[12:], self._cls.__name__, type(record).__name__))
        rc, h = _b.out(fname, self._live(), _handles._geth(record))
        if rc == _ENOKEY:
            raise KeyError(getattr(record, self._key.name))
        if rc:
            raise _error(rc)
        obj = _new(self._cls)
        _handles._seth(obj, self._hcls(h))
        return obj

    def to_json(self, selection=None, *, array=True, start=None, stop=None, allow_nan=False):
        """The JSON text (bytes) of records of the store, made in C: a JSON array (array=False:
        JSON Lines) of the records given (records of this store, or keys: all int or all str), or
        of the positions [start, stop) (a slice's bounds) when no selection is given. A key no
        record holds raises KeyError."""
        return _loader.to_json(self, self._live(), selection, start, stop, array, allow_nan)


def _record_row(rec):
    """{name: value} of the fields set in record `rec` (what copy, pickle and extend() carry)."""
    h = _handles._geth(rec)
    out = {}
    for F in _handles._info_of_instance(rec).fields:
        rc = _fn.slots_is_set(h, F.index)
        if rc < 0:
            raise _error(rc)
        if rc:
            out[F.name] = getattr(rec, F.name)
    return out


def _row_error(exc, i):
    """Names row i (from 0) of an extend() in the message of the exception it raised."""
    if isinstance(exc, Exception) and exc.args and isinstance(exc.args[0], str):
        exc.args = ("extend() row %d: %s" % (i, exc.args[0]),) + exc.args[1:]
    elif isinstance(exc, Exception):
        exc.args = ("extend() row %d" % i,) + exc.args


def _iter_status(rc):
    if rc == _ESTALE:
        _raise_stale()
    _raise(rc)


# The compiled backend runs these in C (each falls back to the Python method above for what C
# does not take); the other backends keep the Python methods.
_fast.install_store(Store, _iter_status, _record_row, _row_error, Store._append_row)
