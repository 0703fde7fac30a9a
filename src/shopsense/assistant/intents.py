"""Intent classification: the 27 Bitext customer-service intents plus five shopping intents.

Features are the concatenation of (a) TF-IDF over word 1-2-grams, (b) TF-IDF over character 2-4-grams
(robust to typos and usable on Chinese, which has no spaces) and (c) the multilingual-e5-small sentence
vector scaled by ``dense_weight`` (carries meaning across languages: an English-trained intent is found
for a Chinese message). A multinomial logistic regression over them gives P(intent | message); the
highest probability is the confidence. Trained on the bundled seed utterances (English and Chinese,
``seed_intents.tsv``) plus, when given, a labelled set such as Bitext's.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from shopsense.assistant.embeddings import Encoder

HANDOFF_INTENTS = frozenset({"complaint", "contact_human_agent"})
# an explicit request for a person or a complaint hands off whatever the classifier says
_HANDOFF_WORDS = re.compile(
    r"\b(human|real person|live agent|an agent|speak to (a|an|someone)|complain\w*)\b|人工|真人|投诉", re.IGNORECASE
)


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float
    runner_up: str


def seed_utterances() -> tuple[list[str], list[str]]:
    """The bundled (text, intent) examples: a few per intent in English and in Chinese."""
    with (resources.files("shopsense.assistant") / "seed_intents.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["intent"] for r in rows]


def asks_for_human(text: str) -> bool:
    return _HANDOFF_WORDS.search(text) is not None


class IntentClassifier:
    """``fit(texts, intents)`` then ``predict(texts)``; ``predict_with(texts, vectors)`` reuses e5 query vectors."""

    def __init__(self, encoder: Encoder, *, dense_weight: float = 1.0, c: float = 20.0, seed: int = 0) -> None:
        self.encoder = encoder
        self.dense_weight = dense_weight
        self.c = c
        self.seed = seed

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> IntentClassifier:
        self._words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)
        self._words.fit(texts)
        self._chars.fit(texts)
        features = self._features(texts, self.encoder.queries(texts))
        self._model = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed).fit(features, intents)
        self.intents: list[str] = self._model.classes_.tolist()
        return self

    def _features(self, texts: Sequence[str], vectors: np.ndarray) -> csr_matrix:
        dense = csr_matrix(np.asarray(vectors, dtype=np.float64) * self.dense_weight)
        return hstack([self._words.transform(texts), self._chars.transform(texts), dense], format="csr")

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, n_intents) P(intent | text); columns in ``self.intents`` order."""
        vectors = self.encoder.queries(texts) if vectors is None else vectors
        return self._model.predict_proba(self._features(texts, vectors))

    def predict(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[IntentGuess]:
        guesses = []
        for row in self.probabilities(texts, vectors):
            first, second = np.argsort(row)[::-1][:2]
            guesses.append(IntentGuess(self.intents[first], float(row[first]), self.intents[second]))
        return guesses
