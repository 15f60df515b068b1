/*
 * dlopen_test.c — loads libslots at run time the way an FFI does: every function it calls is found
 * with dlopen + dlsym (the program is linked with -ldl only; slots.h supplies types and constants,
 * never a call). It checks the version, defines a type from a field list, creates records, reads and
 * writes fields of several kinds, reads the library's error messages, and loads a JSON Lines store.
 * Usage: dlopen_test /path/to/libslots.so.1
 * Last, a thread that used the library outlives its dlclose: the library's per-thread clean-up
 * must still be there when that thread exits (the crash a Python interpreter met at exit).
 * Prints each check and a closing line "dlopen: N passed, N failed"; exits nonzero on a failure.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "slots.h"

static int passed, failed;

static void check(int cond, const char *what) {
    printf("  %s %s\n", cond ? "ok  " : "FAIL", what);
    if (cond) passed++;
    else failed++;
}

/* Every library function this program uses, as a pointer filled in by dlsym. */
static struct {
    const char *(*version)(void);
    int (*version_number)(void);
    const char *(*errmsg)(void);
    int (*errcode)(void);
    const char *(*strerror)(int);
    int (*type_define)(const char *, const char *, const slots_type *, unsigned, slots_type **);
    int (*type_nfields)(const slots_type *);
    const char *(*field_name)(const slots_type *, int);
    int (*field_kind)(const slots_type *, int);
    const char *(*kind_name)(int);
    int (*field_index)(const slots_type *, const char *);
    int (*new_record)(const slots_type *, slots_obj *);
    int (*free_record)(slots_obj);
    int (*set_bool)(slots_obj, int, int);
    int (*get_bool)(slots_obj, int, int *);
    int (*set_i64)(slots_obj, int, int64_t);
    int (*get_i64)(slots_obj, int, int64_t *);
    int (*set_f64)(slots_obj, int, double);
    int (*get_f64)(slots_obj, int, double *);
    int (*set_str)(slots_obj, int, const char *, size_t);
    int (*get_str)(slots_obj, int, const char **, size_t *);
    int (*set_null)(slots_obj, int);
    int (*repr)(slots_obj, const char **, size_t *);
    int (*store_new)(const slots_type *, slots_store **);
    int (*store_drop)(slots_store *);
    int (*store_len)(const slots_store *, size_t *);
    int (*store_at)(slots_store *, size_t, slots_obj *);
    int (*store_find_i64)(const slots_store *, int64_t, slots_obj *);
    int (*store_load_jsonl)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);
    const char *(*store_load_errors)(const slots_store *);
    int (*store_aggregate)(const slots_store *, int, size_t *, double *, double *, double *);
} fn;

/* dlsym returns void *; converting it to a function pointer goes through memcpy to stay ISO C. */
static int sym(void *lib, const char *name, void *fnptr, size_t size) {
    dlerror();
    void *p = dlsym(lib, name);
    if (!p) {
        char what[160];
        snprintf(what, sizeof what, "dlsym %s: %s", name, dlerror());
        check(0, what);
        return 0;
    }
    memcpy(fnptr, &p, size);
    return 1;
}
#define SYM(lib, name, field) sym(lib, name, &fn.field, sizeof fn.field)

static int load_all(void *lib) {
    int n = 0, found = 0;
#define LOAD(name, field) (n++, found += SYM(lib, name, field))
    LOAD("slots_version", version);
    LOAD("slots_version_number", version_number);
    LOAD("slots_errmsg", errmsg);
    LOAD("slots_errcode", errcode);
    LOAD("slots_strerror", strerror);
    LOAD("slots_type_define", type_define);
    LOAD("slots_type_nfields", type_nfields);
    LOAD("slots_field_name", field_name);
    LOAD("slots_field_kind", field_kind);
    LOAD("slots_kind_name", kind_name);
    LOAD("slots_field_index", field_index);
    LOAD("slots_new", new_record);
    LOAD("slots_free", free_record);
    LOAD("slots_set_bool", set_bool);
    LOAD("slots_get_bool", get_bool);
    LOAD("slots_set_i64", set_i64);
    LOAD("slots_get_i64", get_i64);
    LOAD("slots_set_f64", set_f64);
    LOAD("slots_get_f64", get_f64);
    LOAD("slots_set_str", set_str);
    LOAD("slots_get_str", get_str);
    LOAD("slots_set_null", set_null);
    LOAD("slots_repr", repr);
    LOAD("slots_store_new", store_new);
    LOAD("slots_store_drop", store_drop);
    LOAD("slots_store_len", store_len);
    LOAD("slots_store_at", store_at);
    LOAD("slots_store_find_i64", store_find_i64);
    LOAD("slots_store_load_jsonl", store_load_jsonl);
    LOAD("slots_store_load_errors", store_load_errors);
    LOAD("slots_store_aggregate", store_aggregate);
#undef LOAD
    char what[96];
    snprintf(what, sizeof what, "dlsym found all %d functions", n);
    check(found == n, what);
    return found == n;
}

