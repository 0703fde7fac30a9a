"""User clustering: k-means on standardised log RFM + activity features, k chosen by silhouette."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from shopsense.analytics.common import anonymous_note
from shopsense.analytics.frame import EventLog

DEFINITION = """Features per non-anonymous user: days since their last event, orders, money spent, sessions,
events, distinct items and active days, each log(1 + x)-transformed (they are heavy-tailed) and
standardised; constant ones are dropped (money when nothing has a price). k-means (Lloyd, k-means++ starts)
runs for k = 2 … 6 on a seeded sample of at most 10,000 users; the k with the best silhouette coefficient
(Rousseeuw 1987, measured on 2,000 of them) wins, and every user joins the nearest centre. A cluster is
described in words by the features whose centre lies furthest from the mean (at least 0.3 standard
deviations), recency, frequency and money first, with the cluster's medians; the plot shows a 2-D PCA
projection."""

K_RANGE = range(2, 7)
MIN_USERS = 20
FIT_SAMPLE = 10_000
SILHOUETTE_SAMPLE = 2_000
PLOT_POINTS = 2_000
NOTABLE_Z = 0.3  # a centroid this many standard deviations from the mean is worth a word …
MIN_GAP = {"monetary": 0.01}  # … if its median also differs by this much (default 1: an order, a visit, a day)
# feature -> (word when low, word when high)
WORDS: dict[str, tuple[str, str]] = {
    "orders": ("rare buyers", "frequent buyers"),
    "monetary": ("low-spending", "high-spending"),
    "recency_days": ("recent", "lapsed"),
    "sessions": ("few visits", "many visits"),
    "events": ("light activity", "heavy activity"),
    "items": ("narrow interests", "broad interests"),
    "active_days": ("active on few days", "active on many days"),
}
RFM_FIRST = ("orders", "monetary", "recency_days")

FEATURES_SQL = """
SELECT user_id,
       ((SELECT max(ts_ms) FROM ev) - max(ts_ms)) / 86400000.0 AS recency_days,
       count(DISTINCT session) FILTER (type = 'purchase') AS orders,
       sum(amount) FILTER (type = 'purchase') AS monetary,
       count(DISTINCT session) AS sessions,
       count(*) AS events,
       count(DISTINCT item_id) AS items,
       count(DISTINCT ts::DATE) AS active_days
FROM ev WHERE NOT anonymous GROUP BY user_id ORDER BY user_id
"""


def _matrix(features: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Standardised log features (users × features) and the names of the columns kept."""
    columns = [c for c in WORDS if features[c].notna().any()]
    logged = np.log1p(features[columns].fillna(0.0).astype("float64"))
    kept = [c for c in columns if logged[c].std() > 0]
    return StandardScaler().fit_transform(logged[kept].to_numpy()), kept  # (n_users, n_features)


def _choose_k(x: np.ndarray, seed: int) -> tuple[KMeans | None, dict[int, float]]:
    """The k-means model (fitted on a seeded sample of at most ``FIT_SAMPLE`` users) with the best silhouette."""
    rng = np.random.default_rng(seed)
    fit = x[rng.choice(len(x), size=FIT_SAMPLE, replace=False)] if len(x) > FIT_SAMPLE else x
    scores, models = {}, {}
    for k in K_RANGE:
        if k >= len(fit):
            break
        model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(fit)
        if len(set(model.labels_)) < 2:
            continue
        sample = min(len(fit), SILHOUETTE_SAMPLE)
        scores[k] = float(silhouette_score(fit, model.labels_, sample_size=sample, random_state=seed))
        models[k] = model
    if not scores:
        return None, scores
    best = max(scores, key=lambda k: (scores[k], -k))
    return models[best], scores


def _medians(frame: pd.DataFrame) -> dict[str, float | None]:
    return {c: (float(frame[c].median()) if frame[c].notna().any() else None) for c in WORDS}


