/*
 * test_loaderrors.c — strict loads and the errors a load keeps: a JSON Lines or CSV row (and
 * slots_from_json) without a field that has no default is refused, SLOTS_LOAD_LENIENT leaves such
 * fields unset but never the key; the same on the multi-thread bulk path as on one thread; and the
 * structured errors (slots_load_error: line, column, offset, field, message) of failed and
 * skipping loads, their limit, and the text slots_store_load_errors() keeps giving.
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------------------------------ */
typedef int (*load_fn)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);

static slots_type *def(const char *fields, unsigned flags) {
    slots_type *t = NULL;
    int rc = slots_type_define(unique_name("Strict"), fields, NULL, flags, &t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define \"%s\": %d %s\n", fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    return t;
}

static slots_store *store_of(const slots_type *t) {
    slots_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    return s;
}

static size_t len_of(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

/* The record whose (integer) key is `key`. */
static slots_obj by_key(const slots_store *s, int64_t key) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_store_find_i64(s, key, &o), SLOTS_OK);
    return o;
}

/* The load fails with `code` and exactly the message `msg` (NULL: any); the store keeps its length. */
static void fails(load_fn load, slots_store *s, const char *text, unsigned flags, int code, const char *msg) {
    size_t before = len_of(s), loaded = 77;
    int rc = load(s, text, strlen(text), flags, &loaded, NULL);
    if (rc != code || (msg && strcmp(slots_errmsg(), msg) != 0))
        fprintf(stderr, "\n  load %.60s: want %d \"%s\", got %d \"%s\"\n", text, code, msg ? msg : "", rc, slots_errmsg());
    CU_ASSERT_EQUAL(rc, code);
    if (msg) CU_ASSERT_STRING_EQUAL(slots_errmsg(), msg);
    CU_ASSERT_EQUAL(loaded, 77);
    CU_ASSERT_EQUAL(len_of(s), before);
}

static void loads(load_fn load, slots_store *s, const char *text, unsigned flags, size_t want) {
    size_t loaded = 0;
    int rc = load(s, text, strlen(text), flags, &loaded, NULL);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  load %s: %d %s\n", text, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, want);
}

/* Entry i of the store's list is (line, column, offset, field, message), read both ways. */
static void entry_is(const slots_store *s, size_t i, size_t line, size_t column, size_t offset, const char *field,
                     const char *message) {
    const slots_load_error *list = NULL;
    size_t n = 0;
    ASSERT_OK(slots_store_load_error_list(s, &list, &n));
    CU_ASSERT_FATAL(i < n && list != NULL);
    const slots_load_error *e = &list[i];
    if (e->line != line || e->column != column || e->offset != offset || strcmp(e->field, field) != 0 ||
        strcmp(e->message, message) != 0)
        fprintf(stderr, "\n  error %zu: want %zu:%zu @%zu [%s] \"%s\", got %zu:%zu @%zu [%s] \"%s\"\n", i, line, column,
                offset, field, message, e->line, e->column, e->offset, e->field, e->message);
    CU_ASSERT_EQUAL(e->line, line);
    CU_ASSERT_EQUAL(e->column, column);
    CU_ASSERT_EQUAL(e->offset, offset);
    CU_ASSERT_STRING_EQUAL(e->field, field);
    CU_ASSERT_STRING_EQUAL(e->message, message);
    size_t l = 0, c = 0, o = 0;
    const char *f = NULL, *m = NULL;
    ASSERT_OK(slots_store_load_error_get(s, i, &l, &c, &o, &f, &m));
    CU_ASSERT_TRUE(l == line && c == column && o == offset && f && m && strcmp(f, field) == 0 &&
                   strcmp(m, message) == 0);
}

static size_t count_of(const slots_store *s) {
    size_t n = 99;
    ASSERT_OK(slots_store_load_error_list(s, NULL, &n));
    return n;
}

