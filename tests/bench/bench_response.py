"""The API response path (issue 17, item 6): a selection of cached records serialized to one JSON
array, by libslots in C (Store.to_json: the keys looked up and the objects written in C) against
orjson.dumps and msgspec.json.encode over the same records held the way those libraries want them
(a dict of dicts; a dict of msgspec Structs), and the same for a whole store. Medians of REPEATS.
Run: python tests/bench/bench_response.py [N]  (orjson and msgspec are measured when importable,
e.g. /work/venv-anchors/bin/python; SLOTS_LIBRARY picks the library, else the build tree's).
"""
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "bindings", "python"))
import slots  # noqa: E402

try:
    import orjson
except ImportError:
    orjson = None
try:
    import msgspec
except ImportError:
    msgspec = None

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REQUESTS = 2000        # responses per timing
PER_RESPONSE = 100     # records per response
REPEATS = 5


def median_time(fn):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    Product = slots.define("BenchProduct", "id: i64 key, name: str, price: f64, qty: i32, sku: str, active: bool")
    rnd = random.Random(7)
    lines = [json.dumps({"id": i, "name": "product number %d" % i, "price": round(rnd.uniform(1, 500), 2),
                         "qty": rnd.randint(0, 1000), "sku": "SKU-%08d" % i, "active": i % 3 != 0})
             for i in range(N)]
    store = Product.store()
    store.load_json(lines)
    dicts = {d["id"]: d for d in map(json.loads, lines)}
    requests = [[rnd.randrange(N) for _ in range(PER_RESPONSE)] for _ in range(REQUESTS)]

    # the three agree on what they write
    one = requests[0]
    assert json.loads(store.to_json(one)) == [dicts[k] for k in one]

    rows = [("slots Store.to_json(keys)", lambda: [store.to_json(keys) for keys in requests])]
    if orjson:
        rows.append(("orjson.dumps([dict[k] ...])", lambda: [orjson.dumps([dicts[k] for k in keys]) for keys in requests]))
    if msgspec:
        class P(msgspec.Struct):
            id: int
            name: str
            price: float
            qty: int
            sku: str
            active: bool
        structs = {k: P(**d) for k, d in dicts.items()}
        enc = msgspec.json.Encoder()
        assert json.loads(enc.encode([structs[k] for k in one])) == [dicts[k] for k in one]
        rows.append(("msgspec encode([Struct ...])", lambda: [enc.encode([structs[k] for k in keys]) for keys in requests]))
    print("API responses: %d requests of %d records from %d cached (us per response, median of %d)"
          % (REQUESTS, PER_RESPONSE, N, REPEATS))
    base = None
    for name, fn in rows:
        t = median_time(fn) / REQUESTS * 1e6
        base = base or t
        print("  %-34s %8.1f us  (%.2fx slots)" % (name, t, t / base))

    whole = [("slots Store.to_json()", lambda: store.to_json())]
    if orjson:
        values = list(dicts.values())
        whole.append(("orjson.dumps(list of dicts)", lambda: orjson.dumps(values)))
    if msgspec:
        svalues = list(structs.values())
        whole.append(("msgspec encode(list of Structs)", lambda: enc.encode(svalues)))
    print("Whole store as one JSON array (%d records, ms, median of %d)" % (N, REPEATS))
    base = None
    for name, fn in whole:
        t = median_time(fn) * 1e3
        base = base or t
        print("  %-34s %8.1f ms  (%.2fx slots)" % (name, t, t / base))


if __name__ == "__main__":
    main()
