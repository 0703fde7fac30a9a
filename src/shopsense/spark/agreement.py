"""How closely ``train --engine spark`` agrees with the single-machine path on a real store, and how long each takes.

    python -m shopsense.spark.agreement --data-dir DIR [--factors 64] [--out FILE.json]

Protocol: from the store's log, each user's last *new* item (``data.interactions.hold_out_last_items``,
all users eligible) is held out with all its events; the rest goes into a fresh SQLite store under a
temporary folder, with the catalogue. Both engines train ``popularity, itemknn, also_bought, als`` there
(ALS with ``--factors`` factors in both; other hyper-parameters at their defaults), timed end to end
(the Spark time includes the Parquet export and the JVM start). Reported: the largest relative
difference of popularity scores and of co-occurrence similarities (and whether the same cells are
non-zero), and for ALS and ItemKNN HR@10 / NDCG@10 on the held-out items (full ranking, the user's
other items as history and masked) for each engine, plus the mean overlap of the two top-10 lists.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shopsense.config import load_settings
from shopsense.data.interactions import Interactions, hold_out_last_items
from shopsense.evaluation import rec_metrics as m
from shopsense.evaluation.ranking import RankingTask, evaluate_ranking
from shopsense.pipeline.train import load_events, train_models
from shopsense.serving.models import load_artifact
from shopsense.spark.train import SPARK_MODELS, SparkALS, train_with_spark
from shopsense.storage import Database, open_database


def held_out_copy(source: Database, target: Database, weights: dict[str, float]) -> RankingTask:
    """Copy ``source``'s catalogue and log without each user's held-out next item into ``target``."""
    events = load_events(source)
    log = Interactions.from_events(events, weights)
    holdout = hold_out_last_items(log, max_users=len(log.users))
    held = pd.MultiIndex.from_arrays([log.users.ids[holdout.users], log.items.ids[holdout.items]])
    kept = events[~pd.MultiIndex.from_frame(events[["user_id", "item_id"]]).isin(held)]
    target.catalog.upsert_items(list(source.catalog.iter_items()))
    for start in range(0, len(kept), 50_000):
        target.events.add(kept.iloc[start : start + 50_000])
    history = [list(log.items.ids[h]) for h in holdout.fit.histories(holdout.users)]
    return RankingTask(list(log.users.ids[holdout.users]), history, [[i] for i in log.items.ids[holdout.items]])


def _max_relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300), initial=0.0))


def compare(local: dict, spark: dict, task: RankingTask, k: int = 10) -> dict:
    """Agreement figures of two ``slot -> loaded model`` dicts (module docstring)."""
    out: dict = {"popularity_max_rel_diff": _max_relative(local["popularity"].scores, spark["popularity"].scores)}
    for slot in ("itemknn", "also_bought"):
        a, b = local[slot].similarity.tocsr(), spark[slot].similarity.tocsr()
        a.sort_indices(), b.sort_indices()
        same = bool(np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices))
        out[f"{slot}_same_cells"], out[f"{slot}_nnz"] = same, int(a.nnz)
        out[f"{slot}_max_rel_diff"] = _max_relative(a.data, b.data) if same else None
    for slot in ("als", "itemknn"):
        results = [evaluate_ranking(models[slot], task, k=k) for models in (local, spark)]
        for engine, result in zip(("local", "spark"), results):
            out[f"{slot}_{engine}_HR@{k}"] = round(float(m.hit_rate(result.ranks, k).mean()), 4)
            out[f"{slot}_{engine}_NDCG@{k}"] = round(float(m.ndcg(result.ranks, k).mean()), 4)
        pairs = zip(results[0].top, results[1].top)
        out[f"{slot}_top{k}_overlap"] = round(float(np.mean([len(set(x[x >= 0]) & set(y[y >= 0])) / k for x, y in pairs])), 3)
    return out


def run(data_dir: Path, factors: int, master: str = "local[2]") -> dict:
    source_settings = load_settings(env={}, data_dir=data_dir)
    source = open_database(source_settings.resolved_database_url)
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(env={}, data_dir=Path(scratch))
        db = open_database(settings.resolved_database_url)
        task = held_out_copy(source, db, dict(settings.event_weights))
        started = time.perf_counter()
        local = train_models(db, settings, SPARK_MODELS, {"als": {"factors": factors}})
        local_s = time.perf_counter() - started
        started = time.perf_counter()
        spark = train_with_spark(db, settings, SPARK_MODELS, master=master, als=SparkALS(factors=factors))
        spark_s = time.perf_counter() - started
        figures = {
            "events": source.events.count(), "held_out_users": len(task.users), "factors": factors, "master": master,
            "local_seconds": round(local_s, 1), "spark_seconds": round(spark_s, 1),
            **compare({t.name: load_artifact(t.path) for t in local}, {t.name: load_artifact(t.path) for t in spark}, task),
        }  # fmt: skip
        db.close()
    source.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a ShopSense data dir with a SQLite store")
    parser.add_argument("--factors", type=int, default=64, help="ALS factors for both engines")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    figures = run(args.data_dir, args.factors, args.master)
    text = json.dumps(figures, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
