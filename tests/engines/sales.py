"""What the Spark and Dask examples share: the record type, the one function each task runs (JSON
Lines text in, a libslots store out, Arrow batches from it), and sample data.

Every worker process imports this module (the examples ship it to the workers: Spark's addPyFile,
Dask's upload_file), so the record type is defined once per process, where the tasks run."""
import json
import os
import random
from typing import Optional

import slots


@slots.record
class Sale:
    id: int = slots.key()
    region: str = ""
    qty: Optional[slots.i32] = None
    price: float = 0.0


REGIONS = ("east", "north", "south", "west")


def load_store(lines):
    """One partition's JSON Lines (an iterable of str lines) -> a store of Sales: decoded in C
    straight into records, all-or-nothing (a bad line raises TypeError or ValueError naming its line and field)."""
    store = Sale.store()
    store.load_jsonl(text="\n".join(lines))
    return store


def arrow_batches(lines):
    """The Arrow record batches of one partition's store, through the Arrow PyCapsule interface
    (Store.__arrow_c_stream__): one copying pass over the store in C, no Python loop per record."""
    import pyarrow

    return pyarrow.table(load_store(lines)).to_batches()


def write_sample(directory, parts=4, rows_per_part=5000, seed=15):
    """Writes `parts` JSON Lines files of sales into directory; returns their paths. Every 7th qty
    is null; prices are multiples of 1/4, so sums are exact whatever order an engine adds in."""
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    paths = []
    for p in range(parts):
        path = os.path.join(directory, f"part-{p:04d}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for i in range(p * rows_per_part, (p + 1) * rows_per_part):
                qty = None if i % 7 == 0 else rng.randrange(1, 50)
                row = {"id": i, "region": rng.choice(REGIONS), "qty": qty, "price": rng.randrange(0, 4000) / 4}
                f.write(json.dumps(row) + "\n")
        paths.append(path)
    return paths


def expected_totals(paths):
    """The answer in plain Python: {region: (rows, qty count, qty sum, price sum)}."""
    totals = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                rows, nq, sq, sp = totals.get(row["region"], (0, 0, 0, 0.0))
                q = row["qty"]
                totals[row["region"]] = (rows + 1, nq + (q is not None), sq + (q or 0), sp + row["price"])
    return totals
