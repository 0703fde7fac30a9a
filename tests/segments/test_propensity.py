"""Metrics against hand-computed values; the propensity pipeline on a log with a known signal; no leakage;
scores merged into stored profiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from shopsense.evaluation.classification import lift_at, roc_auc
from shopsense.evaluation.propensity import evaluate_propensity, temporal_split, top_category
from shopsense.segments.audience import census
from shopsense.segments.features import DAY_MS, MISSING_DAYS, prepare_log, purchase_labels, user_features
from shopsense.segments.propensity import Target
from shopsense.segments.rules import parse_rule
from shopsense.segments.scoring import score_users


def test_roc_auc_by_hand() -> None:
    # positives 0.9, 0.4; negatives 0.8, 0.1: pairs won 0.9>0.8, 0.9>0.1, 0.4>0.1 -> 3 of 4
    assert roc_auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.4, 0.1])) == 0.75
    assert roc_auc(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5  # a tie counts one half
    assert roc_auc(np.array([1, 1, 0]), np.array([3, 2, 1])) == 1.0
    assert math.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))
    rng = np.random.default_rng(0)
    labels, scores = rng.integers(0, 2, 500), rng.integers(0, 20, 500)  # many ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_lift_by_hand() -> None:
    labels = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0])  # base rate 0.2
    scores = np.arange(10, 0, -1)
    assert lift_at(labels, scores, 0.1) == pytest.approx(5.0)  # top 1: rate 1 / 0.2
    assert lift_at(labels, scores, 0.3) == pytest.approx((2 / 3) / 0.2)
    assert lift_at(labels, scores, 1.0) == pytest.approx(1.0)
    assert lift_at(labels, np.zeros(10), 0.1) == pytest.approx(1.0)  # all tied: the expected share
    # k = 2: one place above the tie (label 0) and one of the two tied users (mean label 0.5)
    assert lift_at(np.array([0, 1, 0, 0]), np.array([3, 2, 2, 1]), 0.5) == pytest.approx((0.5 / 2) / 0.25)
    assert math.isnan(lift_at(np.zeros(5), np.arange(5), 0.1))
    with pytest.raises(ValueError):
        lift_at(labels, scores, 0.0)


def test_features_by_hand(synthetic) -> None:  # noqa: ANN001
    core = pd.DataFrame({
        "user_id": ["a", "a", "a", "b"], "type": ["view", "purchase", "purchase", "view"],
        "item_id": ["i0", "i0", "i10", "i10"], "ts_ms": [synthetic.start_ms, synthetic.start_ms + DAY_MS, synthetic.start_ms + 3 * DAY_MS, synthetic.start_ms],
        "value": [None, 2.0, None, None], "context": [None, '{"unit_price": 1.5}', '{"unit_price": 4}', None],
    })  # fmt: skip
    log = prepare_log(synthetic.events(core))
    features = user_features(log, synthetic.start_ms + 4 * DAY_MS, category_items={"i0"}, windows_days=(2.0,))
    a, b = features.loc["a"], features.loc["b"]
    assert list(features.index) == ["a", "b"]
    assert (a["events"], a["active_days"], a["recency_days"], a["tenure_days"]) == (3, 3, 1.0, 4.0)
    assert (a["purchase_days"], a["monetary"], a["order_value"], a["interpurchase_days"]) == (2, 7.0, 3.5, 2.0)
    assert (a["n_view"], a["n_purchase"], a["last_view_days"], a["last_purchase_days"]) == (1, 2, 4.0, 1.0)
    assert (a["events_2d"], a["purchases_2d"], a["share_2d"]) == (1, 1, 1 / 3)
    assert (a["cat_view"], a["cat_purchase"], a["cat_last_purchase_days"], a["cat_share"]) == (1, 1, 3.0, 2 / 3)
    assert (b["purchase_days"], b["interpurchase_days"], b["last_purchase_days"]) == (0, MISSING_DAYS, MISSING_DAYS)


def test_features_do_not_see_the_future(synthetic) -> None:  # noqa: ANN001
    log = synthetic.log(users=60, days=30)
    cutoff = synthetic.start_ms + 20 * DAY_MS
    before = user_features(prepare_log(log), cutoff, category_items={"i1", "i2"})
    later = pd.DataFrame({"user_id": ["u1", "u1", "new"], "type": ["purchase", "view", "purchase"],
                          "item_id": ["i1", "i2", "i1"], "ts_ms": [cutoff, cutoff + 5, cutoff + DAY_MS]})  # fmt: skip
    extended = pd.concat([log, synthetic.events(later)], ignore_index=True)
    pd.testing.assert_frame_equal(before, user_features(prepare_log(extended), cutoff, category_items={"i1", "i2"}))
    # the event exactly at the cutoff belongs to the label window, not to the features
    labels = purchase_labels(prepare_log(extended), before.index, cutoff, cutoff + DAY_MS)
    assert labels[before.index.get_loc("u1")] == 1


def test_the_model_learns_a_predictable_label(synthetic) -> None:  # noqa: ANN001
    log = prepare_log(synthetic.log())
    split = temporal_split(log, 10)
    assert split.end_ms - split.test_cutoff_ms == split.test_cutoff_ms - split.train_cutoff_ms == 10 * DAY_MS
    category = top_category(log, synthetic.categories, split.train_cutoff_ms)
    assert category == "Kitchen"
    targets = [Target("purchase"), Target("purchase", category), Target("churn")]
    _, rows = evaluate_propensity(log, targets, 10, item_categories=synthetic.categories)
    table = {(r.target, r.model): r for r in rows}
    assert len(rows) == 9
    for model in ("lightgbm", "logistic regression"):
        for target in ("purchase:any", "purchase:Kitchen"):
            assert table[target, model].roc_auc > 0.8, table[target, model]
            assert table[target, model].lift > 1.5, table[target, model]
    model = table["purchase:any", "lightgbm"]
    assert model.test_users == 400 and 0 < model.test_positives < 400


def test_score_users_merges_scores_into_stored_profiles(sqlite_db, synthetic) -> None:  # noqa: ANN001
    from shopsense.domain import Item

    sqlite_db.events.add(synthetic.log(users=200, days=40))
    sqlite_db.catalog.upsert_items([Item(item_id=i, title=i, category=c) for i, c in synthetic.categories.items()])
    sqlite_db.profiles.put_many({"u0": {"user_id": "u0", "rfm": {"segment": "champions"}, "scores": {"old": 1}},
                                 "u1": {"user_id": "u1", "lifecycle": {"stage": "active"}}})  # fmt: skip
    summary = score_users(sqlite_db, horizon_days=7, categories=["Kitchen"])
    assert summary.profiles_updated == 2 and summary.without_profile == summary.users_scored - 2
    assert set(summary.positives) == {"purchase:any", "purchase:Kitchen", "churn"}
    u0, u1 = sqlite_db.profiles.get("u0"), sqlite_db.profiles.get("u1")
    assert u0["rfm"] == {"segment": "champions"} and u1["lifecycle"] == {"stage": "active"}  # untouched
    assert set(u0["scores"]) == {"churn_risk", "propensity", "horizon_days", "as_of"}  # replaced as a whole
    assert set(u0["scores"]["propensity"]) == {"any", "Kitchen"} and u0["scores"]["horizon_days"] == 7
    assert 0 <= u1["scores"]["churn_risk"] <= 1
    # u0 buys often (0.3/day), u1 rarely (0.02/day)
    assert u0["scores"]["propensity"]["any"] > u1["scores"]["propensity"]["any"]
    rule = parse_rule({"field": "scores.propensity.any", "op": "gt", "value": u1["scores"]["propensity"]["any"]})
    assert census(rule, sqlite_db.profiles.iter_all(), sample=5).sample == ["u0"]
