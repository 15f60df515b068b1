"""tests/sources/redis_source.py — a Redis keyspace into a keyed store, as a cache service would
load it (an example, used by test_redis.py and tests/bench/bench_sources.py).

A fetcher thread walks the keys with SCAN and fetches each page with MGET, the next SCAN pipelined
behind it (one round trip per batch); the caller's thread loads each MGET reply, a list of JSON
values, with store.load_json while the fetcher gets the next batch (a queue of two). SCAN may
return a key twice, so the loads upsert."""
import os
import queue
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

HERE = os.path.dirname(os.path.abspath(__file__))
_END = object()


def connect(port):
    # no retries: a server that went away is an error now, not after a back-off
    return redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))


def fill(r, first, count):
    """Writes `count` products from id `first` with products.lua (the generator the C tests use)."""
    with open(os.path.join(HERE, "products.lua")) as f:
        r.eval(f.read(), 0, first, count)


def scan_mget(r, match="product:*", count=1000):
    """Yields the MGET reply (a list of bytes, None for a key gone since the SCAN) of each page."""
    cursor, keys = r.scan(0, match=match, count=count)
    while True:
        pipe = r.pipeline(transaction=False)
        if keys:
            pipe.mget(keys)
        if cursor:
            pipe.scan(cursor, match=match, count=count)
        replies = pipe.execute()
        if keys:
            yield replies[0]
        if not cursor:
            return
        cursor, keys = replies[-1]


def batches_in_background(r, **scan_args):
    """scan_mget on a thread of its own, two batches ahead; its error is raised here."""
    q = queue.Queue(maxsize=2)
    stop = threading.Event()

    def run():
        try:
            for values in scan_mget(r, **scan_args):
                while not stop.is_set():
                    try:
                        q.put(values, timeout=0.1)
                        break
                    except queue.Full:
                        pass
                if stop.is_set():
                    return
            q.put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            q.put(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join()


def load(store, source, after_batch=None, **scan_args):
    """Every batch into the store as it comes (each batch all or nothing). `source`: a Redis client
    (its keys are fetched in the background) or batches fetched already. Returns the records
    loaded. after_batch(i) is called after batch i is in (a test kills the server there)."""
    if isinstance(source, redis.Redis):
        source = batches_in_background(source, **scan_args)
    total = 0
    for i, values in enumerate(source, 1):
        total += store.load_json(values, upsert=True)  # None (a key gone since the SCAN) is no row
        if after_batch:
            after_batch(i)
    return total


def refresh(store, r, after_batch=None, **scan_args):
    """The whole keyspace as one all-or-nothing load: the values stream into a JSON Lines loader
    that commits at the end, or aborts when the fetch fails (the store is then unchanged). A raw
    line end inside a JSON value can only be whitespace between tokens, so it is fed as a space."""
    with store.loader("jsonl", upsert=True) as ld:
        for i, values in enumerate(batches_in_background(r, **scan_args), 1):
            ld.feed(b"".join(v.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
                             for v in values if v is not None))
            if after_batch:
                after_batch(i)
