"""Arrow export of 1,000,000 Products (id i64 key, name str, price f64), issue 15: a libslots store
to a pyarrow Table and to a pandas DataFrame, against what a Python program does without it.

    SLOTS_LIBRARY=build/libslots.so.1 python tests/bench/bench_arrow.py [N] [--runs 5]

Needs pyarrow and pandas (build/venv-bench or build/venv-engines have them). Every measurement runs in
a fresh process (so no run inherits another's heap or caches) and the median of --runs is shown;
ms, GB/s (the Arrow data made: Table.nbytes, per second), and how many times slower than libslots.

  to a pyarrow Table
    pa.table(store)            the store's Arrow C stream (Store.__arrow_c_stream__): one copying pass in C
    columns + pa.array         store.column() for id and price (C copies into array.array, viewed
                               by numpy) and a Python list of names (str has no column()), then
                               pa.array each and pa.Table.from_arrays
    from_pylist(dataclasses)   pa.Table.from_pylist over dicts made from 1M dataclass instances
  to a pandas DataFrame
    store.to_pandas()          through the Arrow stream (nullable dtypes)
    Python loop                one loop over the records appending to three lists, then pd.DataFrame
"""
import dataclasses
import gc
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
try:  # an installed slots package (pip install bindings/python: cffi API mode) first, else the tree's
    import slots  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, "bindings", "python"))


@dataclasses.dataclass(slots=True)
class PyProduct:
    id: int
    name: str
    price: float


def product_text(n):
    return "".join(json.dumps({"id": i, "name": f"Product {i}", "price": (i % 1000) / 4 + 0.99}) + "\n"
                   for i in range(n)).encode()


def make_store(n):
    import slots

    Product = slots.define("Product", "id: i64 key, name: str, price: f64")  # the same class again on a second call
    store = Product.store()
    store.load_jsonl(product_text(n))
    return store


# ---- the cases: (make the input, the timed operation), each run in a fresh process -----------------
# The operation runs once on 10 records first, so one-time costs stay out of the figure (pa.table()
# imports pandas on its first call, to ask whether its argument is a DataFrame: 0.6 s here).

def table_from_columns(store):
    import numpy as np
    import pyarrow as pa

    # numpy views of the column copies (pa.array of an array.array would iterate it in Python)
    return pa.Table.from_arrays([pa.array(np.frombuffer(store.column("id"), np.int64)),
                                 pa.array([r.name for r in store], pa.string()),
                                 pa.array(np.frombuffer(store.column("price"), np.float64))],
                                names=["id", "name", "price"])


def dataclasses_of(n):
    return [PyProduct(i, f"Product {i}", (i % 1000) / 4 + 0.99) for i in range(n)]


def table_from_pylist(items):
    import pyarrow as pa

    schema = pa.schema([("id", pa.int64()), ("name", pa.string()), ("price", pa.float64())])
    return pa.Table.from_pylist([{"id": p.id, "name": p.name, "price": p.price} for p in items], schema=schema)


def pandas_loop(store):
    import pandas as pd

    ids, names, prices = [], [], []
    for r in store:
        ids.append(r.id)
        names.append(r.name)
        prices.append(r.price)
    return pd.DataFrame({"id": ids, "name": names, "price": prices})


def pa_table(store):
    import pyarrow as pa

    return pa.table(store)


CASES = {
    "pa.table(store)": (make_store, pa_table),
    "columns + pa.array": (make_store, table_from_columns),
    "from_pylist(dataclasses)": (dataclasses_of, table_from_pylist),
    "store.to_pandas()": (make_store, lambda store: store.to_pandas()),
    "Python loop -> DataFrame": (make_store, pandas_loop),
}
GROUPS = [("to a pyarrow Table", ["pa.table(store)", "columns + pa.array", "from_pylist(dataclasses)"]),
          ("to a pandas DataFrame", ["store.to_pandas()", "Python loop -> DataFrame"])]


def measure(name, n):
    """(seconds, Arrow bytes made) of one case in this process: warm up on 10 records, then time n."""
    make, op = CASES[name]
    op(make(10))
    data = make(n)
    gc.collect()
    t = time.perf_counter()
    out = op(data)
    secs = time.perf_counter() - t
    assert len(out) == n
    return secs, getattr(out, "nbytes", 0) if name.startswith(("pa.", "columns", "from_")) else 0


def run_fresh(name, n):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", name, str(n)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main(argv):
    runs = 5
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        del argv[i:i + 2]
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    import pandas
    import pyarrow
    import slots

    print(f"Arrow export of {n:,} Products (id i64 key, name str, price f64); median of {runs} fresh processes "
          f"(pyarrow {pyarrow.__version__}, pandas {pandas.__version__}, slots backend {slots.backend} {slots.backend_mode})")
    for title, names in GROUPS:
        print(f"\n{title}:")
        print(f"  {'':26} {'ms':>9} {'GB/s':>6} {'x libslots':>10}")
        base = None
        for name in names:
            results = [run_fresh(name, n) for _ in range(runs)]
            secs = statistics.median(s for s, _ in results)
            nbytes = results[0][1]
            base = base or secs
            rate = f"{nbytes / secs / 1e9:6.2f}" if nbytes else f"{'':6}"
            print(f"  {name:26} {secs * 1e3:9.1f} {rate} {secs / base:9.1f}x", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(*measure(sys.argv[2], int(sys.argv[3])))
    else:
        main(sys.argv)
