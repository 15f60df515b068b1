/*
 * test_fieldspec.c — the field-list grammar of slots_type_define() and its twin
 * slots_type_define_specs(): every kind, defaults of every kind (quoted strings with escapes), the
 * modifiers, both separators, typed refs, and every way a field list can be refused.
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>

/* Defines a fresh type from `fields`; the test stops if that fails. */
static slots_type *def(const char *fields) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("FS"), fields, NULL, 0, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* The code and message of the last expected failure, saved before the registry check replaces them. */
static int last_code;
static char last_msg[512];

static void save_error(void) {
    last_code = slots_errcode();
    snprintf(last_msg, sizeof last_msg, "%s", slots_errmsg());
}

static int last_msg_has(const char *needle) {
    if (strstr(last_msg, needle)) return 1;
    fprintf(stderr, "\n  expected message containing \"%s\", got \"%s\"\n", needle, last_msg);
    return 0;
}

/* Defines a type under a fresh name expecting failure; checks nothing got bound and *out untouched. */
static int def_fails(const char *fields) {
    const char *name = unique_name("FSbad");
    slots_type *sentinel = (slots_type *)(void *)&sentinel;
    slots_type *t = sentinel;
    int rc = slots_type_define(name, fields, NULL, 0, &t);
    save_error();
    CU_ASSERT_PTR_EQUAL(t, sentinel);
    CU_ASSERT_PTR_NULL(slots_type_find(name));
    if (rc == SLOTS_OK) fprintf(stderr, "\n  field list \"%s\" was accepted\n", fields);
    return rc;
}

static int idx(const slots_type *t, const char *name) {
    int i = slots_field_index(t, name);
    CU_ASSERT_TRUE_FATAL(i >= 0);
    return i;
}

static void test_every_kind(void) {
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {{"bool", SLOTS_BOOL}, {"i8", SLOTS_I8},   {"i16", SLOTS_I16},   {"i32", SLOTS_I32},
                 {"i64", SLOTS_I64},   {"u8", SLOTS_U8},   {"u16", SLOTS_U16},   {"u32", SLOTS_U32},
                 {"u64", SLOTS_U64},   {"f32", SLOTS_F32}, {"f64", SLOTS_F64},   {"str", SLOTS_STR},
                 {"bytes", SLOTS_BYTES}, {"ref", SLOTS_REF}};
    char text[1024] = "";
    size_t n = sizeof kinds / sizeof kinds[0];
    for (size_t i = 0; i < n; i++) {
        char one[64];
        snprintf(one, sizeof one, "%sf_%s: %s", i ? ", " : "", kinds[i].name, kinds[i].name);
        strcat(text, one);
    }
    slots_type *t = def(text);
    CU_ASSERT_EQUAL(slots_type_nfields(t), (int)n);
    for (size_t i = 0; i < n; i++) {
        char fname[32];
        snprintf(fname, sizeof fname, "f_%s", kinds[i].name);
        CU_ASSERT_EQUAL(slots_field_index(t, fname), (int)i);
        CU_ASSERT_STRING_EQUAL(slots_field_name(t, (int)i), fname);
        CU_ASSERT_EQUAL(slots_field_kind(t, (int)i), kinds[i].kind);
        CU_ASSERT_EQUAL(slots_field_flags(t, (int)i), 0);
        CU_ASSERT_PTR_NULL(slots_field_default(t, (int)i));
    }
}

static void test_separators_and_blanks(void) {
    slots_type *t = def("a: i64\nb: str, c: f64\n  d :\tu8  ");
    CU_ASSERT_EQUAL(slots_type_nfields(t), 4);
    CU_ASSERT_EQUAL(slots_field_index(t, "a"), 0);
    CU_ASSERT_EQUAL(slots_field_index(t, "b"), 1);
    CU_ASSERT_EQUAL(slots_field_index(t, "c"), 2);
    CU_ASSERT_EQUAL(slots_field_index(t, "d"), 3);
    CU_ASSERT_EQUAL(slots_field_kind(t, 3), SLOTS_U8);

    slots_type *u = def("  x:i64=5  ,y:str='a' optional");
    CU_ASSERT_EQUAL(slots_type_nfields(u), 2);
    CU_ASSERT_EQUAL(slots_field_flags(u, 1) & SLOTS_FIELD_OPTIONAL, SLOTS_FIELD_OPTIONAL);

    slots_type *w = def("_under: i64, CamelCase9: i64, a1_b2: bool");
    CU_ASSERT_EQUAL(slots_field_index(w, "_under"), 0);
    CU_ASSERT_EQUAL(slots_field_index(w, "CamelCase9"), 1);
    CU_ASSERT_EQUAL(slots_field_index(w, "a1_b2"), 2);
}

