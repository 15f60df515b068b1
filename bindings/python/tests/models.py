"""Module-level record classes (pickle finds classes by module and name). Imported once per backend
by the `models` fixture as models_<backend>_<mode>."""
from typing import Optional

import slots


@slots.record
class Product:
    id: int
    name: str
    price: float = 0.0
    tags: slots.i32 = 0


@slots.record(frozen=True)
class Point:
    x: float
    y: float


@slots.record(order=True)
class Version:
    major: int
    minor: int = 0


@slots.record
class Node:
    value: int
    parent: Optional["Node"] = None


@slots.record(dynamic=True)
class Bag:
    id: int


@slots.record(frozen=True)
class FrozenBlob:
    data: bytes
    label: Optional[str] = None


Item = slots.define("CachedItem", "id: i64, category: str, value: f64 = 1.5")


# timestamp, date, uuid and decimal fields (test_kinds_time.py)
import datetime as _dt  # noqa: E402
import uuid as _uuid  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402
from typing import Annotated as _Annotated  # noqa: E402


@slots.record
class Event:
    at: _dt.datetime
    day: _dt.date
    id: _uuid.UUID
    price: _Annotated[_Decimal, slots.decimal(10, 2)]
    note: Optional[_dt.datetime] = None
    created: _dt.datetime = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)


@slots.record(frozen=True)
class FrozenEvent:
    at: _dt.datetime
    id: _uuid.UUID
    price: _Annotated[_Decimal, slots.decimal(38, 10)]
