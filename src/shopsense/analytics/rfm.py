"""RFM (recency, frequency, monetary) quintile scores per buyer, computed in DuckDB, and their distribution."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.common import anonymous_note
from shopsense.analytics.frame import EventLog

DEFINITION = """For every non-anonymous user with a purchase: recency = days from their last purchase to the
newest event in the window, frequency = orders (sessions with a purchase), monetary = the sum of their
purchase amounts. Each becomes a score from 1 to 5 by rank: score = 1 + floor(5 × (rank − 1) / n), with the
competition rank ("1224") among the n buyers, ascending for frequency and monetary and descending for
recency (5 = most recent). Tied values share a score, so with many one-order buyers the F scores are not
five equal fifths. Monetary is null, and M absent, for buyers none of whose purchases has a price."""

SCORES = ("r", "f", "m")
RAW = {"r": "recency_days", "f": "frequency", "m": "monetary"}

RFM_SQL = """
WITH buyers AS (
    SELECT user_id,
           ((SELECT max(ts_ms) FROM ev) - max(ts_ms)) / 86400000.0 AS recency_days,
           count(DISTINCT session) AS frequency,
           sum(amount) AS monetary
    FROM ev WHERE type = 'purchase' AND NOT anonymous GROUP BY user_id
)
SELECT *,
       1 + (5 * (rank() OVER (ORDER BY recency_days DESC) - 1)) // count(*) OVER () AS r,
       1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
       CASE WHEN monetary IS NOT NULL
            THEN 1 + (5 * (rank() OVER (ORDER BY monetary NULLS LAST) - 1)) // count(monetary) OVER () END AS m
FROM buyers
"""
_RFM = f"({RFM_SQL}) AS rfm"


def rfm_scores(log: EventLog):  # noqa: ANN201 - a pandas DataFrame
    """One row per buyer: user_id, recency_days, frequency, monetary, r, f, m."""
    return log.frame(RFM_SQL + " ORDER BY user_id")


def rfm(log: EventLog) -> dict[str, Any]:
    totals = log.one(f"SELECT count(*) AS buyers, count(monetary) AS priced FROM {_RFM}")
    result: dict[str, Any] = {"definition": DEFINITION, **anonymous_note(log), **totals}
    result["reference_time"] = log.one("SELECT strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS t FROM ev")["t"]
    scores = [s for s in SCORES if s != "m" or totals["priced"]]
    if not totals["priced"]:
        result["monetary_note"] = "No purchase has a price (none in the events or the catalogue), so there are no M scores."
    result["scores"] = {}
    for s in scores:
        rows = log.rows(
            f"SELECT {s} AS score, count(*) AS users, min({RAW[s]}) AS low, max({RAW[s]}) AS high, "
            f"median({RAW[s]}) AS median FROM {_RFM} WHERE {s} IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
        found = {r["score"]: r for r in rows}
        result["scores"][s] = [
            {"score": k, **{f: found.get(k, {}).get(f, 0 if f == "users" else None) for f in ("users", "low", "high", "median")}}
            for k in range(1, 6)
        ]
    grid = log.rows(f"SELECT r, f, count(*) AS users, avg(monetary) AS mean_monetary FROM {_RFM} GROUP BY 1, 2")
    cells = {(g["r"], g["f"]): g for g in grid}
    result["grid_rf"] = {
        "rows": "r (1 = longest ago … 5 = most recent)",
        "columns": "f (1 = fewest orders … 5 = most)",
        "users": [[cells.get((r, f), {}).get("users", 0) for f in range(1, 6)] for r in range(1, 6)],
        "mean_monetary": [[cells.get((r, f), {}).get("mean_monetary") for f in range(1, 6)] for r in range(1, 6)],
    }
    result["medians"] = log.one(
        f"SELECT median(recency_days) AS recency_days, median(frequency) AS frequency, median(monetary) AS monetary FROM {_RFM}"
    )
    return result
