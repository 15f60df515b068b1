"""make bench: libslots stores against plain Python for 1,000,000 Product records (issue 4), plus the
issue-5 Python line: a field read through a ctypes.Structure view of a C-layout record against the
accessor. Medians over REPEATS runs. Run: SLOTS_LIBRARY=build/libslots.so.1 python3 tests/bench/bench_stores.py [N]
"""
import csv
import dataclasses
import gc
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import timeit
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "bindings", "python"))
import slots  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
REPEATS = 3
LOOKUPS = 200_000

try:
    import orjson
except ImportError:
    orjson = None


@dataclasses.dataclass(slots=True)
class PyProduct:
    id: int
    name: str
    price: float


@slots.record
class Product:
    id: int = slots.key()
    name: str
    price: float


@slots.record(c_layout=True)
class CProduct:
    id: int
    name: str
    price: float


def median_time(fn, setup=None, repeats=REPEATS):
    times, out = [], None
    for _ in range(repeats):
        arg = setup() if setup else None
        gc.collect()
        t = time.perf_counter()
        out = fn(arg) if setup else fn()
        times.append(time.perf_counter() - t)
        del arg
    return statistics.median(times), out


def main():
    t_start = time.perf_counter()
    rng = random.Random(1)
    rows = [(i, "product-%08d" % i, round(rng.uniform(1, 1000), 2)) for i in range(1, N + 1)]
    jsonl = "".join('{"id": %d, "name": "%s", "price": %r}\n' % r for r in rows).encode()
    csv_text = ("id,name,price\n" + "".join("%d,%s,%r\n" % r for r in rows)).encode()
    del rows
    ids = [rng.randint(1, N) for _ in range(LOOKUPS)]
    res = []  # (label, python, slots, unit, higher_is_better)

    # ---- JSON Lines load
    def py_json():
        return [PyProduct(**json.loads(line)) for line in jsonl.splitlines()]
    t_py, _ = median_time(py_json)
    if orjson is not None:
        t_or, _ = median_time(lambda: [PyProduct(**orjson.loads(line)) for line in jsonl.splitlines()])
    t_sl, _ = median_time(lambda s: s.load_jsonl(jsonl), setup=Product.store)
    mb = len(jsonl) / 1e6
    res.append(("JSONL load, records/s", N / t_py, N / t_sl, "rec/s", True))
    res.append(("JSONL load, MB/s", mb / t_py, mb / t_sl, "MB/s", True))
    orjson_line = ("orjson + dataclass: %.0f rec/s (%.1fx slower than the store)" % (N / t_or, t_or / t_sl)
                   if orjson is not None else "orjson + dataclass: n/a (orjson not installed)")

    # ---- CSV load
    def py_csv():
        return [PyProduct(int(r["id"]), r["name"], float(r["price"]))
                for r in csv.DictReader(io.StringIO(csv_text.decode()))]
    t_pyc, _ = median_time(py_csv)
    t_slc, _ = median_time(lambda s: s.load_csv(csv_text), setup=Product.store)
    res.append(("CSV load, records/s", N / t_pyc, N / t_slc, "rec/s", True))

    # ---- memory: list + dict of dataclasses vs store + index
    gc.collect()
    tracemalloc.start()
    objs = py_json()
    by_id = {p.id: p for p in objs}
    py_bytes = tracemalloc.get_traced_memory()[0] / N
    tracemalloc.stop()
    gc.collect()
    m0 = slots.memory_usage()
    store = Product.store()
    store.load_jsonl(jsonl)
    sl_bytes = (slots.memory_usage() - m0) / N
    res.append(("bytes per record", py_bytes, sl_bytes, "B", False))

    # ---- key lookup (returns the record) and a field read
    def py_lookups():
        for i in ids:
            by_id[i]
    get = store.get

    def sl_lookups():
        for i in ids:
            get(i)  # a new proxy each time
    t_pyl, _ = median_time(py_lookups)
    t_sll, _ = median_time(sl_lookups)
    res.append(("key lookup", t_pyl / LOOKUPS * 1e9, t_sll / LOOKUPS * 1e9, "ns", False))
    t_pylp, _ = median_time(lambda: sum(by_id[i].price for i in ids))
    t_sllp, _ = median_time(lambda: sum(get(i).price for i in ids))
    res.append(("lookup + read price", t_pylp / LOOKUPS * 1e9, t_sllp / LOOKUPS * 1e9, "ns", False))

    # ---- sum of a column
    t_pys, a = median_time(lambda: sum(p.price for p in objs), repeats=5)
    t_sls, b = median_time(lambda: store.sum("price"), repeats=5)
    assert abs(a - b) <= 1e-6 * abs(a)
    res.append(("sum(price)", t_pys * 1e3, t_sls * 1e3, "ms", False))
    t_col, _ = median_time(lambda: store.column("price"), repeats=5)
    del objs, by_id
    store.drop()

    # ---- issue 5: a field read through a ctypes.Structure view vs the accessor
    c = CProduct(1, "x", 2.5)
    view = c.c_view()
    n = 1_000_000
    empty = min(timeit.repeat("pass", number=n, repeat=5)) / n
    t_view = min(timeit.repeat("v.price", globals={"v": view}, number=n, repeat=5)) / n - empty
    t_acc = min(timeit.repeat("c.price", globals={"c": c}, number=n, repeat=5)) / n - empty

    print("libslots stores vs Python, %d Product records (id, name, price); Python %s; slots backend %s %s; "
          "median of %d" % (N, sys.version.split()[0], slots.backend, slots.backend_mode, REPEATS))
    print("%-26s %16s %16s %10s" % ("", "Python", "libslots store", "ratio"))
    for label, p, s, unit, higher in res:
        ratio = s / p if higher else p / s
        fmt = "%14.0f %s" if p >= 100 else "%14.1f %s"
        print("%-26s %16s %16s %9.1fx" % (label, (fmt % (p, unit)).strip(), (fmt % (s, unit)).strip(), ratio))
    print("(Python: json.loads + @dataclass(slots=True); csv.DictReader + dataclass; dict of dataclasses by id;"
          " bytes by tracemalloc (list + dict) vs library memory (store + key index); ratio > 1 = store better)")
    print(orjson_line)
    print("store.column('price') for %d records: %.1f ms" % (N, t_col * 1e3))
    print("issue 5, Python field read (net of loop, %.1f ns): ctypes.Structure view %.0f ns/op, record "
          "accessor %.0f ns/op (%s %s)" % (empty * 1e9, t_view * 1e9, t_acc * 1e9, slots.backend, slots.backend_mode))
    print("total run %.0f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
