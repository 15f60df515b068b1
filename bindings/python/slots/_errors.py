"""The exceptions of slots and the mapping from a C status to the Python exception that says it.

Below: _lib (the library, its status constants). See README, Package layout.
"""
import dataclasses
import os

from ._lib import (_fn, NULL, ENOATTR, EUNSET, ETYPE, ERANGE, EREADONLY, ESTALE, EINVAL, ELAYOUT, ENOMEM,
                   EPARSE, EEXIST, ENOKEY, EINDEX, EIO, ECANCELED, EBUSY)


class FrozenInstanceError(dataclasses.FrozenInstanceError):
    """Assignment to or deletion of an attribute of a frozen record (an AttributeError; also caught
    by `except dataclasses.FrozenInstanceError`)."""


class ReadOnlyError(AttributeError):
    """A read-only field that already has a value was assigned or deleted."""


class StaleRecordError(ReferenceError):
    """A record handle that is no longer valid (freed record, dropped store, forged handle).
    A ReferenceError, like using a weakref.proxy whose referent is gone."""


class CancelledError(Exception):
    """A load stopped by Store.cancel_load() (from another thread); the store is unchanged. A load
    stopped by Ctrl-C raises KeyboardInterrupt instead."""


class BusyError(RuntimeError):
    """The store is in use by an operation that cannot be interrupted (SLOTS_EBUSY): a drop, clear
    or load of a store from inside its own load (a validator), for instance. Nothing changed."""


_EXC = {
    ENOATTR: AttributeError, EUNSET: AttributeError, EREADONLY: ReadOnlyError, ETYPE: TypeError,
    ERANGE: OverflowError, ESTALE: StaleRecordError, EINVAL: ValueError, ELAYOUT: TypeError,
    ENOMEM: MemoryError, EPARSE: ValueError, EEXIST: KeyError, ENOKEY: KeyError, EINDEX: IndexError,
    EIO: OSError, ECANCELED: CancelledError, EBUSY: BusyError,
}


def _error(rc, filename=None):
    """The Python exception for C status `rc`, carrying the library's message (read at once: it is
    thread-local in C and this thread made the failing call). An OS error on a file becomes
    OSError(errno, strerror, filename), so FileNotFoundError, IsADirectoryError, ... match."""
    err = _fn.slots_errno() if rc == EIO else 0
    if err:
        exc = OSError(err, os.strerror(err)) if filename is None else OSError(err, os.strerror(err), filename)
        exc.status = rc
        return exc
    msg = _fn.slots_errmsg() or _fn.slots_strerror(rc)
    exc = _EXC.get(rc, RuntimeError)(msg)
    exc.status = rc
    return exc


def _raise(rc):
    raise _error(rc)


def _on_get_status(rc, obj):
    if rc == NULL:
        return None
    raise _error(rc)
