"""Spark reads JSON Lines partitions; each task loads its partition into a libslots store and hands
Spark the store's Arrow batches (mapInArrow); Spark then aggregates.

    python tests/engines/spark_example.py [DIR]      (local[2]; writes sample data into DIR)

Needs pyspark, pyarrow and a Java runtime (make deps-engines makes build/venv-engines), and the slots
package importable with its library found (PYTHONPATH=bindings/python SLOTS_LIBRARY=build/libslots.so.1
in a source tree). The same code runs on a cluster: see "Spark and Dask" in README.md."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# Spark's row type of the batches the tasks yield: the Arrow schema of a Sale store, in Spark's words.
SALE_DDL = "id long, region string, qty int, price double"


def load_partition(batches):
    """mapInArrow's function: Spark's batches of text lines in, a store's Arrow batches out. Runs in
    the executors' Python workers, which import this module and sales.py (shipped by addPyFile)."""
    import sales

    for batch in batches:
        lines = batch.column("value").to_pylist()
        yield from sales.arrow_batches(lines)


def session(master="local[2]", app="libslots-spark"):
    """A SparkSession whose Python workers import slots: the executors get this Python, and
    PYTHONPATH and SLOTS_LIBRARY from the driver's environment (on a cluster where libslots and the
    slots package are installed on every worker, neither is needed)."""
    from pyspark.sql import SparkSession

    # The workers' Python: the driver's own (a venv with pyarrow) unless PYSPARK_PYTHON says otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.pyspark.python", os.environ["PYSPARK_PYTHON"]))
    for var in ("PYTHONPATH", "SLOTS_LIBRARY"):
        if os.environ.get(var):
            builder = builder.config(f"spark.executorEnv.{var}", os.environ[var])
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    for name in ("sales.py", "spark_example.py"):  # the modules the tasks' functions come from
        spark.sparkContext.addPyFile(os.path.join(HERE, name))
    return spark


def totals(spark, paths):
    """{region: (rows, qty count, qty sum, price sum)} computed by Spark over the stores' batches."""
    from pyspark.sql import functions as F

    lines = spark.read.text(paths)                      # one row per line; files split into partitions
    sales_df = lines.mapInArrow(load_partition, SALE_DDL)
    agg = (sales_df.groupBy("region")
           .agg(F.count("*").alias("rows"), F.count("qty").alias("nq"),
                F.sum("qty").alias("sq"), F.sum("price").alias("sp")))
    return {r["region"]: (r["rows"], r["nq"], r["sq"], r["sp"]) for r in agg.collect()}


def main(argv):
    import sales

    directory = argv[1] if len(argv) > 1 else tempfile.mkdtemp(prefix="slots-spark-")
    paths = sales.write_sample(directory)
    spark = session()
    try:
        for region, (rows, nq, sq, sp) in sorted(totals(spark, paths).items()):
            print(f"{region:6} rows={rows} qty: {nq} set, sum {sq}; price sum {sp}")
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import spark_example  # functions Spark ships must come from the module, not __main__

    spark_example.main(sys.argv)
