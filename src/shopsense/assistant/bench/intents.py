"""Bitext intents: a seeded, stratified 80/20 split; the classifier is trained on the 80% plus the
bundled seed utterances (as served) and scored on the 20% (accuracy, macro-F1 over the 27 intents)."""

from __future__ import annotations

from pathlib import Path

from sklearn.model_selection import train_test_split

from shopsense.assistant.bench.metrics import intent_scores
from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.intents import IntentClassifier, seed_utterances
from shopsense.data.assistant_sets import load_bitext


def bench_intents(path: Path, encoder: Encoder, *, seed: int = 0, test_size: float = 0.2) -> dict:
    data = load_bitext(path)
    train_x, test_x, train_y, test_y = train_test_split(
        data.texts, data.intents, test_size=test_size, random_state=seed, stratify=data.intents
    )
    seed_x, seed_y = seed_utterances()
    classifier = IntentClassifier(encoder, seed=seed).fit(train_x + seed_x, train_y + seed_y)
    predicted = [g.intent for g in classifier.predict(test_x)]
    return {"train_size": len(train_x), "seed": seed, **intent_scores(test_y, predicted, sorted(set(data.intents)))}
