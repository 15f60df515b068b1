-- tests/sources/products.sql — the table the PostgreSQL tests, examples and bench read and write.
-- The number of rows is the psql variable named rows (the C and Python code put the number in its place).
-- Names carry what CSV must quote (commas, double quotes, a line end inside a cell every 7th row,
-- non-ASCII text), in_stock is a boolean (COPY writes t/f), payload a bytea (COPY writes \x hex),
-- note is NULL on every 5th row (COPY writes an empty unquoted cell).
DROP TABLE IF EXISTS products;
CREATE TABLE products (
    id       bigint PRIMARY KEY,
    name     text NOT NULL,
    price    double precision NOT NULL,
    in_stock boolean NOT NULL,
    qty      integer NOT NULL,
    note     text,
    payload  bytea NOT NULL
);
INSERT INTO products
SELECT g,
       CASE WHEN g % 7 = 0 THEN 'Widget "' || g || '", large' || chr(10) || 'second line'
            WHEN g % 3 = 0 THEN 'Gadget ' || g || ', blue'
            ELSE 'Café ' || g END,
       (g % 1000) * 0.25 + 0.5,
       g % 2 = 0,
       (g * 37) % 1000,
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END,
       decode(md5(g::text), 'hex')
FROM generate_series(1, :rows) AS g;
