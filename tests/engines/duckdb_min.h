/* The few declarations of DuckDB's C API (duckdb.h, DuckDB 1.x, stable ABI) that duckdb_scan.c uses,
 * written out so the test needs only the shared library that `make deps` fetches, not DuckDB's
 * headers. Layouts and signatures as in duckdb.h; nothing here is libslots's. */
#ifndef SLOTS_TEST_DUCKDB_MIN_H
#define SLOTS_TEST_DUCKDB_MIN_H
#include <stdint.h>

typedef uint64_t idx_t;
typedef enum { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;
typedef struct _duckdb_database { void *internal_ptr; } *duckdb_database;
typedef struct _duckdb_connection { void *internal_ptr; } *duckdb_connection;
/* duckdb_arrow_stream is an opaque handle; duckdb_arrow_scan reads it as a struct ArrowArrayStream *. */
typedef struct _duckdb_arrow_stream { void *internal_ptr; } *duckdb_arrow_stream;

/* The query result, filled by duckdb_query; only its size matters here (read through functions). */
typedef struct {
    idx_t deprecated_column_count;
    idx_t deprecated_row_count;
    idx_t deprecated_rows_changed;
    void *deprecated_columns;
    char *deprecated_error_message;
    void *internal_data;
} duckdb_result;

duckdb_state duckdb_open(const char *path, duckdb_database *out_database);
void duckdb_close(duckdb_database *database);
duckdb_state duckdb_connect(duckdb_database database, duckdb_connection *out_connection);
void duckdb_disconnect(duckdb_connection *connection);
const char *duckdb_library_version(void);
duckdb_state duckdb_query(duckdb_connection connection, const char *query, duckdb_result *out_result);
void duckdb_destroy_result(duckdb_result *result);
const char *duckdb_result_error(duckdb_result *result);
idx_t duckdb_row_count(duckdb_result *result);
int64_t duckdb_value_int64(duckdb_result *result, idx_t col, idx_t row);
double duckdb_value_double(duckdb_result *result, idx_t col, idx_t row);
/* The result is a string the caller frees with duckdb_free. */
char *duckdb_value_varchar(duckdb_result *result, idx_t col, idx_t row);
void duckdb_free(void *ptr);
/* Registers the stream as a view named table_name. DuckDB reads the schema through get_schema and
 * never releases the top-level one (the caller keeps the stream and releases it). */
duckdb_state duckdb_arrow_scan(duckdb_connection connection, const char *table_name, duckdb_arrow_stream arrow);
#endif
