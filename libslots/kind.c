/*
 * kind.c — the table of field kinds: one row per kind with everything the core needs to know of it
 * that is data (its name in field lists and messages, its size in a record, its family, the range
 * of an integer kind, its Arrow format). Code that treats kinds differently asks the table, not a
 * range of kind numbers, so a new kind gets any number and is one row here plus its code paths.
 * (README "Adding a kind" lists the rest.)
 */
#include "schema.h"

const kind_info kind_table[KIND_LIMIT] = {
    [SLOTS_BOOL] = {"bool", 1, KF_BOOL, 0, 1, "b"},
    [SLOTS_I8] = {"i8", 1, KF_INT, INT8_MIN, INT8_MAX, "c"},
    [SLOTS_I16] = {"i16", 2, KF_INT, INT16_MIN, INT16_MAX, "s"},
    [SLOTS_I32] = {"i32", 4, KF_INT, INT32_MIN, INT32_MAX, "i"},
    [SLOTS_I64] = {"i64", 8, KF_INT, INT64_MIN, INT64_MAX, "l"},
    [SLOTS_U8] = {"u8", 1, KF_UINT, 0, UINT8_MAX, "C"},
    [SLOTS_U16] = {"u16", 2, KF_UINT, 0, UINT16_MAX, "S"},
    [SLOTS_U32] = {"u32", 4, KF_UINT, 0, UINT32_MAX, "I"},
    [SLOTS_U64] = {"u64", 8, KF_UINT, 0, UINT64_MAX, "L"},
    [SLOTS_F32] = {"f32", 4, KF_FLOAT, 0, 0, "f"},
    [SLOTS_F64] = {"f64", 8, KF_FLOAT, 0, 0, "g"},
    [SLOTS_STR] = {"str", STR_SLOT, KF_STR, 0, 0, "u"},
    [SLOTS_BYTES] = {"bytes", STR_SLOT, KF_BYTES, 0, 0, "z"},
    [SLOTS_REF] = {"ref", 8, KF_REF, 0, 0, "L"},
    /* the textual kinds: a native value, a canonical text (kindvalue.c), Arrow types of their own */
    [SLOTS_TIMESTAMP] = {"timestamp", 8, KF_TEXTUAL, 0, 0, "tsu:UTC", &kind_text_timestamp},
    [SLOTS_DATE] = {"date", 4, KF_TEXTUAL, 0, 0, "tdD", &kind_text_date},
    [SLOTS_UUID] = {"uuid", 16, KF_TEXTUAL, 0, 0, "w:16", &kind_text_uuid},
    [SLOTS_DECIMAL] = {"decimal", 16, KF_TEXTUAL, 0, 0, "d", &kind_text_decimal}, /* 8 bytes when P <= 18 */
};

const char *slots_kind_name(int kind) {
    const kind_info *k = kind_get(kind);
    return k ? k->name : NULL;
}

int kind_from_name(const char *s, size_t n) {
    for (int k = 1; k < KIND_LIMIT; k++)
        if (kind_table[k].name && strlen(kind_table[k].name) == n && !memcmp(kind_table[k].name, s, n)) return k;
    return 0;
}

size_t kind_size(int kind) {
    const kind_info *k = kind_get(kind);
    return k ? k->size : 0;
}
