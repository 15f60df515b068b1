"""slots.Store through its public API, on every backend."""
import array
import gc
import math

import pytest


@pytest.fixture
def Product(slots):
    @slots.record
    class Product:
        id: int = slots.key()
        name: str
        price: float = 0.0
        qty: slots.i32 = 0
    return Product


@pytest.fixture
def store(Product):
    s = Product.store()
    for i in range(1, 6):
        s.append(i, "p%d" % i, i * 1.5, qty=i)
    return s


def test_append_len_index_iter(slots, Product, store):
    assert len(store) == 5 and bool(store)
    assert store.rows[0].id == 1 and store.rows[-1].id == 5 and store.rows[-5].id == 1
    with pytest.raises(IndexError):
        store.rows[5]
    with pytest.raises(IndexError):
        store.rows[-6]
    assert [r.id for r in store] == [1, 2, 3, 4, 5]
    assert [r.id for r in store.rows[1:3]] == [2, 3]
    r = store.append(name="kw", id=9)
    assert (r.id, r.name, r.price, r.qty) == (9, "kw", 0.0, 0)
    assert isinstance(store, slots.Store) and store.record_class is Product
    assert "6 records" in repr(store)


def test_store_records_behave_like_records(Product, store):
    r = store.rows[1]
    assert type(r) is Product
    assert repr(r) == "Product(id=2, name='p2', price=3.0, qty=2)"
    assert r == Product(2, "p2", 3.0, 2) and Product(2, "p2", 3.0, 2) == r
    assert r == store.get(2)
    r.name = "renamed"
    assert store.rows[1].name == "renamed"
    with pytest.raises(AttributeError):
        r.age = 1
    with pytest.raises(TypeError):
        r.price = "x"
    import copy
    c = copy.copy(r)  # a copy is an ordinary (owned) record
    assert c == r and c._h.__class__ is int


def test_constructor_errors_leave_the_store_unchanged(Product, store):
    with pytest.raises(TypeError):
        store.append(10, 3)  # name must be str
    with pytest.raises(TypeError):
        store.append(10)  # missing name
    assert len(store) == 5 and 10 not in store


def test_proxies_do_not_free_store_records(slots, Product, store):
    before = slots.live_records(Product)
    for _ in range(3):
        r = store.rows[0]
        del r
        gc.collect()
    list(store)
    gc.collect()
    assert slots.live_records(Product) == before
    assert store.rows[0].name == "p1"


def test_proxies_keep_the_store_alive(slots, Product):
    s = Product.store()
    s.append(1, "x")
    r = s.rows[0]
    del s
    gc.collect()
    assert r.name == "x"


def test_key_index(Product, store):
    assert store.get(3).name == "p3"
    assert 3 in store and 42 not in store and "3" not in store and None not in store
    with pytest.raises(KeyError):
        store[42]
    assert store.get(42) is None and store.get(42, "none") == "none"
    with pytest.raises(TypeError):
        store.get("3")
    with pytest.raises(TypeError):
        store["3"]
    with pytest.raises(KeyError, match="duplicate key 3|3"):
        store.append(3, "dup")
    assert len(store) == 5
    r = store.get(3)
    r.id = 30  # the index follows sets
    assert 30 in store and 3 not in store
    with pytest.raises(KeyError):
        store.get(2).id = 30
    store.remove(r)
    assert 30 not in store and len(store) == 4


def test_str_key_and_no_key(slots):
    T = slots.define("StrKeyed", "code: str key, n: i64 = 0")
    s = T.store()
    s.append("a", 1)
    s.append("é", 2)
    assert s.get("é").n == 2 and "a" in s and 1 not in s
    with pytest.raises(TypeError):
        s.get(1)
    U = slots.define("NoKey", "n: i64")
    u = U.store()
    u.append(1)
    for use in (lambda: u.get(1), lambda: u[1], lambda: 1 in u, lambda: u.keys(), lambda: u.items(),
                lambda: u.pop(1)):
        with pytest.raises(TypeError, match="NoKey has no key field.*store.rows"):
            use()
    with pytest.raises(TypeError, match="no key field"):
        del u[0]
    assert u.rows[0].n == 1 and u.rows[0] in u and [r.n for r in u.values()] == [1]


def test_key_via_field_options(slots):
    @slots.record
    class K:
        code: str = slots.field(key=True)
        v: int = 0
    assert [f.key for f in slots.fields(K)] == [True, False]
    s = K.store()
    s.append("x")
    assert s.get("x").v == 0


