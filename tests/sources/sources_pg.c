/*
 * sources_pg.c — PostgreSQL into a store and back with libpq, as an application would do it. Run
 * under tests/sources/servers.py (SLOTS_TEST_PG_CONNINFO, SLOTS_TEST_PG_PID).
 *
 * Out: COPY (SELECT ...) TO STDOUT (FORMAT csv, HEADER) arrives one row per PQgetCopyData, and each
 * row goes straight into a CSV loader (slots_loader_feed): no buffer of the whole result, the
 * store unchanged until the commit. Booleans come as t/f, bytea as \x hex, NULL as an empty cell.
 * Back: the store's CSV dump goes to COPY ... FROM STDIN in pieces (PQputCopyData).
 */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sources_util.h"

enum { N_PRODUCTS = 20000 };

static const char *const COPY_OUT =
    "COPY (SELECT id, name, price, in_stock, qty, note, payload FROM products ORDER BY id) "
    "TO STDOUT (FORMAT csv, HEADER)";

static PGconn *connect_pg(void) {
    PGconn *c = PQconnectdb(sources_env("SLOTS_TEST_PG_CONNINFO"));
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s\n", PQerrorMessage(c));
        abort();
    }
    return c;
}

/* Runs SQL that must succeed (test setup). */
static void must(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "postgres: %s: %s\n", sql, PQerrorMessage(c));
        abort();
    }
    PQclear(r);
}

/* One value of a one-row query (a copy, freed by the caller), or NULL for SQL NULL. */
static char *query_value(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    CU_ASSERT_FATAL(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
    char *v = PQgetisnull(r, 0, 0) ? NULL : strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* products.sql with its :rows variable set: the same table the Python tests and bench make. */
static void create_products(PGconn *c, long rows) {
    char *sql = sources_read("products.sql", NULL);
    char *at = strstr(sql, ":rows");
    CU_ASSERT_FATAL(at != NULL);
    char *full = malloc(strlen(sql) + 32);
    sprintf(full, "%.*s%ld%s", (int)(at - sql), sql, rows, at + 5);
    must(c, full);
    free(full);
    free(sql);
}

/* Streams a COPY ... TO STDOUT into the store through one loader. `kill_after`: after that many
 * rows, SIGKILL the server and this connection's backend (0: never). Returns the loader's status,
 * or SLOTS_EIO when the COPY failed (`error` has libpq's message); the loader is committed only
 * when the whole COPY arrived, else aborted. */
static int copy_into(PGconn *c, const char *copy_sql, slots_store *s, unsigned flags, long kill_after,
                     char *error, size_t errlen, size_t *loaded) {
    error[0] = '\0';
    PGresult *r = PQexec(c, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
        snprintf(error, errlen, "%s", PQerrorMessage(c));
        PQclear(r);
        return SLOTS_EIO;
    }
    PQclear(r);
    slots_loader *l;
    int st = slots_loader_begin(s, SLOTS_FORMAT_CSV, flags, &l);
    long rows = 0;
    char *buf;
    int n;
    while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
        if (st == SLOTS_OK) st = slots_loader_feed(l, buf, (size_t)n);
        PQfreemem(buf);
        if (++rows == kill_after) {
            kill((pid_t)sources_env_long("SLOTS_TEST_PG_PID"), SIGKILL);
            kill((pid_t)PQbackendPID(c), SIGKILL);
        }
    }
    /* -1: the COPY ended, and its result says whether it ended well; -2: the connection broke */
    int copy_ok = n == -1;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) copy_ok = 0;
        PQclear(r);
    }
    if (!copy_ok) snprintf(error, errlen, "%s", PQerrorMessage(c));
    if (st == SLOTS_OK && copy_ok) return slots_loader_commit(l, loaded, NULL);
    if (st == SLOTS_OK) st = SLOTS_EIO; /* the rows so far were fine: the source failed */
    slots_loader_abort(l);
    return st;
}

