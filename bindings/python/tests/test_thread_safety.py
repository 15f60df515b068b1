"""Threads and lifetimes, on every backend: two writers of one str field, a reader against a
writer, a store dropped while another thread loads, reads or iterates it, a validator acting on
the store being loaded; and the binding's own part (the collector never drops a store under a
call; concurrent drops; a finalizer that finds the store busy).

The scenarios that exercise the C core run in a subprocess each (_thread_scenarios.py), so a crash
fails that test and names the signal instead of killing the test run. They need the thread-safe
core (issue 10); SLOTS_THREAD_TESTS=0 skips them (for a library from before it, which they crash)."""
import gc
import os
import signal
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def run_scenario(slots, name, rounds=None):
    if os.environ.get("SLOTS_THREAD_TESTS") == "0":
        pytest.skip("SLOTS_THREAD_TESTS=0")
    env = dict(os.environ, SLOTS_BACKEND=slots.backend, SLOTS_LIBRARY=slots.library_path,
               SLOTS_CFFI_MODE="abi" if slots.backend_mode == "abi" else "")
    if rounds:
        env["SLOTS_THREAD_ROUNDS"] = str(rounds)
    p = subprocess.run([sys.executable, os.path.join(HERE, "_thread_scenarios.py"), name], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode < 0:
        pytest.fail("scenario %s crashed with %s\n%s" % (name, signal.Signals(-p.returncode).name,
                                                        p.stderr[-3000:]))
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-3000:]


# ---- the C core under threads (each in a subprocess) ----------------------------------------------

def test_two_threads_assign_one_long_str_field(slots):
    run_scenario(slots, "two_writers")


def test_reader_sees_whole_old_or_new_str(slots):
    run_scenario(slots, "reader_writer")


def test_drop_while_another_thread_loads(slots):
    run_scenario(slots, "drop_during_load")


def test_drop_while_another_thread_reads(slots):
    run_scenario(slots, "drop_during_read")


def test_drop_while_another_thread_iterates(slots):
    run_scenario(slots, "drop_during_iteration")


def test_validator_acting_on_the_store_being_loaded_gets_busy(slots):
    run_scenario(slots, "validator_reentry")


def test_a_reference_taken_before_a_drop_is_refused(slots):
    run_scenario(slots, "stale_reference_after_drop")


# ---- the binding's part (any core) ---------------------------------------------------------------

@pytest.fixture
def Item(slots):
    return slots.define("TSItem", "id: i64 key, name: str")


def test_the_collector_never_drops_a_store_under_a_call(slots, Item):
    """A store whose only reference is the running call's own (a temporary) is not dropped by a
    collection another thread runs meanwhile: the call holds its Store."""
    data = b"".join(b'{"id": %d, "name": "n%d"}\n' % (i, i) for i in range(20000))
    counts, done = [], threading.Event()

    def load():
        try:
            for _ in range(20):
                counts.append(Item.store().load_jsonl(data))
        finally:
            done.set()
    t = threading.Thread(target=load)
    t.start()
    while not done.is_set():
        gc.collect()
    t.join()
    assert counts == [20000] * 20
    gc.collect()
    assert slots.live_records(Item) == 0


def test_drop_frees_the_store_at_once_when_no_call_runs(slots, Item):
    gc.collect()
    before = slots.memory_usage()
    store = Item.store()
    for i in range(2000):
        store.append(i, "name-%d-%s" % (i, "x" * 30))
    assert slots.memory_usage() > before
    store.drop()
    assert slots.memory_usage() == before
    store.drop()  # twice: harmless


def test_concurrent_drops(slots, Item):
    for _ in range(20):
        store = Item.store()
        store.append(1, "a")
        errors = []
        go = threading.Barrier(6)

        def drop():
            go.wait()
            while True:
                try:
                    store.drop()
                    return
                except slots.BusyError as exc:  # another thread is dropping it right now
                    assert exc.status == slots._lib.EBUSY
                except BaseException as exc:
                    errors.append(exc)
                    return
        threads = [threading.Thread(target=drop) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and store.dropped


def test_a_finalizer_that_finds_the_store_busy_drops_it_later(slots, Item):
    from slots import _store
    store = Item.store()
    store.append(1, "a")
    p = store._live()
    store.__del__(_drop=lambda s: slots._lib.EBUSY)  # as if the core said SLOTS_EBUSY: no exception
    assert store.dropped and p in _store._undropped and slots.live_records(Item) == 1
    Item.store()  # the next store made retries the drop
    assert p not in _store._undropped and slots.live_records(Item) == 0


def test_a_collected_store_outlives_its_running_iteration(slots, Item):
    store = Item.store()
    for i in range(300):
        store.append(i, "n%d" % i)
    it = iter(store)
    assert next(it).id == 0
    del store
    gc.collect()
    assert [r.id for r in it] == list(range(1, 300))
