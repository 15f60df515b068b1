"""libslots' memory in tracemalloc: each store's C bytes as one trace in tracemalloc domain DOMAIN,
through CPython's PyTraceMalloc_Track/Untrack (reached with ctypes.pythonapi, so on every backend).

Why one trace per store, updated at bulk operations: tracemalloc cannot see malloc calls made in C,
and reporting each one would cost every C allocation a call into Python. A store's bytes change in
its slabs, key index and strings; the binding re-reports the store's total (slots_store_memory)
after the operations that change it in bulk (loads, reserve, clear, drop) and whenever
memory_usage() or sys.getsizeof() reads it, with the Python traceback of that call, so a snapshot
shows how much each store holds and where it last grew. Appends one at a time are not re-reported
each (that would cost every append a second C call): the trace catches up at the next of those.
When tracemalloc is not tracing, each hook is one call to tracemalloc.is_tracing().

Imports nothing from the package (see README, Package layout).
"""
import ctypes
import tracemalloc

DOMAIN = 0x510775  # libslots' tracemalloc domain: tracemalloc.DomainFilter(True, slots.TRACEMALLOC_DOMAIN)

try:
    _track = ctypes.pythonapi.PyTraceMalloc_Track
    _untrack = ctypes.pythonapi.PyTraceMalloc_Untrack
    _track.argtypes, _track.restype = (ctypes.c_uint, ctypes.c_size_t, ctypes.c_size_t), ctypes.c_int
    _untrack.argtypes, _untrack.restype = (ctypes.c_uint, ctypes.c_size_t), ctypes.c_int
except (AttributeError, ValueError):  # not CPython (PyPy has no pythonapi): nothing is reported
    _track = _untrack = None

tracing = tracemalloc.is_tracing if _track is not None else (lambda: False)


def track(key, size):
    """Reports `size` bytes for `key` (a store's id()), replacing what was reported for it."""
    if tracing():
        _track(DOMAIN, key, size)


def untrack(key):
    if tracing():
        _untrack(DOMAIN, key)
