/*
 * test_bulk.c — JSON Lines and CSV loads big enough to be cut into chunks and decoded on several
 * threads (bulk.c): the records, their order and the key index are those of a one-thread load; the
 * error is the first bad line of the whole text, a duplicate key included, wherever the chunks
 * fall (inside a quoted CSV cell too); a failed load leaves the store as it was, and the store
 * keeps working after it.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#define LINES 60000      /* about 3 MiB of JSON Lines: three or four chunks */
#define CSV_ROWS 150000 /* about 4.5 MiB of CSV */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *line) {
    size_t n = strlen(line);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t->p);
    }
    memcpy(t->p + t->len, line, n + 1);
    t->len += n;
}

/* Line i (1-based) of the standard text: a product with id i, or a blank line every 997 lines
 * and at line 2. `bad` replaces line bad_at with its text. */
static text products(size_t lines, size_t bad_at, const char *bad) {
    text t = {0};
    char line[128];
    for (size_t i = 1; i <= lines; i++) {
        if (i == bad_at) snprintf(line, sizeof line, "%s\n", bad);
        else if (i == 2 || i % 997 == 0) snprintf(line, sizeof line, i % 2 ? "\n" : "  \t\r\n");
        else snprintf(line, sizeof line, "{\"id\": %zu, \"name\": \"product-%zu\", \"price\": %zu.25}\n", i, i, i % 1000);
        put(&t, line);
    }
    return t;
}

static size_t product_rows(size_t lines) { return lines - 1 - lines / 997; }

static slots_store *product_store(slots_type **type) {
    slots_type *t;
    slots_store *s;
    CU_ASSERT_EQUAL_FATAL(slots_type_define(unique_name("BulkProduct"), "id: i64 key, name: str, price: f64", NULL, 0, &t),
                          SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(t, &s), SLOTS_OK);
    if (type) *type = t;
    return s;
}

static void threads(const char *n) { setenv("SLOTS_LOAD_THREADS", n, 1); }