static void test_modifiers(void) {
    slots_type *t = def("a: i64 optional, b: i64 readonly, c: i64 key, d: str = 'x' readonly optional,"
                        " e: u64 optional readonly");
    CU_ASSERT_EQUAL(slots_field_flags(t, 0), (int)SLOTS_FIELD_OPTIONAL);
    CU_ASSERT_EQUAL(slots_field_flags(t, 1), (int)SLOTS_FIELD_READONLY);
    CU_ASSERT_EQUAL(slots_field_flags(t, 2), (int)SLOTS_FIELD_KEY);
    CU_ASSERT_EQUAL(slots_field_flags(t, 3),
                    (int)(SLOTS_FIELD_OPTIONAL | SLOTS_FIELD_READONLY | SLOTS_FIELD_HAS_DEFAULT));
    CU_ASSERT_EQUAL(slots_field_flags(t, 4), (int)(SLOTS_FIELD_OPTIONAL | SLOTS_FIELD_READONLY));
}

static void test_key_kinds(void) {
    def("k: i64 key");
    def("k: u64 key");
    def("k: str key, v: f64");
    ASSERT_STATUS(def_fails("k: f64 key"), SLOTS_ELAYOUT);
    ASSERT_STATUS(def_fails("k: bool key"), SLOTS_ELAYOUT);
    ASSERT_STATUS(def_fails("k: bytes key"), SLOTS_ELAYOUT);
    ASSERT_STATUS(def_fails("k: ref key"), SLOTS_ELAYOUT);
    def("k: i32 key"); /* any integer kind may be a key */
    ASSERT_STATUS(def_fails("k: i64 key optional"), SLOTS_ELAYOUT);
    ASSERT_STATUS(def_fails("a: i64 key, b: str key"), SLOTS_ELAYOUT);
}

static void test_numeric_defaults(void) {
    slots_type *t = def("b1: bool = true, b0: bool = false, a: i8 = -128, b: i8 = 127, c: u8 = 255,"
                        " d: i16 = -32768, e: u16 = 65535, f: i32 = -2147483648, g: u32 = 4294967295,"
                        " h: i64 = -9223372036854775808, i: u64 = 18446744073709551615,"
                        " j: f32 = -2.5, k: f64 = 1.5e3, l: f64 = 2, m: i64 = 0, n: f64 = -0.125");
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    int bv = -1;
    ASSERT_OK(slots_get_bool(o, idx(t, "b1"), &bv));
    CU_ASSERT_EQUAL(bv, 1);
    ASSERT_OK(slots_get_bool(o, idx(t, "b0"), &bv));
    CU_ASSERT_EQUAL(bv, 0);
    int64_t i = 0;
    uint64_t u = 0;
    ASSERT_OK(slots_get_i64(o, idx(t, "a"), &i));
    CU_ASSERT_EQUAL(i, -128);
    ASSERT_OK(slots_get_i64(o, idx(t, "b"), &i));
    CU_ASSERT_EQUAL(i, 127);
    ASSERT_OK(slots_get_u64(o, idx(t, "c"), &u));
    CU_ASSERT_EQUAL(u, 255);
    ASSERT_OK(slots_get_i64(o, idx(t, "d"), &i));
    CU_ASSERT_EQUAL(i, -32768);
    ASSERT_OK(slots_get_u64(o, idx(t, "e"), &u));
    CU_ASSERT_EQUAL(u, 65535);
    ASSERT_OK(slots_get_i64(o, idx(t, "f"), &i));
    CU_ASSERT_EQUAL(i, INT32_MIN);
    ASSERT_OK(slots_get_u64(o, idx(t, "g"), &u));
    CU_ASSERT_EQUAL(u, UINT32_MAX);
    ASSERT_OK(slots_get_i64(o, idx(t, "h"), &i));
    CU_ASSERT_EQUAL(i, INT64_MIN);
    ASSERT_OK(slots_get_u64(o, idx(t, "i"), &u));
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, idx(t, "j"), &d));
    CU_ASSERT_EQUAL(d, -2.5);
    ASSERT_OK(slots_get_f64(o, idx(t, "k"), &d));
    CU_ASSERT_EQUAL(d, 1500.0);
    ASSERT_OK(slots_get_f64(o, idx(t, "l"), &d));
    CU_ASSERT_EQUAL(d, 2.0);
    ASSERT_OK(slots_get_i64(o, idx(t, "m"), &i));
    CU_ASSERT_EQUAL(i, 0);
    ASSERT_OK(slots_get_f64(o, idx(t, "n"), &d));
    CU_ASSERT_EQUAL(d, -0.125);
    for (int f = 0; f < slots_type_nfields(t); f++) {
        CU_ASSERT_EQUAL(slots_is_set(o, f), 1);
        CU_ASSERT_TRUE(slots_field_flags(t, f) & (int)SLOTS_FIELD_HAS_DEFAULT);
        CU_ASSERT_PTR_NOT_NULL(slots_field_default(t, f));
    }
    ASSERT_OK(slots_free(o));
}

