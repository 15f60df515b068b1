"""timestamp, date, uuid and decimal fields in Python, on every backend: annotations (datetime.datetime,
datetime.date, uuid.UUID, Annotated[Decimal, slots.decimal(P, S)]) and field lists give back those
Python classes; values go through the constructor, setattr, defaults, None, JSON, JSON Lines, CSV,
copy and pickle unchanged; offsets are normalized to UTC; wrong values are refused in Python's words
and change nothing."""
import copy
import datetime as dt
import pickle
import random
import typing
import uuid
from decimal import Decimal

import pytest

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
TS_MIN = dt.datetime(1, 1, 1, tzinfo=UTC)
TS_MAX = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
FIELDS = "t: timestamp, d: date, u: uuid, p: decimal(10,2)"


def _tz(hours, minutes=0):
    return dt.timezone(dt.timedelta(hours=hours, minutes=minutes))


@pytest.fixture
def T(slots):
    return slots.define("KT", FIELDS + ", o: timestamp = null optional")


def _sample():
    return dict(t=dt.datetime(2024, 2, 29, 12, 30, 15, 123456, tzinfo=UTC), d=dt.date(2024, 2, 29),
                u=uuid.UUID("12345678-9abc-def0-1234-56789abcdef0"), p=Decimal("-12.5"))


def test_field_list_gives_python_types(slots, T):
    r = T(**_sample())
    assert type(r.t) is dt.datetime and r.t.tzinfo is UTC and r.t == _sample()["t"]
    assert type(r.d) is dt.date and r.d == dt.date(2024, 2, 29)
    assert r.u == _sample()["u"] and type(r.u) is uuid.UUID
    assert r.p == Decimal("-12.50") and str(r.p) == "-12.50"  # exactly S digits
    assert r.o is None
    kinds = {F.name: (F.kind, F.type) for F in slots.fields(T)}
    assert kinds["t"] == ("timestamp", dt.datetime) and kinds["d"] == ("date", dt.date)
    assert kinds["u"] == ("uuid", uuid.UUID) and kinds["p"] == ("decimal", Decimal)
    assert kinds["o"] == ("timestamp", typing.Optional[dt.datetime])


def test_annotations_defaults_and_setattr(slots, models):
    e = models.Event(at=dt.datetime(2020, 5, 1, 8, tzinfo=_tz(2)), day=dt.date(2020, 5, 1),
                     id=uuid.UUID(int=7), price=Decimal("3.1"))
    assert e.at == dt.datetime(2020, 5, 1, 6, tzinfo=UTC) and e.at.tzinfo is UTC  # normalized
    assert e.created == dt.datetime(2024, 1, 1, tzinfo=UTC) and e.note is None
    assert e.price == Decimal("3.10")
    e.note = dt.datetime(2021, 1, 1, tzinfo=_tz(-5, -30))
    assert e.note == dt.datetime(2021, 1, 1, 5, 30, tzinfo=UTC)
    e.note = None
    assert e.note is None
    e.price = 42  # an int is exact
    assert e.price == Decimal("42.00")
    e.day = dt.date(2000, 2, 29)
    assert e.day == dt.date(2000, 2, 29)
    f = {F.name: F for F in slots.fields(models.Event)}
    assert f["price"].type is Decimal and f["price"].kind == "decimal"
    assert f["created"].default == dt.datetime(2024, 1, 1, tzinfo=UTC)


def test_field_list_defaults(slots):
    D = slots.define("KD", "t: timestamp = '2024-01-01T01:00:00+01:00', d: date = '2024-02-29', "
                           "u: uuid = '{12345678-9ABC-DEF0-1234-56789ABCDEF0}', p: decimal(6,3) = 1.5")
    r = D()
    assert r.t == dt.datetime(2024, 1, 1, tzinfo=UTC) and r.d == dt.date(2024, 2, 29)
    assert r.u == uuid.UUID("12345678-9abc-def0-1234-56789abcdef0") and r.p == Decimal("1.500")
    defaults = {F.name: F.default for F in slots.fields(D)}
    assert defaults == {"t": r.t, "d": r.d, "u": r.u, "p": r.p}


def test_class_defaults_of_every_kind(slots):
    class KDefaults(slots.Record):
        t: dt.datetime = dt.datetime(1999, 12, 31, 23, tzinfo=_tz(-1))
        d: dt.date = dt.date(1, 1, 1)
        u: uuid.UUID = uuid.UUID(int=1)
        p: typing.Annotated[Decimal, slots.decimal(4, 1)] = Decimal("-99.9")
        q: typing.Optional[typing.Annotated[Decimal, slots.decimal(4, 1)]] = None
    r = KDefaults()
    assert (r.t, r.d, r.u, r.p, r.q) == (dt.datetime(2000, 1, 1, tzinfo=UTC), dt.date(1, 1, 1),
                                         uuid.UUID(int=1), Decimal("-99.9"), None)


