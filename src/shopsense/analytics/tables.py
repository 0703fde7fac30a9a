"""The report's tables: for each analysis, a few small tables of formatted text drawn from its JSON result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from shopsense.analytics.numbers import DASH, count, percent, value_range

Result = dict[str, Any]
ROWS = 10
share = partial(percent, digits=1)


@dataclass(frozen=True)
class Table:
    caption: str
    header: Sequence[str]
    rows: list[list[str]]


def _overview(r: Result) -> list[Table]:
    money = f" ({', '.join(r['currencies'])})" if r["currencies"] else ""
    facts = [
        ("events", count(r["events"])), ("users", count(r["users"])), ("of them anonymous", count(r["anonymous_users"])),
        ("items with events", count(r["items"])), ("sessions", count(r["sessions"])), ("buyers", count(r["buyers"])),
        ("orders (sessions with a purchase)", count(r["orders"])), (f"revenue{money}", count(r["revenue"], 2)),
        (f"refunded{money}", count(r["refunded"], 2)), ("first event (UTC)", r["first"] or DASH), ("last event (UTC)", r["last"] or DASH),
    ]  # fmt: skip
    return [Table("Key figures", ("", "value"), [[k, v] for k, v in facts])]


def _funnel(r: Result) -> list[Table]:
    if r["degenerate"]:
        return [Table("Units with a purchase", ("unit", "count"), [[k, count(v)] for k, v in r["units_with_event"].items()])]
    users, sessions = r["overall"]["user"], r["overall"]["session"]
    tables = [Table(
        "Overall funnel",
        ("stage", "users reaching", "step rate", "of first stage", "sessions reaching", "step rate", "of first stage"),
        [[u["stage"], count(u["reached"]), share(u["step_rate"]), share(u["overall_rate"]),
          count(s["reached"]), share(s["step_rate"]), share(s["overall_rate"])] for u, s in zip(users, sessions)],
    )]  # fmt: skip
    first = r["stages"][0]
    for key, label in (("by_category", "category"), ("by_month", "month")):
        if key not in r:
            continue
        by_session = {row["group"]: row for row in r[key]["session"]}
        tables.append(Table(
            f"Funnel by {label}",
            (label, f"users ({first})", "user conversion", f"sessions ({first})", "session conversion"),
            [[row["group"][:7] if key == "by_month" else row["group"], count(row["reached"][first]), share(row["conversion"]),
              count(by_session.get(row["group"], {}).get("reached", {}).get(first)),
              share(by_session.get(row["group"], {}).get("conversion"))] for row in r[key]["user"]],
        ))  # fmt: skip
    return tables


def _cohorts(r: Result) -> list[Table]:
    cohorts = r["month"]["cohorts"]
    width = min(7, max((len(c["retention"]) for c in cohorts), default=1))
    return [Table(
        "Monthly cohorts: share active k months after the first",
        ("cohort", "users", *[f"+{k}" for k in range(1, width)]),
        [[c["cohort"][:7], count(c["size"]), *[share(v) for v in c["retention"][1:width]]] for c in cohorts],
    )]  # fmt: skip


def _repeat(r: Result) -> list[Table]:
    gaps = r["interval_days"]
    facts = [("buyers", count(r["buyers"])), ("repeat buyers (2+ orders)", count(r["repeat_buyers"])),
             ("repeat-purchase rate", share(r["repeat_rate"])), ("intervals measured", count(gaps["count"])),
             ("mean days between orders", count(gaps["mean"], 1)), ("median (p25–p75)", f"{count(gaps['median'], 1)} "
             f"({count(gaps['p25'], 1)}–{count(gaps['p75'], 1)})"), ("90th percentile", count(gaps["p90"], 1))]  # fmt: skip
    return [Table("Repeat purchase", ("", "value"), [[k, v] for k, v in facts])]


def _rfm(r: Result) -> list[Table]:
    if not r["buyers"]:
        return []
    names = {"r": "recency (days)", "f": "frequency (orders)", "m": "monetary"}
    header = ["score"] + [f"{names[s]}: range, buyers" for s in r["scores"]]
    rows = [
        [str(k + 1)] + [f"{value_range(row[k]['low'], row[k]['high'])}, {count(row[k]['users'])}" for row in r["scores"].values()]
        for k in range(5)
    ]
    return [Table(f"RFM scores of {r['buyers']:,} buyers", header, rows)]


def _clusters(r: Result) -> list[Table]:
    rows = [[str(c["cluster"]), count(c["size"]), share(c["share"]), c["description"]] for c in r["clusters"]]
    return [Table(f"Clusters (k = {r.get('k', '–')}, features: {', '.join(r.get('features', []))})",
                  ("cluster", "users", "share", "description"), rows)] if rows else []  # fmt: skip


def _popularity(r: Result) -> list[Table]:
    tables = []
    for key, singular in (("categories", "category"), ("brands", "brand"), ("items", "item")):
        rows = r[key][:ROWS]
        measures = [m for m in ("views", "carts", "purchases", "buyers", "revenue") if any(row[m] for row in rows)]
        if rows:
            tables.append(Table(f"Top {key}", (singular, *measures), [
                [row.get("title") or row["name"], *(count(row[m], 2 if m == "revenue" else 0) for m in measures)]
                for row in rows
            ]))  # fmt: skip
    return tables


def _pairs(caption: str, pairs: list[Result], titled: bool) -> Table:
    def name(p: Result, end: str) -> str:
        return f"{p[f'{end}_title']} ({p[end]})" if titled and p.get(f"{end}_title") else str(p[end])

    return Table(caption, ("A", "B", "baskets with both", "baskets A", "baskets B", "lift"),
                 [[name(p, "a"), name(p, "b"), count(p["together"]), count(p["a_baskets"]), count(p["b_baskets"]),
                   count(p["lift"], 1)] for p in pairs[:ROWS]])  # fmt: skip


def _co_purchase(r: Result) -> list[Table]:
    tables = [
        _pairs(caption, r[kind][order], kind == "items")
        for kind, order, caption in (
            ("items", "by_count", "Item pairs bought together most often"),
            ("items", "by_lift", f"Item pairs with the highest lift (at least {r['min_together_for_lift']} baskets)"),
            ("categories", "by_count", "Category pairs bought together most often"),
        )
        if r[kind][order]
    ]
    return tables


def _heatmap(r: Result) -> list[Table]:
    cells = sorted(((n, d, h) for d, row in enumerate(r["events"]) for h, n in enumerate(row)), reverse=True)[:5]
    return [Table("Busiest hours", ("weekday", f"hour ({r['timezone']})", "events"),
                  [[r["weekdays"][d], f"{h:02d}:00–{h:02d}:59", count(n)] for n, d, h in cells if n])]  # fmt: skip


def _sessions(r: Result) -> list[Table]:
    rows = [[label, count(s["median"], 1), count(s["mean"], 1), count(s["p90"], 1)]
            for label, s in (("events per session", r["events_per_session"]), ("minutes", r["minutes"]))]  # fmt: skip
    return [Table(f"Sessions ({count(r['events_per_session']['count'])})", ("", "median", "mean", "90th percentile"), rows)]


TABLES: dict[str, Callable[[Result], list[Table]]] = {
    "overview": _overview,
    "funnel": _funnel,
    "cohorts": _cohorts,
    "repeat-purchase": _repeat,
    "rfm": _rfm,
    "clusters": _clusters,
    "popularity": _popularity,
    "co-purchase": _co_purchase,
    "heatmap": _heatmap,
    "sessions": _sessions,
}
