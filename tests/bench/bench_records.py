#!/usr/bin/env python3
"""Python records benchmark (issue 13, goal 1): libslots records side by side with the anchors,
measured in the same run, printed as ratios to the anchor of each figure.

    python3 tests/bench/bench_records.py [N] [--quick] [--backends=api,abi,ctypes] [--compare=DIR]

Figures (Product{id: int, name: str, price: float}, N records, 1M by default):
  read       ns per `r.price` (10 per loop turn, net of the empty loop)  anchor: __slots__ class
  write      ns per `r.price = v` (the same)                             anchor: __slots__ class
  read+loop  ns per turn of `for _ in range(n): r.price` (gross)         anchor: __slots__ class
  construct  ns per `Product(i, name, price)`                            anchor: __slots__ class
  iterate    ns per record of `for r in coll: t += r.price` over N       anchor: list of dataclasses
  get        ns per `store.get(k)` (dict: `d[k]`), random keys           anchor: dict
  append     ns per record building N with append (list: DC(...))       anchor: list of dataclasses
  extend     ns per record of store.extend(N tuples) (list: [DC(*t)])   anchor: list of dataclasses
Anchors: a __slots__ class, @dataclass, dict, msgspec Struct(gc=False), recordclass (n/a when not
importable). libslots runs on the backend slots picks (compiled cffi API when built), or each of
--backends. --compare=DIR adds a column "slots@DIR": libslots from another checkout's
bindings/python and build/ (e.g. main, for a before/after in one run). Every variant runs in a
fresh process, round-robin, 5 rounds; medians are shown. The library is found as the tests find it
(SLOTS_LIBRARY, else build/).
"""
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
BINDINGS = os.path.join(REPO, "bindings", "python")
ROUNDS = 5
N_OPS = 300_000  # per read/write/construct/get timing
FIGURES = [("read", "__slots__"), ("write", "__slots__"), ("read+loop", "__slots__"), ("construct", "__slots__"),
           ("iterate", "dataclass"), ("get", "dict"), ("append", "dataclass"), ("extend", "dataclass")]
ANCHORS = ["__slots__", "dataclass", "dict", "msgspec", "recordclass"]
BACKENDS = {"api": ("cffi", "api"), "abi": ("cffi", "abi"), "ctypes": ("ctypes", "")}


def make_class(variant):
    if variant == "__slots__":
        from bench_python import make_class as python_class  # this directory: the same __slots__ class
        return python_class("__slots__")[0]
    if variant in ("dataclass", "dict"):
        import dataclasses

        @dataclasses.dataclass
        class Product:
            id: int
            name: str
            price: float
        return Product
    if variant == "msgspec":
        import msgspec

        class Product(msgspec.Struct, gc=False):
            id: int
            name: str
            price: float
        return Product
    if variant == "recordclass":
        import recordclass

        class Product(recordclass.dataobject):
            id: int
            name: str
            price: float
        return Product
    import slots

    @slots.record
    class Product:
        id: int = slots.key()
        name: str
        price: float
    return Product


def _ns(dt, n):
    return dt * 1e9 / n


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(variant, n):
    """All figures for one variant, in this (fresh) process: {figure: ns per op}."""
    P = make_class(variant)
    is_dict, is_slots = variant == "dict", variant.startswith("slots")
    rows = [(i, "product-%08d" % i, i * 0.5) for i in range(n)]
    out = {"backend": None}
    if is_slots:
        import slots
        out["backend"] = "%s %s" % (slots.backend, slots.backend_mode)
    one = {"id": 1, "name": "x", "price": 2.5} if is_dict else P(1, "x", 2.5)
    loops = range(N_OPS)

    def empty():
        o = one
        for _ in loops:
            o; o; o; o; o; o; o; o; o; o  # noqa: E702
    base = timed(empty)
    if is_dict:
        def read():
            o = one
            for _ in loops:
                o["price"]; o["price"]; o["price"]; o["price"]; o["price"]  # noqa: E702
                o["price"]; o["price"]; o["price"]; o["price"]; o["price"]  # noqa: E702

        def read1():
            o = one
            for _ in loops:
                o["price"]

        def write():
            o = one
            for _ in loops:
                o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5  # noqa: E702
                o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5; o["price"] = 1.5  # noqa: E702

        def construct():
            for i in loops:
                {"id": i, "name": "x", "price": 2.5}
    else:
        def read():
            o = one
            for _ in loops:
                o.price; o.price; o.price; o.price; o.price; o.price; o.price; o.price; o.price; o.price  # noqa: E702

        def read1():
            o = one
            for _ in loops:
                o.price

        def write():
            o = one
            for _ in loops:
                o.price = 1.5; o.price = 1.5; o.price = 1.5; o.price = 1.5; o.price = 1.5  # noqa: E702
                o.price = 1.5; o.price = 1.5; o.price = 1.5; o.price = 1.5; o.price = 1.5  # noqa: E702

        def construct():
            for i in loops:
                P(i, "x", 2.5)
    out["read"] = _ns(max(timed(read) - base, 0), 10 * N_OPS)
    out["write"] = _ns(max(timed(write) - base, 0), 10 * N_OPS)
    out["read+loop"] = _ns(timed(read1), N_OPS)
    out["construct"] = _ns(timed(construct), N_OPS)
    del one

    # build: append one by one, then extend from tuples
    if is_slots:
        coll = P.store()
        app = coll.append

        def append():
            for i, name, price in rows:
                app(i, name, price)
        out["append"] = _ns(timed(append), n)
        coll.drop()
        coll = P.store()
        if hasattr(coll, "extend"):
            out["extend"] = _ns(timed(lambda: coll.extend(rows)), n)
        else:
            for r in rows:
                coll.append(*r)
    elif is_dict:
        coll = []
        app = coll.append

        def append():
            for i, name, price in rows:
                app({"id": i, "name": name, "price": price})
        out["append"] = _ns(timed(append), n)
        coll = []
        out["extend"] = _ns(timed(lambda: coll.extend([{"id": i, "name": s, "price": p}
                                                       for i, s, p in rows])), n)
    else:
        coll = []
        app = coll.append

        def append():
            for i, name, price in rows:
                app(P(i, name, price))
        out["append"] = _ns(timed(append), n)
        coll = []
        out["extend"] = _ns(timed(lambda: coll.extend([P(*r) for r in rows])), n)

    # iterate the N records built by extend
    if is_dict:
        def iterate():
            t = 0.0
            for r in coll:
                t += r["price"]
            return t
    else:
        def iterate():
            t = 0.0
            for r in coll:
                t += r.price
            return t
    out["iterate"] = _ns(timed(iterate), n)

    # get by key
    keys = [random.randrange(n) for _ in range(N_OPS)]
    if is_slots:
        get = coll.get
    elif variant == "dict" or variant == "dataclass":
        get = {r["id"] if is_dict else r.id: r for r in coll}.__getitem__
    else:
        get = None
    if get is not None:
        def lookups():
            for k in keys:
                get(k)
        out["get"] = _ns(timed(lookups), N_OPS)
    return out


