"""Category, brand and item popularity: views, carts, purchases, units, buyers and revenue."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.frame import EventLog

TOP = 20
_MEASURES = """
    count(*) FILTER (type = 'view') AS views,
    count(*) FILTER (type = 'add_to_cart') AS carts,
    count(*) FILTER (type = 'purchase') AS purchases,
    sum(qty) FILTER (type = 'purchase') AS units,
    count(DISTINCT user_id) FILTER (type = 'purchase') AS buyers,
    sum(amount) FILTER (type = 'purchase') AS revenue
"""


def _ranking(log: EventLog, key: str, extra: str = "") -> list[dict[str, Any]]:
    """The ``TOP`` values of ``key`` by purchases (then views), with every measure."""
    return log.rows(f"""
        SELECT {key} AS name{extra}, {_MEASURES} FROM ev WHERE {key} IS NOT NULL
        GROUP BY {key} ORDER BY purchases DESC, views DESC, name LIMIT {TOP}
    """)  # fmt: skip


def popularity(log: EventLog) -> dict[str, Any]:
    result: dict[str, Any] = {
        "definition": f"The top {TOP} categories (top level), brands and items by purchase events, then views; "
        "revenue counts purchases with a known price.",
        "categories": _ranking(log, "category"),
        "brands": _ranking(log, "brand"),
        "items": _ranking(log, "item_id", ", any_value(title) AS title, any_value(category) AS category"),
    }
    missing = [what for what in ("categories", "brands") if not result[what]]
    if missing:
        result["note"] = f"The catalogue has no {' and no '.join(missing)}."
    return result
