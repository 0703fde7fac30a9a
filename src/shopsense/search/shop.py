"""The shop's search: relevance ranking plus filters, click learning, personalisation, fallback, facets,
sorting and pagination.

Which results count as matches (a minimum-should-match rule in the spirit of Lucene's
``minimum_should_match``): with m query tokens, a result must contain all of them when m ≤ 2 and at
least ⌈0.75·m⌉ otherwise. When nothing matches, the fallback chain is tried in order and named in the
response: ``relaxed_terms`` (any query token), ``dense_only`` (nearest by meaning), ``popular_in_category``
(best-selling items of the category the query most likely means, else of the whole shop).

Relevance order: s = r + κ·clicks(q, i)/max_j clicks(q, j) (log-scaled) + personal boost, r the ranker
score min-max scaled over the results, κ = ``click_weight``; see ``personalize.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from shopsense.search.engine import SearchEngine
from shopsense.search.facts import ItemFacts
from shopsense.search.features import FEATURES
from shopsense.search.filters import Filters, filter_mask
from shopsense.search.personalize import Taste, personal_boosts
from shopsense.search.query import ParsedQuery

SORTS = ("relevance", "price_asc", "price_desc", "newest", "best_selling")
PRICE_EDGES = (0, 10, 25, 50, 100, 250, 500, 1000, 5000)
_COVERAGE, _DENSE, _BM25 = FEATURES.index("coverage"), FEATURES.index("dense"), FEATURES.index("bm25")


@dataclass(frozen=True)
class SearchRequest:
    text: str
    user_id: str | None = None
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    n: int = 20
    strength: float = 1.0  # personalisation; 0 = the unpersonalised order


@dataclass(frozen=True)
class Hit:
    item_id: str
    score: float
    source: str
    reason: str


@dataclass
class SearchResult:
    parsed: ParsedQuery
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    fallback: str | None = None


def must_match(n_tokens: int) -> int:
    return n_tokens if n_tokens <= 2 else math.ceil(0.75 * n_tokens)


def facets(facts: ItemFacts, rows: np.ndarray) -> dict[str, dict[str, int]]:
    """Counts per category, brand, shop, price range and stock state over the matching results."""
    def count(values: np.ndarray) -> dict[str, int]:
        return dict(Counter(v for v in values if v).most_common())

    prices = facts.price[rows]
    ranges: Counter[str] = Counter()
    for p in prices[~np.isnan(prices)]:
        i = int(np.searchsorted(PRICE_EDGES, p, side="right")) - 1
        ranges[f"{PRICE_EDGES[i]}..{PRICE_EDGES[i + 1]}" if i + 1 < len(PRICE_EDGES) else f"{PRICE_EDGES[-1]}.."] += 1
    stock = facts.in_stock[rows]
    return {
        "category": count(facts.category[rows]), "brand": count(facts.brand[rows]), "shop": count(facts.shop[rows]),
        "price": dict(sorted(ranges.items(), key=lambda kv: float(kv[0].split("..")[0]))),
        "in_stock": {"true": int(stock.sum()), "false": int((~stock).sum())},
    }  # fmt: skip


def _scaled(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if len(x) else 0.0
    return (x - x.min()) / span if span > 0 else np.ones_like(x, dtype=np.float64)


@dataclass
class ShopSearch:
    engine: SearchEngine
    facts: ItemFacts
    clicks: Mapping[str, Counter[str]] = field(default_factory=dict)  # normalised query -> item clicks
    sales: Mapping[str, int] = field(default_factory=dict)
    click_weight: float = 0.3

    def search(self, request: SearchRequest, taste: Taste | None = None) -> SearchResult:
        parsed = self.engine.parse(request.text)
        mask = filter_mask(self.facts, request.filters, parsed)
        ranked = self.engine.rank(parsed, mask=mask)
        features, rows = ranked.pool.features[ranked.order], ranked.rows
        scores = ranked.scores[ranked.order]
        matched = features[:, _COVERAGE] * max(len(parsed.tokens), 1) >= must_match(len(parsed.tokens)) - 1e-6
        fallback, source = None, "search"
        if not matched.any() and len(rows):
            matched = features[:, _BM25] > 0
            fallback = "relaxed_terms" if matched.any() else None
            if not matched.any() and features[:, _DENSE].any():
                matched, fallback, source = np.ones(len(rows), bool), "dense_only", "search:dense"
        if not matched.any():
            return self._popular(request, parsed, mask)
        rows, scores = rows[matched], _scaled(scores[matched])
        base = [self._reason(parsed, f) for f in features[matched]]
        return self._finish(request, parsed, rows, scores, base, source, fallback, taste or Taste())

    def _reason(self, parsed: ParsedQuery, f: np.ndarray) -> str:
        if f[_BM25] > 0:
            return f"matches {f[_COVERAGE]:.0%} of the query terms" + (" (after spelling correction)" if parsed.corrected else "")
        return "close in meaning to the query"

    def _popular(self, request: SearchRequest, parsed: ParsedQuery, mask: np.ndarray) -> SearchResult:
        """Best-selling visible items of the intended category (else of the shop), newest first on ties."""
        rows = np.flatnonzero(mask)
        intent = parsed.categories[0][0] if parsed.categories else None
        if intent is not None:
            in_category = np.array([c == intent or c.startswith(intent + " > ") for c in self.facts.category[rows]], bool)
            rows = rows[in_category] if in_category.any() else rows
        sold = np.array([self.sales.get(self.facts.item_ids[r], 0) for r in rows], dtype=np.float64)
        rows = rows[np.lexsort((-self.facts.created_ms[rows], -sold))][:100]
        scores = _scaled(np.array([self.sales.get(self.facts.item_ids[r], 0) for r in rows], dtype=np.float64))
        where = f"in {intent}" if intent and rows.size and self.facts.category[rows[0]].startswith(intent) else "in the shop"
        base = [f"popular {where}; nothing matched the query"] * len(rows)
        return self._finish(request, parsed, rows, scores, base, "popular", "popular_in_category", Taste())

    def _finish(self, request: SearchRequest, parsed: ParsedQuery, rows: np.ndarray, scores: np.ndarray,
                base: list[str], source: str, fallback: str | None, taste: Taste) -> SearchResult:
        clicked = self.clicks.get(parsed.normalized, Counter())
        click = np.array([math.log1p(clicked.get(self.facts.item_ids[r], 0)) for r in rows])
        if click.any():
            click = self.click_weight * click / click.max()
        personal, why = personal_boosts(taste, self.facts, rows, request.strength)
        final = scores + click + personal
        reasons = [
            "; ".join(x for x in (b, "often chosen for this query" if c > 0 else "", p) if x)
            for b, c, p in zip(base, click, why)
        ]  # fmt: skip
        order = self._order(request.sort, rows, final)
        start = (request.page - 1) * request.n
        page = order[start : start + request.n]
        hits = [Hit(self.facts.item_ids[rows[i]], round(float(final[i]), 6), source, reasons[i]) for i in page]
        return SearchResult(parsed, hits, len(rows), facets(self.facts, rows), fallback)

    def _order(self, sort: str, rows: np.ndarray, final: np.ndarray) -> np.ndarray:
        """Positions into ``rows``, in the requested order, relevance breaking ties."""
        if sort == "relevance":
            return np.lexsort((rows, -final))
        price = self.facts.price[rows]
        keys = {
            "price_asc": np.where(np.isnan(price), np.inf, price),
            "price_desc": np.where(np.isnan(price), np.inf, -price),
            "newest": -self.facts.created_ms[rows].astype(np.float64),
            "best_selling": -np.array([self.sales.get(self.facts.item_ids[r], 0) for r in rows], dtype=np.float64),
        }
        if sort not in keys:
            raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        return np.lexsort((rows, -final, keys[sort]))
