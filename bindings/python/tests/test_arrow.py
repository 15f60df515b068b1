"""Stores as Arrow and back (slots/_arrow.py, libslots's arrow_*.c), read by real consumers: pyarrow,
Polars, DuckDB and pandas compare equal to the records value by value and null by null for every
kind, every export passes pyarrow's validate(full=True), imports round-trip and refuse bad rows
changing nothing — on every backend. Needs the packages of tests/arrow/requirements.txt (make
check-arrow runs this file with them); skipped where pyarrow is missing."""
import gc
import importlib
import math
import os
import sys

import pytest


def _consumer(name):
    """The package, or a skip where it is missing (make check-python's Python); make check-arrow
    sets SLOTS_REQUIRE_ARROW so that a missing one fails instead."""
    if os.environ.get("SLOTS_REQUIRE_ARROW"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


pa, pl, duckdb, pd = (_consumer(n) for n in ("pyarrow", "polars", "duckdb", "pandas"))

KINDS = ("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "str", "bytes")
ARROW_TYPES = {"bool": pa.bool_(), "i8": pa.int8(), "i16": pa.int16(), "i32": pa.int32(), "i64": pa.int64(),
               "u8": pa.uint8(), "u16": pa.uint16(), "u32": pa.uint32(), "u64": pa.uint64(),
               "f32": pa.float32(), "f64": pa.float64(), "str": pa.string(), "bytes": pa.binary()}
ROWS = 157  # several slabs and, with batch_rows=16, a short last batch


def _value(kind, i):
    """Row i's value of a kind: extremes and text inline and out of line (longer than 12 and 23)."""
    return {"bool": i % 3 == 0, "i8": -128 + i % 256 if i % 256 < 256 else 0, "i16": -32768 + i * 7,
            "i32": -(2 ** 31) + i * 1001, "i64": -(2 ** 63) + i * 10 ** 15, "u8": 255 - i % 256,
            "u16": 65535 - i, "u32": 2 ** 32 - 1 - i, "u64": 2 ** 64 - 1 - i, "f32": i + 0.25,
            "f64": i / 3.0, "str": ("é-%d" % i) * (1 + i % 9), "bytes": bytes(range(i % 40))}[kind]


def _store(slots, rows=ROWS):
    """Every kind, optional, with a key: field k of row i is null when (i + k) % 5 == 1, unset
    when (i + k) % 5 == 2 (both export as null); every ninth record removed. The expected rows."""
    T = slots.define("ArrowAll", "id: i64 key, " + ", ".join("%s: %s optional" % (k, k) for k in KINDS))
    s = T.store()
    want = []
    for i in range(rows):
        r = s.append(i, *(None if (i + k) % 5 == 1 else _value(kind, i) for k, kind in enumerate(KINDS)))
        for k, kind in enumerate(KINDS):
            if (i + k) % 5 == 2:
                delattr(r, kind)
        if i % 9 == 4:
            s.remove(r)
            continue
        row = {"id": i}
        row.update((kind, None if (i + k) % 5 in (1, 2) else _value(kind, i)) for k, kind in enumerate(KINDS))
        want.append(row)
    return T, s, want


class _Capsule(object):
    """An object whose __arrow_c_stream__ gives a capsule made already (arrow_stream's)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __arrow_c_stream__(self, requested_schema=None):
        capsule, self.capsule = self.capsule, None
        return capsule


def _same(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for k, v in w.items():
            x = g[k]
            if isinstance(v, float) and not isinstance(x, bool):
                assert x == pytest.approx(v, rel=1e-7), (k, x, v)
            else:
                assert x == v, (k, x, v)


def test_pyarrow_every_kind(slots):
    T, s, want = _store(slots)
    t = pa.table(s)
    t.validate(full=True)
    assert t.schema.names == ["id"] + list(KINDS)
    for k in KINDS:
        assert t.schema.field(k).type == ARROW_TYPES[k] and t.schema.field(k).nullable
    assert t.schema.field("id").metadata == {b"libslots.key": b"true"}
    assert t.schema.metadata == {b"libslots.type": b"ArrowAll"}
    _same(t.to_pylist(), want)
    for k in KINDS:  # null by null
        assert t.column(k).null_count == sum(1 for w in want if w[k] is None)
    assert pa.schema(T) == t.schema  # the record class's __arrow_c_schema__


@pytest.mark.parametrize("opts,types", [({"string_view": True}, (pa.string_view(), pa.binary_view())),
                                        ({"large": True}, (pa.large_string(), pa.large_binary()))])
def test_pyarrow_views_and_large(slots, opts, types):
    _, s, want = _store(slots)
    reader = pa.RecordBatchReader.from_stream(_Capsule(s.arrow_stream(batch_rows=16, **opts)))
    batches = list(reader)
    assert [b.num_rows for b in batches] == [16] * (len(want) // 16) + ([len(want) % 16] if len(want) % 16 else [])
    t = pa.Table.from_batches(batches)
    t.validate(full=True)
    assert (t.schema.field("str").type, t.schema.field("bytes").type) == types
    _same(t.to_pylist(), want)


def test_refs_on_request(slots):
    Node = slots.define("ArrowNode", "name: str, next: ref ArrowNode optional")
    s = Node.store()
    a = s.append("a", None)
    s.append("b", a)
    assert pa.table(s).schema.names == ["name"]
    t = pa.RecordBatchReader.from_stream(_Capsule(s.arrow_stream(refs=True))).read_all()
    t.validate(full=True)
    assert t.schema.field("next").type == pa.uint64()
    assert t.column("next").to_pylist()[0] is None and t.column("next").to_pylist()[1] > 0


def test_polars_every_kind(slots):
    _, s, want = _store(slots)
    df = pl.DataFrame(s)
    assert df.columns == ["id"] + list(KINDS)
    _same(df.to_dicts(), want)
    for k in KINDS:
        assert df[k].null_count() == sum(1 for w in want if w[k] is None)
    _same(s.to_polars().to_dicts(), want)


def test_duckdb_every_kind(slots):
    _, s, want = _store(slots)
    rows = duckdb.sql("select * from s order by id").fetchall()
    _same([dict(zip(["id"] + list(KINDS), r)) for r in rows], want)
    got = duckdb.sql("select count(*), count(i32), sum(i32) from s").fetchall()[0]
    vals = [w["i32"] for w in want if w["i32"] is not None]
    assert got == (len(want), len(vals), sum(vals))


def test_pandas_nullable(slots):
    _, s, want = _store(slots)
    df = s.to_pandas()
    assert str(df["i64"].dtype) == "Int64" and str(df["u8"].dtype) == "UInt8" and str(df["bool"].dtype) == "boolean"
    for k in ("i64", "u8", "bool", "f64", "str"):
        got = [None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in df[k].tolist()]
        assert got == pytest.approx([w[k] for w in want]) if k == "f64" else got == [w[k] for w in want], k


def test_empty_store(slots):
    T, s, _ = _store(slots, rows=0)
    t = pa.table(s)
    t.validate(full=True)
    assert t.num_rows == 0 and t.schema == pa.schema(T)
    assert pl.DataFrame(s).shape == (0, 1 + len(KINDS))


def test_stream_fails_when_the_store_changes(slots):
    T, s, want = _store(slots)
    reader = pa.RecordBatchReader.from_stream(_Capsule(s.arrow_stream(batch_rows=10)))
    first = reader.read_next_batch()
    s.append(10 ** 6, *[None] * len(KINDS))
    with pytest.raises(pa.ArrowInvalid, match="changed"):
        reader.read_next_batch()
    assert first.num_rows == 10 and first.column(0).to_pylist() == [w["id"] for w in want[:10]]  # still valid
    reader = pa.RecordBatchReader.from_stream(_Capsule(s.arrow_stream(batch_rows=10)))
    reader.read_next_batch()
    next(iter(s)).i32 = 5  # a field set under the stream
    with pytest.raises(pa.ArrowInvalid, match="changed"):
        reader.read_next_batch()
    reader = pa.RecordBatchReader.from_stream(_Capsule(s.arrow_stream(batch_rows=10)))
    reader.read_next_batch()
    s.drop()
    with pytest.raises(pa.ArrowInvalid, match="dropped"):
        reader.read_next_batch()


def test_table_outlives_store(slots):
    _, s, want = _store(slots)
    t = pa.table(s)
    s.drop()
    gc.collect()
    t.validate(full=True)
    _same(t.to_pylist(), want)


def test_capsules_released_unless_consumed(slots):
    T, s, _ = _store(slots, rows=10)
    gc.collect()
    before = slots.memory_usage()
    caps = [s.__arrow_c_stream__() for _ in range(50)]
    assert slots.memory_usage() > before  # the streams' state
    del caps
    gc.collect()
    assert slots.memory_usage() == before  # the destructor released every stream
    schemas = [T.__arrow_c_schema__() for _ in range(50)]
    del schemas
    assert slots.memory_usage() == before
    t = pa.table(s)  # consumed: pyarrow moved the stream out, the capsule frees only its memory
    del t
    gc.collect()
    assert slots.memory_usage() == before


def test_load_arrow_round_trips(slots):
    T, s, want = _store(slots)
    for source in (pa.table(s), pl.DataFrame(s), duckdb.sql("select * from s"), s):
        copy = T.store()
        assert copy.load_arrow(source) == len(want)
        got = [{k: getattr(r, k) for k in ["id"] + list(KINDS)} for r in copy]
        _same(got, want)  # null masks survive: unset and null both come back as null (None)
        copy.drop()


def test_load_arrow_defaults_and_lenient(slots):
    P = slots.define("ArrowP", "id: i64 key, name: str, qty: u8 = 7, note: str = 'n' optional")
    s = P.store()
    assert s.load_arrow(pa.table({"id": [1, 2], "name": ["a", "b"], "qty": pa.array([None, 3], pa.uint8())})) == 2
    assert [(r.id, r.name, r.qty, r.note) for r in s] == [(1, "a", 7, "n"), (2, "b", 3, "n")]
    with pytest.raises(TypeError, match="missing field 'name'") as e:
        s.load_arrow(pa.table({"id": [3]}))
    assert e.value.line == 1 and e.value.field == "name"
    assert s.load_arrow(pa.table({"id": [3]}), lenient=True) == 1
    with pytest.raises(AttributeError):
        [r for r in s][-1].name


def test_load_arrow_errors_change_nothing(slots):
    P = slots.define("ArrowQ", "id: i64 key, qty: u8")
    s = P.store()
    s.append(0, 0)
    batches = [pa.record_batch({"id": [1, 2], "qty": [1, 2]}), pa.record_batch({"id": [3, 4], "qty": [3, 300]})]
    with pytest.raises(OverflowError, match=r"batch 1, row 1: value 300 out of range for field 'qty' \(u8\)") as e:
        s.load_arrow(pa.Table.from_batches(batches))
    assert e.value.line == 4 and e.value.field == "qty"
    assert [r.id for r in s] == [0]
    with pytest.raises(AttributeError, match="no attribute 'zz'"):
        s.load_arrow(pa.table({"id": [5], "qty": [1], "zz": [1]}))
    with pytest.raises(TypeError, match="must be u8, not str|qty"):
        s.load_arrow(pa.table({"id": [5], "qty": ["1"]}))
    with pytest.raises(KeyError):
        s.load_arrow(pa.table({"id": [0], "qty": [1]}))  # a duplicate key
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        s.load_arrow([{"id": 1}])
    assert [r.id for r in s] == [0]
    assert s.load_arrow(pa.Table.from_batches(batches), skip_bad=True) == 3


def test_load_arrow_runs_validators(slots):
    @slots.record
    class V:
        id: int = slots.key()
        n: int = 0

    @V.validator("n")
    def positive(rec, value):
        if value < 0:
            raise ValueError("must be >= 0")
    s = V.store()
    with pytest.raises(ValueError, match="batch 0, row 2: .*must be >= 0"):
        s.load_arrow(pa.table({"id": [1, 2, 3], "n": [1, 2, -3]}))
    assert len(s) == 0


def test_clear_import_errors(slots, monkeypatch):
    _, s, _ = _store(slots, rows=3)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match="polars"):
        s.to_polars()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pandas"):
        s.to_pandas()


def test_time_uuid_decimal_kinds_round_trip(slots):
    """timestamp, date, uuid and decimal fields: pyarrow reads timestamp[us, tz=UTC], date32,
    the arrow.uuid extension and decimal128(P, S) with the records' Python values; a load back
    gives the same records."""
    import datetime as dt
    import uuid
    from decimal import Decimal
    utc = dt.timezone.utc
    T = slots.define("ArrowTime", "t: timestamp optional, d: date, u: uuid, p: decimal(10,2), q: decimal(30,4)")
    s = T.store()
    rows = [dict(t=dt.datetime(2024, 2, 29, 12, 0, 0, 5, tzinfo=utc), d=dt.date(1, 1, 1), u=uuid.UUID(int=5),
                 p=Decimal("-1.5"), q=Decimal("12345678901234567890.1234")),
            dict(t=None, d=dt.date(9999, 12, 31), u=uuid.UUID(int=2 ** 128 - 1), p=3, q=Decimal(0)),
            dict(t=dt.datetime(1, 1, 1, tzinfo=utc), d=dt.date(2000, 2, 29), u=uuid.UUID(int=0),
                 p=Decimal("99999999.99"), q=Decimal("-0.0001"))]
    for r in rows:
        s.append(**r)
    t = pa.table(s)
    t.validate(full=True)
    types = [t.schema.field(n).type for n in ("t", "d", "u", "p", "q")]
    assert types[0] == pa.timestamp("us", tz="UTC") and types[1] == pa.date32()
    assert str(types[2]) == "extension<arrow.uuid>" and types[2].storage_type == pa.binary(16)
    assert types[3] == pa.decimal128(10, 2) and types[4] == pa.decimal128(30, 4)
    got = t.to_pylist()
    assert [g["t"] for g in got] == [r.t for r in s] and [g["d"] for g in got] == [r["d"] for r in rows]
    assert [g["u"] for g in got] == [r["u"] for r in rows]
    assert [g["p"] for g in got] == [Decimal(r["p"]) for r in rows] and [g["q"] for g in got] == [r.q for r in s]
    copy = T.store()
    assert copy.load_arrow(t) == len(rows)
    assert list(copy) == list(s)
    copy.drop()
    s.drop()
