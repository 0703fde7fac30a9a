"""Attribution of clicks and purchases to the recommendation lists they came from, and A/B results.

An event is attributed to a list when it carries that list's ``recomm_id`` (the shop passes it along
with clicks, add-to-carts and purchases of a recommended item) and names an item the list showed.
Per experiment variant:

* users: distinct users shown a list; impressions: items shown (list slots); lists: responses;
* clicks: distinct (list, item) pairs clicked; CTR = clicks / impressions;
* conversion = users with an attributed purchase / users;
* revenue per user = Σ attributed purchase revenue / users, where a purchase's revenue is the item's
  price × quantity (``value``, default 1) when the item has a price, else ``value`` (an amount), else 0.

Statistics and the peeking guard are in ``abstats``; the first variant is the control.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from shopsense.serving import abstats
from shopsense.serving.experiments import Experiment


def _estimate(e: abstats.Estimate) -> dict[str, float | None]:
    clean = {"value": e.value, "low": e.low, "high": e.high}
    return {k: None if math.isnan(v) else v for k, v in clean.items()}


def _test(t: abstats.Test, threshold: float, ready: bool) -> dict[str, Any]:
    p = None if math.isnan(t.p_value) else t.p_value
    statistic = None if math.isnan(t.statistic) or math.isinf(t.statistic) else t.statistic
    return {"statistic": statistic, "p_value": p, "significant": bool(p is not None and p < threshold) if ready else None}


def attributed(impressions: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The events that name an item their list showed, with the list's variant (column ``variant``)."""
    shown = impressions[["recomm_id", "item_id", "variant"]].drop_duplicates(["recomm_id", "item_id"])
    return events.merge(shown, on=["recomm_id", "item_id"], how="inner")


def variant_metrics(impressions: pd.DataFrame, events: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Counts and per-user values per variant (before statistics)."""
    hits = attributed(impressions, events)
    clicks = hits[hits["type"] == "click"].drop_duplicates(["recomm_id", "item_id"])
    purchases = hits[hits["type"] == "purchase"].copy()
    quantity = purchases["value"].astype("float64").fillna(1.0)
    price = purchases["price"].astype("float64")
    purchases["revenue"] = np.where(price.notna(), price * quantity, purchases["value"].astype("float64").fillna(0.0))
    out = {}
    for variant, shown in impressions.groupby("variant", sort=False):
        users = shown["user_id"].unique()
        bought = purchases[purchases["variant"] == variant]
        revenue = bought.groupby("user_id")["revenue"].sum().reindex(users, fill_value=0.0).to_numpy()
        out[str(variant)] = {
            "users": len(users), "impressions": len(shown), "lists": shown["recomm_id"].nunique(),
            "clicks": int((clicks["variant"] == variant).sum()), "converted": int(bought["user_id"].nunique()),
            "revenue": revenue,
        }  # fmt: skip
    return out


def experiment_results(experiment: Experiment, impressions: pd.DataFrame, events: pd.DataFrame) -> dict[str, Any]:
    """The per-variant report of ``GET /v1/experiments/{id}/results``."""
    found = variant_metrics(impressions, events)
    empty = {"users": 0, "impressions": 0, "lists": 0, "clicks": 0, "converted": 0, "revenue": np.zeros(0)}
    metrics = {v.name: found.get(v.name, empty) for v in experiment.variants}
    ready = all(m["users"] >= experiment.min_users_per_variant for m in metrics.values())
    threshold = experiment.alpha / (len(experiment.variants) - 1)
    control = metrics[experiment.variants[0].name]
    variants = []
    for variant in experiment.variants:
        m = metrics[variant.name]
        row: dict[str, Any] = {
            "name": variant.name, "users": m["users"], "impressions": m["impressions"], "lists": m["lists"],
            "clicks": m["clicks"], "conversions": m["converted"],
            "ctr": _estimate(abstats.wilson(m["clicks"], m["impressions"], experiment.alpha)),
            "conversion": _estimate(abstats.wilson(m["converted"], m["users"], experiment.alpha)),
            "revenue_per_user": _estimate(abstats.mean_interval(m["revenue"], experiment.alpha)),
        }  # fmt: skip
        if variant is not experiment.variants[0]:
            row["vs_control"] = {
                "ctr": _test(abstats.two_proportion_ztest(m["clicks"], m["impressions"], control["clicks"],
                                                          control["impressions"]), threshold, ready),
                "conversion": _test(abstats.two_proportion_ztest(m["converted"], m["users"], control["converted"],
                                                                 control["users"]), threshold, ready),
                "revenue_per_user": _test(abstats.welch_ttest(m["revenue"], control["revenue"]), threshold, ready),
            }  # fmt: skip
        variants.append(row)
    return {
        "experiment_id": experiment.experiment_id, "scenario": experiment.scenario, "alpha": experiment.alpha,
        "alpha_per_comparison": threshold, "min_users_per_variant": experiment.min_users_per_variant,
        "verdict": "ready" if ready else "collecting", "variants": variants,
    }  # fmt: skip