/* ---- strict and lenient rows -------------------------------------------------------------------- */
static void test_jsonl_strict(void) {
    slots_type *t = def("id: i64 key, name: str, price: f64 = 0, tag: str optional, note: str = 'n' optional", 0);
    slots_store *s = store_of(t);
    fails(slots_store_load_jsonl, s, "{\"id\": 1, \"name\": \"a\", \"tag\": null}\n{\"id\": 2, \"tag\": \"t\"}\n", 0,
          SLOTS_ETYPE, "line 2: missing field 'name'");
    fails(slots_store_load_jsonl, s, "{\"id\": 1, \"name\": \"a\"}\n", 0, SLOTS_ETYPE,
          "line 1: missing field 'tag'"); /* optional without a default: still required */
    fails(slots_store_load_jsonl, s, "\n{\"price\": 1}\n", 0, SLOTS_ETYPE, "line 2: missing 3 fields: 'id', 'name', and 'tag'");
    fails(slots_store_load_jsonl, s, "{\"id\": 3, \"price\": 1}\n", 0, SLOTS_ETYPE,
          "line 1: missing 2 fields: 'name' and 'tag'");
    /* every field given, or defaulted: loads; a null is a value */
    loads(slots_store_load_jsonl, s, "{\"id\": 1, \"name\": \"a\", \"tag\": null}\n", 0, 1);
    slots_obj o = by_key(s, 1);
    double price = -1;
    ASSERT_OK(slots_get_f64(o, 2, &price));
    CU_ASSERT_EQUAL(price, 0.0);
    CU_ASSERT_EQUAL(slots_is_set(o, 4), 1);
    slots_store_drop(s);
}

static void test_lenient_keeps_key_required(void) {
    slots_type *t = def("id: i64 key, name: str, tag: str optional", 0);
    slots_store *s = store_of(t);
    loads(slots_store_load_jsonl, s, "{\"id\": 5}\n", SLOTS_LOAD_LENIENT, 1);
    slots_obj o = by_key(s, 5);
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0); /* left unset, as before */
    CU_ASSERT_EQUAL(slots_is_set(o, 2), 0);
    /* the key: always */
    fails(slots_store_load_jsonl, s, "{\"id\": 6}\n{\"name\": \"x\"}\n", SLOTS_LOAD_LENIENT, SLOTS_ETYPE,
          "line 2: missing field 'id'");
    fails(slots_store_load_csv, s, "name\nx\n", SLOTS_LOAD_LENIENT, SLOTS_ETYPE, "line 2: missing field 'id'");
    fails(slots_store_load_csv, s, "id,name\n,x\n", SLOTS_LOAD_LENIENT, SLOTS_ETYPE, "line 2: missing field 'id'");
    /* with skipping, a keyless row is one more bad row */
    size_t loaded = 0, skipped = 0;
    const char *rows = "{\"name\": \"x\"}\n{\"id\": 7}\n";
    ASSERT_OK(slots_store_load_jsonl(s, rows, strlen(rows),
                                     SLOTS_LOAD_LENIENT | SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 1);
    CU_ASSERT_EQUAL(skipped, 1);
    entry_is(s, 0, 1, 0, 0, "id", "missing field 'id'");
    /* a type without a key: lenient takes an empty object */
    slots_type *free_form = def("a: i64, b: str", 0);
    slots_store *f = store_of(free_form);
    loads(slots_store_load_jsonl, f, "{}\n", SLOTS_LOAD_LENIENT, 1);
    fails(slots_store_load_jsonl, f, "{}\n", 0, SLOTS_ETYPE, "line 1: missing 2 fields: 'a' and 'b'");
    ASSERT_STATUS(slots_store_load_jsonl(f, "{}", 2, 0x4, NULL, NULL), SLOTS_EINVAL);
    slots_store_drop(s);
    slots_store_drop(f);
}

