"""Co-purchase graph: item pairs and category pairs bought in the same session (basket), with lift."""

from __future__ import annotations

from typing import Any

from shopsense.analytics.frame import EventLog

DEFINITION = """A basket is the set of distinct items (or top-level categories) purchased in one session. For a
pair (a, b), together is the number of baskets holding both, and lift = together × N / (baskets(a) ×
baskets(b)) over the N baskets with a purchase, i.e. P(a and b) / (P(a) × P(b)): 1 is what independent
choices would give, above 1 means bought together more often than chance. Pairs are listed by together and,
among pairs seen in enough baskets to trust (at least 3, and at least one basket in 2,000), by lift."""

TOP = 25
MIN_TOGETHER = 3
SUPPORT_DIVISOR = 2_000


def _top_pairs(log: EventLog, key: str, min_together: int) -> dict[str, list[dict[str, Any]]]:
    """The ``TOP`` pairs (a < b) of ``key`` values sharing baskets, by ``together`` and by lift."""
    rows = log.rows(f"""
        WITH baskets AS (SELECT DISTINCT session, {key} AS x FROM ev WHERE type = 'purchase' AND {key} IS NOT NULL),
        codes AS (SELECT x, count(*) AS n, row_number() OVER (ORDER BY x) AS code FROM baskets GROUP BY x),
        coded AS (SELECT b.session, c.code FROM baskets b JOIN codes c USING (x)),
        pairs AS MATERIALIZED (
            SELECT a.code AS a, b.code AS b, count(*) AS together
            FROM coded a JOIN coded b ON a.session = b.session AND a.code < b.code GROUP BY ALL
        ),
        scored AS MATERIALIZED (
            SELECT ca.x AS a, cb.x AS b, p.together, ca.n AS a_baskets, cb.n AS b_baskets,
                   p.together * (SELECT count(DISTINCT session) FROM baskets) / (ca.n * cb.n) AS lift, p.a AS ka, p.b AS kb
            FROM pairs p JOIN codes ca ON ca.code = p.a JOIN codes cb ON cb.code = p.b
        )
        (SELECT 'by_count' AS ranking, * FROM scored ORDER BY together DESC, lift DESC, ka, kb LIMIT {TOP})
        UNION ALL
        (SELECT 'by_lift', * FROM scored WHERE together >= {int(min_together)} ORDER BY lift DESC, together DESC, ka, kb LIMIT {TOP})
    """)  # fmt: skip
    ranked: dict[str, list[dict[str, Any]]] = {"by_count": [], "by_lift": []}
    for row in rows:
        ranked[row.pop("ranking")].append({k: v for k, v in row.items() if k not in ("ka", "kb")})
    return ranked


def co_purchase(log: EventLog) -> dict[str, Any]:
    baskets = log.one("""
        SELECT count(*) AS baskets, count(*) FILTER (n >= 2) AS multi_item
        FROM (SELECT session, count(DISTINCT item_id) AS n FROM ev WHERE type = 'purchase' GROUP BY session)
    """)  # fmt: skip
    min_together = max(MIN_TOGETHER, baskets["baskets"] // SUPPORT_DIVISOR)
    items = _top_pairs(log, "item_id", min_together)
    titles = {r["item_id"]: r["title"] for r in log.rows(
        "SELECT item_id, title FROM items WHERE list_contains(?, item_id)",
        [sorted({p[e] for pairs in items.values() for p in pairs for e in ("a", "b")})],
    )}  # fmt: skip
    for pairs in items.values():
        for pair in pairs:
            pair["a_title"], pair["b_title"] = titles.get(pair["a"]), titles.get(pair["b"])
    result: dict[str, Any] = {
        "definition": DEFINITION,
        **baskets,
        "min_together_for_lift": min_together,
        "items": items,
        "categories": _top_pairs(log, "category", min_together),
    }
    if baskets["multi_item"] < MIN_TOGETHER:
        result["note"] = f"Only {baskets['multi_item']} baskets hold two or more items: there is little to pair."
    return result
