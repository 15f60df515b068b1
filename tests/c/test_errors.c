/*
 * test_errors.c — version queries and the error machinery: slots_strerror for every code and
 * unknown ones, slots_errcode/slots_errmsg after each kind of failure, that successes leave them,
 * and that they are per thread.
 */
#include "harness.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>

static slots_type *def_named(const char *name, const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(name, fields, NULL, flags, &t);
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_version(void) {
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", SLOTS_VERSION_MAJOR, SLOTS_VERSION_MINOR, SLOTS_VERSION_PATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(slots_version());
    CU_ASSERT_STRING_EQUAL(slots_version(), want);
    CU_ASSERT_EQUAL(slots_version_number(), SLOTS_VERSION_NUMBER);
    CU_ASSERT_EQUAL(slots_version_number() / 10000, SLOTS_VERSION_MAJOR);
}

static void test_strerror(void) {
    static const struct {
        int code;
        const char *name;
    } codes[] = {
        {SLOTS_OK, "SLOTS_OK"},           {SLOTS_NULL, "SLOTS_NULL"},         {SLOTS_ENOATTR, "SLOTS_ENOATTR"},
        {SLOTS_EUNSET, "SLOTS_EUNSET"},   {SLOTS_ETYPE, "SLOTS_ETYPE"},       {SLOTS_ERANGE, "SLOTS_ERANGE"},
        {SLOTS_EREADONLY, "SLOTS_EREADONLY"}, {SLOTS_ESTALE, "SLOTS_ESTALE"}, {SLOTS_EINVAL, "SLOTS_EINVAL"},
        {SLOTS_ELAYOUT, "SLOTS_ELAYOUT"}, {SLOTS_ENOMEM, "SLOTS_ENOMEM"},     {SLOTS_EPARSE, "SLOTS_EPARSE"},
        {SLOTS_EEXIST, "SLOTS_EEXIST"},   {SLOTS_ENOKEY, "SLOTS_ENOKEY"},     {SLOTS_EINDEX, "SLOTS_EINDEX"},
        {SLOTS_EIO, "SLOTS_EIO"},         {SLOTS_EBUSY, "SLOTS_EBUSY"},       {SLOTS_ECANCELED, "SLOTS_ECANCELED"},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = slots_strerror(codes[i].code);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        if (strcmp(s, codes[i].name) != 0) fprintf(stderr, "\n  strerror(%d) = %s\n", codes[i].code, s);
        CU_ASSERT_STRING_EQUAL(s, codes[i].name);
    }
    int unknown[] = {2, 3, -99, 100, -100, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = slots_strerror(unknown[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s, "SLOTS_UNKNOWN");
    }
    /* strerror is a pure lookup: it does not touch the thread's last error */
    CU_ASSERT_PTR_NULL(slots_type_find("Errors_NoSuchType"));
    (void)slots_strerror(SLOTS_EIO);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
}

static void *fresh_thread(void *arg) {
    int *ok = arg;
    *ok = slots_errcode() == SLOTS_OK && slots_errmsg() != NULL && slots_errmsg()[0] == '\0';
    return NULL;
}

static void test_fresh_thread_has_no_error(void) {
    /* make sure this thread has an error, then look from a new one */
    CU_ASSERT_PTR_NULL(slots_type_find("Errors_NoSuchType"));
    int ok = 0;
    pthread_t th;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, fresh_thread, &ok), 0);
    pthread_join(th, NULL);
    CU_ASSERT_TRUE(ok);
}

/* After `rc` from a failing call: the code matches, and the message is not empty. */
static void check_failure(int rc, int want) {
    CU_ASSERT_EQUAL(rc, want);
    CU_ASSERT_EQUAL(slots_errcode(), want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(slots_errmsg());
    CU_ASSERT_NOT_EQUAL(slots_errmsg()[0], '\0');
}

static void test_every_code_sets_code_and_message(void) {
    slots_type *t = def_named("Product", "id: i64, name: str, price: f64, small: u8, ro: i64 readonly", 0);
    slots_type *d = def_named(unique_name("Dyn"), "id: i64", SLOTS_DYNAMIC);
    slots_type *out = NULL;
    slots_obj o = 0, e = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_OK(slots_new(d, &e));
    double f = 0;
    const char *name = NULL;

    check_failure(slots_field_index(t, "age"), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'age'");
    check_failure(slots_get_f64(o, 2, &f), SLOTS_EUNSET);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'Product' object has no attribute 'price'");
    check_failure(slots_set_str(o, 0, "x", 1), SLOTS_ETYPE);
    check_failure(slots_set_i64(o, 3, 300), SLOTS_ERANGE);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "value 300 out of range for field 'small' (u8)");
    ASSERT_OK(slots_set_i64(o, 4, 1));
    check_failure(slots_set_i64(o, 4, 2), SLOTS_EREADONLY);
    check_failure(slots_get_f64(0, 2, &f), SLOTS_ESTALE);
    check_failure(slots_set_str(o, 1, "\xff", 1), SLOTS_EINVAL);
    check_failure(slots_type_define(unique_name("Bad"), "a: i64, a: i64", NULL, 0, &out), SLOTS_ELAYOUT);
    check_failure(slots_type_define(unique_name("Bad"), "a i64", NULL, 0, &out), SLOTS_EPARSE);
    check_failure(slots_extra_name(e, 0, &name), SLOTS_EINDEX);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NULL(name);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(e));
}