static void test_default_text_is_canonical(void) {
    slots_type *t = def("price: f64 = 0, n: i64 = 42, s: str = 'x', r: ref = null optional,"
                        " o: i64 = null optional, dq: str = \"x\"");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 0), "0.0");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 1), "42");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 2), "'x'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 4), "None");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 5), "'x'");
}

static void check_str(slots_obj o, int f, const char *want, size_t want_len) {
    const char *s = NULL;
    size_t n = 12345;
    ASSERT_OK(slots_get_str(o, f, &s, &n));
    CU_ASSERT_EQUAL(n, want_len);
    if (s && n == want_len) CU_ASSERT_EQUAL(memcmp(s, want, n), 0);
}

static void test_string_defaults_and_escapes(void) {
    static const char esc_want[] = "a\\b'c\"d\ne\tf\rg\0hA";
    slots_type *t = def("plain: str = 'hello', dq: str = \"it's\", sq: str = 'say \"hi\"',"
                        " esc: str = 'a\\\\b\\'c\\\"d\\ne\\tf\\rg\\0h\\x41',"
                        " comma: str = 'a,b', nl: str = 'x\\ny', empty: str = '', n: i64 = 7");
    CU_ASSERT_EQUAL_FATAL(slots_type_nfields(t), 8);
    CU_ASSERT_EQUAL(slots_field_index(t, "n"), 7);
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    check_str(o, 0, "hello", 5);
    check_str(o, 1, "it's", 4);
    check_str(o, 2, "say \"hi\"", 8);
    check_str(o, 3, esc_want, sizeof esc_want - 1);
    check_str(o, 4, "a,b", 3);
    check_str(o, 5, "x\ny", 3);
    check_str(o, 6, "", 0);
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 7, &v));
    CU_ASSERT_EQUAL(v, 7);
    ASSERT_OK(slots_free(o));
}

/* The header: "for bytes fields \xNN is a byte" — so in a str default \xNN is the character U+00NN,
 * stored as UTF-8 (as Python's '\xe9' is 'é' = C3 A9). ASCII \xNN is the same either way. */
static void test_str_hex_escape_is_a_character(void) {
    slots_type *t = def("ascii: str = '\\x41\\x7e', latin: str = '\\xe9t\\xe9'");
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    check_str(o, 0, "A~", 2);
    check_str(o, 1, "\xc3\xa9t\xc3\xa9", 5);
    ASSERT_OK(slots_free(o));
}

static void test_bytes_and_long_defaults(void) {
    slots_type *t = def("b: bytes = '\\x00\\xff\\x7fA', e: bytes = \"\","
                        " long: str = 'abcdefghijklmnopqrstuvwxyz0123456789'");
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    const void *p = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_bytes(o, 0, &p, &n));
    CU_ASSERT_EQUAL(n, 4);
    if (n == 4) CU_ASSERT_EQUAL(memcmp(p, "\x00\xff\x7f" "A", 4), 0);
    ASSERT_OK(slots_get_bytes(o, 1, &p, &n));
    CU_ASSERT_EQUAL(n, 0);
    check_str(o, 2, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
    /* Two records share nothing through the default: changing one leaves the other. */
    slots_obj o2 = 0;
    ASSERT_OK(slots_new(t, &o2));
    ASSERT_OK(slots_set_str(o, 2, "changed", 7));
    check_str(o2, 2, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(o2));
}

