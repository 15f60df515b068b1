/*
 * dlopen_test.c — loads libslots at run time the way an FFI does (dlopen + dlsym, no header-time
 * linking), checks the version, and drives a record through the looked-up functions, including a
 * failure and its message. Usage: dlopen_test /path/to/libslots.so.1
 * Prints each check and a closing line "dlopen: N passed, N failed"; exits nonzero on a failure.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "slots.h"

static int passed, failed;

static void check(int cond, const char *what) {
    printf("  %s %s\n", cond ? "ok  " : "FAIL", what);
    if (cond) passed++;
    else failed++;
}

typedef int (*version_number_fn)(void);
typedef int (*type_define_fn)(const char *, const char *, const slots_type *, unsigned, slots_type **);
typedef int (*new_fn)(const slots_type *, slots_obj *);
typedef int (*field_index_fn)(const slots_type *, const char *);
typedef int (*set_f64_fn)(slots_obj, int, double);
typedef int (*get_f64_fn)(slots_obj, int, double *);
typedef const char *(*errmsg_fn)(void);
typedef int (*free_fn)(slots_obj);

/* dlsym returns void *; converting it to a function pointer goes through memcpy to stay ISO C. */
static void *sym(void *lib, const char *name, void *fnptr, size_t size) {
    dlerror();
    void *p = dlsym(lib, name);
    char what[128];
    snprintf(what, sizeof what, "dlsym %s", name);
    check(p != NULL, what);
    if (p) memcpy(fnptr, &p, size);
    return p;
}
#define SYM(lib, name, var) sym(lib, name, &(var), sizeof(var))

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /path/to/libslots.so.1\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    check(lib != NULL, "dlopen");
    if (!lib) {
        printf("  %s\n", dlerror());
        printf("dlopen: %d passed, %d failed\n", passed, failed);
        return 1;
    }
    version_number_fn version_number = NULL;
    type_define_fn type_define = NULL;
    new_fn new_record = NULL;
    field_index_fn field_index = NULL;
    set_f64_fn set_f64 = NULL;
    get_f64_fn get_f64 = NULL;
    errmsg_fn errmsg = NULL;
    free_fn free_record = NULL;
    int all = 1;
    all &= SYM(lib, "slots_version_number", version_number) != NULL;
    all &= SYM(lib, "slots_type_define", type_define) != NULL;
    all &= SYM(lib, "slots_new", new_record) != NULL;
    all &= SYM(lib, "slots_field_index", field_index) != NULL;
    all &= SYM(lib, "slots_set_f64", set_f64) != NULL;
    all &= SYM(lib, "slots_get_f64", get_f64) != NULL;
    all &= SYM(lib, "slots_errmsg", errmsg) != NULL;
    all &= SYM(lib, "slots_free", free_record) != NULL;
    /* internal helpers must not be reachable */
    dlerror();
    check(dlsym(lib, "mem_alloc") == NULL && dlsym(lib, "err_set") == NULL, "internal symbols are hidden");

    if (all) {
        int v = version_number();
        char what[128];
        snprintf(what, sizeof what, "version %d has the header's major %d", v, SLOTS_VERSION_MAJOR);
        check(v / 10000 == SLOTS_VERSION_MAJOR, what);

        slots_type *t = NULL;
        check(type_define("DlProduct", "id: i64, name: str, price: f64 = 0", NULL, 0, &t) == SLOTS_OK && t,
              "slots_type_define");
        slots_obj o = 0;
        check(t && new_record(t, &o) == SLOTS_OK && o != 0, "slots_new");
        int price = t ? field_index(t, "price") : -1;
        check(price == 2, "slots_field_index of price is 2");
        double d = -1;
        check(get_f64(o, price, &d) == SLOTS_OK && d == 0.0, "default price reads 0.0");
        check(set_f64(o, price, 9.99) == SLOTS_OK, "slots_set_f64");
        check(get_f64(o, price, &d) == SLOTS_OK && d == 9.99, "slots_get_f64 reads 9.99 back");

        check(t && field_index(t, "age") == SLOTS_ENOATTR, "unknown field is SLOTS_ENOATTR");
        const char *m = errmsg();
        check(m && strcmp(m, "'DlProduct' object has no attribute 'age'") == 0,
              "message: 'DlProduct' object has no attribute 'age'");
        check(set_f64(o, 0, 1.0) == SLOTS_ETYPE, "setting an i64 field with set_f64 is SLOTS_ETYPE");
        d = 5.0;
        check(get_f64(o, 0, &d) == SLOTS_EUNSET && d == 5.0, "the refused set left the field unset");
        m = errmsg();
        check(m && strcmp(m, "'DlProduct' object has no attribute 'id'") == 0,
              "message: 'DlProduct' object has no attribute 'id'");
        check(free_record(o) == SLOTS_OK, "slots_free");
        check(get_f64(o, price, &d) == SLOTS_ESTALE, "freed handle is SLOTS_ESTALE");
        m = errmsg();
        check(m && m[0] != '\0', "a stale handle has a message");
        check(free_record(o) == SLOTS_ESTALE, "second slots_free is SLOTS_ESTALE");
    }
    check(dlclose(lib) == 0, "dlclose");
    printf("dlopen: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