def test_remove_clear_reserve_memory(slots, Product, store):
    r = store.get(2)
    store.remove(r)
    with pytest.raises(slots.StaleRecordError):
        r.name
    assert [x.id for x in store] == [1, 3, 4, 5]
    other = Product.store()
    with pytest.raises(ValueError):
        other.remove(store.rows[0])  # a record of another store
    with pytest.raises(TypeError):
        store.remove(3)
    m = store.memory_usage()
    assert m > 0
    store.reserve(10000)
    assert store.memory_usage() >= m
    kept = store.rows[0]
    store.clear()
    assert len(store) == 0 and list(store) == []
    with pytest.raises(slots.StaleRecordError):
        kept.id
    store.append(1, "again")
    assert store.get(1).name == "again"


def test_drop_makes_every_proxy_stale(slots, Product, store):
    recs = list(store) + [store.get(3), store.rows[0]]
    store.drop()
    assert store.dropped and "dropped" in repr(store)
    for r in recs:
        for call in (lambda: r.id, lambda: r.name, lambda: repr(r), lambda: setattr(r, "price", 1.0),
                     lambda: r.to_json(), lambda: r == Product(1, "p1")):
            with pytest.raises(slots.StaleRecordError):
                call()
    for call in (lambda: len(store), lambda: store.rows[0], lambda: store.get(1), lambda: store.append(1, "a"),
                 lambda: list(store), lambda: store.load_jsonl(b""), lambda: store.sum("price"),
                 lambda: store.column("price"), lambda: store.memory_usage(), lambda: store.dump_jsonl()):
        with pytest.raises(slots.StaleRecordError):
            call()
    store.drop()  # harmless twice
    del recs, r
    gc.collect()


# ---- bulk load and dump --------------------------------------------------------------------

JSONL = b'{"id": 1, "name": "a", "price": 1.5}\n\n{"id": 2, "name": "b\\u00e9", "price": 2}\n'