/* The last failure's message is exactly `want`. */
static void check_msg(const char *want) {
    const char *m = fn.errmsg();
    char what[256];
    snprintf(what, sizeof what, "message: %s", want);
    check(m && strcmp(m, want) == 0, what);
    if (m && strcmp(m, want) != 0) printf("       got: %s\n", m);
}

static void test_records(void) {
    slots_type *t = NULL;
    check(fn.type_define("DlProduct", "id: i64, name: str, price: f64 = 0, ok: bool optional, qty: u8 = 1",
                         NULL, 0, &t) == SLOTS_OK && t,
          "slots_type_define from a field list");
    if (!t) return;
    check(fn.type_nfields(t) == 5, "the type has 5 fields");
    check(fn.field_name(t, 1) && strcmp(fn.field_name(t, 1), "name") == 0, "field 1 is 'name'");
    check(fn.field_kind(t, 2) == SLOTS_F64 && strcmp(fn.kind_name(SLOTS_F64), "f64") == 0, "field 2 is f64");
    slots_obj o = 0;
    check(fn.new_record(t, &o) == SLOTS_OK && o != 0, "slots_new");
    int id = fn.field_index(t, "id"), name = fn.field_index(t, "name"), price = fn.field_index(t, "price");
    int ok = fn.field_index(t, "ok"), qty = fn.field_index(t, "qty");
    check(id == 0 && name == 1 && price == 2 && ok == 3 && qty == 4, "slots_field_index of every field");

    double d = -1;
    check(fn.get_f64(o, price, &d) == SLOTS_OK && d == 0.0, "default price reads 0.0");
    check(fn.set_f64(o, price, 9.99) == SLOTS_OK, "slots_set_f64");
    check(fn.get_f64(o, price, &d) == SLOTS_OK && d == 9.99, "slots_get_f64 reads 9.99 back");
    int64_t i = 0;
    check(fn.set_i64(o, id, -42) == SLOTS_OK && fn.get_i64(o, id, &i) == SLOTS_OK && i == -42, "i64 field: -42");
    check(fn.get_i64(o, qty, &i) == SLOTS_OK && i == 1, "u8 default reads 1");
    const char *s = NULL;
    size_t len = 0;
    check(fn.set_str(o, name, "Wid\xc3\xa9get", 8) == SLOTS_OK, "slots_set_str (UTF-8)");
    check(fn.get_str(o, name, &s, &len) == SLOTS_OK && len == 8 && memcmp(s, "Wid\xc3\xa9get", 8) == 0,
          "slots_get_str reads it back");
    int b = -1;
    check(fn.set_bool(o, ok, 1) == SLOTS_OK && fn.get_bool(o, ok, &b) == SLOTS_OK && b == 1, "bool field: true");
    check(fn.set_null(o, ok) == SLOTS_OK && fn.get_bool(o, ok, &b) == SLOTS_NULL && b == 1,
          "optional field set to null reads SLOTS_NULL, out untouched");
    check(fn.repr(o, &s, &len) == SLOTS_OK && strcmp(s, "DlProduct(id=-42, name='Wid\xc3\xa9get', price=9.99, "
                                                           "ok=None, qty=1)") == 0,
          "slots_repr");

    /* Failures: a status, the library's message, and nothing changed. */
    check(fn.field_index(t, "age") == SLOTS_ENOATTR, "unknown field is SLOTS_ENOATTR");
    check_msg("'DlProduct' object has no attribute 'age'");
    check(fn.errcode() == SLOTS_ENOATTR && strcmp(fn.strerror(SLOTS_ENOATTR), "SLOTS_ENOATTR") == 0,
          "slots_errcode and slots_strerror name it");
    check(fn.set_f64(o, id, 1.5) == SLOTS_ETYPE, "setting an i64 field with set_f64 is SLOTS_ETYPE");
    check_msg("DlProduct.id must be i64, not float");
    check(fn.set_i64(o, qty, 300) == SLOTS_ERANGE, "300 into a u8 is SLOTS_ERANGE");
    check_msg("value 300 out of range for field 'qty' (u8)");
    check(fn.get_i64(o, qty, &i) == SLOTS_OK && i == 1, "the refused set left qty at 1");
    check(fn.set_null(o, price) == SLOTS_ETYPE, "null into a field that is not optional is SLOTS_ETYPE");
    check(fn.get_f64(o, price, &d) == SLOTS_OK && d == 9.99, "the refused set left price at 9.99");

    slots_obj blank = 0;
    check(fn.new_record(t, &blank) == SLOTS_OK, "a second record");
    d = 5.0;
    check(fn.get_f64(o, id, &d) == SLOTS_ETYPE && d == 5.0, "get_f64 of an i64 field is SLOTS_ETYPE, out untouched");
    check_msg("DlProduct.id is i64, not a float");
    check(fn.get_i64(blank, id, &i) == SLOTS_EUNSET, "an unset field is SLOTS_EUNSET");
    check_msg("'DlProduct' object has no attribute 'id'");

    check(fn.free_record(o) == SLOTS_OK, "slots_free");
    check(fn.get_f64(o, price, &d) == SLOTS_ESTALE, "freed handle is SLOTS_ESTALE");
    const char *m = fn.errmsg();
    check(m && strstr(m, "stale") != NULL, "a stale handle has a message");
    check(fn.free_record(o) == SLOTS_ESTALE, "second slots_free is SLOTS_ESTALE");
    check(fn.free_record(blank) == SLOTS_OK, "slots_free of the second record");
}

