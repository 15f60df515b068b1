"""Random values of random types into random fields, and calls with freed or forged handles: every
outcome is a value or a Python exception, never a crash."""
import gc
import math
import random

import pytest

KINDS = ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "str", "bytes"]

VALUES = [None, True, False, 0, 1, -1, 127, 128, 255, 256, -129, 2 ** 15, 2 ** 31, -2 ** 31 - 1,
          2 ** 32, 2 ** 40, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63, -2 ** 63 - 1,
          2 ** 200, -2 ** 200, 0.0, -0.0, 1.5, 1e300, -1e300, 3.4e38, 3.5e38, math.inf, -math.inf,
          math.nan, "", "x", "é✓", "\x00", "\ud800", "y" * 5000, b"", b"\x00\xff", bytearray(b"ab"),
          memoryview(b"mv"), [], {}, (), object(), 1j, type, print]

EXPECTED = (TypeError, ValueError, OverflowError, AttributeError, ReferenceError)


def _check(value, kind, got):
    """A value that went in comes back out as the same Python value (within the kind)."""
    if kind == "bool":
        assert got is value
    elif kind in ("f32", "f64"):
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(got)
        elif kind == "f64":
            assert got == float(value)
        else:
            assert got == pytest.approx(float(value), rel=1e-6) or math.isinf(got)
    elif kind == "str":
        assert got == value
    elif kind == "bytes":
        assert got == bytes(value)
    else:
        assert got == int(value)


def test_random_values_into_random_fields(slots):
    rng = random.Random(1234)
    spec = ", ".join("f%d: %s optional" % (i, k) for i, k in enumerate(KINDS))
    T = slots.define("FuzzAll", spec)
    recs = [T(*([None] * len(KINDS))) for _ in range(4)]
    for _ in range(4000):
        r = rng.choice(recs)
        i = rng.randrange(len(KINDS))
        name, kind = "f%d" % i, KINDS[i]
        value = rng.choice(VALUES)
        before = getattr(r, name, "<unset>")
        try:
            setattr(r, name, value)
        except EXPECTED:
            after = getattr(r, name, "<unset>")  # a failed set changes nothing
            assert after is before or after == before or (isinstance(after, float) and math.isnan(after))
            continue
        got = getattr(r, name)
        if value is None:
            assert got is None
        else:
            _check(value, kind, got)
        if rng.random() < 0.05:
            try:
                delattr(r, name)
            except AttributeError:
                pass


def test_random_constructor_arguments(slots):
    rng = random.Random(99)
    T = slots.define("FuzzCtor", "a: i32, b: str = 'd', c: f64 = 0, d: bool = false")
    for _ in range(2000):
        args = [rng.choice(VALUES) for _ in range(rng.randrange(0, 6))]
        try:
            r = T(*args)
        except EXPECTED:
            continue
        assert isinstance(r.a, int)


def test_freed_and_forged_handles(slots):
    P = slots.define("FuzzStale", "id: i64, name: str, x: f64 = 0, b: bool = false, by: bytes = ''")
    p = P(1, "a")
    q = P(2, "b")
    dead = p._h
    slots._lib._fn.slots_free(dead)  # free the record behind the proxy's back
    calls = [lambda: p.id, lambda: p.name, lambda: p.x, lambda: p.b, lambda: p.by, lambda: repr(p),
             lambda: setattr(p, "id", 5), lambda: setattr(p, "name", "z"), lambda: delattr(p, "x"),
             lambda: p == q, lambda: p.to_json(), lambda: slots.asdict(p), lambda: __import__("copy").copy(p)]
    for call in calls:
        with pytest.raises(slots.StaleRecordError):
            call()
    assert issubclass(slots.StaleRecordError, ReferenceError)
    assert q.name == "b"  # others unaffected
    rng = random.Random(7)
    forged = [0, 1, 2 ** 64 - 1, dead + 1, dead ^ (1 << 40), q._h + 1, q._h + (1 << 28)] + \
             [rng.getrandbits(64) for _ in range(300)]
    for h in forged:
        if h == q._h:
            continue
        r = object.__new__(P)
        slots._handles._hslot.__set__(r, h)
        for call in (lambda: r.id, lambda: r.name, lambda: setattr(r, "id", 1), lambda: repr(r),
                     lambda: r.to_json(), lambda: r == q):
            with pytest.raises(slots.StaleRecordError):
                call()
        slots._handles._hslot.__set__(r, 0)  # its __del__ frees handle 0: refused, ignored
    # Handles of a wrong Python type in the internal slot (the `_h` slot, or the C base's `_h`): an
    # exception (ctypes raises its
    # ArgumentError, cffi TypeError/OverflowError), not a crash.
    import ctypes
    for bad in (-1, 2 ** 64, "x", None, 1.5):
        r = object.__new__(P)
        with pytest.raises((TypeError, OverflowError, ValueError, slots.StaleRecordError,
                            ctypes.ArgumentError)):
            slots._handles._hslot.__set__(r, bad)  # the compiled backend refuses it here
            r.id
        slots._handles._hslot.__set__(r, 0)
    p = None  # the old proxy's __del__ frees an already freed handle: refused, ignored
    gc.collect()


