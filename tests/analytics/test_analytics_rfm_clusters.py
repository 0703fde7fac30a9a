"""RFM scores (hand-worked, with ties) and the clustering's choice of k, descriptions and projection."""

from __future__ import annotations

import pytest
from handworked_shop import at, dataset_log, make_log

from shopsense.analytics.clusters import clusters, describe
from shopsense.analytics.frame import EventLog
from shopsense.analytics.rfm import rfm, rfm_scores
from shopsense.evaluation.synthetic_shop import synthetic_shop


def test_rfm_values_and_scores(log: EventLog) -> None:
    scores = rfm_scores(log).set_index("user_id")
    assert list(scores.index) == ["u1", "u5"]  # buyers; u4 is anonymous
    end = at(9, 20)
    assert scores.loc["u1", "recency_days"] == pytest.approx((end - at(8, 10, 5)) / 86_400_000)
    assert scores.loc["u5", "recency_days"] == pytest.approx((end - at(0, 10, 20)) / 86_400_000)
    assert (scores.loc["u1", "frequency"], scores.loc["u5", "frequency"]) == (2, 1)
    assert (scores.loc["u1", "monetary"], scores.loc["u5", "monetary"]) == (38.0, 5.0)  # 2×4 + 10 + 20; 1×5
    # two buyers: ranks 1 and 2 give 1 + ⌊5·0/2⌋ = 1 and 1 + ⌊5·1/2⌋ = 3
    assert scores.loc["u1", ["r", "f", "m"]].tolist() == [3, 3, 3]
    assert scores.loc["u5", ["r", "f", "m"]].tolist() == [1, 1, 1]


def test_tied_values_share_a_score() -> None:
    orders = {"a": 1, "b": 1, "c": 2, "d": 3, "e": 5}  # ranks 1, 1, 3, 4, 5
    rows = [(f"{u}{n}", u, f"{u}-s{n}", "purchase", "i1", 1.0, at(n, 1), None) for u, k in orders.items() for n in range(k)]
    scores = rfm_scores(make_log(rows)).set_index("user_id")
    assert scores["f"].to_dict() == {"a": 1, "b": 1, "c": 3, "d": 4, "e": 5}


def test_rfm_distribution(log: EventLog) -> None:
    result = rfm(log)
    assert result["buyers"] == 2
    assert [s["users"] for s in result["scores"]["f"]] == [1, 0, 1, 0, 0]
    assert result["scores"]["m"][2] == {"score": 3, "users": 1, "low": 38.0, "high": 38.0, "median": 38.0}
    assert result["grid_rf"]["users"][2][2] == 1 and result["grid_rf"]["users"][0][0] == 1  # (r3, f3) and (r1, f1)
    assert sum(map(sum, result["grid_rf"]["users"])) == 2


def test_without_prices_there_is_no_monetary_score() -> None:
    rows = [("a", "u1", "s1", "purchase", "nope", 1.0, at(0, 1), None)]  # an item the catalogue does not know
    result = rfm(make_log(rows))
    assert set(result["scores"]) == {"r", "f"} and "monetary_note" in result


def test_clusters_on_a_synthetic_shop() -> None:
    dataset = synthetic_shop(30_000, n_users=800, n_items=300, seed=3)
    result = clusters(dataset_log(dataset))
    assert 2 <= result["k"] <= 6 and result["k"] == len(result["clusters"])
    assert max(result["silhouette"], key=result["silhouette"].get) == result["k"]
    assert sum(c["size"] for c in result["clusters"]) == result["users"] > 790  # a few users may lose their only view
    assert [c["size"] for c in result["clusters"]] == sorted((c["size"] for c in result["clusters"]), reverse=True)
    assert all(c["description"].startswith(f"{c['size']:,} users (") for c in result["clusters"])
    assert len(result["pca"]["points"]) == result["users"] and 0 < sum(result["pca"]["explained_variance"]) <= 1


def test_too_few_users_to_cluster(log: EventLog) -> None:
    result = clusters(log)
    assert result["clusters"] == [] and "at least" in result["note"]


def test_descriptions_name_what_stands_out() -> None:
    overall = {"orders": 1, "monetary": 50.0, "recency_days": 30.0, "sessions": 3, "events": 20, "items": 8, "active_days": 3}
    mine = {"orders": 6, "monetary": 900.0, "recency_days": 2.0, "sessions": 9, "events": 80, "items": 30, "active_days": 9}
    centre = {"orders": 1.5, "monetary": 1.2, "recency_days": -0.9, "sessions": 1.4, "events": 1.1, "items": 1.0, "active_days": 1.3}
    label, facts = describe(centre, mine, overall)
    assert label == "frequent buyers, high-spending, recent"
    assert facts.startswith("median 6 orders, spent 900.00, 9 sessions, last active 2 days before")
    idle = {**overall, "orders": 0, "monetary": None}
    label, _ = describe({k: -v for k, v in centre.items()}, idle, overall)
    assert label.startswith("non-buyers") and "spending" not in label
    same = describe({k: 0.1 for k in centre}, overall, overall)[0]
    assert same == "average on every feature"
