"""Issue 17 on every backend: loads from many values (Redis MGET replies), streaming loads fed in
chunks (rows and quoted cells cut anywhere; a with block commits or aborts), upserts (in place,
the same proxy stays valid; the last of a repeated key wins; all or nothing), per-record upsert
and replace, PostgreSQL spellings in CSV (t/f, \\x bytea) and JSON responses made in C."""
import concurrent.futures
import json
import random

import pytest


@pytest.fixture
def Product(slots):
    return slots.define("CacheProduct", "id: i64 key, name: str, price: f64 = 0")


def rows(n, start=0):
    return [b'{"id": %d, "name": "row %d", "price": %d.5}' % (i, i, i) for i in range(start, start + n)]


# ---- many values ---------------------------------------------------------------------------------
def test_load_json_values(Product):
    s = Product.store()
    assert s.load_json(rows(3) + [None, '{"id": 7, "name": "str value"}', bytearray(b'{"id": 8, "name": "x"}')]) == 5
    assert s.get(7).name == "str value" and s.get(2).price == 2.5 and len(s) == 5
    assert s.load_json([]) == 0


def test_load_json_errors_name_the_value(Product):
    s = Product.store()
    with pytest.raises(TypeError) as e:
        s.load_json(rows(2, 10) + [b'{"id": 3, "name": 5}'])
    assert str(e.value).startswith("value 3: ") and e.value.line == 3
    assert len(s) == 0  # all or nothing
    with pytest.raises(ValueError, match="value 1: "):
        s.load_json([b""])
    r = s.load_json([b'{"id": 1, "name": "a"}', b"nope", b'{"id": 2, "name": "b"}'], skip_bad=True)
    assert (r.loaded, r.skipped) == (2, 1) and r.errors[0].startswith("value 2: ")
    with pytest.raises(TypeError):
        s.load_json([3])


def test_load_json_many_values_match_jsonl(Product, slots):
    vals = rows(30000)
    a, b = Product.store(), Product.store()
    assert a.load_json(vals) == 30000
    b.load_jsonl(b"\n".join(vals))
    assert a.dump_jsonl() == b.dump_jsonl()


# ---- streaming loads ------------------------------------------------------------------------------
def chunks(data, rnd):
    i = 0
    while i < len(data):
        n = rnd.randint(1, 9)
        yield data[i:i + n]
        i += n


CSV = (b'\xef\xbb\xbfid,name,price\r\n1,"a, ""quoted""\ncell",1.5\r2,b,\n\n'
       + b"".join(b'%d,"n%d",%d\n' % (i, i, i) for i in range(3, 200)))


def test_loader_csv_in_random_chunks(Product):
    one = Product.store()
    one.load_csv(CSV)
    rnd = random.Random(5)
    for _ in range(20):
        s = Product.store()
        with s.loader("csv") as ld:
            for c in chunks(CSV, rnd):
                ld.feed(c)
            assert len(s) == 0  # nothing before the commit
        assert s.dump_jsonl() == one.dump_jsonl()
        assert s.get(1).name == 'a, "quoted"\ncell'


def test_loader_errors_and_abort(Product, slots):
    s = Product.store()
    s.append(id=2, name="kept")
    with pytest.raises(RuntimeError):
        with s.loader("jsonl") as ld:
            ld.feed(b'{"id": 5, "name": "x"}\n')
            raise RuntimeError("the source went away")
    assert 5 not in s and len(s) == 1
    ld = s.loader("jsonl")
    ld.feed('{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n')
    with pytest.raises(KeyError, match="line 2: duplicate key 2"):
        ld.commit()
    with pytest.raises(ValueError):
        ld.feed(b"more")  # committed
    assert len(s) == 1 and s.get(2).name == "kept"
    r = s.loader("jsonl", skip_bad=True)
    r.feed(b'{"id": 1, "name": "a"}\n{"id": "bad"}\n')
    res = r.commit()
    assert (res.loaded, res.skipped) == (1, 1)
    with pytest.raises(ValueError, match="loader format"):
        s.loader("xml")


def test_loader_error_line_counts_across_chunks(Product):
    s = Product.store()
    text = b"".join(rows(50)) .replace(b"}{", b"}\n{") + b'\n{"id": 99, "name": 1}\n'
    with pytest.raises(TypeError) as e:
        with s.loader("jsonl") as ld:
            for i in range(0, len(text), 7):
                ld.feed(text[i:i + 7])
    assert e.value.line == 51 and len(s) == 0


