"""Spelling correction from the catalogue vocabulary and past queries (symmetric-delete, SymSpell).

Every vocabulary word w is stored under each string obtained by deleting up to ``max_distance``
characters from it; a query word q is looked up under its own deletes, and candidates are kept when
their optimal-string-alignment (Damerau-Levenshtein) distance to q is at most the allowed distance
(1 for words of 4-7 characters, 2 for longer ones; shorter words and numbers are never changed). The
closest candidate wins, ties broken by frequency (Garbe, "SymSpell", 2012). A word the vocabulary
does not hold may also be split in two known words ("lightbulb" -> "light bulb"), and two adjacent
query words whose concatenation is known are joined ("sheet rock" -> "sheetrock").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def allowed_distance(word: str) -> int:
    if len(word) < 4 or not (word.isascii() and word.isalpha()):
        return 0
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class Correction:
    words: list[str]
    changed: bool


class SpellingCorrector:
    """Corrects query words against word frequencies; words seen ``min_count`` times or more are trusted."""

    def __init__(self, counts: Counter[str], *, min_count: int = 1, max_distance: int = 2) -> None:
        self.counts = Counter({w: c for w, c in counts.items() if c >= min_count})
        self.max_distance = max_distance
        self._deletes: dict[str, list[str]] = {}
        for word in self.counts:
            if word.isascii() and word.isalpha() and len(word) >= 3:
                for key in _deletes(word, max_distance if len(word) >= 6 else 1):
                    self._deletes.setdefault(key, []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[list[str]], **kwargs: int) -> SpellingCorrector:
        """Build from already-split texts (lists of normalised words)."""
        counts: Counter[str] = Counter()
        for words in texts:
            counts.update(words)
        return cls(counts, **kwargs)

    def correct_word(self, word: str) -> str:
        """The best known word within the allowed distance, or ``word`` itself."""
        limit = allowed_distance(word)
        if limit == 0 or word in self.counts:
            return word
        best: tuple[int, int, str] | None = None
        for key in _deletes(word, limit):
            for cand in self._deletes.get(key, ()):
                dist = osa_distance(word, cand)
                if dist <= limit and (best is None or (dist, -self.counts[cand]) < best[:2]):
                    best = (dist, -self.counts[cand], cand)
        if best is not None:
            return best[2]
        return self._split(word) or word

    def _split(self, word: str) -> str | None:
        """The most frequent split into two known words of 2+ letters, as "left right"."""
        splits = [
            (min(self.counts[word[:i]], self.counts[word[i:]]), word[:i], word[i:])
            for i in range(2, len(word) - 1)
            if word[:i] in self.counts and word[i:] in self.counts
        ]
        return None if not splits else " ".join(max(splits)[1:])

    def correct(self, words: list[str]) -> Correction:
        """Join adjacent words whose concatenation is known and they are not, then correct each word."""
        joined: list[str] = []
        i = 0
        while i < len(words):
            pair = words[i] + words[i + 1] if i + 1 < len(words) else ""
            if pair and pair in self.counts and (words[i] not in self.counts or words[i + 1] not in self.counts):
                joined.append(pair)
                i += 2
            else:
                joined.append(words[i])
                i += 1
        out = " ".join(self.correct_word(w) for w in joined).split()
        return Correction(out, out != list(words))
