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
