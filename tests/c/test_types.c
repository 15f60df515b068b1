/*
 * test_types.c — types as a whole: the registry (define, find, rebinding a name), argument checks of
 * slots_type_define(), introspection of types and fields with bad arguments, and inheritance.
 */
#include "harness.h"

#include <stdio.h>

/* Memory that is certainly not a type the library handed out (zeroed, large enough to read). */
static _Alignas(16) unsigned char not_a_type[4096];
#define FORGED ((const slots_type *)(const void *)not_a_type)

static slots_type *def_named(const char *name, const char *fields, const slots_type *base, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(name, fields, base, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define %s \"%s\": %d %s\n", name, fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static slots_type *def(const char *fields) { return def_named(unique_name("T"), fields, NULL, 0); }

/* Makes the thread's last error a known one, to see later calls leave it untouched. */
static void prime_error(void) {
    CU_ASSERT_PTR_NULL(slots_type_find("NoSuchType_prime_error"));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
}

static void test_define_and_find(void) {
    const char *name = unique_name("Product");
    slots_type *t = def_named(name, "id: i64, name: str, price: f64", NULL, 0);
    CU_ASSERT_PTR_EQUAL(slots_type_find(name), t);
    CU_ASSERT_STRING_EQUAL(slots_type_name(t), name);
    CU_ASSERT_EQUAL(slots_type_flags(t), 0);
    CU_ASSERT_EQUAL(slots_type_nfields(t), 3);
    CU_ASSERT_PTR_NULL(slots_type_base(t));
    /* the name is copied: the registry does not keep the caller's buffer */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", "CopiedName_x");
    slots_type *c = def_named(buf, "a: i64", NULL, 0);
    buf[0] = 'Z';
    CU_ASSERT_STRING_EQUAL(slots_type_name(c), "CopiedName_x");
    CU_ASSERT_PTR_EQUAL(slots_type_find("CopiedName_x"), c);
    CU_ASSERT_PTR_NULL(slots_type_find(buf));
}

static void test_find_unknown(void) {
    CU_ASSERT_PTR_NULL(slots_type_find("NeverDefinedType"));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    ASSERT_MSG("NeverDefinedType");
    CU_ASSERT_PTR_NULL(slots_type_find(""));
    CU_ASSERT_PTR_NULL(slots_type_find(NULL));
    CU_ASSERT_TRUE(slots_errcode() < 0);
}

static void test_redefine_name(void) {
    const char *name = unique_name("Redef");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", name);
    slots_type *t1 = def_named(saved, "id: i64, name: str", NULL, 0);
    slots_obj r1 = 0;
    ASSERT_OK(slots_new(t1, &r1));
    ASSERT_OK(slots_set_i64(r1, 0, 41));
    ASSERT_OK(slots_set_str(r1, 1, "a fairly long string beyond inline size", 39));

    slots_type *t2 = def_named(saved, "price: f64, id: i64, extra: bool", NULL, 0);
    CU_ASSERT_PTR_NOT_EQUAL(t1, t2);
    CU_ASSERT_PTR_EQUAL(slots_type_find(saved), t2);
    /* the old type and its records live on */
    CU_ASSERT_STRING_EQUAL(slots_type_name(t1), saved);
    CU_ASSERT_EQUAL(slots_type_nfields(t1), 2);
    CU_ASSERT_EQUAL(slots_field_index(t1, "name"), 1);
    CU_ASSERT_EQUAL(slots_field_index(t2, "id"), 1);
    const slots_type *of = NULL;
    ASSERT_OK(slots_type_of(r1, &of));
    CU_ASSERT_PTR_EQUAL(of, t1);
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(r1, 0, &v));
    CU_ASSERT_EQUAL(v, 41);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(r1, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 39);
    slots_obj r1b = 0, r2 = 0;
    ASSERT_OK(slots_new(t1, &r1b)); /* the old type still makes records */
    ASSERT_OK(slots_new(t2, &r2));
    CU_ASSERT_EQUAL(slots_isinstance(r1, t2), 0);
    CU_ASSERT_EQUAL(slots_isinstance(r2, t1), 0);
    CU_ASSERT_EQUAL(slots_equal(r1b, r2), 0);
    ASSERT_OK(slots_free(r1));
    ASSERT_OK(slots_free(r1b));
    ASSERT_OK(slots_free(r2));
}

/* Thousands of names, half of them bound twice: each finds its latest type (the name table
 * grows many times on the way), and names never defined find nothing. */
static void test_many_names(void) {
    enum { N = 3000 };
    static slots_type *latest[N];
    char name[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            if (round == 1 && i % 2) continue;
            snprintf(name, sizeof name, "ManyNames_%d", i);
            ASSERT_OK(slots_type_define(name, round ? "a: i64, b: str" : "a: i64", NULL, 0, &latest[i]));
        }
    }
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "ManyNames_%d", i);
        CU_ASSERT_PTR_EQUAL(slots_type_find(name), latest[i]);
        CU_ASSERT_EQUAL(slots_type_nfields(latest[i]), i % 2 ? 1 : 2);
        snprintf(name, sizeof name, "ManyNames_%d_", i);
        CU_ASSERT_PTR_NULL(slots_type_find(name));
    }
}

