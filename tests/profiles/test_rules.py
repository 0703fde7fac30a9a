"""Each documented rule on hand-made inputs: price bands, RFM, lifecycle, transitions, tags, cycles."""

from __future__ import annotations

import pandas as pd
import pytest
from profile_shop import GARDEN, KITCHEN, catalogue

from shopsense.profiles import rfm
from shopsense.profiles.items import ALL_ITEMS, item_frame, price_quartiles, with_bands
from shopsense.profiles.model import ProfileModel
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.render import last_visits, lifecycle, normalised, render
from shopsense.profiles.state import empty_state
from shopsense.profiles.tags import quiet_window
from shopsense.profiles.transitions import TransitionModel, fit_transitions


def test_price_quartiles_per_category_and_for_the_whole_catalogue() -> None:
    quartiles = price_quartiles(item_frame(catalogue()))
    assert quartiles[KITCHEN] == pytest.approx([3.25, 5.5, 7.75])
    assert GARDEN not in quartiles  # 2 priced items: too few for its own quartiles
    prices = pd.Series([*range(1, 11), 4.0, 20.0], dtype="float64")
    assert quartiles[ALL_ITEMS] == pytest.approx(list(prices.quantile([0.25, 0.5, 0.75])))


def test_items_are_banded_within_their_category() -> None:
    items = item_frame(catalogue())
    bands = with_bands(items, price_quartiles(items))["band"]
    assert [bands[f"k{p}"] for p in (1, 3, 4, 5, 6, 7, 8, 10)] == ["low", "low", "mid", "mid", "high", "high", "premium", "premium"]
    assert bands["g1"] == "mid" and bands["g2"] == "premium"  # against the whole catalogue: q1 = 3.75, q3 = 8.5
    assert pd.isna(bands["x1"])  # no price
    assert with_bands(items, {})["band"].isna().all()  # no quartiles yet: no bands


def test_rfm_cuts_are_quintiles_over_buyers_only() -> None:
    values = [(float(d), f, float(10 * f)) for d, f in zip(range(10), range(1, 11))] + [(None, 0, 0.0)]
    cuts = rfm.fit_cuts(values)
    assert cuts["frequency"] == pytest.approx([2.8, 4.6, 6.4, 8.2])
    assert cuts["recency"] == pytest.approx([1.8, 3.6, 5.4, 7.2])
    assert rfm.fit_cuts([(None, 0, 0.0)]) == {}


@pytest.mark.parametrize(
    ("values", "scores"),
    [
        ((0.0, 10, 100.0), (5, 5, 5)),  # beats every cut
        ((9.0, 1, 10.0), (1, 1, 1)),
        ((3.6, 4, 46.0), (3, 2, 2)),  # equal to a cut does not beat it (recency 3.6, monetary 46)
        ((None, 0, 0.0), None),  # no purchase
    ],
)
def test_rfm_scores_count_the_cuts_beaten(values: tuple, scores: tuple | None) -> None:
    cuts = {"recency": [1.8, 3.6, 5.4, 7.2], "frequency": [2.8, 4.6, 6.4, 8.2], "monetary": [28.0, 46.0, 64.0, 82.0]}
    assert rfm.scores(values, cuts) == scores
    assert rfm.scores(values, {}) is None  # before the first rebuild


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [(5, 5, "champions"), (4, 4, "champions"), (3, 5, "loyal"), (5, 3, "potential loyalist"), (4, 2, "potential loyalist"),
     (5, 1, "new"), (3, 3, "need attention"), (3, 1, "need attention"), (2, 5, "at risk"), (1, 3, "at risk"),
     (2, 2, "hibernating"), (2, 1, "hibernating"), (1, 2, "lost"), (1, 1, "lost")],
)  # fmt: skip
def test_rfm_segments(r: int, f: int, segment: str) -> None:
    assert rfm.segment(r, f) == segment


@pytest.mark.parametrize(
    ("inactive", "known", "stage"),
    [(0.0, 10.0, "new"), (30.0, 30.0, "new"), (0.0, 31.0, "active"), (30.0, 400.0, "active"), (30.5, 400.0, "at risk"),
     (90.0, 400.0, "at risk"), (90.5, 400.0, "churned"), (None, None, None)],
)  # fmt: skip
def test_lifecycle_stages(inactive: float | None, known: float | None, stage: str | None) -> None:
    found = lifecycle(inactive, known, ProfileParams())
    assert found["stage"] == stage
    assert found["rule"]


