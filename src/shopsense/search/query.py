"""Query understanding: from what the shopper typed to what retrieval needs.

Steps, in order: fold (NFKC, case) -> price and colour constraints -> normalise -> language -> spelling
correction of Latin words against the catalogue and past queries -> tokens (stemmed English, jieba
Chinese) -> synonym expansion -> category intent. Each step's result is kept in ``ParsedQuery`` so the
API can show how the query was understood.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopsense.search.constraints import parse_constraints
from shopsense.search.features import QueryText
from shopsense.search.intent import CategoryIntent
from shopsense.search.spelling import SpellingCorrector
from shopsense.search.synonyms import Synonyms
from shopsense.search.text import Analyzer, detect_language, fold, normalize


@dataclass
class ParsedQuery:
    text: str  # as typed
    normalized: str  # folded, punctuation removed, price phrases removed
    language: str  # en | zh | mixed
    corrected: str | None  # the spelling-corrected query when it differs
    tokens: list[str]  # analysed tokens of the (corrected) query, synonyms included
    raw_tokens: list[str]  # analysed tokens of the query as typed
    synonyms: list[str] = field(default_factory=list)
    price_min: float | None = None
    price_max: float | None = None
    colors: list[str] = field(default_factory=list)
    categories: list[tuple[str, float]] = field(default_factory=list)  # intent, most likely first

    @property
    def query_text(self) -> QueryText:
        return QueryText(self.tokens, (self.corrected or self.normalized).replace(" ", ""), self.corrected is not None)


@dataclass
class QueryParser:
    analyzer: Analyzer
    speller: SpellingCorrector | None = None
    synonyms: Synonyms | None = None
    intent: CategoryIntent | None = None

    def parse(self, text: str) -> ParsedQuery:
        constraints = parse_constraints(fold(text))
        normalized = normalize(constraints.text)
        pieces = self.analyzer.pieces(normalized)
        corrected = None
        if self.speller is not None:
            fixed = self.speller.correct(pieces)
            corrected = " ".join(fixed.words) if fixed.changed else None
        final = corrected or normalized
        raw_tokens = self.analyzer.tokens(normalized)
        tokens = self.analyzer.tokens(final)
        expansions = self.synonyms.expand(final) if self.synonyms is not None else []
        for synonym in expansions:
            tokens += self.analyzer.tokens(synonym)
        return ParsedQuery(
            text=text, normalized=normalized, language=detect_language(normalized), corrected=corrected,
            tokens=tokens, raw_tokens=raw_tokens, synonyms=expansions, price_min=constraints.price_min,
            price_max=constraints.price_max, colors=constraints.colors,
            categories=self.intent.predict(tokens) if self.intent is not None else [],
        )  # fmt: skip
