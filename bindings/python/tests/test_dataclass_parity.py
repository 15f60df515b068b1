"""Records take what @dataclass takes (issue 14): the class options kw_only, eq, unsafe_hash, init,
repr, match_args; field(kw_only=, repr=, compare=, hash=, default_factory=, init=, metadata=);
dataclasses.KW_ONLY and InitVar; a base field's default redeclared in a subclass; dataclasses.field()
in a record class; and the dataclasses module's own functions on record classes and records. (Two
record bases: test_records.test_layout_conflict.)
Each behaviour is checked against a real dataclass declared the same way where one exists."""
import dataclasses
import inspect
from dataclasses import KW_ONLY, InitVar
from typing import Optional

import pytest


def _same_signature(rec_cls, dc_cls):
    assert str(inspect.signature(rec_cls)) == str(inspect.signature(dc_cls))


def test_kw_only_class_option(slots):
    @slots.record(kw_only=True)
    class P:
        id: int
        name: str = ""

    @dataclasses.dataclass(kw_only=True)
    class D:
        id: int
        name: str = ""
    _same_signature(P, D)
    assert P(id=1).id == 1
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        P(1)

    class Q(slots.Record, kw_only=True):  # the class-statement spelling
        a: int
    with pytest.raises(TypeError):
        Q(1)
    assert Q(a=2).a == 2 and Q.__match_args__ == ()

    class Sub(Q):  # as a @dataclass subclass: the option is the class's own, not inherited
        b: int = 0
    assert str(inspect.signature(Sub)) == "(b: int = 0, *, a: int) -> None" and Sub(5, a=1).b == 5

    @slots.record(kw_only=True)  # rebuilt with the option: the body's field() is read again
    class R(slots.Record):
        a: int = slots.field(default=1)
    with pytest.raises(TypeError):
        R(2)
    assert R(a=2).a == 2 and R().a == 1


def test_kw_only_marker_and_field_option(slots):
    @slots.record
    class P:
        id: int
        label: str = "x"
        _: KW_ONLY
        qty: int  # a keyword-only field without a default may follow one with a default
        note: str = slots.field(default="", kw_only=True)
        price: float = slots.field(default=0.0, kw_only=False)

    @dataclasses.dataclass
    class D:
        id: int
        label: str = "x"
        _: KW_ONLY
        qty: int
        note: str = dataclasses.field(default="", kw_only=True)
        price: float = dataclasses.field(default=0.0, kw_only=False)
    _same_signature(P, D)
    p = P(1, "a", 2.5, qty=3)
    assert (p.id, p.label, p.price, p.qty, p.note) == (1, "a", 2.5, 3, "")
    assert [f.name for f in slots.fields(P)] == ["id", "label", "qty", "note", "price"]
    assert P.__match_args__ == D.__match_args__ == ("id", "label", "price")
    with pytest.raises(TypeError, match="KW_ONLY' may appear only once"):
        @slots.record
        class Twice:
            a: int
            _: KW_ONLY
            b: int
            __: KW_ONLY


def test_eq_false_and_unsafe_hash(slots):
    @slots.record(eq=False)
    class Ident:
        x: int
    a, b = Ident(1), Ident(1)
    assert a != b and a == a and hash(a) != hash(b) and len({a, b}) == 2

    class Compared(Ident):  # eq is each class's own, as with @dataclass on a subclass
        y: int = 0
    assert Compared(1) == Compared(1) and Compared.__hash__ is None

    @slots.record(unsafe_hash=True)
    class H:
        x: int
        y: str = ""
    h = H(1, "a")
    assert hash(h) == hash(H(1, "a")) and h == H(1, "a") and {h: 1}[H(1, "a")] == 1
    h.y = "b"  # still mutable: unsafe_hash, as in dataclasses
    assert h == H(1, "b")

    @slots.record
    class Plain:
        x: int
    assert Plain.__hash__ is None  # eq and not frozen: unhashable, as a dataclass
    with pytest.raises(ValueError, match="eq must be true if order is true"):
        @slots.record(order=True, eq=False)
        class Bad:
            x: int
    with pytest.raises(TypeError, match="Cannot overwrite attribute __hash__"):
        @slots.record(unsafe_hash=True)
        class Own:
            x: int

            def __hash__(self):
                return 0