static void test_success_keeps_last_error(void) {
    slots_type *t = def_named("Product", "id: i64, name: str", 0);
    slots_obj o = 0;
    ASSERT_OK(slots_new(t, &o));
    ASSERT_STATUS(slots_field_index(t, "age"), SLOTS_ENOATTR);
    const char *msg = slots_errmsg();
    char copy[256];
    snprintf(copy, sizeof copy, "%s", msg);
    /* successes of every sort leave the code and the message (and its buffer) alone */
    ASSERT_OK(slots_set_i64(o, 0, 1));
    int64_t v = 0;
    ASSERT_OK(slots_get_i64(o, 0, &v));
    CU_ASSERT_EQUAL(slots_field_index(t, "name"), 1);
    CU_ASSERT_PTR_NOT_NULL(slots_type_find("Product"));
    slots_type *u = NULL;
    ASSERT_OK(slots_type_define(unique_name("Ok"), "a: i64", NULL, 0, &u));
    slots_obj c = 0;
    ASSERT_OK(slots_copy(o, &c));
    ASSERT_OK(slots_free(c));
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), copy);
    CU_ASSERT_STRING_EQUAL(msg, copy);
    /* SLOTS_NULL is not an error either */
    slots_type *n = def_named(unique_name("N"), "a: i64 optional", 0);
    slots_obj x = 0;
    ASSERT_OK(slots_new(n, &x));
    ASSERT_OK(slots_set_null(x, 0));
    ASSERT_STATUS(slots_get_i64(x, 0, &v), SLOTS_NULL);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), copy);
    /* the next failure replaces both */
    ASSERT_STATUS(slots_get_i64(0, 0, &v), SLOTS_ESTALE);
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ESTALE);
    CU_ASSERT_STRING_NOT_EQUAL(slots_errmsg(), copy);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_free(x));
}

/* ---- per-thread -------------------------------------------------------------------------------- */

typedef struct {
    const slots_type *t;
    int which; /* 0: ENOATTR on 'age'; 1: ERANGE on 'small' */
    int iterations;
    int wrong;
    char first_seen[128];
} err_job;

static void *error_worker(void *arg) {
    err_job *j = arg;
    snprintf(j->first_seen, sizeof j->first_seen, "%s", slots_errmsg());
    slots_obj o = 0;
    if (slots_new(j->t, &o) != SLOTS_OK) {
        j->wrong = -1;
        return NULL;
    }
    for (int i = 0; i < j->iterations; i++) {
        if (j->which == 0) {
            if (slots_field_index(j->t, "age") != SLOTS_ENOATTR) j->wrong++;
            if (slots_errcode() != SLOTS_ENOATTR || !strstr(slots_errmsg(), "'age'")) j->wrong++;
        } else {
            if (slots_set_i64(o, 1, 300 + i % 5) != SLOTS_ERANGE) j->wrong++;
            if (slots_errcode() != SLOTS_ERANGE || !strstr(slots_errmsg(), "out of range")) j->wrong++;
        }
    }
    slots_free(o);
    return NULL;
}

static void test_errors_are_per_thread(void) {
    slots_type *t = def_named("Product", "id: i64, small: u8", 0);
    /* this thread's error */
    ASSERT_STATUS(slots_field_index(t, "mine"), SLOTS_ENOATTR);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", slots_errmsg());

    err_job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].t = t;
        jobs[i].which = i % 2;
        jobs[i].iterations = 20000;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, error_worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(jobs[i].wrong, 0);
        CU_ASSERT_STRING_EQUAL(jobs[i].first_seen, ""); /* a new thread does not see this one's message */
    }
    /* and this thread's message survived the others' failures */
    CU_ASSERT_EQUAL(slots_errcode(), SLOTS_ENOATTR);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), mine);
    CU_ASSERT_STRING_EQUAL(mine, "'Product' object has no attribute 'mine'");
}

static CU_TestInfo tests[] = {
    {"version", test_version},
    {"strerror", test_strerror},
    {"fresh thread has no error", test_fresh_thread_has_no_error},
    {"every code sets code and message", test_every_code_sets_code_and_message},
    {"success keeps the last error", test_success_keeps_last_error},
    {"errors are per thread", test_errors_are_per_thread},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("errors", tests); }
