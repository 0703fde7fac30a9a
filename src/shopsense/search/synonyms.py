"""Admin-managed synonyms: a one-way rule sends ``term`` to its synonyms ("tv" -> "television": a search
for tv also finds television, not the reverse); a two-way rule makes every member equivalent.

Terms are compared after ``normalize``; a term may be several words ("cell phone") or Chinese ("手机"),
and matches whole words in the query (any substring for Chinese). The expansions are added to the query's
tokens, so BM25 finds documents with either form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from shopsense.search.text import HAN, normalize


@dataclass(frozen=True)
class SynonymRule:
    term: str
    synonyms: tuple[str, ...]
    two_way: bool = False

    def __post_init__(self) -> None:
        if not normalize(self.term) or not any(normalize(s) for s in self.synonyms):
            raise ValueError("a synonym rule needs a term and at least one non-empty synonym")


def _pattern(term: str) -> re.Pattern[str]:
    escaped = re.escape(term)
    return re.compile(escaped if re.match(f"[{HAN}]", term) else rf"(?<!\w){escaped}(?!\w)")


class Synonyms:
    def __init__(self, rules: Iterable[SynonymRule] = ()) -> None:
        self.rules = list(rules)
        self._map: dict[str, set[str]] = {}
        for rule in self.rules:
            members = [normalize(rule.term), *(normalize(s) for s in rule.synonyms)]
            sources = members if rule.two_way else members[:1]
            for source in filter(None, sources):
                self._map.setdefault(source, set()).update(m for m in members if m and m != source)
        self._patterns = {term: _pattern(term) for term in self._map}

    def expand(self, normalized: str) -> list[str]:
        """The synonyms of every term found in the normalised query (sorted, none of them already in it)."""
        found: set[str] = set()
        for term, pattern in self._patterns.items():
            if pattern.search(normalized):
                found |= self._map[term]
        return sorted(s for s in found if not _pattern(s).search(normalized))
