/*
 * error.c — status codes and the thread-local message that explains the last failure, worded the
 * way Python would word it.
 */
#include "base.h"

#include <stdio.h>

#define MSG_MAX 512

static _Thread_local char message[MSG_MAX];
static _Thread_local int last_code;
static _Thread_local int last_errno; /* the OS error behind a SLOTS_EIO, else 0 */

int err_set(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    last_code = code;
    last_errno = 0;
    return code;
}

int err_os(int errnum, const char *path) {
    /* Python's own OSError wording, so a binding's message matches what open() would say. */
    err_set(SLOTS_EIO, "[Errno %d] %s: '%s'", errnum, strerror(errnum), path);
    last_errno = errnum;
    return SLOTS_EIO;
}

int err_prefix(const char *fmt, ...) {
    char head[MSG_MAX], old[MSG_MAX];
    memcpy(old, message, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    snprintf(message, sizeof message, "%s%s", head, old);
    return last_code;
}

int err_nomem(void) { return err_set(SLOTS_ENOMEM, "out of memory"); }

const char *slots_errmsg(void) { return message; }
int slots_errcode(void) { return last_code; }
int slots_errno(void) { return last_code == SLOTS_EIO ? last_errno : 0; }

const char *slots_strerror(int status) {
    switch (status) {
    case SLOTS_OK: return "SLOTS_OK";
    case SLOTS_NULL: return "SLOTS_NULL";
    case SLOTS_ENOATTR: return "SLOTS_ENOATTR";
    case SLOTS_EUNSET: return "SLOTS_EUNSET";
    case SLOTS_ETYPE: return "SLOTS_ETYPE";
    case SLOTS_ERANGE: return "SLOTS_ERANGE";
    case SLOTS_EREADONLY: return "SLOTS_EREADONLY";
    case SLOTS_ESTALE: return "SLOTS_ESTALE";
    case SLOTS_EINVAL: return "SLOTS_EINVAL";
    case SLOTS_ELAYOUT: return "SLOTS_ELAYOUT";
    case SLOTS_ENOMEM: return "SLOTS_ENOMEM";
    case SLOTS_EPARSE: return "SLOTS_EPARSE";
    case SLOTS_EEXIST: return "SLOTS_EEXIST";
    case SLOTS_ENOKEY: return "SLOTS_ENOKEY";
    case SLOTS_EINDEX: return "SLOTS_EINDEX";
    case SLOTS_EIO: return "SLOTS_EIO";
    case SLOTS_EBUSY: return "SLOTS_EBUSY";
    case SLOTS_ECANCELED: return "SLOTS_ECANCELED";
    default: return "SLOTS_UNKNOWN";
    }
}
