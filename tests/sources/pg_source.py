"""tests/sources/pg_source.py — PostgreSQL into a store and back with psycopg 3 (an example, used by
test_postgres.py and tests/bench/bench_sources.py).

Out: COPY (SELECT ...) TO STDOUT (FORMAT csv, HEADER) read with cursor.copy(), its chunks (a row each)
fed to store.loader("csv") 64 KiB at a time: no buffer of the whole result, the store unchanged until the
loader commits; an error (the server gone) aborts it. Booleans come as t/f, bytea as \\x hex, NULL as
an empty cell. Back: the store's CSV dump written to COPY ... FROM STDIN."""
import os

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))

COPY_OUT = ("COPY (SELECT id, name, price, in_stock, qty, note, payload FROM products ORDER BY id) "
            "TO STDOUT (FORMAT csv, HEADER)")


def connect(pg):
    return psycopg.connect(pg.conninfo, autocommit=True)


def create_products(conn, rows):
    """products.sql with its :rows variable set (the table the C tests make too)."""
    with open(os.path.join(HERE, "products.sql")) as f:
        conn.execute(f.read().replace(":rows", str(int(rows))))


def copy_into(conn, store, sql=COPY_OUT, upsert=False, after_chunk=None, piece=1 << 16):
    """Streams a COPY ... TO STDOUT into the store through one loader, committed when the COPY
    ended well. psycopg hands over one row per chunk; they are fed `piece` bytes at a time (a call
    into the library per row would cost more than the row). after_chunk(i) is called after chunk
    i arrived (a test kills the server there)."""
    with conn.cursor() as cur, store.loader("csv", upsert=upsert) as ld:
        with cur.copy(sql) as copy:
            buf = bytearray()
            for i, chunk in enumerate(copy, 1):
                buf += chunk
                if len(buf) >= piece:
                    ld.feed(buf)
                    buf.clear()
                if after_chunk:
                    after_chunk(i)
            ld.feed(buf)


def copy_from(conn, store, table):
    """The store's CSV dump into `table` with COPY FROM STDIN; returns the rows copied."""
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as copy:
            copy.write(store.dump_csv())
        return cur.rowcount