def run_one(variant, n, backend=None, repo=REPO):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(repo, "bindings", "python") + os.pathsep + env.get("PYTHONPATH", "")
    if backend:
        env["SLOTS_BACKEND"], env["SLOTS_CFFI_MODE"] = BACKENDS[backend]
    if repo != REPO:
        env["SLOTS_LIBRARY"] = os.path.join(repo, "build", "libslots.so")
    elif "SLOTS_LIBRARY" not in env and os.path.exists(os.path.join(REPO, "build", "libslots.so")):
        env["SLOTS_LIBRARY"] = os.path.join(REPO, "build", "libslots.so")
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", variant, str(n)], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode:
        last = (p.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last}
    return json.loads(p.stdout)


def main(argv):
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1], int(argv[2]))))
        return
    n = 1_000_000
    backends = [None]
    compare = []
    for a in argv:
        if a.startswith("--compare="):
            compare.append(os.path.abspath(a.split("=", 1)[1]))
        elif a == "--quick":
            n = 100_000
        elif a.startswith("--backends="):
            backends = [b for b in a.split("=", 1)[1].split(",") if b]
        elif a.isdigit():
            n = int(a)
    variants = [(a, None) for a in ANCHORS] + [("slots" if b is None else "slots-" + b, b) for b in backends]
    repos = {v: REPO for v, _ in variants}
    for d in compare:
        v = "slots@" + os.path.basename(d.rstrip("/"))
        variants.append((v, None))
        repos[v] = d
    runs = {v: [] for v, _ in variants}
    for _ in range(ROUNDS):
        for v, b in variants:
            runs[v].append(run_one(v, n, b, repos[v]))
    med = {}
    for v, _ in variants:
        ok = [r for r in runs[v] if "error" not in r]
        med[v] = {f: statistics.median(r[f] for r in ok) if ok and all(f in r for r in ok) else None
                  for f, _ in FIGURES}
        med[v]["backend"] = ok[0]["backend"] if ok else None
        med[v]["error"] = None if ok else runs[v][0]["error"]
    print("Python records, N=%d, %s, median of %d fresh-process rounds (ns per op; ratio to the anchor)"
          % (n, sys.version.split()[0], ROUNDS))
    for v, _ in variants:
        if v.startswith("slots"):
            print("%s ran on backend: %s" % (v, med[v]["backend"] or "n/a (%s)" % med[v]["error"]))
    for v in ANCHORS:
        if med[v]["error"]:
            print("%s: n/a (%s)" % (v, med[v]["error"]))
    cols = [v for v, _ in variants]
    print()
    print("%-10s %-10s" % ("figure", "anchor") + "".join("%22s" % c[:21] for c in cols))
    for f, anchor in FIGURES:
        a = med[anchor][f]
        cells = []
        for c in cols:
            x = med[c][f]
            if x is None:
                cells.append("%22s" % "n/a")
            elif a:
                cells.append("%22s" % ("%.1f ns %5.2fx" % (x, x / a)))
            else:
                cells.append("%22s" % ("%.1f ns" % x))
        print("%-10s %-10s" % (f, anchor) + "".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
