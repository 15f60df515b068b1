"""Thread scenarios for test_thread_safety.py, each run in a subprocess of its own
(`python3 _thread_scenarios.py NAME`) so that a crash fails one test instead of killing pytest.
The backend comes from SLOTS_BACKEND / SLOTS_CFFI_MODE / SLOTS_LIBRARY, set by the test.
Exit status 0 means every assertion held; anything else (an assertion, a signal) is a failure.
No assertion depends on timing: threads meet at events, and every outcome a race can have is
named and accepted or refused explicitly."""
import csv
import io
import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import slots  # noqa: E402

LONG_A = "a" * 40 + "-first"   # longer than 23 bytes: held out of line in C
LONG_B = "b" * 57 + "-second"
N = int(os.environ.get("SLOTS_THREAD_ROUNDS", "200000"))  # today's core double-frees within ~100000

Item = slots.define("TItem", "id: i64 key, name: str, qty: i64 = 0")


def run_threads(*targets):
    """Runs each target on its own thread, started together; re-raises the first failure."""
    errors = []
    go = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            try:
                go.wait()
                fn()
            except BaseException as exc:  # reported below, on the main thread
                errors.append(exc)
        return run
    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def jsonl(first, n):
    return "".join('{"id": %d, "name": "%s-%d", "qty": %d}\n' % (i, LONG_A, i, i)
                   for i in range(first, first + n)).encode()


# ---- strings: two writers, readers against a writer ---------------------------------------------

def two_writers():
    """Two threads assign the same long str field of one record (an owned record and a store's)."""
    store = Item.store()
    for rec in (Item(1, "start"), store.append(1, "start")):
        def writer(value):
            def run():
                for _ in range(N):
                    rec.name = value
            return run
        run_threads(writer(LONG_A), writer(LONG_B))
        assert rec.name in (LONG_A, LONG_B), rec.name
    assert len(store) == 1


def reader_writer():
    """One thread reads a str field every way there is while another sets it: every value read is
    one of the values written, whole."""
    values = [LONG_A, LONG_B, "short", ""]
    store = Item.store()
    rec = store.append(1, LONG_A)
    done = threading.Event()

    def writer():
        try:
            for i in range(N):
                rec.name = values[i % len(values)]
        finally:
            done.set()

    def reader():
        seen = set()
        while not done.is_set():
            got = [rec.name, json.loads(rec.to_json())["name"],
                   json.loads(store.dump_jsonl())["name"],
                   next(csv.DictReader(io.StringIO(store.dump_csv().decode())))["name"]]
            r = repr(rec)
            prefix = "TItem(id=1, name="
            assert r.startswith(prefix) and r.endswith(", qty=0)"), r
            got.append(eval(r[len(prefix):-len(", qty=0)")]))  # the repr of a str: a literal
            for v in got:
                assert v in values, v
                seen.add(v)
        return seen
    run_threads(writer, reader)
    assert rec.name in values


# ---- drop while another thread is inside a call -----------------------------------------------

def _dropper(store, started):
    """Drops `store` once the other thread has started; BusyError (the core refusing to drop a
    store in use) is retried until the drop goes through."""
    def run():
        started.wait()
        while True:
            try:
                store.drop()
                return
            except slots.BusyError:
                continue
    return run


def _stale_or_done(fn):
    """Runs fn; StaleRecordError (the store went away under it) or BusyError (the core refused a
    call on a store being dropped) are clean outcomes."""
    try:
        fn()
    except (slots.StaleRecordError, slots.BusyError):
        pass


def loaded(n):
    assert n == 20000, n  # a load is all or nothing, whatever happens beside it


