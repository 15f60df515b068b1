"""Typed use of slots that mypy --strict must accept with zero errors (make check-typing). Records
type-check like dataclasses: constructor from the annotations, slots.key()/slots.field() as field
specifiers, Optional fields, frozen/order; Store[Product] is generic."""
import dataclasses
import datetime
import uuid
from dataclasses import KW_ONLY, InitVar
from decimal import Decimal
from typing import Annotated, Iterator, List, Optional

import slots


@slots.record
class Product:
    id: int = slots.key()
    name: str = ""
    price: float = 0.0
    tags: slots.u8 = 0
    note: Optional[str] = None


@slots.record(frozen=True, order=True)
class Version:
    major: int
    minor: int = slots.field(default=0, readonly=True)


class City(slots.Record):
    code: str = slots.key()
    population: int = 0
    mayor: Optional[str] = None


@slots.record(kw_only=True, eq=False)
class Options:
    verbose: bool = False
    level: int = 1


@slots.record
class Account:
    owner: str
    secret: InitVar[str]
    _: KW_ONLY
    balance: float = slots.field(default=0.0, compare=False, repr=False)
    opened: float = slots.field(default_factory=float)
    note: str = dataclasses.field(default="")
    digest: str = slots.field(default="", init=False)

    def __post_init__(self, secret: str) -> None:
        self.digest = secret[::-1]


class Settings(slots.Record, kw_only=True):
    name: str


class Tuned(Settings):  # kw_only is Settings' own: Tuned's fields are positional
    level: int = 0


class Premium(Account):
    note: str = "premium"  # a base field's default, redeclared


def cheapest(store: slots.Store[Product]) -> Optional[Product]:
    best: Optional[Product] = None
    for p in store:
        if best is None or p.price < best.price:
            best = p
    return best


@slots.record
class Payment:
    id: uuid.UUID
    at: datetime.datetime
    day: datetime.date
    amount: Annotated[Decimal, slots.decimal(12, 2)] = Decimal(0)


def names(it: Iterator[Product]) -> List[str]:
    return [p.name.upper() for p in it]


def main() -> None:
    p = Product(1, "apple", 0.5)
    q = Product(id=2, name="pear", price=1.25, tags=3, note="ripe")
    price: float = p.price + q.price
    note: Optional[str] = q.note
    products: slots.Store[Product] = slots.Store(Product)
    first: Product = products.append(3, "plum")
    got: Product = products[3]
    maybe: Optional[Product] = products.get(4)
    fallback: Product = products.get(4, first)
    n: int = len(products) + first.id + got.tags + fallback.id
    print(price, note, maybe, n, names(iter(products)), cheapest(products), products.rows[0].name)
    by_key = {k: p.name for k, p in products.items()}
    keys: List[int] = sorted(products.keys())
    if 3 in products:
        del products[3]
    print(by_key, keys, products.pop(9, None), [p.id for p in products.rows[1:]])
    assert Version(1) < Version(1, 2)
    cities = City.store()  # Store[City]
    c: City = cities.append("OSL", 700000)
    for city in cities:
        mayor: Optional[str] = city.mayor
        print(city.code.lower(), city.population + 1, mayor, c.to_json())
    print(slots.asdict(p), slots.replace(p, price=2.0).price, slots.fields(Product)[0].name)
    o = Options(level=2)
    tuned = Tuned(3, name="t")
    print(tuned.level, tuned.name)
    a = Account("ann", "pw", balance=3.0)
    prem = Premium("bob", "x", opened=1.0)
    print(o.level, a.digest, a.balance + a.opened, prem.note, dataclasses.asdict(a),
          dataclasses.replace(prem, secret="y", note="n").note, [f.name for f in dataclasses.fields(Account)])
    pay = Payment(uuid.UUID(int=1), datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                  datetime.date(2024, 1, 1), Decimal("9.99"))
    total: Decimal = pay.amount + 1
    when: datetime.datetime = pay.at
    print(total, when.isoformat(), pay.day.year, pay.id.hex)


if __name__ == "__main__":
    main()
