"""``shopsense search synonyms …`` and ``shopsense search train-ranker`` against a real store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from search_fixtures import CATALOGUE
from typer.testing import CliRunner

from shopsense.search.live import ranker_dir
from shopsense.search.ranker import LambdaRanker
from shopsense.search.store import LoggedSearch, SearchStore
from shopsense.storage import open_database


def _run(data_dir: Path, *args: str):
    from shopsense.cli import search  # noqa: F401 - registers the commands
    from shopsense.cli.app import app

    return CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])


def test_synonyms_commands(tmp_path: Path) -> None:
    added = _run(tmp_path, "search", "synonyms", "add", "tv", "television", "telly", "--two-way")
    assert added.exit_code == 0, added.output
    listed = _run(tmp_path, "search", "synonyms", "list")
    assert "tv" in listed.output and "television, telly" in listed.output and "<->" in listed.output
    assert _run(tmp_path, "search", "synonyms", "delete", "1").exit_code == 0
    assert _run(tmp_path, "search", "synonyms", "add", "tv", " ").exit_code == 2


def test_train_ranker_from_clicks(tmp_path: Path) -> None:
    failed = _run(tmp_path, "search", "train-ranker")
    assert failed.exit_code == 2 and "no clicks" in failed.output
    db = open_database(f"sqlite:///{tmp_path / 'shopsense.db'}")
    db.catalog.upsert_items(CATALOGUE)
    store = SearchStore(db.engine)
    now = int(datetime.now(UTC).timestamp() * 1000)
    rows = []
    for i, (query, item) in enumerate([("cordless drill", "p6"), ("drill", "p6"), ("case", "p1"), ("连衣裙", "p3")]):
        store.log(LoggedSearch(f"r{i}", query, query, "u1", 2, None))
        rows.append({"event_id": f"c{i}", "user_id": "u1", "session_id": None, "type": "click", "item_id": item,
                     "value": None, "query": None, "recomm_id": f"r{i}", "position": 1, "ts_ms": now, "context": None})
    db.events.add(pd.DataFrame(rows))
    db.close()
    trained = _run(tmp_path, "search", "train-ranker")
    assert trained.exit_code == 0, trained.output
    assert "4 queries" in trained.output
    assert isinstance(LambdaRanker.load(ranker_dir(tmp_path / "models")), LambdaRanker)