static void test_null_defaults(void) {
    slots_type *t = def("a: i64 = null optional, s: str = null optional, r: ref = null optional");
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    int64_t v = 99;
    ASSERT_STATUS(slots_get_i64(o, 0, &v), SLOTS_NULL);
    CU_ASSERT_EQUAL(v, 99);
    const char *s = "untouched";
    size_t n = 77;
    ASSERT_STATUS(slots_get_str(o, 1, &s, &n), SLOTS_NULL);
    CU_ASSERT_EQUAL(n, 77);
    slots_obj r = 5;
    ASSERT_STATUS(slots_get_ref(o, 2, &r), SLOTS_NULL);
    CU_ASSERT_EQUAL(r, 5);
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 1);
    ASSERT_OK(slots_free(o));

    /* null needs optional */
    CU_ASSERT_TRUE(def_fails("a: i64 = null") < 0);
    CU_ASSERT_TRUE(def_fails("s: str = null readonly") < 0);
}

static void test_typed_refs(void) {
    char text[256];
    const char *node = unique_name("Node");
    snprintf(text, sizeof text, "value: i64, parent: ref %s optional, next: ref %s, any: ref, o: ref optional",
             node, node);
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define(node, text, NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(slots_field_kind(t, 1), SLOTS_REF);
    CU_ASSERT_STRING_EQUAL(slots_field_ref_type(t, 1), node);
    CU_ASSERT_EQUAL(slots_field_flags(t, 1), (int)SLOTS_FIELD_OPTIONAL);
    CU_ASSERT_STRING_EQUAL(slots_field_ref_type(t, 2), node);
    CU_ASSERT_EQUAL(slots_field_flags(t, 2), 0);
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 3));
    /* `optional` right after `ref` is the modifier, not a type name */
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 4));
    CU_ASSERT_EQUAL(slots_field_flags(t, 4), (int)SLOTS_FIELD_OPTIONAL);
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 0)); /* not a ref */

    /* self-reference works on records */
    slots_obj a = 0, b = 0, got = 0;
    ASSERT_OK(slots_new(t, &a));
    ASSERT_OK(slots_new(t, &b));
    ASSERT_OK(slots_set_ref(b, 1, a));
    ASSERT_OK(slots_get_ref(b, 1, &got));
    CU_ASSERT_EQUAL(got, a);
    ASSERT_OK(slots_set_ref(a, 2, a));
    ASSERT_OK(slots_get_ref(a, 2, &got));
    CU_ASSERT_EQUAL(got, a);
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(b));
}

static void test_malformed_lists(void) {
    static const char *bad[] = {
        "x",                    /* no colon */
        "x:",                   /* no kind */
        ": i64",                /* no name */
        "x: ",                  /* blank kind */
        "x: i65",               /* unknown kind */
        "x: int",               /* unknown kind */
        "x: i64 extra",         /* unknown modifier */
        "x: i64 =",             /* missing default */
        "x: i64 = ",            /* missing default */
        "x: i64 == 5",          /* stray '=' */
        "x: i64 = 5 6",         /* two defaults */
        "x: i64 = abc",         /* not a literal */
        "1x: i64",              /* bad identifier */
        "x-y: i64",             /* bad identifier */
        "x y: i64",             /* blank in a name */
        "x: str = 'abc",        /* unterminated */
        "x: str = \"abc'",      /* mismatched quotes */
        "x: str = '\\x4'",      /* short hex escape */
        "x: str = '\\xZZ'",     /* bad hex escape */
        "x: i64 : i64",         /* two colons */
        "x: ref 1Node",         /* bad type name */
        "x: f64 = 1.5.5",       /* malformed float */
        "x: i64 = 12abc",       /* trailing junk */
        "x: bool = maybe",      /* not a bool */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = def_fails(bad[i]);
        if (rc != SLOTS_EPARSE) fprintf(stderr, "\n  \"%s\" gave %d, not SLOTS_EPARSE\n", bad[i], rc);
        CU_ASSERT_EQUAL(rc, SLOTS_EPARSE);
        CU_ASSERT_EQUAL(last_code, SLOTS_EPARSE);
        CU_ASSERT_NOT_EQUAL(last_msg[0], '\0');
    }
}