static void test_copy_to_store(void) {
    PGconn *c = connect_pg();
    create_products(c, N_PRODUCTS);
    slots_store *s = sources_new_store();
    char error[512];
    size_t loaded = 0, n;
    ASSERT_OK(copy_into(c, COPY_OUT, s, 0, 0, error, sizeof error, &loaded));
    CU_ASSERT_STRING_EQUAL(error, "");
    CU_ASSERT_EQUAL(loaded, N_PRODUCTS);
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, N_PRODUCTS);
    /* row 14: a name with quotes, a comma and a line end; in_stock t; a note; 16 bytes of payload */
    slots_obj o;
    ASSERT_OK(slots_store_find_i64(s, 14, &o));
    const slots_type *t = sources_product_type();
    const char *str;
    size_t len;
    ASSERT_OK(slots_get_str(o, slots_field_index(t, "name"), &str, &len));
    char *want = query_value(c, "SELECT name FROM products WHERE id = 14");
    CU_ASSERT_STRING_EQUAL(str, want);
    CU_ASSERT_PTR_NOT_NULL(strchr(str, '\n'));
    free(want);
    int b;
    ASSERT_OK(slots_get_bool(o, slots_field_index(t, "in_stock"), &b));
    CU_ASSERT_EQUAL(b, 1);
    const void *bytes;
    ASSERT_OK(slots_get_bytes(o, slots_field_index(t, "payload"), &bytes, &len));
    char hex[40] = "";
    for (size_t i = 0; i < len && i < 16; i++) sprintf(hex + 2 * i, "%02x", ((const unsigned char *)bytes)[i]);
    want = query_value(c, "SELECT encode(payload, 'hex') FROM products WHERE id = 14");
    CU_ASSERT_EQUAL(len, 16);
    CU_ASSERT_STRING_EQUAL(hex, want);
    free(want);
    /* row 15: in_stock f, note NULL */
    ASSERT_OK(slots_store_find_i64(s, 15, &o));
    ASSERT_OK(slots_get_bool(o, slots_field_index(t, "in_stock"), &b));
    CU_ASSERT_EQUAL(b, 0);
    CU_ASSERT_EQUAL(slots_is_set(o, slots_field_index(t, "note")), 1);
    ASSERT_STATUS(slots_get_str(o, slots_field_index(t, "note"), &str, &len), SLOTS_NULL);
    slots_store_drop(s);
    PQfinish(c);
}

/* The store back into a table: its CSV dump through COPY ... FROM STDIN, in 64 KiB pieces. The
 * dump writes bytes as base64 (PostgreSQL would read that as bytea's escape format), so payload
 * goes into a text column and decode(..., 'base64') compares it. */
static void test_copy_from_store(void) {
    PGconn *c = connect_pg();
    slots_store *s = sources_new_store();
    char error[512];
    size_t loaded = 0;
    ASSERT_OK(copy_into(c, COPY_OUT, s, 0, 0, error, sizeof error, &loaded));
    const char *csv;
    size_t len;
    ASSERT_OK(slots_store_dump_csv(s, &csv, &len));
    must(c, "DROP TABLE IF EXISTS products_back; "
            "CREATE TABLE products_back (LIKE products); "
            "ALTER TABLE products_back ALTER COLUMN payload TYPE text");
    PGresult *r = PQexec(c, "COPY products_back FROM STDIN (FORMAT csv, HEADER)");
    CU_ASSERT_FATAL(PQresultStatus(r) == PGRES_COPY_IN);
    PQclear(r);
    for (size_t at = 0; at < len; at += 65536) {
        size_t piece = len - at < 65536 ? len - at : 65536;
        CU_ASSERT_EQUAL_FATAL(PQputCopyData(c, csv + at, (int)piece), 1);
    }
    CU_ASSERT_EQUAL(PQputCopyEnd(c, NULL), 1);
    r = PQgetResult(c);
    CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_COMMAND_OK);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) fprintf(stderr, "COPY FROM: %s\n", PQerrorMessage(c));
    CU_ASSERT_STRING_EQUAL(PQcmdTuples(r), "20000");
    PQclear(r);
    while ((r = PQgetResult(c)) != NULL) PQclear(r);
    /* every row the same both ways: NULL notes, t/f, names with line ends, payload bytes */
    char *diff = query_value(c,
        "SELECT count(*) FROM ("
        " (SELECT id, name, price, in_stock, qty, note, payload FROM products"
        "  EXCEPT SELECT id, name, price, in_stock, qty, note, decode(payload, 'base64') FROM products_back)"
        " UNION ALL"
        " (SELECT id, name, price, in_stock, qty, note, decode(payload, 'base64') FROM products_back"
        "  EXCEPT SELECT id, name, price, in_stock, qty, note, payload FROM products)) d");
    CU_ASSERT_STRING_EQUAL(diff, "0");
    free(diff);
    slots_store_drop(s);
    PQfinish(c);
}

