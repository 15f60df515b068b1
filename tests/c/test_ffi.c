/*
 * test_ffi.c — the ffi bridge: C-layout records against the compiler's own structs, native methods
 * and properties through slots_call, symbols bound by dlopen, and field validators.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness.h"

struct c_product {
    bool active;
    int64_t id;
    char *name;
    float weight;
    double price;
    uint16_t stock;
    uint8_t flags;
    uint64_t parent;
    int32_t rank;
};

static slots_type *clayout_product(void) {
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define(unique_name("CProduct"),
                                "active: bool, id: i64, name: str, weight: f32, price: f64, stock: u16,"
                                " flags: u8, parent: ref optional, rank: i32",
                                NULL, SLOTS_CLAYOUT, &t));
    return t;
}

static void test_clayout_matches_compiler(void) {
    slots_type *t = clayout_product();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static const size_t want[] = {offsetof(struct c_product, active), offsetof(struct c_product, id),
                                  offsetof(struct c_product, name),   offsetof(struct c_product, weight),
                                  offsetof(struct c_product, price),  offsetof(struct c_product, stock),
                                  offsetof(struct c_product, flags),  offsetof(struct c_product, parent),
                                  offsetof(struct c_product, rank)};
    for (int i = 0; i < 9; i++) CU_ASSERT_EQUAL((size_t)slots_field_offset(t, i), want[i]);
    CU_ASSERT_EQUAL(slots_field_size(t, 2), (int)sizeof(char *));
    const size_t *ffi_size = slots_type_ffi_type(t); /* ffi_type starts with its size */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ffi_size);
    CU_ASSERT_EQUAL(*ffi_size, sizeof(struct c_product));
    CU_ASSERT_TRUE(slots_type_record_size(t) >= sizeof(struct c_product));
}

static void test_clayout_record_is_the_struct(void) {
    slots_type *t = clayout_product();
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_set_bool(o, 0, 1));
    ASSERT_OK(slots_set_i64(o, 1, 42));
    ASSERT_OK(slots_set_str(o, 2, "a name longer than twenty-three bytes", 37));
    ASSERT_OK(slots_set_f64(o, 3, 1.5));
    ASSERT_OK(slots_set_f64(o, 4, 9.99));
    ASSERT_OK(slots_set_i64(o, 5, 65535));
    ASSERT_OK(slots_set_i64(o, 8, -7));
    void *raw = NULL;
    ASSERT_OK(slots_record_ptr_unchecked(o, &raw));
    const struct c_product *p = raw;
    CU_ASSERT_TRUE(p->active);
    CU_ASSERT_EQUAL(p->id, 42);
    CU_ASSERT_STRING_EQUAL(p->name, "a name longer than twenty-three bytes");
    CU_ASSERT_EQUAL(p->weight, 1.5f);
    CU_ASSERT_EQUAL(p->price, 9.99);
    CU_ASSERT_EQUAL(p->stock, 65535);
    CU_ASSERT_EQUAL(p->rank, -7);
    const char *s = NULL;
    size_t n = 0;
    ASSERT_OK(slots_get_str(o, 2, &s, &n));
    CU_ASSERT_EQUAL(n, 37);
    ASSERT_OK(slots_set_str(o, 2, "short", 5));
    CU_ASSERT_STRING_EQUAL(p->name, "short");
    ASSERT_OK(slots_del(o, 2));
    CU_ASSERT_PTR_NULL(p->name);
    ASSERT_STATUS(slots_set_str(o, 2, "a\0b", 3), SLOTS_EINVAL);
    ASSERT_MSG("NUL");
    slots_obj c = 0;
    ASSERT_OK(slots_set_str(o, 2, "copied", 6));
    ASSERT_OK(slots_copy(o, &c));
    ASSERT_OK(slots_record_ptr_unchecked(c, &raw));
    CU_ASSERT_PTR_NOT_EQUAL(((struct c_product *)raw)->name, p->name); /* a deep copy */
    CU_ASSERT_STRING_EQUAL(((struct c_product *)raw)->name, "copied");
    ASSERT_OK(slots_free(c));
    ASSERT_OK(slots_free(o));
    ASSERT_STATUS(slots_record_ptr_unchecked(o, &raw), SLOTS_ESTALE);
}

