"""tests/bench/bench_sources.py — Redis -> store and PostgreSQL -> store, against the usual Python way.

Measured, not asserted. Starts its own throwaway Redis and PostgreSQL (tests/sources/servers.py:
loopback, free ports, temp dirs, stopped at the end) and fills them with ROWS products
(tests/sources/products.lua and products.sql, the data the tests use). Then, for each source:

  Redis (SCAN + pipelined MGET of 1000 keys, the fetch on a thread of its own two batches ahead):
    fetch only                  the floor: redis-py SCAN + MGET, values left as bytes
    redis-py + json.loads + dataclass   each value json.loads'ed into a @dataclass(slots=True),
                                        kept in a dict by id
    redis-py + store.load_json  each MGET reply (a list of bytes) loaded into a keyed store
    ... decode only             the same two decodings of batches fetched beforehand (the part
                                of the work that happens in the client process)
  PostgreSQL (the whole table, ordered by id):
    fetch only                  the floor: COPY ... TO STDOUT (FORMAT csv) chunks, not decoded
    psycopg + dataclass         SELECT through a cursor, each row into a @dataclass(slots=True),
                                kept in a dict by id
    psycopg COPY + store.loader COPY ... TO STDOUT (FORMAT csv, HEADER) chunks (a row each) fed to
                                store.loader("csv") 64 KiB at a time (tests/sources/pg_source.py)

Each figure is the best of REPEAT runs (wall clock; the servers run on the same machine and share
its cores). Run it with the sources venv (make deps makes it) and the library built:
    make lib && SLOTS_LIBRARY=build/libslots.so.1 build/venv-sources/bin/python tests/bench/bench_sources.py
Environment: SLOTS_BENCH_ROWS (default 1000000), SLOTS_BENCH_REPEAT (default 3), SLOTS_BENCH_SOURCES
(default "redis,pg": which to run).
"""
import dataclasses
import gc
import json
import os
import sys
import time
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (os.path.join(ROOT, "tests", "sources"), os.path.join(ROOT, "bindings", "python")):
    sys.path.insert(0, p)

import pg_source  # noqa: E402
import redis_source  # noqa: E402
import servers  # noqa: E402
import slots  # noqa: E402

ROWS = int(os.environ.get("SLOTS_BENCH_ROWS", "1000000"))
REPEAT = int(os.environ.get("SLOTS_BENCH_REPEAT", "3"))
SOURCES = os.environ.get("SLOTS_BENCH_SOURCES", "redis,pg").split(",")


@dataclasses.dataclass(slots=True)
class ProductDC:
    id: int
    name: str
    price: float
    in_stock: bool
    qty: int
    note: Optional[str]
    payload: bytes = b""


with open(os.path.join(ROOT, "tests", "sources", "product.fields")) as f:
    Product = slots.define("Product", f.read())


def best(fn):
    """(seconds, result) of the fastest of REPEAT runs; the result of each run is dropped before
    the next (so a store or dict of a million records is freed) and garbage is collected first."""
    times, result = [], None
    for _ in range(REPEAT):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def row(what, secs, base=None):
    speed = f"{ROWS / secs / 1e6:6.2f} M rows/s"
    rel = f"  {base / secs:5.2f}x" if base else ""
    print(f"  {what:<42} {secs:7.3f} s  {speed}{rel}", flush=True)


def compare(*cases):
    """Times each (label, fn) case, whose fn returns what it made (ROWS of it), and prints them;
    the first is the baseline the others are compared with."""
    base = None
    for label, fn in cases:
        secs, made = best(fn)
        assert (made if isinstance(made, int) else len(made)) == ROWS, (label, made)
        del made
        row(label, secs, base)
        base = base or secs


# ---- Redis ----------------------------------------------------------------------------------------
def redis_fetch_only(batches):
    return sum(len(v) for v in batches)


def redis_dataclasses(batches):
    out = {}
    for values in batches:
        for v in values:
            if v is not None:
                d = json.loads(v)
                out[d["id"]] = ProductDC(**d)
    return out


def redis_store(batches):
    store = Product.store()
    redis_source.load(store, batches)
    return store


def bench_redis(port):
    r = redis_source.connect(port)
    t = time.perf_counter()
    r.flushall()
    for first in range(1, ROWS + 1, 100000):
        redis_source.fill(r, first, min(100000, ROWS + 1 - first))
    print(f"Redis: {ROWS} JSON values filled in {time.perf_counter() - t:.1f} s "
          f"({r.info('memory')['used_memory_human']})", flush=True)
    compare(("fetch only (SCAN + MGET, no decoding)", lambda: redis_fetch_only(redis_source.batches_in_background(r))))
    compare(("redis-py + json.loads + dataclass", lambda: redis_dataclasses(redis_source.batches_in_background(r))),
            ("redis-py + store.load_json", lambda: redis_store(redis_source.batches_in_background(r))))
    batches = list(redis_source.scan_mget(r))
    compare(("decode only: json.loads + dataclass", lambda: redis_dataclasses(batches)),
            ("decode only: store.load_json", lambda: redis_store(batches)))
    del batches
    r.close()


# ---- PostgreSQL -----------------------------------------------------------------------------------
def pg_fetch_only(conn):
    n = 0
    with conn.cursor() as cur, cur.copy(pg_source.COPY_OUT) as copy:
        for chunk in copy:
            n += 1
    return n - 1  # the header


def pg_dataclasses(conn):
    out = {}
    with conn.cursor() as cur:
        cur.execute("SELECT id, name, price, in_stock, qty, note, payload FROM products ORDER BY id")
        for rec in cur:
            out[rec[0]] = ProductDC(*rec)
    return out


def pg_store(conn):
    store = Product.store()
    pg_source.copy_into(conn, store)
    return store


def bench_pg(pg):
    conn = pg_source.connect(pg)
    t = time.perf_counter()
    pg_source.create_products(conn, ROWS)
    conn.execute("VACUUM ANALYZE products")
    print(f"PostgreSQL: {ROWS} rows made in {time.perf_counter() - t:.1f} s", flush=True)
    compare(("fetch only (COPY csv chunks, no decoding)", lambda: pg_fetch_only(conn)))
    compare(("psycopg + dataclass", lambda: pg_dataclasses(conn)),
            ("psycopg COPY + store.loader('csv')", lambda: pg_store(conn)))
    conn.close()


def main():
    print(f"bench_sources: {ROWS} rows, best of {REPEAT}; slots backend {slots.backend}"
          f"/{slots.backend_mode}, {os.cpu_count()} CPUs (the servers share them)")
    with servers.servers(redis="redis" in SOURCES, pg="pg" in SOURCES) as s:
        if s.redis:
            bench_redis(s.redis.port)
        if s.pg:
            bench_pg(s.pg)


if __name__ == "__main__":
    main()
