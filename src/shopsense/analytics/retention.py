"""Cohort retention by first-seen week and month; repeat-purchase rate and the days between purchases."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.common import anonymous_note, histogram, ratio, summary
from shopsense.analytics.frame import EventLog

PERIODS = ("week", "month")
INTERVAL_EDGES_DAYS = (0, 1, 2, 3, 5, 7, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)
ORDER_COUNT_EDGES = (1, 2, 3, 4, 5, 6, 11, 21)

COHORT_DEFINITION = (
    "A user's cohort is the week (Monday first) or month of their first event in the report window; "
    "retention[k] is the share of the cohort with any event k periods later. Periods after the end of "
    "the data are null (not yet observable), not zero."
)
REPEAT_DEFINITION = (
    "An order is a session with at least one purchase, timed at its first purchase. A repeat buyer has "
    "two or more orders; intervals are the days between a buyer's consecutive orders."
)


def _matrix(log: EventLog, period: str) -> dict[str, Any]:
    rows = log.rows("""
        WITH people AS (
            SELECT user_id, date_trunc($1, min(ts)) AS cohort FROM ev WHERE NOT anonymous GROUP BY 1
        ), active AS (
            SELECT DISTINCT user_id, date_trunc($1, ts) AS period FROM ev WHERE NOT anonymous
        ), last AS (SELECT date_trunc($1, max(ts)) AS period FROM ev)
        SELECT strftime(p.cohort, '%Y-%m-%d') AS cohort,
               date_diff($1, p.cohort, a.period) AS k,
               date_diff($1, p.cohort, last.period) AS horizon,
               count(*) AS users
        FROM people p JOIN active a USING (user_id), last
        GROUP BY ALL ORDER BY cohort, k
    """, [period])  # fmt: skip
    cohorts: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = cohorts.setdefault(row["cohort"], {"cohort": row["cohort"], "active": [0] * (row["horizon"] + 1)})
        entry["active"][row["k"]] = row["users"]
    width = max((len(c["active"]) for c in cohorts.values()), default=0)
    sums, sizes = [0] * width, [0] * width
    for entry in cohorts.values():
        entry["size"] = entry["active"][0]
        entry["retention"] = [ratio(n, entry["size"]) for n in entry["active"]] + [None] * (width - len(entry["active"]))
        for k, n in enumerate(entry["active"]):
            sums[k] += n
            sizes[k] += entry["size"]
    return {
        "period": period,
        "cohorts": list(cohorts.values()),
        "mean_retention": [ratio(s, z) for s, z in zip(sums, sizes)],  # weighted by cohort size, observable cohorts only
    }


def cohorts(log: EventLog) -> dict[str, Any]:
    return {"definition": COHORT_DEFINITION, **anonymous_note(log), **{p: _matrix(log, p) for p in PERIODS}}


_ORDERS = """
    SELECT user_id, session, min(ts_ms) AS placed FROM ev
    WHERE type = 'purchase' AND NOT anonymous GROUP BY user_id, session
"""


def repeat_purchase(log: EventLog) -> dict[str, Any]:
    per_buyer = f"SELECT count(*) AS v FROM ({_ORDERS}) GROUP BY user_id"
    gaps = f"""
        SELECT v FROM (
            SELECT (placed - lag(placed) OVER (PARTITION BY user_id ORDER BY placed)) / 86400000.0 AS v FROM ({_ORDERS})
        ) WHERE v IS NOT NULL
    """
    counts = log.one(f"SELECT count(*) AS buyers, count(*) FILTER (v >= 2) AS repeat_buyers FROM ({per_buyer})")
    return {
        "definition": REPEAT_DEFINITION,
        **anonymous_note(log),
        **counts,
        "repeat_rate": ratio(counts["repeat_buyers"], counts["buyers"]),
        "orders_per_buyer": histogram(log, per_buyer, ORDER_COUNT_EDGES, discrete=True),
        "interval_days": summary(log, gaps),
        "interval_histogram": histogram(log, gaps, INTERVAL_EDGES_DAYS),
    }
