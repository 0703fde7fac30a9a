"""``shopsense export events``: every stored event comes back (ids, count, values), in chunks and parts; clear errors.

No Spark here: the export is plain pyarrow / pandas, on each storage backend.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from planted_shop import planted_shop

from shopsense.ingest.batch import ingest_events
from shopsense.ingest.importer import import_file
from shopsense.spark.export import ExportError, export_events
from shopsense.storage import Database, open_database
from shopsense.storage.codec import to_ms

EXTRA = [  # the optional fields, so the round trip covers every column
    {"event_id": "x1", "user_id": "u9999", "session_id": "s1", "type": "rating", "item_id": "c0-i00", "value": 4,
     "timestamp": "2025-06-01T10:00:00.123Z", "context": {"device": "mobile", "note": "naïve, \"quoted\""}},
    {"event_id": "x2", "user_id": "u9999", "session_id": "s1", "type": "click", "item_id": "c0-i01",
     "recomm_id": "r-42", "position": 3, "timestamp": "2025-06-01T10:00:01Z"},
    {"event_id": "x3", "user_id": "u9999", "type": "search", "query": "手机壳 red", "timestamp": "2025-06-01T10:00:02Z"},
]  # fmt: skip


def _store(db: Database) -> pd.DataFrame:
    events = pd.concat([planted_shop(users=40, seed=3).events, pd.DataFrame(EXTRA)], ignore_index=True)
    assert (ingest_events(db, events).status == "accepted").all()
    return pd.concat(list(db.events.iter_frames()), ignore_index=True)


def _log(db: Database) -> pd.DataFrame:
    return pd.concat(list(db.events.iter_frames()), ignore_index=True)


def test_parquet_export_streams_every_event_in_parts(db: Database, tmp_path: Path) -> None:
    stored = _store(db)
    summary = export_events(db, tmp_path / "out", chunk_rows=97, rows_per_file=250)
    assert summary.rows == len(stored)
    assert [p.name for p in summary.files] == [f"part-{n:05d}.parquet" for n in range(-(-len(stored) // 250))]
    parts = [pq.read_table(p) for p in summary.files]
    assert all(t.num_rows == 250 for t in parts[:-1])
    exported = pd.concat([t.to_pandas() for t in parts], ignore_index=True)
    assert exported["event_id"].tolist() == stored["event_id"].tolist()  # every id, once, in log order
    ms = exported["timestamp"].astype("datetime64[ms, UTC]").astype("int64")
    assert ms.tolist() == stored["ts_ms"].astype("int64").tolist()


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_export_then_import_gives_the_same_log(db: Database, tmp_path: Path, fmt: str) -> None:
    """Exported parts import into an empty store unchanged: the files speak the import data model."""
    stored = _store(db)
    summary = export_events(db, tmp_path / "out", fmt=fmt, rows_per_file=300)
    copy = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        for part in summary.files:
            result = import_file(copy, part, fmt, mapping={}, chunk_rows=1000, rejects_path=tmp_path / "rejects.csv")
            assert result.rejected == 0 and result.skipped == 0
        pd.testing.assert_frame_equal(_log(copy), stored, check_dtype=False)
    finally:
        copy.close()


def test_since_until_select_a_time_window(db: Database, tmp_path: Path) -> None:
    stored = _store(db)
    since, until = to_ms(datetime(2025, 3, 20, tzinfo=UTC)), to_ms(datetime(2025, 4, 10, tzinfo=UTC))
    summary = export_events(db, tmp_path / "out", since_ms=since, until_ms=until, chunk_rows=50)
    inside = stored[(stored["ts_ms"] >= since) & (stored["ts_ms"] < until)]
    assert 0 < summary.rows == len(inside) < len(stored)
    assert pq.read_table(summary.files[0]).column("event_id").to_pylist() == inside["event_id"].tolist()


def test_an_empty_log_writes_one_part_with_the_schema(db: Database, tmp_path: Path) -> None:
    summary = export_events(db, tmp_path / "out")
    assert summary.rows == 0 and pq.read_table(summary.files[0]).column_names[-2:] == ["timestamp", "context"]


def test_bad_arguments_are_clear_errors(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        export_events(db, tmp_path / "a", fmt="xml")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.parquet").write_text("x")
    with pytest.raises(ExportError, match="not an empty folder"):
        export_events(db, tmp_path / "full")
    with pytest.raises(ExportError, match="--since must come before --until"):
        export_events(db, tmp_path / "b", since_ms=10, until_ms=10)


def test_cli_export_prints_rows_and_errors_in_one_line(clean_env: dict, tmp_path: Path, shopsense_main) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = open_database(url)
    stored = len(_store(db))
    db.close()
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", url, "export", "events"]
    code, output = shopsense_main(*base, "--out", str(tmp_path / "out"), "--format", "jsonl")
    assert code == 0 and f"wrote {stored:,} events to 1 jsonl file(s)" in output
    code, output = shopsense_main(*base, "--out", str(tmp_path / "out"))
    assert code == 2 and output.startswith("error: ") and "not an empty folder" in output
    code, output = shopsense_main(*base, "--out", str(tmp_path / "o2"), "--format", "xlsx")
    assert code == 2 and output.strip() == "error: unknown export format 'xlsx'; expected one of parquet, jsonl, csv"
    code, output = shopsense_main(*base, "--out", str(tmp_path / "o3"), "--since", "2025-05-02", "--until", "2025-05-01")
    assert code == 2 and "--since must come before --until" in output