def test_affinities_are_normalised_positive_sums() -> None:
    assert normalised({"a": 3.0, "b": 1.0, "c": -2.0, "d": 1e-12}) == {"a": 0.75, "b": 0.25}
    assert normalised({}) == {}


def _visit_frame(sequences: dict[str, list[str]]) -> pd.DataFrame:
    rows = [
        {"user": user, "ts": t, "event_id": f"{user}-{t}", "category": category, "weight": 1.0}
        for user, categories in sequences.items()
        for t, category in enumerate(categories)
    ]
    return pd.DataFrame(rows)


def test_transitions_count_visits_and_smooth_towards_popularity() -> None:
    model = fit_transitions(_visit_frame({"u1": ["A", "A", "B", "C"], "u2": ["A", "B", "A"], "u3": ["C"]}))
    # visits: u1 A B C, u2 A B A, u3 C -> pairs A→B ×2, B→C, B→A; popularity A 3/7, B 2/7, C 2/7
    assert dict(model.successors["A"]) == {"B": 2}
    assert model.totals == {"A": 2, "B": 2}
    assert model.popularity == pytest.approx({"A": 3 / 7, "B": 2 / 7, "C": 2 / 7})
    p_b_given_a = (2 + 2 / 7) / (2 + 1)
    p_c_given_a = (0 + 2 / 7) / (2 + 1)
    assert model.predict(["A"]) == pytest.approx([("B", p_b_given_a), ("C", p_c_given_a)])
    # a mixture over the last visits: λ = (1, ½) / 1.5; the latest category itself is never predicted
    p_c_given_b, p_a_given_b = (1 + 2 / 7) / 3, (1 + 3 / 7) / 3
    expected_c = (1 * (2 / 7) / 3 + 0.5 * p_c_given_b) / 1.5  # P(C|A) then P(C|B)
    expected_b_excluded = dict(model.predict(["A", "B"]))
    assert "A" not in expected_b_excluded
    assert expected_b_excluded["C"] == pytest.approx(expected_c)
    assert TransitionModel().predict(["A"]) == []
    assert model.predict([]) == []
    assert p_a_given_b > 0


def test_last_visits_collapse_repeats_latest_first() -> None:
    recent = [[1, "e1", "A"], [2, "e2", "A"], [3, "e3", "B"], [4, "e4", "A"], [5, "e5", "C"]]
    assert last_visits(recent) == ["C", "A", "B"]


def _state(**changes: object) -> dict:
    state = empty_state()
    state.update(first_ms=0, last_ms=0, events=1)
    state.update(changes)
    return state


MODEL = ProfileModel(
    reference_ms=100 * 86_400_000,
    rfm_bounds={"recency": [10.0, 20, 30, 40], "frequency": [1.0, 2, 3, 4], "monetary": [10.0, 20, 30, 40]},
    hour_shares=tuple([0.0] * 6 + [1 / 18] * 18),  # the shop is quiet from 00:00 to 06:00
    weekday_shares=tuple([0.2] * 5 + [0.0, 0.0]),
)


def _tags(state: dict, model: ProfileModel = MODEL) -> dict[str, str]:
    return {t["tag"]: t["evidence"] for t in render(state, model)["tags"]}


DAY = 86_400_000


