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
from ._lib import backend, backend_fallback_reason, backend_mode, library_path, library_version  # noqa: F401
from ._errors import (  # noqa: F401
    BusyError, CancelledError, FrozenInstanceError, ReadOnlyError, StaleRecordError,
)
from ._kinds import (  # noqa: F401
    MISSING, Field, Kind, decimal, f32, f64, field, i8, i16, i32, i64, key, u8, u16, u32, u64,
)
from ._record import Record, RecordMeta, define, record  # noqa: F401
from ._store import Store, LoadResult, LoadError, Aggregate  # noqa: F401
from ._tracemem import DOMAIN as TRACEMALLOC_DOMAIN  # noqa: F401
from ._loader import Loader  # noqa: F401
from ._api import (  # noqa: F401
    asdict, astuple, extras, fields, from_json, is_record, live_records, memory_usage, replace, to_json,
)

__version__ = "1.0.0"

__all__ = [
    "RecordMeta", "backend_fallback_reason", "backend_mode",
    "record", "define", "Record", "field", "fields", "asdict", "astuple", "replace", "from_json",
    "to_json", "extras", "is_record", "memory_usage", "live_records", "MISSING", "Field", "Kind",
    "FrozenInstanceError", "ReadOnlyError", "StaleRecordError", "BusyError", "i8", "i16", "i32", "i64", "u8",
    "u16", "u32", "u64", "f32", "f64", "backend", "library_path", "library_version",
    "key", "Store", "LoadResult", "LoadError", "Aggregate", "CancelledError", "TRACEMALLOC_DOMAIN",
    "Loader", "decimal",
]
