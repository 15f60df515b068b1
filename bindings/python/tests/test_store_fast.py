"""Store.extend, and what the compiled backend's C paths (record base, __init__ plan, Store
iteration / get / append / extend in C) must keep exactly as the Python code has it: lifetimes,
stale errors, subclassing, pickling, copying, repr and equality. Runs on every backend."""
import copy
import gc
import pickle
import weakref

import pytest


@pytest.fixture
def Item(slots):
    @slots.record
    class Item:
        id: int = slots.key()
        name: str
        price: float = 0.5
    return Item


def test_extend_takes_tuples_dicts_and_records(slots, Item):
    s = Item.store()
    other = Item(9, "nine", 9.5)
    assert s.extend([(1, "a", 1.5), (2, "b"), {"id": 3, "name": "c", "price": 3.5}, {"id": 4, "name": "d"},
                     other]) is None
    assert [(r.id, r.name, r.price) for r in s] == [(1, "a", 1.5), (2, "b", 0.5), (3, "c", 3.5),
                                                   (4, "d", 0.5), (9, "nine", 9.5)]
    assert s.get(9) == other and s.get(9) is not other  # a copy of the record's fields
    s.extend(())
    s.extend((i, "g%d" % i) for i in range(10, 13))  # any iterable
    assert len(s) == 8 and s.get(12).name == "g12"
    t = Item.store()
    t.extend(s)  # records of the class, from a store
    assert [r.id for r in t] == [r.id for r in s]
    with pytest.raises(KeyError, match="row 0: duplicate key"):  # itself: its records as they are
        t.extend(t)
    assert len(t) == 8


def test_extend_names_the_failing_row_and_keeps_the_rows_before_it(slots, Item):
    s = Item.store()
    with pytest.raises(TypeError, match=r"^extend\(\) row 2: field 'name' of 'Item' expects str, got int$"):
        s.extend([(1, "a"), (2, "b"), (3, 4), (5, "e")])
    assert [r.id for r in s] == [1, 2]  # the failing row changed nothing; later rows were not read
    with pytest.raises(TypeError, match=r"^extend\(\) row 0: .*missing 1 required positional argument: 'name'"):
        s.extend([(7,)])
    with pytest.raises(TypeError, match=r"^extend\(\) row 1: .*unexpected keyword argument 'colour'"):
        s.extend([{"id": 7, "name": "x"}, {"id": 8, "name": "y", "colour": "red"}])
    with pytest.raises(TypeError, match=r"^extend\(\) row 0: a row is a tuple, a dict or a Item record, not int"):
        s.extend([5])
    with pytest.raises(KeyError) as e:  # a duplicate key, as append says it
        s.extend([(1, "duplicate key")])
    assert e.value.args[0].startswith("extend() row 0: duplicate key 1")
    assert [r.id for r in s] == [1, 2, 7]
    with pytest.raises(TypeError):
        s.extend(5)  # not iterable: Python's own error, before any row


def test_extend_rows_through_a_custom_init(slots):
    @slots.record
    class Scaled:
        id: int = slots.key()
        v: float = 0.0

        def __init__(self, id, v=1.0):
            self.id = id
            self.v = v * 10
    s = Scaled.store()
    s.extend([(1,), (2, 2.0), {"id": 3}])
    assert [(r.id, r.v) for r in s] == [(1, 10.0), (2, 20.0), (3, 10.0)]


def test_extend_on_a_dropped_store(slots, Item):
    s = Item.store()
    s.drop()
    with pytest.raises(slots.StaleRecordError):
        s.extend([(1, "a")])


def test_store_proxies_keep_the_store_alive(slots, Item):
    s = Item.store()
    s.extend([(1, "a"), (2, "b")])
    alive = weakref.ref(s)
    from_iter, from_get, from_append = next(iter(s)), s.get(2), s.append(3, "c")
    del s
    gc.collect()
    assert alive() is not None  # the proxies hold it
    assert (from_iter.name, from_get.name, from_append.name) == ("a", "b", "c")
    del from_iter, from_get
    gc.collect()
    assert alive() is not None and from_append.id == 3
    del from_append
    gc.collect()
    assert alive() is None


def test_dropping_a_proxy_never_frees_a_store_record(slots, Item):
    s = Item.store()
    s.extend((i, "n") for i in range(300))
    before = slots.live_records(Item)
    for r in s:
        pass
    del r
    for i in range(300):
        s.get(i)
    gc.collect()
    assert len(s) == 300 and slots.live_records(Item) == before
    assert sum(r.id for r in s) == sum(range(300))