static void test_defaults_that_do_not_fit(void) {
    static const char *bad[] = {
        "x: u8 = 300",   "x: u8 = 256",          "x: u8 = -1",          "x: i8 = 128",
        "x: i8 = -129",  "x: i16 = 32768",       "x: u16 = 65536",      "x: i32 = 2147483648",
        "x: u32 = -1",   "x: u32 = 4294967296",  "x: i64 = 9223372036854775808",
        "x: u64 = 18446744073709551616",         "x: i64 = -9223372036854775809",
        "x: f32 = 1e39", "x: i64 = 1.5",         "x: i64 = 'text'",     "x: str = 5",
        "x: bool = 'x'", "x: f64 = 'x'",         "x: bytes = 3",        "x: ref = 5",
        "x: str = true",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = def_fails(bad[i]);
        if (rc >= 0) fprintf(stderr, "\n  \"%s\" was accepted\n", bad[i]);
        CU_ASSERT_TRUE(rc < 0);
        CU_ASSERT_EQUAL(last_code, rc);
    }
    /* The header lists SLOTS_EPARSE ("malformed ... default") for this case. */
    int rc = def_fails("x: u8 = 300");
    CU_ASSERT_TRUE(rc == SLOTS_EPARSE || rc == SLOTS_ERANGE);
    CU_ASSERT_TRUE(last_msg_has("300"));
}

static void test_duplicates(void) {
    ASSERT_STATUS(def_fails("a: i64, b: str, a: f64"), SLOTS_ELAYOUT);
    CU_ASSERT_TRUE(last_msg_has("'a'"));
    ASSERT_STATUS(def_fails("a: i64\na: i64"), SLOTS_ELAYOUT);
}

/* ---- slots_type_define_specs ----------------------------------------------------------------- */

static void test_specs_basic(void) {
    slots_field_spec specs[] = {
        {"id", SLOTS_I64, SLOTS_FIELD_KEY, NULL, NULL},
        {"name", SLOTS_STR, 0, "'it\\'s'", NULL},
        {"price", SLOTS_F64, SLOTS_FIELD_READONLY, "9.5", NULL},
        {"note", SLOTS_STR, SLOTS_FIELD_OPTIONAL, "null", NULL},
        {"raw", SLOTS_BYTES, 0, "'\\x01\\xfe'", NULL},
        {"flag", SLOTS_BOOL, 0, "true", NULL},
        {"small", SLOTS_U8, 0, "255", NULL},
        {"any", SLOTS_REF, SLOTS_FIELD_OPTIONAL, NULL, NULL},
    };
    const char *name = unique_name("Spec");
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define_specs(name, specs, sizeof specs / sizeof specs[0], NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_EQUAL(slots_type_find(name), t);
    CU_ASSERT_EQUAL(slots_type_nfields(t), 8);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_STRING_EQUAL(slots_field_name(t, i), specs[i].name);
        CU_ASSERT_EQUAL(slots_field_kind(t, i), specs[i].kind);
        int want = (int)specs[i].flags | (specs[i].default_value ? (int)SLOTS_FIELD_HAS_DEFAULT : 0);
        CU_ASSERT_EQUAL(slots_field_flags(t, i), want);
    }
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    check_str(o, 1, "it's", 4);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, 2, &d));
    CU_ASSERT_EQUAL(d, 9.5);
    ASSERT_STATUS(slots_set_f64(o, 2, 1.0), SLOTS_EREADONLY);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_STATUS(slots_get_str(o, 3, &s, &n), SLOTS_NULL);
    const void *p = NULL;
    ASSERT_OK(slots_get_bytes(o, 4, &p, &n));
    CU_ASSERT_EQUAL(n, 2);
    if (n == 2) CU_ASSERT_EQUAL(memcmp(p, "\x01\xfe", 2), 0);
    int b = 0;
    ASSERT_OK(slots_get_bool(o, 5, &b));
    CU_ASSERT_EQUAL(b, 1);
    uint64_t u = 0;
    ASSERT_OK(slots_get_u64(o, 6, &u));
    CU_ASSERT_EQUAL(u, 255);
    CU_ASSERT_EQUAL(slots_is_set(o, 7), 0);
    ASSERT_OK(slots_free(o));
}