def test_json_csv_round_trip(slots, T):
    r = T(**_sample())
    text = slots.to_json(r)
    assert '"t":"2024-02-29T12:30:15.123456Z"' in text and '"p":"-12.50"' in text
    back = slots.from_json(T, text)
    assert back == r and back.t == r.t and back.u == r.u
    s = slots.Store(T)
    s.append(**_sample())
    s.append(t=TS_MIN, d=dt.date(1, 1, 1), u=uuid.UUID(int=0), p=Decimal("99999999.99"), o=TS_MAX)
    for dump, load in (("dump_jsonl", "load_jsonl"), ("dump_csv", "load_csv")):
        s2 = slots.Store(T)
        getattr(s2, load)(text=getattr(s, dump)().decode())
        assert list(s2) == list(s)
        assert [x.o for x in s2] == [None, TS_MAX]


def test_json_reads_offsets_numbers_and_refuses_bad_text(slots, T):
    r = slots.from_json(T, '{"t":"2024-02-29T23:30:00-02:00","d":"2024-03-01",'
                           '"u":"urn:uuid:12345678-9abc-def0-1234-56789abcdef0","p":1.25}')
    assert r.t == dt.datetime(2024, 3, 1, 1, 30, tzinfo=UTC) and r.p == Decimal("1.25")
    for bad in ('"u":"not-a-uuid"', '"p":"1.234"', '"d":"2023-02-29"', '"t":"2024-01-01T00:00:00"'):
        text = '{"t":"2024-01-01T00:00:00Z","d":"2024-01-01","u":"%s","p":"1",%s}' % (uuid.UUID(int=1), bad)
        with pytest.raises((ValueError, OverflowError)):
            slots.from_json(T, text)


def test_equality_hash_repr_copy_pickle(slots, models):
    a = models.FrozenEvent(at=dt.datetime(2024, 1, 1, 2, tzinfo=_tz(2)), id=uuid.UUID(int=9),
                           price=Decimal("0.0000000001"))
    b = models.FrozenEvent(at=dt.datetime(2024, 1, 1, tzinfo=UTC), id=uuid.UUID(int=9),
                           price=Decimal("1E-10"))
    assert a == b and hash(a) == hash(b)
    # repr as a dataclass writes it: each field's Python value's repr
    assert repr(a) == "FrozenEvent(at=%r, id=%r, price=%r)" % (a.at, a.id, a.price)
    assert "datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)" in repr(a)
    for c in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert c == a and c.at == a.at and c.price == Decimal("1E-10")
    e = models.Event(at=TS_MAX, day=dt.date(9999, 12, 31), id=uuid.UUID(int=2**128 - 1), price=-1)
    e2 = pickle.loads(pickle.dumps(e))
    assert e2 == e and e2.at == TS_MAX and e2.id == uuid.UUID(int=2**128 - 1)
    e2.day = dt.date(9999, 12, 30)
    assert e2 != e


def test_extremes_and_leap_days(slots, T):
    r = T(t=TS_MIN, d=dt.date(1, 1, 1), u=uuid.UUID(int=0), p=Decimal("-99999999.99"))
    assert r.t == TS_MIN and r.d == dt.date(1, 1, 1) and r.p == Decimal("-99999999.99")
    r.t, r.d = TS_MAX, dt.date(9999, 12, 31)
    assert r.t == TS_MAX and r.d == dt.date(9999, 12, 31)
    for leap in (dt.date(2000, 2, 29), dt.date(2024, 2, 29), dt.date(4, 2, 29)):
        r.d = leap
        assert r.d == leap
    r.t = dt.datetime(2024, 2, 29, 23, 59, tzinfo=_tz(-14))  # an offset crossing into March 1st UTC
    assert r.t == dt.datetime(2024, 3, 1, 13, 59, tzinfo=UTC)