static void test_clayout_errors(void) {
    slots_type *t = NULL, *plain = NULL;
    ASSERT_STATUS(slots_type_define(unique_name("CBad"), "b: bytes", NULL, SLOTS_CLAYOUT, &t), SLOTS_ELAYOUT);
    ASSERT_MSG("bytes field 'b'");
    ASSERT_STATUS(slots_type_define(unique_name("CBad"), "", NULL, SLOTS_CLAYOUT, &t), SLOTS_ELAYOUT);
    ASSERT_OK(slots_type_define(unique_name("Plain"), "a: i64", NULL, 0, &plain));
    ASSERT_STATUS(slots_type_define(unique_name("CBad"), "b: i64", plain, SLOTS_CLAYOUT, &t), SLOTS_ELAYOUT);
    CU_ASSERT_PTR_NULL(slots_type_ffi_type(plain));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_EINVAL);
    CU_ASSERT_PTR_NULL(t);
}

static double discounted(uint64_t self, double pct) {
    slots_type *t = NULL;
    double price = 0;
    slots_type_of(self, (const slots_type **)&t);
    slots_get_f64(self, slots_field_index(t, "price"), &price);
    return price * (1.0 - pct / 100.0);
}

static int32_t doubled_stock(void *record) { return 2 * ((struct c_product *)record)->stock; }

static const char *greet(const char *who, uint8_t times) {
    static char buf[64];
    snprintf(buf, sizeof buf, "%s x%u", who, (unsigned)times);
    return buf;
}

typedef void (*fnptr)(void);

static void test_methods(void) {
    slots_type *t = clayout_product();
    ASSERT_OK(slots_method_bind(t, "discounted", "f64(self, f64)", (fnptr)discounted, 0));
    ASSERT_OK(slots_method_bind(t, "twice", "i32(ptr)", (fnptr)doubled_stock, SLOTS_METHOD_PROPERTY));
    ASSERT_OK(slots_method_bind(t, "greet", "str(str, u8)", (fnptr)greet, 0));
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_set_f64(o, 4, 200.0));
    ASSERT_OK(slots_set_i64(o, 5, 21));
    slots_arg pct = {.kind = SLOTS_I64, .i = 25}, r;
    ASSERT_OK(slots_call(o, "discounted", &pct, 1, &r));
    CU_ASSERT_EQUAL(r.kind, SLOTS_F64);
    CU_ASSERT_DOUBLE_EQUAL(r.f, 150.0, 1e-9);
    ASSERT_OK(slots_call(o, "twice", NULL, 0, &r));
    CU_ASSERT_EQUAL(r.kind, SLOTS_I64);
    CU_ASSERT_EQUAL(r.i, 42);
    slots_arg args[2] = {{.kind = SLOTS_STR, .s = "hi", .len = 2}, {.kind = SLOTS_I64, .i = 3}};
    ASSERT_OK(slots_call(o, "greet", args, 2, &r));
    CU_ASSERT_EQUAL(r.kind, SLOTS_STR);
    CU_ASSERT_STRING_EQUAL(r.s, "hi x3");
    /* errors */
    ASSERT_STATUS(slots_call(o, "nope", NULL, 0, &r), SLOTS_ENOATTR);
    ASSERT_MSG("has no attribute 'nope'");
    ASSERT_STATUS(slots_call(o, "discounted", NULL, 0, &r), SLOTS_ETYPE);
    ASSERT_MSG("discounted() takes 1 argument (0 given)");
    slots_arg wrong = {.kind = SLOTS_STR, .s = "x", .len = 1};
    ASSERT_STATUS(slots_call(o, "discounted", &wrong, 1, &r), SLOTS_ETYPE);
    args[1].i = 300;
    ASSERT_STATUS(slots_call(o, "greet", args, 2, &r), SLOTS_ERANGE);
    ASSERT_MSG("out of range");
    ASSERT_STATUS(slots_method_bind(t, "bad", "f64(self", (fnptr)discounted, 0), SLOTS_EPARSE);
    ASSERT_STATUS(slots_method_bind(t, "bad", "bytes(self)", (fnptr)discounted, 0), SLOTS_EPARSE);
    ASSERT_STATUS(slots_method_bind(t, "bad", "f64(self, f64)", (fnptr)discounted, SLOTS_METHOD_PROPERTY), SLOTS_EPARSE);
    ASSERT_STATUS(slots_method_bind(t, "price", "f64(self)", (fnptr)discounted, 0), SLOTS_EINVAL);
    ASSERT_STATUS(slots_method_bind(t, "x", "f64(self)", NULL, 0), SLOTS_EINVAL);
    /* introspection */
    CU_ASSERT_EQUAL(slots_method_count(t), 3);
    CU_ASSERT_STRING_EQUAL(slots_method_name(t, 1), "twice");
    CU_ASSERT_STRING_EQUAL(slots_method_signature(t, 0), "f64(self, f64)");
    CU_ASSERT_EQUAL(slots_method_flags(t, 1), (int)SLOTS_METHOD_PROPERTY);
    CU_ASSERT_PTR_NULL(slots_method_name(t, 3));
    ASSERT_OK(slots_free(o));
    ASSERT_STATUS(slots_call(o, "twice", NULL, 0, &r), SLOTS_ESTALE);
}

