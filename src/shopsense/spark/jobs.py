"""The batch jobs as Spark DataFrame programs: each computes, distributed, what a single-machine ``fit`` does.

Input: an event export (:mod:`shopsense.spark.export`) read by :func:`read_events`. Every job returns
plain NumPy/SciPy arrays indexed by :class:`ItemIndex` codes (items sorted by id, as ``IdMap.of``), the
state a single-machine model keeps, so :mod:`shopsense.spark.train` saves ordinary model artifacts.

* :func:`interactions`: ``Interactions.from_events`` — events with an item and a non-zero type weight
  (the weight cast to float32 first, as there, so both paths start from the same numbers).
* :func:`decayed`: ``scorer.decayed_weights`` — w · 2^(-(t_ref - t) / half_life), t_ref the newest event.
* :func:`popularity_totals`: ``Popularity.fit``'s Σ decayed weights per item.
* :func:`cooccurrence_similarity`: ``ItemKNN.fit``'s windowed co-occurrence C and asymmetric cosine S
  (formulas in :mod:`shopsense.models.itemknn`). Positions come from ``row_number`` per user ordered by
  (time, event id) — the log order of ``EventStore.iter_frames`` — and each event is joined with the
  ``window`` events before it by an equi-join on (user, position - d), d = 1..window: O(events · window)
  rows, never a per-user cross product.
* :func:`als_item_factors`: item factors V of ``pyspark.ml.recommendation.ALS(implicitPrefs=True)`` on the
  r_ui of ``ImplicitMF.ratings`` (summed decayed weights / mean positive event weight, cells ≤ 0 dropped).
  Spark's implicit ALS (Hu, Koren & Volinsky 2008) uses confidence 1 + alpha · r_ui and scales λ by each
  user's / item's number of positive cells (ALS-WR, Zhou et al. 2008), so its λ is not ``implicit``'s λ.

Results agree exactly (up to float summation order) with the single-machine path for popularity and
co-occurrence; ALS agrees within a tolerance (different solver and regularisation; see docs/spark.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from shopsense.spark.export import ExportError

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

DAY_MS = 86_400_000
REQUIRED_COLUMNS = ("event_id", "user_id", "type", "item_id", "timestamp")


def read_events(spark: SparkSession, path: Path) -> DataFrame:
    """The export under ``path`` as (event_id, user_id, type, item_id, ts_ms); clear errors for a wrong folder."""
    from pyspark.sql import functions as F

    path = Path(path)
    if not path.exists() or (path.is_dir() and not any(path.glob("*.parquet"))):
        raise FileNotFoundError(f"{path}: no Parquet event export there (write one with shopsense export events)")
    frame = spark.read.parquet(str(path))
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ExportError(f"{path} is not an event export: no column {', '.join(missing)}")
    return frame.select("event_id", "user_id", "type", "item_id", F.unix_millis("timestamp").alias("ts_ms"))


def interactions(events: DataFrame, weights: Mapping[str, float]) -> DataFrame:
    """Events with an item and a non-zero weight: (event_id, user_id, item_id, ts_ms, weight double)."""
    from pyspark.sql import functions as F

    table = F.create_map(*(F.lit(x) for kind, w in weights.items() for x in (kind, float(w))))
    weight = F.coalesce(table[F.col("type")], F.lit(0.0)).cast("float").cast("double")
    kept = events.withColumn("weight", weight).where(F.col("item_id").isNotNull() & (F.col("weight") != 0))
    return kept.select("event_id", "user_id", "item_id", "ts_ms", "weight")


def counts(frame: DataFrame) -> tuple[int, int]:
    """(rows, distinct users) of an interaction frame, in one pass."""
    from pyspark.sql import functions as F

    rows, users = frame.agg(F.count(F.lit(1)), F.countDistinct("user_id")).first()
    return int(rows), int(users)


def decayed(frame: DataFrame, half_life_days: float | None) -> Column:
    """The ``weight`` column time-decayed towards the newest event of ``frame`` (unchanged when None)."""
    from pyspark.sql import functions as F

    if half_life_days is None:
        return F.col("weight")
    newest = frame.agg(F.max("ts_ms")).first()[0]
    age_days = (F.lit(newest) - F.col("ts_ms")) / DAY_MS
    return F.col("weight") * F.pow(F.lit(2.0), -age_days / half_life_days)


@dataclass(frozen=True)
class ItemIndex:
    """Items of an interaction frame sorted by id: ``codes`` (item_id, code) in Spark, ``ids`` on the driver."""

    codes: DataFrame
    ids: np.ndarray  # (n_items,) object, ids[code]

    @classmethod
    def of(cls, frame: DataFrame) -> ItemIndex:
        ids = np.asarray(sorted(row.item_id for row in frame.select("item_id").distinct().collect()), dtype=object)
        codes = frame.sparkSession.createDataFrame(list(zip(ids.tolist(), range(len(ids)))), "item_id string, code long")
        return cls(codes.cache(), ids)

    def dense(self, frame: DataFrame, value: str) -> np.ndarray:
        """(n_items,) float64 of ``frame``'s (item_id, ``value``) rows; 0 for items without a row."""
        out = np.zeros(len(self.ids), dtype=np.float64)
        rows = frame.join(self.codes, "item_id").select("code", value).toPandas()
        out[rows["code"].to_numpy(np.int64)] = rows[value].to_numpy(np.float64)
        return out


