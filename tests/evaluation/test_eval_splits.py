"""Splits: no leakage, the documented order, seeds reproduce, saved splits load back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopsense.config import DEFAULT_EVENT_WEIGHTS
from shopsense.evaluation import splits


def _events(rows: list[tuple]) -> pd.DataFrame:
    """(user, item, type, epoch seconds[, value]) rows, numbered from 1 like a loaded data set."""
    frame = pd.DataFrame([(*r, None)[:5] for r in rows], columns=["user_id", "item_id", "type", "timestamp", "value"])
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


EVENTS = _events([
    ("u1", "a", "view", 1_600_000_010), ("u1", "b", "view", 1_600_000_020), ("u1", "a", "purchase", 1_600_000_030),
    ("u1", "c", "view", 1_600_000_040), ("u1", "d", "view", 1_600_000_040), ("u2", "a", "view", 1_600_000_015),
    ("u2", "b", "view", 1_600_000_025), ("u3", "c", "search", 1_600_000_050), ("u3", None, "view", 1_600_000_060),
    ("u4", "d", "view", 1_600_000_005), ("u4", "c", "view", 1_600_000_035), ("u4", "b", "view", 1_600_000_045),
    ("u4", "a", "view", 1_600_000_055),
])  # fmt: skip


def test_interaction_log_keeps_weighted_item_events_in_time_then_row_order() -> None:
    log = splits.interaction_log(EVENTS, DEFAULT_EVENT_WEIGHTS)
    assert 8 not in log.index and 9 not in log.index  # a search (weight 0) and an event without an item
    assert log.index.tolist() == [10, 1, 6, 2, 7, 3, 11, 4, 5, 12, 13]
    assert log["ts_ms"].iloc[0] == 1_600_000_005_000


def test_leave_one_out_holds_out_the_last_new_items() -> None:
    split = splits.leave_one_out(splits.interaction_log(EVENTS, DEFAULT_EVENT_WEIGHTS))
    # u1: a b (a again: dropped) c d -> test d (row 5), valid c (row 4); u2 has 2 items: train only
    assert sorted(split.parts["test"]) == [5, 13]
    assert sorted(split.parts["valid"]) == [4, 12]
    assert sorted(split.parts["train"]) == [1, 2, 6, 7, 10, 11]
    assert split.params["repeats_dropped"] == 1


def test_leave_one_out_has_no_leakage_on_random_sequences() -> None:
    rng = np.random.default_rng(1)
    rows = [(f"u{u}", f"i{rng.integers(30)}", "view", 1_600_000_000 + int(t))
            for u in range(50) for t in rng.integers(0, 10_000, rng.integers(1, 15))]  # fmt: skip
    log = splits.interaction_log(_events(rows), DEFAULT_EVENT_WEIGHTS)
    split = splits.leave_one_out(log)
    parts = split.frames(log)
    train_pairs = set(zip(parts["train"]["user_id"], parts["train"]["item_id"]))
    for name in ("valid", "test"):
        assert not set(zip(parts[name]["user_id"], parts[name]["item_id"])) & train_pairs
        assert parts[name]["user_id"].is_unique
    assert not set(zip(parts["test"]["user_id"], parts["test"]["item_id"])) & set(zip(parts["valid"]["user_id"], parts["valid"]["item_id"]))
    last_train = parts["train"].groupby("user_id")["ts_ms"].max()
    valid, test = parts["valid"].set_index("user_id")["ts_ms"], parts["test"].set_index("user_id")["ts_ms"]
    assert (valid >= last_train[valid.index]).all() and (test >= valid[test.index]).all()
    assert set(valid.index) == set(test.index)
    assert set(np.concatenate(list(split.parts.values()))) <= set(log.index)
    assert sum(map(len, split.parts.values())) == len(log) - split.params["repeats_dropped"]


def test_temporal_split_is_ordered_in_time() -> None:
    log = splits.interaction_log(EVENTS, DEFAULT_EVENT_WEIGHTS)
    split = splits.temporal(log, 0.7)
    ts = {name: log.loc[rows, "ts_ms"] for name, rows in split.parts.items()}
    assert ts["train"].max() < ts["valid"].min() and ts["valid"].max() < ts["test"].min()
    assert ts["test"].min() == split.params["test_from_ms"]
    assert sum(map(len, split.parts.values())) == len(log)
    with pytest.raises(ValueError, match="empty"):
        splits.temporal(log.iloc[:1], 0.5)


def test_rating_folds_are_seeded_disjoint_and_balanced() -> None:
    rated = _events([(f"u{i % 7}", f"i{i}", "rating", 1_600_000_000 + i, 1 + i % 5) for i in range(103)])
    log = splits.rating_log(rated)
    first, again, other = (splits.rating_folds(log, 5, seed=s) for s in (0, 0, 1))
    assert all(np.array_equal(first.parts[f], again.parts[f]) for f in first.parts)
    assert any(not np.array_equal(first.parts[f], other.parts[f]) for f in first.parts)
    together = np.concatenate(list(first.parts.values()))
    assert sorted(together) == sorted(log.index) and {len(r) for r in first.parts.values()} == {20, 21}
    with pytest.raises(ValueError, match="no rating"):
        splits.rating_log(EVENTS)


def test_a_saved_split_loads_back_only_for_the_same_file(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("1 a b c\n")
    split = splits.leave_one_out(splits.interaction_log(EVENTS, DEFAULT_EVENT_WEIGHTS))
    splits.save_split(split, tmp_path / "split", splits.file_sha256(data))
    loaded = splits.load_split(tmp_path / "split", splits.file_sha256(data))
    assert loaded.protocol == "loo" and loaded.params == split.params
    assert all(np.array_equal(loaded.parts[p], split.parts[p]) for p in split.parts)
    data.write_text("1 a b d\n")
    with pytest.raises(ValueError, match="another data file"):
        splits.load_split(tmp_path / "split", splits.file_sha256(data))
