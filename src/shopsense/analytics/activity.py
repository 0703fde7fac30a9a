"""When and how people shop: the overview, the hour-of-day × weekday heatmap and session lengths."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.common import histogram, ratio, summary
from shopsense.analytics.frame import SESSION_GAP_MINUTES, EventLog

DAY_MS = 86_400_000
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVENTS_PER_SESSION_EDGES = (1, 2, 3, 4, 5, 6, 11, 21, 51, 101)
SESSION_MINUTES_EDGES = (0, 1e-9, 1, 5, 15, 30, 60, 120, 240)
_SESSIONS = "SELECT session, count(*) AS events, (max(ts_ms) - min(ts_ms)) / 60000.0 AS minutes FROM ev GROUP BY session"


def overview(log: EventLog) -> dict[str, Any]:
    totals = log.one("""
        SELECT count(*) AS events, count(DISTINCT user_id) AS users,
               count(DISTINCT user_id) FILTER (anonymous) AS anonymous_users,
               count(DISTINCT item_id) AS items, count(DISTINCT session) AS sessions,
               avg(inferred::INT) AS inferred_session_share,
               count(DISTINCT session) FILTER (type = 'purchase') AS orders,
               count(DISTINCT user_id) FILTER (type = 'purchase') AS buyers,
               sum(amount) FILTER (type = 'purchase') AS revenue,
               count(*) FILTER (type = 'purchase' AND amount IS NULL) AS unpriced_purchases,
               sum(amount) FILTER (type = 'refund') AS refunded,
               strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS last
        FROM ev
    """)  # fmt: skip
    totals["currencies"] = log.one(
        "SELECT list(DISTINCT currency ORDER BY currency) AS c FROM items "
        "WHERE currency IS NOT NULL AND item_id IN (SELECT item_id FROM ev WHERE type = 'purchase')"
    )["c"] or []
    by_type = {r["type"]: r["n"] for r in log.rows("SELECT type, count(*) AS n FROM ev GROUP BY 1 ORDER BY 2 DESC")}
    timeline, notes = _timeline(log)
    if totals["events"] == 0:
        notes.append("There are no events in the window.")
    if totals["inferred_session_share"]:
        notes.append(f"{totals['inferred_session_share']:.0%} of events came without a session id; their sessions are "
                     f"runs of a user's events less than {SESSION_GAP_MINUTES} minutes apart.")  # fmt: skip
    if totals["anonymous_users"]:
        notes.append(f"{totals['anonymous_users']:,} anonymous users (guest checkouts) count in funnels, popularity, "
                     "co-purchase and activity, but not in cohorts, repeat purchase, RFM or clusters.")  # fmt: skip
    if totals["unpriced_purchases"]:
        notes.append(f"{totals['unpriced_purchases']:,} purchases have no price (neither in the event nor the catalogue) "
                     "and add nothing to revenue.")  # fmt: skip
    return {"window": log.window.as_dict(), **totals, "by_type": by_type, "timeline": timeline, "notes": notes}


def _timeline(log: EventLog) -> tuple[dict[str, Any], list[str]]:
    """Events per day, week or month (whichever suits the bulk of the data's span), and stray events.

    The span is that of the middle 99.8% of events, so a few stray timestamps neither stretch the
    timeline to months of empty bars nor go unmentioned: events a week or more beyond it are counted.
    """
    bulk = log.one("SELECT quantile_disc(ts_ms, 0.001) AS low, quantile_disc(ts_ms, 0.999) AS high FROM ev")
    if bulk["low"] is None:
        return {"period": "day", "counts": []}, []
    days = (bulk["high"] - bulk["low"]) / DAY_MS
    period = "day" if days <= 45 else "week" if days <= 200 else "month"
    counts = log.rows("SELECT strftime(date_trunc(?, ts), '%Y-%m-%d') AS start, count(*) AS events "
                      "FROM ev GROUP BY 1 ORDER BY 1", [period])  # fmt: skip
    margin = 7 * DAY_MS
    stray = log.one("SELECT count(*) AS n FROM ev WHERE ts_ms < ? OR ts_ms > ?",
                    [bulk["low"] - margin, bulk["high"] + margin])["n"]  # fmt: skip
    notes = []
    if stray:
        main = log.one("SELECT strftime(epoch_ms(?::BIGINT), '%Y-%m-%d') AS a, strftime(epoch_ms(?::BIGINT), '%Y-%m-%d') AS b",
                       [bulk["low"], bulk["high"]])  # fmt: skip
        notes.append(f"{stray:,} event{' lies' if stray == 1 else 's lie'} a week or more outside the main time range ({main['a']} to {main['b']}); "
                     "--since/--until leave them out.")  # fmt: skip
    return {"period": period, "counts": counts}, notes


def heatmap(log: EventLog) -> dict[str, Any]:
    """Events (and purchases) per weekday (rows, Monday first) and UTC hour of day (columns)."""
    cells = log.rows("""
        SELECT isodow(ts) - 1 AS weekday, hour(ts) AS hour, count(*) AS events,
               count(*) FILTER (type = 'purchase') AS purchases
        FROM ev GROUP BY ALL
    """)  # fmt: skip
    grids = {name: [[0] * 24 for _ in WEEKDAYS] for name in ("events", "purchases")}
    for cell in cells:
        for name, grid in grids.items():
            grid[cell["weekday"]][cell["hour"]] = cell[name]
    return {"timezone": "UTC", "weekdays": list(WEEKDAYS), "hours": list(range(24)), **grids}


def sessions(log: EventLog) -> dict[str, Any]:
    events = f"SELECT events AS v FROM ({_SESSIONS})"
    minutes = f"SELECT minutes AS v FROM ({_SESSIONS})"
    result = {
        "definition": "A session is the shop's session id per user, or a run of a user's events less than "
        f"{SESSION_GAP_MINUTES} minutes apart where the shop sent none; its length is its number of events "
        "and the minutes from its first to its last event.",
        "events_per_session": summary(log, events),
        "events_histogram": histogram(log, events, EVENTS_PER_SESSION_EDGES, discrete=True),
        "minutes": summary(log, minutes),
        "minutes_histogram": histogram(log, minutes, SESSION_MINUTES_EDGES),
    }
    zero = ratio(log.one(f"SELECT count(*) FILTER (v = 0) AS n FROM ({minutes})")["n"], result["minutes"]["count"])
    result["zero_minute_share"] = zero
    if zero is not None and zero > 0.9:
        result["note"] = (f"{zero:.0%} of sessions last 0 minutes: all their events share one timestamp (e.g. an "
                          "invoice), so durations say little here.")  # fmt: skip
    return result
