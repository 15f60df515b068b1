"""Per-core JSON speed against msgspec and orjson in one run (issue 13 goal 2), over 1,000,000
Product{id: int key, name: str 'product-%08d', price: float} (the records tests/bench/bench_json.c
makes). Loads: JSON Lines bytes -> a keyed libslots store (one thread, then every core) against
msgspec's decode_lines into Struct(gc=False) records. Dumps: the store's dump_jsonl, dump_csv and
to_json per record against msgspec.json.encode and orjson.dumps over the same records. Medians of 5,
each figure also as a ratio to the anchor (>1: libslots is faster); an anchor that cannot be
imported prints n/a. Times are the process's CPU time (the machine may be shared), except the load
on every core (wall time, against msgspec's one-thread CPU time).

Run from the repository (after `make lib`):
    SLOTS_LIBRARY=build/libslots.so.1 /work/venv-anchors/bin/python tests/bench/bench_json.py [N]
"""
import dataclasses
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "bindings", "python"))
import slots  # noqa: E402

try:
    import msgspec
except ImportError:
    msgspec = None
try:
    import orjson
except ImportError:
    orjson = None

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
REPEATS = 5


@slots.record
class Product:
    id: int = slots.key()
    name: str
    price: float


@dataclasses.dataclass(slots=True)
class PyProduct:
    id: int
    name: str
    price: float


if msgspec:
    class MsProduct(msgspec.Struct, gc=False):
        id: int
        name: str
        price: float


def median_time(fn, repeats=REPEATS, clock=time.process_time):
    """Median seconds of fn() after one warm-up call, and fn's last result. The process's CPU time
    by default (the machine may be shared: time spent waiting for a core is nobody's); wall time for
    loads on every core."""
    out = fn()
    times = []
    for _ in range(repeats):
        out = None
        gc.collect()
        t = clock()
        out = fn()
        times.append(clock() - t)
    return statistics.median(times), out


def records():
    return [(i, "product-%08d" % i, (i % 100000) / 100) for i in range(1, N + 1)]


def jsonl_text(rows):
    return "".join('{"id":%d,"name":"%s","price":%r}\n' % r for r in rows).encode()


def load_slots(data):
    def run():
        s = slots.Store(Product)
        s.load_jsonl(data)
        return s
    return run


def row(label, secs, nbytes, anchor_secs):
    ratio = "n/a" if anchor_secs is None else "%.2fx" % (anchor_secs / secs)
    print("  %-44s %8.1f ms %8.1f MB/s  %s" % (label, secs * 1e3, nbytes / secs / 1e6, ratio))


def anchor(label, secs, nbytes):
    if secs is None:
        print("  %-44s      n/a" % label)
    else:
        print("  %-44s %8.1f ms %8.1f MB/s" % (label, secs * 1e3, nbytes / secs / 1e6))


def main():
    rows = records()
    data = jsonl_text(rows)
    backend = getattr(slots, "backend", None)
    print("bench_json.py: %d Product records, %.1f MB of JSON Lines, median of %d (backend %s; ratio = anchor "
          "time / libslots time, >1 means libslots is faster)" % (N, len(data) / 1e6, REPEATS,
                                                                   backend() if callable(backend) else backend))

    print("load: JSON Lines -> records")
    ms_load = None
    if msgspec:
        dec = msgspec.json.Decoder(MsProduct)
        ms_load, structs = median_time(lambda: dec.decode_lines(data))
        assert len(structs) == N
    anchor("msgspec decode_lines -> Struct(gc=False)", ms_load, len(data))
    os.environ["SLOTS_LOAD_THREADS"] = "1"
    one, store = median_time(load_slots(data))
    del os.environ["SLOTS_LOAD_THREADS"]
    row("libslots load_jsonl, keyed, 1 thread", one, len(data), ms_load)
    both, store = median_time(load_slots(data), clock=time.perf_counter)
    row("libslots load_jsonl, keyed, %d cores (wall)" % os.cpu_count(), both, len(data), ms_load)
    assert len(store) == N

    print("dump: records -> JSON Lines / JSON / CSV")
    ms_dump = oj_dump = None
    if msgspec:
        enc = msgspec.json.Encoder()
        ms_dump, text = median_time(lambda: enc.encode_lines(structs))
        assert text == data, "msgspec's JSON Lines differ from the input"
        anchor("msgspec Encoder.encode_lines(structs)", ms_dump, len(text))
    else:
        anchor("msgspec Encoder.encode_lines(structs)", None, 0)
    if orjson:
        dcs = [PyProduct(*r) for r in rows]
        oj_dump, text = median_time(lambda: orjson.dumps(dcs))
        anchor("orjson.dumps(list of dataclasses)", oj_dump, len(text))
        del dcs
    else:
        anchor("orjson.dumps(list of dataclasses)", None, 0)
    secs, text = median_time(store.dump_jsonl)
    assert text == data, "dump_jsonl differs from the loaded text"
    row("libslots dump_jsonl (vs msgspec)", secs, len(text), ms_dump)
    row("libslots dump_jsonl (vs orjson)", secs, len(text), oj_dump)
    secs, text = median_time(store.dump_csv)
    row("libslots dump_csv (vs msgspec JSON)", secs, len(text), ms_dump)

    print("to_json: one record at a time, from Python")
    ms_one = None
    recs = list(store)
    if msgspec:
        encode = msgspec.json.encode
        ms_one, total = median_time(lambda: sum(len(encode(s)) for s in structs))
        anchor("msgspec.json.encode(struct) each", ms_one, total)
    else:
        anchor("msgspec.json.encode(struct) each", None, 0)
    to_json = slots.to_json
    secs, total = median_time(lambda: sum(len(to_json(r)) for r in recs))
    row("libslots slots.to_json(record) each", secs, total, ms_one)


if __name__ == "__main__":
    main()
