"""RFM (recency, frequency, monetary): raw values, quintile scores over all buyers, named segments.

Raw values at the reference time T (the profile's ``as_of``):

* recency_days = (T − time of the last purchase) / 1 day;
* frequency = number of distinct orders (purchase sessions: the session id, e.g. the invoice);
* monetary = Σ purchase quantity × unit price − Σ refund quantity × unit price.

Scores 1–5: each batch rebuild stores with the profile model the quintile cuts b1 ≤ b2 ≤ b3 ≤ b4
(20th/40th/60th/80th percentiles, linear interpolation) of each raw value over all users with at least
one order. A user scores 1 + the number of cuts their value beats:

    r = 1 + #{b : recency < b},   f = 1 + #{b : frequency > b},   m = 1 + #{b : monetary > b}

A value equal to a cut does not beat it, so the mass of one-order users all get f = 1. Incremental
updates score with the latest stored cuts (a user's scores move with the cuts at the next rebuild);
before the first rebuild there are no cuts, and scores and segment are null.

Segments, first match wins (users without an order are ``prospect``):

    champions           r ≥ 4 and f ≥ 4        need attention   r = 3 and f ≤ 3
    loyal               r = 3 and f ≥ 4        at risk          r ≤ 2 and f ≥ 3
    potential loyalist  r ≥ 4 and f ∈ {2, 3}   hibernating      r = 2 and f ≤ 2
    new                 r ≥ 4 and f = 1        lost             r = 1 and f ≤ 2
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from shopsense.profiles.params import DAY_MS

NAMES = ("recency", "frequency", "monetary")
PROSPECT = "prospect"


def raw_values(state: dict, as_of_ms: int | None) -> tuple[float | None, int, float]:
    """(recency_days or None without a purchase, frequency, monetary) of one user's state."""
    last = state["last_purchase_ms"]
    recency = None if last is None or as_of_ms is None else (as_of_ms - last) / DAY_MS
    return recency, len(state["orders"]), state["spent"] - state["refunded"]


def fit_cuts(values: Iterable[tuple[float | None, int, float]]) -> dict[str, list[float]]:
    """Quintile cuts of each raw value over users with at least one order; {} when there are none."""
    table = np.array([v for v in values if v[0] is not None and v[1] > 0], dtype="float64").reshape(-1, 3)
    if not len(table):
        return {}
    cuts = np.quantile(table, [0.2, 0.4, 0.6, 0.8], axis=0)  # shape (4 cuts, 3 values)
    return {name: [float(c) for c in cuts[:, j]] for j, name in enumerate(NAMES)}


def scores(values: tuple[float | None, int, float], cuts: dict[str, Sequence[float]]) -> tuple[int, int, int] | None:
    recency, frequency, monetary = values
    if not cuts or recency is None or frequency == 0:
        return None
    r = 1 + sum(recency < b for b in cuts["recency"])
    f = 1 + sum(frequency > b for b in cuts["frequency"])
    m = 1 + sum(monetary > b for b in cuts["monetary"])
    return r, f, m


def segment(r: int, f: int) -> str:
    if r >= 4:
        return "champions" if f >= 4 else "potential loyalist" if f >= 2 else "new"
    if r == 3:
        return "loyal" if f >= 4 else "need attention"
    if f >= 3:
        return "at risk"
    return "hibernating" if r == 2 else "lost"