static size_t len_of(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

static char *dump(const slots_store *s) {
    const char *out;
    size_t n;
    if (slots_store_dump_jsonl(s, &out, &n) != SLOTS_OK) return NULL;
    char *copy = malloc(n + 1);
    if (copy) memcpy(copy, out, n + 1);
    return copy;
}

static int64_t id_at(slots_store *s, size_t i) {
    slots_obj o;
    int64_t id = -1;
    ASSERT_OK(slots_store_at(s, i, &o));
    ASSERT_OK(slots_get_i64(o, 0, &id));
    return id;
}

/* Loads `t` and expects failure `code` with `msg` in the message, and the store as it was. */
static void load_fails(slots_store *s, const text *t, int code, const char *msg) {
    size_t before = len_of(s), loaded = 12345;
    char *was = dump(s);
    ASSERT_STATUS(slots_store_load_jsonl(s, t->p, t->len, 0, &loaded, NULL), code);
    if (!errmsg_has(msg)) fprintf(stderr, "\n  want \"%s\" in \"%s\"\n", msg, slots_errmsg());
    ASSERT_MSG(msg);
    CU_ASSERT_EQUAL(loaded, 12345); /* untouched on failure */
    CU_ASSERT_EQUAL(len_of(s), before);
    char *now = dump(s);
    CU_ASSERT_TRUE(was && now && strcmp(was, now) == 0);
    free(was);
    free(now);
}

static void test_threads_match_one_thread(void) {
    text t = products(LINES, 0, NULL);
    slots_store *many = product_store(NULL), *one = product_store(NULL);
    size_t loaded = 0;
    threads("4");
    ASSERT_OK(slots_store_load_jsonl(many, t.p, t.len, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, product_rows(LINES));
    threads("1");
    ASSERT_OK(slots_store_load_jsonl(one, t.p, t.len, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, product_rows(LINES));
    char *a = dump(many), *b = dump(one);
    CU_ASSERT_TRUE(a && b && strcmp(a, b) == 0); /* same records in the same order */
    free(a);
    free(b);
    CU_ASSERT_EQUAL(id_at(many, 0), 1);
    CU_ASSERT_EQUAL(id_at(many, len_of(many) - 1), LINES);
    for (int64_t id = 3; id <= LINES; id += 331) { /* every key found, and it is the right record */
        slots_obj o;
        int64_t got = 0;
        int rc = slots_store_find_i64(many, id, &o);
        if (id % 997 == 0) {
            ASSERT_STATUS(rc, SLOTS_ENOATTR);
            continue;
        }
        ASSERT_OK(rc);
        ASSERT_OK(slots_get_i64(o, 0, &got));
        CU_ASSERT_EQUAL(got, id);
    }
    free(t.p);
    slots_store_drop(many);
    slots_store_drop(one);
}

static void test_first_bad_line_wins(void) {
    slots_store *s = product_store(NULL);
    threads("4");
    ASSERT_OK(slots_store_load_jsonl(s, "{\"id\": -1, \"name\": \"kept\", \"price\": 1}\n", 39, 0, NULL, NULL));
    /* one bad line near the end, in the last chunk */
    text late = products(LINES, LINES - 10, "{\"id\": 0, \"name\": 5}");
    load_fails(s, &late, SLOTS_ETYPE, "line 59990: ");
    /* two bad lines in different chunks: the earlier one is reported */
    text two = products(LINES, 45000, "{\"id\": 0, \"price\": }");
    two.p[strstr(two.p, "\"id\": 10001,") - two.p + 1] = 'X'; /* line 10001: an unknown field "Xd" */
    load_fails(s, &two, SLOTS_ENOATTR, "line 10001: 'BulkProduct");
    free(late.p);
    free(two.p);
    slots_store_drop(s);
}

static void test_duplicates_across_chunks(void) {
    slots_store *s = product_store(NULL);
    threads("4");
    /* line 50000 repeats the id of line 5, from another chunk */
    text dup = products(LINES, 50000, "{\"id\": 5, \"name\": \"again\", \"price\": 0}");
    load_fails(s, &dup, SLOTS_EEXIST, "line 50000: duplicate key 5 for ");
    /* a duplicate before a syntax error is the one reported, and the other way round */
    text dup_first = products(LINES, 50000, "{\"id\": 5, \"name\": \"again\", \"price\": 0}");
    memcpy(strstr(dup_first.p, "{\"id\": 55001,"), "{\"id\": 55001]", 13);
    load_fails(s, &dup_first, SLOTS_EEXIST, "line 50000: duplicate key 5 ");
    text parse_first = products(LINES, 50000, "{\"id\": 5, \"name\": \"again\", \"price\": 0}");
    memcpy(strstr(parse_first.p, "{\"id\": 20001,"), "{\"id\": 20001]", 13);
    load_fails(s, &parse_first, SLOTS_EPARSE, "line 20001: ");
    /* a key the store already holds */
    ASSERT_OK(slots_store_load_jsonl(s, "{\"id\": 40000, \"name\": \"old\", \"price\": 1}\n", 41, 0, NULL, NULL));
    text clash = products(LINES, 0, NULL);
    load_fails(s, &clash, SLOTS_EEXIST, "line 40000: duplicate key 40000 ");
    free(dup.p);
    free(dup_first.p);
    free(parse_first.p);
    free(clash.p);
    slots_store_drop(s);
}

static void test_store_works_after_failure(void) {
    slots_store *s = product_store(NULL);
    threads("4");
    slots_obj keep[100];
    for (int i = 0; i < 100; i++) { /* 100 records, then every other one removed: holes */
        ASSERT_OK(slots_store_append(s, &keep[i]));
        ASSERT_OK(slots_set_i64(keep[i], 0, -1 - i));
        ASSERT_OK(slots_set_str(keep[i], 1, "p", 1));
        ASSERT_OK(slots_set_f64(keep[i], 2, 1.0));
    }
    for (int i = 0; i < 100; i += 2) ASSERT_OK(slots_store_remove(s, keep[i]));
    text bad = products(LINES, LINES - 1, "nope");
    load_fails(s, &bad, SLOTS_EPARSE, "line 59999: Expecting object");
    text good = products(LINES, 0, NULL);
    size_t loaded = 0;
    ASSERT_OK(slots_store_load_jsonl(s, good.p, good.len, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, product_rows(LINES));
    CU_ASSERT_EQUAL(len_of(s), 50 + product_rows(LINES));
    CU_ASSERT_EQUAL(id_at(s, 0), -2);
    CU_ASSERT_EQUAL(id_at(s, 50), 1); /* the loaded rows follow, in file order */
    CU_ASSERT_EQUAL(id_at(s, len_of(s) - 1), LINES);
    int64_t id = 0;
    ASSERT_OK(slots_get_i64(keep[1], 0, &id));
    CU_ASSERT_EQUAL(id, -2);
    free(bad.p);
    free(good.p);
    slots_store_drop(s);
}

static void test_extras_type_keeps_one_thread(void) {
    /* Extras live in one map per store: a dynamic type decodes on the caller's thread. */
    slots_type *t;
    slots_store *s;
    ASSERT_OK(slots_type_define(unique_name("BulkDyn"), "id: i64 key, name: str, price: f64", NULL, SLOTS_DYNAMIC, &t));
    ASSERT_OK(slots_store_new(t, &s));
    threads("4");
    text good = products(LINES, 0, NULL);
    size_t loaded = 0;
    ASSERT_OK(slots_store_load_jsonl(s, good.p, good.len, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, product_rows(LINES));
    free(good.p);
    slots_store_drop(s);
}

static void test_thread_variable(void) {
    /* any value of SLOTS_LOAD_THREADS loads the same: nonsense means one thread, many means 8 */
    const char *values[] = {"-1", "0", "abc", "", "2", "1000"};
    text good = products(LINES, 0, NULL);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        slots_store *s = product_store(NULL);
        size_t loaded = 0;
        threads(values[i]);
        ASSERT_OK(slots_store_load_jsonl(s, good.p, good.len, 0, &loaded, NULL));
        CU_ASSERT_EQUAL(loaded, product_rows(LINES));
        CU_ASSERT_EQUAL(id_at(s, loaded - 1), LINES);
        slots_store_drop(s);
    }
    free(good.p);
}

/* ---- CSV: every outcome compared with the same load on one thread ---------------------------- */
typedef int (*load_fn)(slots_store *, const char *, size_t, unsigned, size_t *, size_t *);

typedef struct outcome {
    int rc;
    size_t loaded;
    char msg[512];
    char *dump;
} outcome;

static outcome load_with(const slots_type *type, const char *nthreads, const text *t) {
    slots_store *s;
    outcome o = {0};
    CU_ASSERT_EQUAL_FATAL(slots_store_new(type, &s), SLOTS_OK);
    threads(nthreads);
    o.rc = slots_store_load_csv(s, t->p, t->len, 0, &o.loaded, NULL);
    snprintf(o.msg, sizeof o.msg, "%s", o.rc == SLOTS_OK ? "" : slots_errmsg());
    o.dump = dump(s);
    slots_store_drop(s);
    return o;
}

/* Loads t on four threads and on one: same status, message, count and records. */
static void same_as_one_thread(const text *t, int want_rc, const char *want_msg) {
    slots_type *type;
    slots_store_drop(product_store(&type));
    outcome many = load_with(type, "4", t), one = load_with(type, "1", t);
    CU_ASSERT_EQUAL(many.rc, want_rc);
    CU_ASSERT_EQUAL(one.rc, want_rc);
    if (want_msg && !strstr(many.msg, want_msg)) fprintf(stderr, "\n  want \"%s\" in \"%s\"\n", want_msg, many.msg);
    CU_ASSERT_TRUE(!want_msg || strstr(many.msg, want_msg) != NULL);
    if (strcmp(many.msg, one.msg) != 0) fprintf(stderr, "\n  threads: %s\n  one:     %s\n", many.msg, one.msg);
    CU_ASSERT_STRING_EQUAL(many.msg, one.msg);
    CU_ASSERT_EQUAL(many.loaded, one.loaded);
    CU_ASSERT_TRUE(many.dump && one.dump && strcmp(many.dump, one.dump) == 0);
    free(many.dump);
    free(one.dump);
}

/* CSV rows: ids from 1, names quoted with commas (unquoted when multi < 0); every `multi`th name
 * holds line ends, every 7th row ends in CRLF, every 1000th line is empty; line bad_at is `bad`. */
static text csv_products(size_t rows, int multi, size_t bad_at, const char *bad) {
    text t = {0};
    char row[160];
    put(&t, "id,name,price\n");
    for (size_t i = 1; i <= rows; i++) {
        const char *end = i % 7 ? "\n" : "\r\n";
        if (i == bad_at) snprintf(row, sizeof row, "%s\n", bad);
        else if (multi < 0) snprintf(row, sizeof row, "%zu,product %zu,%zu.5%s", i, i, i % 1000, end);
        else if (multi && i % (size_t)multi == 0)
            snprintf(row, sizeof row, "%zu,\"name %zu,\nspans\n\nthree \"\"lines\"\"\",%zu.5%s", i, i, i % 1000, end);
        else snprintf(row, sizeof row, "%zu,\"product, %zu\",%zu.5%s", i, i, i % 1000, end);
        put(&t, row);
        if (i % 1000 == 0) put(&t, "\n");
    }
    return t;
}

static void test_csv_threads_match_one_thread(void) {
    text plain = csv_products(CSV_ROWS, 0, 0, NULL);
    same_as_one_thread(&plain, SLOTS_OK, NULL);
    /* quoted cells holding line ends: a cut may fall inside one, and the load is then redone */
    text multi = csv_products(CSV_ROWS, 1, 0, NULL);
    same_as_one_thread(&multi, SLOTS_OK, NULL);
    text some = csv_products(CSV_ROWS, 3, 0, NULL);
    same_as_one_thread(&some, SLOTS_OK, NULL);
    free(plain.p);
    free(multi.p);
    free(some.p);
}

static void test_csv_errors_match_one_thread(void) {
    text late = csv_products(CSV_ROWS, 3, CSV_ROWS - 5, "7,\"x\",not a number");
    same_as_one_thread(&late, SLOTS_EPARSE, "could not convert string to float: 'not a number'");
    text dup = csv_products(CSV_ROWS, 3, CSV_ROWS - 100, "12,\"again\",1");
    same_as_one_thread(&dup, SLOTS_EEXIST, "duplicate key 12 ");
    text cells = csv_products(CSV_ROWS, 0, CSV_ROWS / 2, "1,2");
    same_as_one_thread(&cells, SLOTS_EPARSE, "expected 3 cells, got 2");
    text after = csv_products(CSV_ROWS, 0, CSV_ROWS / 3, "5,\"ab\"c,1"); /* text after a closing quote */
    same_as_one_thread(&after, SLOTS_EPARSE, "text after the closing quote");
    /* a quote never closed runs to the end of the text, through every later chunk */
    text open = csv_products(CSV_ROWS, -1, CSV_ROWS / 4, "5,\"never closed,1");
    same_as_one_thread(&open, SLOTS_EPARSE, "unterminated quoted cell 2");
    /* a stray quote inside an unquoted cell is text */
    text stray = csv_products(CSV_ROWS, -1, CSV_ROWS / 4, "999999,6\" screen,1");
    same_as_one_thread(&stray, SLOTS_OK, NULL);
    free(late.p);
    free(dup.p);
    free(cells.p);
    free(after.p);
    free(open.p);
    free(stray.p);
}

static CU_TestInfo tests[] = {
    {"threads load what one thread loads", test_threads_match_one_thread},
    {"the first bad line of the text is reported", test_first_bad_line_wins},
    {"duplicate keys across chunks", test_duplicates_across_chunks},
    {"the store works after a failed load", test_store_works_after_failure},
    {"extras types load on one thread", test_extras_type_keeps_one_thread},
    {"SLOTS_LOAD_THREADS values", test_thread_variable},
    {"CSV: threads load what one thread loads", test_csv_threads_match_one_thread},
    {"CSV: errors as on one thread", test_csv_errors_match_one_thread},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("bulk", tests); }
