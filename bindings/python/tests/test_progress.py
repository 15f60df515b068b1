"""Load progress: progress(n) is called with each batch of rows decoded and the batches add up to
the rows (tqdm's update fits); an exception from it stops the load, changes nothing, and is raised
from the load; the store reports no progress to later loads. Every backend, one thread and four."""
import os

import pytest

ROWS = 150000


@pytest.fixture(scope="module")
def text():
    return "".join('{"id": %d, "name": "n%d"}\n' % (i, i) for i in range(ROWS)).encode()


@pytest.fixture
def threads():
    old = os.environ.get("SLOTS_LOAD_THREADS")
    yield lambda n: os.environ.__setitem__("SLOTS_LOAD_THREADS", n)
    if old is None:
        os.environ.pop("SLOTS_LOAD_THREADS", None)
    else:
        os.environ["SLOTS_LOAD_THREADS"] = old


@pytest.mark.parametrize("n", ["1", "4"])
def test_progress_adds_up(slots, text, threads, n):
    threads(n)
    P = slots.define("Prog" + n, "id: i64 key, name: str")
    s = P.store()
    seen = []
    assert s.load_jsonl(text, progress=seen.append) == ROWS
    assert sum(seen) == ROWS and len(seen) >= 2 and all(k > 0 for k in seen)
    csv = b"id,name\n" + b"".join(b"%d,m%d\n" % (i, i) for i in range(ROWS, ROWS + 1000))
    seen.clear()
    assert s.load_csv(csv, progress=seen.append) == 1000 and sum(seen) == 1000


def test_an_exception_stops_the_load(slots, text):
    P = slots.define("ProgStop", "id: i64 key, name: str")
    s = P.store()

    class Enough(Exception):
        pass

    def stop(n):
        raise Enough("enough")
    with pytest.raises(Enough):
        s.load_jsonl(text, progress=stop)
    assert len(s) == 0
    assert s.load_jsonl(text) == ROWS  # no progress function left behind
