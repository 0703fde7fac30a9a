"""The report's figures: for each analysis, the charts drawn from its JSON result (nothing else)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from shopsense.analytics.charts import ACCENT, PALETTE, figure, hbars, matrix, set_title, short, vbars
from shopsense.analytics.numbers import percent, value_range

Result = dict[str, Any]
MIN_UNITS = 30  # weeks and cohorts with fewer units are noise in a chart (they stay in the JSON and tables)
MIN_GRAPH_PAIRS = 5


@dataclass(frozen=True)
class Chart:
    slug: str  # file name stem, unique within the report
    caption: str
    figure: Figure


def _overview(r: Result) -> list[Chart]:
    fig, (left, right) = figure(11, 3.8, ncols=2, width_ratios=[3, 2])
    timeline = r["timeline"]
    period = timeline["period"]
    labels = [c["start"][:7] if period == "month" else c["start"] for c in timeline["counts"]]
    vbars(left, labels, [c["events"] for c in timeline["counts"]],
          xlabel=f"{period} starting (UTC)" if period != "day" else "day (UTC)", ylabel="events", title=f"Events per {period}")  # fmt: skip
    hbars(right, list(r["by_type"]), list(r["by_type"].values()), xlabel="events", title="Events by type")
    return [Chart("overview", f"Events per {period} and by type.", fig)]


def _funnel(r: Result) -> list[Chart]:
    if r["degenerate"]:
        return []
    fig, axes = figure(11, 3.8, ncols=2)
    for ax, unit in zip(axes, ("user", "session")):
        rows = r["overall"][unit]
        vbars(ax, [row["stage"] for row in rows], [row["reached"] for row in rows], xlabel="stage",
              ylabel=f"{unit}s reaching the stage", title=f"Funnel per {unit}",
              notes=[f"{row['reached']:,} ({percent(row['overall_rate'])})" for row in rows])  # fmt: skip
    charts = [Chart("funnel", "Units reaching each stage (share of the first stage in brackets).", fig)]
    if "by_category" in r:
        charts.append(Chart("funnel-category", "Conversion (first stage → purchase) by top-level category.",
                            _paired_bars(r["by_category"], "conversion by category")))  # fmt: skip
    first = r["stages"][0]
    for period in ("week", "day"):  # days when the data holds too few weeks to draw a line
        shown = {unit: [p for p in r[f"by_{period}"][unit] if p["reached"][first] >= MIN_UNITS] for unit in ("user", "session")}
        if len(shown["user"]) >= 4:
            break
    if not shown["user"]:
        return charts
    fig, axes = figure(11, 3.8, ncols=2)
    for ax, (unit, periods) in zip(axes, shown.items()):
        x = [date.fromisoformat(p["group"]) for p in periods]
        for color, stage in zip(PALETTE[1:], r["stages"][1:]):
            ax.plot(x, [p["step_rate"][stage] for p in periods], marker=".", color=color, label=f"step rate to {stage}")
        ax.plot(x, [p["conversion"] for p in periods], marker="o", color=ACCENT, lw=2, label="overall conversion")
        ax.xaxis.set_major_formatter(ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("week starting (Monday, UTC)" if period == "week" else "day (UTC)")
        ax.set_ylabel(f"share of {unit}s")
        set_title(ax, f"Conversion per {period}, per {unit}")
        ax.legend(fontsize=7, loc="upper right")
    charts.append(Chart(f"funnel-{period}", f"Step rates and overall conversion per {period} ({period}s with fewer than "
                        f"{MIN_UNITS} units at the {first} stage are left out).", fig))  # fmt: skip
    return charts


def _paired_bars(by_unit: dict[str, list[Result]], what: str) -> Figure:
    """Conversion per group, user-level and session-level bars side by side."""
    groups = [row["group"] for row in by_unit["user"]]
    fig, (ax,) = figure(9, 0.9 + 0.38 * len(groups))
    positions = np.arange(len(groups))[::-1]
    for offset, (unit, color) in zip((0.2, -0.2), (("user", ACCENT), ("session", PALETTE[1]))):
        values = {row["group"]: row["conversion"] or 0 for row in by_unit[unit]}
        bars = ax.barh(positions + offset, [values.get(g, 0) for g in groups], height=0.4, color=color, label=f"per {unit}")
        ax.bar_label(bars, [percent(values.get(g)) for g in groups], padding=2, fontsize=7)
    ax.set_yticks(positions, [short(g) for g in groups])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("conversion (share of units at the first stage that purchased)")
    ax.legend(fontsize=8, loc="lower right")
    set_title(ax, what.capitalize())
    return fig


def _cohorts(r: Result) -> list[Chart]:
    charts = []
    for period in ("month", "week"):
        cohorts = [c for c in r[period]["cohorts"] if c["size"] >= MIN_UNITS]
        if not cohorts:
            continue
        width = max(sum(v is not None for v in c["retention"]) for c in cohorts)
        grid = [c["retention"][:width] for c in cohorts]
        later = [v for row in grid for v in row[1:] if v is not None]
        labels = [f"{c['cohort'][:7] if period == 'month' else c['cohort']} ({c['size']:,})" for c in cohorts]
        fig, (ax,) = figure(min(14, 4 + 0.55 * width), min(12, 1.6 + 0.3 * len(grid)))
        matrix(fig, ax, grid, xlabels=list(range(width)), ylabels=labels, title=f"Retention by first-seen {period}",
               xlabel=f"{period}s since first seen", ylabel="cohort (users)", colorbar="share of the cohort active",
               cell_format="{:.0%}" if len(grid) <= 16 and width <= 16 else None, vmax=max(later, default=1.0),
               percent=True)  # fmt: skip
        charts.append(Chart(f"cohorts-{period}", f"Share of each {period}'s new users active again k {period}s later. "
                            f"The colour scale tops out at the highest later value; blank cells are not observable yet; "
                            f"the last {period} of the data is incomplete, so each row's last cell runs low; cohorts "
                            f"under {MIN_UNITS} users are left out.", fig))  # fmt: skip
    return charts


def _repeat(r: Result) -> list[Chart]:
    if not r["buyers"]:
        return []
    fig, (left, right) = figure(11, 3.8, ncols=2)
    orders = r["orders_per_buyer"]
    vbars(left, [b["bucket"] for b in orders], [b["count"] for b in orders], xlabel="orders per buyer",
          ylabel="buyers", title=f"Orders per buyer (repeat rate {percent(r['repeat_rate'])})")  # fmt: skip
    gaps = r["interval_histogram"]
    median = r["interval_days"]["median"]
    vbars(right, [b["bucket"] for b in gaps], [b["count"] for b in gaps], xlabel="days between consecutive orders",
          ylabel="intervals", color=PALETTE[2],
          title="Days between orders" + (f" (median {median:.1f})" if median is not None else ""))  # fmt: skip
    return [Chart("repeat-purchase", "How many orders buyers place, and how long they wait between them.", fig)]


def _rfm(r: Result) -> list[Chart]:
    if not r["buyers"]:
        return []
    units = {"r": ("Recency", "days since last purchase"), "f": ("Frequency", "orders"), "m": ("Monetary", "spent")}
    fig, axes = figure(4 * len(r["scores"]), 3.6, ncols=len(r["scores"]))
    for ax, (score, rows) in zip(axes, r["scores"].items()):
        name, unit = units[score]
        ticks = [f"{row['score']}\n{value_range(row['low'], row['high'])}" for row in rows]
        vbars(ax, ticks, [row["users"] for row in rows], xlabel=f"{score.upper()} score ({unit})", ylabel="buyers",
              title=f"{name} scores", color=PALETTE[list(units).index(score)])  # fmt: skip
    charts = [Chart("rfm-scores", "Buyers per score; under each score, the range of raw values it covers.", fig)]
    fig, (ax,) = figure(6.5, 4.8)
    matrix(fig, ax, r["grid_rf"]["users"], xlabels=range(1, 6), ylabels=range(1, 6), title="Buyers by R and F score",
           xlabel="F score (1 = fewest orders … 5 = most)", ylabel="R score (1 = longest ago … 5 = most recent)",
           colorbar="buyers", cell_format="{:,.0f}")  # fmt: skip
    ax.invert_yaxis()
    charts.append(Chart("rfm-grid", "Buyers in each recency × frequency cell (top right: recent and frequent).", fig))
    return charts


def _clusters(r: Result) -> list[Chart]:
    if not r["clusters"]:
        return []
    fig, (ax, side) = figure(12, 5.2, ncols=2, width_ratios=[3, 1])
    points = np.array(r["pca"]["points"])
    for c in r["clusters"]:
        mine = points[points[:, 2] == c["cluster"]]
        ax.scatter(mine[:, 0], mine[:, 1], s=6, alpha=0.45, color=PALETTE[c["cluster"] % len(PALETTE)],
                   label=f"{c['cluster']}: {c['size']:,} users — {c['label']}")  # fmt: skip
        ax.scatter(*c["centroid_pca"], s=140, marker="X", color=PALETTE[c["cluster"] % len(PALETTE)], edgecolor="black")
    variance = r["pca"]["explained_variance"]
    ax.set_xlabel(f"principal component 1 ({variance[0]:.0%} of variance)")
    ax.set_ylabel(f"principal component 2 ({variance[1]:.0%} of variance)")
    set_title(ax, f"User clusters (k = {r['k']}), PCA projection of the standardised features")
    ax.legend(fontsize=7, loc="best", markerscale=2.5, framealpha=0.9)
    ks = sorted(r["silhouette"], key=int)
    side.plot([int(k) for k in ks], [r["silhouette"][k] for k in ks], marker="o", color=ACCENT)
    side.axvline(r["k"], color=PALETTE[3], ls="--", lw=1)
    side.set_xlabel("k (clusters)")
    side.set_ylabel("silhouette coefficient")
    set_title(side, "Choice of k")
    return [Chart("clusters", "Each dot is a user (a sample); crosses are cluster centres.", fig)]


def _popularity(r: Result) -> list[Chart]:
    charts = []
    for key in ("categories", "brands", "items"):
        rows = r[key][:15]
        if not rows:
            continue
        names = [row.get("title") or row["name"] for row in rows]
        views = any(row["views"] for row in rows)
        fig, axes = figure(11 if views else 7, 0.9 + 0.32 * len(rows), ncols=2 if views else 1)
        hbars(axes[0], names, [row["purchases"] for row in rows], xlabel="purchase events", title=f"Top {key} by purchases")
        if views:
            hbars(axes[1], names, [row["views"] for row in rows], xlabel="views", title="… and their views", color=PALETTE[1])
        charts.append(Chart(f"popularity-{key}", f"The most purchased {key} (then most viewed).", fig))
    return charts


def _co_purchase(r: Result) -> list[Chart]:
    charts = []
    pairs = [p for p in r["items"]["by_count"][:20] if p["together"] >= 2]
    if len(pairs) >= MIN_GRAPH_PAIRS:  # fewer make an empty-looking drawing; the table lists them
        charts.append(Chart("co-purchase-graph", "Items most often bought in the same basket (pairs seen at least "
                            "twice): line width grows with the number of baskets holding both.", _graph(pairs)))  # fmt: skip
    pairs = [p for p in r["categories"]["by_count"][:15] if p["together"] >= 2]
    if len(pairs) >= MIN_GRAPH_PAIRS:
        fig, (ax,) = figure(9, 0.9 + 0.34 * len(pairs))
        hbars(ax, [f"{p['a']} + {p['b']}" for p in pairs], [p["together"] for p in pairs], xlabel="baskets with both",
              title="Category pairs bought together", notes=[f"{p['together']:,} (lift {p['lift']:.1f})" for p in pairs])  # fmt: skip
        charts.append(Chart("co-purchase-categories", "Category pairs by shared baskets (seen at least twice); "
                            "lift > 1: together more often than chance.", fig))  # fmt: skip
    return charts


def _circle_order(pairs: list[Result]) -> list[str]:
    """Nodes in breadth-first order from the best-connected one, component by component, so that most
    edges join neighbours on the circle instead of crossing it."""
    weight: dict[str, dict[str, int]] = {}
    for p in pairs:
        weight.setdefault(p["a"], {})[p["b"]] = p["together"]
        weight.setdefault(p["b"], {})[p["a"]] = p["together"]
    strength = {n: sum(w.values()) for n, w in weight.items()}
    order: list[str] = []
    for start in sorted(weight, key=lambda n: -strength[n]):
        queue = [start] if start not in order else []
        while queue:
            node = queue.pop(0)
            if node in order:
                continue
            order.append(node)
            queue += sorted((n for n in weight[node] if n not in order), key=lambda n: -weight[node][n])
    return order


def _graph(pairs: list[Result]) -> Figure:
    """A circular node-link drawing of item pairs."""
    nodes = _circle_order(pairs)
    titles = {p[e]: p.get(f"{e}_title") or p[e] for p in pairs for e in ("a", "b")}
    angle = {n: 2 * math.pi * i / len(nodes) for i, n in enumerate(nodes)}
    xy = {n: (math.cos(a), math.sin(a)) for n, a in angle.items()}
    fig, (ax,) = figure(9, 8.5)
    top = max(p["together"] for p in pairs)
    for p in pairs:
        (x0, y0), (x1, y1) = xy[p["a"]], xy[p["b"]]
        ax.plot([x0, x1], [y0, y1], color=ACCENT, alpha=0.6, lw=0.8 + 6 * p["together"] / top, solid_capstyle="round")
    for n, (x, y) in xy.items():
        ax.scatter([x], [y], s=60, color=PALETTE[1], edgecolor="black", zorder=3)
        degrees = math.degrees(angle[n])
        flip = 90 < degrees < 270
        ax.text(1.06 * x, 1.06 * y, short(titles[n], 30), fontsize=7.5, rotation=degrees + (180 if flip else 0),
                rotation_mode="anchor", ha="right" if flip else "left", va="center")  # fmt: skip
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-2.0, 2.0)
    ax.set_aspect("equal")
    ax.axis("off")
    set_title(ax, f"Co-purchase graph: the {len(pairs)} item pairs bought together most often")
    return fig


def _heatmap(r: Result) -> list[Chart]:
    purchases, events = sum(map(sum, r["purchases"])), sum(map(sum, r["events"]))
    panels = ["events"] + (["purchases"] if 0 < purchases < 0.9 * events else [])  # else the same picture twice
    fig, axes = figure(11, 2.9 * len(panels), nrows=len(panels))
    for ax, name in zip(axes, panels):
        matrix(fig, ax, r[name], xlabels=r["hours"], ylabels=r["weekdays"], title=f"{name.capitalize()} by weekday and hour",
               xlabel=f"hour of day ({r['timezone']})", ylabel="weekday", colorbar=name, cmap="YlOrRd")  # fmt: skip
    return [Chart("heatmap", "When people are active: counts per weekday and hour of the day.", fig)]


def _sessions(r: Result) -> list[Chart]:
    if not r["events_histogram"]:
        return []
    with_minutes = "note" not in r
    fig, axes = figure(11 if with_minutes else 6, 3.8, ncols=2 if with_minutes else 1)
    bins = r["events_histogram"]
    vbars(axes[0], [b["bucket"] for b in bins], [b["count"] for b in bins], xlabel="events in the session",
          ylabel="sessions", title=f"Events per session (median {r['events_per_session']['median']:g})")  # fmt: skip
    if with_minutes:
        bins = r["minutes_histogram"]
        vbars(axes[1], [b["bucket"] for b in bins], [b["count"] for b in bins], xlabel="minutes from first to last event",
              ylabel="sessions", color=PALETTE[2], title=f"Session duration (median {r['minutes']['median']:.1f} min)")  # fmt: skip
    return [Chart("sessions", "How long sessions are, in events and in minutes.", fig)]


FIGURES: dict[str, Callable[[Result], list[Chart]]] = {
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