def test_refusals_change_nothing(slots, T, models):
    r = T(**_sample())
    before = slots.to_json(r)
    with pytest.raises(TypeError, match="timezone-aware.*tzinfo"):
        r.t = dt.datetime(2024, 1, 1)
    with pytest.raises(TypeError, match="expects date, got datetime"):
        r.d = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(TypeError, match="uuid.UUID"):
        r.u = "12345678-9abc-def0-1234-56789abcdef0"
    with pytest.raises(OverflowError, match="2 digits after the point"):
        r.p = Decimal("1.234")
    with pytest.raises(OverflowError):
        r.p = Decimal("123456789")  # 9 + 2 digits > P = 10
    with pytest.raises(TypeError, match="float is not exact"):
        r.p = 1.5
    with pytest.raises(ValueError, match="finite"):
        r.p = Decimal("NaN")
    with pytest.raises(TypeError):
        r.p = True
    with pytest.raises(OverflowError):
        r.t = dt.datetime(1, 1, 1, tzinfo=_tz(1))  # year 0 in UTC
    with pytest.raises(OverflowError):
        r.t = dt.datetime(9999, 12, 31, 23, tzinfo=_tz(-2))  # year 10000 in UTC
    with pytest.raises(TypeError, match="expects datetime, got int"):
        r.t = 0
    with pytest.raises(TypeError):
        r.u = None  # not optional
    assert slots.to_json(r) == before
    with pytest.raises(TypeError, match="timezone-aware"):
        models.Event(at=dt.datetime(2024, 1, 1), day=dt.date(2024, 1, 1), id=uuid.UUID(int=1), price=1)


def test_bad_annotations_and_defaults(slots):
    with pytest.raises(TypeError, match=r"slots\.decimal\(P, S\)"):
        class NoScale(slots.Record):
            p: Decimal
    with pytest.raises(TypeError, match="timezone-aware"):
        class NaiveDefault(slots.Record):
            t: dt.datetime = dt.datetime(2024, 1, 1)
    with pytest.raises(TypeError, match="expects date, got datetime"):
        class DateDefault(slots.Record):
            d: dt.date = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        class BadPrecision(slots.Record):
            p: typing.Annotated[Decimal, slots.decimal(39, 2)]


def test_store_columns(slots, T):
    s = slots.Store(T)
    s.append(**_sample())
    s.append(**dict(_sample(), o=EPOCH))
    assert s.column("t") == [_sample()["t"]] * 2 and s.column("p") == [Decimal("-12.50")] * 2
    values, mask = s.column("o", nulls=True)
    assert values == [None, EPOCH] and list(mask) == [True, False]


def test_random_values_round_trip(slots, T):
    rng = random.Random(16)
    s = slots.Store(T)
    expect = []
    span = (TS_MAX - TS_MIN) // dt.timedelta(microseconds=1)
    for _ in range(300):
        t = TS_MIN + dt.timedelta(microseconds=rng.randrange(span))
        off = dt.timedelta(minutes=rng.randrange(-14 * 60, 14 * 60 + 1))
        local = t.astimezone(dt.timezone(off)) if TS_MIN + abs(off) <= t <= TS_MAX - abs(off) else t
        d = dt.date.fromordinal(rng.randrange(1, dt.date(9999, 12, 31).toordinal() + 1))
        u = uuid.UUID(int=rng.getrandbits(128))
        p = Decimal(rng.randrange(-10**10 + 1, 10**10)).scaleb(-2)
        r = s.append(t=local, d=d, u=u, p=p)
        assert (r.t, r.d, r.u, r.p) == (t, d, u, p)
        expect.append((t, d, u, p))
    for dump, load in (("dump_jsonl", "load_jsonl"), ("dump_csv", "load_csv")):
        s2 = slots.Store(T)
        getattr(s2, load)(text=getattr(s, dump)().decode())
        assert [(r.t, r.d, r.u, r.p) for r in s2] == expect


def test_validators_get_python_values(slots):
    V = slots.define("KV", FIELDS)
    seen = []

    @V.validator("t")
    def not_before_2000(rec, value):
        seen.append(value)
        return value >= dt.datetime(2000, 1, 1, tzinfo=UTC)

    @V.validator("p")
    def positive(rec, value):
        seen.append(value)
        return value > 0

    r = V(**dict(_sample(), p=Decimal("0.5")))
    assert seen == [_sample()["t"], Decimal("0.50")]
    with pytest.raises(ValueError, match="refused by validator"):
        r.t = dt.datetime(1999, 12, 31, tzinfo=UTC)
    with pytest.raises(ValueError, match="refused by validator"):
        r.p = Decimal("-1")
    assert r.t == _sample()["t"] and r.p == Decimal("0.50")
    s = V.store()
    with pytest.raises(ValueError):
        s.load_jsonl(text='{"t":"1970-01-01T00:00:00Z","d":"2024-01-01","u":"%s","p":"1"}\n' % uuid.UUID(int=3))
    assert len(s) == 0


def test_decimal_kind_marker_pickles(slots):
    k = slots.decimal(12, 3)
    assert pickle.loads(pickle.dumps(k)).name == "decimal(12,3)"
    with pytest.raises(TypeError, match="takes ints"):
        slots.decimal(10, 2.0)
