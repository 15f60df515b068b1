"""Layer 1 of the package: the backend choice, the library lookup and version check, and the C
constants every other module reads (`_b` the backend, `_fn` its C functions, `_C` the constants).

Imports no other module of the package but the backends and _cdef (see README, Package layout).
"""
import ctypes.util
import os

from . import _backend_ctypes, _cdef

EXPECTED_MAJOR = 1


def _choose_backend():
    forced = os.environ.get("SLOTS_BACKEND", "").strip().lower()
    if forced not in ("", "ctypes", "cffi"):
        raise ImportError("slots: SLOTS_BACKEND=%r is not a backend; use SLOTS_BACKEND=ctypes or "
                          "SLOTS_BACKEND=cffi (or unset it)" % forced)
    if forced == "ctypes":
        return _backend_ctypes, None
    try:
        # Imported here, not at the top: cffi is optional, and SLOTS_BACKEND=ctypes must not
        # import it at all (tests/test_layers.py allows this one import in a function).
        from . import _backend_cffi as mod
        return mod, None
    except ImportError as exc:
        if forced == "cffi":
            raise ImportError("slots: SLOTS_BACKEND=cffi but cffi cannot be imported (%s); install "
                              "cffi (Debian: python3-cffi) or use SLOTS_BACKEND=ctypes" % exc)
        return _backend_ctypes, "cffi not importable (%s)" % exc


def _library_candidates():
    """[(how it was found, path or None, note)] in lookup order."""
    env = os.environ.get("SLOTS_LIBRARY")
    if env:
        return [("SLOTS_LIBRARY", env)]
    pkg = os.path.dirname(os.path.abspath(__file__))
    out = []
    for name in ("libslots.so.1", "libslots.1.dylib", "slots.dll", "libslots.so"):
        out.append(("next to the package", os.path.join(pkg, name)))
    out.append(("build tree", os.path.normpath(os.path.join(pkg, os.pardir, os.pardir, os.pardir,
                                                            "build", "libslots.so.1"))))
    found = ctypes.util.find_library("slots")
    out.append(("system (ctypes.util.find_library('slots'))", found))
    return out


def _load():
    mod, fallback = _choose_backend()
    cdef_text, cdef_from = _cdef.load_text()
    tried = []
    for how, path in _library_candidates():
        if not path:
            tried.append("%s: nothing found" % how)
            continue
        if os.sep in path and not os.path.exists(path):
            tried.append("%s: %s does not exist" % (how, path))
            if how == "SLOTS_LIBRARY":
                break
            continue
        try:
            be = mod.Backend(path, cdef_text)
        except OSError as exc:
            tried.append("%s: %s could not be loaded (%s)" % (how, path, exc))
            if how == "SLOTS_LIBRARY":
                break
            continue
        if "slots_version_number" in be.missing:
            tried.append("%s: %s is not libslots (no slots_version_number)" % (how, path))
            if how == "SLOTS_LIBRARY":
                break
            continue
        got = be.fn.slots_version_number()
        if got // 10000 != EXPECTED_MAJOR:
            tried.append("%s: %s is libslots %s, but this binding needs major version %d"
                         % (how, path, be.fn.slots_version(), EXPECTED_MAJOR))
            if how == "SLOTS_LIBRARY":
                break
            continue
        needed = [f for f in be.missing if f in _cdef.REQUIRED]
        if needed:
            tried.append("%s: %s lacks %s (an older or partial libslots)" % (how, path, ", ".join(needed)))
            if how == "SLOTS_LIBRARY":
                break
            continue
        return be, mod.NAME, fallback, cdef_from
    raise ImportError(
        "slots: cannot load libslots (major version %d). Looked for:\n  - %s\nFix: build it (`make "
        "lib` in the libslots tree), install it (`make install`, then ldconfig), or point "
        "SLOTS_LIBRARY at libslots.so.1." % (EXPECTED_MAJOR, "\n  - ".join(tried)))


_b, backend, backend_fallback_reason, cdef_source = _load()
# "api" (compiled cffi extension), "abi" (cffi through libffi) or "ctypes".
backend_mode = getattr(_b, "mode", "ctypes")
library_path = _b.path
_fn = _b.fn
_C = _b.C
library_version = _fn.slots_version()

OK, NULL = _C["SLOTS_OK"], _C["SLOTS_NULL"]
_ALLOW_NAN = _C["SLOTS_DUMP_ALLOW_NAN"]
ENOATTR, EUNSET, ETYPE, ERANGE = _C["SLOTS_ENOATTR"], _C["SLOTS_EUNSET"], _C["SLOTS_ETYPE"], _C["SLOTS_ERANGE"]
EREADONLY, ESTALE, EINVAL, ELAYOUT = _C["SLOTS_EREADONLY"], _C["SLOTS_ESTALE"], _C["SLOTS_EINVAL"], _C["SLOTS_ELAYOUT"]
ENOMEM, EPARSE, EEXIST, ENOKEY = _C["SLOTS_ENOMEM"], _C["SLOTS_EPARSE"], _C["SLOTS_EEXIST"], _C["SLOTS_ENOKEY"]
EINDEX, EIO = _C["SLOTS_EINDEX"], _C["SLOTS_EIO"]
ECANCELED = _C["SLOTS_ECANCELED"]
EBUSY = _C.get("SLOTS_EBUSY", -15)  # -15 in every libslots 1.x; a cdef older than the status lacks it
_FROZEN, _DYNAMIC, _CLAYOUT = _C["SLOTS_FROZEN"], _C["SLOTS_DYNAMIC"], _C["SLOTS_CLAYOUT"]
_F_OPTIONAL, _F_READONLY, _F_KEY, _F_HAS_DEFAULT = (
    _C["SLOTS_FIELD_OPTIONAL"], _C["SLOTS_FIELD_READONLY"], _C["SLOTS_FIELD_KEY"], _C["SLOTS_FIELD_HAS_DEFAULT"])
