"""What search keeps in the database: synonym rules, the log of searches served, and the behaviour
signals it learns from (clicks on search results, sales, past queries). SQLAlchemy Core, same SQL on
SQLite and PostgreSQL.

A click on a search result is any ``click``, ``add_to_cart`` or ``purchase`` event whose ``recomm_id``
is the id of a logged search.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import orjson
from sqlalchemy import Engine, and_, case, delete, func, insert, select

from shopsense.search.synonyms import SynonymRule
from shopsense.storage.codec import now_ms
from shopsense.storage.schema import events, items, search_log, search_synonyms

CLICK_TYPES = ("click", "add_to_cart", "purchase")


@dataclass(frozen=True)
class LoggedSearch:
    recomm_id: str
    query: str
    normalized: str
    user_id: str | None
    results: int
    fallback: str | None


class SearchStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # synonyms -----------------------------------------------------------------------------------
    def add_synonym(self, rule: SynonymRule) -> int:
        row = {"term": rule.term, "synonyms": orjson.dumps(list(rule.synonyms)).decode(), "two_way": rule.two_way,
               "created_ms": now_ms()}  # fmt: skip
        with self._engine.begin() as connection:
            return int(connection.execute(insert(search_synonyms).values(**row)).inserted_primary_key[0])

    def synonyms(self) -> list[tuple[int, SynonymRule]]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(search_synonyms).order_by(search_synonyms.c.rule_id)).all()
        return [(r.rule_id, SynonymRule(r.term, tuple(orjson.loads(r.synonyms)), bool(r.two_way))) for r in rows]

    def delete_synonym(self, rule_id: int) -> bool:
        with self._engine.begin() as connection:
            return connection.execute(delete(search_synonyms).where(search_synonyms.c.rule_id == rule_id)).rowcount > 0

    # searches and signals -------------------------------------------------------------------------
    def log(self, entry: LoggedSearch, ts_ms: int | None = None) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(search_log).values(
                recomm_id=entry.recomm_id, query=entry.query[:1000], normalized=entry.normalized[:1000],
                user_id=entry.user_id, results=entry.results, fallback=entry.fallback,
                ts_ms=now_ms() if ts_ms is None else ts_ms,
            ))  # fmt: skip

    def index_version(self) -> tuple[int, ...]:
        """(item count, newest ``updated_ms``, synonym count, newest synonym id): changes whenever an item is
        added, replaced or flagged or a synonym rule is added or deleted, by any server process."""
        with self._engine.connect() as connection:
            count, newest = connection.execute(select(func.count(), func.max(items.c.updated_ms))).one()
            rules, last_rule = connection.execute(select(func.count(), func.max(search_synonyms.c.rule_id))).one()
        return int(count), int(newest or 0), int(rules), int(last_rule or 0)

    def query_clicks(self) -> dict[str, Counter[str]]:
        """normalised query -> Counter(item_id -> clicks on that item in results of that query)."""
        query = (
            select(search_log.c.normalized, events.c.item_id, func.count())
            .join(events, events.c.recomm_id == search_log.c.recomm_id)
            .where(events.c.type.in_(CLICK_TYPES), events.c.item_id.is_not(None))
            .group_by(search_log.c.normalized, events.c.item_id)
        )
        out: dict[str, Counter[str]] = {}
        with self._engine.connect() as connection:
            for normalized, item_id, count in connection.execute(query):
                out.setdefault(normalized, Counter())[item_id] = int(count)
        return out

    def sales(self) -> Counter[str]:
        """item_id -> number of purchase events (for "best-selling" and the popular fallback)."""
        query = select(events.c.item_id, func.count()).where(events.c.type == "purchase").group_by(events.c.item_id)
        with self._engine.connect() as connection:
            return Counter({item_id: int(n) for item_id, n in connection.execute(query) if item_id})

    def past_queries(self, limit: int = 50_000) -> Counter[str]:
        """normalised query -> how many searchers typed it (most frequent ``limit``), from the log and search
        events; a searcher is a user id, and each anonymous search counts as its own searcher."""
        counts: Counter[str] = Counter()
        with self._engine.connect() as connection:
            searchers = func.count(func.distinct(func.coalesce(search_log.c.user_id, search_log.c.recomm_id)))
            logged = select(search_log.c.normalized, searchers).group_by(search_log.c.normalized)
            counts.update({q: int(n) for q, n in connection.execute(logged.order_by(searchers.desc()).limit(limit))})
            users = func.count(func.distinct(events.c.user_id))
            typed = select(events.c.query, users).where(events.c.type == "search", events.c.query.is_not(None))
            for q, n in connection.execute(typed.group_by(events.c.query).order_by(users.desc()).limit(limit)):
                counts[q] += int(n)
        return counts

    def analytics(self, start_ms: int, end_ms: int, limit: int) -> dict[str, list[dict]]:
        """Top queries, zero-result queries and click-through rate by query in [start_ms, end_ms)."""
        window = and_(search_log.c.ts_ms >= start_ms, search_log.c.ts_ms < end_ms)
        clicked = (
            select(events.c.recomm_id).where(events.c.type.in_(CLICK_TYPES), events.c.recomm_id.is_not(None)).distinct()
        ).subquery()
        searches = func.count()
        zero = func.sum(case((search_log.c.results == 0, 1), else_=0))
        clicks = func.count(clicked.c.recomm_id)
        base = (
            select(search_log.c.normalized, searches.label("searches"), zero.label("zero"), clicks.label("clicked"))
            .outerjoin(clicked, clicked.c.recomm_id == search_log.c.recomm_id)
            .where(window)
            .group_by(search_log.c.normalized)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(base).all()
        stats = [{"query": r.normalized, "searches": int(r.searches), "zero_results": int(r.zero or 0),
                  "clicked_searches": int(r.clicked)} for r in rows]  # fmt: skip
        for s in stats:
            s["ctr"] = s["clicked_searches"] / s["searches"]
        by_count = sorted(stats, key=lambda s: (-s["searches"], s["query"]))
        return {
            "top_queries": by_count[:limit],
            "zero_result_queries": [s for s in by_count if s["zero_results"] > 0][:limit],
            "ctr_by_query": sorted(stats, key=lambda s: (-s["ctr"], -s["searches"], s["query"]))[:limit],
        }
