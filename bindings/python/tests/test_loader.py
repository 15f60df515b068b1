"""Library lookup, backend choice, version check and the generated FFI declarations."""
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO = os.path.normpath(os.path.join(PKG_ROOT, os.pardir, os.pardir))


def run(code, **env):
    e = dict(os.environ)
    e["PYTHONPATH"] = PKG_ROOT
    for k, v in env.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                          timeout=60)


def test_backend_is_reported_and_forced(slots):
    lib = slots.library_path
    for forced in ("ctypes", "cffi"):
        r = run("import slots; print(slots.backend)", SLOTS_BACKEND=forced, SLOTS_LIBRARY=lib)
        if forced == "cffi" and "cffi" in r.stderr and r.returncode:
            pytest.skip("cffi not importable")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == forced
    r = run("import slots; print(slots.backend)", SLOTS_BACKEND=None, SLOTS_LIBRARY=lib)
    try:
        import cffi  # noqa: F401
        default = "cffi"
    except ImportError:
        default = "ctypes"
    assert r.stdout.strip() == default


def test_bad_backend_name(slots):
    r = run("import slots", SLOTS_BACKEND="nope")
    assert r.returncode != 0 and "ImportError" in r.stderr and "SLOTS_BACKEND" in r.stderr


def test_missing_library_says_what_and_how(slots):
    r = run("import slots", SLOTS_LIBRARY="/nonexistent/libslots.so.1", SLOTS_BACKEND=slots.backend)
    assert r.returncode != 0
    assert "ImportError" in r.stderr
    assert "/nonexistent/libslots.so.1" in r.stderr and "SLOTS_LIBRARY" in r.stderr
    assert "make lib" in r.stderr


def test_not_a_library(slots, tmp_path):
    bogus = tmp_path / "libslots.so.1"
    bogus.write_bytes(b"not an ELF file")
    r = run("import slots", SLOTS_LIBRARY=str(bogus), SLOTS_BACKEND=slots.backend)
    assert r.returncode != 0 and "could not be loaded" in r.stderr


def test_build_tree_is_found_without_env(slots):
    if not os.path.exists(os.path.join(REPO, "build", "libslots.so.1")):
        pytest.skip("no build tree library")
    r = run("import slots; print(slots.library_path)", SLOTS_LIBRARY=None, SLOTS_BACKEND=slots.backend)
    assert r.returncode == 0, r.stderr
    assert os.path.samefile(r.stdout.strip(), os.path.join(REPO, "build", "libslots.so.1"))


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_major_version_mismatch(slots, tmp_path):
    # A shim whose slots_version_number says 2.0.0; every other symbol resolves to the real library.
    src = tmp_path / "shim.c"
    src.write_text('const char *slots_version(void) { return "2.0.0"; }\n'
                   'int slots_version_number(void) { return 20000; }\n')
    lib = os.path.realpath(slots.library_path)
    out = tmp_path / "libslots.so.1"
    subprocess.run(["cc", "-shared", "-fPIC", str(src), "-o", str(out), "-Wl,--no-as-needed", lib,
                    "-Wl,-rpath," + os.path.dirname(lib)], check=True)
    r = run("import slots", SLOTS_LIBRARY=str(out), SLOTS_BACKEND=slots.backend)
    assert r.returncode != 0
    assert "2.0.0" in r.stderr and "major version 1" in r.stderr


def test_version_attributes(slots):
    assert slots.library_version.startswith("1.")
    assert slots.backend_mode in ("ctypes", "abi", "api")


def test_generated_cdef_is_plain_and_current():
    sys.path.insert(0, os.path.join(REPO, "ffi"))
    try:
        import gen_cdef
    finally:
        sys.path.pop(0)
    with open(os.path.join(REPO, "include", "slots.h")) as f:
        text = gen_cdef.generate(f.read())
    assert "#" not in text and "/*" not in text and "//" not in text
    assert "SLOTS_API" not in text and "extern" not in text
    assert re.search(r"SLOTS_ENOATTR = -1,", text)
    assert "int slots_get_i64(slots_obj o, int field, int64_t *out);" in text
    path = os.path.join(REPO, "ffi", "slots.cdef")
    if os.path.exists(path):
        with open(path) as f:
            assert f.read() == text, "ffi/slots.cdef is stale: run ffi/gen_cdef.py"
    try:
        import cffi
        ffi = cffi.FFI()
    except ImportError:
        return
    ffi.cdef(text)


def test_interpreter_shutdown_with_live_records(slots):
    code = (
        "import slots, gc\n"
        "from typing import Optional\n"
        "@slots.record\n"
        "class N:\n"
        "    v: int\n"
        "    nxt: Optional['N'] = None\n"
        "@slots.record(dynamic=True)\n"
        "class D:\n"
        "    a: int\n"
        "keep = [N(i) for i in range(1000)]\n"
        "a = N(1); b = N(2, a); a.nxt = b  # a ref cycle held in C: lives until exit\n"
        "d = D(1); d.extra = [1, 2]; d.name = 'x'\n"
        "N.stash = N(5)\n"
        "print('ok')\n")
    r = run(code, SLOTS_LIBRARY=slots.library_path, SLOTS_BACKEND=slots.backend,
            SLOTS_CFFI_MODE=slots.backend_mode if slots.backend == "cffi" else "")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    assert r.stderr == ""


def test_threads_read_and_write_their_own_records(slots):
    import threading
    P = slots.define("Threaded", "id: i64, name: str, x: f64 = 0, ok: bool = false")
    errors = []

    def work(k):
        try:
            recs = [P(k * 1000 + i, "t%d-%d" % (k, i), i * 0.5, bool(i % 2)) for i in range(200)]
            for _ in range(20):
                for i, r in enumerate(recs):
                    if (r.id, r.name, r.x, r.ok) != (k * 1000 + i, "t%d-%d" % (k, i), i * 0.5, bool(i % 2)):
                        errors.append((k, i))
                        return
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
