/*
 * test_redeclare.c — a subtype naming a base field again to give it a new default (a dataclass
 * subclass's `price: float = 9.5`): the field keeps its index, loads and slots_new fill the new
 * default, the base keeps its own, a sub-subtype inherits the override, and anything but a new
 * default stays a layout conflict that leaves nothing behind.
 */
#include "harness.h"

#include <stdio.h>

static slots_type *base_type(void) {
    slots_type *t = NULL;
    ASSERT_OK(slots_type_define(unique_name("RB"), "id: i64 key, price: f64 = 1.5, name: str = 'x'", NULL, 0, &t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_new_default_in_place(void) {
    slots_type *b = base_type(), *s = NULL, *s2 = NULL;
    ASSERT_OK(slots_type_define(unique_name("RS"), "price: f64 = 9.0, name: str = 'sub', extra: i64 = 3", b, 0, &s));
    CU_ASSERT_EQUAL(slots_type_nfields(s), 4);
    CU_ASSERT_EQUAL(slots_field_index(s, "price"), 1);
    CU_ASSERT_STRING_EQUAL(slots_field_default(s, 1), "9.0");
    CU_ASSERT_STRING_EQUAL(slots_field_default(s, 2), "'sub'");
    CU_ASSERT_STRING_EQUAL(slots_field_default(b, 1), "1.5"); /* the base keeps its own */
    ASSERT_OK(slots_type_define(unique_name("RS2"), "price: f64 = 2.0", s, 0, &s2));
    CU_ASSERT_STRING_EQUAL(slots_field_default(s2, 1), "2.0");
    CU_ASSERT_STRING_EQUAL(slots_field_default(s2, 2), "'sub'"); /* inherited override */

    slots_store *st = NULL;
    size_t n = 0;
    slots_obj o;
    ASSERT_OK(slots_store_new(s, &st));
    ASSERT_OK(slots_store_load_jsonl(st, "{\"id\": 1}\n", 10, 0, &n, NULL));
    ASSERT_OK(slots_store_find_i64(st, 1, &o));
    const char *j;
    size_t len;
    ASSERT_OK(slots_to_json(o, &j, &len));
    CU_ASSERT_STRING_EQUAL(j, "{\"id\":1,\"price\":9.0,\"name\":\"sub\",\"extra\":3}");
    ASSERT_OK(slots_store_drop(st));
    double price = 0;
    ASSERT_OK(slots_new(b, &o));
    ASSERT_OK(slots_get_f64(o, 1, &price));
    CU_ASSERT_EQUAL(price, 1.5);
    ASSERT_OK(slots_free(o));
}

static void refused(const slots_type *b, const char *fields, int code, const char *needle) {
    const char *name = unique_name("RBad");
    slots_type *t = NULL;
    ASSERT_STATUS(slots_type_define(name, fields, b, 0, &t), code);
    if (needle) ASSERT_MSG(needle);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NULL(slots_type_find(name));
}

static void test_only_the_default_may_change(void) {
    slots_type *b = base_type();
    refused(b, "price: i64 = 9", SLOTS_ELAYOUT, "a subclass may give it a new default only");
    refused(b, "price: f64", SLOTS_ELAYOUT, "conflicts with a field of base");
    refused(b, "price: f64 = 9.0 optional", SLOTS_ELAYOUT, "new default only");
    refused(b, "price: f64 = 9.0, price: f64 = 8.0", SLOTS_ELAYOUT, "conflicts");
    refused(b, "price: f64 = 'a'", SLOTS_ETYPE, "must be f64");
    refused(b, "name: str = 'ok', price: f64 = 'a'", SLOTS_ETYPE, NULL); /* after one took its default */
}

int main(void) {
    CU_TestInfo tests[] = {
        {"a base field named again takes a new default in place", test_new_default_in_place},
        {"only the default may change", test_only_the_default_may_change},
        CU_TEST_INFO_NULL,
    };
    return run_suite("redeclare", tests);
}
