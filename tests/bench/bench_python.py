#!/usr/bin/env python3
"""Python benchmark: 1,000,000 Product(id: int, name: str, price: float) records as a plain class,
a __slots__ class, @dataclass(slots=True) and slots.record on each available backend.

For each variant, in a fresh subprocess (so RSS and allocator state do not leak between variants):
  bytes/record   tracemalloc (Python heap) + slots.memory_usage() delta (C heap) = total,
                 and RSS growth from /proc/self/statm, for N records held in a list
  construct      ns per record (N_TIME constructions, median of REPEATS)
  read / write   ns per attribute access (timeit, median of REPEATS)
Ratios are against __slots__. Usage:  bench_python.py [N] [--quick]
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
BINDINGS = os.path.join(REPO, "bindings", "python")
REPEATS = 5
N_TIME = 200_000
N_OPS = 500_000

VARIANTS = [
    ("plain class", None),
    ("__slots__", None),
    ("dataclass(slots=True)", None),
    ("slots.record ctypes", ("ctypes", "")),
    ("slots.record cffi ABI", ("cffi", "abi")),
    ("slots.record cffi API", ("cffi", "api")),
]


def make_class(variant):
    if variant == "plain class":
        class Product:
            def __init__(self, id, name, price):
                self.id = id
                self.name = name
                self.price = price
        return Product, None
    if variant == "__slots__":
        class Product:
            __slots__ = ("id", "name", "price")

            def __init__(self, id, name, price):
                self.id = id
                self.name = name
                self.price = price
        return Product, None
    if variant.startswith("dataclass"):
        import dataclasses

        @dataclasses.dataclass(slots=True)
        class Product:
            id: int
            name: str
            price: float
        return Product, None
    import slots

    @slots.record
    class Product:
        id: int
        name: str
        price: float
    return Product, slots


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def build(cls, n):
    return [cls(i, "product-%06d" % i, i * 0.5) for i in range(n)]


def child(variant, n):
    import gc
    import timeit
    import tracemalloc

    cls, slots = make_class(variant)
    out = {"variant": variant}
    if slots is not None:
        out["backend"] = "%s/%s" % (slots.backend, slots.backend_mode)
    c0 = slots.memory_usage() if slots else 0
    gc.collect()
    r0 = rss_bytes()
    items = build(cls, n)
    gc.collect()
    out["rss"] = (rss_bytes() - r0) / n
    out["c_bytes"] = ((slots.memory_usage() - c0) / n) if slots else 0.0
    del items
    gc.collect()
    tracemalloc.start()
    t0 = tracemalloc.get_traced_memory()[0]
    items = build(cls, n)
    gc.collect()
    out["py_bytes"] = (tracemalloc.get_traced_memory()[0] - t0) / n
    tracemalloc.stop()
    del items
    gc.collect()
    out["total"] = out["py_bytes"] + out["c_bytes"]

    args = [(i, "product-%06d" % i, i * 0.5) for i in range(N_TIME)]
    cons = []
    for _ in range(REPEATS):
        gc.collect()
        t = time.perf_counter_ns()
        keep = [cls(a, b, c) for a, b, c in args]
        cons.append((time.perf_counter_ns() - t) / N_TIME)
        del keep
    out["construct"] = statistics.median(cons)
    p = cls(1, "product-000001", 0.5)
    g = {"p": p}
    loop = min(timeit.repeat("pass", globals=g, number=N_OPS, repeat=REPEATS)) / N_OPS * 1e9

    def per_op(stmt):
        runs = timeit.repeat(stmt, globals=g, number=N_OPS, repeat=REPEATS)
        return max(statistics.median(runs) / N_OPS * 1e9 - loop, 0.0)
    out["loop"] = loop
    out["read_int"] = per_op("p.id")
    out["read_str"] = per_op("p.name")
    out["read_float"] = per_op("p.price")
    out["write_int"] = per_op("p.id = 7")
    out["write_float"] = per_op("p.price = 1.25")
    out["write_str"] = per_op("p.name = 'gizmo'")
    print(json.dumps(out))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    if "--child" in sys.argv:
        child(os.environ["BENCH_VARIANT"], n)
        return
    if "--quick" in sys.argv:
        n = min(n, 100_000)
    lib = os.path.join(REPO, "build", "libslots.so.1")
    rows = []
    t_start = time.time()
    for variant, be in VARIANTS:
        env = dict(os.environ)
        env["BENCH_VARIANT"] = variant
        env["PYTHONPATH"] = BINDINGS + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("SLOTS_LIBRARY", lib)
        if be:
            env["SLOTS_BACKEND"], env["SLOTS_CFFI_MODE"] = be
        r = subprocess.run([sys.executable, __file__, str(n), "--child"], env=env,
                           capture_output=True, text=True)
        if r.returncode:
            print("%-24s skipped: %s" % (variant, (r.stderr.strip().splitlines() or ["?"])[-1]))
            continue
        row = json.loads(r.stdout.strip().splitlines()[-1])
        if be and be[1] and not row.get("backend", "").endswith(be[1]):
            print("%-24s skipped: backend came up as %s" % (variant, row.get("backend")))
            continue
        rows.append(row)
    base = next((r for r in rows if r["variant"] == "__slots__"), None)
    print("Python %s, %d records held in a list (memory); timings: median of %d, %d constructions, "
          "%d accesses" % (sys.version.split()[0], n, REPEATS, N_TIME, N_OPS))
    print("bytes/record: py = tracemalloc, C = slots.memory_usage(), total = py + C; RSS = /proc/self/statm growth")
    hdr = ("variant", "py", "C", "total", "x", "RSS", "x", "new ns", "x", "rd int", "rd str", "rd flt",
           "x", "wr int", "wr str", "wr flt", "x")
    fmt = "%-24s %6s %6s %6s %5s %6s %5s %7s %5s %7s %7s %7s %5s %7s %7s %7s %5s"
    print(fmt % hdr)

    def ratio(row, key):
        return "%.2f" % (row[key] / base[key]) if base and base[key] else "-"
    for r in rows:
        for k, parts in (("read", ("read_int", "read_str", "read_float")),
                         ("write", ("write_int", "write_str", "write_float"))):
            r[k] = sum(r[p] for p in parts) / 3
    for r in rows:
        print(fmt % (r["variant"], "%.0f" % r["py_bytes"], "%.0f" % r["c_bytes"], "%.0f" % r["total"],
                     ratio(r, "total"), "%.0f" % r["rss"], ratio(r, "rss"), "%.0f" % r["construct"],
                     ratio(r, "construct"), "%.0f" % r["read_int"], "%.0f" % r["read_str"],
                     "%.0f" % r["read_float"], ratio(r, "read"), "%.0f" % r["write_int"],
                     "%.0f" % r["write_str"], "%.0f" % r["write_float"], ratio(r, "write")))
    loops = ", ".join("%.1f" % r["loop"] for r in rows)
    print("(x = ratio to __slots__; read/write ratios use the mean of the three fields; access ns "
          "exclude timeit's empty-loop cost, measured per variant as %s ns; total run %.0f s)"
          % (loops, time.time() - t_start))


if __name__ == "__main__":
    main()