static void test_methods_inherited_and_by_symbol(void) {
    slots_type *base = NULL, *sub = NULL;
    ASSERT_OK(slots_type_define(unique_name("Shape"), "x: f64", NULL, 0, &base));
    ASSERT_OK(slots_method_bind_symbol(base, "cosine", "f64(f64)", "libm.so.6", "cos", 0));
    ASSERT_OK(slots_type_define(unique_name("Circle"), "r: f64", base, 0, &sub));
    slots_obj o = 0;
    ASSERT_OK(slots_new(sub, &o));
    slots_arg zero = {.kind = SLOTS_F64, .f = 0.0}, r;
    ASSERT_OK(slots_call(o, "cosine", &zero, 1, &r));
    CU_ASSERT_DOUBLE_EQUAL(r.f, 1.0, 1e-12);
    CU_ASSERT_EQUAL(slots_method_count(sub), 1);
    ASSERT_STATUS(slots_method_bind_symbol(base, "m", "f64(f64)", "libm.so.6", "no_such_symbol_here", 0), SLOTS_ENOATTR);
    ASSERT_MSG("no_such_symbol_here");
    ASSERT_STATUS(slots_method_bind_symbol(base, "m", "f64(f64)", "/nonexistent/libx.so", "cos", 0), SLOTS_ENOATTR);
    ASSERT_OK(slots_free(o));
}

static int positive(slots_obj self, int field, const slots_arg *v, char *msg, size_t cap, void *ctx) {
    (void)self, (void)field;
    ++*(int *)ctx;
    if (v->kind == SLOTS_F64 && v->f > 0) return 0;
    if (v->kind == SLOTS_I64 && v->i > 0) return 0;
    snprintf(msg, cap, "must be positive");
    return 1;
}

static void test_validators(void) {
    slots_type *t = NULL;
    slots_store *s = NULL;
    int calls = 0;
    ASSERT_OK(slots_type_define(unique_name("Priced"), "id: i64 key, price: f64", NULL, 0, &t));
    ASSERT_OK(slots_field_set_validator(t, 1, positive, &calls));
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_set_f64(o, 1, 2.5));
    ASSERT_STATUS(slots_set_f64(o, 1, -1), SLOTS_EINVAL);
    ASSERT_MSG("price: must be positive");
    double p = 0;
    ASSERT_OK(slots_get_f64(o, 1, &p));
    CU_ASSERT_EQUAL(p, 2.5); /* refused: nothing changed */
    ASSERT_OK(slots_store_new(t, &s));
    const char *lines = "{\"id\":1,\"price\":3}\n{\"id\":2,\"price\":-3}\n";
    size_t loaded = 9;
    ASSERT_STATUS(slots_store_load_jsonl(s, lines, strlen(lines), 0, &loaded, NULL), SLOTS_EINVAL);
    ASSERT_MSG("line 2: ");
    size_t len = 9;
    ASSERT_OK(slots_store_len(s, &len));
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_TRUE(calls >= 4);
    ASSERT_OK(slots_field_set_validator(t, 1, NULL, NULL));
    ASSERT_OK(slots_set_f64(o, 1, -1));
    ASSERT_STATUS(slots_field_set_validator(t, 9, positive, NULL), SLOTS_EINVAL);
    ASSERT_OK(slots_store_drop(s));
    ASSERT_OK(slots_free(o));
}

static CU_TestInfo tests[] = {
    {"C layout matches the compiler", test_clayout_matches_compiler},
    {"C layout record is the struct", test_clayout_record_is_the_struct},
    {"C layout errors", test_clayout_errors},
    {"methods and properties", test_methods},
    {"methods inherited, bound by symbol", test_methods_inherited_and_by_symbol},
    {"validators", test_validators},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("ffi", tests); }
