"""Dask: each task loads one JSON Lines file into a libslots store and hands Dask a pandas DataFrame
made from the store's Arrow table (dask.dataframe.from_map); Dask then aggregates.

    python tests/engines/dask_example.py [DIR]     (a LocalCluster of 2 worker processes)

Needs dask[distributed], pandas and pyarrow (build/venv-engines) and the slots package importable with
its library found, as for spark_example.py. On a real cluster: see "Spark and Dask" in README.md."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load_file(path):
    """One task: a file's lines -> a store -> its Arrow table -> a pandas DataFrame. Runs in a worker
    process, which imports this module and sales.py (shipped by upload_file)."""
    import sales

    with open(path, encoding="utf-8") as f:
        store = sales.load_store(f.read().splitlines())
    import pyarrow

    return pyarrow.table(store).to_pandas()


def meta():
    """The empty DataFrame Dask plans with: the Sale store's columns and dtypes (qty is nullable)."""
    import pandas

    return pandas.DataFrame({"id": pandas.Series(dtype="int64"), "region": pandas.Series(dtype="object"),
                             "qty": pandas.Series(dtype="float64"), "price": pandas.Series(dtype="float64")})


def cluster(workers=2):
    """A LocalCluster of worker processes that import slots (they inherit PYTHONPATH and
    SLOTS_LIBRARY from this process's environment) and a Client on it."""
    from dask.distributed import Client, LocalCluster

    lc = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(lc)
    for name in ("sales.py", "dask_example.py"):  # the modules the tasks' functions come from
        client.upload_file(os.path.join(HERE, name))
    return lc, client


def totals(paths):
    """{region: (rows, qty count, qty sum, price sum)} computed by Dask over the stores' tables."""
    import dask.dataframe as dd

    df = dd.from_map(load_file, paths, meta=meta(), enforce_metadata=False)
    agg = df.groupby("region").agg(rows=("id", "count"), nq=("qty", "count"), sq=("qty", "sum"),
                                   sp=("price", "sum")).compute()
    return {region: (int(r.rows), int(r.nq), int(r.sq), float(r.sp)) for region, r in agg.iterrows()}


def main(argv):
    import sales

    directory = argv[1] if len(argv) > 1 else tempfile.mkdtemp(prefix="slots-dask-")
    paths = sales.write_sample(directory)
    lc, client = cluster()
    try:
        for region, (rows, nq, sq, sp) in sorted(totals(paths).items()):
            print(f"{region:6} rows={rows} qty: {nq} set, sum {sq}; price sum {sp}")
    finally:
        client.close()
        lc.close()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import dask_example  # functions Dask ships must come from the module, not __main__

    dask_example.main(sys.argv)
