"""Every test runs on every backend: the `slots` fixture imports the package afresh for each one
(ctypes; cffi in ABI mode; cffi in API mode when the compiled extension is present) and installs
that copy in sys.modules for the test's duration, so pickle and helper modules see the same one."""
import importlib
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
if PKG_ROOT not in sys.path:
    sys.path.insert(0, PKG_ROOT)

def _ensure_cffi_extension():
    """Builds the cffi API-mode extension into the package when it is missing or stale and cffi and a
    compiler are present (make check-python may have built it already)."""
    import shutil
    try:
        import cffi  # noqa: F401
    except ImportError:
        return
    if shutil.which(os.environ.get("CC", "cc")) is None:
        return
    import importlib.util
    spec = importlib.util.spec_from_file_location("_slots_test_build",
                                                  os.path.join(PKG_ROOT, "slots", "_build_cffi.py"))
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    try:
        builder.build_if_stale()
    except Exception as exc:  # the cffi-api tests then skip, saying why
        sys.stderr.write("conftest: cffi API-mode extension not built: %s\n" % exc)


def pytest_configure(config):
    _ensure_cffi_extension()


BACKENDS = [("ctypes", "ctypes", None), ("cffi-abi", "cffi", "abi"), ("cffi-api", "cffi", "api")]
_cache = {}


def _names():
    return [k for k in sys.modules if k == "slots" or k.startswith("slots.") or k.startswith("models_")]


def _import(variant):
    if variant in _cache:
        return _cache[variant]
    _, backend, mode = next(b for b in BACKENDS if b[0] == variant)
    saved = {k: sys.modules.pop(k) for k in _names()}
    env = {k: os.environ.get(k) for k in ("SLOTS_BACKEND", "SLOTS_CFFI_MODE")}
    os.environ["SLOTS_BACKEND"] = backend
    os.environ["SLOTS_CFFI_MODE"] = mode or ""
    try:
        try:
            mod = importlib.import_module("slots")
        except ImportError as exc:
            _cache[variant] = exc
            return exc
        if mode and mod.backend_mode != mode:
            exc = pytest.skip.Exception("cffi %s mode unavailable: %s" % (mode, mod._lib._b.abi_reason))
            _cache[variant] = exc
            return exc
        snapshot = {k: sys.modules[k] for k in _names()}
        _cache[variant] = snapshot
        return snapshot
    finally:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for k in _names():
            del sys.modules[k]
        sys.modules.update(saved)


@pytest.fixture(params=[b[0] for b in BACKENDS])
def slots(request):
    snap = _import(request.param)
    if isinstance(snap, pytest.skip.Exception):
        pytest.skip(str(snap))
    if isinstance(snap, Exception):
        if request.param == "ctypes" or "cffi" not in str(snap):
            raise snap
        pytest.skip("cffi unavailable: %s" % snap)
    saved = {k: sys.modules.pop(k) for k in _names()}
    sys.modules.update(snap)
    try:
        yield snap["slots"]
    finally:
        for k in _names():
            del sys.modules[k]
        sys.modules.update(saved)


@pytest.fixture
def models(slots):
    """tests/models.py (module-level record classes, needed by pickle) imported under this backend."""
    name = "models_" + slots.backend + "_" + slots.backend_mode
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "models.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]
