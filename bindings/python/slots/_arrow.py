"""Arrow for stores and record classes, through the Arrow PyCapsule interface: Store.__arrow_c_stream__
and a record class's __arrow_c_schema__ hand libslots's own Arrow C structs (made by the C library:
slots_store_export_stream, slots_type_export_schema) to any consumer in a capsule, so pyarrow, Polars,
DuckDB and pandas read a store with no code of ours; load_arrow takes any object with
__arrow_c_stream__ into a store (slots_store_import_stream).

The capsules are made with the C API through ctypes.pythonapi on every backend: the struct lives in
memory of its own (PyMem_RawMalloc), the capsule's destructor calls the struct's release unless a
consumer moved it out (release is then NULL), as the PyCapsule interface asks, and frees it.
"""
import ctypes

from ._errors import _error
from ._handles import _info
from ._lib import _b, _C, _fn

_STREAM, _SCHEMA = b"arrow_array_stream", b"arrow_schema"
_PTR = ctypes.sizeof(ctypes.c_void_p)
# struct ArrowArrayStream: get_schema, get_next, get_last_error, release, private_data.
_STREAM_SIZE, _STREAM_RELEASE = 5 * _PTR, 3 * _PTR
# struct ArrowSchema: format, name, metadata, flags, n_children, children, dictionary, release,
# private_data (int64_t members are pointer-sized on the 64-bit platforms libslots supports).
_SCHEMA_SIZE, _SCHEMA_RELEASE = 7 * _PTR + 2 * 8, 5 * _PTR + 2 * 8

_LENIENT, _SKIP_BAD = _C["SLOTS_LOAD_LENIENT"], _C["SLOTS_LOAD_SKIP_BAD"]
_FLAGS = {"string_view": _C["SLOTS_ARROW_STRING_VIEW"], "large": _C["SLOTS_ARROW_LARGE"],
          "refs": _C["SLOTS_ARROW_REFS"]}


def _capi(name, restype, *argtypes):
    """A function of the C API, called with the GIL held (PYFUNCTYPE), with its own signature."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)((name, ctypes.pythonapi))


_malloc = _capi("PyMem_RawMalloc", ctypes.c_void_p, ctypes.c_size_t)
_free = _capi("PyMem_RawFree", None, ctypes.c_void_p)
_capsule_new = _capi("PyCapsule_New", ctypes.py_object, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
_capsule_get = _capi("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)
# In a destructor the capsule is being freed: it is passed as a plain address, never as an object.
_capsule_get_raw = _capi("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)
_RELEASE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def _release_at(p, offset):
    """Calls the release callback of the struct at p (its pointer at `offset`) unless it is NULL:
    released already, or moved out by a consumer."""
    fn = ctypes.c_void_p.from_address(p + offset).value
    if fn:
        _RELEASE(fn)(p)


def _destructor(name, offset):
    @ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    def destroy(capsule):
        p = _capsule_get_raw(capsule, name)
        if p:
            _release_at(p, offset)
            _free(p)
    return destroy


_destroy_stream = _destructor(_STREAM, _STREAM_RELEASE)
_destroy_schema = _destructor(_SCHEMA, _SCHEMA_RELEASE)


def _struct_arg(ctype, p):
    """The address p as a `struct X *` argument on this backend (cffi checks pointer types)."""
    ffi = getattr(_b, "ffi", None)
    return ffi.cast(ctype, p) if ffi is not None else p


def _capsule(name, size, destroy, fill):
    """A capsule owning fresh zeroed memory for one struct that fill(address) fills (status)."""
    p = _malloc(size)
    if not p:
        raise MemoryError()
    ctypes.memset(p, 0, size)
    try:
        rc = fill(p)
    except BaseException:
        _free(p)
        raise
    if rc:
        _free(p)
        raise _error(rc)
    try:
        return _capsule_new(p, name, ctypes.cast(destroy, ctypes.c_void_p))
    except BaseException:
        _release_at(p, _STREAM_RELEASE if name == _STREAM else _SCHEMA_RELEASE)
        _free(p)
        raise


def _flags(string_view=False, large=False, refs=False):
    given = {"string_view": string_view, "large": large, "refs": refs}
    return sum(_FLAGS[k] for k, v in given.items() if v)


def schema_capsule(t, **flags):
    """An "arrow_schema" capsule of record type t (its C type) as slots_type_export_schema makes it."""
    f = _flags(**flags)
    return _capsule(_SCHEMA, _SCHEMA_SIZE, _destroy_schema,
                    lambda p: _fn.slots_type_export_schema(t, f, _struct_arg("struct ArrowSchema *", p)))


def class_schema(cls):
    """A record class's __arrow_c_schema__: the schema of its records (pyarrow.schema(Product))."""
    return schema_capsule(_info(cls).t)


def stream_capsule(s, requested_schema=None, batch_rows=65536, **flags):
    """An "arrow_array_stream" capsule of store reference s: batches of batch_rows records, copied
    one at a time as the consumer reads. requested_schema is a request the PyCapsule interface
    lets a producer decline: the store's own schema is given (cast afterwards if need be)."""
    f = _flags(**flags)
    return _capsule(_STREAM, _STREAM_SIZE, _destroy_stream,
                    lambda p: _fn.slots_store_export_stream(s, batch_rows, f,
                                                            _struct_arg("struct ArrowArrayStream *", p)))


def load(store, obj, lenient=False, skip_bad=False):
    """Loads every row of obj's Arrow stream (obj.__arrow_c_stream__()) into store: the number of
    records added. The C import consumes (releases) the stream the capsule holds."""
    get = getattr(type(obj), "__arrow_c_stream__", None)
    if get is None:
        raise TypeError("load_arrow() needs an object with __arrow_c_stream__ (a pyarrow Table or "
                        "RecordBatchReader, a Polars DataFrame, a DuckDB relation, ...), not %s"
                        % type(obj).__name__)
    capsule = get(obj)
    p = _capsule_get(capsule, _STREAM)
    flags = (_LENIENT if lenient else 0) | (_SKIP_BAD if skip_bad else 0)
    rc, loaded = _b.out("slots_store_import_stream", store._live(),
                        _struct_arg("struct ArrowArrayStream *", p), flags)
    if rc:
        exc = _error(rc)
        errs = store.load_errors if rc != _C["SLOTS_ESTALE"] else []
        first = errs[0] if errs else None
        exc.line, exc.field = (first.line, first.field) if first else (None, None)
        exc.errors = errs
        raise exc
    return loaded


def _need(module, what):
    try:
        return __import__(module)
    except ImportError as exc:
        raise ImportError("%s needs %s, which is not installed (pip install %s)" % (what, module, module)) from exc


def to_pandas(store):
    """A pandas DataFrame of the store, through pyarrow, with pandas's nullable dtypes (Int64,
    boolean, Float64, string, ...) so that unset and null cells stay missing (pd.NA) rather than
    turning integers into floats."""
    pd = _need("pandas", "Store.to_pandas()")
    pa = _need("pyarrow", "Store.to_pandas()")
    nullable = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
                pa.float32(): pd.Float32Dtype(), pa.float64(): pd.Float64Dtype(), pa.string(): pd.StringDtype()}
    return pa.table(store).to_pandas(types_mapper=nullable.get)


def to_polars(store):
    """A Polars DataFrame of the store, read from its Arrow stream."""
    pl = _need("polars", "Store.to_polars()")
    return pl.DataFrame(store)