static void test_specs_typed_ref_and_zero(void) {
    const char *node = unique_name("SNode");
    slots_field_spec specs[] = {
        {"v", SLOTS_I64, 0, NULL, NULL},
        {"next", SLOTS_REF, SLOTS_FIELD_OPTIONAL, NULL, node},
    };
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define_specs(node, specs, 2, NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(slots_field_ref_type(t, 1), node);
    slots_obj a = 0, b = 0;
    ASSERT_OK(slots_new(t, &a));
    ASSERT_OK(slots_new(t, &b));
    ASSERT_OK(slots_set_ref(a, 1, b));
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(b));

    /* zero fields */
    slots_type *e = NULL;
    const char *ename = unique_name("Empty");
    ASSERT_OK(slots_type_define_specs(ename, specs, 0, NULL, 0, &e));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(slots_type_nfields(e), 0);
    slots_obj o = 0;
    ASSERT_OK(slots_new(e, &o));
    ASSERT_OK(slots_free(o));
}

static void test_specs_has_default_flag_ignored(void) {
    slots_field_spec specs[] = {{"x", SLOTS_I64, SLOTS_FIELD_HAS_DEFAULT, NULL, NULL}};
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define_specs(unique_name("Spec"), specs, 1, NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(slots_field_flags(t, 0), 0);
    CU_ASSERT_PTR_NULL(slots_field_default(t, 0));
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    CU_ASSERT_EQUAL(slots_is_set(o, 0), 0);
    ASSERT_OK(slots_free(o));
}

static int specs_fail(const slots_field_spec *specs, size_t n) {
    const char *name = unique_name("SpecBad");
    slots_type *sentinel = (slots_type *)(void *)&sentinel;
    slots_type *t = sentinel;
    int rc = slots_type_define_specs(name, specs, n, NULL, 0, &t);
    save_error();
    CU_ASSERT_EQUAL(last_code, rc);
    CU_ASSERT_PTR_EQUAL(t, sentinel);
    CU_ASSERT_PTR_NULL(slots_type_find(name));
    return rc;
}

static void test_specs_errors(void) {
    slots_field_spec unknown_kind0[] = {{"x", 0, 0, NULL, NULL}};
    slots_field_spec unknown_kind15[] = {{"x", SLOTS_DECIMAL + 1, 0, NULL, NULL}}; /* past the last kind */
    slots_field_spec unknown_kindneg[] = {{"x", -3, 0, NULL, NULL}};
    slots_field_spec unknown_flag[] = {{"x", SLOTS_I64, 0x100u, NULL, NULL}};
    slots_field_spec dup[] = {{"x", SLOTS_I64, 0, NULL, NULL}, {"x", SLOTS_STR, 0, NULL, NULL}};
    slots_field_spec two_keys[] = {{"x", SLOTS_I64, SLOTS_FIELD_KEY, NULL, NULL},
                                   {"y", SLOTS_U64, SLOTS_FIELD_KEY, NULL, NULL}};
    slots_field_spec bad_key[] = {{"x", SLOTS_F64, SLOTS_FIELD_KEY, NULL, NULL}};
    slots_field_spec bad_default[] = {{"x", SLOTS_I64, 0, "12abc", NULL}};
    slots_field_spec unterminated[] = {{"x", SLOTS_STR, 0, "'abc", NULL}};
    slots_field_spec too_big[] = {{"x", SLOTS_U8, 0, "300", NULL}};
    slots_field_spec null_not_optional[] = {{"x", SLOTS_I64, 0, "null", NULL}};
    slots_field_spec null_name[] = {{NULL, SLOTS_I64, 0, NULL, NULL}};
    slots_field_spec bad_name[] = {{"1x", SLOTS_I64, 0, NULL, NULL}};

    ASSERT_STATUS(specs_fail(unknown_kind0, 1), SLOTS_EINVAL);
    ASSERT_STATUS(specs_fail(unknown_kind15, 1), SLOTS_EINVAL);
    ASSERT_STATUS(specs_fail(unknown_kindneg, 1), SLOTS_EINVAL);
    ASSERT_STATUS(specs_fail(unknown_flag, 1), SLOTS_EINVAL);
    ASSERT_STATUS(specs_fail(dup, 2), SLOTS_ELAYOUT);
    ASSERT_STATUS(specs_fail(two_keys, 2), SLOTS_ELAYOUT);
    ASSERT_STATUS(specs_fail(bad_key, 1), SLOTS_ELAYOUT);
    ASSERT_STATUS(specs_fail(bad_default, 1), SLOTS_EPARSE);
    ASSERT_STATUS(specs_fail(unterminated, 1), SLOTS_EPARSE);
    int rc = specs_fail(too_big, 1);
    CU_ASSERT_TRUE(rc == SLOTS_EPARSE || rc == SLOTS_ERANGE);
    CU_ASSERT_TRUE(specs_fail(null_not_optional, 1) < 0);
    ASSERT_STATUS(specs_fail(null_name, 1), SLOTS_EINVAL);
    rc = specs_fail(bad_name, 1);
    CU_ASSERT_TRUE(rc == SLOTS_EINVAL || rc == SLOTS_EPARSE);
    /* NULL array with a nonzero count */
    ASSERT_STATUS(specs_fail(NULL, 1), SLOTS_EINVAL);
}

static void test_same_result_both_ways(void) {
    slots_type *a = def("id: i64 key, name: str = 'n', price: f64 = 0 readonly, p: ref optional");
    slots_field_spec specs[] = {
        {"id", SLOTS_I64, SLOTS_FIELD_KEY, NULL, NULL},
        {"name", SLOTS_STR, 0, "'n'", NULL},
        {"price", SLOTS_F64, SLOTS_FIELD_READONLY, "0", NULL},
        {"p", SLOTS_REF, SLOTS_FIELD_OPTIONAL, NULL, NULL},
    };
    slots_type *b = NULL;
    ASSERT_OK(slots_type_define_specs(unique_name("Same"), specs, 4, NULL, 0, &b));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(slots_type_nfields(a), slots_type_nfields(b));
    CU_ASSERT_EQUAL(slots_type_record_size(a), slots_type_record_size(b));
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(slots_field_kind(a, i), slots_field_kind(b, i));
        CU_ASSERT_EQUAL(slots_field_flags(a, i), slots_field_flags(b, i));
        CU_ASSERT_EQUAL(slots_field_offset(a, i), slots_field_offset(b, i));
        CU_ASSERT_EQUAL(slots_field_size(a, i), slots_field_size(b, i));
        const char *da = slots_field_default(a, i), *db = slots_field_default(b, i);
        CU_ASSERT_TRUE((da == NULL) == (db == NULL));
        if (da && db) CU_ASSERT_STRING_EQUAL(da, db);
    }
}

