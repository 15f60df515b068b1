"""Integers out of a C argument's range are refused before they reach C, on every backend (ctypes
would wrap them: store[2**64] was store[0]); and the SLOTS_EBUSY status maps to slots.BusyError."""
import ctypes

import pytest


@pytest.fixture
def store(slots):
    """A store of three records, 1..3, of a type with a u8 field; store.record_class is the type."""
    Ranged = slots.define("Ranged", "id: i64 key, name: str = '', qty: u8 = 0")
    s = Ranged.store()
    s.load_jsonl(b"".join(b'{"id": %d, "name": "p%d"}\n' % (i, i) for i in (1, 2, 3)))
    return s


@pytest.fixture
def Product(store):
    return store.record_class


class Index(object):
    """An integer-like index (as numpy integers are)."""

    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


def test_store_position_beyond_size_t_is_overflow(store):
    for i in (2 ** 64, 2 ** 64 + 1, 2 ** 200, Index(2 ** 64)):
        with pytest.raises(OverflowError, match="store index .* does not fit in size_t"):
            store.rows[i]
    # in range but past the end: IndexError as before; negative beyond the start too
    for i in (3, 2 ** 64 - 1, 2 ** 63, -4, -(2 ** 64), -(2 ** 200)):
        with pytest.raises(IndexError):
            store.rows[i]
    assert store.rows[Index(0)].id == 1 and store.rows[-1].id == 3


def test_reserve_count_out_of_range(store):
    before = store.memory_usage()
    for n in (2 ** 64, 2 ** 64 + 5, -1, -(2 ** 64)):
        with pytest.raises(OverflowError, match="reserve count"):
            store.reserve(n)
    with pytest.raises(TypeError):
        store.reserve("10")
    assert len(store) == 3 and store.memory_usage() == before
    store.reserve(Index(100))
    assert len(store) == 3


def test_keys_beyond_64_bits_are_absent(store):
    for k in (2 ** 64, -(2 ** 63) - 1, -(2 ** 64), -(2 ** 64) + 1):
        with pytest.raises(KeyError):
            store[k]
        assert store.get(k) is None and store.get(k, 0) == 0
        assert k not in store
    assert store.get(2).id == 2


def test_field_values_out_of_range(Product, store):
    r = store.rows[0]
    for v in (2 ** 64, -(2 ** 63) - 1, 2 ** 100):
        with pytest.raises(OverflowError):
            r.id = v
    for v in (256, -1, 2 ** 64):
        with pytest.raises(OverflowError):
            r.qty = v
    assert (r.id, r.qty) == (1, 0)
    with pytest.raises(OverflowError):
        Product(5, "x", 2 ** 64 + 1)


def test_raw_size_t_arguments_never_wrap(slots, store):
    """The backend itself refuses a size_t argument that does not fit (ctypes: a checked argtype,
    whose OverflowError ctypes wraps in its ArgumentError; cffi: its own conversion), so even a raw
    call cannot pass a wrapped count."""
    s = store._live()
    refused = (OverflowError, ctypes.ArgumentError)
    with pytest.raises(refused, match="OverflowError|too big|does not fit"):
        slots._lib._fn.slots_store_reserve(s, 2 ** 64 + 5)
    with pytest.raises(refused, match="OverflowError|negative|does not fit"):
        slots._lib._fn.slots_store_reserve(s, -1)
    assert len(store) == 3


def test_native_method_results_are_range_checked(slots, Product):
    Product.bind_method("small", "i8(self, i64)", fn=lambda self, v: v)
    Product.bind_method("unsigned", "u16(self, i64)", fn=lambda self, v: v)
    p = Product(1)
    assert p.small(-128) == -128 and p.small(127) == 127 and p.unsigned(65535) == 65535
    for m, v in ((p.small, 128), (p.small, 300), (p.small, -129), (p.unsigned, -1), (p.unsigned, 65536)):
        with pytest.raises(OverflowError, match="result of native method"):
            m(v)


def test_function_address_out_of_range(slots, Product):
    with pytest.raises(OverflowError, match="function address"):
        Product.bind_method("nowhere", "f64(f64)", fn=2 ** 64 + 8)
    with pytest.raises(OverflowError, match="function address"):
        Product.bind_method("nowhere", "f64(f64)", fn=-1)


def test_busy_status_maps_to_busy_error(slots):
    assert slots.BusyError.__mro__[1] is RuntimeError and "BusyError" in slots.__all__
    assert slots._lib.EBUSY == -15
    exc = slots._errors._error(slots._lib.EBUSY)
    assert type(exc) is slots.BusyError and exc.status == -15
    assert isinstance(exc, RuntimeError) and not isinstance(exc, slots.StaleRecordError)
    assert slots._lib._fn.slots_strerror(-15) == "SLOTS_EBUSY"
