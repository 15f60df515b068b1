/*
 * kind.c — the field kinds: their names in field lists and messages, and their sizes in a record.
 */
#include "schema.h"

static const struct {
    const char *name;
    uint8_t size;
} kinds[] = {
    [SLOTS_BOOL] = {"bool", 1}, [SLOTS_I8] = {"i8", 1},       [SLOTS_I16] = {"i16", 2},
    [SLOTS_I32] = {"i32", 4},   [SLOTS_I64] = {"i64", 8},     [SLOTS_U8] = {"u8", 1},
    [SLOTS_U16] = {"u16", 2},   [SLOTS_U32] = {"u32", 4},     [SLOTS_U64] = {"u64", 8},
    [SLOTS_F32] = {"f32", 4},   [SLOTS_F64] = {"f64", 8},     [SLOTS_STR] = {"str", STR_SLOT},
    [SLOTS_BYTES] = {"bytes", STR_SLOT}, [SLOTS_REF] = {"ref", 8},
};

static bool kind_valid(int kind) { return kind >= SLOTS_BOOL && kind <= SLOTS_REF; }

const char *slots_kind_name(int kind) { return kind_valid(kind) ? kinds[kind].name : NULL; }

int kind_from_name(const char *s, size_t n) {
    for (int k = SLOTS_BOOL; k <= SLOTS_REF; k++)
        if (strlen(kinds[k].name) == n && !memcmp(kinds[k].name, s, n)) return k;
    return 0;
}

size_t kind_size(int kind) { return kind_valid(kind) ? kinds[kind].size : 0; }