def test_loader_upsert_and_dropped_store(Product, slots):
    s = Product.store()
    s.load_json(rows(3))
    kept = s.get(1)
    with s.loader("jsonl", upsert=True) as ld:
        ld.feed(b'{"id": 1, "name": "new"}\n{"id": 1, "name": "newer"}\n{"id": 9, "name": "n"}\n')
    assert kept.name == "newer" and len(s) == 4  # in place, the last wins
    ld = s.loader("jsonl")
    ld.feed(b'{"id": 20, "name": "x"}\n')
    s.drop()
    with pytest.raises(slots.StaleRecordError):
        ld.commit()


def test_loader_from_two_threads_never_crashes(Product, slots):
    s = Product.store()
    ld = s.loader("jsonl")
    errors = []

    def feed(k):
        for i in range(200):
            try:
                ld.feed(b'{"id": %d, "name": "t"}\n' % (k * 1000 + i))
            except slots.BusyError:
                errors.append(i)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(feed, range(4)))
    n = ld.commit()
    assert n + len(errors) == 800 and len(s) == n


def test_cancel_an_open_loader(Product, slots):
    s = Product.store()
    ld = s.loader("jsonl")
    ld.feed(b'{"id": 1, "name": "a"}\n')
    assert s.cancel_load()  # an open loader is a running load
    with pytest.raises(slots.CancelledError):
        ld.commit()
    assert len(s) == 0


# ---- upserts --------------------------------------------------------------------------------------
def test_upsert_loads_keep_proxies(Product):
    s = Product.store()
    s.load_jsonl(b"\n".join(rows(3)))
    p = s.get(1)
    with pytest.raises(KeyError):
        s.load_jsonl(text='{"id": 1, "name": "A"}')
    assert s.load_jsonl(text='{"id": 1, "name": "A"}\n{"id": 5, "name": "e"}', upsert=True) == 2
    assert p.name == "A" and len(s) == 4
    assert s.load_csv(b"id,name\n5,E\n", upsert=True) == 1 and s.get(5).name == "E"
    assert s.load_json([b'{"id": 2, "name": "B"}'], upsert=True) == 1 and s.get(2).name == "B"
    with pytest.raises(TypeError, match="line 2"):
        s.load_jsonl(text='{"id": 1, "name": "X"}\n{"id": 6}', upsert=True)
    assert p.name == "A"  # all or nothing


def test_upsert_and_replace_records(Product):
    s = Product.store()
    a = s.upsert(Product(id=1, name="one"))
    assert a.name == "one" and len(s) == 1
    b = s.upsert(Product(id=1, name="ONE", price=2.0))
    assert a.name == "ONE" and a.price == 2.0 and b == a
    assert s.replace(Product(id=1, name="uno")).name == "uno"
    with pytest.raises(KeyError) as e:
        s.replace(Product(id=2, name="two"))
    assert e.value.args == (2,)
    with pytest.raises(TypeError):
        s.upsert(object())


# ---- PostgreSQL spellings ---------------------------------------------------------------------------
def test_postgres_csv(slots):
    Row = slots.define("PgRow", "id: i64 key, ok: bool, data: bytes optional")
    s = Row.store()
    s.load_csv(b"id,ok,data\n1,t,\\x48690a\n2,f,aGk=\n3,TRUE,\n")
    assert [(r.id, r.ok, r.data) for r in s] == [(1, True, b"Hi\n"), (2, False, b"hi"), (3, True, None)]
    with pytest.raises(ValueError, match="bytea hex"):
        s.load_csv(b"id,ok,data\n4,t,\\xZZ\n")


# ---- responses ------------------------------------------------------------------------------------
def test_to_json(Product):
    s = Product.store()
    s.load_json(rows(5))
    assert json.loads(s.to_json([3, 1])) == [{"id": 3, "name": "row 3", "price": 3.5},
                                             {"id": 1, "name": "row 1", "price": 1.5}]
    assert s.to_json([s.get(0)], array=False) == b'{"id":0,"name":"row 0","price":0.5}\n'
    assert json.loads(s.to_json(start=1, stop=3)) == [json.loads(r) for r in rows(2, 1)]
    assert json.loads(s.to_json()) == [json.loads(r) for r in rows(5)]
    assert s.to_json([]) == b"[]"
    with pytest.raises(KeyError):
        s.to_json([42])
    with pytest.raises(TypeError):
        s.to_json(["a"])
    s.get(0).price = float("nan")
    with pytest.raises(ValueError):
        s.to_json([0])
    assert s.to_json([0], allow_nan=True) == b'[{"id":0,"name":"row 0","price":NaN}]'
