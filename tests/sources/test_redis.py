"""Redis into a keyed store with redis-py (redis_source.py), against a real server: SCAN +
pipelined MGET batches loaded while the next is fetched, served back as JSON, reloads that upsert,
a bad value, and a server that goes away mid-refresh."""
import json

import pytest
import redis
import slots

import redis_source

N = 20000


@pytest.fixture(scope="module")
def r(srv):
    r = redis_source.connect(srv.redis.port)
    r.flushall()
    redis_source.fill(r, 1, N)
    r.set("session:1", b"not a product")  # outside the SCAN pattern
    yield r
    r.close()


def _source(r, ids):
    return [json.loads(v) for v in r.mget([f"product:{i}" for i in ids])]


def _record_dict(rec):
    d = slots.asdict(rec)
    del d["payload"]  # not in the Redis values: its default
    return d


def test_scan_mget_batches_load_while_fetching(r, Product):
    store = Product.store()
    loaded = redis_source.load(store, r)
    assert len(store) == N
    assert loaded >= N  # SCAN may return a key twice: the upsert counts it again
    ids = list(range(1, N + 1, 97)) + [14]
    assert [_record_dict(store.get(i)) for i in ids] == _source(r, ids)
    assert store.get(14).name == 'Widget "14", large\nsecond line'
    assert store.get(15).note is None and store.get(1).name == "Café 1"


def test_served_back_as_one_json_array(r, Product):
    store = Product.store()
    redis_source.load(store, r)
    ids = [14, 3, 15, N, 1]
    body = store.to_json(ids)  # the response body: bytes, made in C
    got = json.loads(body)
    for d in got:
        assert d.pop("payload") == ""
    assert got == _source(r, ids)
    assert body == ("[" + ",".join(store.get(i).to_json() for i in ids) + "]").encode()
    with pytest.raises(KeyError):
        store.to_json([1, N + 1])


def test_reload_upserts_changed_values(r, Product):
    store = Product.store()
    redis_source.load(store, r)
    handle = store.get(5)
    old = r.get("product:5")
    try:
        r.set("product:5", json.dumps({"id": 5, "name": "renamed", "price": 1.5, "in_stock": True,
                                       "qty": 3, "note": None}))
        redis_source.load(store, r)
        assert len(store) == N
        assert store.get(5).name == "renamed" and handle.name == "renamed"  # in place
    finally:
        r.set("product:5", old)


def test_bad_value_fails_its_batch_and_changes_nothing(r, Product):
    store = Product.store()
    redis_source.load(store, r)
    before = store.dump_jsonl()
    good = b'{"id": 1, "name": "a", "price": 1, "in_stock": true, "qty": 1, "note": null}'
    bad = b'{"id": 2, "name": "b", "price": "x", "in_stock": true, "qty": 1, "note": null}'
    with pytest.raises(TypeError, match="value 2"):
        store.load_json([good, bad], upsert=True)
    assert store.dump_jsonl() == before


def test_server_gone_mid_refresh_leaves_the_store_unchanged(own_redis, Product):
    r = redis_source.connect(own_redis.port)
    redis_source.fill(r, 1, N)
    store = Product.store()
    redis_source.refresh(store, r)
    assert len(store) == N
    before = store.dump_jsonl()
    r.flushall()
    redis_source.fill(r, N + 1, N)  # a refresh that would add N records
    with pytest.raises(redis.ConnectionError):
        redis_source.refresh(store, r, after_batch=lambda i: own_redis.kill())
    assert len(store) == N
    assert store.dump_jsonl() == before
