"""Autocomplete: completions of a typed prefix from past queries (by popularity) and item titles.

A past query is suggested only once ``min_searchers`` different searchers typed it, so one shopper's
query (a name, an address, an order number) is never shown to others. Keys are normalised text
(``normalize``). A past query matches when it starts with the prefix; a title
matches when it, or one of its words from some position on, starts with it ("手机" completes
"iPhone 15 手机壳"; every Han character starts a word). Lookup is a binary search in sorted keys, so it costs O(log n + k).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shopsense.search.text import HAN, normalize


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str  # "query" | "title"
    count: int = 0


def _prefixed(keys: list[str], prefix: str) -> range:
    start = bisect_left(keys, prefix)
    end = bisect_left(keys, prefix + "\U0010ffff")
    return range(start, end)


class Suggester:
    def __init__(self, past_queries: Mapping[str, int], titles: Sequence[str], *, min_searchers: int = 2) -> None:
        """past_queries: query -> number of different searchers (``SearchStore.past_queries``)."""
        queries = sorted((normalize(q), n) for q, n in past_queries.items() if normalize(q))
        merged: dict[str, int] = {}
        for q, n in queries:
            merged[q] = merged.get(q, 0) + n
        self._counts = {q: n for q, n in merged.items() if n >= min_searchers}
        self._queries = sorted(self._counts)
        entries = set()
        for i, title in enumerate(titles):
            text = normalize(title)
            starts = {0} | {m.start() + 1 for m in re.finditer(r"[^\w]", text)}  # word starts
            starts |= {m.start() for m in re.finditer(f"[{HAN}]", text)}  # and every Han character
            entries.update((text[at:], i) for at in starts if at < len(text))
        ordered = sorted(entries)
        self._title_keys = [k for k, _ in ordered]
        self._title_rows = [i for _, i in ordered]
        self._titles = list(titles)

    def suggest(self, prefix: str, k: int = 10) -> list[Suggestion]:
        key = normalize(prefix)
        if not key:
            return []
        found = sorted((-self._counts[self._queries[i]], self._queries[i]) for i in _prefixed(self._queries, key))[:k]
        out = [Suggestion(q, "query", -n) for n, q in found]
        seen: set[int] = set()
        for i in _prefixed(self._title_keys, key):
            if len(out) >= k:
                break
            row = self._title_rows[i]
            if row not in seen:
                seen.add(row)
                out.append(Suggestion(self._titles[row], "title"))
        return out
