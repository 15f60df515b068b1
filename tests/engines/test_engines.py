"""Spark and Dask run the examples on sample JSON Lines partitions; every total must equal the one
computed in plain Python from the same files. Run by make check-engines with build/venv-engines."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sales  # noqa: E402


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return sales.write_sample(str(tmp_path_factory.mktemp("sales")), parts=4, rows_per_part=5000)


def assert_same_totals(got, want):
    assert sorted(got) == sorted(want) == sorted(sales.REGIONS)
    for region, (rows, nq, sq, sp) in want.items():
        assert got[region] == (rows, nq, sq, sp), region


def test_partition_batches_are_the_store():
    """One task's work, without an engine: the batches hold every line's values, nulls as nulls."""
    lines = ['{"id": 1, "region": "east", "qty": 3, "price": 2.5}',
             '{"id": 2, "region": "west", "qty": null, "price": 0.25}']
    batches = sales.arrow_batches(lines)
    rows = [row for b in batches for row in b.to_pylist()]
    assert rows == [{"id": 1, "region": "east", "qty": 3, "price": 2.5},
                    {"id": 2, "region": "west", "qty": None, "price": 0.25}]


def test_bad_line_fails_the_task():
    with pytest.raises(TypeError, match="line 2: Sale.id must be i64, not str"):
        sales.load_store(['{"id": 1, "region": "east", "qty": 3, "price": 2.5}', '{"id": "x"}'])


def test_spark_map_in_arrow(paths):
    import spark_example

    spark = spark_example.session()
    try:
        # Small splits, so the 4 files are read by several tasks on both executor threads.
        spark.conf.set("spark.sql.files.maxPartitionBytes", str(256 * 1024))
        spark.conf.set("spark.sql.files.openCostInBytes", "0")
        assert spark.read.text(paths).rdd.getNumPartitions() >= 4
        got = spark_example.totals(spark, paths)
    finally:
        spark.stop()
    assert_same_totals(got, sales.expected_totals(paths))


def test_spark_task_error_names_the_line(tmp_path):
    """A bad line fails its task with libslots's message, and Spark reports it to the driver."""
    import spark_example

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "region": "east", "qty": 3, "price": 2.5}\n{"id": 2, "region": "west", "qty": "many", "price": 1}\n')
    spark = spark_example.session()
    try:
        with pytest.raises(Exception, match="line 2"):
            spark_example.totals(spark, [str(bad)])
    finally:
        spark.stop()


def test_dask_local_cluster(paths):
    import dask_example

    lc, client = dask_example.cluster(workers=2)
    try:
        got = dask_example.totals(paths)
    finally:
        client.close()
        lc.close()
    assert_same_totals(got, sales.expected_totals(paths))