def describe(
    centroid: dict[str, float], medians: dict[str, float | None], overall: dict[str, float | None]
) -> tuple[str, str]:
    """(label, facts): 'frequent buyers, high-spending, recent' and 'median 5 orders, spent 1,234.50, …'.

    The label names up to three features whose centre is at least ``NOTABLE_Z`` standard deviations from
    the mean and whose median differs from everyone's median the same way (by at least ``MIN_GAP``: a
    whole order, visit … or day), recency/frequency/monetary first, then the rest by distance.
    """

    def stands_out(f: str) -> bool:
        gap = (medians[f] or 0.0) - (overall[f] or 0.0)
        return abs(centroid[f]) >= NOTABLE_Z and abs(gap) >= MIN_GAP.get(f, 1.0) and (gap > 0) == (centroid[f] > 0)

    notable = [f for f in centroid if stands_out(f)]
    ordered = [f for f in RFM_FIRST if f in notable] + sorted(
        (f for f in notable if f not in RFM_FIRST), key=lambda f: -abs(centroid[f])
    )
    orders = medians["orders"] or 0
    words = ["non-buyers"] if not orders else []
    for f in ordered:
        high = centroid[f] > 0
        if f == "orders" and orders:
            words.append("frequent buyers" if high and orders >= 2 else "buyers" if high else WORDS[f][0])
        elif orders or f not in ("orders", "monetary"):  # a non-buyer's low spending goes without saying
            words.append(WORDS[f][high])
    words = words[:3]
    facts = [f"median {orders:g} order{'' if orders == 1 else 's'}"]
    if medians.get("monetary") is not None and orders:
        facts.append(f"spent {medians['monetary']:,.2f}")
    recency, sessions = medians["recency_days"] or 0.0, medians["sessions"] or 0
    facts.append(f"{sessions:g} session{'' if sessions == 1 else 's'}, last active "
                 + ("within a day of" if recency < 1 else f"{recency:.0f} days before") + " the end of the data")  # fmt: skip
    return ", ".join(words) or "average on every feature", ", ".join(facts)


def clusters(log: EventLog, *, seed: int = 0) -> dict[str, Any]:
    features = log.frame(FEATURES_SQL)
    result: dict[str, Any] = {"definition": DEFINITION, **anonymous_note(log), "users": len(features)}
    if len(features) < MIN_USERS:
        return {**result, "clusters": [], "note": f"Only {len(features)} users: clustering needs at least {MIN_USERS}."}
    x, kept = _matrix(features)
    with threadpool_limits(1):  # a problem this small runs 10-50x slower when OpenMP threads contend for 2 cores
        model, silhouettes = _choose_k(x, seed) if kept else (None, {})
        if model is None:
            return {**result, "clusters": [], "note": "The users are too much alike to form clusters."}
        labels = model.predict(x)
        pca = PCA(n_components=2, random_state=seed).fit(x)
        shown = np.sort(np.random.default_rng(seed).choice(len(x), size=min(len(x), PLOT_POINTS), replace=False))
        points = pca.transform(x[shown])  # (shown, 2)
        centres = pca.transform(model.cluster_centers_)  # (k, 2)
    sizes = np.bincount(labels, minlength=len(model.cluster_centers_))
    order = [int(c) for c in np.argsort(-sizes, kind="stable") if sizes[c]]  # numbered by size, largest first
    renumber = {old: new for new, old in enumerate(order)}
    overall = _medians(features)
    described = []
    for old in order:
        members = features[labels == old]
        centroid = dict(zip(kept, model.cluster_centers_[old].tolist()))
        medians = _medians(members)
        label, facts = describe(centroid, medians, overall)
        share = len(members) / len(features)
        described.append({
            "cluster": renumber[old], "size": len(members), "share": share, "label": label,
            "description": f"{len(members):,} users ({share:.1%}): {label} — {facts}",
            "centroid_z": centroid, "medians": medians,
            "centroid_pca": centres[old].tolist(),
        })  # fmt: skip
    result.update(
        k=len(order),
        silhouette=silhouettes,
        features=kept,
        clusters=described,
        pca={
            "explained_variance": pca.explained_variance_ratio_.tolist(),
            "components": {name: pca.components_[:, i].tolist() for i, name in enumerate(kept)},
            "points": [[float(a), float(b), renumber[int(c)]] for (a, b), c in zip(points, labels[shown])],
        },
    )
    return result
