"""Known type errors: mypy MUST report each line marked `# E:` (make check-typing counts them), so the
check proves that mypy sees the records' types and does not just see Any."""
from dataclasses import KW_ONLY, InitVar
from typing import Optional

import slots


@slots.record
class Product:
    id: int = slots.key()
    name: str = ""
    note: Optional[str] = None


@slots.record(frozen=True)
class Point:
    x: float
    y: float


class City(slots.Record):
    code: str = slots.key()


@slots.record(kw_only=True)
class Opts:
    level: int = 1


@slots.record
class Acct:
    owner: str
    secret: InitVar[str]
    _: KW_ONLY
    balance: float = 0.0


Product("one", "apple")  # E: wrong constructor argument type
Product(1, "apple", size=3)  # E: unknown constructor argument
Product(1).colour  # E: unknown attribute
Point(1.0)  # E: missing argument
Point(1.0, 2.0).x = 3.0  # E: frozen
n: int = Product(1).note  # E: Optional[str] is not int
store = slots.Store(Product)
s: str = store[1]  # E: a Product, not a str
store.get(1).name  # E: get() may return None, as dict.get
store.rows[0].price  # E: unknown attribute through the store
Opts(1)  # E: kw_only: no positional argument
Acct("ann", "pw", 1.0)  # E: balance is keyword-only after KW_ONLY
Acct("ann")  # E: the InitVar is an argument
for c in City.store():
    c.population  # E: unknown attribute through Store[City]
