"""sys.getsizeof tells the truth: a store counts the bytes it holds in C, a record its record bytes."""
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
    assert s.__sizeof__() == object.__sizeof__(s) + size
