"""make demo: 1,000,000 Product records from JSON Lines, the Python way and the libslots way.

(a) the standard json module into @dataclass(slots=True) objects (a list, plus a dict by id);
(b) one libslots store (key index on id), loaded in C by store.load_jsonl().
Then 100,000 lookups by random id and a sum of all prices, both ways, and a table of what it measured.

    SLOTS_LIBRARY=build/libslots.so.1 python3 tests/demo/demo.py [N]
"""
import dataclasses
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "bindings", "python"))
import slots  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
LOOKUPS = 100_000


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


def write_jsonl(path):
    rng = random.Random(1)
    with open(path, "w") as f:
        for i in range(1, N + 1):
            f.write('{"id": %d, "name": "product-%08d", "price": %.2f}\n' % (i, i, rng.uniform(1, 1000)))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def python_way(path, ids):
    def load():
        with open(path) as f:
            rows = [PyProduct(**json.loads(line)) for line in f]
        return rows, {p.id: p for p in rows}
    gc.collect()
    t_load, (rows, by_id) = timed(load)  # timed without tracemalloc, which slows Python down
    del rows, by_id
    gc.collect()
    tracemalloc.start()
    rows, by_id = load()
    mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    t_look, found = timed(lambda: sum(by_id[i].price for i in ids))
    t_sum, total = timed(lambda: sum(p.price for p in rows))
    return {"bytes": mem / N, "load": t_load, "lookup": t_look, "sum": t_sum, "total": total,
            "found": found}


def slots_way(path, ids):
    gc.collect()
    before = slots.memory_usage()
    store = Product.store()
    t_load, n = timed(lambda: store.load_jsonl(path))
    assert n == N
    mem = slots.memory_usage() - before  # everything the library allocated for the store
    get = store.get
    t_look, found = timed(lambda: sum(get(i).price for i in ids))
    t_sum, total = timed(lambda: store.sum("price"))
    return {"bytes": mem / N, "load": t_load, "lookup": t_look, "sum": t_sum, "total": total,
            "found": found}


def main():
    t0 = time.perf_counter()
    fd, path = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    try:
        write_jsonl(path)
        size = os.path.getsize(path)
        rng = random.Random(2)
        ids = [rng.randint(1, N) for _ in range(LOOKUPS)]
        py = python_way(path, ids)
        gc.collect()
        sl = slots_way(path, ids)
    finally:
        os.unlink(path)
    assert abs(py["total"] - sl["total"]) < 1e-6 * abs(py["total"]), (py["total"], sl["total"])
    assert abs(py["found"] - sl["found"]) < 1e-6 * abs(py["found"])

    print("%d Product rows (id, name, price) as JSON Lines, %.0f MB; %d lookups by random id; "
          "slots backend: %s %s" % (N, size / 1e6, LOOKUPS, slots.backend, slots.backend_mode))
    print()
    print("%-24s %14s %14s %8s" % ("", "json+dataclass", "libslots store", "ratio"))
    rows = [("bytes per record", "bytes", "%14.0f", "%.1fx less"),
            ("load", "load", "%12.2f s", "%.1fx faster"),
            ("100k lookups", "lookup", "%11.1f ms", "%.1fx faster"),
            ("sum of prices", "sum", "%11.1f ms", "%.1fx faster")]
    for label, k, fmt, rfmt in rows:
        scale = 1000 if k in ("lookup", "sum") else 1
        a, b = py[k], sl[k]
        ratio = a / b if b else float("inf")
        if ratio < 1:
            rfmt = "%.1fx slower" % (1 / ratio)
        else:
            rfmt = rfmt % ratio
        print("%-24s %14s %14s   %s" % (label, fmt % (a * scale), fmt % (b * scale), rfmt))
    print()
    print("bytes: tracemalloc of the Python objects (list + dict by id); libslots: library memory "
          "(records, strings, key index). Total run %.0f s." % (time.perf_counter() - t0))


if __name__ == "__main__":
    main()
