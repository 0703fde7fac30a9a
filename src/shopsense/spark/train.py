"""``shopsense train --engine spark``: the Spark jobs' outputs saved as ordinary model versions.

Each slot is the single-machine model class with its default hyper-parameters, whose learned state is
computed by a Spark job instead of ``fit``, then saved and registered by ``pipeline.train.publish``; so
the artifacts (``params.json`` + ``.npy``) are the ones ``shopsense train`` writes and the server loads
them unchanged:

| slot | model class | state from |
|---|---|---|
| ``popularity`` | ``Popularity`` | :func:`~shopsense.spark.jobs.popularity_totals` (+ catalogue categories) |
| ``itemknn`` | ``ItemKNN`` | :func:`~shopsense.spark.jobs.cooccurrence_similarity` with the configured event weights |
| ``also_bought`` | ``ItemKNN`` (backward_weight 1) | the same job on purchases only |
| ``als`` | ``ALS`` | :func:`~shopsense.spark.jobs.als_item_factors` (:class:`SparkALS`) |

Users are folded in at request time from their recent items (as for every model), so no user factors
or per-user tables leave Spark. All versions of one run are registered first and activated together.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopsense.config import Settings
from shopsense.models.implicit_mf import ALS
from shopsense.models.itemknn import ItemKNN
from shopsense.models.popularity import Popularity
from shopsense.models.scorer import sparse_state
from shopsense.pipeline.train import ALSO_BOUGHT, NothingToTrainError, TrainedVersion, item_features, publish
from shopsense.spark import jobs
from shopsense.spark.export import export_events
from shopsense.spark.session import check_spark, spark_session
from shopsense.storage import Database

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SPARK_MODELS = ("popularity", "itemknn", "also_bought", "als")


@dataclass(frozen=True)
class SparkALS:
    """Hyper-parameters of Spark's implicit ALS and of the saved ``ALS``'s request-time fold-in.

    ``regularization`` is Spark's regParam, which Spark multiplies by each user's / item's number of
    positive cells; ``fold_in_regularization`` is the constant λ of the fold-in step the server runs
    (``ALS.regularization`` in the artifact). Defaults: ``ALS``'s factors, alpha, iterations and λ for the
    fold-in; regParam 1.0 chosen on the planted test shop against the single-machine ALS (docs/spark.md).
    """

    factors: int = 256
    regularization: float = 1.0
    alpha: float = 40.0
    iterations: int = 15
    fold_in_regularization: float = 30.0
    seed: int = 0

    def fit(self, frame: DataFrame, index: jobs.ItemIndex) -> ALS:
        factors = jobs.als_item_factors(
            frame, index, factors=self.factors, regularization=self.regularization, alpha=self.alpha,
            iterations=self.iterations, half_life_days=None, seed=self.seed,
        )  # fmt: skip
        model = ALS(
            factors=self.factors, regularization=self.fold_in_regularization, alpha=self.alpha,
            iterations=self.iterations,
        )  # fmt: skip
        model.set_item_ids(index.ids)
        model.restore({"item_factors": factors})
        return model


@dataclass(frozen=True)
class Prepared:
    """One interaction frame (cached in Spark) with its item index and sizes, shared by the slots that use it."""

    frame: DataFrame
    index: jobs.ItemIndex
    rows: int
    users: int

    @classmethod
    def of(cls, events: DataFrame, weights: Mapping[str, float]) -> Prepared:
        frame = jobs.interactions(events, weights).cache()
        return cls(frame, jobs.ItemIndex.of(frame), *jobs.counts(frame))


def _knn(data: Prepared, model: ItemKNN) -> ItemKNN:
    similarity = jobs.cooccurrence_similarity(
        data.frame, data.index, window=model.window, distance_power=model.distance_power,
        backward_weight=model.backward_weight, alpha=model.alpha, half_life_days=model.half_life_days,
    )  # fmt: skip
    model.set_item_ids(data.index.ids)
    model.restore(sparse_state("similarity", similarity))
    return model


def _fit(name: str, data: Prepared, db: Database, als: SparkALS) -> Any:
    if data.rows == 0:
        raise NothingToTrainError(f"no events for {name} to learn from (also_bought needs purchases)")
    if name == "popularity":
        model = Popularity()
        totals = jobs.popularity_totals(data.frame, data.index, half_life_days=model.half_life_days)
        return model.set_popularity(data.index.ids, totals, item_features(db))
    if name == "als":
        return als.fit(data.frame, data.index)
    return _knn(data, ItemKNN(**ALSO_BOUGHT) if name == "also_bought" else ItemKNN())


def export_for_spark(db: Database, settings: Settings) -> Path:
    """A fresh Parquet export of the whole log at ``DATA_DIR/spark/events`` (the previous one replaced)."""
    out = settings.data_dir / "spark" / "events"
    if out.exists():
        shutil.rmtree(out)
    if export_events(db, out).rows == 0:
        raise NothingToTrainError("the event log is empty: import events first (shopsense import or shopsense demo)")
    return out


def train_with_spark(
    db: Database, settings: Settings, models: Sequence[str] = SPARK_MODELS, *, events: Path | None = None,
    master: str = "local[2]", als: SparkALS = SparkALS(),
) -> list[TrainedVersion]:  # fmt: skip
    """Train ``models`` with Spark on the export at ``events`` (default: a fresh export of ``db``'s log),
    register the versions in ``db`` and activate them all. ``also_bought`` is skipped without purchases
    unless asked for explicitly, as in ``pipeline.train.train_models``."""
    unknown = [name for name in models if name not in SPARK_MODELS]
    if unknown:
        raise ValueError(f"--engine spark trains {', '.join(SPARK_MODELS)}; not {', '.join(unknown)}")
    check_spark()
    path = Path(events) if events is not None else export_for_spark(db, settings)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    trained = []
    with spark_session(master) as spark:
        log = jobs.read_events(spark, path)
        weighted = Prepared.of(log, settings.event_weights)
        if weighted.rows == 0:
            raise NothingToTrainError("no events with an item and a non-zero weight to learn from")
        for name in models:
            started = time.perf_counter()
            data = Prepared.of(log, {"purchase": 1.0}) if name == "also_bought" else weighted
            try:
                model = _fit(name, data, db, als)
            except NothingToTrainError:
                if tuple(models) == SPARK_MODELS and name == "also_bought":
                    continue
                raise
            metrics = {
                "interactions": data.rows, "users": data.users, "items": len(model.item_ids),
                "fit_seconds": round(time.perf_counter() - started, 3), "engine": "spark", "master": master,
            }  # fmt: skip
            trained.append(publish(db, settings, name, version, model, metrics))
    for t in trained:
        db.registry.activate(t.name, t.version)
    return trained
