"""Conversion funnels view → add_to_cart → purchase, per user and per session, overall, by category and over time."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.common import ratio
from shopsense.analytics.frame import EventLog

DEFINITION = """A unit (a user, or a session) reaches stage k when it has at least one event of stage k and of
every earlier stage, in any order. The step rate of a stage is the units reaching it over those reaching the
stage before; conversion is the units reaching the last stage over those reaching the first, so every rate
lies between 0 and 1. By category a unit is a (user, category) or (session, category) pair; over time, a
(user, day/week/month) or (session, day/week/month) pair, by the time of each event. Stages the shop never
sends are left out (and listed); with fewer than two stages left there is no funnel, and the result says so
instead of showing one."""

STAGES = ("view", "add_to_cart", "purchase")
UNITS = {"user": "user_id", "session": "session"}
TOP_CATEGORIES = 12


_CELLS = "funnel_cells"


def _cells(log: EventLog, stages: list[str]) -> None:
    """One row per (user, session, category, day) with a flag per stage: every funnel is grouped from it."""
    flags = ", ".join(f"bool_or(type = ?) AS s{i}" for i in range(len(stages)))
    log.connection.execute(
        f"CREATE OR REPLACE TEMP TABLE {_CELLS} AS SELECT user_id, session, category, ts::DATE AS day, {flags} "
        "FROM ev WHERE list_contains(?, type) GROUP BY ALL",
        [*stages, stages],
    )


def _reached(
    log: EventLog, stages: list[str], unit: str, group: str, categories: list[str] | None = None
) -> list[dict[str, Any]]:
    """Per group: units reaching each stage, step rates and conversion."""
    flags = ", ".join(f"bool_or(s{i}) AS s{i}" for i in range(len(stages)))
    counts = ", ".join(
        f"count(*) FILTER ({' AND '.join(f's{j}' for j in range(i + 1))}) AS \"{s}\"" for i, s in enumerate(stages)
    )
    rows = log.rows(f"""
        WITH units AS (
            SELECT {group} AS grp, {unit} AS unit, {flags}
            FROM {_CELLS} WHERE ? IS NULL OR list_contains(?, category) GROUP BY ALL
        )
        SELECT grp, {counts} FROM units GROUP BY grp ORDER BY grp
    """, [categories, categories])  # fmt: skip
    return [
        {
            "group": row["grp"],
            "reached": {s: row[s] for s in stages},
            "step_rate": {s: ratio(row[s], row[prev]) for prev, s in zip(stages, stages[1:])},
            "conversion": ratio(row[stages[-1]], row[stages[0]]),
        }
        for row in rows
    ]


def _top_categories(log: EventLog) -> list[str]:
    """The ``TOP_CATEGORIES`` categories with the most users at the first stage."""
    rows = log.rows(
        f"SELECT category, count(DISTINCT user_id) AS n FROM {_CELLS} WHERE s0 AND category IS NOT NULL "
        "GROUP BY 1 ORDER BY n DESC, category LIMIT ?",
        [TOP_CATEGORIES],
    )
    return [r["category"] for r in rows]


def _overall(log: EventLog, stages: list[str], unit: str) -> list[dict[str, Any]]:
    """One row per stage: units reaching it, units with that event at all, step and overall rates."""
    [row] = _reached(log, stages, unit, "'all'")
    anywhere = log.one(
        "SELECT " + ", ".join(f"count(DISTINCT {unit}) FILTER (s{i}) AS \"{s}\"" for i, s in enumerate(stages))
        + f" FROM {_CELLS}"
    )
    return [
        {
            "stage": s,
            "reached": row["reached"][s],
            "with_event": anywhere[s],
            "step_rate": row["step_rate"].get(s, 1.0 if i == 0 else None),
            "overall_rate": ratio(row["reached"][s], row["reached"][stages[0]]),
        }
        for i, s in enumerate(stages)
    ]


def funnel(log: EventLog) -> dict[str, Any]:
    present = {r["type"] for r in log.rows("SELECT DISTINCT type FROM ev")}
    stages = [s for s in STAGES if s in present]
    missing = [s for s in STAGES if s not in present]
    result: dict[str, Any] = {"stages": stages, "missing_stages": missing, "definition": DEFINITION}
    if len(stages) < 2:
        recorded = f"{stages[0]} events but no" if stages else "none of the funnel's events:"
        result["degenerate"] = True
        result["note"] = (
            f"No funnel: this store records {recorded} {' or '.join(missing)} events, so everyone in the data "
            "reached the only stage recorded and conversion cannot be measured. The repeat-purchase and RFM "
            "sections describe these customers instead."
        )
        result["units_with_event"] = log.one(
            "SELECT count(DISTINCT user_id) AS users, count(DISTINCT session) AS sessions FROM ev WHERE list_contains(?, type)",
            [stages or ["purchase"]],
        )
        return result
    result["degenerate"] = False
    if missing:
        result["note"] = f"No {' or '.join(missing)} events are recorded, so the funnel goes {' → '.join(stages)}."
    _cells(log, stages)
    try:
        categories = _top_categories(log)
        for name, unit in UNITS.items():
            result.setdefault("overall", {})[name] = _overall(log, stages, unit)
            if categories:
                rows = _reached(log, stages, unit, "category", categories)
                rows.sort(key=lambda r: categories.index(r["group"]))
                result.setdefault("by_category", {})[name] = rows
            for period in ("day", "week", "month"):
                group = f"strftime(date_trunc('{period}', day), '%Y-%m-%d')"
                result.setdefault(f"by_{period}", {})[name] = _reached(log, stages, unit, group)
    finally:
        log.connection.execute(f"DROP TABLE IF EXISTS {_CELLS}")
    if not categories:
        result["category_note"] = "The catalogue has no categories, so there is no funnel by category."
    return result
