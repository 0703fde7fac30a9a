"""``shopsense demo --no-serve`` on a fresh data dir: bundled sample imported, popularity trained; twice is idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from shopsense.cli.demo import demo_data_path
from shopsense.storage import open_database
from shopsense.storage.keys import Role

SAMPLE_ROWS = 103_696


def test_demo_imports_the_sample_trains_and_is_idempotent(run_cli, tmp_path: Path, printed_summary) -> None:  # noqa: ANN001
    assert pq.ParquetFile(demo_data_path()).metadata.num_rows == SAMPLE_ROWS
    data_dir = tmp_path / "demo"

    first = run_cli("demo", "--no-serve", data_dir=data_dir)
    assert first.exit_code == 0, (first.output, first.exception)
    one = printed_summary(first.output)
    assert one.rows == SAMPLE_ROWS
    assert one.accepted + one.skipped == SAMPLE_ROWS
    assert (one.duplicate, one.rejected) == (0, 0)
    assert one.accepted > 100_000 and 0 < one.skipped < 1_000
    assert "trained popularity" in first.output

    db = open_database(f"sqlite:///{(data_dir / 'shopsense.db').resolve()}")
    try:
        assert db.events.count() == one.accepted
        active = db.registry.active("popularity")
        assert active is not None and active.path.is_dir()
        assert active.metrics["interactions"] == one.accepted
        keys = json.loads((data_dir / "demo-keys.json").read_text())
        assert db.keys.authenticate(keys["admin"]).role is Role.ADMIN
        assert db.keys.authenticate(keys["client"]).role is Role.CLIENT
        assert keys["client"] in " ".join(first.output.split())  # printed for the curl examples
        assert (data_dir / "imports" / "online_retail_sample.rejected.csv").is_file()  # the skipped rows, with reasons
    finally:
        db.close()

    second = run_cli("demo", "--no-serve", data_dir=data_dir)
    assert second.exit_code == 0, (second.output, second.exception)
    two = printed_summary(second.output)
    assert (two.accepted, two.duplicate, two.rejected, two.skipped) == (0, one.accepted, 0, one.skipped)

    db = open_database(f"sqlite:///{(data_dir / 'shopsense.db').resolve()}")
    try:
        assert db.events.count() == one.accepted
        versions = db.registry.versions("popularity")
        assert len(versions) == 2
        assert [v.active for v in versions] == [False, True]  # the newer training is the active one
        assert json.loads((data_dir / "demo-keys.json").read_text()) == keys  # keys are reused, not re-created
        assert len(db.keys.list()) == 2
    finally:
        db.close()
