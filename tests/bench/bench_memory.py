"""make bench: memory per record as the store grows (issue 13, goal 3).

For each N of the sweep, each variant runs in a fresh process that measures its resident set before
and after it builds N Product{id: i64, name: 'product-%08d', price: f64} records, and reports that
delta and the figure the variant itself reports (libslots: Store.memory_usage(); numpy: nbytes), in
bytes per record. Variants run round-robin (fresh processes, in turn), the medians are printed, each
as a ratio to the anchor measured in the same run: a numpy structured array with an S16 name, 32 bytes
a record. libslots stores are filled by JSON Lines loads of at most 1,000,000 lines each; the text,
like numpy's columns, is made before the first reading and kept to the second, so it is not in the
figure.

Run: SLOTS_LIBRARY=build/libslots.so.1 python3 tests/bench/bench_memory.py [--quick] [N ...]
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [10_000, 100_000, 300_000, 1_000_000, 1_100_000, 3_000_000, 10_000_000]
VARIANTS = ["numpy S16", "libslots keyed", "libslots unkeyed"]
ANCHOR = "numpy S16"
CHUNK = 1_000_000


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def lines(first, n):
    """JSON Lines text of products first+1 .. first+n."""
    return "".join('{"id":%d,"name":"product-%08d","price":%d.25}\n' % (i, i, i % 1000)
                   for i in range(first + 1, first + n + 1)).encode()


def build_numpy(n):
    """The anchor: the columns are made first, then the array is filled from them (measured)."""
    import numpy as np
    ids = np.arange(1, n + 1, dtype=np.int64)
    names = np.char.add(b"product-", np.char.zfill(ids.astype("S8"), 8)).astype("S16")
    prices = (ids % 1000) + 0.25
    before = rss_bytes()
    a = np.empty(n, dtype=[("id", "i8"), ("name", "S16"), ("price", "f8")])
    a["id"], a["name"], a["price"] = ids, names, prices
    return before, a.nbytes, (a, ids, names, prices)


def build_slots(n, keyed):
    """The text is made first (and kept: it is in both readings), then loaded (measured)."""
    sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, "bindings", "python"))
    import slots

    if keyed:
        @slots.record
        class Product:
            id: int = slots.key()
            name: str
            price: float
    else:
        @slots.record
        class Product:
            id: int
            name: str
            price: float
    # The first calls' set-up (bindings, the loading threads' buffers) is not the store's memory: a
    # first store, loaded from over 2 MiB of text (two threads, as the big loads), is kept.
    warm = slots.Store(Product)
    warm.load_jsonl(lines(0, 40_000))
    assert len(warm) == 40_000 and warm.memory_usage() > 0
    texts = [lines(first, min(CHUNK, n - first)) for first in range(0, n, CHUNK)]
    before = rss_bytes()
    store = slots.Store(Product)
    for text in texts:
        store.load_jsonl(text)
    assert len(store) == n
    return before, store.memory_usage(), (store, texts, warm)


def child(variant, n):
    if variant == "numpy S16":
        before, reported, keep = build_numpy(n)
    else:
        before, reported, keep = build_slots(n, keyed=variant == "libslots keyed")
    after = rss_bytes()
    print(json.dumps({"reported": reported / n, "rss": (after - before) / n}))
    del keep


def run(variant, n):
    out = subprocess.run([sys.executable, __file__, "--child", variant, str(n)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv):
    quick = "--quick" in argv
    sizes = [int(a.replace("_", "")) for a in argv if a[:1].isdigit()] or SIZES
    print("memory per record (bytes) as N grows: Product{id: i64, name: str 'product-%08d', price: f64};")
    print("rss = resident-set delta of a fresh process that built N records; reported = what the variant says")
    print("(libslots: Store.memory_usage(), numpy: nbytes); medians, round-robin; ratio = rss / numpy's rss")
    print("%-10s %-18s %10s %10s %8s" % ("N", "variant", "reported", "rss", "ratio"))
    for n in sizes:
        repeats = 1 if quick or n > 1_100_000 else 3
        got = {v: [] for v in VARIANTS}
        for _ in range(repeats):
            for v in VARIANTS:
                got[v].append(run(v, n))
        anchor = statistics.median(r["rss"] for r in got[ANCHOR])
        for v in VARIANTS:
            rep = statistics.median(r["reported"] for r in got[v])
            rss = statistics.median(r["rss"] for r in got[v])
            print("%-10s %-18s %10.1f %10.1f %7.2fx" % ("{:,}".format(n), v, rep, rss, rss / anchor))
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1:])