@pytest.mark.parametrize(
    ("state", "tag", "evidence"),
    [
        (_state(orders=["o1"], last_purchase_ms=99 * DAY, last_ms=99 * DAY, spent=50.0), "big spender", "spent 50.00 net, in the top 20% of buyers"),
        (_state(orders=[f"o{i}" for i in range(6)], last_purchase_ms=98 * DAY, last_ms=98 * DAY), "loyal", "6 orders, the last 2 days ago"),
        (_state(orders=["o1", "o2"], last_purchase_ms=0, last_ms=0), "lapsed", "2 orders, but no activity for 100 days"),
        (_state(bands={"low": 4, "high": 1}), "price-sensitive", "80% of purchases in the lowest price band of their category"),
        (_state(bands={"premium": 3, "mid": 2}), "premium buyer", "60% of purchases in the top price band of their category"),
        (_state(by_type={"purchase": 4}, units=60.0), "bulk buyer", "15 units per purchase line on average"),
        (_state(by_type={"purchase": 4, "refund": 2}, spent=100.0, refunded=20.0), "refund-prone", "20% of purchased value refunded (2 refunds)"),
        (_state(events=12, affinity={"category": {"Kitchen": 3.0, "Garden": 1.0}, "brand": {}, "shop": {}, "price_band": {}}),
         "category fan", "75% of their category interest is in Kitchen"),
        (_state(by_type={"view": 15, "click": 5}), "window shopper", "20 views and clicks, no purchase"),
        (_state(by_type={"add_to_cart": 5}), "cart abandoner", "5 add-to-carts, no purchase"),
        (_state(events=10, hours=[1, 1, 1, 0, 0, 0] + [0] * 17 + [7]), "night owl",
         "30% of activity between 00:00 and 06:00 UTC, the shop's quietest hours (0% of all activity)"),
        (_state(events=10, weekdays=[1, 1, 1, 1, 1, 3, 2]), "weekend shopper", "50% of activity on Saturdays and Sundays (0% shop-wide)"),
        (_state(reviews=2, review_score=1.0), "happy reviewer", "2 reviews, mean sentiment +0.50"),
        (_state(reviews=3, review_score=-1.5), "critical reviewer", "3 reviews, mean sentiment -0.50"),
    ],
)  # fmt: skip
def test_each_tag_rule_with_its_evidence(state: dict, tag: str, evidence: str) -> None:
    assert _tags(state).get(tag) == evidence


@pytest.mark.parametrize(
    "state",
    [
        _state(orders=["o1"], last_purchase_ms=99 * DAY, last_ms=99 * DAY, spent=40.0),  # m = 4
        _state(orders=[f"o{i}" for i in range(4)], last_ms=99 * DAY, last_purchase_ms=99 * DAY),  # 4 orders
        _state(orders=["o1"], last_purchase_ms=0, last_ms=0),  # a one-off buyer has not lapsed
        _state(bands={"low": 3, "high": 1}),  # only 4 banded purchases
        _state(by_type={"purchase": 2}, units=60.0),  # 2 lines
        _state(by_type={"purchase": 4, "refund": 2}, spent=100.0, refunded=10.0),
        _state(by_type={"view": 30, "purchase": 1}),
        _state(by_type={"add_to_cart": 9, "purchase": 1}),
        _state(events=9, hours=[9] + [0] * 23),  # too few events for a habit
        _state(reviews=1, review_score=0.9),
    ],
)  # fmt: skip
def test_tags_need_their_thresholds(state: dict) -> None:
    assert _tags(state) == {}


def test_habit_baselines_come_from_the_shop() -> None:
    evening_shop = tuple([1 / 24] * 24)
    assert quiet_window(evening_shop) == (0, pytest.approx(0.25))
    busy_weekends = ProfileModel(weekday_shares=tuple([0.1] * 5 + [0.25, 0.25]))  # 50% of the shop's activity
    assert "weekend shopper" not in _tags(_state(events=10, weekdays=[1, 1, 1, 1, 0, 3, 3]), busy_weekends)
    assert "weekend shopper" in _tags(_state(events=10, weekdays=[0, 0, 0, 0, 0, 4, 6]), busy_weekends)
    assert "night owl" not in _tags(_state(events=10, hours=[10] + [0] * 23), ProfileModel())  # no baseline yet


def test_purchase_cycle_is_the_median_gap_between_purchase_days() -> None:
    doc = render(_state(purchase_days=[0, 10, 30, 31], category_days={KITCHEN: [0, 10, 30], GARDEN: [1, 5]}), MODEL)
    assert doc["purchase_cycle"] == {"overall_days": 10.0, "by_category": {KITCHEN: 15.0}}  # gaps 10, 20, 1
    assert render(_state(purchase_days=[3]), MODEL)["purchase_cycle"] == {"overall_days": None, "by_category": {}}


def test_sentiment_section_averages_review_scores() -> None:
    doc = render(_state(reviews=4, review_score=-1.0, ratings=2, rating_sum=7.0), MODEL)
    assert doc["sentiment"] == {"reviews": 4, "mean": -0.25, "label": "negative", "ratings": 2, "rating_mean": 3.5}