def test_load_jsonl_from_bytes_str_path_and_file(Product, tmp_path):
    s = Product.store()
    assert s.load_jsonl(JSONL) == 2
    assert s.get(2).name == "bé" and s.get(2).price == 2.0
    s2 = Product.store()
    assert s2.load_jsonl(text=JSONL.decode()) == 2
    assert s2.load_jsonl(text='{"id": 3, "name": "c"}') == 1
    p = tmp_path / "x.jsonl"
    p.write_bytes(JSONL)
    s3 = Product.store()
    assert s3.load_jsonl(p) == 2
    s3.clear()
    assert s3.load_jsonl(str(p)) == 2
    s4 = Product.store()
    with open(p, "rb") as f:
        assert s4.load_jsonl(f) == 2
    assert s4.load_jsonl(bytearray(b'{"id": 7, "name": "m"}\n')) == 1
    assert s4.load_jsonl(memoryview(b'{"id": 8, "name": "m"}\n')) == 1
    with pytest.raises(OSError):
        s4.load_jsonl(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("bad, exc, line, word", [
    (b'{"id": 30, "name": "c"}\n{"id": "x", "name": "d"}\n', TypeError, 2, "id"),
    (b'{"id": 30, "name": "c"}\n{"id": 40, "name": "d", "age": 1}\n', AttributeError, 2, "age"),
    (b'{"id": 30, "name": "c"}\n\n{"id": 40, "name": "d"\n', ValueError, 3, ""),
    (b'{"id": 30, "name": "c", "qty": 3000000000}\n', OverflowError, 1, "qty"),
    (b'{"id": 30, "name": "c"}\n{"id": 1, "name": "dup"}\n', KeyError, 2, "1"),
    (b'{"id": 30, "name": "\xff"}\n', ValueError, 1, ""),
])
def test_bad_jsonl_is_all_or_nothing(Product, store, bad, exc, line, word):
    before = store.dump_jsonl()
    with pytest.raises(exc) as info:
        store.load_jsonl(bad)
    assert info.value.line == line and ("line %d" % line) in str(info.value)
    assert word in str(info.value)
    assert store.dump_jsonl() == before and len(store) == 5 and 3 in store


@pytest.mark.parametrize("bad_line, bad, exc, word", [
    (59990, b'{"id": 11, "name": "again"}', KeyError, "11"),    # repeats line 1's id, far away
    (59999, b'{"id": 7, "name": 5}', TypeError, "name"),        # near the end, on another thread
    (30001, b'{"id": 7, "name": "x", "qty": 1e400}', TypeError, "qty"),
])
def test_big_load_on_threads_is_all_or_nothing(Product, store, monkeypatch, bad_line, bad, exc, word):
    """A load big enough to decode on several threads reports the same line, and changes nothing."""
    monkeypatch.setenv("SLOTS_LOAD_THREADS", "4")
    # ids 11.. so that they do not clash with the store's 1..5
    lines = [b'{"id": %d, "name": "product-%d", "price": %d.5}' % (i, i, i) for i in range(11, 60011)]
    assert len(lines[0]) * len(lines) > 2 << 20  # more than 2 MiB: more than one chunk
    good = Product.store()
    assert good.load_jsonl(b"\n".join(lines)) == 60000
    assert good.get(45678).name == "product-45678" and good.rows[59999].id == 60010
    lines[bad_line - 1] = bad
    before = store.dump_jsonl()
    with pytest.raises(exc) as info:
        store.load_jsonl(b"\n".join(lines))
    assert info.value.line == bad_line and word in str(info.value)
    assert store.dump_jsonl() == before and len(store) == 5


def test_big_csv_on_threads_matches_one_thread(Product, monkeypatch):
    """CSV cut into chunks, quoted cells with line ends included: the same records and errors."""
    rows = ['%d,"product, %d%s",%d.5' % (i, i, "\nsecond line" if i % 3 == 0 else "", i) for i in range(1, 100001)]
    good = ("id,name,price\n" + "\n".join(rows)).encode()
    assert len(good) > 2 << 20
    bad = good.replace(b"\n99990,", b"\n12,", 1)  # a duplicate key near the end
    results = []
    for n in ("4", "1"):
        monkeypatch.setenv("SLOTS_LOAD_THREADS", n)
        s = Product.store()
        assert s.load_csv(good) == 100000
        with pytest.raises(KeyError) as info:
            Product.store().load_csv(bad)
        results.append((s.dump_jsonl(), str(info.value), info.value.line))
    assert results[0] == results[1]
    assert "duplicate key 12" in results[0][1]


def test_skip_bad(slots, Product):
    s = Product.store()
    res = s.load_jsonl(b'{"id": 1, "name": "a"}\n{"id": "x"}\n{"id": 2, "name": "b"}\n{"id": 1, "name": "d"}\n',
                       skip_bad=True)
    assert isinstance(res, slots.LoadResult)
    assert (res.loaded, res.skipped) == (2, 2)
    assert len(res.errors) == 2 and res.errors[0].startswith("line 2") and "line 4" in res.errors[1]
    assert [r.id for r in s] == [1, 2]


def test_dump_jsonl_round_trip(Product, store, tmp_path):
    text = store.dump_jsonl()
    assert isinstance(text, bytes) and text.count(b"\n") == 5
    assert text.splitlines()[0] == b'{"id":1,"name":"p1","price":1.5,"qty":1}'
    p = tmp_path / "out.jsonl"
    assert store.dump_jsonl(p) is None
    assert p.read_bytes() == text
    s2 = Product.store()
    s2.load_jsonl(p)
    assert list(s2) == list(store)


def test_csv_round_trip_with_quoting(Product, tmp_path):
    s = Product.store()
    names = ['plain', 'comma, inside', 'quote " inside', 'new\nline', '', ' spaced ', 'é✓']
    for i, n in enumerate(names):
        s.append(i, n, i / 4)
    text = s.dump_csv()
    assert text.startswith(b"id,name,price,qty\r\n") or text.startswith(b"id,name,price,qty\n")
    assert b'"comma, inside"' in text and b'"quote "" inside"' in text
    s2 = Product.store()
    assert s2.load_csv(text) == len(names)
    assert [r.name for r in s2] == names
    assert list(s2) == list(s)
    p = tmp_path / "x.csv"
    s.dump_csv(p)
    s3 = Product.store()
    assert s3.load_csv(p) == len(names) and list(s3) == list(s)
    assert s3.load_csv(text="id,name\n100,x\n") == 1 and s3.get(100).price == 0.0


def test_bad_csv(Product, store):
    with pytest.raises(AttributeError, match="age"):
        store.load_csv(b"id,name,age\n1,a,3\n")
    with pytest.raises(ValueError, match=r"invalid literal for int\(\) with base 10: 'x'") as info:
        store.load_csv(b"id,name\n10,a\nx,b\n")
    assert info.value.line == 3
    assert len(store) == 5
    res = store.load_csv(b"id,name\n10,a\nx,b\n11,c\n", skip_bad=True)
    assert (res.loaded, res.skipped) == (2, 1)


# ---- columns -------------------------------------------------------------------------------

def test_columns_typecodes_and_values(slots):
    T = slots.define("Cols", "b: bool, i8: i8, u8: u8, i16: i16, u16: u16, i32: i32, u32: u32, "
                             "i64: i64, u64: u64, f32: f32, f64: f64, s: str = ''")
    s = T.store()
    s.append(True, -1, 255, -300, 60000, -70000, 4000000000, -(2 ** 40), 2 ** 64 - 1, 1.5, 2.25)
    s.append(False, 2, 3, 4, 5, 6, 7, 8, 9, -0.5, 1e300)
    want = {"b": ("B", [1, 0]), "i8": ("b", [-1, 2]), "u8": ("B", [255, 3]), "i16": ("h", [-300, 4]),
            "u16": ("H", [60000, 5]), "i32": ("i", [-70000, 6]), "u32": ("I", [4000000000, 7]),
            "i64": ("q", [-(2 ** 40), 8]), "u64": ("Q", [2 ** 64 - 1, 9]), "f32": ("f", [1.5, -0.5]),
            "f64": ("d", [2.25, 1e300])}
    for name, (tc, values) in want.items():
        col = s.column(name)
        assert isinstance(col, array.array) and col.typecode in (tc, tc.replace("i", "l").replace("I", "L"))
        assert col.tolist() == values, name
        assert memoryview(col).nbytes == 2 * col.itemsize
    with pytest.raises(TypeError):
        s.column("s")
    with pytest.raises(AttributeError):
        s.column("nope")
    assert T.store().column("f64").tolist() == []


def test_column_unset_reads_nan_and_zero(slots):
    T = slots.define("ColsUnset", "a: i64 optional, x: f64 optional")
    s = T.store()
    s.append(None, None)
    s.append(3, 1.0)
    assert s.column("a").tolist() == [0, 3]
    x = s.column("x")
    assert math.isnan(x[0]) and x[1] == 1.0
    assert s.aggregate("x").count == 1 and s.sum("x") == 1.0


def test_set_column(slots, Product, store):
    store.set_column("price", [10, 20, 30, 40, 50.5])
    assert [r.price for r in store] == [10.0, 20.0, 30.0, 40.0, 50.5]
    store.set_column("qty", array.array("i", [5, 4, 3, 2, 1]))
    assert store.column("qty").tolist() == [5, 4, 3, 2, 1]
    store.set_column("price", store.column("qty").tolist())
    store.set_column("qty", memoryview(array.array("q", [1, 2, 3, 4, 5])))  # converted
    assert store.column("qty").tolist() == [1, 2, 3, 4, 5]
    before = store.column("qty").tolist()
    with pytest.raises(ValueError):
        store.set_column("qty", [1, 2])  # wrong count
    with pytest.raises(OverflowError):
        store.set_column("qty", [1, 2, 3, 4, 2 ** 40])
    with pytest.raises(ValueError):
        store.set_column("id", [1, 2, 3, 4, 5])  # the key field
    assert store.column("qty").tolist() == before


def test_aggregates(Product, store):
    assert store.sum("price") == pytest.approx(22.5)
    assert store.sum("qty") == 15 and isinstance(store.sum("qty"), int)
    a = store.aggregate("price")
    assert (a.count, a.min, a.max) == (5, 1.5, 7.5)
    assert store.min("qty") == 1 and store.max("qty") == 5 and isinstance(store.max("qty"), int)
    empty = type(store.rows[0]).store()
    with pytest.raises(ValueError):
        empty.min("price")
    assert math.isnan(empty.aggregate("price").min)
    with pytest.raises(TypeError):
        store.sum("name")


def test_numpy_frombuffer_if_available(Product, store):
    np = pytest.importorskip("numpy")
    a = np.frombuffer(store.column("price"), dtype=np.float64)
    assert a.sum() == pytest.approx(22.5)
    store.set_column("price", a * 2)
    assert store.sum("price") == pytest.approx(45.0)