/* A store loaded from the table, then a COPY that fails with `want` (and `msg` when not NULL):
 * the store is as it was. kill_after as copy_into's. */
static void check_failed_copy(const char *sql, unsigned flags, long kill_after, int want, const char *msg) {
    PGconn *c = connect_pg();
    slots_store *s = sources_new_store();
    char error[512];
    size_t loaded = 0, n;
    ASSERT_OK(copy_into(c, COPY_OUT, s, 0, 0, error, sizeof error, &loaded));
    char *before = sources_dump(s, NULL);
    CU_ASSERT_EQUAL(copy_into(c, sql, s, flags, kill_after, error, sizeof error, &loaded), want);
    if (msg) ASSERT_MSG(msg);
    if (want == SLOTS_EIO) CU_ASSERT_NOT_EQUAL(error[0], '\0'); /* libpq said why */
    ASSERT_OK(slots_store_len(s, &n));
    CU_ASSERT_EQUAL(n, N_PRODUCTS);
    char *after = sources_dump(s, NULL);
    CU_ASSERT_STRING_EQUAL(after, before);
    free(before);
    free(after);
    slots_store_drop(s);
    PQfinish(c);
}

/* A row the store refuses fails the load with the line; the store keeps what it had. */
static void test_bad_row(void) {
    check_failed_copy("COPY (SELECT g + 100000 AS id, 'n' AS name, CASE WHEN g = 300 THEN 'x' ELSE '1.5' END AS price,"
                      " true AS in_stock, 1 AS qty, NULL AS note, '\\x00'::bytea AS payload"
                      " FROM generate_series(1, 1000) g) TO STDOUT (FORMAT csv, HEADER)",
                      0, 0, SLOTS_EPARSE, "line 301");
}

/* Runs last: the server is killed after 1000 rows of a refresh that would change every record and
 * add more (generated as it is sent, so the server is still writing when it is killed). libpq
 * reports the lost connection, the loader is aborted, the store is as it was. */
static void test_server_gone(void) {
    check_failed_copy("COPY (SELECT g AS id, 'renamed ' || g AS name, 1.5 AS price, g % 2 = 1 AS in_stock,"
                      " 7 AS qty, NULL AS note, '\\xff'::bytea AS payload"
                      " FROM generate_series(1, 2000000) g) TO STDOUT (FORMAT csv, HEADER)",
                      SLOTS_LOAD_UPSERT, 1000, SLOTS_EIO, NULL);
}

int main(void) {
    CU_TestInfo tests[] = {
        {"COPY TO STDOUT (csv) streams row by row into a loader", test_copy_to_store},
        {"the store's CSV dump goes back through COPY FROM STDIN", test_copy_from_store},
        {"a bad row fails the load with its line; the store is unchanged", test_bad_row},
        {"the server killed mid-COPY: the loader is aborted, the store unchanged", test_server_gone},
        CU_TEST_INFO_NULL,
    };
    return run_suite("sources: PostgreSQL (libpq)", tests);
}