def drop_while(use, rounds=20, records=0):
    """`rounds` times: a fresh store (with `records` loaded), one thread calling use(store) in a
    loop, another dropping the store once the first has started. use() ends the loop by returning
    True; StaleRecordError or BusyError (the store went away under it) end it cleanly too. The
    store ends dropped, and then refuses every call."""
    for _ in range(rounds):
        store = Item.store()
        if records:
            store.load_jsonl(jsonl(1, records))
        started = threading.Event()

        def user():
            started.set()
            while True:
                try:
                    if use(store):
                        return
                except (slots.StaleRecordError, slots.BusyError):
                    return
        run_threads(user, _dropper(store, started))
        assert store.dropped
        try:
            len(store)
            raise AssertionError("a dropped store answered")
        except slots.StaleRecordError:
            pass


def drop_during_load():
    data = jsonl(1, 20000)

    def load(store):
        for _ in range(5):
            _stale_or_done(lambda: loaded(store.load_jsonl(data)))
            _stale_or_done(store.clear)
        return True
    drop_while(load)


def drop_during_read():
    def read(store, i=[0]):
        i[0] += 1
        k = i[0]
        n = len(store)
        try:
            assert store.rows[k % n].name.startswith(LONG_A) if n else True
        except IndexError:  # emptied by the drop since len()
            pass
        g = store.get(1 + k % 5000, None)
        assert g is None or g.id == 1 + k % 5000
        store.sum("qty")
        store.column("qty")
        store.dump_jsonl()
    drop_while(read, records=5000)


def drop_during_iteration():
    def iterate(store):
        for rec in store:
            name = rec.name
            assert name.startswith(LONG_A), (name, rec._h)
    drop_while(iterate, records=5000)


# ---- a validator acting on the store being loaded ---------------------------------------------

def validator_reentry():
    """A validator that drops, clears or loads into the store being loaded gets BusyError (the
    core refuses); the store is unchanged by the attempt: the load's count and the store's agree."""
    V = slots.define("TValidated", "id: i64 key, name: str")
    for action in ("drop", "clear", "load"):
        store = V.store()
        store.append(1000, "kept")
        seen = []

        def check(rec, value, store=store, action=action, seen=seen):
            try:
                if action == "drop":
                    store.drop()
                elif action == "clear":
                    store.clear()
                else:
                    store.load_jsonl(b'{"id": 5000, "name": "inner"}\n')
            except BaseException as exc:
                seen.append(exc)
            return None
        V.validator("name", check)
        try:
            loaded = store.load_jsonl(b"".join(b'{"id": %d, "name": "n%d"}\n' % (i, i) for i in range(3)))
        finally:
            V.clear_validator("name")
        assert loaded == 3, (action, loaded)
        assert len(seen) == 3 and all(type(e) is slots.BusyError for e in seen), (action, seen)
        assert not store.dropped and len(store) == 4, (action, len(store))
        assert sorted(r.id for r in store) == [0, 1, 2, 1000]
        # A validator that lets BusyError refuse the row: the load fails and changes nothing.

        def refuse(rec, value, store=store):
            store.clear()
        V.validator("name", refuse)
        try:
            try:
                store.load_jsonl(b'{"id": 7, "name": "x"}\n')
                raise AssertionError("the load went through")
            except ValueError as exc:
                assert "BusyError" in str(exc), exc
        finally:
            V.clear_validator("name")
        assert len(store) == 4 and 7 not in store


def stale_reference_after_drop():
    """A call that took the store's reference just before another thread dropped it is refused
    (SLOTS_ESTALE), never run on freed memory; so is every use of the store after the drop."""
    store = Item.store()
    store.load_jsonl(jsonl(1, 100))
    held = store._live()  # the reference a method reads before it calls C
    store.drop()
    rc, _n = slots._lib._b.out("slots_store_len", held)
    assert rc == slots._lib.ESTALE, rc
    for use in (lambda: len(store), lambda: store.rows[0], lambda: store.get(1), store.clear,
                lambda: store.load_jsonl(jsonl(200, 1))):
        try:
            use()
            raise AssertionError("a dropped store answered")
        except slots.StaleRecordError:
            pass
    store.drop()  # twice: harmless


if __name__ == "__main__":
    globals()[sys.argv[1]]()
    print("ok")