def popularity_totals(frame: DataFrame, index: ItemIndex, *, half_life_days: float) -> np.ndarray:
    """(n_items,) Σ w · 2^(-(t_ref - t)/h) per item, before ``Popularity``'s clipping at 0."""
    from pyspark.sql import functions as F

    totals = frame.groupBy("item_id").agg(F.sum(decayed(frame, half_life_days)).alias("total"))
    return index.dense(totals, "total")


def cooccurrence_similarity(
    frame: DataFrame, index: ItemIndex, *, window: int, distance_power: float, backward_weight: float, alpha: float,
    half_life_days: float | None,
) -> sp.csr_matrix:  # fmt: skip
    """(n_items, n_items) float32 S[a, b] = C[a, b] / (n_a^alpha · n_b^(1 - alpha)) of ``ItemKNN``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    weighted = frame.withColumn("w", decayed(frame, half_life_days)).join(index.codes, "item_id")
    order = Window.partitionBy("user_id").orderBy("ts_ms", "event_id")
    positive = weighted.where(F.col("w") > 0).withColumn("pos", F.row_number().over(order))
    earlier = positive.select("user_id", "pos", F.col("code").alias("a"), F.col("w").alias("w_a"))
    later = (
        positive.select("user_id", F.col("pos").alias("pos_b"), F.col("code").alias("b"), F.col("w").alias("w_b"))
        .withColumn("d", F.explode(F.sequence(F.lit(1), F.lit(window))))
        .withColumn("pos", F.col("pos_b") - F.col("d"))
    )
    pairs = (
        later.join(earlier, ["user_id", "pos"]).where(F.col("a") != F.col("b"))
        .select("a", "b", (F.col("w_a") * F.col("w_b") / F.pow(F.col("d"), float(distance_power))).alias("v"))
    )
    both = pairs.select(F.col("a").alias("row"), F.col("b").alias("col"), "v").unionByName(
        pairs.select(F.col("b").alias("row"), F.col("a").alias("col"), (F.col("v") * float(backward_weight)).alias("v"))
    )
    counts = both.groupBy("row", "col").agg(F.sum("v").alias("c")).where(F.col("c") != 0)
    mass = weighted.groupBy("code").agg(F.sum(F.greatest(F.col("w"), F.lit(0.0))).alias("n"))
    safe = F.when(F.col("n") > 0, F.col("n")).otherwise(F.lit(1.0))
    left = mass.select(F.col("code").alias("row"), F.pow(safe, -float(alpha)).alias("l"))
    right = mass.select(F.col("code").alias("col"), F.pow(safe, -(1.0 - float(alpha))).alias("r"))
    scaled = F.col("l") * F.col("c") * F.col("r")
    cells = counts.join(left, "row").join(right, "col").select("row", "col", scaled.alias("s")).toPandas()
    rows, cols = cells["row"].to_numpy(np.int64), cells["col"].to_numpy(np.int64)
    n = len(index.ids)
    return sp.csr_matrix((cells["s"].to_numpy(np.float64), (rows, cols)), shape=(n, n)).astype(np.float32)


def als_item_factors(
    frame: DataFrame, index: ItemIndex, *, factors: int, regularization: float, alpha: float, iterations: int,
    half_life_days: float | None, seed: int = 0,
) -> np.ndarray:  # fmt: skip
    """(n_items, factors) float32 V of Spark's implicit ALS; zero rows for items without a positive cell."""
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import functions as F

    scale = frame.where(F.col("weight") > 0).agg(F.avg("weight")).first()[0]
    if scale is None:
        raise ValueError("no interactions with a positive weight to learn from")
    r = F.sum(decayed(frame, half_life_days)) / scale
    cells = frame.groupBy("user_id", "item_id").agg(r.alias("r")).where(F.col("r") > 0)
    numbered = cells.select("user_id").distinct().rdd.zipWithIndex()  # ALS wants int ids; distributed numbering
    users = numbered.map(lambda pair: (pair[0][0], pair[1])).toDF(["user_id", "user"])
    ratings = cells.join(users, "user_id").join(index.codes, "item_id").select(
        F.col("user").cast("int"), F.col("code").cast("int").alias("item"), F.col("r").cast("float")
    )
    blocks = frame.sparkSession.sparkContext.defaultParallelism  # Spark's default of 10 blocks is for clusters
    als = ALS(
        rank=factors, maxIter=iterations, regParam=regularization, alpha=alpha, implicitPrefs=True, seed=seed,
        userCol="user", itemCol="item", ratingCol="r", nonnegative=False, numUserBlocks=blocks, numItemBlocks=blocks,
    )  # fmt: skip
    learned = als.fit(ratings).itemFactors.toPandas()
    matrix = np.zeros((len(index.ids), factors), dtype=np.float32)
    if len(learned):
        matrix[learned["id"].to_numpy(np.int64)] = np.stack(learned["features"].to_numpy()).astype(np.float32)
    return matrix