def test_owned_records_are_freed_with_their_proxy(slots, Item):
    gc.collect()
    before = slots.live_records(Item)
    rs = [Item(i, "x") for i in range(50)]
    assert slots.live_records(Item) == before + 50
    del rs
    gc.collect()
    assert slots.live_records(Item) == before


def test_proxies_outliving_a_dropped_store_are_stale(slots, Item):
    s = Item.store()
    s.extend([(1, "a"), (2, "b")])
    rs = [next(iter(s)), s.get(2), s.append(3, "c")]
    it = iter(s)
    s.drop()
    for r in rs:
        with pytest.raises(slots.StaleRecordError):
            r.name
        with pytest.raises(slots.StaleRecordError):
            r.price = 1.0
        with pytest.raises(slots.StaleRecordError):
            repr(r)
    with pytest.raises(slots.StaleRecordError, match="the store was dropped"):
        list(it)
    with pytest.raises(slots.StaleRecordError):
        s.append(4, "d")
    with pytest.raises(slots.StaleRecordError):
        s.get(1)


def test_handles_owned_and_borrowed(slots, Item):
    own = Item(1, "a")
    assert type(own._h) is int
    s = Item.store()
    s.append(2, "b")
    for r in (next(iter(s)), s.get(2)):
        assert isinstance(r._h, int) and type(r._h) is not int  # borrowed: the store owns it
        assert r._h == s.get(2)._h


def test_subclasses_of_record_classes(slots, Item):
    class Priced(Item):
        qty: int = 0

        def total(self):
            return self.price * self.qty

    class Logged(Item):
        def __post_init__(self):
            self.name = self.name.upper()

    p = Priced(1, "a", 2.0, 3)
    assert (p.id, p.name, p.total()) == (1, "a", 6.0) and isinstance(p, Item)
    s = Priced.store()
    s.extend([(1, "a", 2.0, 3), {"id": 2, "name": "b", "qty": 4}])
    s.append(3, "c", qty=1)
    assert [r.total() for r in s] == [6.0, 2.0, 0.5] and type(s.get(2)) is Priced
    assert Logged(1, "quiet").name == "QUIET"
    ls = Logged.store()
    ls.extend([(1, "x")])
    assert ls.get(1).name == "X"
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'name'"):
        Priced(1)


def test_init_signature_and_reinit(slots, Item):
    import inspect
    assert list(inspect.signature(Item).parameters) == ["id", "name", "price"]
    r = Item(1, "a")
    Item.__init__(r, 2, "b", 2.5)  # the generated __init__ called again: a new record
    assert (r.id, r.name, r.price) == (2, "b", 2.5)
    r.__init__(3, name="c")
    assert (r.id, r.name, r.price) == (3, "c", 0.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        Item(1, "a", nope=1)
    with pytest.raises(TypeError, match="multiple values for argument 'id'"):
        Item(1, "a", id=2)


def test_pickle_copy_repr_eq_of_store_proxies(slots, models):
    s = models.Product.store()
    s.extend([(1, "a", 1.5, 2), {"id": 2, "name": "b"}])
    r = next(iter(s))
    assert repr(r) == "Product(id=1, name='a', price=1.5, tags=2)"
    back = pickle.loads(pickle.dumps(r))
    assert back == r and type(back._h) is int  # a standalone record
    c = copy.copy(r)
    assert c == r and c is not r and type(c._h) is int
    c.name = "changed"
    assert r.name == "a" and c != r
    assert copy.deepcopy(r) == r
    assert r != models.Product(1, "a", 1.5, 3)


def test_store_calls_while_a_load_with_a_validator_runs(slots):
    """A load holds its store's lock and runs the Python validator on its thread: appends, lookups
    and extends of that store from another thread meanwhile wait for the load (or not) but never
    deadlock against the GIL the validator needs."""
    import threading

    @slots.record
    class Loaded:
        id: int = slots.key()
        v: int = 0

    seen = []

    @Loaded.validator("v")
    def check(rec, value):
        seen.append(value)  # Python on the loading thread, with the store's lock held
        return None
    s = Loaded.store()
    s.append(-1)
    data = b"".join(b'{"id": %d, "v": %d}\n' % (i, i) for i in range(20000))
    done = []
    t = threading.Thread(target=lambda: done.append(s.load_jsonl(data)))
    t.start()
    n = 0
    while t.is_alive() and n < 200000:
        assert s.get(-1).id == -1
        s.append(-2 - n)
        s.extend([(-100000 - n,)])
        n += 1
    t.join(120)  # a deadlock would hang here: fail instead
    assert not t.is_alive() and done == [20000] and len(seen) >= 20000
    assert len(s) == 20001 + 2 * n