static void test_store(void) {
    slots_type *t = NULL;
    check(fn.type_define("DlItem", "id: i64 key, name: str, price: f64 = 0", NULL, 0, &t) == SLOTS_OK,
          "slots_type_define with a key field");
    if (!t) return;
    slots_store *st = NULL;
    check(fn.store_new(t, &st) == SLOTS_OK && st, "slots_store_new");
    if (!st) return;
    static const char jsonl[] = "{\"id\": 10, \"name\": \"apple\", \"price\": 1.25}\n"
                                "\n"
                                "{\"id\": 20, \"name\": \"pear\", \"price\": 2.5}\n"
                                "{\"id\": 30, \"name\": \"plum\"}\n";
    size_t loaded = 0, skipped = 9, n = 0;
    check(fn.store_load_jsonl(st, jsonl, sizeof jsonl - 1, 0, &loaded, &skipped) == SLOTS_OK && loaded == 3 &&
              skipped == 0,
          "slots_store_load_jsonl: 3 records, blank line skipped");
    check(fn.store_len(st, &n) == SLOTS_OK && n == 3, "slots_store_len is 3");
    slots_obj o = 0;
    const char *s = NULL;
    size_t len = 0;
    check(fn.store_find_i64(st, 20, &o) == SLOTS_OK && fn.get_str(o, 1, &s, &len) == SLOTS_OK && len == 4 &&
              memcmp(s, "pear", 4) == 0,
          "slots_store_find_i64(20) is the pear");
    check(fn.store_find_i64(st, 99, &o) == SLOTS_ENOKEY, "a missing key is SLOTS_ENOKEY");
    check_msg("99"); /* the key as KeyError shows it, without the exception's name */
    double d = 0;
    check(fn.store_at(st, 2, &o) == SLOTS_OK && fn.get_f64(o, 2, &d) == SLOTS_OK && d == 0.0,
          "slots_store_at(2): the plum, with the default price");
    size_t count = 0;
    double sum = 0, lo = 0, hi = 0;
    check(fn.store_aggregate(st, 2, &count, &sum, &lo, &hi) == SLOTS_OK && count == 3 && sum == 3.75 && lo == 0.0 &&
              hi == 2.5,
          "slots_store_aggregate of price");

    static const char bad[] = "{\"id\": 40, \"name\": \"fig\"}\n{\"id\": \"x\"}\n";
    check(fn.store_load_jsonl(st, bad, sizeof bad - 1, 0, &loaded, &skipped) == SLOTS_ETYPE,
          "a bad line stops the load: SLOTS_ETYPE");
    check_msg("line 2: DlItem.id must be i64, not str");
    check(fn.store_len(st, &n) == SLOTS_OK && n == 3, "the failed load added nothing");
    static const char dup[] = "{\"id\": 10, \"name\": \"again\"}\n";
    check(fn.store_load_jsonl(st, dup, sizeof dup - 1, 0, NULL, NULL) == SLOTS_EEXIST, "a duplicate key is SLOTS_EEXIST");
    check(fn.store_load_jsonl(st, bad, sizeof bad - 1, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped) == SLOTS_OK &&
              loaded == 1 && skipped == 1,
          "SLOTS_LOAD_SKIP_BAD: 1 loaded, 1 skipped");
    const char *errs = fn.store_load_errors(st);
    check(errs && strstr(errs, "line 2") != NULL, "slots_store_load_errors names line 2");
    check(fn.store_len(st, &n) == SLOTS_OK && n == 4, "slots_store_len is 4");
    slots_obj kept = 0;
    check(fn.store_find_i64(st, 40, &kept) == SLOTS_OK, "the fig was loaded");
    check(fn.store_drop(st) == SLOTS_OK, "slots_store_drop");
    check(fn.get_f64(kept, 2, &d) == SLOTS_ESTALE, "a record of a dropped store is SLOTS_ESTALE");
}