def test_field_compare_hash_repr(slots):
    @slots.record(frozen=True, order=True)
    class V:
        major: int
        minor: int = 0
        note: str = slots.field(default="", compare=False, repr=False)
        build: int = slots.field(default=0, hash=False)
    a, b = V(1, 2, "a", 7), V(1, 2, "b", 7)
    assert a == b and hash(a) == hash(b) and not a < b and a <= b  # note is not compared
    assert V(1, 2, build=1) != V(1, 2, build=2) and hash(V(1, 2, build=1)) == hash(V(1, 2, build=2))
    assert V(1, 3) > V(1, 2) and sorted([V(2), V(1, 5), V(1, 1)]) == [V(1, 1), V(1, 5), V(2)]
    assert repr(a) == "V(major=1, minor=2, build=7)"

    @slots.record(repr=False)
    class NoRepr:
        x: int
    assert repr(NoRepr(1)).startswith("<") and "NoRepr object at" in repr(NoRepr(1))

    class Shown(NoRepr):
        y: int = 2
    assert repr(Shown(1)) == "Shown(x=1, y=2)"


def test_default_factory(slots):
    n = iter(range(100))

    @slots.record
    class Ticket:
        title: str
        number: int = slots.field(default_factory=lambda: next(n))
        owner: str = dataclasses.field(default_factory=str)
    a, b = Ticket("a"), Ticket("b", 50)
    assert (a.number, b.number, Ticket("c").number) == (0, 50, 1) and a.owner == ""
    s = Ticket.store()
    assert s.append("d").number == 2  # Store.append runs it too
    f = slots.fields(Ticket)[1]
    assert f.default is slots.MISSING and f.default_factory is not slots.MISSING
    assert dataclasses.fields(Ticket)[2].default_factory is str
    with pytest.raises(ValueError, match="cannot specify both default and default_factory"):
        slots.field(default=1, default_factory=int)
    with pytest.raises(TypeError, match="default_factory must be callable"):
        slots.field(default_factory=5)
    with pytest.raises(TypeError, match=r"expects int \(i64\), got str"):
        @slots.record
        class Wrong:
            x: int = slots.field(default_factory=lambda: "no")
        Wrong()


def test_field_init_false_and_metadata(slots):
    @slots.record
    class P:
        id: int
        seen: int = slots.field(default=0, init=False, metadata={"unit": "count"})
        made: float = slots.field(default_factory=lambda: 1.5, init=False)
    assert str(inspect.signature(P)) == "(id: int) -> None"
    p = P(1)
    assert (p.seen, p.made) == (0, 1.5)
    p.seen = 4
    for replace in (slots.replace, dataclasses.replace):
        assert (replace(p, id=2).id, replace(p, id=2).seen) == (2, 0)  # init=False: its default again
        with pytest.raises(ValueError, match="init=False"):
            replace(p, seen=1)
    assert dataclasses.fields(P)[1].metadata["unit"] == "count" == slots.fields(P)[1].metadata["unit"]


def _user(decorator):
    @decorator
    class User:
        name: str
        password: InitVar[str]
        salt: InitVar[str] = "s"
        digest: str = ""

        def __post_init__(self, password, salt):
            self.digest = salt + password[::-1]
    return User


