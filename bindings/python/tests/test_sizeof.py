"""sys.getsizeof tells the truth: a store counts the bytes it holds in C, a record its record bytes."""
import gc
import sys


def _classes(slots):
    @slots.record
    class Item:
        id: int = slots.key()
        name: str = ""
        price: float = 0.0

    return Item


def test_store_sizeof_counts_c_memory(slots):
    Item = _classes(slots)
    store = Item.store()
    empty = sys.getsizeof(store)
    assert empty >= object.__sizeof__(store) + store.memory_usage()
    for i in range(2000):
        store.append(i, "a name long enough to live out of line %d" % i, i * 0.5)
    full = sys.getsizeof(store)
    assert full - empty >= 2000 * Item.memory_usage(detail=True)["record_size"]
    assert store.__sizeof__() == object.__sizeof__(store) + store.memory_usage()
    assert store.memory_usage() >= 2000 * Item.memory_usage(detail=True)["record_size"]
    store.drop()
    assert store.__sizeof__() == object.__sizeof__(store)  # never raises once dropped


def test_record_sizeof_counts_record_bytes(slots):
    Item = _classes(slots)
    size = Item.memory_usage(detail=True)["record_size"]
    assert size > 0
    r = Item(1, "x", 2.0)
    assert r.__sizeof__() == object.__sizeof__(r) + size
    assert sys.getsizeof(r) >= object.__sizeof__(r) + size
    store = Item.store()
    s = store.append(2, "y")
    assert s.__sizeof__() == object.__sizeof__(s)  # the store's bytes: counted by getsizeof(store)


def test_store_proxies_do_not_count_the_store_bytes_twice(slots):
    Item = _classes(slots)
    store = Item.store()
    store.load_jsonl(b"".join(b'{"id": %d}\n' % i for i in range(100)))
    proxies = list(store)
    total = store.__sizeof__() + sum(p.__sizeof__() for p in proxies)  # getsizeof adds GC headers
    assert total == object.__sizeof__(store) + store.memory_usage() + sum(object.__sizeof__(p) for p in proxies)


def _traced(slots, snapshot):
    import tracemalloc
    return sum(t.size for t in snapshot.filter_traces([tracemalloc.DomainFilter(True, slots.TRACEMALLOC_DOMAIN)]).traces)


def test_tracemalloc_sees_store_memory(slots):
    import tracemalloc
    Item = _classes(slots)
    rows = b"".join(b'{"id": %d, "name": "a name long enough to live out of line %d"}\n' % (i, i) for i in range(5000))
    tracemalloc.start(25)
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = Item.store()
        store.load_jsonl(rows)
        snap = tracemalloc.take_snapshot()
        assert _traced(slots, snap) == store.memory_usage() > 5000 * 20
        assert tracemalloc.get_traced_memory()[0] - before >= store.memory_usage()
        # the trace's traceback leads to the load's line
        stat = snap.filter_traces([tracemalloc.DomainFilter(True, slots.TRACEMALLOC_DOMAIN)]).statistics("traceback")[0]
        assert any(f.filename == __file__ for f in stat.traceback)
        store.reserve(50000)
        assert _traced(slots, tracemalloc.take_snapshot()) == store.memory_usage()
        other = Item.store()
        other.append(1)  # a single append is not re-reported by itself ...
        n_other = other.memory_usage()  # ... reading the size (or getsizeof, a load) catches up
        assert _traced(slots, tracemalloc.take_snapshot()) == store.memory_usage() + n_other
        store.drop()
        assert _traced(slots, tracemalloc.take_snapshot()) == other.memory_usage()
        del other
        gc.collect()  # a store and its handle class form a cycle
        assert _traced(slots, tracemalloc.take_snapshot()) == 0
    finally:
        tracemalloc.stop()


def test_no_trace_without_tracemalloc(slots):
    import tracemalloc
    assert not tracemalloc.is_tracing()
    Item = _classes(slots)
    store = Item.store()
    store.load_jsonl(b'{"id": 1}\n')
    tracemalloc.start()
    try:
        assert _traced(slots, tracemalloc.take_snapshot()) == 0  # nothing reported while not tracing
        store.memory_usage()
        assert _traced(slots, tracemalloc.take_snapshot()) == store.memory_usage()
    finally:
        tracemalloc.stop()
