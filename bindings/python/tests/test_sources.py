"""Where loads read from and dumps write to, on every backend: text only through text=, a str or
os.PathLike always a path, file objects (binary, text, StringIO, pipes, stdin) read to their end,
FIFOs, /proc files and directories; OSError(errno, strerror, filename) so FileNotFoundError and
friends match; dumps that replace a file atomically (a failed dump leaves it byte-identical)."""
import errno
import io
import math
import os
import pathlib
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = b'{"id": 1, "name": "a", "price": 1.5}\n{"id": 2, "name": "b\\u00e9", "price": 2}\n'


@pytest.fixture
def Product(slots):
    return slots.define("SourcedProduct", "id: i64 key, name: str, price: f64 = 0")


def python_open_error(path):
    """The exception Python's own open() raises for path, to compare ours with."""
    try:
        open(path, "rb").close()
    except OSError as exc:
        return exc
    raise AssertionError("%r opened" % path)


def assert_like_python(exc, path, err):
    assert exc.errno == err and exc.filename == os.fspath(path)
    assert str(exc) == str(python_open_error(path))


def temporaries(d):
    return [n for n in os.listdir(d) if n.startswith(".slots-")]


def feed(fd, data, chunk=4096):
    """Writes data to fd from another thread and closes it; returns the thread."""
    def run():
        with os.fdopen(fd, "wb") as w:
            for i in range(0, len(data), chunk):
                w.write(data[i:i + chunk])
    t = threading.Thread(target=run)
    t.start()
    return t


def many_rows(n):
    return b"".join(b'{"id": %d, "name": "row %d"}\n' % (i, i) for i in range(n))


# ---- text only through text= --------------------------------------------------------------------
def test_text_goes_through_the_keyword(Product):
    s = Product.store()
    assert s.load_jsonl(text=ROWS.decode()) == 2 and s.get(2).name == "bé"
    assert s.load_csv(text="id,name\n3,c\n") == 1 and s.get(3).name == "c"
    assert s.load_jsonl(text="") == 0
    with pytest.raises(TypeError, match="not both"):
        s.load_jsonl(ROWS, text="x")
    with pytest.raises(TypeError, match="text must be str, not bytes"):
        s.load_csv(text=b"id\n")
    with pytest.raises(TypeError, match="missing its source"):
        s.load_jsonl()
    r = s.load_jsonl(None, True, text='{"id": 9, "name": "z"}\n{"id": "x"}\n')
    assert (r.loaded, r.skipped) == (1, 1)


