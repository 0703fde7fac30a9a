"""A/B experiments end to end: bucketing, impressions, attribution of clicks and purchases, results."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime

import pytest
from conftest import ShopApi
from serving_shop import event

from shopsense.serving.experiments import ExperimentError, bucket, parse_experiment
from shopsense.storage.impressions import ImpressionStore

DEFINITION = {
    "experiment_id": "feed-diversity", "scenario": "for_you", "min_users_per_variant": 5,
    "variants": [{"name": "control", "weight": 1}, {"name": "diverse", "weight": 1, "rules": {"diversity": 1.0}}],
}  # fmt: skip


def test_bucketing_is_deterministic_and_follows_the_weights() -> None:
    experiment = parse_experiment("e1", {"scenario": "for_you", "traffic": 0.5, "variants": [
        {"name": "a", "weight": 3}, {"name": "b", "weight": 1}]}, {"for_you"})  # fmt: skip
    users = [f"user{n}" for n in range(20_000)]
    assigned = [experiment.assign(u) for u in users]
    assert assigned == [experiment.assign(u) for u in users]
    counts = Counter(v.name if v else None for v in assigned)
    assert counts[None] == pytest.approx(10_000, rel=0.05)
    assert counts["a"] / counts["b"] == pytest.approx(3.0, rel=0.1)
    assert bucket("e1", "user1") != bucket("e2", "user1")  # experiments split independently


@pytest.mark.parametrize(
    ("change", "part"),
    [({"scenario": "nope"}, "scenario"), ({"variants": [{"name": "only"}]}, "at least two"),
     ({"traffic": 0}, "traffic"), ({"alpha": 0.7}, "alpha"), ({"variants": [{"name": "a"}, {"name": "a"}]}, "unique"),
     ({"variants": [{"name": "a"}, {"name": "b", "rules": {"diversity": 9}}]}, "diversity"), ({"extra": 1}, "unknown")],
)  # fmt: skip
def test_bad_definitions_are_refused(change: dict, part: str) -> None:
    doc = {k: v for k, v in DEFINITION.items() if k != "experiment_id"} | change
    with pytest.raises(ExperimentError, match=part):
        parse_experiment("x", doc, {"for_you"})


def test_experiment_results_attribute_clicks_and_purchases(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    created = shop.http.post("/v1/experiments", json=dict(DEFINITION), headers=shop.admin)
    assert created.status_code == 201, created.text
    error_of(shop.http.post("/v1/experiments", json=dict(DEFINITION), headers=shop.admin), 409, "conflict")
    lists = {}
    for u in range(30):
        body = shop.recommend(f"u{u}", n=5)
        assert body["experiment"]["id"] == "feed-diversity"
        lists[f"u{u}"] = body
        assert shop.recommend(f"u{u}", n=5)["experiment"]["variant"] == body["experiment"]["variant"]  # sticky
    now = datetime.now(UTC)
    expected = {name: {"clicks": 0, "buyers": set(), "revenue": {}} for name in ("control", "diverse")}
    for n, (user, body) in enumerate(sorted(lists.items())):
        variant, items = body["experiment"]["variant"], body["items"]
        if n % 2 == 0:  # click the first two items shown, twice each (counted once)
            for pos in (0, 1):
                shop.send(event(5000 + 10 * n + pos, user, "click", items[pos]["item_id"], now, recomm_id=body["recomm_id"], position=pos))
            shop.send(event(6000 + n, user, "click", items[0]["item_id"], now, recomm_id=body["recomm_id"], position=0))  # repeat
            expected[variant]["clicks"] += 2
        if n % 3 == 0:  # buy the first item shown, 2 pieces (price from the catalogue)
            shop.send(event(7000 + n, user, "purchase", items[0]["item_id"], now, recomm_id=body["recomm_id"], value=2))
            expected[variant]["buyers"].add(user)
            price = 10.0 + int(items[0]["item_id"].split("-i")[1])
            expected[variant]["revenue"][user] = 2 * price
        if n == 1:  # a click naming an item the list did not show is not attributed
            shown = {i["item_id"] for i in items}
            other = next(f"c{c}-i{k}" for c in range(4) for k in range(6) if f"c{c}-i{k}" not in shown)
            shop.send(event(8000, user, "click", other, now, recomm_id=body["recomm_id"]))
    results = shop.http.get("/v1/experiments/feed-diversity/results", headers=shop.client).json()
    assert results["verdict"] == "ready" and results["alpha_per_comparison"] == 0.05
    by_name = {v["name"]: v for v in results["variants"]}
    counts = Counter(b["experiment"]["variant"] for b in lists.values())
    for name, row in by_name.items():
        users = counts[name]
        assert row["users"] == users and row["lists"] == 2 * users and row["impressions"] == 2 * users * 5
        assert row["clicks"] == expected[name]["clicks"]
        assert row["ctr"]["value"] == pytest.approx(row["clicks"] / row["impressions"])
        assert row["conversions"] == len(expected[name]["buyers"])
        assert row["conversion"]["value"] == pytest.approx(len(expected[name]["buyers"]) / users)
        assert row["revenue_per_user"]["value"] == pytest.approx(sum(expected[name]["revenue"].values()) / users)
    c, d = by_name["control"], by_name["diverse"]
    pooled = (c["clicks"] + d["clicks"]) / (c["impressions"] + d["impressions"])
    z = (d["clicks"] / d["impressions"] - c["clicks"] / c["impressions"]) / math.sqrt(
        pooled * (1 - pooled) * (1 / d["impressions"] + 1 / c["impressions"]))  # fmt: skip
    assert d["vs_control"]["ctr"]["statistic"] == pytest.approx(z)
    assert d["vs_control"]["ctr"]["p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert d["vs_control"]["ctr"]["significant"] == (d["vs_control"]["ctr"]["p_value"] < 0.05)


def test_impressions_are_logged_and_peeking_is_guarded(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    body = shop.recommend("u2", n=4)
    runtime = shop.http.app.state.serving
    runtime.impressions.flush()
    shown = ImpressionStore(shop.db.engine).shown(body["recomm_id"])
    assert shown["item_id"].tolist() == [i["item_id"] for i in body["items"]]
    assert shown["position"].tolist() == [0, 1, 2, 3] and set(shown["scenario"]) == {"for_you"}
    definition = dict(DEFINITION, experiment_id="big", min_users_per_variant=1000)
    assert shop.http.post("/v1/experiments", json=definition, headers=shop.admin).status_code == 201
    for u in range(6):
        shop.recommend(f"u{u}")
    results = shop.http.get("/v1/experiments/big/results", headers=shop.client).json()
    assert results["verdict"] == "collecting"
    assert all(t["significant"] is None for t in results["variants"][1]["vs_control"].values())
    assert shop.http.post("/v1/experiments/big/stop", headers=shop.admin).json()["status"] == "stopped"
    assert shop.recommend("u1")["experiment"] is None
    error_of(shop.http.get("/v1/experiments/nope/results", headers=shop.client), 404, "not_found")
    error_of(shop.http.post("/v1/experiments", json={"experiment_id": "x y"}, headers=shop.admin), 422, "invalid_input")
    listed = shop.http.get("/v1/experiments", headers=shop.client).json()["experiments"]
    assert [e["experiment_id"] for e in listed] == ["big"]


def test_a_variant_can_pin_a_model_version(shop: ShopApi, error_of) -> None:  # noqa: ANN001
    from shopsense.config import load_settings
    from shopsense.pipeline.train import train_models

    old = shop.db.registry.active("itemknn").version
    train_models(shop.db, load_settings(env={}, data_dir=shop.data_dir))
    new = shop.db.registry.active("itemknn").version
    definition = {"experiment_id": "models", "scenario": "for_you", "variants": [
        {"name": "current"}, {"name": "previous", "models": {"itemknn": old}}]}  # fmt: skip
    bad = dict(definition, variants=[{"name": "current"}, {"name": "x", "models": {"itemknn": "nope"}}])
    error_of(shop.http.post("/v1/experiments", json=bad, headers=shop.admin), 422, "invalid_input", "not registered")
    assert shop.http.post("/v1/experiments", json=definition, headers=shop.admin).status_code == 201
    served = {}
    for u in range(30):
        body = shop.recommend(f"u{u}")
        served.setdefault(body["experiment"]["variant"], set()).add(body["models"]["itemknn"])
    assert served == {"current": {new}, "previous": {old}}
