"""``shopsense profile USER``, ``profiles rebuild`` and ``profiles export`` (with format round trips), in-process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest
from profile_shop import event, ingest, open_shop
from typer.testing import CliRunner

import shopsense.cli.profiles  # noqa: F401 - registers the commands
from shopsense.cli.app import app
from shopsense.profiles.documents import public
from shopsense.profiles.export import COLUMNS, flatten


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir whose store has a few users with a rebuild still to run."""
    for name in ("SHOPSENSE_DATABASE_URL", "SHOPSENSE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    data = tmp_path / "data"
    data.mkdir()
    db = open_shop(data)
    ingest(
        db,
        event("e1", "alice", "purchase", "k1", 0, value=6, session_id="o1"),
        event("e2", "alice", "purchase", "k2", 10, value=1, session_id="o2"),
        event("e3", "alice", "review", "k2", 11, text="质量很好，非常满意"),
        event("e4", "bob", "view", "g2", 12),
        event("e5", "bob", "add_to_cart", "g2", 12, 1),
    )
    db.close()
    return data


def run(data_dir: Path, *args: str):  # noqa: ANN201 - click Result
    url = f"sqlite:///{data_dir / 'shop.db'}"
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), "--database-url", url, *args], catch_exceptions=False)


def test_rebuild_then_show_a_profile(data_dir: Path) -> None:
    rebuilt = run(data_dir, "profiles", "rebuild", "--half-life-days", "14")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt 2 profiles from 5 events" in rebuilt.output
    assert (data_dir / "models" / "profiles").is_dir()
    shown = run(data_dir, "profile", "alice")
    assert shown.exit_code == 0, shown.output
    for part in ("user alice", "country: FR", "lifecycle", "RFM", "tags", "affinities", "Home > Kitchen", "█", "reviews"):
        assert part in shown.output, part
    assert "bulk buyer" not in shown.output  # 7 units over 2 lines


def test_profile_as_json_and_unknown_users(data_dir: Path) -> None:
    shown = run(data_dir, "profile", "bob", "--json")
    assert shown.exit_code == 0
    document = json.loads(shown.output)
    assert document["activity"]["by_type"] == {"add_to_cart": 1, "view": 1} and "state" not in document
    missing = run(data_dir, "profile", "nobody")
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trips(data_dir: Path, fmt: str) -> None:
    from shopsense.storage import open_database

    assert run(data_dir, "profiles", "rebuild").exit_code == 0
    db = open_database(f"sqlite:///{data_dir / 'shop.db'}")
    expected = [public(document) for _, document in db.profiles.iter_all()]
    db.close()
    out = data_dir / f"profiles.{fmt}"
    exported = run(data_dir, "profiles", "export", "--format", fmt, "--out", str(out))
    assert exported.exit_code == 0 and "exported 2 profiles" in exported.output
    if fmt == "jsonl":
        assert [orjson.loads(line) for line in out.read_bytes().splitlines()] == expected
        return
    flat = pd.DataFrame([flatten(d) for d in expected], columns=list(COLUMNS)).fillna(np.nan)  # None reads back as NaN
    read = pd.read_csv(out) if fmt == "csv" else pq.read_table(out).to_pandas()
    assert list(read.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(read, flat, check_dtype=False)
    alice = read.set_index("user_id").loc["alice"]
    assert alice["activity.by_type.purchase"] == 2 and alice["activity.by_type.view"] == 0
    assert json.loads(alice["affinities.category"]) == {"Home > Kitchen": 1.0}
    assert json.loads(alice["attributes"]) == {"country": "FR", "tier": "gold"}


def test_export_refuses_an_unknown_format(data_dir: Path) -> None:
    result = run(data_dir, "profiles", "export", "--format", "xml", "--out", str(data_dir / "x"))
    assert result.exit_code == 2
