"""Fixtures: the tiny shop of ``assistant_shop`` in a fresh store of each backend, and an assistant over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from assistant_shop import fill_shop

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.engine import Assistant
from shopsense.assistant.intents import IntentClassifier, seed_utterances
from shopsense.storage import Database


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """One in-memory vector cache for the whole session: every text is embedded once."""
    return Encoder()


@pytest.fixture(scope="session")
def classifier(encoder: Encoder) -> IntentClassifier:
    """The served classifier (seed utterances), trained once for the session."""
    return IntentClassifier(encoder).fit(*seed_utterances())


@pytest.fixture
def shop(db: Database) -> Database:
    fill_shop(db)
    return db


@pytest.fixture
def assistant(shop: Database, encoder: Encoder, classifier: IntentClassifier, tmp_path: Path) -> Iterator[Assistant]:
    yield Assistant(shop, encoder=encoder, classifier=classifier, models_dir=tmp_path / "models")
