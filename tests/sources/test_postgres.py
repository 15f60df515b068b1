"""PostgreSQL into a store and back with psycopg 3 (pg_source.py), against a real server: COPY TO
STDOUT streamed chunk by chunk into store.loader("csv") (t/f booleans, \\x bytea, NULL), the store's
CSV dump back through COPY FROM STDIN, a bad row, and a server that goes away mid-COPY."""
import psycopg
import pytest
import slots

import pg_source

N = 20000
COLUMNS = "id, name, price, in_stock, qty, note, payload"


@pytest.fixture(scope="module")
def conn(srv):
    c = pg_source.connect(srv.pg)
    pg_source.create_products(c, N)
    yield c
    c.close()


def _rows(conn, sql):
    return [tuple(row) for row in conn.execute(sql)]


def test_copy_to_store_streams_chunks_into_a_loader(conn, Product):
    store = Product.store()
    pg_source.copy_into(conn, store)
    assert len(store) == N
    want = _rows(conn, f"SELECT {COLUMNS} FROM products ORDER BY id")
    assert [slots.astuple(rec) for rec in store] == [tuple(bytes(v) if isinstance(v, memoryview) else v
                                                           for v in row) for row in want]
    rec = store.get(14)
    assert rec.name == 'Widget "14", large\nsecond line' and rec.in_stock is True and len(rec.payload) == 16
    assert store.get(15).note is None and store.get(15).in_stock is False


def test_chunks_cut_anywhere_load_the_same(conn, Product):
    """The CSV stream re-cut into 7-byte pieces: rows and quoted line ends split across feeds."""
    whole = Product.store()
    pg_source.copy_into(conn, whole)
    with conn.cursor() as cur, cur.copy(pg_source.COPY_OUT) as copy:
        text = b"".join(copy)
    store = Product.store()
    with store.loader("csv") as ld:
        for at in range(0, len(text), 7):
            ld.feed(text[at:at + 7])
    assert store.dump_jsonl() == whole.dump_jsonl()


def test_store_back_through_copy_from_stdin(conn, Product):
    store = Product.store()
    pg_source.copy_into(conn, store)
    # the dump writes bytes as base64: payload lands in a text column and is decoded to compare
    conn.execute("DROP TABLE IF EXISTS products_back; CREATE TABLE products_back (LIKE products); "
                 "ALTER TABLE products_back ALTER COLUMN payload TYPE text")
    assert pg_source.copy_from(conn, store, "products_back") == N
    back = f"SELECT id, name, price, in_stock, qty, note, decode(payload, 'base64') FROM products_back"
    diff = _rows(conn, f"(SELECT {COLUMNS} FROM products EXCEPT {back}) UNION ALL "
                       f"({back} EXCEPT SELECT {COLUMNS} FROM products)")
    assert diff == []


def _failed_copy_changes_nothing(conn, Product, sql, raises, **copy_args):
    """A store loaded from the table, then a COPY that fails (`raises`): the store is as it was."""
    store = Product.store()
    pg_source.copy_into(conn, store)
    before = store.dump_jsonl()
    with raises:
        pg_source.copy_into(conn, store, sql, **copy_args)
    assert len(store) == N
    assert store.dump_jsonl() == before


def test_bad_row_fails_the_load_and_changes_nothing(conn, Product):
    sql = ("COPY (SELECT g + 100000 AS id, 'n' AS name, CASE WHEN g = 300 THEN 'x' ELSE '1.5' END AS price,"
           " true AS in_stock, 1 AS qty, NULL AS note, '\\x00'::bytea AS payload"
           " FROM generate_series(1, 1000) g) TO STDOUT (FORMAT csv, HEADER)")
    _failed_copy_changes_nothing(conn, Product, sql, pytest.raises(ValueError, match="line 301"))


def test_upsert_replaces_in_place(conn, Product):
    store = Product.store()
    pg_source.copy_into(conn, store)
    handle = store.get(7)
    sql = ("COPY (SELECT id, 'renamed' AS name, price, NOT in_stock AS in_stock, qty, note, payload"
           " FROM products WHERE id <= 100) TO STDOUT (FORMAT csv, HEADER)")
    pg_source.copy_into(conn, store, sql, upsert=True)
    assert len(store) == N
    assert handle.name == "renamed" and handle.in_stock is True
    assert store.get(101).name != "renamed"


def test_server_gone_mid_copy_leaves_the_store_unchanged(own_pg, Product):
    """A refresh that would change every record and add more; the server is killed at its 5000th row."""
    conn = pg_source.connect(own_pg)
    pg_source.create_products(conn, N)
    # generated as it is sent, so the server is still writing when it is killed
    sql = ("COPY (SELECT g AS id, 'renamed ' || g AS name, 1.5 AS price, g % 2 = 1 AS in_stock,"
           " 7 AS qty, NULL AS note, '\\xff'::bytea AS payload"
           " FROM generate_series(1, 2000000) g) TO STDOUT (FORMAT csv, HEADER)")
    _failed_copy_changes_nothing(conn, Product, sql, pytest.raises(psycopg.OperationalError), upsert=True,
                                 after_chunk=lambda i: i == 5000 and own_pg.kill())
    conn.close()
