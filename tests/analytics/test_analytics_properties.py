"""Properties every result keeps on a realistic synthetic shop: shares in [0, 1], funnels never widen, totals add up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from handworked_shop import dataset_log

from shopsense.analytics.frame import EventLog
from shopsense.analytics.registry import ANALYSES, compute
from shopsense.evaluation.synthetic_shop import synthetic_shop


@pytest.fixture(scope="module")
def results() -> Iterator[dict[str, dict]]:
    log: EventLog = dataset_log(synthetic_shop(40_000, n_users=1_500, n_items=800, seed=11))
    yield {name: compute(log, name) for name in ANALYSES}
    log.close()


def test_funnels_never_widen_and_rates_are_shares(results: dict[str, dict]) -> None:
    funnel = results["funnel"]
    for rows in funnel["overall"].values():
        reached = [r["reached"] for r in rows]
        assert reached == sorted(reached, reverse=True)
        assert all(0 <= r[f] <= 1 for r in rows for f in ("step_rate", "overall_rate"))
        assert all(r["reached"] <= r["with_event"] for r in rows)
    for key in ("by_category", "by_day", "by_week", "by_month"):
        for rows in funnel[key].values():
            for row in rows:
                assert all(v is None or 0 <= v <= 1 for v in [row["conversion"], *row["step_rate"].values()])


def test_retention_and_repeat_rates_are_shares(results: dict[str, dict]) -> None:
    for period in ("week", "month"):
        matrix = results["cohorts"][period]
        assert sum(c["size"] for c in matrix["cohorts"]) == results["overview"]["users"]
        for cohort in matrix["cohorts"]:
            assert cohort["retention"][0] == 1.0
            assert all(v is None or 0 <= v <= 1 for v in cohort["retention"])
    repeat = results["repeat-purchase"]
    assert 0 <= repeat["repeat_rate"] <= 1
    assert sum(b["count"] for b in repeat["orders_per_buyer"]) == repeat["buyers"]
    assert sum(b["count"] for b in repeat["interval_histogram"]) == repeat["interval_days"]["count"]
    assert repeat["interval_days"]["count"] == results["overview"]["orders"] - repeat["buyers"]  # no anonymous users here


def test_rfm_scores_cover_every_buyer(results: dict[str, dict]) -> None:
    rfm = results["rfm"]
    assert rfm["buyers"] == results["repeat-purchase"]["buyers"]
    for score, rows in rfm["scores"].items():
        assert [r["score"] for r in rows] == [1, 2, 3, 4, 5]
        assert sum(r["users"] for r in rows) == rfm["buyers"]
        bounds = [(r["low"], r["high"]) for r in rows if r["users"]]
        if score == "r":  # a higher R score is a more recent last purchase: fewer days
            assert all(later[1] <= earlier[0] for earlier, later in zip(bounds, bounds[1:]))
        else:
            assert all(earlier[1] <= later[0] for earlier, later in zip(bounds, bounds[1:]))
    assert sum(map(sum, rfm["grid_rf"]["users"])) == rfm["buyers"]


def test_clusters_popularity_pairs_and_activity_add_up(results: dict[str, dict]) -> None:
    overview = results["overview"]
    assert sum(c["size"] for c in results["clusters"]["clusters"]) == overview["users"]
    assert abs(sum(c["share"] for c in results["clusters"]["clusters"]) - 1) < 1e-9
    assert sum(r["purchases"] for r in results["popularity"]["categories"]) == overview["by_type"]["purchase"]
    pairs = results["co-purchase"]
    assert all(p["lift"] > 0 and p["together"] <= min(p["a_baskets"], p["b_baskets"]) for p in pairs["items"]["by_count"])
    assert pairs["baskets"] == overview["orders"]
    assert sum(map(sum, results["heatmap"]["events"])) == overview["events"]
    assert results["sessions"]["events_per_session"]["count"] == overview["sessions"]
    assert sum(b["count"] for b in results["sessions"]["events_histogram"]) == overview["sessions"]
