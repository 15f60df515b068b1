/* DuckDB, through its C API, scans a libslots store exported as an Arrow C stream
 * (slots_store_export_stream -> duckdb_arrow_scan) and aggregates it with SQL; the answers are
 * checked against the same sums computed here in C. Built with ASan (make check-engines), so the
 * leak check at exit fails the test if anything DuckDB never releases — it never releases the
 * top-level schema it reads from get_schema — was allocated by the export.
 * Prints "duckdb: N passed, M failed" and exits 1 on any failure. */
#include <slots.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duckdb_min.h"

#define ROWS 20000
#define BATCH 1000
#define NREGIONS 4

static const char *const region_names[NREGIONS] = {"east", "north", "south", "west"};
static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

static void die(const char *what) {
    fprintf(stderr, "duckdb_scan: %s: %s\n", what, slots_errmsg());
    exit(1);
}

/* What the SQL below must find, per region, summed here while the store is filled. */
struct expect {
    int64_t rows, qty_count, qty_sum;
    double price_sum;
};

/* Row i: region i % 4, qty i % 50 but null on every 7th row, price a multiple of 1/4 (so every
 * sum is exact in a double, whatever order DuckDB adds in). */
static slots_store *fill(slots_type *t, struct expect *ex) {
    slots_store *s;
    if (slots_store_new(t, &s) != SLOTS_OK || slots_store_reserve(s, ROWS) != SLOTS_OK)
        die("store");
    int f_id = slots_field_index(t, "id"), f_region = slots_field_index(t, "region");
    int f_qty = slots_field_index(t, "qty"), f_price = slots_field_index(t, "price");
    memset(ex, 0, sizeof *ex * NREGIONS);
    for (int i = 0; i < ROWS; i++) {
        slots_obj o;
        int r = i % NREGIONS;
        double price = (i % 400) * 0.25;
        if (slots_store_append(s, &o) != SLOTS_OK || slots_set_i64(o, f_id, i) != SLOTS_OK ||
            slots_set_str(o, f_region, region_names[r], strlen(region_names[r])) != SLOTS_OK ||
            slots_set_f64(o, f_price, price) != SLOTS_OK)
            die("fill");
        if (i % 7 == 0) {
            if (slots_set_null(o, f_qty) != SLOTS_OK)
                die("set_null");
        } else {
            if (slots_set_i64(o, f_qty, i % 50) != SLOTS_OK)
                die("set qty");
            ex[r].qty_count++;
            ex[r].qty_sum += i % 50;
        }
        ex[r].rows++;
        ex[r].price_sum += price;
    }
    return s;
}

static void check_group_by(duckdb_connection con, const struct expect *ex) {
    duckdb_result res;
    const char *sql = "SELECT region, count(*), count(qty), sum(qty), sum(price), min(id), max(id) "
                      "FROM sales GROUP BY region ORDER BY region";
    if (duckdb_query(con, sql, &res) != DuckDBSuccess) {
        fprintf(stderr, "query: %s\n", duckdb_result_error(&res));
        check(0, "the GROUP BY query runs");
        duckdb_destroy_result(&res);
        return;
    }
    check(duckdb_row_count(&res) == NREGIONS, "one row per region");
    for (idx_t r = 0; r < NREGIONS && r < duckdb_row_count(&res); r++) {
        char *name = duckdb_value_varchar(&res, 0, r);
        check(name && strcmp(name, region_names[r]) == 0, "region names come through");
        duckdb_free(name);
        check(duckdb_value_int64(&res, 1, r) == ex[r].rows, "count(*) per region");
        check(duckdb_value_int64(&res, 2, r) == ex[r].qty_count, "count(qty) skips the nulls");
        check(duckdb_value_int64(&res, 3, r) == ex[r].qty_sum, "sum(qty) per region");
        check(duckdb_value_double(&res, 4, r) == ex[r].price_sum, "sum(price) per region");
        check(duckdb_value_int64(&res, 5, r) == (int64_t)r, "min(id)");
        check(duckdb_value_int64(&res, 6, r) == (int64_t)(ROWS - NREGIONS + r), "max(id)");
    }
    duckdb_destroy_result(&res);
}

/* A stream whose store is dropped before DuckDB reads it: the query fails, nothing crashes. */
static void check_dropped_store(duckdb_connection con, slots_type *t) {
    struct expect ex[NREGIONS];
    slots_store *s = fill(t, ex);
    struct ArrowArrayStream stream;
    if (slots_store_export_stream(s, BATCH, 0, &stream) != SLOTS_OK)
        die("export_stream");
    if (slots_store_drop(s) != SLOTS_OK)
        die("drop");
    duckdb_result res;
    int ok = duckdb_arrow_scan(con, "gone", (duckdb_arrow_stream)&stream) == DuckDBSuccess;
    if (ok) {
        ok = duckdb_query(con, "SELECT sum(price) FROM gone", &res) == DuckDBSuccess;
        const char *err = ok ? NULL : duckdb_result_error(&res);
        /* DuckDB passes on the stream's get_last_error() */
        check(ok || (err && strstr(err, "dropped")), "DuckDB's error says the store was dropped");
        duckdb_destroy_result(&res);
    }
    check(!ok, "scanning a stream of a dropped store fails");
    stream.release(&stream);
    check(stream.release == NULL, "release marks the stream released");
}

int main(void) {
    slots_type *t;
    if (slots_type_define("Sale", "id: i64 key, region: str, qty: i32 optional, price: f64", NULL, 0, &t) != SLOTS_OK)
        die("define");
    struct expect ex[NREGIONS];
    slots_store *s = fill(t, ex);

    duckdb_database db;
    duckdb_connection con;
    if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
        fprintf(stderr, "duckdb_scan: cannot open an in-memory DuckDB\n");
        return 1;
    }
    duckdb_result res;
    duckdb_query(con, "SET threads = 2", &res);
    duckdb_destroy_result(&res);

    /* The type's schema description is made on its first export and kept by the type: make it
     * now, so that what the scan allocates can be counted from here. */
    struct ArrowSchema schema;
    if (slots_type_export_schema(t, 0, &schema) != SLOTS_OK)
        die("export_schema");
    schema.release(&schema);
    size_t before = slots_memory_used();

    struct ArrowArrayStream stream;
    if (slots_store_export_stream(s, BATCH, 0, &stream) != SLOTS_OK)
        die("export_stream");
    check(duckdb_arrow_scan(con, "sales", (duckdb_arrow_stream)&stream) == DuckDBSuccess,
          "duckdb_arrow_scan takes the stream");
    check_group_by(con, ex);
    /* The stream stays ours: DuckDB copied what it read; release it once DuckDB is done. */
    stream.release(&stream);
    /* Every batch DuckDB read is released, and the schemas it never released held nothing. */
    check(slots_memory_used() == before, "after the scan, libslots holds what it held before");

    check_dropped_store(con, t);

    duckdb_disconnect(&con);
    duckdb_close(&db);
    slots_store_drop(s);
    printf("duckdb: %d passed, %d failed (DuckDB %s scanned %d rows in batches of %d)\n", passed, failed,
           duckdb_library_version(), ROWS, BATCH);
    return failed ? 1 : 0;
}
