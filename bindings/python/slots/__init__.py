"""slots: compact, schema-defined records with Python __slots__ semantics, backed by libslots.

    import slots

    @slots.record
    class Product:
        id: int
        name: str
        price: float = 0.0

Records live in C; a Python record is a small proxy (a handle). `slots.backend` names the FFI in use
("cffi" or "ctypes"; force one with SLOTS_BACKEND). See README.md.
"""
from ._api import (  # noqa: F401
    BusyError, MISSING, CancelledError, Field, FrozenInstanceError, Kind, ReadOnlyError, Record, RecordMeta,
    StaleRecordError,
    asdict, astuple, backend, backend_fallback_reason, backend_mode, define, extras, f32, f64, field, fields,
    from_json, i8, i16, i32, i64, is_record, library_path, library_version, live_records,
    memory_usage, record, replace, to_json, u8, u16, u32, u64, key,
)
from ._store import Store, LoadResult, LoadError, Aggregate  # noqa: F401,E402

__version__ = "1.0.0"

__all__ = [
    "RecordMeta", "backend_fallback_reason", "backend_mode",
    "record", "define", "Record", "field", "fields", "asdict", "astuple", "replace", "from_json",
    "to_json", "extras", "is_record", "memory_usage", "live_records", "MISSING", "Field", "Kind",
    "FrozenInstanceError", "ReadOnlyError", "StaleRecordError", "BusyError", "i8", "i16", "i32", "i64", "u8",
    "u16", "u32", "u64", "f32", "f64", "backend", "library_path", "library_version",
    "key", "Store", "LoadResult", "LoadError", "Aggregate", "CancelledError",
]
