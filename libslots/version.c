/*
 * version.c — the version of the library actually loaded, for bindings to compare with the header
 * they were written against.
 */
#include "base.h"

#define STR2(x) #x
#define STR(x) STR2(x)
const char *slots_version(void) {
    return STR(SLOTS_VERSION_MAJOR) "." STR(SLOTS_VERSION_MINOR) "." STR(SLOTS_VERSION_PATCH);
}
int slots_version_number(void) { return SLOTS_VERSION_NUMBER; }