static void test_csv_strict(void) {
    slots_type *t = def("id: i64 key, name: str, price: f64 = 1.5, tag: str optional", 0);
    slots_store *s = store_of(t);
    /* a column missing from the header, an empty cell of a required field */
    fails(slots_store_load_csv, s, "id,name\n1,a\n", 0, SLOTS_ETYPE, "line 2: missing field 'tag'");
    fails(slots_store_load_csv, s, "id,name,tag\n1,a,\n2,,x\n", 0, SLOTS_ETYPE, "line 3: missing field 'name'");
    /* an empty optional cell is null (a value); a defaulted column may be left out */
    loads(slots_store_load_csv, s, "id,name,tag\n1,a,\n", 0, 1);
    loads(slots_store_load_csv, s, "id,name\n2,b\n", SLOTS_LOAD_LENIENT, 1);
    CU_ASSERT_EQUAL(slots_is_set(by_key(s, 2), 3), 0);
    slots_store_drop(s);
}

static void test_from_json_strict(void) {
    slots_type *t = def("id: i64 key, name: str, n: i64 = 3, o: f64 optional", 0);
    slots_obj o = 0x55;
    size_t before = 0, after = 0;
    ASSERT_OK(slots_type_count(t, &before));
    ASSERT_STATUS(slots_from_json(t, "{\"id\": 5}", 9, &o), SLOTS_ETYPE);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "missing 2 fields: 'name' and 'o'");
    ASSERT_STATUS(slots_from_json(t, "{\"id\": 5, \"o\": null}", 20, &o), SLOTS_ETYPE);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "missing field 'name'");
    CU_ASSERT_EQUAL(o, 0x55);
    ASSERT_OK(slots_type_count(t, &after));
    CU_ASSERT_EQUAL(after, before); /* nothing made */
    ASSERT_STATUS(slots_from_json_flags(t, "{\"name\": \"x\"}", 13, SLOTS_LOAD_LENIENT, &o), SLOTS_ETYPE);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "missing field 'id'");
    ASSERT_STATUS(slots_from_json_flags(t, "{}", 2, SLOTS_LOAD_SKIP_BAD, &o), SLOTS_EINVAL);
    ASSERT_OK(slots_from_json_flags(t, "{\"id\": 5}", 9, SLOTS_LOAD_LENIENT, &o));
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0);
    int64_t n = 0;
    ASSERT_OK(slots_get_i64(o, 2, &n));
    CU_ASSERT_EQUAL(n, 3);
    ASSERT_OK(slots_free(o));
    ASSERT_OK(slots_from_json(t, "{\"id\": 5, \"name\": \"x\", \"o\": 1.5}", 32, &o));
    ASSERT_OK(slots_free(o));
}

/* ---- the bulk path: several threads, the same error --------------------------------------------- */
typedef struct buffer {
    char *p;
    size_t len, cap;
} buffer;

static void put(buffer *t, const char *s) {
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t->p);
    }
    memcpy(t->p + t->len, s, n + 1);
    t->len += n;
}

#define BIG_ROWS 80000 /* more than 3 MiB of either format: several chunks */

/* Rows 1..BIG_ROWS of products; row `bad` (its line is bad + csv) is `bad_row` instead, a format
 * that takes the row's number twice. */
static buffer big_text(bool csv, size_t bad, const char *bad_row) {
    buffer t = {0};
    char row[128];
    if (csv) put(&t, "id,name,price\n");
    for (size_t i = 1; i <= BIG_ROWS; i++) {
        const char *good = csv ? "%zu,product number %zu of the catalogue,%zu.5\n"
                               : "{\"id\": %zu, \"name\": \"product number %zu\", \"price\": %zu.5}\n";
        snprintf(row, sizeof row, i == bad ? bad_row : good, i, i, i);
        put(&t, row);
    }
    return t;
}