def test_initvar_and_post_init(slots):
    User, D = _user(slots.record), _user(dataclasses.dataclass)
    _same_signature(User, D)
    assert D("ann", "abc").digest == "scba"
    u = User("ann", "abc")
    assert u.digest == "scba" and [f.name for f in slots.fields(User)] == ["name", "digest"]
    assert [f.name for f in dataclasses.fields(User)] == ["name", "digest"]
    assert not hasattr(u, "password")
    assert User.store().append("bob", "xy", salt="t").digest == "tyx"
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'password'"):
        User("ann")


def _base_and_sub(decorator):
    @decorator
    class Base:
        id: int
        price: float = 1.0
        name: str = "base"

    @decorator
    class Sub(Base):
        price: float = 2.0
        extra: int = 0
    return Base, Sub


def test_override_base_default_in_subclass(slots):
    Base, Sub = _base_and_sub(slots.record)
    _same_signature(Sub, _base_and_sub(dataclasses.dataclass)[1])
    assert Sub(1).price == 2.0 and Base(1).price == 1.0 and Sub.store().append(2).price == 2.0
    assert [f.name for f in slots.fields(Sub)] == ["id", "price", "name", "extra"]
    assert slots.fields(Sub)[1].default == 2.0 and slots.fields(Base)[1].default == 1.0
    assert slots.fields(Sub)[0] is slots.fields(Base)[0]  # unchanged fields are shared
    with pytest.raises(TypeError, match="redeclares Base.price .* not a new kind"):
        @slots.record
        class Other(Base):
            price: str = "x"
    with pytest.raises(TypeError, match="field 'price' of Bad2: default 'x' is not a f64"):
        @slots.record
        class Bad2(Base):
            price: float = "x"


def test_overridden_default_reaches_loads_and_from_json(slots):
    """The C type has the subclass's default too: a row or JSON object without the field gets it."""
    Base, Sub = _base_and_sub(slots.record)
    s = Sub.store()
    s.load_jsonl(b'{"id": 1}\n')
    s.load_csv(b"id\n2\n")
    assert [r.price for r in s] == [2.0, 2.0]
    assert slots.from_json(Sub, b'{"id": 3}').price == 2.0
    assert slots.from_json(Base, b'{"id": 3}').price == 1.0


def test_dataclasses_functions_take_records(slots):
    @slots.record
    class Inner:
        v: int

    @slots.record
    class Outer:
        id: int
        name: str = "x"
        inner: Optional[Inner] = None
    o = Outer(1, "a", Inner(5))
    assert dataclasses.is_dataclass(Outer) and dataclasses.is_dataclass(o)
    assert [f.name for f in dataclasses.fields(o)] == ["id", "name", "inner"]
    assert dataclasses.asdict(o) == {"id": 1, "name": "a", "inner": {"v": 5}} == slots.asdict(o)
    assert dataclasses.astuple(o) == (1, "a", (5,)) == slots.astuple(o)
    r = dataclasses.replace(o, name="b")
    assert type(r) is Outer and (r.id, r.name, r.inner.v) == (1, "b", 5) and o.name == "a"
    p = Outer.__dataclass_params__
    assert (p.init, p.repr, p.eq, p.order, p.unsafe_hash, p.frozen) == (True, True, True, False, False, False)
    assert not dataclasses.is_dataclass(slots.Record)

    @slots.record(frozen=True)
    class F:
        x: int
    assert F.__dataclass_params__.frozen and dataclasses.replace(F(1), x=2).x == 2


def test_dataclasses_field_in_a_record_class(slots):
    @slots.record
    class P:
        id: int
        qty: int = dataclasses.field(default=3)
        tag: str = dataclasses.field(default="t", repr=False, compare=False)
    assert P(1).qty == 3 and repr(P(1)) == "P(id=1, qty=3)" and P(1, tag="a") == P(1, tag="b")
    assert slots.fields(P)[1].default == 3


def test_init_false_class(slots):
    @slots.record(init=False)
    class P:
        x: int = 5
    p = P()
    assert p.x == 5
    with pytest.raises(TypeError, match="P\\(\\) takes no arguments"):
        P(1)
