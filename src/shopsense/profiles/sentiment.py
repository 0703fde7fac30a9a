"""Lexicon-based review sentiment for English and Chinese text, with negation, intensifiers and contrast.

The text is cut into units: English words, punctuation, and for Chinese a greedy longest match against
the lexicon of :mod:`shopsense.profiles.lexicon` (other characters are single units). A sentiment word
contributes ``s = polarity · intensity · contrast`` where

* polarity is ±1 (±2 for strong words);
* intensity is the factor of an intensifier within the 2 units before it ("very good" ×1.5, "有点差" ×0.6);
* a negator within the 3 (English) or 4 (Chinese) units before it, in the same clause, flips and damps
  it: ``s ← −0.75·s`` ("not good", "不好", "不是很满意" are negative; "not bad", "没有问题" mildly positive);
* after a contrast word ("but", "但是") contributions count ×1.5: the clause after it carries the verdict.

With P and N the summed positive and negative contributions, the text's score is

    score = (P − N) / (P + N + 1)  ∈ (−1, 1),  0 when no sentiment word occurs.

A user's sentiment is the mean score of their reviews: positive ≥ 0.2, negative ≤ −0.2, else neutral.
No network, no model. Measured on labelled shop reviews (../shared/data/text), the label "score > 0"
agrees with the reviewer's verdict for 86% of 62,773 Chinese reviews (balanced accuracy 0.86) and 90%
of 19,818 English clothing reviews rated 1-2 or 4-5 stars (balanced accuracy 0.72; 0.78 at ≥ 0.2).
"""

from __future__ import annotations

import re
from functools import cache

from shopsense.profiles import lexicon as lx

NEGATION_DAMPING = 0.75
CONTRAST_WEIGHT = 1.5
INTENSIFIER_REACH = 2
NEGATION_REACH = {"en": 3, "zh": 4}
LABEL_THRESHOLD = 0.2

_PIECES = re.compile(r"[\u4e00-\u9fff]+|[a-z]+(?:'[a-z]+)?|[.!?;:,，。！？；：、~…]")
Unit = tuple[str, float, str]  # (kind: sentiment | negator | intensifier | contrast | neutral | stop, value, language)


def _entries(positive: frozenset, strong_pos: frozenset, negative: frozenset, strong_neg: frozenset,
             negators: frozenset, intensifiers: dict, contrast: frozenset) -> dict[str, tuple[str, float]]:  # fmt: skip
    table: dict[str, tuple[str, float]] = {}
    table.update({w: ("sentiment", 2.0 if w in strong_pos else 1.0) for w in positive | strong_pos})
    table.update({w: ("sentiment", -2.0 if w in strong_neg else -1.0) for w in negative | strong_neg})
    table.update({w: ("negator", 0.0) for w in negators})
    table.update({w: ("intensifier", f) for w, f in intensifiers.items()})
    table.update({w: ("contrast", 0.0) for w in contrast})
    return table


@cache
def _english() -> dict[str, tuple[str, float]]:
    return _entries(lx.EN_POSITIVE, lx.EN_STRONG_POSITIVE, lx.EN_NEGATIVE, lx.EN_STRONG_NEGATIVE,
                    lx.EN_NEGATORS, lx.EN_INTENSIFIERS, lx.EN_CONTRAST)  # fmt: skip


@cache
def _chinese() -> tuple[dict[str, tuple[str, float]], int]:
    table = {w: ("neutral", 0.0) for w in lx.ZH_NEUTRAL}
    table.update(_entries(lx.ZH_POSITIVE, lx.ZH_STRONG_POSITIVE, lx.ZH_NEGATIVE, lx.ZH_STRONG_NEGATIVE,
                          lx.ZH_NEGATORS, lx.ZH_INTENSIFIERS, lx.ZH_CONTRAST))  # fmt: skip
    return table, max(map(len, table))


def _chinese_units(run: str) -> list[Unit]:
    table, longest = _chinese()
    units, start = [], 0
    while start < len(run):
        for size in range(min(longest, len(run) - start), 0, -1):
            found = table.get(run[start : start + size])
            if found or size == 1:
                kind, value = found or ("neutral", 0.0)
                units.append((kind, value, "zh"))
                start += size
                break
    return units


def units(text: str) -> list[Unit]:
    """The text as scored units, in order."""
    english = _english()
    result: list[Unit] = []
    for piece in _PIECES.findall(text.lower()):
        if "\u4e00" <= piece[0] <= "\u9fff":
            result.extend(_chinese_units(piece))
        elif piece[0].isalpha():
            kind, value = english.get(piece.replace("'", ""), ("neutral", 0.0))
            result.append((kind, value, "en"))
        else:
            result.append(("stop", 0.0, ""))
    return result


def score_text(text: str) -> float:
    """The sentiment score of one review, in (−1, 1); see the module docstring for the rule."""
    positive = negative = 0.0
    negator_at = intensifier_at = -100
    intensity, contrast = 1.0, 1.0
    for position, (kind, value, language) in enumerate(units(text)):
        if kind == "stop":
            negator_at = intensifier_at = -100
        elif kind == "contrast":
            negator_at = intensifier_at = -100
            contrast = CONTRAST_WEIGHT
        elif kind == "negator":
            negator_at = position
        elif kind == "intensifier":
            intensifier_at, intensity = position, value
        elif kind == "sentiment":
            contribution = value * contrast * (intensity if position - intensifier_at <= INTENSIFIER_REACH else 1.0)
            if position - negator_at <= NEGATION_REACH[language]:
                contribution *= -NEGATION_DAMPING
                negator_at = -100
            if contribution > 0:
                positive += contribution
            else:
                negative -= contribution
    return (positive - negative) / (positive + negative + 1.0)


def sentiment_label(mean: float | None) -> str | None:
    if mean is None:
        return None
    if mean >= LABEL_THRESHOLD:
        return "positive"
    return "negative" if mean <= -LABEL_THRESHOLD else "neutral"
