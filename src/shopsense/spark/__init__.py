"""Training on Apache Spark over a Parquet export of the event log (``shopsense train --engine spark``).

* :mod:`~shopsense.spark.export`: the event log streamed from the database to Parquet / JSON Lines / CSV
  files (no Spark needed; the files re-import with ``shopsense import``).
* :mod:`~shopsense.spark.session`: a quiet local-or-cluster SparkSession; pyspark is imported only there.
* :mod:`~shopsense.spark.jobs`: the batch jobs as Spark DataFrame programs: weighted interactions,
  popularity, windowed item co-occurrence, ALS item factors.
* :mod:`~shopsense.spark.train`: the jobs' outputs written as ordinary model versions (same artifacts as
  the single-machine models) and registered, so the server loads them unchanged.
"""