static void bulk_case(bool csv) {
    load_fn load = csv ? slots_store_load_csv : slots_store_load_jsonl;
    slots_type *t = def("id: i64 key, name: str, price: f64", 0);
    size_t bad = BIG_ROWS - 17, line = bad + (csv ? 1 : 0);
    buffer x = big_text(csv, bad, csv ? "%zu,,%zu.5\n" : "{\"id\": %zu, \"price\": %zu.5}\n");
    CU_ASSERT_TRUE(x.len > (3u << 20));
    char want[64];
    snprintf(want, sizeof want, "line %zu: missing field 'name'", line);
    const char *start = x.p;
    for (size_t l = 1; l < line; l++) start = strchr(start, '\n') + 1;
    slots_store *s4 = store_of(t), *s1 = store_of(t);
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    fails(load, s4, x.p, 0, SLOTS_ETYPE, want);
    entry_is(s4, 0, line, 0, (size_t)(start - x.p), "name", "missing field 'name'");
    setenv("SLOTS_LOAD_THREADS", "1", 1);
    fails(load, s1, x.p, 0, SLOTS_ETYPE, want);
    entry_is(s1, 0, line, 0, (size_t)(start - x.p), "name", "missing field 'name'");
    /* lenient: every row, on four threads, the bad row's name unset */
    setenv("SLOTS_LOAD_THREADS", "4", 1);
    loads(load, s4, x.p, SLOTS_LOAD_LENIENT, BIG_ROWS);
    CU_ASSERT_EQUAL(count_of(s4), 0);
    slots_obj o = 0;
    ASSERT_OK(slots_store_find_i64(s4, (int64_t)bad, &o));
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0);
    ASSERT_OK(slots_store_find_i64(s4, (int64_t)bad + 1, &o));
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 1);
    /* a key missing late in the text: refused on four threads even when lenient */
    slots_store *k = store_of(t);
    buffer nokey = big_text(csv, bad, csv ? ",n%zu,%zu.5\n" : "{\"name\": \"n%zu\", \"price\": %zu.5}\n");
    snprintf(want, sizeof want, "line %zu: missing field 'id'", line);
    fails(load, k, nokey.p, SLOTS_LOAD_LENIENT, SLOTS_ETYPE, want);
    entry_is(k, 0, line, 0, (size_t)(start - x.p), "id", "missing field 'id'");
    setenv("SLOTS_LOAD_THREADS", "1", 1);
    fails(load, k, nokey.p, SLOTS_LOAD_LENIENT, SLOTS_ETYPE, want);
    free(nokey.p);
    unsetenv("SLOTS_LOAD_THREADS");
    free(x.p);
    slots_store_drop(s4);
    slots_store_drop(s1);
    slots_store_drop(k);
}

static void test_bulk_jsonl(void) { bulk_case(false); }
static void test_bulk_csv(void) { bulk_case(true); }

/* ---- structured errors --------------------------------------------------------------------------- */
static void test_jsonl_positions(void) {
    slots_type *t = def("id: i64 key, name: str, price: f64 = 0", 0);
    slots_store *s = store_of(t);
    const char *l1 = "{\"id\": 1, \"name\": \"a\"}\n";
    size_t o2 = strlen(l1);
    char text[256];
    /* a syntax error: the byte it is at (column as JSONDecodeError.colno) */
    snprintf(text, sizeof text, "%s{\"id\": 2, \"name\": x}\n", l1);
    fails(slots_store_load_jsonl, s, text, 0, SLOTS_EPARSE, "line 2: Expecting value: line 1 column 19 (char 18)");
    entry_is(s, 0, 2, 19, o2 + 18, "name", "Expecting value: line 1 column 19 (char 18)");
    CU_ASSERT_STRING_EQUAL(slots_store_load_errors(s), "line 2: Expecting value: line 1 column 19 (char 18)\n");
    /* a value of the wrong kind: where the value starts */
    snprintf(text, sizeof text, "%s{\"id\": \"2\", \"name\": \"b\"}\n", l1);
    fails(slots_store_load_jsonl, s, text, 0, SLOTS_ETYPE, NULL);
    entry_is(s, 0, 2, 8, o2 + 7, "id", strchr(slots_errmsg(), ':') + 2);
    /* an unknown key: where the key starts */
    snprintf(text, sizeof text, "%s{\"id\": 2, \"colour\": 1}\n", l1);
    fails(slots_store_load_jsonl, s, text, 0, SLOTS_ENOATTR, NULL);
    entry_is(s, 0, 2, 11, o2 + 10, "colour", strchr(slots_errmsg(), ':') + 2);
    /* a duplicate key, a missing field: the row's start, column 0 */
    loads(slots_store_load_jsonl, s, l1, 0, 1);
    fails(slots_store_load_jsonl, s, "\n\n{\"id\": 1, \"name\": \"b\"}\n", 0, SLOTS_EEXIST, NULL);
    entry_is(s, 0, 3, 0, 2, "id", strchr(slots_errmsg(), ':') + 2);
    fails(slots_store_load_jsonl, s, "{\"id\": 9}", 0, SLOTS_ETYPE, "line 1: missing field 'name'");
    entry_is(s, 0, 1, 0, 0, "name", "missing field 'name'");
    /* an error not about a row: line 0, no "line N: " */
    ASSERT_STATUS(slots_store_load_jsonl(s, NULL, 3, 0, NULL, NULL), SLOTS_EINVAL);
    entry_is(s, 0, 0, 0, 0, "", slots_errmsg());
    CU_ASSERT_EQUAL(strncmp(slots_store_load_errors(s), "line", 4) != 0, 1);
    /* a successful load empties the list */
    loads(slots_store_load_jsonl, s, "{\"id\": 10, \"name\": \"x\"}", 0, 1);
    CU_ASSERT_EQUAL(count_of(s), 0);
    CU_ASSERT_STRING_EQUAL(slots_store_load_errors(s), "");
    ASSERT_STATUS(slots_store_load_error_get(s, 0, NULL, NULL, NULL, NULL, NULL), SLOTS_EINDEX);
    slots_store_drop(s);
}