def test_str_is_always_a_path(Product, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Product.store()
    for src in ('{"id": 1, "name": "a"}', "id", "id,name\n1,a\n", ""):
        with pytest.raises(FileNotFoundError) as ei:
            s.load_jsonl(src) if src.startswith("{") else s.load_csv(src)
        assert_like_python(ei.value, src, errno.ENOENT)
    assert len(s) == 0
    # names a text sniffer would have taken for text are paths
    odd = tmp_path / "rows\nwith a newline.jsonl"
    odd.write_bytes(ROWS)
    assert s.load_jsonl(str(odd)) == 2
    brace = tmp_path / "{brace}.csv"
    brace.write_bytes(b"id,name\n5,e\n")
    assert s.load_csv("{brace}.csv") == 1 and s.get(5).name == "e"
    assert s.load_csv(pathlib.Path("{brace}.csv"), skip_bad=True).skipped == 1  # duplicate key 5
    with pytest.raises(ValueError, match="embedded null byte"):
        s.load_jsonl("a\0b")
    assert len(s) == 3


# ---- file objects -------------------------------------------------------------------------------
class Trickle(object):
    """A file object that hands out at most `step` items per read()."""

    def __init__(self, data, step):
        self.data, self.step = data, step

    def read(self, n=-1):
        n = self.step if n < 0 else min(n, self.step)
        out, self.data = self.data[:n], self.data[n:]
        return out


def test_file_objects(Product, tmp_path):
    s = Product.store()
    # the case: a StringIO holding "id" is a header, not a file named "id"
    assert s.load_csv(io.StringIO("id")) == 0
    assert s.load_csv(io.StringIO("id,name\n1,a\n")) == 1
    assert s.load_jsonl(io.BytesIO(b'{"id": 2, "name": "b"}\n')) == 1
    p = tmp_path / "x.jsonl"
    p.write_bytes(ROWS.replace(b'"id": 1', b'"id": 3').replace(b'"id": 2', b'"id": 4'))
    with open(p, "r", encoding="utf-8") as f:
        assert s.load_jsonl(f) == 2
    assert s.get(4).name == "bé"
    # chunks are joined, a character split across them included
    assert s.load_jsonl(Trickle('{"id": 5, "name": "żółw"}\n', 3)) == 1
    assert s.load_jsonl(Trickle(b'{"id": 6, "name": "\xc5\xbc"}\n', 1)) == 1
    assert s.get(5).name == "żółw" and s.get(6).name == "ż"
    big = many_rows(30000)  # several chunks of a real read()
    s2 = Product.store()
    assert s2.load_jsonl(io.BytesIO(big)) == 30000


def test_pipe_and_fifo(Product, tmp_path):
    data = many_rows(20000)  # more than a pipe's buffer: the reader must keep reading
    r, w = os.pipe()
    t = feed(w, data)
    with os.fdopen(r, "rb") as f:
        assert Product.store().load_jsonl(f) == 20000
    t.join()
    r, w = os.pipe()
    t = feed(w, data)
    try:
        assert Product.store().load_jsonl("/dev/fd/%d" % r) == 20000  # a pipe by path: no seeking
    finally:
        t.join()
        os.close(r)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as f:
            f.write(data)
    t = threading.Thread(target=writer)
    t.start()
    try:
        assert Product.store().load_jsonl(fifo) == 20000
    finally:
        t.join()


def test_stdin(slots, Product):
    """A child process loads its stdin, as a file object and as the path /dev/stdin."""
    code = ("import sys, slots\n"
            "@slots.record\n"
            "class P:\n    id: int = slots.key()\n    name: str\n"
            "a = P.store().load_jsonl(sys.stdin) if sys.argv[1] == 'obj' else P.store().load_jsonl('/dev/stdin')\n"
            "print(a, slots.backend, slots.backend_mode)\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE), SLOTS_BACKEND=slots.backend,
               SLOTS_CFFI_MODE=slots.backend_mode if slots.backend == "cffi" else "")
    env["SLOTS_LIBRARY"] = slots.library_path
    for how in ("obj", "path"):
        out = subprocess.run([sys.executable, "-c", code, how], input=many_rows(5000), env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        assert out.returncode == 0, out.stderr.decode()
        assert out.stdout.split()[0] == b"5000"


def test_proc_file(slots):
    """A /proc file says its size is 0 and still has content: this thread's name, set to JSON."""
    comm = "/proc/thread-self/comm"
    if not os.path.exists(comm):
        pytest.skip("no /proc/thread-self")

    @slots.record
    class OnlyId:
        id: int
    with open(comm) as f:
        old = f.read().rstrip("\n")
    try:
        with open(comm, "w") as f:
            f.write('{"id": 7}')
        assert os.stat(comm).st_size == 0
        s = OnlyId.store()
        assert s.load_jsonl(comm) == 1 and s.rows[0].id == 7
    finally:
        with open(comm, "w") as f:
            f.write(old)


# ---- OSError subclasses -------------------------------------------------------------------------
def test_os_errors_match_python(slots, Product, tmp_path):
    s = Product.store()
    missing = tmp_path / "missing.jsonl"
    try:
        s.load_jsonl(missing)
    except FileNotFoundError as exc:  # the case: this never matched
        assert_like_python(exc, missing, errno.ENOENT)
        assert exc.status == slots._lib.EIO and exc.line is None
    else:
        raise AssertionError("no FileNotFoundError")
    with pytest.raises(IsADirectoryError) as ei:
        s.load_csv(tmp_path)
    assert_like_python(ei.value, tmp_path, errno.EISDIR)
    notdir = tmp_path / "file"
    notdir.write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        s.load_csv(notdir / "x.csv")
    with pytest.raises(NotADirectoryError):
        s.dump_csv(notdir / "x.csv")
    if os.geteuid() != 0:
        locked = tmp_path / "locked.csv"
        locked.write_bytes(b"id,name\n1,a\n")
        locked.chmod(0)
        with pytest.raises(PermissionError):
            s.load_csv(locked)
        ro_dir = tmp_path / "ro"
        ro_dir.mkdir()
        ro_dir.chmod(0o500)
        with pytest.raises(PermissionError):
            s.dump_csv(ro_dir / "x.csv")
    assert len(s) == 0


# ---- dumps --------------------------------------------------------------------------------------
def test_dump_errors_and_mode(Product, tmp_path):
    s = Product.store()
    s.append(1, "a", 1.5)
    with pytest.raises(FileNotFoundError) as ei:
        s.dump_jsonl(tmp_path / "no" / "dir.jsonl")
    assert_like_python(ei.value, tmp_path / "no" / "dir.jsonl", errno.ENOENT)
    with pytest.raises(IsADirectoryError):
        s.dump_csv(tmp_path)
    with pytest.raises(ValueError, match="embedded null byte"):
        s.dump_csv(str(tmp_path / "a\0b"))
    p = tmp_path / "kept-mode.csv"
    p.write_bytes(b"old")
    p.chmod(0o604)
    s.dump_csv(p)
    assert p.read_bytes() == b"id,name,price\n1,a,1.5\n"
    assert os.stat(p).st_mode & 0o7777 == 0o604
    assert temporaries(tmp_path) == []


def test_failed_dump_leaves_the_file(Product, tmp_path):
    s = Product.store()
    s.append(1, "a", math.nan)  # JSON has no NaN: the dump itself fails
    p = tmp_path / "data.jsonl"
    p.write_bytes(b"precious\n")
    with pytest.raises(ValueError):
        s.dump_jsonl(p)
    assert p.read_bytes() == b"precious\n" and temporaries(tmp_path) == []


def test_dump_to_dev_full(Product):
    if not os.access("/dev/full", os.W_OK):
        pytest.skip("/dev/full not writable")
    s = Product.store()
    s.append(1, "a")
    with pytest.raises(OSError) as ei:
        s.dump_csv("/dev/full")
    assert ei.value.errno == errno.ENOSPC
    assert str(ei.value) == "[Errno 28] No space left on device: '/dev/full'"


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 64 KiB tmpfs mounted for the test (root only), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a 64k tmpfs needs root")
    d = tmp_path / "small"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if r.returncode != 0:
        pytest.skip("mount -t tmpfs -o size=64k failed: %s" % r.stdout.decode().strip())
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=True)


def test_disk_full_leaves_the_old_file(Product, small_tmpfs):
    p = small_tmpfs / "data.csv"
    p.write_bytes(b"id,name,price\n1,old,1.0\n")
    s = Product.store()
    for i in range(2000):  # about 80 KB of CSV: more than the filesystem holds
        s.append(i, "name number %d padded out" % i, i / 3)
    for dump in (s.dump_csv, s.dump_jsonl):
        with pytest.raises(OSError) as ei:
            dump(p)
        assert ei.value.errno == errno.ENOSPC and ei.value.filename == str(p)
        assert str(ei.value) == "[Errno 28] No space left on device: '%s'" % p
        assert p.read_bytes() == b"id,name,price\n1,old,1.0\n"
        assert temporaries(small_tmpfs) == []
    back = Product.store()
    assert back.load_csv(p) == 1 and back.get(1).name == "old"
