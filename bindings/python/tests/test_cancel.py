"""Stopping a load: a real SIGINT (Ctrl-C) during a big load from the main thread raises
KeyboardInterrupt with the store unchanged; Store.cancel_load() from another thread makes the load
raise slots.CancelledError, the store unchanged; a later load works. Every backend."""
import os
import signal
import threading

import pytest

ROWS = 300000  # about 17 MB of JSON Lines: a load that takes a good part of a second


@pytest.fixture(scope="module")
def texts():
    jsonl = "".join('{"id": %d, "name": "product-%08d", "price": %d.5}\n' % (i, i, i % 1000)
                    for i in range(ROWS)).encode()
    csv = ("id,name,price\n" + "".join("%d,product-%08d,%d.5\n" % (i, i, i % 1000)
                                       for i in range(ROWS))).encode()
    return {"jsonl": jsonl, "csv": csv}


@pytest.fixture
def sigint():
    """Python's own SIGINT handler (KeyboardInterrupt) for the test, whatever the runner set."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


@pytest.fixture
def threads_env():
    old = os.environ.get("SLOTS_LOAD_THREADS")
    yield
    if old is None:
        os.environ.pop("SLOTS_LOAD_THREADS", None)
    else:
        os.environ["SLOTS_LOAD_THREADS"] = old


def _seeded(slots, name):
    T = slots.define(name, "id: i64 key, name: str, price: f64")
    s = T.store()
    s.load_jsonl(b'{"id": 1, "name": "x", "price": 1}\n')
    return T, s


def _load(store, fmt, source):
    return store.load_jsonl(source) if fmt == "jsonl" else store.load_csv(source)


def _interrupt_when_loading():
    """A thread that sends SIGINT to the process once the load's helper thread runs."""
    def run():
        while not any(t.name == "slots-load" for t in threading.enumerate()):
            pass
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _interrupted_load(s, fmt, source):
    """Loads while another thread sends SIGINT once the load runs. Returns whether the load was
    stopped (KeyboardInterrupt raised by the load call) or the signal came after it had ended (on a
    busy machine the sender may run late; KeyboardInterrupt then comes from the next bytecodes)."""
    timer = _interrupt_when_loading()
    stopped = False
    try:
        try:
            _load(s, fmt, source)
        except KeyboardInterrupt:
            stopped = True
        timer.join()
        for _ in range(100):  # a late signal's KeyboardInterrupt arrives here
            threading.Event().wait(0.001)
    except KeyboardInterrupt:
        pass
    timer.join()
    return stopped


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("threads", ["1", "4"])
def test_ctrl_c_cancels_a_big_load(slots, texts, sigint, threads_env, fmt, threads, tmp_path):
    os.environ["SLOTS_LOAD_THREADS"] = threads
    T = slots.define("CtrlC", "id: i64 key, name: str, price: f64")
    path = tmp_path / ("big." + fmt)
    path.write_bytes(texts[fmt])
    stops = 0
    for source in (texts[fmt], str(path), texts[fmt]):
        s = T.store()
        s.load_jsonl(b'{"id": -1, "name": "x", "price": 1}\n')
        raised = _interrupted_load(s, fmt, source)
        # All or nothing: stopped (nothing of it stays), or the signal came as it committed or after
        # it had ended (all of it stays; KeyboardInterrupt all the same): never part of it.
        assert len(s) in (1, ROWS + 1) and -1 in s
        if len(s) == 1:
            assert raised and 5 not in s
            stops += 1
        s.clear()
        assert _load(s, fmt, texts[fmt]) == ROWS  # nothing of a cancelled load is in the way
    assert stops >= 1  # of three loads of a good part of a second each, Ctrl-C stopped one at least


def test_ctrl_c_from_a_validator_row(slots, texts, sigint):
    """The signal is sent from inside the load (a validator, so the rows decode on one thread), at
    row 100 of 300000: no timing involved."""
    T, s = _seeded(slots, "CtrlCValidated")
    seen = [0]

    def check(rec, value):
        seen[0] += 1
        if seen[0] == 100:
            os.kill(os.getpid(), signal.SIGINT)

    T.validator("price", check)
    try:
        with pytest.raises(KeyboardInterrupt):
            s.load_jsonl(texts["jsonl"])
        assert len(s) == 1
        assert seen[0] < ROWS  # stopped early, not after the last row
    finally:
        T.clear_validator("price")
    s.clear()
    assert s.load_jsonl(texts["jsonl"]) == ROWS


def test_cancel_load_from_another_thread(slots, texts, threads_env):
    os.environ["SLOTS_LOAD_THREADS"] = "4"
    T, s = _seeded(slots, "CancelOther")
    assert s.cancel_load() is False  # no load running: nothing happens, nothing is kept
    got = []

    def load():
        try:
            got.append(s.load_csv(texts["csv"]))
        except BaseException as exc:  # noqa: B902 - the test inspects it
            got.append(exc)

    t = threading.Thread(target=load)
    t.start()
    while t.is_alive() and not s.cancel_load():
        pass
    t.join()
    assert isinstance(got[0], slots.CancelledError) and str(got[0]) == "load cancelled"
    assert got[0].status == slots._lib.ECANCELED
    assert len(s) == 1
    s.clear()
    assert s.load_csv(texts["csv"]) == ROWS


def test_a_skipping_load_cancelled_changes_nothing(slots, texts, sigint):
    T, s = _seeded(slots, "CtrlCSkip")
    r = s.load_jsonl(b'{"id": 2, "name": "y", "price": 2}\n{"id": "bad"}\n', skip_bad=True)
    assert r.skipped == 1
    timer = _interrupt_when_loading()
    with pytest.raises(KeyboardInterrupt):
        s.load_jsonl(texts["jsonl"], skip_bad=True)
    timer.join()
    assert len(s) == 2
    assert s.load_jsonl(texts["jsonl"], skip_bad=True).skipped == 2  # ids 1 and 2 were there
