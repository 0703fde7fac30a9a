"""The self-contained HTML report: headings, short explanations, notes, figures (base64 PNG) and tables."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

from shopsense.analytics.figures import Chart
from shopsense.analytics.tables import TABLES

SECTIONS: dict[str, tuple[str, str]] = {
    "overview": ("Overview", "What the event log holds in the report window: counts, revenue and time range."),
    "funnel": ("Conversion funnel", "How many users and sessions go from viewing an item to putting one in the "
               "cart to buying, overall, by category and over time."),
    "cohorts": ("Cohort retention", "Users grouped by the week or month of their first event; each row shows "
                "which share of them was active again in each later period."),
    "repeat-purchase": ("Repeat purchase", "How many buyers buy again, and how many days pass between orders."),
    "rfm": ("RFM scores", "Buyers scored 1-5 on recency, frequency and money spent: the usual first cut for "
            "marketing segments."),
    "clusters": ("User clusters", "Users grouped by k-means on their purchase and activity features, each "
                 "group described in words."),
    "popularity": ("Popularity", "The categories, brands and items that are bought (and viewed) most."),
    "co-purchase": ("Co-purchase", "What is bought together in one basket: the pairs seen most, and the pairs "
                    "whose lift shows they go together far more often than chance."),
    "heatmap": ("Activity by weekday and hour", "When people visit and buy."),
    "sessions": ("Session length", "How many events a session holds and how long it lasts."),
}  # fmt: skip

_CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #3867d6; padding-bottom: 0.2em; margin-top: 2.2em; }
.meta { color: #666; } nav a { margin-right: 1em; } img { max-width: 100%; border: 1px solid #eee; }
.note { background: #fff8e1; border-left: 4px solid #f7b731; padding: 0.5em 0.8em; margin: 0.6em 0; }
details { color: #555; margin: 0.5em 0; } figure { margin: 1em 0; }
figcaption { color: #555; font-size: 0.9em; } table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
"""


def _notes(result: dict[str, Any]) -> list[str]:
    """Every note in a result: string values of keys ending in ``note``, and the ``notes`` list."""
    found = [v for k, v in result.items() if k.endswith("note") and isinstance(v, str)]
    return found + list(result.get("notes", []))


def _table(caption: str, header: Sequence[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(name: str, result: dict[str, Any], charts: list[tuple[Chart, bytes]]) -> str:
    title, explanation = SECTIONS[name]
    parts = [f'<section id="{name}"><h2>{escape(title)}</h2><p>{escape(explanation)}</p>']
    parts += [f'<p class="note">{escape(note)}</p>' for note in _notes(result)]
    if "definition" in result:
        definition = " ".join(result["definition"].split())  # one paragraph, whatever the source's line breaks
        parts.append(f"<details><summary>How it is computed</summary>{escape(definition)}</details>")
    for chart, image in charts:
        data = base64.b64encode(image).decode()
        parts.append(f'<figure><img alt="{escape(chart.caption)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{escape(chart.caption)}</figcaption></figure>")  # fmt: skip
    parts += [_table(t.caption, t.header, t.rows) for t in TABLES[name](result) if t.rows]
    return "\n".join(parts) + "</section>"


def render(results: dict[str, dict[str, Any]], charts: dict[str, list[tuple[Chart, bytes]]], *, source: str,
           generated_at: str) -> str:  # fmt: skip
    """The whole report as one HTML document (no external files)."""
    window = results["overview"]["window"]
    span = f"{window['since'] or 'the first event'} to {window['until'] or 'the last event'}"
    nav = " ".join(f'<a href="#{name}">{escape(SECTIONS[name][0])}</a>' for name in results)
    sections = "\n".join(_section(name, result, charts.get(name, [])) for name, result in results.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ShopSense behaviour report</title><style>{_CSS}</style></head>
<body><h1>ShopSense behaviour report</h1>
<p class="meta">Store: {escape(source)} · window: {escape(span)} (UTC) · generated {escape(generated_at)}.
The data of every figure is in report.json beside this file.</p>
<nav>{nav}</nav>
{sections}
</body></html>
"""