/* A thread that calls into the library (so the library keeps per-thread state for it), then waits
 * until main has closed the library, then exits: its state's clean-up runs after the dlclose. */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int closed, used, ready;

static void *use_then_wait(void *arg) {
    (void)arg;
    slots_obj o;
    const slots_type *t = NULL;
    if (fn.type_define("DlThread", "a: i64", NULL, 0, (slots_type **)&t) == SLOTS_OK && fn.new_record(t, &o) == SLOTS_OK)
        used = fn.free_record(o) == SLOTS_OK;
    (void)fn.errmsg();
    pthread_mutex_lock(&gate);
    ready = 1; /* done with the library: main may close it now */
    pthread_cond_broadcast(&gate_cv);
    while (!closed) pthread_cond_wait(&gate_cv, &gate);
    pthread_mutex_unlock(&gate);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s /path/to/libslots.so.1\n", argv[0]);
        return 2;
    }
    /* Nothing of libslots may be reachable before the dlopen: no link-time dependency. */
    void *self = dlopen(NULL, RTLD_NOW);
    check(self && dlsym(self, "slots_new") == NULL && dlsym(self, "slots_version") == NULL,
          "libslots is not linked in (slots_new is not in the program's scope)");

    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    check(lib != NULL, "dlopen");
    if (!lib) {
        printf("  %s\n", dlerror());
        printf("dlopen: %d passed, %d failed\n", passed, failed);
        return 1;
    }
    /* internal helpers must not be reachable */
    dlerror();
    check(dlsym(lib, "mem_alloc") == NULL && dlsym(lib, "err_set") == NULL, "internal symbols are hidden");

    if (load_all(lib)) {
        int v = fn.version_number();
        char what[128];
        snprintf(what, sizeof what, "version %d (%s) has the header's major %d", v, fn.version(), SLOTS_VERSION_MAJOR);
        check(v / 10000 == SLOTS_VERSION_MAJOR, what);
        test_records();
        test_store();
    }
    pthread_t th;
    int started = fn.type_define && pthread_create(&th, NULL, use_then_wait, NULL) == 0;
    pthread_mutex_lock(&gate);
    while (started && !ready) pthread_cond_wait(&gate_cv, &gate);
    pthread_mutex_unlock(&gate);
    check(dlclose(lib) == 0, "dlclose");
    if (started) {
        pthread_mutex_lock(&gate);
        closed = 1;
        pthread_cond_broadcast(&gate_cv);
        pthread_mutex_unlock(&gate);
        pthread_join(th, NULL);
    }
    check(started && used, "a thread that used the library exits after its dlclose (the library stays mapped)");
    if (self) dlclose(self);
    printf("dlopen: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
