"""Store semantics (issue 14): a store whose class has a key field is a mapping from key to record, as
a dict is (store[key], get, in, del, pop, keys/values/items, len; iteration gives the records);
positions go through store.rows; a store without a key field is only rows."""
import collections.abc
import copy

import pytest


@pytest.fixture
def store(slots):
    s = slots.define("Priced", "id: i64 key, name: str, price: f64 = 0").store()
    for i in (10, 20, 30):
        s.append(i, "p%d" % i, i / 2)
    return s


@pytest.fixture
def Product(store):
    return store.record_class


def test_getitem_is_by_key_not_position(store):
    assert store[20].name == "p20"
    for missing in (0, 1, -1, 2 ** 64):  # positions are not keys
        with pytest.raises(KeyError) as e:
            store[missing]
        assert e.value.args == (missing,)
    with pytest.raises(TypeError, match="keys are int, not slice"):
        store[0:2]
    assert store.rows[0].id == 10 and store.rows[-1].id == 30 and [r.id for r in store.rows[1:]] == [20, 30]


def test_get_is_dict_get(store):
    assert store.get(30).name == "p30"
    assert store.get(31) is None and store.get(31, "dflt") == "dflt"
    assert store.get(key=31, default=5) == 5
    with pytest.raises(TypeError, match="keys are int, not str"):
        store.get("30")  # a wrong-typed key is a bug, not a miss


def test_contains_keys_and_records(Product, store):
    assert 10 in store and 11 not in store and "10" not in store and None not in store
    r = store[10]
    assert r in store and store.rows[0] in store and r in store.rows  # store[k] in store
    assert Product(10, "p10", 5.0) not in store  # equal, but not one of the store's records
    assert copy.copy(r) not in store
    other = Product.store()
    assert other.append(10, "p10", 5.0) not in store and r not in other
    store.remove(r)
    assert r not in store and 10 not in store


def test_delitem_and_pop(slots, Product, store):
    r = store[20]
    del store[20]
    assert 20 not in store and len(store) == 2
    with pytest.raises(KeyError):
        del store[20]
    with pytest.raises(slots.StaleRecordError):
        r.name
    p = store.pop(10)
    assert type(p) is Product and (p.id, p.name, p.price) == (10, "p10", 5.0)
    assert 10 not in store and p not in store
    p.name = "mine"  # a record of its own now
    assert p.name == "mine"
    assert store.pop(10, None) is None
    with pytest.raises(KeyError):
        store.pop(10)
    with pytest.raises(TypeError):
        store.pop("x", None)
    assert [r.id for r in store] == [30]


def test_keys_values_items(store):
    assert list(store.keys()) == [10, 20, 30] and len(store.keys()) == 3
    assert 20 in store.keys() and 21 not in store.keys() and store[20] not in store.keys()
    assert store.keys() & {20, 40} == {20}
    assert isinstance(store.keys(), collections.abc.KeysView)
    assert [r.id for r in store.values()] == [10, 20, 30]
    assert store[10] in store.values() and len(store.values()) == 3
    items = list(store.items())
    assert [(k, r.name) for k, r in items] == [(10, "p10"), (20, "p20"), (30, "p30")]
    assert (20, store[20]) in store.items() and (20, store[10]) not in store.items()
    assert ("x", store[10]) not in store.items()
    d = dict(store)  # dict() takes anything with keys() and []
    assert sorted(d) == [10, 20, 30] and d[30].name == "p30"
    keys = store.keys()
    store.append(40, "p40")
    assert list(keys) == [10, 20, 30, 40]  # views follow the store, as dict views do


def test_iteration_gives_records(store):
    assert [r.id for r in store] == [10, 20, 30] == [r.id for r in store.rows]
    assert [r.id for r in reversed(store.rows)] == [30, 20, 10]
    assert len(store.rows) == len(store) == 3 and store.rows.index(store[20]) == 1


def test_rows_after_removal(store):
    store.remove(store.rows[0])
    assert [r.id for r in store.rows] == [20, 30] and store.rows[0].id == 20 and store[20].id == 20
    with pytest.raises(IndexError):
        store.rows[2]


def test_str_keys(slots):
    City = slots.define("City", "code: str key, pop: i64 = 0")
    s = City.store()
    s.append("OSL", 7)
    assert s["OSL"].pop == 7 and "OSL" in s and 0 not in s and s.get("BER") is None
    with pytest.raises(KeyError):
        s["BER"]
    with pytest.raises(TypeError, match="keys are str, not int"):
        s[0]
    assert dict(s.items())["OSL"].pop == 7
    del s["OSL"]
    assert len(s) == 0


def test_no_key_store_is_rows_only(slots):
    Point = slots.define("Point", "x: f64, y: f64")
    s = Point.store()
    p = s.append(1.0, 2.0)
    for use in (lambda: s[0], lambda: s.get(0), lambda: 0 in s, lambda: s.keys(), lambda: s.pop(0)):
        with pytest.raises(TypeError, match=r"Point has no key field.*store\.rows"):
            use()
    assert s.rows[0].x == 1.0 and p in s and Point(1.0, 2.0) not in s
    assert [r.y for r in s] == [2.0] == [r.y for r in s.values()]


def test_dropped_store(slots, store):
    r = store[10]
    store.drop()
    stale = slots.StaleRecordError
    for use in (lambda: store[10], lambda: store.get(10), lambda: 10 in store, lambda: r in store,
                lambda: store.rows[0], lambda: list(store.keys())):
        with pytest.raises(stale):
            use()
