"""Score every user and store the scores in their profile, where segment rules can use them.

With T the newest event in the store and N the horizon: a model is trained on (features before
T − N, labels in [T − N, T)) and applied to the features before T, giving P(purchase in the next N
days), overall and per requested category, and P(churn: no event in the next N days). Each stored
profile gets::

    "scores": {"churn_risk": 0.12, "propensity": {"any": 0.4, "Kitchen": 0.31}, "horizon_days": 30,
               "as_of": "2011-12-09T12:50:00Z"}

The ``scores`` key is replaced as a whole; every other key of the document is left as it was, through
``ProfileStore.update`` (read-modify-write that re-applies itself to documents an ingest changed
meanwhile, so no concurrent profile update is lost). Users without a stored profile are not given one
(the profile builder owns the document, and keeps ``scores`` when it rewrites it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from shopsense.segments.features import DAY_MS, prepare_log
from shopsense.segments.propensity import GradientBoosting, Scorer, Target, examples
from shopsense.storage import Database
from shopsense.storage.codec import from_ms


@dataclass
class ScoringSummary:
    users_scored: int = 0
    profiles_updated: int = 0
    without_profile: int = 0
    positives: dict[str, int] = field(default_factory=dict)  # training positives per target
    as_of: str = ""


def compute_scores(
    log: pd.DataFrame,
    targets: Sequence[Target],
    horizon_days: float,
    *,
    item_categories: dict[str, tuple[str, ...]] | None = None,
    make_scorer: Callable[[], Scorer] = GradientBoosting,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """(users × targets table of probabilities for the next ``horizon_days``, training positives per target)."""
    now = int(log["ts_ms"].max()) + 1
    past = now - int(horizon_days * DAY_MS)
    columns, positives = {}, {}
    for target in targets:
        train = examples(log, target, past, horizon_days, item_categories=item_categories)
        current = examples(log, target, now, horizon_days, item_categories=item_categories)
        scorer = make_scorer().fit(train.features, train.labels, seed=seed)
        columns[target.name] = pd.Series(scorer.score(current.features), index=current.features.index)
        positives[target.name] = int(train.labels.sum())
    return pd.DataFrame(columns), positives


def _scores_document(row: dict[str, float], horizon_days: float, as_of: str) -> dict:
    propensity = {name.split(":", 1)[1]: round(float(p), 6) for name, p in row.items() if name != "churn"}
    churn = round(float(row["churn"]), 6)
    return {"churn_risk": churn, "propensity": propensity, "horizon_days": horizon_days, "as_of": as_of}


def score_users(
    db: Database, *, horizon_days: float = 30.0, categories: Sequence[str] = (), seed: int = 0, batch: int = 2_000
) -> ScoringSummary:
    """Train on the store's event log, score every user, merge ``scores`` into the stored profiles."""
    frames = list(db.events.iter_frames())
    if not frames:
        raise ValueError("the event log is empty: import events first")
    log = prepare_log(pd.concat(frames, ignore_index=True))
    item_categories = {i.item_id: i.category for i in db.catalog.iter_items() if i.category} if categories else None
    targets = [Target("purchase"), *(Target("purchase", c) for c in categories), Target("churn")]
    table, positives = compute_scores(log, targets, horizon_days, item_categories=item_categories, seed=seed)
    as_of = from_ms(int(log["ts_ms"].max())).strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = ScoringSummary(users_scored=len(table), positives=positives, as_of=as_of)
    rows = table.to_dict("index")
    written: set[str] = set()

    def with_scores(_users: list[str], stored: dict[str, dict]) -> dict[str, dict]:
        for user_id, document in stored.items():
            document["scores"] = _scores_document(rows[user_id], horizon_days, as_of)
        written.update(stored)
        return stored

    user_ids = list(rows)
    for start in range(0, len(user_ids), batch):
        db.profiles.update(user_ids[start : start + batch], with_scores)
    summary.profiles_updated, summary.without_profile = len(written), len(rows) - len(written)
    return summary