static void test_csv_positions(void) {
    slots_type *t = def("id: i64 key, name: str, price: f64", 0);
    slots_store *s = store_of(t);
    const char *text = "id,name,price\n1,a,1\n2,\"b\nc\",oops\n";
    fails(slots_store_load_csv, s, text, 0, SLOTS_EPARSE, NULL);
    entry_is(s, 0, 3, 3, (size_t)(strstr(text, "oops") - text), "price", strchr(slots_errmsg(), ':') + 2);
    /* the header: its line, the column of the bad name */
    text = "\nid,colour\n1,red\n";
    fails(slots_store_load_csv, s, text, 0, SLOTS_ENOATTR, NULL);
    entry_is(s, 0, 2, 2, 4, "colour", strchr(slots_errmsg(), ':') + 2);
    /* a syntax error: its cell */
    text = "id,name,price\n1,\"a\"x,1\n";
    fails(slots_store_load_csv, s, text, 0, SLOTS_EPARSE, "line 2: text after the closing quote of cell 2");
    entry_is(s, 0, 2, 2, 16, "", "text after the closing quote of cell 2");
    /* wrong cell count, missing field, duplicate key: the row */
    text = "id,name,price\n1,a\n";
    fails(slots_store_load_csv, s, text, 0, SLOTS_EPARSE, "line 2: expected 3 cells, got 2");
    entry_is(s, 0, 2, 0, 14, "", "expected 3 cells, got 2");
    text = "id,name,price\r\n1,a,2\r\n1,b,3\r\n";
    fails(slots_store_load_csv, s, text, 0, SLOTS_EEXIST, NULL);
    entry_is(s, 0, 3, 0, 22, "id", strchr(slots_errmsg(), ':') + 2);
    slots_store_drop(s);
}

