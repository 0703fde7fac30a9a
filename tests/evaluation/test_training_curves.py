"""TrainingLog: one JSON file for the dashboard, TensorBoard event files when tensorboard is installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopsense.evaluation.curves import TrainingLog


def test_json_curves_are_rewritten_every_epoch(tmp_path: Path) -> None:
    seen = []
    with TrainingLog(tmp_path / "run", tensorboard=False, on_epoch=lambda e, v: seen.append((e, v))) as log:
        log.epoch(1, loss=0.9, **{"valid/NDCG@10": 0.01})
        assert json.loads(log.path.read_text())["epochs"][0]["loss"] == 0.9
        log.epoch(2, loss=0.5)
    curves = json.loads((tmp_path / "run" / "curves.json").read_text())
    assert curves["run"] == "run"
    assert [(e["epoch"], e["loss"]) for e in curves["epochs"]] == [(1, 0.9), (2, 0.5)]
    assert curves["epochs"][0]["valid/NDCG@10"] == 0.01 and curves["epochs"][1]["seconds"] >= 0
    assert seen == [(1, {"loss": 0.9, "valid/NDCG@10": 0.01}), (2, {"loss": 0.5})]


def test_tensorboard_event_files_hold_the_scalars(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    with TrainingLog(tmp_path / "tb", run="sasrec") as log:
        log.epoch(1, loss=2.0)
        log.epoch(2, loss=1.0)
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert "loss" in events.Tags()["tensors"]
    assert [e.step for e in events.Tensors("loss")] == [1, 2]
