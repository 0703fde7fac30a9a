"""Small helpers shared by the analyses: safe ratios, bucketed histograms and quantile summaries in SQL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from shopsense.analytics.frame import EventLog



def anonymous_note(log: EventLog) -> dict[str, str]:
    """``{"user_note": …}`` when the window has anonymous users (left out of user-level figures), else ``{}``."""
    n = log.one("SELECT count(DISTINCT user_id) AS n FROM ev WHERE anonymous")["n"]
    return {"user_note": f"{n:,} anonymous users (guest checkouts) are left out of these user-level figures."} if n else {}


def ratio(part: float | None, whole: float | None) -> float | None:
    """``part / whole``, or None when the whole is zero or unknown."""
    return None if not whole or part is None else part / whole


def _label(low: float, high: float | None, discrete: bool) -> str:
    if high is None:
        return f"≥ {low:g}"
    if high - low < 1e-6 or (discrete and high - low == 1):
        return f"{low:g}"
    if 0 < low < 1e-6:
        return f"< {high:g}"
    return f"{low:g}–{high - 1:g}" if discrete else f"{low:g}–{high:g}"


def histogram(log: EventLog, values_sql: str, edges: Sequence[float], *, discrete: bool = False) -> list[dict[str, Any]]:
    """Counts of ``v`` (the one column of ``values_sql``) in buckets [e0, e1), …, [e_last, ∞).

    Values under ``e0`` fall into the first bucket; trailing empty buckets are dropped, so a short data
    set does not end in a row of zeros. Labels: "2" or "6–10" for ``discrete`` counts, "1–2" (from 1 to
    under 2) for measurements, "0" for a bucket as narrow as [0, 1e-9) and "< 1" for the [1e-9, 1) after it.
    """
    cases = " ".join(f"WHEN v < {float(high)!r} THEN {i}" for i, high in enumerate(edges[1:]))
    found = {r["bucket"]: r["n"] for r in log.rows(
        f"SELECT CASE {cases} ELSE {len(edges) - 1} END AS bucket, count(*) AS n FROM ({values_sql}) GROUP BY 1"
    )}  # fmt: skip
    buckets = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        buckets.append({"bucket": _label(low, high, discrete), "low": low, "high": high, "count": found.get(i, 0)})
    while buckets and buckets[-1]["count"] == 0:
        buckets.pop()
    return buckets


def summary(log: EventLog, values_sql: str) -> dict[str, float | int | None]:
    """count, mean and the 25/50/75/90th percentiles (linear interpolation) of ``v`` in ``values_sql``."""
    row = log.one(
        f"SELECT count(v) AS count, avg(v) AS mean, quantile_cont(v, [0.25, 0.5, 0.75, 0.9]) AS q FROM ({values_sql})"
    )
    q = row["q"] or [None] * 4
    return {"count": row["count"], "mean": row["mean"], "p25": q[0], "median": q[1], "p75": q[2], "p90": q[3]}


def clean(value: Any) -> Any:
    """A JSON-ready copy: NumPy scalars become Python numbers, NaN and infinities become None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # NumPy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
