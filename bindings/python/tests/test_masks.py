"""store.column(name, nulls=True): values and a null mask read together, so an unset or null cell
is never taken for a real 0 — on every numeric kind and every backend."""
import array
import math

import pytest

KINDS = ("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64")


def _store(slots, rows):
    """Row i of each field holds 0 (i % 3 == 0), None (1) or nothing (2); every fifth is removed."""
    T = slots.define("Masks", ", ".join("%s: %s optional" % (k, k) for k in KINDS))
    s = T.store()
    want = []
    for i in range(rows):
        zero = [False if k == "bool" else 0.0 if k.startswith("f") else 0 for k in KINDS]
        r = s.append(*(zero if i % 3 == 0 else [None] * len(KINDS)))
        if i % 3 == 2:
            for k in KINDS:
                delattr(r, k)
        if i % 5 == 4:
            s.remove(r)
        else:
            want.append(i % 3 != 0)
    return s, want


@pytest.mark.parametrize("rows", [0, 1, 8, 151])
def test_mask_tells_zero_from_null_and_unset(slots, rows):
    s, want = _store(slots, rows)
    for k in KINDS:
        values, mask = s.column(k, nulls=True)
        assert isinstance(values, array.array) and values.tobytes() == s.column(k).tobytes()
        assert isinstance(mask, memoryview) and mask.format == "?" and mask.itemsize == 1
        assert list(mask) == want, k
        for v, null in zip(values, mask):
            assert (math.isnan(v) if k.startswith("f") and null else v == 0), k


def test_mask_without_nulls_and_wrong_fields(slots):
    T = slots.define("MasksPlain", "n: i32, name: str = ''")
    s = T.store()
    for i in range(20):
        s.append(i)
    values, mask = s.column("n", nulls=True)
    assert values.tolist() == list(range(20)) and list(mask) == [False] * 20
    with pytest.raises(TypeError):
        s.column("name", nulls=True)
    with pytest.raises(AttributeError):
        s.column("nope", nulls=True)
    s.drop()
    with pytest.raises(slots.StaleRecordError):
        s.column("n", nulls=True)


def test_mask_is_what_numpy_ma_takes(slots):
    np = pytest.importorskip("numpy")
    s, want = _store(slots, 30)
    values, mask = s.column("i64", nulls=True)
    m = np.ma.masked_array(np.frombuffer(values, dtype=np.int64), mask=np.asarray(mask))
    assert m.count() == want.count(False) and list(np.asarray(mask)) == want
