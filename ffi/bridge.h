/*
 * bridge.h — what the two ffi/ files share: the libffi type of each field kind.
 */
#ifndef SLOTS_FFI_BRIDGE_H
#define SLOTS_FFI_BRIDGE_H

#include <ffi.h>

#include "records.h"

/* The libffi type a field kind has in a C struct or a call (str: a pointer, ref: uint64_t), or
 * NULL for bytes, which has no C counterpart here. */
ffi_type *kind_ffi_type(int kind);

#endif