static void test_define_argument_errors(void) {
    slots_type *sentinel = (slots_type *)(void *)&sentinel;
    slots_type *t = sentinel;
    ASSERT_STATUS(slots_type_define(NULL, "a: i64", NULL, 0, &t), SLOTS_EINVAL);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define("", "a: i64", NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define("bad name", "a: i64", NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define("1abc", "a: i64", NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define("a-b", "a: i64", NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define(unique_name("T"), NULL, NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define(unique_name("T"), "a: i64", NULL, 0x80u, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define(unique_name("T"), "a: i64", NULL, 0x08u, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define(unique_name("T"), "a: i64", FORGED, 0, &t), SLOTS_EINVAL);
    CU_ASSERT_PTR_EQUAL(t, sentinel);
    ASSERT_STATUS(slots_type_define(unique_name("T"), "a: i64", NULL, 0, NULL), SLOTS_EINVAL);
    CU_ASSERT_PTR_NULL(slots_type_find("bad name"));
    CU_ASSERT_PTR_NULL(slots_type_find("1abc"));

    slots_field_spec one = {"a", SLOTS_I64, 0, NULL, NULL};
    ASSERT_STATUS(slots_type_define_specs(NULL, &one, 1, NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define_specs("bad name", &one, 1, NULL, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define_specs(unique_name("T"), &one, 1, NULL, 0x80u, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define_specs(unique_name("T"), &one, 1, FORGED, 0, &t), SLOTS_EINVAL);
    ASSERT_STATUS(slots_type_define_specs(unique_name("T"), &one, 1, NULL, 0, NULL), SLOTS_EINVAL);
    CU_ASSERT_PTR_EQUAL(t, sentinel);
}

static void test_failed_define_keeps_binding(void) {
    const char *name = unique_name("Keep");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", name);
    slots_type *t1 = def_named(saved, "a: i64", NULL, 0);
    slots_type *t = NULL;
    ASSERT_STATUS(slots_type_define(saved, "a: i64, a: str", NULL, 0, &t), SLOTS_ELAYOUT);
    CU_ASSERT_PTR_EQUAL(slots_type_find(saved), t1);
    ASSERT_STATUS(slots_type_define(saved, "a i64", NULL, 0, &t), SLOTS_EPARSE);
    CU_ASSERT_PTR_EQUAL(slots_type_find(saved), t1);
    ASSERT_STATUS(slots_type_define(saved, "a: i64", NULL, 0x80u, &t), SLOTS_EINVAL);
    CU_ASSERT_PTR_EQUAL(slots_type_find(saved), t1);
    CU_ASSERT_PTR_NULL(t);
}

static void test_type_flags(void) {
    slots_type *f = def_named(unique_name("Frozen"), "a: i64", NULL, SLOTS_FROZEN);
    slots_type *d = def_named(unique_name("Dyn"), "a: i64", NULL, SLOTS_DYNAMIC);
    slots_type *fd = def_named(unique_name("FD"), "a: i64", NULL, SLOTS_FROZEN | SLOTS_DYNAMIC);
    CU_ASSERT_EQUAL(slots_type_flags(f), (int)SLOTS_FROZEN);
    CU_ASSERT_EQUAL(slots_type_flags(d), (int)SLOTS_DYNAMIC);
    CU_ASSERT_EQUAL(slots_type_flags(fd), (int)(SLOTS_FROZEN | SLOTS_DYNAMIC));
    /* subtypes inherit both flags */
    slots_type *fs = def_named(unique_name("FrozenSub"), "b: i64", f, 0);
    slots_type *ds = def_named(unique_name("DynSub"), "b: i64", d, 0);
    slots_type *fds = def_named(unique_name("FDSub"), "b: i64", fd, SLOTS_DYNAMIC);
    CU_ASSERT_EQUAL(slots_type_flags(fs), (int)SLOTS_FROZEN);
    CU_ASSERT_EQUAL(slots_type_flags(ds), (int)SLOTS_DYNAMIC);
    CU_ASSERT_EQUAL(slots_type_flags(fds), (int)(SLOTS_FROZEN | SLOTS_DYNAMIC));
    /* a frozen subtype's inherited fields are readonly too */
    slots_obj o = 0;
    ASSERT_OK(slots_new_blank(fs, &o));
    ASSERT_OK(slots_set_i64(o, 0, 1));
    ASSERT_OK(slots_set_i64(o, 1, 2));
    ASSERT_STATUS(slots_set_i64(o, 0, 3), SLOTS_EREADONLY);
    ASSERT_STATUS(slots_set_i64(o, 1, 3), SLOTS_EREADONLY);
    ASSERT_OK(slots_free(o));
    /* a dynamic subtype takes extras */
    ASSERT_OK(slots_new(ds, &o));
    ASSERT_OK(slots_extra_set_i64(o, "age", 3));
    ASSERT_OK(slots_free(o));
}

static void test_introspection(void) {
    def_named("Target", "a: i64", NULL, 0);
    slots_type *t = def("id: i64 key, name: str = 'x' optional, price: f64 = 0 readonly, p: ref Target,"
                        " small: u8, flag: bool, f: f32, w: i16, z: u32");
    CU_ASSERT_EQUAL(slots_type_nfields(t), 9);
    CU_ASSERT_EQUAL(slots_field_index(t, "id"), 0);
    CU_ASSERT_EQUAL(slots_field_index(t, "z"), 8);
    CU_ASSERT_STRING_EQUAL(slots_field_name(t, 2), "price");
    CU_ASSERT_EQUAL(slots_field_kind(t, 0), SLOTS_I64);
    CU_ASSERT_EQUAL(slots_field_kind(t, 3), SLOTS_REF);
    CU_ASSERT_EQUAL(slots_field_flags(t, 0), (int)SLOTS_FIELD_KEY);
    CU_ASSERT_EQUAL(slots_field_flags(t, 1), (int)(SLOTS_FIELD_OPTIONAL | SLOTS_FIELD_HAS_DEFAULT));
    CU_ASSERT_EQUAL(slots_field_flags(t, 2), (int)(SLOTS_FIELD_READONLY | SLOTS_FIELD_HAS_DEFAULT));
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 1), "'x'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(t, 2), "0.0");
    CU_ASSERT_STRING_EQUAL(slots_field_ref_type(t, 3), "Target");
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 0));

    /* sizes of fixed-width kinds; every field lies inside the record and none overlap */
    CU_ASSERT_EQUAL(slots_field_size(t, 0), 8);
    CU_ASSERT_EQUAL(slots_field_size(t, 2), 8);
    CU_ASSERT_EQUAL(slots_field_size(t, 4), 1);
    CU_ASSERT_EQUAL(slots_field_size(t, 6), 4);
    CU_ASSERT_EQUAL(slots_field_size(t, 7), 2);
    CU_ASSERT_EQUAL(slots_field_size(t, 8), 4);
    size_t rs = slots_type_record_size(t);
    CU_ASSERT_TRUE(rs > 0);
    int n = slots_type_nfields(t);
    for (int i = 0; i < n; i++) {
        int off = slots_field_offset(t, i), sz = slots_field_size(t, i);
        CU_ASSERT_TRUE(off >= 0 && sz > 0);
        CU_ASSERT_TRUE((size_t)off + (size_t)sz <= rs);
        for (int j = 0; j < i; j++) {
            int o2 = slots_field_offset(t, j), s2 = slots_field_size(t, j);
            CU_ASSERT_TRUE(off + sz <= o2 || o2 + s2 <= off);
        }
    }
    CU_ASSERT_EQUAL(slots_field_index(t, "nope"), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(slots_field_index(t, "Id"), SLOTS_ENOATTR); /* case-sensitive */
    CU_ASSERT_EQUAL(slots_field_index(t, "i"), SLOTS_ENOATTR);  /* no prefix match */
    CU_ASSERT_EQUAL(slots_field_index(t, "idx"), SLOTS_ENOATTR);
}

static void test_field_index_message(void) {
    slots_type *t = def_named("Product", "id: i64, name: str, price: f64", NULL, 0);
    ASSERT_STATUS(slots_field_index(t, "age"), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'age'");
    ASSERT_STATUS(slots_field_index(t, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_field_index(NULL, "id"), SLOTS_EINVAL);
    ASSERT_STATUS(slots_field_index(FORGED, "id"), SLOTS_EINVAL);
}

static void test_record_size_product(void) {
    slots_type *t = def("id: i64, name: str, price: f64");
    size_t rs = slots_type_record_size(t);
    CU_ASSERT_TRUE(rs >= 8 + 8 + 1);
    CU_ASSERT_TRUE(rs <= 48);
    /* more fields never shrink a record */
    slots_type *u = def("id: i64, name: str, price: f64, qty: i32, tag: str");
    CU_ASSERT_TRUE(slots_type_record_size(u) > rs);
}

static void test_introspection_bad_arguments(void) {
    slots_type *t = def("a: i64 = 1, b: str");
    const slots_type *bad[] = {NULL, FORGED};
    for (int k = 0; k < 2; k++) {
        const slots_type *x = bad[k];
        CU_ASSERT_PTR_NULL(slots_type_name(x));
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_flags(x), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_nfields(x), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_record_size(x), 0);
        prime_error();
        CU_ASSERT_PTR_NULL(slots_type_base(x));
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_is_subtype(x, t), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_is_subtype(t, x), SLOTS_EINVAL);
        CU_ASSERT_PTR_NULL(slots_field_name(x, 0));
        CU_ASSERT_EQUAL(slots_field_kind(x, 0), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_field_flags(x, 0), SLOTS_EINVAL);
        prime_error();
        CU_ASSERT_PTR_NULL(slots_field_default(x, 0));
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_PTR_NULL(slots_field_ref_type(x, 0));
        CU_ASSERT_EQUAL(slots_field_offset(x, 0), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_field_size(x, 0), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_type_memory(x, NULL, NULL, NULL), SLOTS_EINVAL);
        size_t cnt = 99;
        CU_ASSERT_EQUAL(slots_type_count(x, &cnt), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(cnt, 99);
    }
    int bad_index[] = {-1, 2, 1000, -1000000};
    for (int k = 0; k < 4; k++) {
        int i = bad_index[k];
        prime_error();
        CU_ASSERT_PTR_NULL(slots_field_name(t, i));
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_field_kind(t, i), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_field_flags(t, i), SLOTS_EINVAL);
        prime_error();
        CU_ASSERT_PTR_NULL(slots_field_default(t, i));
        CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
        CU_ASSERT_PTR_NULL(slots_field_ref_type(t, i));
        CU_ASSERT_EQUAL(slots_field_offset(t, i), SLOTS_EINVAL);
        CU_ASSERT_EQUAL(slots_field_size(t, i), SLOTS_EINVAL);
    }
}

static void test_none_results_leave_code(void) {
    slots_type *t = def("a: i64, r: ref");
    prime_error();
    CU_ASSERT_PTR_NULL(slots_type_base(t));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_PTR_NULL(slots_field_default(t, 0));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 1));
    CU_ASSERT_PTR_NULL(slots_field_ref_type(t, 0));
}

static void test_kind_names(void) {
    static const char *names[] = {NULL,  "bool", "i8",  "i16", "i32", "i64", "u8",    "u16",
                                  "u32", "u64",  "f32", "f64", "str", "bytes", "ref"};
    for (int k = SLOTS_BOOL; k <= SLOTS_REF; k++) {
        const char *n = slots_kind_name(k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(n);
        CU_ASSERT_STRING_EQUAL(n, names[k]);
    }
    CU_ASSERT_PTR_NULL(slots_kind_name(0));
    CU_ASSERT_PTR_NULL(slots_kind_name(SLOTS_DECIMAL + 1));
    CU_ASSERT_PTR_NULL(slots_kind_name(-1));
    CU_ASSERT_PTR_NULL(slots_kind_name(1000));
}

/* ---- inheritance ------------------------------------------------------------------------------ */

static void test_inheritance_layout(void) {
    slots_type *base = def_named(unique_name("Base"), "id: i64, name: str = 'b'", NULL, 0);
    slots_type *mid = def_named(unique_name("Mid"), "price: f64 = 1.5", base, 0);
    slots_type *leaf = def_named(unique_name("Leaf"), "qty: u16, note: str optional", mid, 0);
    CU_ASSERT_PTR_EQUAL(slots_type_base(mid), base);
    CU_ASSERT_PTR_EQUAL(slots_type_base(leaf), mid);
    CU_ASSERT_EQUAL(slots_type_nfields(base), 2);
    CU_ASSERT_EQUAL(slots_type_nfields(mid), 3);
    CU_ASSERT_EQUAL(slots_type_nfields(leaf), 5);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_STRING_EQUAL(slots_field_name(leaf, i), slots_field_name(base, i));
        CU_ASSERT_EQUAL(slots_field_kind(leaf, i), slots_field_kind(base, i));
        CU_ASSERT_EQUAL(slots_field_index(leaf, slots_field_name(base, i)), i);
    }
    CU_ASSERT_EQUAL(slots_field_index(leaf, "price"), 2);
    CU_ASSERT_EQUAL(slots_field_index(leaf, "qty"), 3);
    CU_ASSERT_EQUAL(slots_field_index(leaf, "note"), 4);
    CU_ASSERT_STRING_EQUAL(slots_field_default(leaf, 1), "'b'");
    CU_ASSERT_TRUE(slots_type_record_size(leaf) >= slots_type_record_size(base));

    CU_ASSERT_EQUAL(slots_type_is_subtype(leaf, base), 1);
    CU_ASSERT_EQUAL(slots_type_is_subtype(leaf, mid), 1);
    CU_ASSERT_EQUAL(slots_type_is_subtype(leaf, leaf), 1);
    CU_ASSERT_EQUAL(slots_type_is_subtype(base, base), 1);
    CU_ASSERT_EQUAL(slots_type_is_subtype(base, leaf), 0);
    CU_ASSERT_EQUAL(slots_type_is_subtype(mid, leaf), 0);
    slots_type *other = def("id: i64, name: str");
    CU_ASSERT_EQUAL(slots_type_is_subtype(other, base), 0);
    CU_ASSERT_EQUAL(slots_type_is_subtype(leaf, other), 0);

    /* records of the leaf carry the inherited defaults and take inherited fields by base index */
    slots_obj o = 0, b = 0;
    ASSERT_OK(slots_new(leaf, &o));
    ASSERT_OK(slots_new(base, &b));
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 1, &s, &n));
    CU_ASSERT_EQUAL(n, 1);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, 2, &d));
    CU_ASSERT_EQUAL(d, 1.5);
    ASSERT_OK(slots_set_i64(o, slots_field_index(base, "id"), 17));
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(v, 17);
    CU_ASSERT_EQUAL(slots_isinstance(o, base), 1);
    CU_ASSERT_EQUAL(slots_isinstance(o, mid), 1);
    CU_ASSERT_EQUAL(slots_isinstance(o, leaf), 1);
    CU_ASSERT_EQUAL(slots_isinstance(o, other), 0);
    CU_ASSERT_EQUAL(slots_isinstance(b, leaf), 0);
    CU_ASSERT_EQUAL(slots_isinstance(b, base), 1);
    ASSERT_STATUS(slots_isinstance(o, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_isinstance(o, FORGED), SLOTS_EINVAL);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(b));
}

static void test_inheritance_errors(void) {
    slots_type *base = def_named(unique_name("Base"), "id: i64 key, name: str", NULL, 0);
    slots_type *t = NULL;
    const char *n1 = unique_name("Sub");
    ASSERT_STATUS(slots_type_define(n1, "price: f64, name: str", base, 0, &t), SLOTS_ELAYOUT);
    ASSERT_MSG("'name'");
    CU_ASSERT_PTR_NULL(slots_type_find(n1));
    CU_ASSERT_PTR_NULL(t);
    /* the name is refused whatever its kind, and also through specs */
    slots_field_spec dup = {"id", SLOTS_STR, 0, NULL, NULL};
    const char *n2 = unique_name("Sub");
    ASSERT_STATUS(slots_type_define_specs(n2, &dup, 1, base, 0, &t), SLOTS_ELAYOUT);
    ASSERT_MSG("'id'");
    CU_ASSERT_PTR_NULL(slots_type_find(n2));
    /* a second key below a keyed base */
    ASSERT_STATUS(slots_type_define(unique_name("Sub"), "k2: u64 key", base, 0, &t), SLOTS_ELAYOUT);
    /* a duplicate two levels up */
    slots_type *mid = def_named(unique_name("Mid"), "price: f64", base, 0);
    ASSERT_STATUS(slots_type_define(unique_name("Sub"), "q: i64, id: i64", mid, 0, &t), SLOTS_ELAYOUT);
    ASSERT_MSG("'id'");
    CU_ASSERT_PTR_NULL(t);
}

static void test_typed_ref_subtypes(void) {
    const char *bname = unique_name("Animal");
    char bsaved[64];
    snprintf(bsaved, sizeof bsaved, "%s", bname);
    slots_type *animal = def_named(bsaved, "legs: i64", NULL, 0);
    slots_type *dog = def_named(unique_name("Dog"), "bark: bool", animal, 0);
    char fields[128];
    snprintf(fields, sizeof fields, "pet: ref %s optional, dogref: ref %s", bsaved, slots_type_name(dog));
    slots_type *owner = def(fields);
    slots_type *other = def("x: i64");
    slots_obj a = 0, d = 0, o = 0, x = 0, got = 0;
    ASSERT_OK(slots_new(animal, &a));
    ASSERT_OK(slots_new(dog, &d));
    ASSERT_OK(slots_new(owner, &o));
    ASSERT_OK(slots_new(other, &x));
    ASSERT_OK(slots_set_ref(o, 0, a));
    ASSERT_OK(slots_set_ref(o, 0, d)); /* a subtype is accepted */
    ASSERT_STATUS(slots_set_ref(o, 0, x), SLOTS_ETYPE);
    ASSERT_OK(slots_get_ref(o, 0, &got));
    CU_ASSERT_EQUAL(got, d);
    ASSERT_STATUS(slots_set_ref(o, 1, a), SLOTS_ETYPE); /* a base is not a Dog */
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0);
    ASSERT_OK(slots_set_ref(o, 1, d));
    ASSERT_OK(slots_free(a));
    ASSERT_OK(slots_free(d));
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(x));
}

static CU_TestInfo tests[] = {
    {"thousands of names", test_many_names},
    {"define and find", test_define_and_find},
    {"find unknown", test_find_unknown},
    {"redefine a name", test_redefine_name},
    {"define argument errors", test_define_argument_errors},
    {"failed define keeps binding", test_failed_define_keeps_binding},
    {"type flags", test_type_flags},
    {"introspection", test_introspection},
    {"field index message", test_field_index_message},
    {"record size of Product", test_record_size_product},
    {"introspection bad arguments", test_introspection_bad_arguments},
    {"none results leave the code", test_none_results_leave_code},
    {"kind names", test_kind_names},
    {"inheritance layout", test_inheritance_layout},
    {"inheritance errors", test_inheritance_errors},
    {"typed refs accept subtypes", test_typed_ref_subtypes},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("types", tests); }