/* Every default's canonical text is itself a default the grammar takes, with the same value. */
static void test_default_text_reads_back(void) {
    slots_type *t = def("b: bytes = '\\x01\\xff', s: str = 'caf\\xe9', f: f64 = 0.1, o: i64 = null optional,"
                        " k: bool = True");
    char fields[512] = "";
    for (int i = 0; i < slots_type_nfields(t); i++) {
        char one[128];
        snprintf(one, sizeof one, "%s%s: %s = %s%s", i ? ", " : "", slots_field_name(t, i),
                 slots_kind_name(slots_field_kind(t, i)), slots_field_default(t, i),
                 (slots_field_flags(t, i) & SLOTS_FIELD_OPTIONAL) ? " optional" : "");
        strcat(fields, one);
    }
    slots_type *again = def(fields);
    CU_ASSERT_PTR_NOT_NULL_FATAL(again);
    CU_ASSERT_STRING_EQUAL(slots_field_default(again, 0), "b'\\x01\\xff'");
    for (int i = 0; i < slots_type_nfields(t); i++)
        CU_ASSERT_STRING_EQUAL(slots_field_default(again, i), slots_field_default(t, i));
    ASSERT_STATUS(def_fails("s: str = b'x'"), SLOTS_ETYPE);
}

static CU_TestInfo tests[] = {
    {"every kind", test_every_kind},
    {"separators and blanks", test_separators_and_blanks},
    {"modifiers", test_modifiers},
    {"key kinds", test_key_kinds},
    {"numeric defaults", test_numeric_defaults},
    {"default text is canonical", test_default_text_is_canonical},
    {"string defaults and escapes", test_string_defaults_and_escapes},
    {"str \\xNN escape is a character", test_str_hex_escape_is_a_character},
    {"bytes and long defaults", test_bytes_and_long_defaults},
    {"null defaults", test_null_defaults},
    {"typed refs", test_typed_refs},
    {"malformed lists", test_malformed_lists},
    {"defaults that do not fit", test_defaults_that_do_not_fit},
    {"duplicates", test_duplicates},
    {"specs basic", test_specs_basic},
    {"specs typed ref and zero fields", test_specs_typed_ref_and_zero},
    {"specs HAS_DEFAULT flag ignored", test_specs_has_default_flag_ignored},
    {"specs errors", test_specs_errors},
    {"same result both ways", test_same_result_both_ways},
    {"default text reads back", test_default_text_reads_back},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("fieldspec", tests); }
