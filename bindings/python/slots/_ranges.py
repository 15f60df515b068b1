"""Integer ranges of C arguments, checked before a value reaches C.

ctypes converts an out-of-range int silently (c_size_t(2**64) is 0, c_int8(300) is 44), and cffi
raises OverflowError("int too big to convert") without saying which argument: either way the
binding must not let C see a wrapped number. Every place where a user's integer becomes a C integer
argument goes through here (Store positions and counts, native method results, function addresses),
and the ctypes backend uses the same limits for every size_t parameter of every function as a net.
Fields are checked by the library itself: a value in the 64-bit range is passed as i64 or u64 and
libslots refuses what the field's kind cannot hold.
"""
import ctypes

_SIZE_BITS = 8 * ctypes.sizeof(ctypes.c_size_t)
_PTR_BITS = 8 * ctypes.sizeof(ctypes.c_void_p)

# kind -> (lo, hi), inclusive. "size_t" for positions and counts, "uintptr" for addresses.
LIMITS = {
    "i8": (-(1 << 7), (1 << 7) - 1), "i16": (-(1 << 15), (1 << 15) - 1),
    "i32": (-(1 << 31), (1 << 31) - 1), "i64": (-(1 << 63), (1 << 63) - 1),
    "u8": (0, (1 << 8) - 1), "u16": (0, (1 << 16) - 1), "u32": (0, (1 << 32) - 1),
    "u64": (0, (1 << 64) - 1),
    "size_t": (0, (1 << _SIZE_BITS) - 1), "uintptr": (0, (1 << _PTR_BITS) - 1),
}
SIZE_MAX = LIMITS["size_t"][1]


def overflow(value, kind, what):
    """The OverflowError for `value` that does not fit C type `kind` (named `what` for the user)."""
    lo, hi = LIMITS[kind]
    return OverflowError("%s %d does not fit in %s (%d..%d)" % (what, value, kind, lo, hi))


def check(value, kind, what):
    """`value` as an int (via __index__: ints, bools, numpy integers; TypeError for others) when it
    fits C type `kind`; OverflowError otherwise."""
    if value.__class__ is not int:
        try:
            value = value.__index__()
        except AttributeError:
            raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__)) from None
    lo, hi = LIMITS[kind]
    if lo <= value <= hi:
        return value
    raise overflow(value, kind, what)


class CheckedSize(object):
    """A ctypes argtype for size_t parameters: the same conversion as c_size_t, but OverflowError
    instead of wrapping (ctypes calls from_param on each argument)."""

    @staticmethod
    def from_param(value, _c=ctypes.c_size_t, _hi=SIZE_MAX):
        if value.__class__ is int and 0 <= value <= _hi:
            return _c(value)
        if isinstance(value, _c):
            return value
        return _c(check(value, "size_t", "a size_t argument"))