static void test_skip_list_and_limit(void) {
    slots_type *t = def("id: i64, name: str", 0);
    slots_store *s = store_of(t);
    char text[2048] = "id,name\n";
    for (int i = 0; i < 15; i++) strcat(text, i % 2 ? "x,row\n" : "3,\n");
    strcat(text, "7,ok\n");
    size_t loaded = 0, skipped = 0;
    ASSERT_OK(slots_store_load_csv(s, text, strlen(text), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 1);
    CU_ASSERT_EQUAL(skipped, 15);
    CU_ASSERT_EQUAL(count_of(s), 10); /* the default */
    entry_is(s, 0, 2, 0, 8, "name", "missing field 'name'");
    const slots_load_error *list = NULL;
    ASSERT_OK(slots_store_load_error_list(s, &list, NULL));
    CU_ASSERT_EQUAL(list[1].line, 3);
    CU_ASSERT_EQUAL(list[1].column, 1);
    CU_ASSERT_STRING_EQUAL(list[1].field, "id");
    CU_ASSERT_EQUAL(list[9].line, 11);
    /* the text: the same entries, "line N: message" each */
    const char *errs = slots_store_load_errors(s);
    size_t lines = 0;
    for (const char *p = errs; *p; p++) lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 10);
    CU_ASSERT_EQUAL(strncmp(errs, "line 2: missing field 'name'\nline 3: ", 37), 0);
    /* a limit of 3, then 0, then many: the count of skipped rows never changes */
    ASSERT_OK(slots_store_set_load_error_limit(s, 3));
    ASSERT_OK(slots_store_load_csv(s, text, strlen(text), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(skipped, 15);
    CU_ASSERT_EQUAL(count_of(s), 3);
    entry_is(s, 2, 4, 0, 17, "name", "missing field 'name'");
    ASSERT_OK(slots_store_set_load_error_limit(s, 0));
    ASSERT_OK(slots_store_load_csv(s, text, strlen(text), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(skipped, 15);
    CU_ASSERT_EQUAL(count_of(s), 0);
    CU_ASSERT_STRING_EQUAL(slots_store_load_errors(s), "");
    ASSERT_OK(slots_store_set_load_error_limit(s, 1000));
    ASSERT_OK(slots_store_load_csv(s, text, strlen(text), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(count_of(s), 15);
    entry_is(s, 14, 16, 0, strlen(text) - 8, "name", "missing field 'name'");
    /* a failed load: its one error, with or without skipping (a header error stops both) */
    ASSERT_STATUS(slots_store_load_csv(s, "id,nope\n", 8, SLOTS_LOAD_SKIP_BAD, NULL, NULL), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(count_of(s), 1);
    entry_is(s, 0, 1, 2, 3, "nope", strchr(slots_errmsg(), ':') + 2);
    /* bad arguments and stores */
    ASSERT_STATUS(slots_store_load_error_list(NULL, NULL, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_set_load_error_limit(NULL, 1), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_load_error_get(s, 1, NULL, NULL, NULL, NULL, NULL), SLOTS_EINDEX);
    slots_store_drop(s);
    ASSERT_STATUS(slots_store_load_error_list(s, NULL, NULL), SLOTS_ESTALE);
}

/* No message names a Python exception: the bindings raise the exception, the text is its message. */
static void test_no_exception_names(void) {
    slots_type *t = def("id: i64 key, name: str", 0);
    slots_store *s = store_of(t);
    slots_obj o;
    static const char *names[] = {"KeyError", "TypeError", "ValueError", "AttributeError", "IndexError", "OSError"};
    ASSERT_STATUS(slots_store_find_i64(s, 99, &o), SLOTS_ENOKEY);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) CU_ASSERT_PTR_NULL(strstr(slots_errmsg(), names[i]));
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "99");
    ASSERT_STATUS(slots_store_find_str(s, "k", 1, &o), SLOTS_ETYPE);
    slots_type *ks = def("k: str key", 0);
    slots_store *s2 = store_of(ks);
    ASSERT_STATUS(slots_store_find_str(s2, "abc", 3, &o), SLOTS_ENOKEY);
    CU_ASSERT_STRING_EQUAL(slots_errmsg(), "'abc'");
    slots_store_drop(s);
    slots_store_drop(s2);
}

static CU_TestInfo tests[] = {
    {"JSON Lines rows are strict", test_jsonl_strict},
    {"lenient loads still need the key", test_lenient_keeps_key_required},
    {"CSV rows are strict", test_csv_strict},
    {"from_json is strict; from_json_flags", test_from_json_strict},
    {"bulk JSON Lines: four threads, one thread, same error", test_bulk_jsonl},
    {"bulk CSV: four threads, one thread, same error", test_bulk_csv},
    {"JSON Lines error positions", test_jsonl_positions},
    {"CSV error positions", test_csv_positions},
    {"skipping loads keep N errors", test_skip_list_and_limit},
    {"no Python exception names in messages", test_no_exception_names},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("loaderrors", tests); }