def test_handles_of_freed_records_are_not_reused(slots):
    P = slots.define("FuzzReuse", "id: i64")
    old = P(1)
    h = old._h
    r = object.__new__(P)
    del old
    gc.collect()
    new = P(2)  # likely takes the freed slot, with a new generation
    slots._handles._hslot.__set__(r, h)
    if new._h != h:
        with pytest.raises(slots.StaleRecordError):
            r.id
    slots._handles._hslot.__set__(r, 0)
    assert new.id == 2


def test_random_json(slots):
    rng = random.Random(5)
    T = slots.define("FuzzJson", "id: i64, name: str = '', v: f64 = 0, ok: bool = false, u: u8 = 0")
    pieces = ['{', '}', '"id"', '"name"', '"v"', '"ok"', '"u"', ':', ',', '1', '-1', '1e999', '300',
              '"x"', 'true', 'null', '[', ']', '"\\u00e9"', '"\\ud800"', '0.5', ' ', '"\\', '\x00', '\xff']
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        try:
            T.from_json(text)
        except (ValueError, TypeError, OverflowError, AttributeError, KeyError):
            pass


def test_random_store_operations(slots):
    """Random appends, removals, lookups, sets, bulk loads (good and bad) and clears against a
    dict model: the store always agrees with the model, and no operation crashes."""
    rng = random.Random(2024)
    T = slots.define("FuzzStore", "id: i64 key, name: str = '', price: f64 = 0, n: u8 = 0")
    s = T.store()
    model = {}  # id -> (name, price, n)
    proxies = []

    def check():
        assert len(s) == len(model)
        got = {r.id: (r.name, r.price, r.n) for r in s}
        assert got == model
        assert s.sum("n") == sum(v[2] for v in model.values())
        assert sorted(s.column("id").tolist()) == sorted(model)

    for step in range(1500):
        op = rng.random()
        if op < 0.3:
            k = rng.randrange(-5, 60)
            args = (k, rng.choice(["", "a", "é", "x" * 30]), rng.choice([0.0, 1.5, -2.0]), rng.choice([0, 7, 255, 256, -1]))
            try:
                r = s.append(*args)
            except (KeyError, OverflowError):
                assert k in model or args[3] not in range(256)
            else:
                assert k not in model
                model[k] = args[1:]
                proxies.append(r)
        elif op < 0.4 and model:
            k = rng.choice(list(model))
            s.remove(s.get(k))
            del model[k]
        elif op < 0.55:
            k = rng.randrange(-5, 60)
            if k in model:
                assert s.get(k).id == k and k in s
            else:
                with pytest.raises(KeyError):
                    s[k]
                assert s.get(k) is None and k not in s
        elif op < 0.65:
            i = rng.randrange(-len(model) - 2, len(model) + 2)
            if -len(model) <= i < len(model):
                assert s.rows[i].id in model
            else:
                with pytest.raises(IndexError):
                    s.rows[i]
        elif op < 0.8 and model:
            k = rng.choice(list(model))
            r = s.get(k)
            field, value = rng.choice([("name", "z"), ("price", 3.25), ("n", rng.choice([1, 300])),
                                       ("id", rng.randrange(-5, 60)), ("name", 5)])
            try:
                setattr(r, field, value)
            except (TypeError, OverflowError, KeyError):
                pass
            else:
                name, price, n = model.pop(k)
                vals = {"name": name, "price": price, "n": n, "id": k}
                vals[field] = value
                model[vals["id"]] = (vals["name"], vals["price"], vals["n"])
        elif op < 0.95:
            lines, new = [], {}
            for _ in range(rng.randrange(1, 5)):
                k = rng.randrange(-5, 80)
                bad = rng.random() < 0.2
                lines.append('{"id": %s, "name": "j%d", "n": %d}' % ('"x"' if bad else k, k, rng.choice([1, 2, 999 if bad else 3])))
            text = "\n".join(lines).encode()
            before = dict(model)
            try:
                loaded = s.load_jsonl(text)
            except (KeyError, TypeError, OverflowError, ValueError) as exc:
                assert exc.line >= 1
                assert model == before
            else:
                for ln in lines:
                    d = __import__("json").loads(ln)
                    model[d["id"]] = (d["name"], 0.0, d["n"])
                assert loaded == len(lines)
        elif op < 0.97:
            copy = T.store()
            copy.load_jsonl(s.dump_jsonl())
            assert list(copy) == list(s)
            copy.drop()
        else:
            s.clear()
            model.clear()
        if step % 50 == 0:
            check()
    check()
    s.drop()
    for r in proxies:
        with pytest.raises(slots.StaleRecordError):
            r.name
